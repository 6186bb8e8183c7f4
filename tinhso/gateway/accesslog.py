"""The access log: one hash-chained, keyed entry per gateway call (X-Road's message log, without the bodies).

Each entry's hash is `audit.services.chain_digest` (HMAC-SHA256 under the audit key) of its columns and the
previous entry's hash, so it is keyed and verified like the audit trail: a changed, inserted or deleted row is
found by `tinhso manage gateway_log_verify`.
"""

from dataclasses import dataclass
from datetime import UTC

from django.db import transaction
from django.utils import timezone

from tinhso.audit.services import GENESIS_HASH, chain_digest

from .models import AccessLogEntry, AccessLogHead


def _values(entry: AccessLogEntry) -> list:
    return [entry.seq, entry.at.astimezone(UTC).isoformat(timespec="microseconds"), entry.client_id,
            entry.client_label, entry.credential, entry.service, entry.operation, entry.method, entry.path,
            entry.purpose, entry.status, entry.bytes, round(float(entry.duration_ms), 3), entry.ip_address,
            entry.prev_hash]


def entry_hash(entry: AccessLogEntry, key: bytes | None = None) -> str:
    return chain_digest(_values(entry), key=key)


@transaction.atomic
def access_log_append(*, client, credential: str, service: str, operation: str, method: str, path: str,
                      purpose: str, status: int, size: int, duration_ms: float, ip_address: str) -> AccessLogEntry:
    head = AccessLogHead.objects.select_for_update().filter(id=1).first()
    if head is None:  # the first call ever
        AccessLogHead.objects.get_or_create(id=1)
        head = AccessLogHead.objects.select_for_update().get(id=1)
    entry = AccessLogEntry(
        seq=head.last_seq + 1, at=timezone.now(), client_id=getattr(client, "pk", None),
        client_label=str(client)[:200] if client is not None else "", credential=credential or "",
        service=service or "", operation=(operation or "")[:120], method=method[:8], path=path[:500],
        purpose=(purpose or "")[:300], status=status, bytes=max(0, int(size)),
        duration_ms=round(float(duration_ms), 3), ip_address=(ip_address or "")[:64], prev_hash=head.last_hash)
    entry.hash = entry_hash(entry)
    entry.save()
    head.last_seq, head.last_hash = entry.seq, entry.hash
    head.save(update_fields=["last_seq", "last_hash"])
    return entry


@dataclass
class LogProblem:
    seq: int
    entry_id: int | None
    reason: str


def access_log_verify(*, batch_size: int = 5000) -> tuple[int, LogProblem | None]:
    """Walk the whole log; (entries checked, first problem or None)."""
    prev, expected, checked, last_id = GENESIS_HASH, 1, 0, 0
    while True:
        batch = list(AccessLogEntry.objects.filter(id__gt=last_id).order_by("id")[:batch_size])
        if not batch:
            break
        for entry in batch:
            if entry.seq != expected:
                return checked, LogProblem(expected, entry.id, f"thiếu bản ghi số {expected} (đã bị xóa?); "
                                                               f"bản ghi tiếp theo có số {entry.seq}")
            if entry.prev_hash != prev:
                return checked, LogProblem(entry.seq, entry.id, "mã băm của bản ghi trước không khớp")
            if entry_hash(entry) != entry.hash:
                return checked, LogProblem(entry.seq, entry.id, "nội dung đã bị thay đổi (mã băm không khớp)")
            prev, expected, checked, last_id = entry.hash, expected + 1, checked + 1, entry.id
    head = AccessLogHead.objects.filter(id=1).first()
    if head and (head.last_seq != checked or head.last_hash != prev):
        return checked, LogProblem(head.last_seq, None, f"nhật ký dừng ở bản ghi {checked} nhưng đầu chuỗi ghi "
                                                        f"{head.last_seq} (các bản ghi cuối đã bị xóa?)")
    return checked, None
