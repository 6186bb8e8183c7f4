"""The calendar's freshness stamp: any write to the overrides, signalled or not, changes it, and a process whose
cached calendar was loaded under another stamp reloads it on its next request (tinhso.core.calendar)."""

from contextlib import contextmanager
from datetime import date

import pytest
from django.core.signals import request_finished, request_started
from django.db import close_old_connections, connection

from tinhso.core import calendar
from tinhso.core.models import CalendarOverride, CalendarStamp

pytestmark = pytest.mark.smoke

MONDAY = date(2026, 3, 9)


@pytest.fixture(autouse=True)
def fresh_calendar(db):
    CalendarStamp.objects.get_or_create(pk=1)  # a test of another module may have flushed the tables
    calendar.clear_cache()
    yield
    calendar.clear_cache()


@contextmanager
def a_request():
    """The signals of a request around the block, without closing the test's connection (as Django's test client)."""
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    try:
        request_started.send(sender=None)
        try:
            yield
        finally:
            request_finished.send(sender=None)
    finally:
        request_started.connect(close_old_connections)
        request_finished.connect(close_old_connections)


def stamp() -> int:
    return CalendarStamp.objects.get(pk=1).stamp


def test_every_kind_of_write_changes_the_stamp():
    before = stamp()
    CalendarOverride.objects.bulk_create([CalendarOverride(date=MONDAY, kind=CalendarOverride.Kind.DAY_OFF)])
    after_insert = stamp()
    CalendarOverride.objects.filter(date=MONDAY).update(kind=CalendarOverride.Kind.WORKING_DAY)
    after_update = stamp()
    with connection.cursor() as cursor:
        cursor.execute("DELETE FROM core_calendaroverride")
    after_delete = stamp()
    assert len({before, after_insert, after_update, after_delete}) == 4


def test_a_stale_process_reloads_on_its_next_request(django_assert_num_queries):
    with a_request():
        assert calendar.is_working_day(MONDAY)  # loaded and cached under the current stamp
    # Another process adds a day off: no signal reaches this one, only the stamp changes.
    CalendarOverride.objects.bulk_create([CalendarOverride(date=MONDAY, kind=CalendarOverride.Kind.DAY_OFF)])
    with a_request():
        assert not calendar.is_working_day(MONDAY)
    CalendarOverride.objects.filter(date=MONDAY)._raw_delete(connection.alias)  # and takes it back
    with a_request():
        assert calendar.is_working_day(MONDAY)


def test_an_unchanged_stamp_read_along_costs_no_statement(django_assert_num_queries):
    CalendarOverride.objects.create(date=MONDAY, kind=CalendarOverride.Kind.DAY_OFF)
    with a_request():
        with django_assert_num_queries(2):  # the stamp, then the overrides
            assert not calendar.is_working_day(MONDAY)
    with a_request():
        calendar.stamp_seen(stamp())  # what the session load hands over
        with django_assert_num_queries(0):
            assert not calendar.is_working_day(MONDAY)
            assert calendar.is_working_day(date(2026, 3, 10))
    with a_request():  # nothing read it along: one small statement, not the whole table
        with django_assert_num_queries(1):
            assert not calendar.is_working_day(MONDAY)


def test_a_stamp_read_along_before_a_change_of_this_thread_is_not_trusted():
    with a_request():
        calendar.stamp_seen(stamp())
        assert calendar.is_working_day(MONDAY)
        CalendarOverride.objects.create(date=MONDAY, kind=CalendarOverride.Kind.DAY_OFF)  # post_save: cleared
        assert not calendar.is_working_day(MONDAY)


def test_a_missing_stamp_row_comes_back_and_the_calendar_follows_it(django_assert_num_queries):
    with a_request():
        assert calendar.is_working_day(MONDAY)  # loaded under the current stamp
    CalendarStamp.objects.all().delete()  # a flushed table: nothing to compare with
    with a_request():
        assert calendar.is_working_day(MONDAY)  # the row is back, under a new value: loaded again
    assert CalendarStamp.objects.filter(pk=1).exists()
    CalendarOverride.objects.bulk_create([CalendarOverride(date=MONDAY, kind=CalendarOverride.Kind.DAY_OFF)])
    with a_request():
        assert not calendar.is_working_day(MONDAY)
    with a_request(), django_assert_num_queries(1):  # the stamp alone: unchanged, the cached calendar serves
        assert not calendar.is_working_day(MONDAY)
