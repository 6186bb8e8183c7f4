import pytest

from tinhso.core.periods import parse_period
from tinhso.indicators.choices import Direction, Status
from tinhso.indicators.status import TargetSpec, evaluate

pytestmark = pytest.mark.smoke


def target(comparator, value, year=2025, baseline=None):
    b_value, b_year = baseline or (None, None)
    return TargetSpec(year=year, comparator=comparator, value=value, baseline_value=b_value, baseline_year=b_year)


def test_sixty_against_more_than_sixty_is_close_not_achieved():
    assert evaluate(value=60, year=2024, target=target(">", 60)) == Status.CLOSE


def test_hundred_against_more_than_ninety_is_achieved():
    assert evaluate(value=100, year=2024, target=target(">", 90)) == Status.ACHIEVED


def test_at_least_is_achieved_on_the_target_itself():
    assert evaluate(value=80, year=2024, target=target(">=", 80)) == Status.ACHIEVED


def test_far_below_the_target_without_baseline_is_behind():
    assert evaluate(value=40, year=2024, target=target(">=", 80)) == Status.BEHIND


def test_on_the_straight_line_from_the_baseline_is_on_track():
    # baseline 20 % in 2021, target 80 % in 2025: the line passes 65 % in 2024
    spec = target(">=", 80, baseline=(20, 2021))
    assert evaluate(value=66, year=2024, target=spec) == Status.ON_TRACK
    assert evaluate(value=64, year=2024, target=spec) == Status.BEHIND


def test_on_track_is_not_given_in_the_target_year_itself():
    assert evaluate(value=70, year=2025, target=target(">=", 80, baseline=(20, 2021))) == Status.BEHIND


def test_lower_is_better_comparators():
    spec = target("<=", 10)  # e.g. at most 10 % of dossiers late
    assert evaluate(value=9, year=2024, target=spec, direction=Direction.LOWER) == Status.ACHIEVED
    assert evaluate(value=10.4, year=2024, target=spec, direction=Direction.LOWER) == Status.CLOSE
    assert evaluate(value=15, year=2024, target=spec, direction=Direction.LOWER) == Status.BEHIND


def test_lower_is_better_on_track_is_below_the_line():
    spec = target("<", 5, baseline=(25, 2021))  # the line passes 10 in 2024
    assert evaluate(value=9, year=2024, target=spec, direction=Direction.LOWER) == Status.ON_TRACK
    assert evaluate(value=12, year=2024, target=spec, direction=Direction.LOWER) == Status.BEHIND


def test_the_margin_is_configurable():
    assert evaluate(value=55, year=2024, target=target(">", 60), margin_percent=10) == Status.CLOSE
    assert evaluate(value=55, year=2024, target=target(">", 60), margin_percent=5) == Status.BEHIND


def test_equal_comparator():
    assert evaluate(value=100, year=2024, target=target("=", 100)) == Status.ACHIEVED
    assert evaluate(value=97, year=2024, target=target("=", 100)) == Status.CLOSE


@pytest.mark.parametrize("spec,start,end,kind", [
    ("2024", "2024-01-01", "2024-12-31", "year"), ("2024-H2", "2024-07-01", "2024-12-31", "half"),
    ("2024-Q1", "2024-01-01", "2024-03-31", "quarter"), ("2024-02", "2024-02-01", "2024-02-29", "month"),
])
def test_periods(spec, start, end, kind):
    period = parse_period(spec)
    assert (period.start.isoformat(), period.end.isoformat(), period.kind, period.spec) == (start, end, kind, spec)
