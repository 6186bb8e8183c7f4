"""A subscriber receives a signed event for each status change of a dossier, in order, after its endpoint was
down for a while; a dead endpoint holds up only its own queue."""

import json
from datetime import timedelta

import pytest
from django.utils import timezone

from tinhso.core.exceptions import ValidationError
from tinhso.dossiers.services import dossier_transition
from tinhso.dossiers.tests.factories import make_dossier
from tinhso.gateway import services
from tinhso.gateway.models import WebhookAttempt, WebhookDelivery, WebhookSubscription
from tinhso.gateway.webhooks import verify, webhook_drain

from .factories import make_client
from .receiver import Receiver

pytestmark = pytest.mark.django_db(transaction=True)

STEPS = [("processing_officer", "start", ""), ("processing_officer", "request_supplement", "Thiếu bản sao CCCD"),
         ("receiving_officer", "supplement", "Đã nộp bản sao"), ("processing_officer", "submit_for_approval", ""),
         ("agency_leader", "approve", "")]


@pytest.fixture
def world(db):
    from conftest import build_world

    return build_world()


def _filed_dossier(world, client):
    dossier = make_dossier(world, applicant_user=None)
    dossier.applicant_user = client.service_user
    dossier.save(update_fields=["applicant_user"])
    return dossier


def _walk(world, dossier):
    for persona, action, note in STEPS:
        dossier_transition(actor=world.users[persona], dossier_code=dossier.code, action=action, note=note)


def test_events_arrive_in_order_signed_after_the_endpoint_was_down(world, settings):
    settings.TINHSO_WEBHOOK_BACKOFF_SECONDS = 30
    receiver = Receiver()  # not started: the endpoint is down
    client = make_client(world, services_=["dossier-status"])
    subscription = services.webhook_subscribe(actor=world.users["province_admin"], client=client, url=receiver.url)
    dossier = _filed_dossier(world, client)
    _walk(world, dossier)
    deliveries = list(WebhookDelivery.objects.filter(subscription=subscription).order_by("id"))
    assert [d.payload["data"]["to_status"] for d in deliveries] == [
        "in_progress", "supplement_requested", "in_progress", "awaiting_approval", "approved"]

    now = timezone.now()
    first = webhook_drain(subscription_id=subscription.pk, now=now)  # the worker tries: refused
    assert first["delivered"] == 0 and first["retry_at"] == now + timedelta(seconds=30)
    assert WebhookAttempt.objects.count() == 1  # the queue stops at the first failure: order is kept
    # still inside the back-off: nothing is tried
    assert webhook_drain(subscription_id=subscription.pk, now=now + timedelta(seconds=10))["claimed"] is False
    second = webhook_drain(subscription_id=subscription.pk, now=now + timedelta(seconds=31))
    assert second["delivered"] == 0 and second["retry_at"] == now + timedelta(seconds=31 + 60)

    receiver.start()  # the endpoint is back
    try:
        done = webhook_drain(subscription_id=subscription.pk, now=now + timedelta(seconds=95))
    finally:
        receiver.stop()
    assert done["delivered"] == 5
    bodies = [json.loads(r["body"]) for r in receiver.requests]
    assert [b["data"]["to_status"] for b in bodies] == [d.payload["data"]["to_status"] for d in deliveries]
    assert all(b["data"]["dossier_code"] == dossier.code for b in bodies)
    for request in receiver.requests:
        headers = request["headers"]
        assert verify(subscription.secret, headers["X-Tinhso-Timestamp"], request["body"],
                      headers["X-Tinhso-Signature"])
        assert not verify("other-secret", headers["X-Tinhso-Timestamp"], request["body"],
                          headers["X-Tinhso-Signature"])
    assert not WebhookDelivery.objects.filter(status="pending").exists()
    attempts = WebhookAttempt.objects.filter(delivery=deliveries[0]).order_by("id")
    assert [a.ok for a in attempts] == [False, False, True]


def test_a_dead_endpoint_does_not_hold_up_another_subscriber(world):
    up = Receiver().start()
    try:
        client = make_client(world, services_=["dossier-status"])
        dead = services.webhook_subscribe(actor=world.users["province_admin"], client=client,
                                          url="http://127.0.0.1:9/dead")
        alive = services.webhook_subscribe(actor=world.users["province_admin"], client=client, url=up.url)
        dossier = _filed_dossier(world, client)
        dossier_transition(actor=world.users["processing_officer"], dossier_code=dossier.code, action="start")
        assert webhook_drain(subscription_id=dead.pk)["delivered"] == 0
        assert webhook_drain(subscription_id=alive.pk)["delivered"] == 1
    finally:
        up.stop()
    assert len(up.requests) == 1


def test_a_subscriber_gets_only_dossiers_its_client_may_see_and_suspends_after_max_attempts(world, settings):
    settings.TINHSO_WEBHOOK_MAX_ATTEMPTS = 2
    client = make_client(world, services_=["dossier-status"])
    subscription = services.webhook_subscribe(actor=world.users["province_admin"], client=client,
                                              url="http://127.0.0.1:9/dead")
    other = make_dossier(world)  # filed by a citizen, not by this client: not its business
    dossier_transition(actor=world.users["processing_officer"], dossier_code=other.code, action="start")
    assert not WebhookDelivery.objects.exists()
    dossier = _filed_dossier(world, client)
    dossier_transition(actor=world.users["processing_officer"], dossier_code=dossier.code, action="start")
    now = timezone.now()
    webhook_drain(subscription_id=subscription.pk, now=now)
    result = webhook_drain(subscription_id=subscription.pk, now=now + timedelta(hours=1))
    assert result["suspended"] is True
    subscription.refresh_from_db()
    assert subscription.state == "suspended"
    assert WebhookDelivery.objects.get().status == "pending"  # kept, to resume in order


def test_the_delivery_is_enqueued_as_a_background_task_after_commit(world):
    from django_tasks_db.models import DBTaskResult

    client = make_client(world, services_=["dossier-status"])
    services.webhook_subscribe(actor=world.users["province_admin"], client=client, url="http://127.0.0.1:9/x")
    dossier = _filed_dossier(world, client)
    dossier_transition(actor=world.users["processing_officer"], dossier_code=dossier.code, action="start")
    assert DBTaskResult.objects.filter(task_path="tinhso.gateway.tasks.drain_webhook").count() == 1


def test_dossier_status_events_need_the_dossier_status_grant(world):
    """The grants stay the one place that decides what a client gets: without "dossier-status" no subscription to
    dossier status events, and once the grant is removed, no more of them."""
    admin = world.users["province_admin"]
    client = make_client(world)
    with pytest.raises(ValidationError) as refused:
        services.webhook_subscribe(actor=admin, client=client, url="http://127.0.0.1:9/hs")
    assert "event_types" in refused.value.field_errors and "chưa được cấp dịch vụ" in refused.value.message
    assert not WebhookSubscription.objects.exists()

    services.grant_add(actor=admin, client=client, service="dossier-status")
    subscription = services.webhook_subscribe(actor=admin, client=client, url="http://127.0.0.1:9/hs")
    dossier = _filed_dossier(world, client)
    dossier_transition(actor=world.users["processing_officer"], dossier_code=dossier.code, action="start")
    assert WebhookDelivery.objects.filter(subscription=subscription).count() == 1
    services.grant_remove(actor=admin, client=client, service="dossier-status")
    dossier_transition(actor=world.users["processing_officer"], dossier_code=dossier.code,
                       action="request_supplement", note="Thiếu bản sao CCCD")
    assert WebhookDelivery.objects.filter(subscription=subscription).count() == 1
