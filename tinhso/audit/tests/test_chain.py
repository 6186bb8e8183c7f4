import pytest
from django.core.management import CommandError, call_command
from django.db import connection

from tinhso.audit.models import AuditEvent
from tinhso.audit.services import Entry, audit_record, audit_record_many, audit_verify

pytestmark = [pytest.mark.django_db, pytest.mark.smoke]


def _three_events():
    audit_record(actor=None, action="test.one", object_type="x", object_id="1", summary="một")
    audit_record_many(actor=None, entries=[Entry(action="test.two", object_id="2", summary="hai"),
                                           Entry(action="test.three", object_id="3", summary="ba")])


def test_each_event_stores_the_previous_hash():
    _three_events()
    events = list(AuditEvent.objects.order_by("seq"))
    assert [e.seq for e in events] == [1, 2, 3]
    assert events[0].prev_hash == "0" * 64
    assert events[1].prev_hash == events[0].hash and events[2].prev_hash == events[1].hash


def test_untouched_chain_verifies(capsys):
    _three_events()
    assert audit_verify() == (3, None)
    call_command("audit_verify")
    assert "toàn vẹn: 3 sự kiện" in capsys.readouterr().out


def test_altered_row_is_named_by_verify():
    _three_events()
    with connection.cursor() as cursor:  # an attacker edits the table directly, bypassing the ORM
        cursor.execute("UPDATE audit_auditevent SET summary = 'đã sửa' WHERE seq = 2")
    checked, problem = audit_verify()
    assert checked == 1 and problem.seq == 2
    with pytest.raises(CommandError, match="sự kiện số 2"):
        call_command("audit_verify")


def test_removed_row_is_detected():
    _three_events()
    AuditEvent.objects.filter(seq=2).delete()
    _, problem = audit_verify()
    assert problem.seq == 2 and "thiếu" in problem.reason


def test_removed_last_row_is_detected_through_the_chain_head():
    _three_events()
    AuditEvent.objects.filter(seq=3).delete()
    _, problem = audit_verify()
    assert problem is not None


def test_changes_are_kept_as_json():
    event = audit_record(actor=None, action="test.change", object_type="x", object_id="9",
                         changes={"name": ["cũ", "mới"]})
    event.refresh_from_db()
    assert event.changes == {"name": ["cũ", "mới"]}
    assert audit_verify()[1] is None
