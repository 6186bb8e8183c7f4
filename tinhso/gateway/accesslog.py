"""The access log: one entry per gateway call, hash-chained and keyed like the audit trail (X-Road's message log,
without the bodies).

Two steps, so the chain is off the request path:

1. **Append** (`access_log_append`, on the request path): a plain INSERT of the call's row, committed before the
   response leaves (no lock, no read of the chain's head), so concurrent calls do not wait for each other. The row
   is *unsealed*: `seq` is NULL and it has no hash yet.
2. **Seal** (`access_log_seal`): under the lock on the chain's head row, the unsealed rows visible to the sealer
   are taken in `id` order, numbered on from the head (`seq` = 1, 2, 3, … without gaps) and each is given
   `chain_digest` (HMAC-SHA256 under the audit key) of its columns and the previous sealed row's hash; the head
   moves to the last one and the usage counters (rate limit, daily quota, usage chart) are rolled up from the
   same rows, in the same transaction. The gateway's middleware seals after a response has been sent, at most
   every `TINHSO_GATEWAY_SEAL_SECONDS` per server process (one sealer at a time; the others skip); a call that
   finds it not due queues a background seal job for that much later (`tasks.seal_access_log`), so a quiet spell
   leaves nothing unsealed for long; `tinhso manage gateway_log_verify --seal` seals before verifying.

What holds (`access_log_verify`): the sealed rows form one total order, `seq` 1…n, each hash covering the previous
one; changing a sealed row, deleting one (a gap in `seq`) or the last ones (the head no longer matches), or
inserting one is detected, and without the audit key no row can be re-hashed. Unsealed rows are reported
separately: until sealed (normally within a second or two) they are protected by the database's access control
only, like any row before it is written to a chain.
"""

import logging
import time
from collections import Counter
from dataclasses import dataclass
from datetime import UTC, timedelta

from django.conf import settings
from django.db import DatabaseError, connection, transaction
from django.db.models import F
from django.utils import timezone

from tinhso.audit.services import GENESIS_HASH, chain_digest

from .models import AccessLogEntry, AccessLogHead, UsageCounter

SEAL_BATCH = 2000
log = logging.getLogger(__name__)


def _values(entry: AccessLogEntry) -> list:
    return [entry.seq, entry.at.astimezone(UTC).isoformat(timespec="microseconds"), entry.client_id,
            entry.client_label, entry.credential, entry.service, entry.operation, entry.method, entry.path,
            entry.purpose, entry.status, entry.bytes, round(float(entry.duration_ms), 3), entry.ip_address,
            entry.prev_hash]


def entry_hash(entry: AccessLogEntry, key: bytes | None = None) -> str:
    return chain_digest(_values(entry), key=key)


def access_log_append(*, client, credential: str, service: str, operation: str, method: str, path: str,
                      purpose: str, status: int, size: int, duration_ms: float, ip_address: str) -> AccessLogEntry:
    """Write the call's row, unsealed (one INSERT, committed at once outside a transaction)."""
    return AccessLogEntry.objects.create(
        seq=None, at=timezone.now(), client_id=getattr(client, "pk", None),
        client_label=str(client)[:200] if client is not None else "", credential=credential or "",
        service=service or "", operation=(operation or "")[:120], method=method[:8], path=path[:500],
        purpose=(purpose or "")[:300], status=status, bytes=max(0, int(size)),
        duration_ms=round(float(duration_ms), 3), ip_address=(ip_address or "")[:64], prev_hash="", hash="")


def minute_of(moment):
    return moment.replace(second=0, microsecond=0)


def day_of(moment):
    return timezone.localtime(moment).replace(hour=0, minute=0, second=0, microsecond=0)


def _roll_up(entries: list[AccessLogEntry]) -> None:
    """Add the sealed calls to their clients' minute and day counters (the same windows the door checks)."""
    counts: Counter = Counter()
    for entry in entries:
        if entry.client_id is not None:
            counts[(entry.client_id, "minute", minute_of(entry.at))] += 1
            counts[(entry.client_id, "day", day_of(entry.at))] += 1
    for (client_id, period, start), n in counts.items():
        updated = UsageCounter.objects.filter(client_id=client_id, period=period, start=start).update(
            count=F("count") + n)
        if not updated:  # sealers run one at a time (the head lock), so no one else creates it meanwhile
            UsageCounter.objects.create(client_id=client_id, period=period, start=start, count=n)


def _write_seals(batch: list[AccessLogEntry]) -> None:
    """Set (seq, prev_hash, hash) of the batch's rows: on PostgreSQL one UPDATE … FROM (VALUES …) per 1,000 rows
    (Django's bulk_update builds a CASE per column, quadratic in the batch), elsewhere one UPDATE per row."""
    table = connection.ops.quote_name(AccessLogEntry._meta.db_table)
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            for i in range(0, len(batch), 1000):
                chunk = batch[i:i + 1000]
                values = ",".join(["(%s::bigint, %s::bigint, %s, %s)"] * len(chunk))
                params = [p for e in chunk for p in (e.id, e.seq, e.prev_hash, e.hash)]
                cursor.execute(f"UPDATE {table} AS e SET seq = v.seq, prev_hash = v.prev_hash, hash = v.hash "
                               f"FROM (VALUES {values}) AS v(id, seq, prev_hash, hash) WHERE e.id = v.id", params)
        else:
            cursor.executemany(f"UPDATE {table} SET seq = %s, prev_hash = %s, hash = %s WHERE id = %s",
                               [(e.seq, e.prev_hash, e.hash, e.id) for e in batch])


def _head(*, wait: bool) -> AccessLogHead | None:
    AccessLogHead.objects.get_or_create(id=1)
    locked = AccessLogHead.objects.select_for_update(skip_locked=not wait)
    return locked.filter(id=1).first()


def access_log_seal(*, wait: bool = True, batch_size: int = SEAL_BATCH, limit: int | None = None) -> int:
    """Chain the unsealed rows (in id order) onto the log; returns how many were sealed. With `wait=False` it
    returns 0 at once when another sealer holds the head (PostgreSQL; SQLite has one writer at a time anyway)."""
    sealed = 0
    while limit is None or sealed < limit:
        with transaction.atomic():
            head = _head(wait=wait)
            if head is None:
                return sealed
            size = batch_size if limit is None else min(batch_size, limit - sealed)
            batch = list(AccessLogEntry.objects.filter(seq__isnull=True).order_by("id")[:size])
            if not batch:
                return sealed
            seq, prev = head.last_seq, head.last_hash
            for entry in batch:
                seq += 1
                entry.seq, entry.prev_hash = seq, prev
                entry.hash = prev = entry_hash(entry)
            _write_seals(batch)
            _roll_up(batch)
            head.last_seq, head.last_hash = seq, prev
            head.save(update_fields=["last_seq", "last_hash"])
        sealed += len(batch)
        if len(batch) < size:
            return sealed
    return sealed


_last_seal = [0.0]  # this process's last sealing attempt (time.monotonic())
_last_scheduled = [float("-inf")]  # this process's last enqueued seal job


def seal_due() -> None:
    """Seal what this process's calls left unsealed, when the last attempt is older than
    TINHSO_GATEWAY_SEAL_SECONDS; never waits for another sealer and never fails the call that triggers it. When
    it is not due yet, a seal job is queued to run that long from now (at most one per period per process), so
    the last calls before a quiet spell are sealed too, by the background worker."""
    interval = float(getattr(settings, "TINHSO_GATEWAY_SEAL_SECONDS", 1.0))
    now = time.monotonic()
    if now - _last_seal[0] >= interval:
        _last_seal[0] = now
        try:
            access_log_seal(wait=False)
        except DatabaseError:  # SQLite: another writer sealed meanwhile; the next attempt seals what is left
            pass
    elif now - _last_scheduled[0] >= interval:
        _last_scheduled[0] = now
        _schedule_seal(timezone.now() + timedelta(seconds=interval))


def _schedule_seal(run_after) -> None:
    from .tasks import seal_access_log

    try:
        task = seal_access_log
        if task.get_backend().supports_defer:
            task = task.using(run_after=run_after)
        task.enqueue()
    except Exception:  # the rows stay unsealed until the next call, export or `gateway_log_verify --seal`
        log.exception("could not enqueue the access log's seal job")


def unsealed_count() -> int:
    return AccessLogEntry.objects.filter(seq__isnull=True).count()


@dataclass
class LogProblem:
    seq: int
    entry_id: int | None
    reason: str


def access_log_verify(*, batch_size: int = 5000) -> tuple[int, LogProblem | None]:
    """Walk the sealed log in `seq` order; (sealed entries checked, first problem or None). Unsealed rows are
    not part of the chain yet: count them with `unsealed_count()`."""
    prev, expected, checked, last_seq = GENESIS_HASH, 1, 0, 0
    while True:
        batch = list(AccessLogEntry.objects.filter(seq__gt=last_seq).order_by("seq")[:batch_size])
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
            prev, expected, checked, last_seq = entry.hash, expected + 1, checked + 1, entry.seq
    head = AccessLogHead.objects.filter(id=1).first()
    if head and (head.last_seq != checked or head.last_hash != prev):
        return checked, LogProblem(head.last_seq, None, f"nhật ký dừng ở bản ghi {checked} nhưng đầu chuỗi ghi "
                                                        f"{head.last_seq} (các bản ghi cuối đã bị xóa?)")
    if head is None and checked:
        return checked, LogProblem(checked, None, "mất đầu chuỗi của nhật ký (đã bị xóa?)")
    return checked, None
