"""Reporting periods: calendar days [start, end], named "2024", "2024-H1", "2024-Q2", "2024-05" or any range.

One definition for the II.06a statistics, the indicators and the dashboard.
"""

import re
from calendar import monthrange
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta, tzinfo

from tinhso.core.exceptions import ValidationError

MIN_YEAR, MAX_YEAR = 2000, 2100
_SPEC = re.compile(r"^(?P<year>\d{4})(?:-(?:(?P<half>H[12])|(?P<quarter>Q[1-4])|(?P<month>\d{2})))?$")
_ROMAN = {1: "I", 2: "II", 3: "III", 4: "IV"}


@dataclass(frozen=True)
class Period:
    start: date
    end: date

    @property
    def kind(self) -> str:
        s, e = self.start, self.end
        if s.day != 1 or e.day != monthrange(e.year, e.month)[1] or s.year != e.year:
            return "custom"
        months = e.month - s.month + 1
        if months == 12:
            return "year"
        if months == 6 and s.month in (1, 7):
            return "half"
        if months == 3 and s.month in (1, 4, 7, 10):
            return "quarter"
        if months == 1:
            return "month"
        return "custom"

    @property
    def spec(self) -> str:
        kind, s = self.kind, self.start
        if kind == "year":
            return f"{s.year}"
        if kind == "half":
            return f"{s.year}-H{1 if s.month == 1 else 2}"
        if kind == "quarter":
            return f"{s.year}-Q{(s.month - 1) // 3 + 1}"
        if kind == "month":
            return f"{s.year}-{s.month:02d}"
        return f"{self.start.isoformat()}..{self.end.isoformat()}"

    @property
    def label(self) -> str:
        kind, s = self.kind, self.start
        if kind == "year":
            return f"Năm {s.year}"
        if kind == "half":
            return f"6 tháng {'đầu' if s.month == 1 else 'cuối'} năm {s.year}"
        if kind == "quarter":
            return f"Quý {_ROMAN[(s.month - 1) // 3 + 1]}/{s.year}"
        if kind == "month":
            return f"Tháng {s.month}/{s.year}"
        return f"Từ ngày {self.start:%d/%m/%Y} đến ngày {self.end:%d/%m/%Y}"

    def start_at(self, zone: tzinfo) -> datetime:
        """The first instant of the period in `zone`."""
        return datetime.combine(self.start, time.min, tzinfo=zone)

    def end_at(self, zone: tzinfo) -> datetime:
        """The first instant after the period in `zone` (exclusive)."""
        return datetime.combine(self.end + timedelta(days=1), time.min, tzinfo=zone)

    def as_dict(self) -> dict:
        return {"date_from": self.start.isoformat(), "date_to": self.end.isoformat(), "label": self.label}


def year_period(year: int) -> Period:
    return Period(date(year, 1, 1), date(year, 12, 31))


def month_period(year: int, month: int) -> Period:
    return Period(date(year, month, 1), date(year, month, monthrange(year, month)[1]))


def period_between(date_from: date, date_to: date) -> Period:
    """A period given by its first and last day (both included)."""
    for value, field in ((date_from, "date_from"), (date_to, "date_to")):
        if not MIN_YEAR <= value.year <= MAX_YEAR:
            raise ValidationError.for_field(field, f"Năm phải trong khoảng {MIN_YEAR}–{MAX_YEAR}.")
    if date_to < date_from:
        raise ValidationError.for_field("date_to", "Ngày kết thúc phải sau hoặc bằng ngày bắt đầu.")
    return Period(date_from, date_to)


def parse_period(spec: str, field: str = "period") -> Period:
    """'2024', '2024-H1', '2024-Q2', '2024-05' or 'YYYY-MM-DD..YYYY-MM-DD'."""
    spec = (spec or "").strip().upper()
    if ".." in spec:
        try:
            start, end = (date.fromisoformat(p) for p in spec.split("..", 1))
        except ValueError:
            raise ValidationError.for_field(field, f"Kỳ “{spec}” không hợp lệ.") from None
        if end < start or not (MIN_YEAR <= start.year <= MAX_YEAR and MIN_YEAR <= end.year <= MAX_YEAR):
            raise ValidationError.for_field(field, f"Kỳ “{spec}” không hợp lệ.")
        return Period(start, end)
    match = _SPEC.match(spec)
    if not match:
        raise ValidationError.for_field(
            field, f"Kỳ “{spec}” không hợp lệ; dùng dạng 2024, 2024-H1, 2024-Q2, 2024-05.")
    year = int(match["year"])
    if not MIN_YEAR <= year <= MAX_YEAR:
        raise ValidationError.for_field(field, f"Năm phải trong khoảng {MIN_YEAR}–{MAX_YEAR}.")
    if match["half"]:
        first, last = (1, 6) if match["half"] == "H1" else (7, 12)
    elif match["quarter"]:
        q = int(match["quarter"][1])
        first, last = 3 * q - 2, 3 * q
    elif match["month"]:
        first = last = int(match["month"])
        if not 1 <= first <= 12:
            raise ValidationError.for_field(field, f"Tháng “{match['month']}” không hợp lệ.")
    else:
        first, last = 1, 12
    return Period(date(year, first, 1), date(year, last, monthrange(year, last)[1]))
