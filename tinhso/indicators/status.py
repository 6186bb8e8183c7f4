"""Where a value stands against a target: achieved, on track, close (gần đạt) or behind.

1. achieved (đạt / hoàn thành): the target's comparator holds (60 "> 60" does not hold; 100 "> 90" does).
2. on track (đúng lộ trình): the target has a baseline (value, year), the value's year lies before the target
   year, and the value is at or beyond the straight line from the baseline to the target in that year
   (above it when higher is better, below it when lower is better).
3. close (gần đạt): within the margin of the target value — by default 5 % of the target (StatusMargin; so 57–60
   is close to "> 60 %"), on the side the comparator asks for.
4. behind (chưa đạt): otherwise.
"""

from dataclasses import dataclass

from .choices import Comparator, Direction, Status

DEFAULT_MARGIN_PERCENT = 5.0
_EPSILON = 1e-9


@dataclass(frozen=True)
class TargetSpec:
    year: int
    comparator: str
    value: float
    baseline_value: float | None = None
    baseline_year: int | None = None


def comparator_holds(value: float, comparator: str, target: float) -> bool:
    if comparator == Comparator.GTE:
        return value >= target - _EPSILON
    if comparator == Comparator.GT:
        return value > target + _EPSILON
    if comparator == Comparator.LTE:
        return value <= target + _EPSILON
    if comparator == Comparator.LT:
        return value < target - _EPSILON
    return abs(value - target) <= _EPSILON


def _wants_higher(comparator: str, direction: str) -> bool:
    if comparator in (Comparator.GTE, Comparator.GT):
        return True
    if comparator in (Comparator.LTE, Comparator.LT):
        return False
    return direction != Direction.LOWER


def evaluate(*, value: float, year: int, target: TargetSpec, direction: str = Direction.HIGHER,
             margin_percent: float = DEFAULT_MARGIN_PERCENT) -> str:
    """The status of `value` (measured in `year`) against `target`; see the module docstring."""
    if comparator_holds(value, target.comparator, target.value):
        return Status.ACHIEVED
    higher = _wants_higher(target.comparator, direction)
    if (target.baseline_value is not None and target.baseline_year is not None
            and target.baseline_year < year < target.year):
        share = (year - target.baseline_year) / (target.year - target.baseline_year)
        expected = target.baseline_value + (target.value - target.baseline_value) * share
        if (value >= expected - _EPSILON) if higher else (value <= expected + _EPSILON):
            return Status.ON_TRACK
    tolerance = abs(target.value) * margin_percent / 100
    if target.comparator == Comparator.EQ:
        close = abs(value - target.value) <= tolerance + _EPSILON
    elif higher:
        close = value >= target.value - tolerance - _EPSILON
    else:
        close = value <= target.value + tolerance + _EPSILON
    return Status.CLOSE if close else Status.BEHIND


def status_label(status: str) -> str:
    return Status(status).label if status in Status.values else ""
