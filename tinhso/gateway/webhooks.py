"""Webhooks: dossier status changes pushed to the endpoints client systems subscribed.

- Each recorded `DossierEvent` that changes the status (a post_save hook the gateway connects: it sits above
  dossiers) becomes one `WebhookDelivery` per active subscription whose client may see the dossier (the
  dossiers app's own rule, `dossiers.selectors.can_view`, for the client's service account), in the same
  transaction as the event. Delivery runs after commit, in a background task: never on the officer's request.
- Order: a subscription's deliveries go out strictly in `id` order, by one worker at a time (a lease on the
  subscription). A failure stops the queue and retries it later with exponential back-off, so events of one
  dossier reach the endpoint in order even after it was down; after `TINHSO_WEBHOOK_MAX_ATTEMPTS` failed tries
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
from datetime import datetime, timedelta

from django.conf import settings
from django.db import transaction
from django.db.models import F, Q
from django.utils import timezone

from tinhso.dossiers.selectors import can_view

from .choices import DeliveryStatus, EventType, SubscriptionState
from .delivery import canonical_json, post_json
from .models import WebhookAttempt, WebhookDelivery, WebhookSubscription

log = logging.getLogger(__name__)
LEASE = timedelta(minutes=2)


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
    subscriptions = list(WebhookSubscription.objects.select_related("client__service_user").filter(
        state=SubscriptionState.ACTIVE, event_type=EventType.DOSSIER_STATUS, client__active=True))
    if not subscriptions:
        return
    dossier = instance.dossier
    payload = None
    queued = []
    for subscription in subscriptions:
        if not can_view(subscription.client.service_user, dossier):
            continue
        payload = payload or _payload(instance)
        WebhookDelivery.objects.create(subscription=subscription, event_id=payload["id"], payload=payload)
        queued.append(subscription.pk)
    if queued:
        transaction.on_commit(lambda: [schedule(pk) for pk in queued])


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
