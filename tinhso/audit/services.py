"""The one function every service calls to record what happened (`audit_record`), and the chain check."""

import hashlib
import json
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from django.db import models, transaction
from django.utils import timezone

from .models import AuditChainHead, AuditEvent

GENESIS_HASH = "0" * 64


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
                 ip_address: str, prev_hash: str) -> str:
    payload = json.dumps(
        [seq, occurred_at.astimezone(UTC).isoformat(timespec="microseconds"), actor_id, actor_label,
         action, object_type, object_id, object_label, summary, changes, ip_address, prev_hash],
        ensure_ascii=False, sort_keys=True, separators=(",", ":"), default=str,
    )
    return hashlib.sha256(payload.encode("utf-8")).hexdigest()


def _event_hash(event: AuditEvent) -> str:
    return compute_hash(
        seq=event.seq, occurred_at=event.occurred_at, actor_id=event.actor_id, actor_label=event.actor_label,
        action=event.action, object_type=event.object_type, object_id=event.object_id,
        object_label=event.object_label, summary=event.summary, changes=event.changes,
        ip_address=event.ip_address, prev_hash=event.prev_hash,
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


def audit_verify(*, batch_size: int = 5000) -> tuple[int, ChainProblem | None]:
    """Walk the whole chain; return (events checked, first problem or None)."""
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
            if _event_hash(event) != event.hash:
                return checked, ChainProblem(event.seq, event.id, "nội dung đã bị thay đổi (mã băm không khớp)")
            prev_hash, expected_seq, checked = event.hash, expected_seq + 1, checked + 1
            last_id = event.id
    head = AuditChainHead.objects.filter(id=1).first()
    if head and head.last_seq != checked:
        return checked, ChainProblem(head.last_seq, None,
                                     f"chuỗi dừng ở sự kiện {checked} nhưng đầu chuỗi ghi {head.last_seq} "
                                     "(các sự kiện cuối đã bị xóa?)")
    if head and head.last_hash != prev_hash:
        return checked, ChainProblem(checked, None, "mã băm đầu chuỗi không khớp sự kiện cuối")
    return checked, None
