"""Working-day arithmetic: Tết 2026, weekends, make-up Saturdays, after-hours submissions, paused time."""

from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest

from tinhso.core import calendar
from tinhso.core.models import CalendarOverride

VN = ZoneInfo("Asia/Ho_Chi_Minh")


def at(y, m, d, hh=0, mm=0) -> datetime:
    return datetime(y, m, d, hh, mm, tzinfo=VN)


@pytest.fixture(autouse=True)
def fresh_calendar(db):
    calendar.clear_cache()
    yield
    calendar.clear_cache()


@pytest.mark.smoke
def test_tet_2026_days_are_not_working_days():
    # holidays.VN 0.109: Lunar New Year's Eve (16/2) to the fourth day (20/2), then the weekend.
    for day in range(16, 23):
        assert not calendar.is_working_day(date(2026, 2, day))
    assert calendar.is_working_day(date(2026, 2, 13))
    assert calendar.is_working_day(date(2026, 2, 23))


@pytest.mark.smoke
def test_one_working_day_across_tet_2026_lands_after_the_holiday():
    assert calendar.add_working_time(at(2026, 2, 13, 10), days=1) == at(2026, 2, 23, 10)
    assert calendar.add_working_time(at(2026, 2, 12, 9, 15), days=3) == at(2026, 2, 24, 9, 15)


@pytest.mark.smoke
def test_friday_dossier_with_one_working_day_is_due_on_monday_at_the_same_time():
    assert calendar.add_working_time(at(2026, 3, 6, 10), days=1) == at(2026, 3, 9, 10)


@pytest.mark.smoke
def test_official_make_up_saturday_counts_as_a_working_day():
    assert calendar.is_working_day(date(2025, 4, 26))
    assert calendar.clock_start(at(2025, 4, 25, 18), "online") == at(2025, 4, 26, 7, 30)


@pytest.mark.smoke
def test_online_submission_on_friday_evening_starts_on_monday_morning():
    start = calendar.clock_start(at(2026, 3, 6, 20, 45), "online")
    assert start == at(2026, 3, 9, 7, 30)
    assert calendar.add_working_time(at(2026, 3, 6, 20, 45), days=1) == at(2026, 3, 10, 7, 30)


@pytest.mark.smoke
def test_submission_during_lunch_break_starts_at_the_afternoon_opening():
    assert calendar.clock_start(at(2026, 3, 9, 12, 10), "online") == at(2026, 3, 9, 13, 30)


@pytest.mark.smoke
def test_submission_in_office_hours_starts_at_once():
    assert calendar.clock_start(at(2026, 3, 9, 9, 5), "direct") == at(2026, 3, 9, 9, 5)


@pytest.mark.smoke
def test_online_submission_before_tet_after_hours_starts_after_tet():
    assert calendar.clock_start(at(2026, 2, 13, 17, 30), "online") == at(2026, 2, 23, 7, 30)


@pytest.mark.smoke
def test_processing_time_in_hours_uses_office_time_only():
    # 16:00 Monday + 4 working hours: 1 hour on Monday, 3 hours from 07:30 on Tuesday.
    assert calendar.add_working_time(at(2026, 3, 9, 16), hours=4) == at(2026, 3, 10, 10, 30)
    # 10:30 + 2 hours crosses the lunch break.
    assert calendar.add_working_time(at(2026, 3, 9, 10, 30), hours=2) == at(2026, 3, 9, 14, 30)


@pytest.mark.smoke
def test_paused_supplement_period_counts_only_office_time():
    # Friday 15:00 → Tuesday 09:00: 2 h on Friday, 7.5 h on Monday, 1.5 h on Tuesday.
    paused = calendar.working_seconds_between(at(2026, 3, 6, 15), at(2026, 3, 10, 9))
    assert paused == 11 * 3600
    # The due time moves forward by the same office time.
    # Wednesday 10:00 + 11 h: 5 h on Wednesday, 4 h on Thursday morning, 2 h from 13:30.
    assert calendar.add_working_time(at(2026, 3, 11, 10), seconds=paused) == at(2026, 3, 12, 15, 30)


@pytest.mark.smoke
def test_pause_over_tet_excludes_the_holiday_entirely():
    paused = calendar.working_seconds_between(at(2026, 2, 13, 16), at(2026, 2, 23, 8, 30))
    assert paused == 2 * 3600


@pytest.mark.smoke
def test_calendar_override_adds_a_day_off_and_a_make_up_working_day():
    CalendarOverride.objects.create(date=date(2026, 3, 9), kind=CalendarOverride.Kind.DAY_OFF, note="Nghỉ bù")
    CalendarOverride.objects.create(date=date(2026, 3, 14), kind=CalendarOverride.Kind.WORKING_DAY,
                                    note="Làm bù thứ Bảy")
    assert not calendar.is_working_day(date(2026, 3, 9))
    assert calendar.is_working_day(date(2026, 3, 14))
    # Friday 6/3 + 1 day: Monday 9/3 is now off → Tuesday.
    assert calendar.add_working_time(at(2026, 3, 6, 10), days=1) == at(2026, 3, 10, 10)
    # Friday 13/3 + 1 day: the make-up Saturday.
    assert calendar.add_working_time(at(2026, 3, 13, 10), days=1) == at(2026, 3, 14, 10)


@pytest.mark.smoke
def test_office_hours_come_from_settings(settings):
    settings.TINHSO_OFFICE_HOURS = [("08:00", "12:00"), ("13:00", "17:00")]
    assert calendar.clock_start(at(2026, 3, 9, 7, 45)) == at(2026, 3, 9, 8)
    assert calendar.clock_start(at(2026, 3, 9, 12, 30)) == at(2026, 3, 9, 13)
