"""Feedback and document events: a subscriber receives a signed event for each step, in order, after its endpoint
was down for a while; a client that may not see a record gets no event for it; personal data never travels."""

import json
from datetime import timedelta

import pytest
from django.utils import timezone

from tinhso.accounts.choices import Role
from tinhso.accounts.tests.factories import RoleFactory, UserFactory
from tinhso.documents import services as documents
from tinhso.documents.choices import Direction
from tinhso.documents.models import Document
from tinhso.documents.tests.conftest import build_desk
from tinhso.documents.tests.helpers import signed_and_issued
from tinhso.feedback import services as feedback
from tinhso.feedback.tests.conftest import HOANG_HOA, build_place
from tinhso.gateway import services
from tinhso.gateway.choices import EventType
from tinhso.gateway.models import WebhookAttempt, WebhookDelivery
from tinhso.gateway.webhooks import verify, webhook_drain

from .factories import make_client
from .receiver import Receiver

pytestmark = pytest.mark.django_db(transaction=True)

FEEDBACK_TYPES = ["feedback.status", "feedback.answered"]
CITIZEN = {"contact_name": "Nguyễn Thị Bình", "contact_phone": "0912345678", "contact_email": "binh@example.vn",
           "address": "Số 12 đường Lê Lợi, thôn Đông"}
DESCRIPTION = "Ổ gà lớn trước cổng trường tiểu học, nhà tôi ở ngay cạnh"


def _subscribe(world, client, url, types):
    return services.webhook_subscribe(actor=world.users["province_admin"], client=client, url=url, event_types=types)


def _submit(place, **extra):
    from django.contrib.auth.models import AnonymousUser

    report, _ = feedback.report_submit(
        actor=AnonymousUser(), service_code=place.road.code, description=DESCRIPTION,
        latitude=HOANG_HOA[0] + 0.01, longitude=HOANG_HOA[1] - 0.01, ip_address="10.0.0.9", **(CITIZEN | extra))
    return report


def _drain_after_downtime(subscription, receiver, settings):
    """The endpoint refuses twice (back-off 30 s, then 60 s), then comes back and takes the whole queue."""
    settings.TINHSO_WEBHOOK_BACKOFF_SECONDS = 30
    now = timezone.now()
    first = webhook_drain(subscription_id=subscription.pk, now=now)
    assert first["delivered"] == 0 and first["retry_at"] == now + timedelta(seconds=30)
    assert webhook_drain(subscription_id=subscription.pk, now=now + timedelta(seconds=10))["claimed"] is False
    second = webhook_drain(subscription_id=subscription.pk, now=now + timedelta(seconds=31))
    assert second["delivered"] == 0 and second["retry_at"] == now + timedelta(seconds=91)
    receiver.start()
    try:
        return webhook_drain(subscription_id=subscription.pk, now=now + timedelta(seconds=95))
    finally:
        receiver.stop()


def _signed_bodies(subscription, receiver) -> list[dict]:
    for request in receiver.requests:
        headers = request["headers"]
        assert verify(subscription.secret, headers["X-Tinhso-Timestamp"], request["body"],
                      headers["X-Tinhso-Signature"])
        assert not verify("khoa-khac", headers["X-Tinhso-Timestamp"], request["body"], headers["X-Tinhso-Signature"])
    bodies = [json.loads(r["body"]) for r in receiver.requests]
    assert [r["headers"]["X-Tinhso-Event-Id"] for r in receiver.requests] == [b["id"] for b in bodies]
    return bodies


@pytest.mark.smoke
def test_feedback_steps_arrive_in_order_signed_after_the_endpoint_was_down_without_personal_data(world, settings):
    place = build_place(world, settings)
    officer = world.users["unit_admin"]
    RoleFactory(user=officer, role=Role.PROCESSING_OFFICER, agency=world.commune_committee)
    receiver = Receiver()  # not started: the endpoint is down
    ward = make_client(world, code="phan-mem-xa", name="Phần mềm một cửa xã Hoằng Hóa",
                       owner=world.commune_committee, services_=["dossier-status"])
    subscription = _subscribe(world, ward, receiver.url, FEEDBACK_TYPES)
    elsewhere = make_client(world, code="phan-mem-xa-khac", name="Phần mềm xã Quảng Xương",
                            owner=world.other_commune_committee)
    blind = _subscribe(world, elsewhere, "http://127.0.0.1:9/khac", FEEDBACK_TYPES)  # not its agency's report
    dossiers_only = _subscribe(world, ward, "http://127.0.0.1:9/ho-so", ["dossier.status"])

    report = _submit(place)
    assert report.agency == world.commune_committee
    for action, note in (("verify", ""), ("assign", ""), ("start", ""), ("answer", "Đã vá ổ gà ngày 03/3."),
                         ("close", "")):
        feedback.report_transition(actor=officer, code=report.code, action=action, note=note)
    feedback.report_comment(actor=officer, code=report.code, note="Cảm ơn bà đã báo tin.")  # not a step

    expected = [("feedback.status", "received"), ("feedback.status", "verified"), ("feedback.status", "assigned"),
                ("feedback.status", "in_progress"), ("feedback.status", "answered"), ("feedback.answered", "answered"),
                ("feedback.status", "closed")]
    queued = [(d.payload["type"], d.payload["data"]["to_status"])
              for d in WebhookDelivery.objects.filter(subscription=subscription).order_by("id")]
    assert queued == expected
    assert not WebhookDelivery.objects.filter(subscription__in=[blind, dossiers_only]).exists()

    done = _drain_after_downtime(subscription, receiver, settings)
    assert done["delivered"] == len(expected)
    bodies = _signed_bodies(subscription, receiver)
    assert [(b["type"], b["data"]["to_status"]) for b in bodies] == expected
    assert all(b["data"]["report_code"] == report.code for b in bodies)
    assert bodies[5]["data"]["answer"] == "Đã vá ổ gà ngày 03/3." and "answer" not in bodies[4]["data"]
    raw = b"".join(r["body"] for r in receiver.requests).decode()
    for private in [*CITIZEN.values(), DESCRIPTION, str(report.latitude)]:
        assert private not in raw
    first = WebhookDelivery.objects.filter(subscription=subscription).order_by("id").first()
    assert [a.ok for a in WebhookAttempt.objects.filter(delivery=first).order_by("id")] == [False, False, True]


def test_a_report_rejected_as_spam_or_of_another_agency_sends_nothing_more(world, settings):
    place = build_place(world, settings)
    officer = world.users["unit_admin"]
    RoleFactory(user=officer, role=Role.PROCESSING_OFFICER, agency=world.commune_committee)
    ward = make_client(world, code="phan-mem-xa", name="Phần mềm một cửa xã", owner=world.commune_committee)
    subscription = _subscribe(world, ward, "http://127.0.0.1:9/nhan", ["feedback.status"])
    spam = _submit(place)
    feedback.report_transition(actor=officer, code=spam.code, action="reject_spam", note="Quảng cáo")
    # the public no longer sees it: its rejection is not sent (only its reception, while it was public)
    assert [d.payload["data"]["action"] for d in WebhookDelivery.objects.filter(subscription=subscription)] == [
        "submit"]
    # reassigned to the Department of Justice: the ward hears it was passed on, then nothing of its new life
    report = _submit(place)
    feedback.report_transition(actor=officer, code=report.code, action="verify")
    feedback.report_transition(actor=officer, code=report.code, action="reassign", note="Thuộc thẩm quyền Sở",
                               agency_code=world.justice.identifier_code)
    feedback.report_transition(actor=world.users["processing_officer"], code=report.code, action="start")
    actions = [d.payload["data"]["action"] for d in WebhookDelivery.objects.filter(
        subscription=subscription, payload__data__report_code=report.code).order_by("id")]
    assert actions == ["submit", "verify", "reassign"]


def _health_clerk(world):
    clerk = UserFactory(username="van.thu.yte", full_name="Phạm Văn Thư Y Tế")
    RoleFactory(user=clerk, role=Role.PROCESSING_OFFICER, agency=world.health)
    documents.records_officer_grant(actor=world.users["province_admin"], agency_code=world.health.identifier_code,
                                    username=clerk.username)
    return clerk


def test_document_steps_reach_the_sender_and_the_recipient_in_order_after_downtime(world, settings):
    desk = build_desk(world)
    receiver = Receiver()  # the justice department's system is down
    sender_system = make_client(world, code="qlvb-stp", name="Quản lý văn bản Sở Tư pháp", owner=world.justice)
    sender_sub = _subscribe(world, sender_system, receiver.url,
                            ["document.issued", "document.sent", "document.delivery_status"])
    health_system = make_client(world, code="qlvb-syt", name="Quản lý văn bản Sở Y tế", owner=world.health)
    up = Receiver().start()
    health_sub = _subscribe(world, health_system, up.url,
                            ["document.received", "document.assigned", "document.completed"])
    stranger = make_client(world, code="qlvb-xa", name="Phần mềm xã Quảng Xương", owner=world.other_commune_committee)
    blind = _subscribe(world, stranger, "http://127.0.0.1:9/khac",
                       [t for t in EventType.values if t.startswith("document.")])
    try:
        outgoing = documents.document_send(actor=desk.clerk, document_id=signed_and_issued(desk).pk)
        incoming = Document.objects.get(agency=world.health, direction=Direction.INCOMING)
        clerk = _health_clerk(world)
        officer = UserFactory(username="cb.yte", full_name="Cán bộ Y tế")
        RoleFactory(user=officer, role=Role.PROCESSING_OFFICER, agency=world.health)
        documents.document_assign(actor=clerk, document_id=incoming.pk, username="cb.yte",
                                  due_on=timezone.localdate() + timedelta(days=5))
        documents.document_complete(actor=officer, document_id=incoming.pk, note="Đã triển khai")
        assert webhook_drain(subscription_id=health_sub.pk)["delivered"] == 3
    finally:
        up.stop()
    assert [json.loads(r["body"])["type"] for r in up.requests] == [
        "document.received", "document.assigned", "document.completed"]
    assert all(json.loads(r["body"])["data"]["document_id"] == incoming.pk for r in up.requests)
    assert not WebhookDelivery.objects.filter(subscription=blind).exists()

    # the sender's queue, in the order the platform recorded: issued; the recipient registered it (received) while
    # it was being sent; sent; then the recipient's assigned and done
    expected = [("document.issued", None), ("document.delivery_status", "received"), ("document.sent", None),
                ("document.delivery_status", "assigned"), ("document.delivery_status", "done")]
    done = _drain_after_downtime(sender_sub, receiver, settings)
    assert done["delivered"] == len(expected)
    bodies = _signed_bodies(sender_sub, receiver)
    assert [(b["type"], b["data"].get("delivery_status")) for b in bodies] == expected
    assert all(b["data"]["document_id"] == outgoing.pk for b in bodies)
    assert bodies[2]["data"]["recipients"] == [world.health.identifier_code]
    assert bodies[2]["data"]["number"] == outgoing.number_notation
    raw = b"".join(r["body"] for r in receiver.requests).decode()
    assert "Nguyễn Văn Giám Đốc" not in raw  # the signer's name is not carried


def test_a_classified_document_sends_no_event_and_a_recipients_refusal_is_document_returned(world):
    from tinhso.documents.choices import DeliveryStatus

    desk = build_desk(world)
    system = make_client(world, code="qlvb-stp", name="Quản lý văn bản Sở Tư pháp", owner=world.justice)
    subscription = _subscribe(world, system, "http://127.0.0.1:9/nhan", ["document.issued", "document.returned"])
    signed_and_issued(desk, security_level="confidential")
    assert not WebhookDelivery.objects.filter(subscription=subscription).exists()
    outgoing = documents.document_send(actor=desk.clerk, document_id=signed_and_issued(desk, subject="Công khai").pk)
    incoming = Document.objects.get(agency=world.health, direction=Direction.INCOMING)
    documents.status_import(actor=desk.clerk, data=documents.status_message_for(incoming, DeliveryStatus.REJECTED))
    payloads = [d.payload for d in WebhookDelivery.objects.filter(subscription=subscription).order_by("id")]
    assert [p["type"] for p in payloads] == ["document.issued", "document.returned"]
    assert payloads[1]["data"]["document_id"] == outgoing.pk
    assert payloads[1]["data"]["delivery_status"] == "rejected"
    assert payloads[1]["data"]["to_code"] == world.health.identifier_code
