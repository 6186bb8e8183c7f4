"""The access log: every call, hash-chained under the audit key, verified by a command that finds tampering."""

import io

import pytest
from django.core.management import CommandError, call_command
from django.test import Client as HttpClient

from tinhso.gateway.accesslog import access_log_verify
from tinhso.gateway.models import AccessLogEntry

from .factories import make_client, token_for

pytestmark = pytest.mark.django_db


def _calls(world, n=3):
    client = make_client(world, services_=["registry"])
    http = HttpClient(headers={"Authorization": f"Bearer {token_for(world, client)}"})
    for _ in range(n):
        http.get("/lien-thong/api/units", headers={"Muc-Dich": "%C4%90%E1%BB%93ng%20b%E1%BB%99%20danh%20m%E1%BB%A5c"})
    http.get("/lien-thong/api/procedures")  # not granted: 403, logged too
    return client


def _verify() -> str:
    out = io.StringIO()
    call_command("gateway_log_verify", stdout=out)
    return out.getvalue()


@pytest.mark.smoke
def test_a_changed_row_is_detected_by_the_verify_command(world):
    _calls(world)
    assert "4 bản ghi" in _verify()
    AccessLogEntry.objects.filter(seq=2).update(status=500)  # someone hides what happened
    with pytest.raises(CommandError, match="bản ghi số 2"):
        _verify()


def test_a_deleted_row_and_a_deleted_tail_are_detected(world):
    _calls(world)
    AccessLogEntry.objects.filter(seq=4).delete()
    checked, problem = access_log_verify()
    assert checked == 3 and problem is not None and "đã bị xóa" in problem.reason
    AccessLogEntry.objects.filter(seq=2).delete()
    _, problem = access_log_verify()
    assert problem.seq == 2


def test_a_row_rewritten_with_a_recomputed_unkeyed_hash_is_detected(world):
    import hashlib
    import json

    _calls(world)
    entry = AccessLogEntry.objects.get(seq=4)
    entry.purpose = "khác"
    # without the audit key a forger can only recompute a plain SHA-256
    entry.hash = hashlib.sha256(json.dumps([entry.seq]).encode()).hexdigest()
    entry.save()
    _, problem = access_log_verify()
    assert problem.seq == 4


def test_the_log_records_client_service_purpose_status_bytes_and_duration(world):
    client = _calls(world, n=1)
    first, refused = AccessLogEntry.objects.order_by("seq")
    assert (first.client_id, first.service, first.status) == (client.pk, "registry", 200)
    assert first.purpose == "Đồng bộ danh mục"
    assert first.bytes > 10 and first.duration_ms > 0 and first.operation == "tinhso_org_api_list_units"
    assert (refused.service, refused.status, refused.bytes > 0) == ("procedures", 403, True)


def test_province_admin_browses_filters_and_exports_the_log(world):
    client = _calls(world)
    admin = world.client_for("province_admin")
    page = admin.get("/lien-thong/nhat-ky/", {"client": client.pk, "status": "denied"})
    assert page.status_code == 200
    assert page.context["page"].total == 1
    assert "/api/v1/procedures" in page.content.decode()
    assert admin.get("/lien-thong/nhat-ky/", {"service": "registry"}).context["page"].total == 3
    csv = admin.get("/lien-thong/nhat-ky/", {"export": "csv", "status": "ok"})
    body = b"".join(csv.streaming_content).decode("utf-8-sig")
    lines = body.strip().splitlines()
    assert lines[0].startswith("Số,Thời điểm,Hệ thống") and len(lines) == 4
    xlsx = admin.get("/lien-thong/nhat-ky/", {"export": "xlsx"})
    assert b"".join(xlsx.streaming_content)[:2] == b"PK"


def test_bad_filters_get_a_vietnamese_4xx_and_others_cannot_read_the_log(world):
    admin = world.client_for("province_admin")
    response = admin.get("/lien-thong/nhat-ky/", {"from": "2026-13-45"})
    assert response.status_code == 422 and "Ngày không hợp lệ" in response.content.decode()
    assert admin.get("/lien-thong/nhat-ky/", {"export": "pdf"}).status_code == 422
    assert world.client_for("agency_leader").get("/lien-thong/nhat-ky/").status_code == 403
