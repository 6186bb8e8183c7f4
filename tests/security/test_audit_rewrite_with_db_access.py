"""Attack: with database access alone, delete the last audit events and move the head back, or edit an event
and re-hash everything after it — both used to verify as intact.

Each hash is now an HMAC under a key kept outside the database, and the head (count + hash) printed by
`tinhso audit head` and kept elsewhere is checked by `tinhso audit verify --head ...`.
"""

import hashlib
import io
import json

import pytest
from django.core.management import CommandError, call_command

from tinhso.audit.models import AuditChainHead, AuditEvent
from tinhso.audit.services import GENESIS_HASH, audit_head, audit_record, audit_verify, compute_hash

pytestmark = [pytest.mark.django_db, pytest.mark.smoke]


@pytest.fixture
def chain(monkeypatch):
    monkeypatch.setenv("TINHSO_AUDIT_KEY", "bi-mat-ngoai-co-so-du-lieu")
    for n in range(5):
        audit_record(actor=None, action="test.event", summary=f"Sự kiện {n}")
    return audit_head()


def _attacker_rehash(events):
    """What someone with the database but not the key can do: recompute plain SHA-256 hashes."""
    prev = GENESIS_HASH
    for e in events:
        payload = json.dumps(
            [e.seq, e.occurred_at.astimezone().isoformat(timespec="microseconds"), e.actor_id, e.actor_label,
             e.action, e.object_type, e.object_id, e.object_label, e.summary, e.changes, e.ip_address, prev],
            ensure_ascii=False, sort_keys=True, separators=(",", ":"), default=str)
        e.prev_hash, e.hash = prev, hashlib.sha256(payload.encode()).hexdigest()
        e.save()
        prev = e.hash
    AuditChainHead.objects.filter(id=1).update(last_seq=len(events), last_hash=prev)


def test_deleting_the_last_events_and_moving_the_head_back_is_caught_by_the_published_head(chain):
    count, digest = chain
    assert audit_verify(anchor=chain)[1] is None
    last_two = AuditEvent.objects.order_by("-seq")[:2]
    AuditEvent.objects.filter(pk__in=[e.pk for e in last_two]).delete()
    new_last = AuditEvent.objects.order_by("-seq").first()
    AuditChainHead.objects.filter(id=1).update(last_seq=new_last.seq, last_hash=new_last.hash)
    assert audit_verify()[1] is None  # the database alone no longer tells
    checked, problem = audit_verify(anchor=chain)
    assert problem is not None and "bị xóa" in problem.reason
    with pytest.raises(CommandError, match="KHÔNG toàn vẹn"):
        call_command("audit_verify", head=f"{count}:{digest}")


def test_editing_an_event_and_rehashing_everything_after_it_without_the_key_is_caught(chain):
    event = AuditEvent.objects.get(seq=2)
    event.summary = "Sự kiện đã bị sửa"
    event.save()
    _attacker_rehash(list(AuditEvent.objects.order_by("seq")))
    checked, problem = audit_verify()
    assert problem is not None and problem.seq == 1 and "thay đổi" in problem.reason


def test_a_rewrite_with_the_key_is_still_caught_by_the_published_head(chain):
    event = AuditEvent.objects.get(seq=5)
    event.summary = "Viết lại bằng khóa"
    event.hash = compute_hash(
        seq=event.seq, occurred_at=event.occurred_at, actor_id=event.actor_id, actor_label=event.actor_label,
        action=event.action, object_type=event.object_type, object_id=event.object_id,
        object_label=event.object_label, summary=event.summary, changes=event.changes,
        ip_address=event.ip_address, prev_hash=event.prev_hash)
    event.save()
    AuditChainHead.objects.filter(id=1).update(last_hash=event.hash)
    assert audit_verify()[1] is None
    assert "viết lại" in audit_verify(anchor=chain)[1].reason


def test_head_command_prints_count_and_hash_and_verify_accepts_it(chain):
    out = io.StringIO()
    call_command("audit_head", stdout=out)
    assert out.getvalue().strip() == f"{chain[0]}:{chain[1]}"
    out = io.StringIO()
    call_command("audit_verify", head=out.getvalue() or f"{chain[0]}:{chain[1]}", stdout=out)
    assert "toàn vẹn" in out.getvalue()
    with pytest.raises(CommandError):
        call_command("audit_verify", head="khong-hop-le")


def test_a_chain_written_before_the_key_is_moved_to_it_by_rekey(monkeypatch):
    monkeypatch.setenv("TINHSO_AUDIT_KEY", "")
    from tinhso.audit import services

    monkeypatch.setattr(services, "audit_key", lambda: b"")
    for n in range(3):
        audit_record(actor=None, action="test.old", summary=f"Cũ {n}")
    monkeypatch.undo()
    monkeypatch.setenv("TINHSO_AUDIT_KEY", "khoa-moi")
    problem = audit_verify()[1]
    assert problem is not None and "rekey" in problem.reason
    call_command("audit_rekey", stdout=io.StringIO())
    assert audit_verify() == (3, None)
    assert audit_record(actor=None, action="test.new").seq == 4 and audit_verify()[1] is None
