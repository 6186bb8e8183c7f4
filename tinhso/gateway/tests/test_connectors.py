"""The national-portal connector delivers every status change exactly once across a restart of the worker; the
shared-catalogue connector sends each agency's identifier record once per content."""

from datetime import timedelta

import pytest
from django.utils import timezone

from tinhso.dossiers.services import dossier_transition
from tinhso.dossiers.tests.factories import make_dossier
from tinhso.gateway import connectors
from tinhso.gateway.models import OutboxAttempt, OutboxItem

from .receiver import Receiver

pytestmark = pytest.mark.django_db

STEPS = [("processing_officer", "start", ""), ("processing_officer", "request_supplement", "Thiếu giấy tờ"),
         ("receiving_officer", "supplement", "Đã bổ sung"), ("processing_officer", "submit_for_approval", ""),
         ("agency_leader", "approve", "")]


@pytest.fixture
def portal(settings):
    receiver = Receiver().start()
    settings.TINHSO_DVCQG_URL = receiver.url
    settings.TINHSO_DVCQG_TOKEN = "portal-token"
    yield receiver
    receiver.stop()


class WorkerDied(Exception):
    pass


def test_every_status_change_reaches_the_portal_exactly_once_across_a_worker_crash(world, portal, monkeypatch):
    dossier = make_dossier(world)
    for persona, action, note in STEPS:
        dossier_transition(actor=world.users[persona], dossier_code=dossier.code, action=action, note=note)
    items = list(OutboxItem.objects.filter(connector=connectors.DVCQG.key).order_by("id"))
    assert [i.payload["TrangThaiNoiBo"] for i in items] == [
        "in_progress", "supplement_requested", "in_progress", "awaiting_approval", "approved"]

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
    assert len(portal.requests) == 3

    # worker B starts while A's lease still holds: it does not take the leased item, but sends the rest
    b = connectors.outbox_run(connector=connectors.DVCQG.key, worker="worker-b", now=now + timedelta(seconds=1))
    assert b["delivered"] == 2
    # after the lease ran out, the orphan is sent again under the same key; the portal takes it once
    c = connectors.outbox_run(connector=connectors.DVCQG.key, worker="worker-b",
                              now=now + connectors.LEASE + timedelta(seconds=2))
    assert c["delivered"] == 1
    assert len(portal.requests) == 6  # one repeat on the wire…
    assert sorted(portal.taken) == sorted(i.key for i in items)
    assert len(portal.taken) == 5  # …and each status change taken exactly once
    assert not OutboxItem.objects.exclude(status="delivered").exists()
    assert OutboxAttempt.objects.filter(item=items[2]).count() == 2
    first = portal.requests[0]
    assert first["headers"]["Authorization"] == "Bearer portal-token"
    assert first["headers"]["Idempotency-Key"] == items[0].key


def test_a_receiver_that_is_down_gets_the_item_later_and_refusals_are_dead_lettered(world, settings):
    down = Receiver()
    settings.TINHSO_DVCQG_URL = down.url
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
    assert len(down.taken) == 1


def test_without_an_address_the_connector_queues_nothing(world, settings):
    settings.TINHSO_DVCQG_URL = ""
    dossier = make_dossier(world)
    dossier_transition(actor=world.users["processing_officer"], dossier_code=dossier.code, action="start")
    assert not OutboxItem.objects.exists()


def test_agency_identifier_codes_go_to_the_shared_catalogue_once_per_content(world, settings):
    receiver = Receiver().start()
    settings.TINHSO_CATALOGUE_URL = receiver.url
    try:
        queued = connectors.catalogue_sync_all(actor=world.users["province_admin"])
        assert queued == 7  # the world's agencies
        assert connectors.catalogue_sync_all(actor=world.users["province_admin"]) == 0
        world.justice.phone = "0237 3850 000"
        world.justice.save()  # a change is a new message
        world.justice.save()  # a save without change is not
        result = connectors.outbox_run(connector=connectors.CATALOGUE.key)
        assert result["delivered"] == 8
    finally:
        receiver.stop()
    records = [r for r in receiver.taken.values() if r["MaDinhDanh"] == world.justice.identifier_code]
    assert [r["DienThoai"] for r in records] == [None, "0237 3850 000"]
    assert records[0]["MaCoQuanCapTren"] == world.committee.identifier_code
    with pytest.raises(Exception, match="quản trị cấp tỉnh"):
        connectors.catalogue_sync_all(actor=world.users["agency_leader"])
