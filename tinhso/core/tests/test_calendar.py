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
    assert calendar.add_working_time(at(2026, 2, 13, 10), days=1) == at(2026, 2, 23, 17)
    assert calendar.add_working_time(at(2026, 2, 12, 9, 15), days=3) == at(2026, 2, 24, 17)


@pytest.mark.smoke
def test_friday_dossier_with_one_working_day_is_due_at_the_close_of_monday():
    # A time in working days ends with the office day of the N-th working day: a result on Monday is on time.
    assert calendar.add_working_time(at(2026, 3, 6, 10), days=1) == at(2026, 3, 9, 17)


@pytest.mark.smoke
def test_official_make_up_saturday_counts_as_a_working_day():
    assert calendar.is_working_day(date(2025, 4, 26))
    assert calendar.clock_start(at(2025, 4, 25, 18), "online") == at(2025, 4, 26, 7, 30)


@pytest.mark.smoke
def test_online_submission_on_friday_evening_starts_on_monday_morning():
    start = calendar.clock_start(at(2026, 3, 6, 20, 45), "online")
    assert start == at(2026, 3, 9, 7, 30)
    # Filed after hours: counted from Monday, so 1 working day ends with Tuesday's office day (not at 07:30).
    assert calendar.add_working_time(at(2026, 3, 6, 20, 45), days=1) == at(2026, 3, 10, 17)


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
    assert calendar.add_working_time(at(2026, 3, 6, 10), days=1) == at(2026, 3, 10, 17)
    # Friday 13/3 + 1 day: the make-up Saturday.
    assert calendar.add_working_time(at(2026, 3, 13, 10), days=1) == at(2026, 3, 14, 17)


@pytest.mark.smoke
def test_office_hours_come_from_settings(settings):
    settings.TINHSO_OFFICE_HOURS = [("08:00", "12:00"), ("13:00", "17:00")]
    assert calendar.clock_start(at(2026, 3, 9, 7, 45)) == at(2026, 3, 9, 8)
    assert calendar.clock_start(at(2026, 3, 9, 12, 30)) == at(2026, 3, 9, 13)


@pytest.mark.smoke
@pytest.mark.parametrize(("received", "due"), [
    (at(2026, 3, 9, 9), at(2026, 3, 9, 17)),           # Monday morning: that day
    (at(2026, 3, 9, 15), at(2026, 3, 9, 17)),          # at 15:00 sharp: still that day
    (at(2026, 3, 9, 15, 1), at(2026, 3, 10, 17)),      # after 15:00: the next working day
    (at(2026, 3, 6, 16), at(2026, 3, 9, 17)),          # Friday after 15:00: Monday
    (at(2026, 3, 6, 20, 45), at(2026, 3, 9, 17)),      # Friday evening online: counted from Monday morning
    (at(2026, 2, 13, 15, 30), at(2026, 2, 23, 17)),    # before Tết after 15:00: the first day after Tết
])
def test_same_day_procedures_end_with_the_office_day_or_the_next_after_the_cut_off(received, due):
    # NĐ 23/2015/NĐ-CP, Điều 7 (chứng thực): in the day, or the next working day when received after 15:00.
    assert calendar.due_moment(received, 1, "same_day") == due


@pytest.mark.smoke
def test_same_day_cut_off_is_configurable(settings):
    settings.TINHSO_SAME_DAY_CUTOFF = "16:00"
    calendar.clear_cache()
    assert calendar.due_moment(at(2026, 3, 9, 15, 30), 1, "same_day") == at(2026, 3, 9, 17)
    assert calendar.due_moment(at(2026, 3, 9, 16, 30), 1, "same_day") == at(2026, 3, 10, 17)


@pytest.mark.smoke
def test_calendar_days_end_on_the_day_or_the_next_working_day_when_it_is_off():
    # Monday 9/3 + 10 calendar days = Thursday 19/3, at the close of office hours.
    assert calendar.due_moment(at(2026, 3, 9, 9), 10, "calendar_days") == at(2026, 3, 19, 17)
    # Monday 9/3 + 5 days = Saturday 14/3: the period ends with the next working day, Monday 16/3.
    assert calendar.due_moment(at(2026, 3, 9, 9), 5, "calendar_days") == at(2026, 3, 16, 17)
    # Calendar days run through Tết: 10/2 + 7 = 17/2 (Tết) → the first working day after it, 23/2.
    assert calendar.due_moment(at(2026, 2, 10, 9), 7, "calendar_days") == at(2026, 2, 23, 17)


@pytest.mark.smoke
def test_working_days_and_hours_through_the_one_entry_point():
    assert calendar.due_moment(at(2026, 3, 9, 9), 3, "working_days") == at(2026, 3, 12, 17)
    assert calendar.due_moment(at(2026, 3, 9, 16), 4, "hours") == at(2026, 3, 10, 10, 30)


@pytest.mark.smoke
def test_subtracting_office_time_inverts_a_pushed_due_time():
    paused = calendar.working_seconds_between(at(2026, 3, 6, 15), at(2026, 3, 10, 9))
    pushed = calendar.add_working_time(at(2026, 3, 12, 17), seconds=paused)
    assert calendar.get_calendar().subtract(pushed, seconds=paused) == at(2026, 3, 12, 17)
