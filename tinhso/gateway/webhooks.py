"""Webhooks: events pushed to the endpoints client systems subscribed, each subscription choosing its event types.

Event types (`choices.EventType`, dotted and stable; a payload's `type` is one of them):
- `dossier.status`: a dossier changed status (a `DossierEvent` whose status differs from the one before);
- `feedback.status`: a step of a feedback report's state machine (received, verified, rejected, assigned,
  reassigned, started, answered, closed, reopened); `feedback.answered`: the official answer was published (the
  same step also gives `feedback.status`; a subscriber to both gets both, with different event ids);
- `document.issued`, `document.sent`, `document.delivery_status` (a recipient reported received / assigned /
  done), `document.returned` (a recipient refused it), `document.received`, `document.assigned`,
  `document.completed`: steps of an e-document of one of the client's agencies.

Who gets what: each recorded event (a post_save hook the gateway connects on `DossierEvent`, `ReportEvent` and
`DocumentEvent`: it sits above those apps, which never import it) becomes one `WebhookDelivery` per active
subscription of that type whose client may see the record, in the same transaction as the event:
- dossiers: the dossiers app's own rule, `dossiers.selectors.can_view`, for the client's service account;
- feedback: only reports the feedback app shows the public (`feedback.selectors.public_reports`: never one rejected
  as spam) and only public steps, about reports handled by (or passed on from) one of the client's agencies (the
  owner agency and those under it, where its service account holds the system-client role). The payload carries
  no personal data: never the citizen's name, phone, e-mail, account, address or coordinates, nor the description
  they wrote; the official answer is public and is carried;
- documents: only documents that may travel electronically (ordinary, never classified), of an agency the client's
  service account sees through the documents app (`documents.access.can_view`) or one of the client's agencies; no
  person's name (signer, officer) is carried.
Delivery runs after commit, in a background task: never on the officer's request.

Cost: the set of active subscriptions per event type is kept in each process (`_active_subscriptions`) under a
version token in the Django cache, replaced on every subscription or client change (create, change, delete,
suspension), before and after commit. A save no subscription wants then sends no query. The database stays the
authority: when the cached set says a subscription wants the event, the subscriptions are read again, so a stale
entry (a change rolled back, a subscription deleted) costs one query and never a wrong delivery. Across processes
the token is exact with a shared cache (Redis, Memcached; docs/scaling.md). With the default per-process cache
each process still re-reads the set at least every `MEMO_SECONDS`: a new subscription then gets every event
recorded from at most that long after it was created (the process that created it sees it at once), and a
subscription turned off or deleted gets nothing more at once (the database check). A `max(updated_at)` check
instead would cost a query on every save, which is what this avoids.
- Order: a subscription's deliveries go out strictly in `id` order, by one worker at a time (a lease on the
  subscription). A failure stops the queue and retries it later with exponential back-off, so events of one
  record reach the endpoint in order even after it was down; after `TINHSO_WEBHOOK_MAX_ATTEMPTS` failed tries
  the subscription is suspended with its queue kept, and resumes in order when turned back on.
- Isolation: each subscription drains in its own task with a short timeout; a dead endpoint holds up only its
  own queue.
- Signature: `X-Tinhso-Timestamp` (Unix seconds) and `X-Tinhso-Signature: sha256=<hex>`, the HMAC-SHA256 under
  the subscription's secret of `timestamp + "." + body` (the scheme Stripe and GitHub document: the timestamp
  is signed so a captured request cannot be replayed later). `X-Tinhso-Event-Id` lets the receiver drop repeats.
"""

import hashlib
import hmac
import logging
import time
import uuid
from collections.abc import Callable, Iterable
from datetime import datetime, timedelta

from django.conf import settings
from django.core.cache import cache
from django.db import transaction
from django.db.models import F, Q
from django.utils import timezone

from tinhso.accounts import scoping
from tinhso.accounts.choices import Role
from tinhso.core.replica import reading_from_primary
from tinhso.documents import access as document_access
from tinhso.dossiers.selectors import can_view
from tinhso.feedback import selectors as feedback_selectors
from tinhso.feedback import workflow as feedback_workflow

from .choices import DeliveryStatus, EventType, SubscriptionState
from .delivery import canonical_json, post_json
from .models import WebhookAttempt, WebhookDelivery, WebhookSubscription

log = logging.getLogger(__name__)
LEASE = timedelta(minutes=2)
VERSION_KEY = "tinhso:gateway:webhook-subscriptions"
MEMO_SECONDS = 30.0


# What each event type is, for the service catalogue and the client page (Vietnamese: shown to users).
EVENT_DESCRIPTIONS = {
    EventType.DOSSIER_STATUS: "Một hồ sơ mà hệ thống được xem (hồ sơ hệ thống đã nộp thay người dân, doanh nghiệp) đổi "
                              "trạng thái. Dữ liệu: mã hồ sơ, mã thủ tục, thao tác, trạng thái trước và sau, cơ "
                              "quan, hạn trả kết quả.",
    EventType.FEEDBACK_STATUS: "Mỗi bước xử lý của phản ánh, kiến nghị do cơ quan của hệ thống (cơ quan chủ quản và "
                               "các cơ quan trực thuộc) giải quyết hoặc chuyển đi: tiếp nhận, xác minh, loại, giao, "
                               "chuyển cơ quan, bắt đầu xử lý, trả lời, đóng, mở lại. Chỉ phản ánh công khai (không "
                               "gửi phản ánh bị loại vì tin rác). Dữ liệu: mã phản ánh, loại phản ánh, thao tác, "
                               "trạng thái trước và sau, cơ quan, mã xã, ngày tiếp nhận, hạn xử lý — không bao giờ "
                               "có họ tên, điện thoại, thư điện tử, tài khoản, địa chỉ, tọa độ hay nội dung người "
                               "dân viết.",
    EventType.FEEDBACK_ANSWERED: "Cơ quan công bố trả lời chính thức một phản ánh như trên; dữ liệu có thêm nội dung "
                                 "trả lời (công khai) và thời điểm trả lời.",
    EventType.DOCUMENT_ISSUED: "Văn bản đi của cơ quan của hệ thống được cấp số và ban hành.",
    EventType.DOCUMENT_SENT: "Văn bản đi được gửi hoặc gửi lại tới nơi nhận (mã định danh nơi nhận).",
    EventType.DOCUMENT_DELIVERY_STATUS: "Nơi nhận báo đã tiếp nhận, đã phân công hoặc đã hoàn thành văn bản đã gửi.",
    EventType.DOCUMENT_RETURNED: "Nơi nhận từ chối, trả lại văn bản đã gửi.",
    EventType.DOCUMENT_RECEIVED: "Văn bản đến (qua trục liên thông, gói edXML hoặc bản giấy quét) được vào sổ tại "
                                 "cơ quan của hệ thống.",
    EventType.DOCUMENT_ASSIGNED: "Văn bản đến được phân công xử lý, kèm hạn xử lý.",
    EventType.DOCUMENT_COMPLETED: "Văn bản đến được xử lý xong.",
}
DOCUMENT_NOTE = ("Sự kiện văn bản chỉ có văn bản thường (không bao giờ văn bản mật); dữ liệu gồm mã văn bản, chiều "
                 "đi/đến, cơ quan, số ký hiệu, loại, trích yếu, trạng thái, độ khẩn, ngày ban hành, hạn trả lời, "
                 "không có tên người ký hay người xử lý.")


def event_catalogue() -> list[dict]:
    """Each event type with its name, label and description (the service catalogue's webhook section)."""
    return [{"type": value, "label": label, "description": EVENT_DESCRIPTIONS[value]}
            for value, label in EventType.choices]


def sign(secret: str, timestamp: int, body: bytes) -> str:
    mac = hmac.new(secret.encode("utf-8"), f"{timestamp}.".encode() + body, hashlib.sha256)
    return "sha256=" + mac.hexdigest()


def verify(secret: str, timestamp: str, body: bytes, signature: str, *, tolerance: int = 300,
           now: float | None = None) -> bool:
    """What a receiver checks (documented on the client page; used by the tests as a receiver would)."""
    if not timestamp.isdigit() or abs((now or time.time()) - int(timestamp)) > tolerance:
        return False
    return hmac.compare_digest(sign(secret, int(timestamp), body), signature)


def backoff(attempt: int) -> timedelta:
    """Wait after `attempt` failed tries: base × 2^(attempt-1), capped at six hours."""
    base = float(getattr(settings, "TINHSO_WEBHOOK_BACKOFF_SECONDS", 30))
    return timedelta(seconds=min(base * 2 ** max(0, attempt - 1), 6 * 3600))


# --- the cached set of active subscriptions ----------------------------------------------------------------------
# (version token, monotonic deadline, ((subscription id, event types), ...)); replaced whole, never mutated.
_memo: tuple = (None, 0.0, ())


def subscriptions_changed(**_kwargs) -> None:
    """Every process re-reads the active subscriptions at its next event (this one at once)."""
    global _memo
    _memo = (None, 0.0, ())
    cache.set(VERSION_KEY, uuid.uuid4().hex, timeout=None)


def on_subscription_changed(**_kwargs) -> None:
    """post_save / post_delete of a subscription or a client: now (this transaction reads its own change) and
    again after commit (other processes, which could not see it before)."""
    subscriptions_changed()
    transaction.on_commit(subscriptions_changed)


def _active_subscriptions() -> tuple:
    global _memo
    version = cache.get(VERSION_KEY)
    if version is None:  # a cold or evicted cache: start a version (another process may have just done so)
        cache.add(VERSION_KEY, uuid.uuid4().hex, timeout=None)
        version = cache.get(VERSION_KEY)
    memo = _memo
    if version is None or memo[0] != version or memo[1] <= time.monotonic():
        with reading_from_primary():  # never a lagging standby's set, kept under the current token
            rows = list(WebhookSubscription.objects.filter(
                state=SubscriptionState.ACTIVE, client__active=True).values_list("pk", "event_types"))
        memo = (version, time.monotonic() + MEMO_SECONDS,
                tuple((pk, frozenset(types or ())) for pk, types in rows))
        _memo = memo
    return memo[2]


def subscription_ids_for(event_types: Iterable[str]) -> set[int]:
    """Active subscriptions that may want one of these event types (from the cached set: no query when warm)."""
    wanted = set(event_types)
    return {pk for pk, types in _active_subscriptions() if types & wanted}


# Event types whose payload is what a gateway service gives: a client receives them only while it holds that
# service's grant (a dossier's status events are the "dossier-status" service pushed instead of polled).
EVENT_SERVICES = {EventType.DOSSIER_STATUS: "dossier-status"}


def _client_agency_ids(user) -> set[int]:
    """The client's agencies: where its service account holds the system-client role (and those under them)."""
    return scoping.agency_ids_for(user, roles={Role.SYSTEM_CLIENT})


def _queue(event_types: list[str], *, build: Callable[[str], dict], may_see: Callable[[object], bool],
           service: str = "") -> None:
    """One delivery per (subscription that chose the type, type), for subscriptions whose client may see the
    record (and, when the events carry what a service gives, holds that service's grant: the grants stay the one
    place that decides what a client receives); `build(type)` makes the payload, once per type."""
    ids = subscription_ids_for(event_types)
    if not ids:
        return
    subscriptions = WebhookSubscription.objects.select_related("client__service_user").filter(
        pk__in=ids, state=SubscriptionState.ACTIVE, client__active=True).order_by("pk")
    if service:
        subscriptions = subscriptions.filter(client__grants__service=service)
    payloads: dict[str, dict] = {}
    seen: dict[int, bool] = {}
    queued: list[int] = []
    for subscription in subscriptions:
        wanted = [t for t in event_types if t in (subscription.event_types or ())]
        if not wanted:
            continue
        user = subscription.client.service_user
        if user.pk not in seen:
            seen[user.pk] = bool(may_see(user))
        if not seen[user.pk]:
            continue
        for event_type in wanted:
            payload = payloads.get(event_type) or payloads.setdefault(event_type, build(event_type))
            WebhookDelivery.objects.create(subscription=subscription, event_id=payload["id"], payload=payload)
        queued.append(subscription.pk)
    if queued:
        transaction.on_commit(lambda: [schedule(pk) for pk in queued])


def _iso(value) -> str | None:
    return value.isoformat() if value else None


# --- dossiers -------------------------------------------------------------------------------------------------------
def _payload(event) -> dict:
    dossier = event.dossier
    return {
        "id": f"dossier-event-{event.pk}", "type": EventType.DOSSIER_STATUS,
        "occurred_at": event.at.isoformat(),
        "data": {"dossier_code": dossier.code, "procedure_code": dossier.procedure.code,
                 "action": event.action, "from_status": event.from_status, "to_status": event.to_status,
                 "agency": event.agency.identifier_code if event.agency_id else None,
                 "due_at": dossier.due_at.isoformat() if dossier.due_at else None},
    }


def on_dossier_event_saved(sender, instance, created: bool, raw: bool = False, **kwargs) -> None:
    if not created or raw or instance.from_status == instance.to_status:
        return
    _queue([EventType.DOSSIER_STATUS], build=lambda _type: _payload(instance),
           may_see=lambda user: can_view(user, instance.dossier), service=EVENT_SERVICES[EventType.DOSSIER_STATUS])


# --- feedback -------------------------------------------------------------------------------------------------------
FEEDBACK_INTAKE = frozenset({"submit", "hotline"})


def _feedback_payload(event, event_type: str) -> dict:
    report = event.report
    data = {"report_code": report.code, "service_code": report.service.code, "action": event.action,
            "from_status": event.from_status or None, "to_status": event.to_status or None,
            "agency": event.agency.identifier_code if event.agency_id else None,
            "to_agency": event.to_agency.identifier_code if event.to_agency_id else None,
            "responsible_agency": report.agency.identifier_code, "commune": report.commune.code,
            "received_at": _iso(report.received_at), "due_at": _iso(report.due_at)}
    if event_type == EventType.FEEDBACK_ANSWERED:
        data |= {"answer": event.note, "answered_at": event.at.isoformat()}
    suffix = "answer" if event_type == EventType.FEEDBACK_ANSWERED else "event"
    return {"id": f"feedback-{suffix}-{event.pk}", "type": event_type, "occurred_at": event.at.isoformat(),
            "data": data}


def on_report_event_saved(sender, instance, created: bool, raw: bool = False, **kwargs) -> None:
    if not created or raw or not instance.public:
        return
    if instance.action not in feedback_workflow.TRANSITIONS and instance.action not in FEEDBACK_INTAKE:
        return  # comments, escalations, alerts: not a step of the state machine
    types = [EventType.FEEDBACK_STATUS] + ([EventType.FEEDBACK_ANSWERED] if instance.action == "answer" else [])
    public: list[bool] = []

    def may_see(user) -> bool:
        report = instance.report
        agencies = {report.agency_id, instance.agency_id, instance.to_agency_id} - {None}
        if not agencies & _client_agency_ids(user):
            return False
        if not public:  # the feedback app's rule of what the public sees, asked once per event
            public.append(feedback_selectors.public_reports().filter(pk=report.pk).exists())
        return public[0]

    _queue(types, build=lambda event_type: _feedback_payload(instance, event_type), may_see=may_see)


# --- documents ------------------------------------------------------------------------------------------------------
DOCUMENT_ACTIONS = {
    "issue": EventType.DOCUMENT_ISSUED, "issue_paper": EventType.DOCUMENT_ISSUED,
    "send": EventType.DOCUMENT_SENT, "resend": EventType.DOCUMENT_SENT,
    "status_received": EventType.DOCUMENT_DELIVERY_STATUS, "status_assigned": EventType.DOCUMENT_DELIVERY_STATUS,
    "status_done": EventType.DOCUMENT_DELIVERY_STATUS, "status_rejected": EventType.DOCUMENT_RETURNED,
    "receive": EventType.DOCUMENT_RECEIVED, "register_paper": EventType.DOCUMENT_RECEIVED,
    "assign": EventType.DOCUMENT_ASSIGNED, "complete": EventType.DOCUMENT_COMPLETED,
}


def _document_payload(event, event_type: str) -> dict:
    document = event.document
    data = {"document_id": document.pk, "direction": document.direction,
            "agency": document.agency.identifier_code, "number": document.number_notation or None,
            "doc_type": document.doc_type, "subject": document.subject, "status": document.status,
            "urgency": document.urgency, "issued_on": _iso(document.issued_on),
            "issuing_agency": document.issuing_agency_code or None,
            "response_due_on": _iso(document.response_due_on), "action": event.action}
    extra = event.data or {}
    if "recipients" in extra:
        data["recipients"] = list(extra["recipients"])
    if "to_code" in extra:
        data["to_code"] = extra["to_code"]
    if event.action.startswith("status_"):
        data["delivery_status"] = event.action.removeprefix("status_")
    if event.action == "assign":
        data["handling_due_on"] = _iso(document.handling_due_on)
    return {"id": f"document-event-{event.pk}", "type": event_type, "occurred_at": event.at.isoformat(),
            "data": data}


def on_document_event_saved(sender, instance, created: bool, raw: bool = False, **kwargs) -> None:
    event_type = DOCUMENT_ACTIONS.get(instance.action)
    if not created or raw or event_type is None:
        return

    def may_see(user) -> bool:
        document = instance.document
        if not document.travels_electronically:
            return False
        return document.agency_id in _client_agency_ids(user) or document_access.can_view(user, document)

    _queue([event_type], build=lambda t: _document_payload(instance, t), may_see=may_see)


def schedule(subscription_id: int, *, run_after: datetime | None = None) -> None:
    from .tasks import drain_webhook

    try:
        task = drain_webhook
        if run_after is not None:
            if not task.get_backend().supports_defer:
                return  # the sweep (`tinhso manage gateway_sweep`) picks it up when due
            task = task.using(run_after=run_after)
        task.enqueue(subscription_id)
    except Exception:  # the deliveries stay pending; the sweep enqueues them
        log.exception("could not enqueue webhook subscription %s", subscription_id)


def _claim(subscription_id: int, now: datetime) -> bool:
    return bool(WebhookSubscription.objects.filter(
        Q(lease_until__isnull=True) | Q(lease_until__lt=now),
        Q(next_attempt_at__isnull=True) | Q(next_attempt_at__lte=now),
        pk=subscription_id, state=SubscriptionState.ACTIVE,
    ).update(lease_until=now + LEASE))


def webhook_drain(*, subscription_id: int, now: datetime | None = None, limit: int = 500) -> dict:
    """Deliver a subscription's pending events in order until one fails or none is left."""
    now = now or timezone.now()
    if not _claim(subscription_id, now):
        return {"claimed": False, "delivered": 0}
    subscription = WebhookSubscription.objects.get(pk=subscription_id)
    timeout = float(getattr(settings, "TINHSO_WEBHOOK_TIMEOUT_SECONDS", 5))
    max_attempts = int(getattr(settings, "TINHSO_WEBHOOK_MAX_ATTEMPTS", 8))
    delivered = 0
    release = {"lease_until": None, "next_attempt_at": None}
    try:
        for _ in range(limit):
            delivery = subscription.deliveries.filter(status=DeliveryStatus.PENDING).order_by("id").first()
            if delivery is None:
                break
            body = canonical_json(delivery.payload)
            stamp = int(time.time())
            started = time.perf_counter()
            answer = post_json(subscription.url, body, timeout=timeout, headers={
                "X-Tinhso-Timestamp": str(stamp), "X-Tinhso-Signature": sign(subscription.secret, stamp, body),
                "X-Tinhso-Event-Id": delivery.event_id, "X-Tinhso-Delivery": str(delivery.pk)})
            WebhookAttempt.objects.create(delivery=delivery, status_code=answer.status, ok=answer.ok,
                                          error=(answer.error or ("" if answer.ok else answer.body))[:500],
                                          duration_ms=round((time.perf_counter() - started) * 1000, 2))
            if answer.ok:
                WebhookDelivery.objects.filter(pk=delivery.pk).update(
                    status=DeliveryStatus.DELIVERED, delivered_at=timezone.now(), attempts=F("attempts") + 1,
                    last_error="")
                delivered += 1
                WebhookSubscription.objects.filter(pk=subscription.pk).update(lease_until=timezone.now() + LEASE)
                continue
            attempts = delivery.attempts + 1
            WebhookDelivery.objects.filter(pk=delivery.pk).update(attempts=attempts,
                                                                  last_error=(answer.error or answer.body)[:500])
            if attempts >= max_attempts:
                release["state"] = SubscriptionState.SUSPENDED
                log.warning("webhook subscription %s suspended after %s failed tries", subscription.pk, attempts)
            else:
                release["next_attempt_at"] = now + backoff(attempts)
            break
    finally:
        WebhookSubscription.objects.filter(pk=subscription.pk).update(**release)
        if "state" in release:  # suspended: no longer among the active subscriptions
            subscriptions_changed()
    if release.get("next_attempt_at"):
        schedule(subscription.pk, run_after=release["next_attempt_at"])
    elif delivered == limit:
        schedule(subscription.pk)  # more are waiting: continue in a fresh task
    return {"claimed": True, "delivered": delivered, "retry_at": release.get("next_attempt_at"),
            "suspended": release.get("state") == SubscriptionState.SUSPENDED}


def webhooks_sweep(*, now: datetime | None = None) -> int:
    """Enqueue every active subscription with pending deliveries that is due (after a restart)."""
    now = now or timezone.now()
    ids = list(WebhookSubscription.objects.filter(
        Q(next_attempt_at__isnull=True) | Q(next_attempt_at__lte=now), state=SubscriptionState.ACTIVE,
        deliveries__status=DeliveryStatus.PENDING).values_list("pk", flat=True).distinct())
    for pk in ids:
        schedule(pk)
    return len(ids)


def connect_signals() -> None:
    """From GatewayConfig.ready: the events of the apps below, and what changes the set of active subscriptions."""
    from django.db.models.signals import post_delete, post_save

    from tinhso.documents.models import DocumentEvent
    from tinhso.dossiers.models import DossierEvent
    from tinhso.feedback.models import ReportEvent

    from .models import Client

    post_save.connect(on_dossier_event_saved, sender=DossierEvent, dispatch_uid="gateway_webhooks")
    post_save.connect(on_report_event_saved, sender=ReportEvent, dispatch_uid="gateway_webhooks_feedback")
    post_save.connect(on_document_event_saved, sender=DocumentEvent, dispatch_uid="gateway_webhooks_documents")
    for model in (WebhookSubscription, Client):
        post_save.connect(on_subscription_changed, sender=model, dispatch_uid=f"gateway_webhooks_{model.__name__}_save")
        post_delete.connect(on_subscription_changed, sender=model,
                            dispatch_uid=f"gateway_webhooks_{model.__name__}_delete")
