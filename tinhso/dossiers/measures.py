"""What the dossiers app measures of itself, per agency, for whoever computes indicators (it never calls them).

Everything is read from the one dossier rollup (DossierStatDay, kept current by `stats_rollup`): per agency and
local day, the dossiers newly received (online / other channels, with digitised papers), resolved by timeliness,
withdrawn and returned. Periods are [start, end] dates, inclusive.
"""

from datetime import date

from django.db import connection
from django.db.models import CharField, F, Func, Q, Sum

from . import stats_rollup
from .models import DossierStatDay

# The counters the indicators read: "received" is every newly received dossier, "received_online" those online.
COUNTERS = ["received", "received_digitised", "resolved_early", "resolved_on_time", "resolved_late",
            "withdrawn", "returned"]
SUM_KEYS = [*COUNTERS, "received_online"]
# The rollup fields those counters (and `day_range`) are read from: a change of a (agency, day) bucket in any of
# them (signals.rollup_changed) changes what is measured of that day.
MEASURED_FIELDS = frozenset({"received_online", "received_other", "received_digitised", "closed", "resolved_early",
                             "resolved_on_time", "resolved_late", "withdrawn", "returned"})


def _sums() -> dict:
    # Prefixed aliases: an annotation named like a column would shadow it in the next Sum.
    return {"s_received": Sum(F("received_online") + F("received_other")),
            **{f"s_{c}": Sum(c) for c in SUM_KEYS if c != "received"}}


def _counts(row: dict) -> dict[str, int]:
    return {c: int(row[f"s_{c}"] or 0) for c in SUM_KEYS}


def _days():
    """The day rows (the month rows repeat their sums)."""
    return DossierStatDay.objects.filter(month=False)


def _events():
    """Days with something counted (a row may hold only overdue deltas, or zeros after a dossier moved)."""
    return _days().filter(Q(received_online__gt=0) | Q(received_other__gt=0) | Q(closed__gt=0)
                                         | Q(returned__gt=0))


def sums_by_agency(*, start: date, end: date, agency_ids=None) -> dict[int, dict[str, int]]:
    """Counters per agency over the days [start, end]."""
    qs = _days().filter(day__gte=start, day__lte=end)
    if agency_ids is not None:
        qs = qs.filter(agency_id__in=sorted(agency_ids))
    return {r["agency_id"]: _counts(r) for r in qs.values("agency_id").annotate(**_sums()).order_by()}


def _year_month():
    """'YYYY-MM' of the rollup day, in SQL (SQLite's Extract functions run in Python, row by row)."""
    template = ("substr(%(expressions)s, 1, 7)" if connection.vendor == "sqlite"
                else "to_char(%(expressions)s, 'YYYY-MM')")
    return Func(F("day"), template=template, output_field=CharField())


def sums_by_agency_month(*, start: date, end: date) -> dict[tuple[int, int, int], dict[str, int]]:
    """Counters per (agency, year, month) over the days [start, end]: one query for a whole trend."""
    rows = (_days().filter(day__gte=start, day__lte=end).annotate(ym=_year_month())
            .values("agency_id", "ym").annotate(**_sums()).order_by())
    return {(r["agency_id"], int(r["ym"][:4]), int(r["ym"][5:7])): _counts(r) for r in rows}


def day_range() -> tuple[date, date] | None:
    """The first and last day on which something was counted."""
    first = _events().order_by("day").values_list("day", flat=True).first()
    last = _events().order_by("-day").values_list("day", flat=True).first()
    return (first, last) if first else None


def total_counts() -> dict[str, int]:
    return _counts(_days().aggregate(**_sums()))


def counted_days(*, agency_id: int, day: date) -> dict[str, int]:
    """The counters of one agency on one day."""
    return _counts(_days().filter(agency_id=agency_id, day=day).aggregate(**_sums()))


def rebuild() -> int:
    """Recount the rollup from the dossiers (after bulk writes that sent no signals); returns its rows."""
    return stats_rollup.rollup_rebuild()
