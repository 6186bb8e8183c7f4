"""Sending messages: create them (rendered from the province's templates), deliver them in the background with
retries and back-off, and keep the delivery log. Other domains call `notify`; they never talk to a channel."""

import logging
from dataclasses import dataclass
from datetime import timedelta

from django.conf import settings
from django.core import mail, signing
from django.db import transaction
from django.db.models import F, Q
from django.utils import timezone

from tinhso.accounts import scoping
from tinhso.audit.services import audit_record
from tinhso.core.exceptions import NotFound, PermissionDenied, ValidationError

from . import kinds as kind_registry
from .choices import Channel, DeliveryStatus
from .models import ChannelOptOut, DeliveryAttempt, MessageTemplate, Notification
from .sms import SmsError, configured_provider, new_request_id

log = logging.getLogger(__name__)

# A claimed message is not picked up by another worker for this long (a crashed worker's claim expires).
CLAIM_LEASE = timedelta(minutes=5)
UNSUBSCRIBE_SALT = "tinhso.notifications.unsubscribe"


@dataclass(frozen=True)
class Recipient:
    """Who gets a message: an account (in-app, and its e-mail/phone), or just an address (an applicant at the desk)."""

    user: object = None
    email: str = ""
    phone: str = ""

    def address_for(self, channel: str) -> str:
        if channel == Channel.EMAIL:
            return (self.email or getattr(self.user, "email", "") or "").strip()
        if channel == Channel.SMS:
            return (self.phone or getattr(self.user, "phone", "") or "").strip()
        return ""


def max_attempts() -> int:
    return max(1, int(getattr(settings, "TINHSO_NOTIFY_MAX_ATTEMPTS", 5)))


def backoff(attempt: int) -> timedelta:
    """Wait before the next try after `attempt` failed tries: base × 2^(attempt-1), capped at six hours."""
    base = float(getattr(settings, "TINHSO_NOTIFY_BACKOFF_SECONDS", 60))
    return timedelta(seconds=min(base * 2 ** max(0, attempt - 1), 6 * 3600))


def wording_for(kind: kind_registry.Kind, channel: str) -> kind_registry.Wording | None:
    override = MessageTemplate.objects.filter(kind=kind.key, channel=channel).first()
    if override is not None:
        return kind_registry.Wording(body=override.body, subject=override.subject)
    return kind.wording.get(channel)


def _opted_out(channel: str, recipient: Recipient, address: str) -> bool:
    q = Q(channel=channel, user__isnull=True, address=address) if address else Q(pk__in=[])
    if recipient.user is not None and getattr(recipient.user, "pk", None):
        q |= Q(channel=channel, user=recipient.user)
    return ChannelOptOut.objects.filter(q).exists()


def notify(*, kind: str, context: dict, recipient: Recipient, link: str = "", obj=None,
           channels: tuple[str, ...] | None = None) -> list[Notification]:
    """Create the messages of one event for one recipient, one per channel the kind has wording for.

    E-mail and SMS are sent by a background task after the caller's transaction commits; in-app messages are
    there at once. A channel without an address, or one the recipient turned off, is logged as skipped.
    """
    spec = kind_registry.get(kind)
    user = recipient.user if getattr(recipient.user, "pk", None) else None
    object_type = obj._meta.label_lower if obj is not None else ""
    object_id = str(obj.pk) if obj is not None else ""
    created = []
    for channel in channels or tuple(spec.wording):
        wording = wording_for(spec, channel)
        if wording is None:
            continue
        address = recipient.address_for(channel)
        if channel == Channel.IN_APP and user is None:
            continue
        if channel != Channel.IN_APP and not address:
            continue
        status = DeliveryStatus.PENDING
        if _opted_out(channel, recipient, address):
            status = DeliveryStatus.SKIPPED
        elif channel == Channel.IN_APP:
            status = DeliveryStatus.SENT
        now = timezone.now()
        created.append(Notification.objects.create(
            kind=kind, channel=channel, recipient=user, address=address,
            subject=kind_registry.render(wording.subject, context)[:200],
            body=kind_registry.render(wording.body, context), link=link[:300],
            object_type=object_type, object_id=object_id, status=status,
            sent_at=now if status == DeliveryStatus.SENT else None))
    pending = [n.pk for n in created if n.status == DeliveryStatus.PENDING]
    if pending:
        transaction.on_commit(lambda: _enqueue(pending))
    return created


def _enqueue(ids: list[int], *, run_after=None) -> None:
    from .tasks import deliver_notification

    for pk in ids:
        try:
            task = deliver_notification
            if run_after is not None and task.get_backend().supports_defer:
                task = task.using(run_after=run_after)
            task.enqueue(pk)
        except Exception:  # the row stays pending; `notifications_sweep` picks it up
            log.exception("could not enqueue notification %s", pk)


def _claim(notification_id: int) -> Notification | None:
    """Take a pending message for one delivery try, so that two workers never send it twice."""
    now = timezone.now()
    claimed = Notification.objects.filter(
        Q(next_attempt_at__isnull=True) | Q(next_attempt_at__lte=now),
        pk=notification_id, status=DeliveryStatus.PENDING,
    ).update(attempts=F("attempts") + 1, next_attempt_at=now + CLAIM_LEASE)
    return Notification.objects.get(pk=notification_id) if claimed else None


def _send(notification: Notification) -> str:
    """Hand the message to its channel; return the provider's id. Raises SmsError or OSError-like errors."""
    if notification.channel == Channel.EMAIL:
        footer = ""
        if notification.recipient_id is None:
            footer = ("\n\n—\nKhông muốn nhận thư thông báo nữa? Mở đường dẫn sau: "
                      f"{settings.TINHSO_PUBLIC_URL.rstrip('/')}{unsubscribe_path(Channel.EMAIL, notification.address)}")
        message = mail.EmailMessage(subject=notification.subject or "Thông báo từ Tỉnh Số",
                                    body=notification.body + footer, to=[notification.address],
                                    from_email=settings.DEFAULT_FROM_EMAIL,
                                    headers={"X-Tinhso-Notification": str(notification.pk)})
        message.send(fail_silently=False)
        return message.extra_headers.get("Message-ID", "") or f"email:{notification.pk}"
    if notification.channel == Channel.SMS:
        provider = configured_provider()
        if provider is None:
            raise SmsError("Chưa cấu hình nhà cung cấp SMS (TINHSO_SMS_PROVIDER).", retryable=False)
        return provider.send(phone=notification.address, text=notification.body,
                             request_id=f"tso-{notification.pk}-{new_request_id()[:8]}").provider_id
    return ""


def notification_deliver(*, notification_id: int) -> str:
    """One delivery try. Returns the message's status afterwards."""
    notification = _claim(notification_id)
    if notification is None:
        current = Notification.objects.filter(pk=notification_id).values_list("status", flat=True).first()
        return current or "missing"
    try:
        provider_id = _send(notification)
    except Exception as exc:  # every failure is logged on the message; retryable ones are tried again
        retryable = getattr(exc, "retryable", True)
        detail = str(exc)[:500] or exc.__class__.__name__
        DeliveryAttempt.objects.create(notification=notification, ok=False, detail=detail)
        if retryable and notification.attempts < max_attempts():
            run_after = timezone.now() + backoff(notification.attempts)
            Notification.objects.filter(pk=notification.pk).update(next_attempt_at=run_after, last_error=detail)
            _enqueue([notification.pk], run_after=run_after)
            return DeliveryStatus.PENDING
        Notification.objects.filter(pk=notification.pk).update(
            status=DeliveryStatus.FAILED, next_attempt_at=None, last_error=detail)
        return DeliveryStatus.FAILED
    DeliveryAttempt.objects.create(notification=notification, ok=True, provider_id=provider_id[:100])
    Notification.objects.filter(pk=notification.pk).update(
        status=DeliveryStatus.SENT, sent_at=timezone.now(), provider_id=provider_id[:100], next_attempt_at=None,
        last_error="")
    return DeliveryStatus.SENT


def notifications_sweep() -> int:
    """Enqueue every pending message whose next try is due (after a restart, or when enqueueing failed)."""
    now = timezone.now()
    ids = list(Notification.objects.filter(Q(next_attempt_at__isnull=True) | Q(next_attempt_at__lte=now),
                                           status=DeliveryStatus.PENDING).values_list("pk", flat=True)[:10000])
    _enqueue(ids)
    return len(ids)


# --- the reader's side -------------------------------------------------------------------------------------------

def notification_mark_read(*, actor, notification_id: int | None = None) -> int:
    """Mark one of the actor's in-app messages (or all of them, with no id) as read."""
    if not getattr(actor, "is_authenticated", False):
        raise PermissionDenied("Bạn cần đăng nhập.")
    qs = Notification.objects.filter(recipient=actor, channel=Channel.IN_APP, read_at__isnull=True)
    if notification_id is not None:
        if not Notification.objects.filter(pk=notification_id, recipient=actor, channel=Channel.IN_APP).exists():
            raise NotFound("Không tìm thấy thông báo.")
        qs = qs.filter(pk=notification_id)
    return qs.update(read_at=timezone.now())


@transaction.atomic
def opt_out_set(*, actor, channel: str, receive: bool) -> None:
    """The actor turns a channel on or off for their own account."""
    if not getattr(actor, "is_authenticated", False):
        raise PermissionDenied("Bạn cần đăng nhập.")
    if channel not in Channel.values:
        raise ValidationError.for_field("channel", "Kênh thông báo không hợp lệ.")
    existing = ChannelOptOut.objects.filter(channel=channel, user=actor)
    if receive == (not existing.exists()):
        return
    if receive:
        existing.delete()
    else:
        ChannelOptOut.objects.create(channel=channel, user=actor)
    label = Channel(channel).label
    audit_record(actor=actor, action="notifications.channel." + ("opt_in" if receive else "opt_out"),
                 object_type="accounts.user", object_id=str(actor.pk), object_label=str(actor),
                 summary=f"{'Bật' if receive else 'Tắt'} nhận thông báo qua kênh {label.lower()}.",
                 changes={"channel": channel, "receive": [not receive, receive]})


def unsubscribe_path(channel: str, address: str) -> str:
    token = signing.dumps({"c": channel, "a": address}, salt=UNSUBSCRIBE_SALT, compress=True)
    return f"/thong-bao/huy-nhan/{token}/"


def unsubscribe_read(token: str) -> tuple[str, str]:
    try:
        data = signing.loads(token, salt=UNSUBSCRIBE_SALT)
        channel, address = data["c"], data["a"]
    except (signing.BadSignature, KeyError, TypeError):
        raise NotFound("Đường dẫn hủy nhận thông báo không hợp lệ.") from None
    if channel not in Channel.values or not address:
        raise NotFound("Đường dẫn hủy nhận thông báo không hợp lệ.")
    return channel, address


@transaction.atomic
def unsubscribe_address(*, token: str, ip_address: str = "") -> tuple[str, str]:
    """Someone without an account stops messages to their address (from the link in every such e-mail)."""
    channel, address = unsubscribe_read(token)
    _, created = ChannelOptOut.objects.get_or_create(channel=channel, user=None, address=address)
    if created:
        audit_record(actor=None, action="notifications.address.opt_out", object_type="notifications.address",
                     object_id=address[:64], object_label=_mask(address), ip_address=ip_address,
                     summary=f"Hủy nhận thông báo qua kênh {Channel(channel).label.lower()} cho {_mask(address)}.")
    return channel, address


def _mask(address: str) -> str:
    if "@" in address:
        name, _, domain = address.partition("@")
        return f"{name[:2]}***@{domain}"
    return f"{address[:3]}****{address[-3:]}"


# --- the province's wording ------------------------------------------------------------------------------------

def _require_template_admin(actor) -> None:
    if not scoping.is_province_admin(actor):
        raise PermissionDenied("Chỉ quản trị cấp tỉnh được sửa mẫu thông báo.")


@transaction.atomic
def template_save(*, actor, kind: str, channel: str, body: str, subject: str = "") -> MessageTemplate:
    _require_template_admin(actor)
    spec = kind_registry.get(kind)
    if channel not in spec.wording:
        raise ValidationError.for_field("channel", "Loại thông báo này không gửi qua kênh đã chọn.")
    body, subject = (body or "").strip(), (subject or "").strip()
    if not body:
        raise ValidationError.for_field("body", "Nội dung mẫu không được để trống.")
    if len(subject) > 200:
        raise ValidationError.for_field("subject", "Tiêu đề dài tối đa 200 ký tự.")
    if channel == Channel.SMS and len(body) > 612:
        raise ValidationError.for_field("body", "Tin nhắn SMS dài tối đa 612 ký tự (4 tin ghép).")
    kind_registry.check_placeholders(body, spec)
    kind_registry.check_placeholders(subject, spec, field_name="subject")
    before = wording_for(spec, channel)
    template, _ = MessageTemplate.objects.update_or_create(
        kind=kind, channel=channel, defaults={"body": body, "subject": subject, "updated_by": actor})
    audit_record(actor=actor, action="notifications.template.update", obj=template,
                 object_label=f"{spec.label} · {Channel(channel).label}",
                 summary=f"Sửa mẫu thông báo “{spec.label}” ({Channel(channel).label.lower()}).",
                 changes={"subject": [before.subject if before else "", subject],
                          "body": [before.body if before else "", body]})
    return template


@transaction.atomic
def template_reset(*, actor, kind: str, channel: str) -> None:
    _require_template_admin(actor)
    spec = kind_registry.get(kind)
    template = MessageTemplate.objects.filter(kind=kind, channel=channel).first()
    if template is None:
        return
    audit_record(actor=actor, action="notifications.template.reset", obj=template,
                 object_label=f"{spec.label} · {Channel(channel).label}",
                 summary=f"Khôi phục mẫu mặc định của thông báo “{spec.label}” ({Channel(channel).label.lower()}).",
                 changes={"body": [template.body, spec.wording[channel].body if channel in spec.wording else ""]})
    template.delete()
