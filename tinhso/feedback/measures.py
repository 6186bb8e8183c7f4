"""What the feedback app measures of itself, per agency or per commune, for whoever computes indicators (it never
calls them). Periods are [start, end] dates, inclusive, in local time.

- handled: a report with an official answer (answered or closed; rejected ones are not handled) whose latest
  answer falls in the period; on time when that answer came by the report's one due time (a reopened report
  answered again late is late);
- handling time: office hours (the working-time calendar) from reception to the latest answer;
- satisfaction: reports closed in the period with a rating of 4 or 5 / reports closed with a rating;
- reopen rate: reports first answered in the period that the citizen reopened / reports first answered.
"""

import statistics
from datetime import date, datetime, time, timedelta

from django.db.models import Count, F, Q
from django.utils import timezone

from tinhso.core import calendar

from .choices import Status
from .models import Report

Ratio = tuple[float, float]
GROUPS = {"agency": "agency_id", "commune": "commune_id"}
HANDLED = (Status.ANSWERED, Status.CLOSED)


def _bounds(start: date, end: date) -> tuple[datetime, datetime]:
    zone = calendar.local_zone()
    return (datetime.combine(start, time.min, zone), datetime.combine(end + timedelta(days=1), time.min, zone))


def _scoped(by: str, ids):
    if by not in GROUPS:
        raise ValueError(f"group by agency or commune, not {by!r}")
    return Report.objects.filter(**{f"{GROUPS[by]}__in": list(ids)}), GROUPS[by]


def on_time_share(*, by: str = "agency", ids, start: date, end: date) -> dict[int, Ratio]:
    """{agency or commune id: (handled on time, handled)}."""
    qs, key = _scoped(by, ids)
    low, high = _bounds(start, end)
    rows = (qs.filter(status__in=HANDLED, answered_at__gte=low, answered_at__lt=high).values(key)
            .annotate(on_time=Count("id", filter=Q(answered_at__lte=F("due_at"))), total=Count("id")).order_by())
    return {r[key]: (r["on_time"], r["total"]) for r in rows}


def handling_hours(*, by: str = "agency", ids, start: date, end: date) -> dict[int, list[float]]:
    """{id: office hours from reception to the latest answer, for every report handled in the period}."""
    qs, key = _scoped(by, ids)
    low, high = _bounds(start, end)
    working = calendar.WorkingCalendar.load()
    out: dict[int, list[float]] = {}
    rows = qs.filter(status__in=HANDLED, answered_at__gte=low, answered_at__lt=high).values_list(
        key, "received_at", "answered_at")
    for group, received, answered in rows.iterator():
        out.setdefault(group, []).append(working.working_seconds_between(received, answered) / 3600)
    return out


def satisfaction_share(*, by: str = "agency", ids, start: date, end: date) -> dict[int, Ratio]:
    """{id: (closed with a rating of 4–5, closed with a rating)}."""
    qs, key = _scoped(by, ids)
    low, high = _bounds(start, end)
    rows = (qs.filter(status=Status.CLOSED, rating__isnull=False, closed_at__gte=low, closed_at__lt=high)
            .values(key).annotate(satisfied=Count("id", filter=Q(rating__gte=4)), total=Count("id")).order_by())
    return {r[key]: (r["satisfied"], r["total"]) for r in rows}


def reopen_rate(*, by: str = "agency", ids, start: date, end: date) -> dict[int, Ratio]:
    """{id: (first answered in the period and reopened since, first answered in the period)}."""
    qs, key = _scoped(by, ids)
    low, high = _bounds(start, end)
    rows = (qs.filter(first_answered_at__gte=low, first_answered_at__lt=high).values(key)
            .annotate(reopened=Count("id", filter=Q(reopen_count__gt=0)), total=Count("id")).order_by())
    return {r[key]: (r["reopened"], r["total"]) for r in rows}


def median(values: list[float]) -> float | None:
    return round(statistics.median(values), 2) if values else None


def this_year() -> tuple[date, date]:
    year = timezone.localdate().year
    return date(year, 1, 1), date(year, 12, 31)
