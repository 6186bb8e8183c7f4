"""Outbound connectors: one adapter interface, one queue (the outbox table), retries and a delivery log per item.

Exactly once, end to end: an item is written to the outbox in the same transaction as the change it reports,
with an idempotency key that names that change. A worker claims an item with a lease, sends it with the header
`Idempotency-Key: <key>` (the IETF HTTPAPI draft "The Idempotency-Key HTTP Header Field"), and records the
answer. A worker that dies between sending and recording leaves the item leased but pending; once the lease
runs out another worker sends it again under the same key, and the receiver, which keeps the keys it has taken,
answers the repeat without taking it twice. So each change is taken exactly once by the receiver, even though
the network may carry it more than once.

The two receivers' shapes are modelled here WITHOUT their current official specifications at hand (this
machine has no internet access): field names follow the Vietnamese names provincial one-stop-shop systems use
when they synchronise with the national public-service portal (Cổng Dịch vụ công quốc gia: MaHoSo, MaTTHC,
TrangThaiHoSo, NgayTiepNhan, NgayHenTra …) and the national shared catalogue of agency identifier codes
(Hệ thống danh mục dùng chung, codes of QĐ 20/2020/QĐ-TTg: MaDinhDanh, TenCoQuan, MaCoQuanCapTren …). Both are
[to check] against the published integration documents before going live; the adapters are small so that
only `build` changes when they are.
"""

import hashlib
import logging
import os
import socket
import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import F, Q
from django.utils import timezone

from .choices import DeliveryStatus
from .delivery import Answer, canonical_json, post_json
from .models import OutboxAttempt, OutboxItem

log = logging.getLogger(__name__)
LEASE = timedelta(minutes=5)


@dataclass(frozen=True)
class Connector:
    """The adapter interface: where to send, how to build the body of one item, what the receipt is."""

    key: str
    name: str
    url_setting: str
    token_setting: str

    def url(self) -> str:
        return getattr(settings, self.url_setting, "") or ""

    def headers(self) -> dict[str, str]:
        token = getattr(settings, self.token_setting, "") or ""
        return {"Authorization": f"Bearer {token}"} if token else {}

    def build(self, item: OutboxItem) -> bytes:
        return canonical_json(item.payload)

    def receipt(self, answer: Answer) -> str:
        return answer.body[:200]


DVCQG = Connector("dvcqg_dossier_status", "Đồng bộ trạng thái hồ sơ lên Cổng Dịch vụ công quốc gia",
                  "TINHSO_DVCQG_URL", "TINHSO_DVCQG_TOKEN")
CATALOGUE = Connector("catalogue_agency_codes", "Mã định danh cơ quan lên Hệ thống danh mục dùng chung quốc gia",
                      "TINHSO_CATALOGUE_URL", "TINHSO_CATALOGUE_TOKEN")
CONNECTORS = {c.key: c for c in (DVCQG, CATALOGUE)}

# Our statuses as the portal's dossier-status codes [to check: the portal's code table]; the internal status
# travels beside it so nothing is lost if the table differs.
PORTAL_STATUS = {"submitted": "1", "completion_requested": "2", "received": "2", "in_progress": "3",
                 "supplement_requested": "4", "awaiting_approval": "3", "approved": "5", "rejected": "6",
                 "result_issued": "5", "returned": "10", "withdrawn": "7", "refused": "6", "stopped": "8"}


def _stamp(value: datetime | None) -> str | None:
    return timezone.localtime(value).strftime("%Y%m%d%H%M%S") if value else None


def dossier_status_payload(event) -> dict:
    dossier = event.dossier
    return {
        "MaHoSo": dossier.code, "MaTTHC": dossier.procedure.code, "TenTTHC": dossier.procedure.name[:500],
        "MaCoQuan": dossier.receiving_agency.identifier_code,
        "TrangThaiHoSo": PORTAL_STATUS.get(event.to_status, ""), "TrangThaiNoiBo": event.to_status,
        "ThaoTac": event.action, "ThoiDiemCapNhat": _stamp(event.at), "KenhNop": dossier.channel,
        "NgayTiepNhan": _stamp(dossier.received_at), "NgayHenTra": _stamp(dossier.due_at),
    }


def agency_payload(agency) -> dict:
    return {"MaDinhDanh": agency.identifier_code, "TenCoQuan": agency.name,
            "TenVietTat": agency.short_name or None,
            "MaCoQuanCapTren": agency.parent.identifier_code if agency.parent_id else None,
            "MaDonViHanhChinh": agency.unit.code, "TrangThai": "hoat_dong" if agency.is_active else "ngung",
            "DiaChi": agency.address or None, "DienThoai": agency.phone or None, "ThuDienTu": agency.email or None}


def outbox_enqueue(*, connector: Connector, key: str, payload: dict) -> OutboxItem | None:
    """Queue one message (idempotent by key); the run starts after the caller's transaction commits."""
    try:
        with transaction.atomic():
            item, created = OutboxItem.objects.get_or_create(connector=connector.key, key=key[:120],
                                                             defaults={"payload": payload})
    except IntegrityError:
        return None
    if created:
        transaction.on_commit(lambda: schedule(connector.key))
    return item


def on_dossier_event_saved(sender, instance, created: bool, raw: bool = False, **kwargs) -> None:
    if not created or raw or instance.from_status == instance.to_status or not DVCQG.url():
        return
    outbox_enqueue(connector=DVCQG, key=f"dossier-event-{instance.pk}", payload=dossier_status_payload(instance))


def _agency_key(payload: dict) -> str:
    digest = hashlib.sha256(canonical_json(payload)).hexdigest()[:20]
    return f"{payload['MaDinhDanh']}:{digest}"  # a change of content is a new message, a re-save is not


def on_agency_saved(sender, instance, raw: bool = False, **kwargs) -> None:
    if raw or not CATALOGUE.url():
        return
    payload = agency_payload(instance)
    outbox_enqueue(connector=CATALOGUE, key=_agency_key(payload), payload=payload)


@transaction.atomic
def catalogue_sync_all(*, actor) -> int:
    """Queue every agency's current identifier record (those already taken with this content are skipped)."""
    from tinhso.audit.services import audit_record
    from tinhso.core.exceptions import PermissionDenied, ValidationError
    from tinhso.org.models import Agency

    from .selectors import is_gateway_admin

    if not is_gateway_admin(actor):
        raise PermissionDenied("Chỉ quản trị cấp tỉnh được đồng bộ danh mục mã định danh.")
    if not CATALOGUE.url():
        raise ValidationError.for_field("connector", "Chưa cấu hình địa chỉ Hệ thống danh mục dùng chung "
                                                     "(TINHSO_CATALOGUE_URL).")
    queued = 0
    for agency in Agency.objects.select_related("parent", "unit").order_by("identifier_code").iterator():
        payload = agency_payload(agency)
        key = _agency_key(payload)
        if not OutboxItem.objects.filter(connector=CATALOGUE.key, key=key).exists():
            outbox_enqueue(connector=CATALOGUE, key=key, payload=payload)
            queued += 1
    audit_record(actor=actor, action="gateway.connector.catalogue_sync", object_type="gateway.outboxitem",
                 summary=f"Đưa {queued} mã định danh cơ quan vào hàng đợi gửi Hệ thống danh mục dùng chung",
                 changes={"queued": [0, queued]})
    return queued


def schedule(connector_key: str, *, run_after: datetime | None = None) -> None:
    from .tasks import run_outbox

    try:
        task = run_outbox
        if run_after is not None:
            if not task.get_backend().supports_defer:
                return
            task = task.using(run_after=run_after)
        task.enqueue(connector_key)
    except Exception:  # the items stay pending; the sweep picks them up
        log.exception("could not enqueue connector %s", connector_key)


def worker_id() -> str:
    return f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:6]}"


def _claim(connector_key: str, worker: str, now: datetime) -> OutboxItem | None:
    due = (Q(next_attempt_at__isnull=True) | Q(next_attempt_at__lte=now)) & \
        (Q(lease_until__isnull=True) | Q(lease_until__lt=now))
    for pk in OutboxItem.objects.filter(due, connector=connector_key, status=DeliveryStatus.PENDING) \
            .order_by("id").values_list("pk", flat=True)[:20]:
        # compare-and-set: of two workers, only the one whose update matched holds the lease
        if OutboxItem.objects.filter(due, pk=pk, status=DeliveryStatus.PENDING).update(
                lease_until=now + LEASE, leased_by=worker, attempts=F("attempts") + 1):
            return OutboxItem.objects.get(pk=pk)
    return None


def _acknowledge(item: OutboxItem, answer: Answer, connector: Connector) -> None:
    OutboxItem.objects.filter(pk=item.pk).update(status=DeliveryStatus.DELIVERED, delivered_at=timezone.now(),
                                                 receipt=connector.receipt(answer), lease_until=None,
                                                 next_attempt_at=None, last_error="")


def backoff(attempt: int) -> timedelta:
    base = float(getattr(settings, "TINHSO_WEBHOOK_BACKOFF_SECONDS", 30))
    return timedelta(seconds=min(base * 2 ** max(0, attempt - 1), 6 * 3600))


def outbox_run(*, connector: str, worker: str | None = None, now: datetime | None = None,
               limit: int = 200) -> dict:
    """Send due items of one connector, oldest first; returns what happened."""
    spec = CONNECTORS[connector]
    worker = worker or worker_id()
    now = now or timezone.now()
    timeout = float(getattr(settings, "TINHSO_WEBHOOK_TIMEOUT_SECONDS", 5))
    max_attempts = int(getattr(settings, "TINHSO_WEBHOOK_MAX_ATTEMPTS", 8))
    counts = {"delivered": 0, "retry": 0, "failed": 0}
    url = spec.url()
    if not url:
        return counts
    for _ in range(limit):
        item = _claim(spec.key, worker, now)
        if item is None:
            break
        answer = post_json(url, spec.build(item), timeout=timeout,
                           headers={"Idempotency-Key": item.key, **spec.headers()})
        OutboxAttempt.objects.create(item=item, worker=worker[:64], status_code=answer.status, ok=answer.ok,
                                     error=(answer.error or ("" if answer.ok else answer.body))[:500])
        if answer.ok:
            _acknowledge(item, answer, spec)
            counts["delivered"] += 1
            continue
        # 4xx other than 408/409/425/429 means the receiver refuses the content: trying again cannot help
        permanent = answer.status is not None and 400 <= answer.status < 500 and answer.status not in {
            408, 409, 425, 429}
        if permanent or item.attempts >= max_attempts:
            OutboxItem.objects.filter(pk=item.pk).update(status=DeliveryStatus.FAILED, lease_until=None,
                                                         last_error=(answer.error or answer.body)[:500])
            counts["failed"] += 1
        else:
            retry_at = now + backoff(item.attempts)
            OutboxItem.objects.filter(pk=item.pk).update(lease_until=None, next_attempt_at=retry_at,
                                                         last_error=(answer.error or answer.body)[:500])
            counts["retry"] += 1
            schedule(spec.key, run_after=retry_at)
    return counts


def outbox_sweep() -> int:
    """Enqueue a run of every connector with due items (after a restart, or items whose lease ran out)."""
    now = timezone.now()
    due = [key for key in CONNECTORS if OutboxItem.objects.filter(
        Q(next_attempt_at__isnull=True) | Q(next_attempt_at__lte=now),
        Q(lease_until__isnull=True) | Q(lease_until__lt=now),
        connector=key, status=DeliveryStatus.PENDING).exists()]
    for key in due:
        schedule(key)
    return len(due)
