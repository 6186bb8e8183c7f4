import json

import pytest

from tinhso.feedback.models import Report

from .test_views import file_

pytestmark = pytest.mark.django_db


def post_json(client, path, data):
    return client.post(path, json.dumps(data), content_type="application/json")


def test_officers_work_a_report_through_the_api(place):
    report, _ = file_(place)
    w = place.world
    client = w.client_for("processing_officer")
    queue = client.get("/api/v1/feedback/reports", {"q": "den duong"}).json()
    assert [r["code"] for r in queue["items"]] == [report.code]
    detail = client.get(f"/api/v1/feedback/reports/{report.code}").json()
    assert detail["allowed_actions"][:1] == ["verify"] and detail["agency"]["identifier_code"] == w.justice.identifier_code
    for action in ("verify", "assign", "start"):
        assert post_json(client, f"/api/v1/feedback/reports/{report.code}/actions", {"action": action}).status_code == 200
    bad = post_json(client, f"/api/v1/feedback/reports/{report.code}/actions", {"action": "answer"})
    assert bad.status_code == 422 and "note" in bad.json()["errors"]
    stale = post_json(client, f"/api/v1/feedback/reports/{report.code}/actions",
                      {"action": "answer", "note": "x", "expected_status": "assigned"})
    assert stale.status_code == 409
    done = post_json(client, f"/api/v1/feedback/reports/{report.code}/actions",
                     {"action": "answer", "note": "Đã thay bóng đèn."})
    assert done.json()["status"] == "answered"
    note = post_json(client, f"/api/v1/feedback/reports/{report.code}/comments", {"note": "nội bộ", "internal": True})
    assert note.status_code == 201 and note.json()["public"] is False
    events = client.get(f"/api/v1/feedback/reports/{report.code}/events").json()
    assert [e["action"] for e in events][-2:] == ["answer", "comment"]
    assert Report.objects.get().status == "answered"


def test_the_api_refuses_outsiders_and_unknown_actions(place):
    report, _ = file_(place)
    w = place.world
    assert w.client_for("citizen").get("/api/v1/feedback/reports").status_code == 403
    assert w.client_for("other_unit_officer").get(f"/api/v1/feedback/reports/{report.code}").status_code == 404
    unknown = post_json(w.client_for("processing_officer"), f"/api/v1/feedback/reports/{report.code}/actions",
                        {"action": "fly"})
    assert unknown.status_code == 422
    services = w.client_for("anonymous").get("/api/v1/feedback/services").json()
    assert {s["code"] for s in services} == {"duong-hong", "den-duong", "chay-no"}
