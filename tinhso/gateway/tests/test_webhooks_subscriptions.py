"""Subscriptions choose their event types (page, service, audit), and the cost of an event nobody wants: the set
of active subscriptions is cached per process under a version token, so such a save sends no extra query."""

import pytest
from django.core.cache import cache
from django.db import connection
from django.db.models.signals import post_save
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from tinhso.audit.models import AuditEvent
from tinhso.core.exceptions import ValidationError
from tinhso.dossiers.models import DossierEvent
from tinhso.dossiers.tests.factories import make_dossier
from tinhso.gateway import services, webhooks
from tinhso.gateway.models import WebhookDelivery, WebhookSubscription

from .factories import make_client

pytestmark = pytest.mark.django_db


def _save(dossier) -> DossierEvent:
    return DossierEvent.objects.create(dossier=dossier, at=timezone.now(), action="start", from_status="received",
                                       to_status="in_progress")


def _count(fn) -> int:
    with CaptureQueriesContext(connection) as ctx:
        fn()
    return len(ctx.captured_queries)


@pytest.mark.smoke
def test_a_dossier_event_no_subscription_wants_costs_no_extra_query(world, django_assert_num_queries):
    admin = world.users["province_admin"]
    dossier = make_dossier(world)
    post_save.disconnect(sender=DossierEvent, dispatch_uid="gateway_webhooks")
    try:
        plain = _count(lambda: _save(dossier))  # the insert and the other apps' hooks, without the webhooks
    finally:
        post_save.connect(webhooks.on_dossier_event_saved, sender=DossierEvent, dispatch_uid="gateway_webhooks")
    client = make_client(world, services_=["dossier-status"])
    services.webhook_subscribe(actor=admin, client=client, url="http://127.0.0.1:9/pa", event_types=["feedback.status"])
    _save(dossier)  # the first event after a change reads the set once
    with django_assert_num_queries(plain):
        _save(dossier)
    with django_assert_num_queries(plain):
        _save(dossier)

    cache.set(webhooks.VERSION_KEY, "doi-o-tien-trinh-khac")  # another process changed a subscription
    with django_assert_num_queries(plain + 1):  # this process reads the set again, once
        _save(dossier)
    with django_assert_num_queries(plain):
        _save(dossier)

    wanted = services.webhook_subscribe(actor=admin, client=client, url="http://127.0.0.1:9/hs")
    assert _count(lambda: _save(dossier)) > plain + 1  # seen at once: the set, the subscription, the rule
    assert _count(lambda: _save(dossier)) > plain  # while it is active, each event is checked against it
    assert not WebhookDelivery.objects.exists()  # a citizen's dossier: not the client's to see

    services.webhook_set_state(actor=admin, subscription=wanted, state="disabled")
    _save(dossier)
    with django_assert_num_queries(plain):
        _save(dossier)

    again = services.webhook_subscribe(actor=admin, client=client, url="http://127.0.0.1:9/hs2")
    again.delete()
    _save(dossier)
    with django_assert_num_queries(plain):
        _save(dossier)


def test_a_stale_cached_subscription_never_delivers(world):
    """The cache may say a subscription wants an event after it is gone; the database decides."""
    client = make_client(world, services_=["dossier-status"])
    subscription = services.webhook_subscribe(actor=world.users["province_admin"], client=client,
                                              url="http://127.0.0.1:9/hs")
    dossier = make_dossier(world, applicant_user=None)
    dossier.applicant_user = client.service_user
    dossier.save(update_fields=["applicant_user"])
    webhooks.subscription_ids_for(["dossier.status"])  # warm
    WebhookSubscription.objects.filter(pk=subscription.pk).update(state="disabled")  # no signal: the cache is stale
    assert webhooks.subscription_ids_for(["dossier.status"]) == {subscription.pk}
    _save(dossier)
    assert not WebhookDelivery.objects.exists()


def test_the_service_checks_event_types_and_audits_them(world):
    admin = world.users["province_admin"]
    client = make_client(world)
    with pytest.raises(ValidationError) as bad:
        services.webhook_subscribe(actor=admin, client=client, url="https://vi.du/nhan", event_types=["ho-so.moi"])
    assert "event_types" in bad.value.field_errors
    with pytest.raises(ValidationError):
        services.webhook_subscribe(actor=admin, client=client, url="https://vi.du/nhan", event_types=[])
    assert not WebhookSubscription.objects.exists()
    subscription = services.webhook_subscribe(actor=admin, client=client, url="https://vi.du/nhan",
                                              event_types=["document.sent", "feedback.status", "document.sent"])
    assert subscription.event_types == ["feedback.status", "document.sent"]
    audit = AuditEvent.objects.get(action="gateway.webhook.subscribe")
    assert audit.changes["event_types"] == [None, ["feedback.status", "document.sent"]]


def test_the_client_page_subscribes_to_chosen_event_types_and_the_catalogue_documents_them(world, client):
    page = client.get("/lien-thong/")
    html = page.content.decode()
    for name in ("dossier.status", "feedback.status", "feedback.answered", "document.sent", "document.received",
                 "document.returned"):
        assert f"<code>{name}</code>" in html
    assert "không bao giờ có họ tên, điện thoại, thư điện tử" in html and "chậm nhất 30 giây" in html

    gateway_client = make_client(world)
    admin = world.client_for("province_admin")
    url = f"/lien-thong/he-thong/{gateway_client.pk}/webhook/"
    response = admin.post(url, {"url": "https://vi.du/nhan", "event_types": ["feedback.answered", "document.received"]})
    assert response.status_code == 302
    assert WebhookSubscription.objects.get().event_types == ["feedback.answered", "document.received"]
    refused = admin.post(url, {"url": "https://vi.du/khac", "event_types": ["ho-so.moi"]}, follow=True)
    assert "Hãy chọn ít nhất một loại sự kiện" in refused.content.decode()
    assert WebhookSubscription.objects.count() == 1
    detail = admin.get(f"/lien-thong/he-thong/{gateway_client.pk}/").content.decode()
    assert "<code>feedback.answered</code>" in detail and 'value="document.returned"' in detail


def test_the_delivery_log_shows_feedback_and_document_events(world):
    gateway_client = make_client(world)
    subscription = services.webhook_subscribe(actor=world.users["province_admin"], client=gateway_client,
                                              url="https://vi.du/nhan",
                                              event_types=["feedback.status", "document.delivery_status"])
    WebhookDelivery.objects.create(subscription=subscription, event_id="feedback-event-1", payload={
        "id": "feedback-event-1", "type": "feedback.status", "data": {"report_code": "PA000001",
                                                                      "to_status": "verified"}})
    WebhookDelivery.objects.create(subscription=subscription, event_id="document-event-2", payload={
        "id": "document-event-2", "type": "document.delivery_status",
        "data": {"document_id": 2, "number": "12/KH-STP", "status": "sent", "delivery_status": "received"}})
    page = world.client_for("province_admin").get(f"/lien-thong/webhook/{subscription.pk}/")
    html = page.content.decode()
    assert page.status_code == 200
    assert "PA000001" in html and "verified" in html and "<code>feedback.status</code>" in html
    assert "12/KH-STP" in html and "sent (received)" in html
