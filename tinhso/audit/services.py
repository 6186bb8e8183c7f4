"""The one function every service calls to record what happened (`audit_record`), and the chain check."""

import hashlib
import hmac
import json
import os
import secrets
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from django.conf import settings
from django.db import models, transaction
from django.utils import timezone

from .models import AuditChainHead, AuditEvent

GENESIS_HASH = "0" * 64
_keys: dict[str, bytes] = {}


def audit_key() -> bytes:
    """The secret the chain is keyed with, kept outside the database: TINHSO_AUDIT_KEY, else the key file
    (TINHSO_AUDIT_KEY_FILE, by default var/audit.key), created with a fresh random key when missing."""
    env = os.environ.get("TINHSO_AUDIT_KEY", "")
    if env:
        return env.encode("utf-8")
    path = str(getattr(settings, "TINHSO_AUDIT_KEY_FILE", "") or os.path.join(settings.VAR_DIR, "audit.key"))
    if path not in _keys:
        if not os.path.exists(path):
            os.makedirs(os.path.dirname(path) or ".", exist_ok=True)
            try:
                fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
            except FileExistsError:
                pass
            else:
                with os.fdopen(fd, "w") as handle:
                    handle.write(secrets.token_hex(32) + "\n")
        with open(path, encoding="utf-8") as handle:
            _keys[path] = handle.read().strip().encode("utf-8")
    return _keys[path]


@dataclass(frozen=True)
class Entry:
    action: str
    object_type: str = ""
    object_id: str = ""
    object_label: str = ""
    summary: str = ""
    changes: dict | None = None


def _actor_fields(actor) -> tuple[int | None, str]:
    if actor is None or not getattr(actor, "is_authenticated", False):
        return None, "hệ thống" if actor is None else "khách"
    return actor.pk, str(getattr(actor, "username", actor))


def _canonical(value: Any) -> Any:
    return json.loads(json.dumps(value, ensure_ascii=False, sort_keys=True, default=str))


def compute_hash(*, seq: int, occurred_at: datetime, actor_id: int | None, actor_label: str, action: str,
                 object_type: str, object_id: str, object_label: str, summary: str, changes: dict,
                 ip_address: str, prev_hash: str, key: bytes | None = None) -> str:
    """HMAC-SHA256 of the event under the audit key (`key=b""` gives the unkeyed SHA-256 of chains written
    before the key existed; `tinhso audit rekey` moves such a chain to the key)."""
    return chain_digest(
        [seq, occurred_at.astimezone(UTC).isoformat(timespec="microseconds"), actor_id, actor_label,
         action, object_type, object_id, object_label, summary, changes, ip_address, prev_hash], key=key)


def chain_digest(values: list, *, key: bytes | None = None) -> str:
    """The keyed hash of one link of a hash chain: HMAC-SHA256 under the audit key of the canonical JSON of
    `values` (which end with the previous link's hash). Shared by every chained log (the audit trail, the
    gateway's access log), so they are keyed and verified alike."""
    payload = json.dumps(values, ensure_ascii=False, sort_keys=True, separators=(",", ":"), default=str)
    key = audit_key() if key is None else key
    if not key:
        return hashlib.sha256(payload.encode("utf-8")).hexdigest()
    return hmac.new(key, payload.encode("utf-8"), hashlib.sha256).hexdigest()


def _event_hash(event: AuditEvent, key: bytes | None = None) -> str:
    return compute_hash(
        seq=event.seq, occurred_at=event.occurred_at, actor_id=event.actor_id, actor_label=event.actor_label,
        action=event.action, object_type=event.object_type, object_id=event.object_id,
        object_label=event.object_label, summary=event.summary, changes=event.changes,
        ip_address=event.ip_address, prev_hash=event.prev_hash, key=key,
    )


def object_ref(obj: models.Model) -> dict:
    return {"object_type": obj._meta.label_lower, "object_id": str(obj.pk), "object_label": str(obj)[:300]}


@transaction.atomic
def audit_record_many(*, actor, entries: list[Entry], ip_address: str = "") -> list[AuditEvent]:
    """Append entries to the chain in one transaction (the caller's, when there is one)."""
    if not entries:
        return []
    head, _ = AuditChainHead.objects.get_or_create(id=1)
    head = AuditChainHead.objects.select_for_update().get(id=1)
    actor_id, actor_label = _actor_fields(actor)
    now = timezone.now()
    events = []
    seq, prev = head.last_seq, head.last_hash
    for entry in entries:
        seq += 1
        event = AuditEvent(
            seq=seq, occurred_at=now, actor_id=actor_id, actor_label=actor_label, action=entry.action,
            object_type=entry.object_type, object_id=str(entry.object_id), object_label=entry.object_label[:300],
            summary=entry.summary[:500], changes=_canonical(entry.changes or {}), ip_address=ip_address or "",
            prev_hash=prev,
        )
        event.hash = _event_hash(event)
        prev = event.hash
        events.append(event)
    AuditEvent.objects.bulk_create(events, batch_size=2000)
    head.last_seq, head.last_hash = seq, prev
    head.save(update_fields=["last_seq", "last_hash"])
    return events


def audit_record(*, actor, action: str, obj: models.Model | None = None, summary: str = "",
                 changes: dict | None = None, object_type: str = "", object_id: str = "",
                 object_label: str = "", ip_address: str = "") -> AuditEvent:
    if obj is not None:
        ref = object_ref(obj)
        object_type, object_id = ref["object_type"], ref["object_id"]
        object_label = object_label or ref["object_label"]
    entry = Entry(action=action, object_type=object_type, object_id=object_id, object_label=object_label,
                  summary=summary, changes=changes)
    return audit_record_many(actor=actor, entries=[entry], ip_address=ip_address)[0]


def diff(before: dict, after: dict) -> dict:
    """{field: [old, new]} for the fields that changed."""
    return {k: [before.get(k), after.get(k)] for k in sorted(set(before) | set(after))
            if before.get(k) != after.get(k)}


@dataclass
class ChainProblem:
    seq: int
    event_id: int | None
    reason: str


def audit_head() -> tuple[int, str]:
    """(number of events, hash of the last one): publish it or store it off-site, then pass it to
    `audit_verify(head=...)` to detect events deleted from the end or a chain rewritten since."""
    last = AuditEvent.objects.order_by("-seq").values_list("seq", "hash").first()
    return (last[0], last[1]) if last else (0, GENESIS_HASH)


def parse_head(text: str) -> tuple[int, str]:
    """`COUNT:HASH` (as `tinhso audit head` prints it) → (count, hash)."""
    count, _, digest = (text or "").strip().partition(":")
    if not count.isdigit() or len(digest) != 64 or any(c not in "0123456789abcdef" for c in digest):
        raise ValueError("Đầu chuỗi phải có dạng SỐ_SỰ_KIỆN:MÃ_BĂM (64 ký tự hex), như `tinhso audit head` in ra.")
    return int(count), digest


def _head_problem(head: tuple[int, str]) -> ChainProblem | None:
    count, digest = head
    if count == 0:
        return None
    event = AuditEvent.objects.filter(seq=count).first()
    if event is None:
        return ChainProblem(count, None, f"đầu chuỗi đã công bố có {count} sự kiện nhưng sự kiện số {count} "
                                         "không còn (các sự kiện cuối đã bị xóa?)")
    if event.hash != digest:
        return ChainProblem(count, event.id, "mã băm của sự kiện khác với đầu chuỗi đã công bố "
                                             "(chuỗi đã bị viết lại?)")
    return None


@transaction.atomic
def audit_rekey(*, batch_size: int = 5000) -> int:
    """Move a chain written before the audit key existed (unkeyed SHA-256) to the key: the old chain must
    verify unkeyed first, then every hash is recomputed under the key. Returns the events re-keyed."""
    checked, problem = audit_verify(key=b"", batch_size=batch_size)
    if problem:
        raise ValueError(f"Chuỗi cũ không toàn vẹn ở sự kiện {problem.seq}: {problem.reason}; không ký lại.")
    AuditChainHead.objects.get_or_create(id=1)
    head = AuditChainHead.objects.select_for_update().get(id=1)
    prev, last_id, count = GENESIS_HASH, 0, 0
    while True:
        batch = list(AuditEvent.objects.filter(id__gt=last_id).order_by("id")[:batch_size])
        if not batch:
            break
        for event in batch:
            event.prev_hash = prev
            event.hash = _event_hash(event)
            prev, last_id, count = event.hash, event.id, count + 1
        AuditEvent.objects.bulk_update(batch, ["prev_hash", "hash"])
    head.last_seq, head.last_hash = count, prev
    head.save(update_fields=["last_seq", "last_hash"])
    return count


def audit_verify(*, batch_size: int = 5000, anchor: tuple[int, str] | None = None,
                 key: bytes | None = None) -> tuple[int, ChainProblem | None]:
    """Walk the whole chain; return (events checked, first problem or None). With `anchor` (from
    `audit_head()`, kept outside the database) the chain must also still contain that event with that hash."""
    prev_hash, expected_seq, checked = GENESIS_HASH, 1, 0
    last_id = 0
    while True:
        batch = list(AuditEvent.objects.filter(id__gt=last_id).order_by("id")[:batch_size])
        if not batch:
            break
        for event in batch:
            if event.seq != expected_seq:
                return checked, ChainProblem(expected_seq, event.id,
                                             f"thiếu sự kiện số {expected_seq} (đã bị xóa?); "
                                             f"sự kiện tiếp theo có số {event.seq}")
            if event.prev_hash != prev_hash:
                return checked, ChainProblem(event.seq, event.id, "mã băm của sự kiện trước không khớp")
            if _event_hash(event, key) != event.hash:
                reason = "nội dung đã bị thay đổi (mã băm không khớp)"
                if key is None and _event_hash(event, b"") == event.hash:
                    reason = "chuỗi được ghi trước khi có khóa kiểm toán; hãy chạy `tinhso audit rekey`"
                return checked, ChainProblem(event.seq, event.id, reason)
            prev_hash, expected_seq, checked = event.hash, expected_seq + 1, checked + 1
            last_id = event.id
    if anchor is not None and (problem := _head_problem(anchor)):
        return checked, problem
    head = AuditChainHead.objects.filter(id=1).first()
    if head and head.last_seq != checked:
        return checked, ChainProblem(head.last_seq, None,
                                     f"chuỗi dừng ở sự kiện {checked} nhưng đầu chuỗi ghi {head.last_seq} "
                                     "(các sự kiện cuối đã bị xóa?)")
    if head and head.last_hash != prev_hash:
        return checked, ChainProblem(checked, None, "mã băm đầu chuỗi không khớp sự kiện cuối")
    return checked, None
