"""The national-portal connector delivers every status change exactly once across a restart of the worker, in the
portal's public shape (login session, DongBoHoSoMC then CapNhatTienDoHoSoMC, yyyyMMddHHmmss, codes 1-10); the
shared-catalogue connector registers each agency's identifier record once per content through VXP's signed
registerAgency. The receivers (connector_receivers.py) check the shapes and answer in the receivers' words."""

import re
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from django.utils import timezone

from tinhso.dossiers.choices import Status
from tinhso.dossiers.services import dossier_transition
from tinhso.dossiers.tests.factories import make_dossier
from tinhso.gateway import connectors
from tinhso.gateway.models import OutboxAttempt, OutboxItem

from .connector_receivers import PortalReceiver, VxpReceiver

pytestmark = pytest.mark.django_db

STEPS = [("processing_officer", "start", ""), ("processing_officer", "request_supplement", "Thiếu giấy tờ"),
         ("receiving_officer", "supplement", "Đã bổ sung"), ("processing_officer", "submit_for_approval", ""),
         ("agency_leader", "approve", "")]
DOC = Path(__file__).resolve().parents[3] / "docs" / "connectors.md"


@pytest.fixture
def portal(settings):
    receiver = PortalReceiver().start()
    settings.TINHSO_DVCQG_URL = receiver.url
    settings.TINHSO_DVCQG_AUTH_URL = receiver.auth_url
    settings.TINHSO_DVCQG_USERNAME, settings.TINHSO_DVCQG_PASSWORD = receiver.username, receiver.password
    settings.TINHSO_DVCQG_MADONVI = receiver.madonvi
    yield receiver
    receiver.stop()


@pytest.fixture
def vxp(settings):
    receiver = VxpReceiver().start()
    settings.TINHSO_CATALOGUE_URL = receiver.url
    settings.TINHSO_CATALOGUE_SYSTEM_ID, settings.TINHSO_CATALOGUE_TOKEN = receiver.system_id, receiver.secret
    yield receiver
    receiver.stop()


class WorkerDied(Exception):
    pass


def _walk(world, dossier):
    for persona, action, note in STEPS:
        dossier_transition(actor=world.users[persona], dossier_code=dossier.code, action=action, note=note)


@pytest.mark.smoke
def test_every_status_change_reaches_the_portal_exactly_once_across_a_worker_crash(world, portal, monkeypatch):
    dossier = make_dossier(world)
    _walk(world, dossier)
    items = list(OutboxItem.objects.filter(connector=connectors.DVCQG.key).order_by("id"))
    assert [i.payload["DongBoHoSoMC"]["data"][0]["TrangThaiHoSo"] for i in items] == ["4", "5", "4", "4", "9"]
    assert [i.payload["DongBoHoSoMC"]["isUpdating"] for i in items] == ["False", "True", "True", "True", "True"]

    # worker A sends two items, then dies after the third was sent but before its answer was recorded
    real_ack, calls = connectors._acknowledge, []

    def ack_then_die(item, answer, spec):
        calls.append(item.pk)
        if len(calls) == 3:
            raise WorkerDied
        real_ack(item, answer, spec)

    monkeypatch.setattr(connectors, "_acknowledge", ack_then_die)
    now = timezone.now()
    with pytest.raises(WorkerDied):
        connectors.outbox_run(connector=connectors.DVCQG.key, worker="worker-a", now=now)
    monkeypatch.setattr(connectors, "_acknowledge", real_ack)
    third = OutboxItem.objects.get(pk=items[2].pk)
    assert third.status == "pending" and third.leased_by == "worker-a"
    calls_on_wire = [r for r in portal.requests if r["path"] == "/tich-hop"]
    assert len(calls_on_wire) == 6  # each item: the record, then its progress line

    # worker B starts while A's lease still holds: it does not take the leased item, but sends the rest
    b = connectors.outbox_run(connector=connectors.DVCQG.key, worker="worker-b", now=now + timedelta(seconds=1))
    assert b["delivered"] == 2
    # after the lease ran out, the orphan is sent again under the same keys; the portal takes it once
    c = connectors.outbox_run(connector=connectors.DVCQG.key, worker="worker-b",
                              now=now + connectors.LEASE + timedelta(seconds=2))
    assert c["delivered"] == 1
    assert len([r for r in portal.requests if r["path"] == "/tich-hop"]) == 12  # one repeat on the wire…
    assert len(portal.taken) == 10  # …and each status change taken exactly once (record + progress)
    assert sorted(portal.taken) == sorted([i.key for i in items] + [f"{i.key}:tien-do" for i in items])
    assert portal.logins == 3  # one session per run
    assert not OutboxItem.objects.exclude(status="delivered").exists()
    assert OutboxAttempt.objects.filter(item=items[2]).count() == 2

    # the progress lines carry each status, the dossier's record its latest state
    by_key = portal.taken
    assert [by_key[f"{i.key}:tien-do"]["data"][0]["TrangThai"] for i in items] == ["4", "5", "4", "4", "9"]
    assert by_key[f"{items[1].key}:tien-do"]["data"][0]["NoiDungXuLy"] == "Thiếu giấy tờ"
    record = by_key[items[-1].key]["data"][0]
    dossier.refresh_from_db()
    assert record["MaHoSo"] == dossier.code and record["MaTTHC"] == dossier.procedure.code
    assert record["KenhThucHien"] == "2" and record["DinhDanhCHS"] == [
        {"LoaiDinhDanh": "1", "SoDinhDanh": dossier.applicant_citizen_id}]
    assert record["NgayHenTra"] == connectors.portal_stamp(dossier.due_at)
    assert record["NgayKetThucXuLy"] == connectors.portal_stamp(dossier.resolved_at) != ""
    first = next(r for r in portal.requests if r["path"] == "/tich-hop")
    assert first["body"]["session"] == portal.session and first["body"]["madonvi"] == portal.madonvi
    assert first["headers"]["idempotency-key"] == items[0].key
    assert "authorization" not in first["headers"]  # the portal's credential is the session in the body


def test_a_portal_that_is_down_gets_the_item_later(world, settings):
    down = PortalReceiver()
    settings.TINHSO_DVCQG_URL, settings.TINHSO_DVCQG_AUTH_URL = down.url, ""
    settings.TINHSO_DVCQG_TOKEN, settings.TINHSO_DVCQG_MADONVI = down.session, down.madonvi  # a standing session
    dossier = make_dossier(world)
    dossier_transition(actor=world.users["processing_officer"], dossier_code=dossier.code, action="start")
    now = timezone.now()
    assert connectors.outbox_run(connector=connectors.DVCQG.key, now=now) == {"delivered": 0, "retry": 1,
                                                                              "failed": 0}
    item = OutboxItem.objects.get()
    assert item.next_attempt_at > now and item.last_error
    assert connectors.outbox_run(connector=connectors.DVCQG.key, now=now)["retry"] == 0  # not due yet
    down.start()
    try:
        assert connectors.outbox_run(connector=connectors.DVCQG.key, now=item.next_attempt_at)["delivered"] == 1
    finally:
        down.stop()
    assert len(down.taken) == 2 and down.logins == 0


def test_a_refusal_in_the_answer_body_is_not_a_delivery(world, portal, settings):
    settings.TINHSO_WEBHOOK_MAX_ATTEMPTS = 2
    dossier = make_dossier(world)
    dossier_transition(actor=world.users["processing_officer"], dossier_code=dossier.code, action="start")
    portal.refuse_with = "-1"  # HTTP 200, {"error_code": "-1", ...}
    now = timezone.now()
    assert connectors.outbox_run(connector=connectors.DVCQG.key, now=now)["retry"] == 1
    item = OutboxItem.objects.get()
    assert item.status == "pending" and "Dữ liệu không hợp lệ" in item.last_error
    assert not OutboxAttempt.objects.get().ok
    assert connectors.outbox_run(connector=connectors.DVCQG.key, now=item.next_attempt_at)["failed"] == 1
    assert OutboxItem.objects.get().status == "failed" and not portal.taken


def test_a_refused_login_is_recorded_and_retried_without_sending(world, portal, settings):
    settings.TINHSO_DVCQG_PASSWORD = "sai"
    for _ in range(2):
        dossier_transition(actor=world.users["processing_officer"], dossier_code=make_dossier(world).code,
                           action="start")
    result = connectors.outbox_run(connector=connectors.DVCQG.key)
    assert result == {"delivered": 0, "retry": 1, "failed": 0}  # stops after the first item
    assert portal.logins == 1 and not [r for r in portal.requests if r["path"] == "/tich-hop"]
    assert "Đăng nhập Cổng DVCQG" in OutboxAttempt.objects.get().error


def test_without_an_address_the_connector_queues_nothing(world, settings):
    settings.TINHSO_DVCQG_URL = ""
    dossier = make_dossier(world)
    dossier_transition(actor=world.users["processing_officer"], dossier_code=dossier.code, action="start")
    assert not OutboxItem.objects.exists()


def test_portal_dates_are_in_vietnam_time():
    assert connectors.portal_stamp(datetime(2026, 1, 31, 17, 5, 9, tzinfo=UTC)) == "20260201000509"
    assert connectors.portal_stamp(None) == ""
    assert re.match(r"^\d{8}T\d{6}\+\d{4}$", connectors.xroad_timestamp())


def test_the_status_table_in_the_docs_is_the_one_the_connector_sends():
    rows = re.findall(r"^\| `(\w+)` \| [^|]+ \| (\d+) \| ([^|]+) \|", DOC.read_text(encoding="utf-8"), re.M)
    table = {status: code for status, code, _ in rows}
    assert table == connectors.PORTAL_STATUS
    assert set(table) == {s.value for s in Status}  # every dossier status has a portal code
    for _, code, name in rows:
        assert connectors.PORTAL_STATUS_NAMES[code] == name.strip()


def test_agency_identifier_codes_go_to_the_shared_catalogue_once_per_content(world, vxp):
    queued = connectors.catalogue_sync_all(actor=world.users["province_admin"])
    assert queued == 7  # the world's agencies
    assert connectors.catalogue_sync_all(actor=world.users["province_admin"]) == 0
    world.justice.phone = "0237 3850 000"
    world.justice.save()  # a change is a new message
    world.justice.save()  # a save without change is not
    result = connectors.outbox_run(connector=connectors.CATALOGUE.key)
    assert result["delivered"] == 8
    records = [r for r in vxp.taken.values() if r.get("code") == world.justice.identifier_code]
    assert [r["mobile"] for r in records] == ["", "0237 3850 000"]
    assert records[0]["pcode"] == world.committee.identifier_code
    assert vxp.agencies[world.justice.identifier_code]["mobile"] == "0237 3850 000"
    assert all(r["path"] == "/registerAgency" for r in vxp.requests)
    with pytest.raises(Exception, match="quản trị cấp tỉnh"):
        connectors.catalogue_sync_all(actor=world.users["agency_leader"])

    world.justice.is_active = False
    world.justice.save()  # a closed agency is unregistered
    assert connectors.outbox_run(connector=connectors.CATALOGUE.key)["delivered"] == 1
    assert vxp.requests[-1]["path"] == "/deleteAgency"
    assert world.justice.identifier_code not in vxp.agencies


def test_a_wrong_vxp_secret_is_refused_by_the_signature_check(world, vxp, settings):
    settings.TINHSO_CATALOGUE_TOKEN = "khong-dung"
    world.justice.phone = "0237 3850 111"
    world.justice.save()
    assert connectors.outbox_run(connector=connectors.CATALOGUE.key)["retry"] == 1
    assert "Chữ ký không đúng" in OutboxItem.objects.get().last_error and not vxp.taken
