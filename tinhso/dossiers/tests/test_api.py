import json

import pytest

from tinhso.dossiers.choices import Status
from tinhso.dossiers.models import Dossier, DossierAttachment

from .factories import PDF, PHONE, make_dossier, submission

pytestmark = pytest.mark.smoke


def _post_json(client, path, data):
    return client.post(path, json.dumps(data), content_type="application/json")


def _multipart(world, files, **overrides):
    data = submission(world, **overrides)
    form_data = data.pop("form_data")
    return {**data, "form_data": json.dumps(form_data), "attachments": files}


def test_citizen_submits_json_and_the_clerk_sees_it_in_the_new_queue(world):
    response = _post_json(world.client_for("citizen"), "/api/v1/dossiers", submission(world))
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["status"] == "submitted" and body["code"].startswith("000.01.01.H56-")
    assert body["allowed_actions"] == ["withdraw"]
    listing = world.client_for("receiving_officer").get("/api/v1/dossiers", {"queue": "new"}).json()
    assert [d["code"] for d in listing["items"]] == [body["code"]]
    assert world.client_for("other_unit_officer").get("/api/v1/dossiers").json()["total"] == 0


def test_multipart_submission_with_a_pdf(world):
    from django.core.files.uploadedfile import SimpleUploadedFile

    upload = SimpleUploadedFile("don.pdf", PDF, content_type="application/pdf")
    response = world.client_for("citizen").post("/api/v1/dossiers", _multipart(world, [upload]))
    assert response.status_code == 201, response.content
    assert response.json()["attachments"] == ["don.pdf"]
    assert response.json()["form_data"]["so_ban"] == 2


def test_text_file_renamed_pdf_gets_a_vietnamese_422_and_nothing_is_written(world):
    from django.core.files.uploadedfile import SimpleUploadedFile

    fake = SimpleUploadedFile("ban-sao.pdf", "chỉ là chữ".encode(), content_type="application/pdf")
    response = world.client_for("citizen").post("/api/v1/dossiers", _multipart(world, [fake]))
    assert response.status_code == 422
    assert "không phải PDF, JPEG hoặc PNG" in response.json()["errors"]["attachments"][0]
    assert Dossier.objects.count() == 0 and DossierAttachment.objects.count() == 0


def test_oversize_file_gets_a_422(world, settings):
    from django.core.files.uploadedfile import SimpleUploadedFile

    settings.TINHSO_MAX_ATTACHMENT_MB = 1
    big = SimpleUploadedFile("lon.pdf", PDF + b"x" * (1024 * 1024 + 1), content_type="application/pdf")
    response = world.client_for("citizen").post("/api/v1/dossiers", _multipart(world, [big]))
    assert response.status_code == 422
    assert "vượt quá dung lượng" in response.json()["message"]
    assert Dossier.objects.count() == 0


@pytest.mark.parametrize("overrides, field", [
    ({"applicant_citizen_id": "03819000000X"}, "applicant_citizen_id"),
    ({"procedure_code": "0.999999"}, "procedure_code"),
    ({"applicant_phone": "abc"}, "applicant_phone"),
])
def test_bad_submission_gets_a_field_error(world, overrides, field):
    response = _post_json(world.client_for("citizen"), "/api/v1/dossiers", submission(world, **overrides))
    assert response.status_code == 422
    assert field in response.json()["errors"]
    assert Dossier.objects.count() == 0


@pytest.mark.parametrize("body", [b"{", b"[1, 2]", b'{"procedure_code": 5}', b"{}"])
def test_malformed_bodies_get_422(world, body):
    response = world.client_for("citizen").post("/api/v1/dossiers", body, content_type="application/json")
    assert response.status_code == 422
    assert response.json()["message"]


def test_anonymous_cannot_submit(world):
    response = _post_json(world.client_for("anonymous"), "/api/v1/dossiers", submission(world))
    assert response.status_code == 401


def test_second_officer_gets_409_with_a_clear_message(world):
    dossier = make_dossier(world, status=Status.SUBMITTED)
    clerk = world.client_for("receiving_officer")
    path = f"/api/v1/dossiers/{dossier.code}/transitions"
    assert _post_json(clerk, path, {"action": "receive"}).status_code == 200
    again = _post_json(clerk, path, {"action": "receive"})
    assert again.status_code == 409
    assert "vừa được người khác xử lý" in again.json()["message"]


def test_transition_without_required_note_gets_422(world):
    dossier = make_dossier(world, status=Status.IN_PROGRESS)
    response = _post_json(world.client_for("processing_officer"), f"/api/v1/dossiers/{dossier.code}/transitions",
                          {"action": "request_supplement"})
    assert response.status_code == 422
    assert "note" in response.json()["errors"]


def test_officer_of_other_unit_gets_404(world):
    dossier = make_dossier(world)
    client = world.client_for("other_unit_officer")
    assert client.get(f"/api/v1/dossiers/{dossier.code}").status_code == 404
    assert _post_json(client, f"/api/v1/dossiers/{dossier.code}/transitions",
                      {"action": "start"}).status_code == 404


def test_tracking_by_code_and_phone_shows_the_supplement_request(world):
    dossier = make_dossier(world, status=Status.IN_PROGRESS)
    _post_json(world.client_for("processing_officer"), f"/api/v1/dossiers/{dossier.code}/transitions",
               {"action": "request_supplement", "note": "Bổ sung bản sao giấy khai sinh"})
    anonymous = world.client_for("anonymous")
    wrong = anonymous.get("/api/v1/dossiers/track", {"code": dossier.code, "phone": "0987654321"})
    assert wrong.status_code == 404
    found = anonymous.get("/api/v1/dossiers/track", {"code": dossier.code, "phone": "+84912345678"}).json()
    assert found["status_label"] == "Chờ bổ sung"
    assert found["supplement_request"] == "Bổ sung bản sao giấy khai sinh"
    assert found["events"][-1]["action_label"] == "Yêu cầu bổ sung"
    assert PHONE not in json.dumps(found)


def test_events_show_the_hand_over_trail(world):
    dossier = make_dossier(world, status=Status.IN_PROGRESS)
    _post_json(world.client_for("agency_leader"), f"/api/v1/dossiers/{dossier.code}/transitions",
               {"action": "hand_over", "agency_code": world.health.identifier_code, "note": "Chuyển Sở Y tế"})
    events = world.client_for("receiving_officer").get(f"/api/v1/dossiers/{dossier.code}/events").json()
    assert events[-1]["agency"]["identifier_code"] == world.justice.identifier_code
    assert events[-1]["to_agency"]["identifier_code"] == world.health.identifier_code


def test_list_filters(world):
    make_dossier(world, status=Status.SUPPLEMENT_REQUESTED)
    make_dossier(world, status=Status.RESULT_ISSUED)
    client = world.client_for("agency_leader")
    assert client.get("/api/v1/dossiers", {"queue": "waiting"}).json()["total"] == 1
    assert client.get("/api/v1/dossiers", {"status": "result_issued"}).json()["total"] == 1
    assert client.get("/api/v1/dossiers", {"agency": world.health.identifier_code}).json()["total"] == 0
    assert client.get("/api/v1/dossiers", {"queue": "bogus"}).status_code == 422
    assert client.get("/api/v1/dossiers", {"status": "bogus"}).status_code == 422
