"""The indicators' view of the dossier rollup, and the queue of days whose computed values must be recomputed.

The counts themselves live in the dossiers app's one rollup (dossiers.DossierStatDay), kept current by every
dossier save in the same transaction and read here through `tinhso.dossiers.measures` (dossiers never import
indicators). What this module adds is the trigger for the computed indicator values:
- `connect_signals()` (called from IndicatorsConfig.ready) listens to `dossiers.signals.rollup_changed`, which the
  rollup sends for every save, delete and ORM bulk write of dossiers with the (agency, local day) buckets it
  changed. The buckets whose measured counters changed are, when the transaction commits, written to
  RollupDirtyBucket, and `tasks.refresh_indicators` is enqueued (django-tasks; run `tinhso manage db_worker`
  beside the web server). The task drains the marks, then recomputes the computed
  indicator values of the months and years they fall in.
- Bulk imports fire no signals: the import sends `history_imported`, which enqueues `tasks.rebuild_indicators`;
  the operator's `tinhso manage indicators_refresh` does the same.

Pages never scan dossiers: indicator values are read from IndicatorValue, which is computed from the rollup.
"""

import threading
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db import transaction

from tinhso.dossiers import measures

from .models import RollupDirtyBucket

COUNTERS = measures.COUNTERS
SUM_KEYS = measures.SUM_KEYS
_local = threading.local()


def local_tz() -> ZoneInfo:
    return ZoneInfo(settings.TIME_ZONE)


def day_bounds(day: date) -> tuple[datetime, datetime]:
    start = datetime.combine(day, time.min, tzinfo=local_tz())
    return start, datetime.combine(day + timedelta(days=1), time.min, tzinfo=local_tz())


# --- signals ---------------------------------------------------------------------------------------------------

def _pending() -> set:
    if not hasattr(_local, "pending"):
        _local.pending = set()
    return _local.pending


def _on_rollup_changed(sender, deltas, **kwargs):
    """The dossier rollup changed in this transaction: its measured buckets are recomputed once it commits."""
    mark_dirty({key for key, fields in deltas.items() if fields.keys() & measures.MEASURED_FIELDS})


def connect_signals() -> None:
    from tinhso.dossiers.signals import history_imported, rollup_changed

    rollup_changed.connect(_on_rollup_changed, dispatch_uid="indicators_rollup_changed")
    history_imported.connect(_on_history_imported, dispatch_uid="indicators_rollup_import")


def _on_history_imported(sender, **kwargs):
    """A bulk import wrote rows without signals: rebuild the rollups in the background once it commits."""
    from .tasks import rebuild_indicators

    transaction.on_commit(rebuild_indicators.enqueue)


def mark_dirty(buckets: set[tuple[int, date]]) -> None:
    if not buckets:
        return
    # One callback per change: the first to run drains the set, the others find it empty. (A set shared per
    # thread outlives a rolled-back transaction; recounting its buckets again is harmless.)
    _pending().update(buckets)
    transaction.on_commit(_flush)


def _flush() -> None:
    buckets, _local.pending = _pending(), set()
    if not buckets:
        return
    was_clean = not RollupDirtyBucket.objects.exists()
    RollupDirtyBucket.objects.bulk_create([RollupDirtyBucket(agency_id=a, day=d) for a, d in buckets],
                                          ignore_conflicts=True)
    if was_clean:
        from .tasks import refresh_indicators

        refresh_indicators.enqueue()


# --- the queue and the reading ---------------------------------------------------------------------------------

def refresh_dirty(*, limit: int = 5000) -> set[date]:
    """Drain the marked buckets (the rollup itself is already current); returns the days they covered."""
    days: set[date] = set()
    while True:
        batch = list(RollupDirtyBucket.objects.order_by("id")[:limit])
        if not batch:
            return days
        days.update(mark.day for mark in batch)
        RollupDirtyBucket.objects.filter(id__in=[m.id for m in batch]).delete()


def rebuild() -> int:
    """Rebuild the dossier rollup from the dossiers (after bulk imports) and clear the queue; returns its rows."""
    with transaction.atomic():
        RollupDirtyBucket.objects.all().delete()
        return measures.rebuild()


def sums_by_agency(*, start: date, end: date, agency_ids: set[int] | None = None) -> dict[int, dict[str, int]]:
    """Counters per agency over the days [start, end]."""
    return measures.sums_by_agency(start=start, end=end, agency_ids=agency_ids)


def sums_by_agency_month(*, start: date, end: date) -> dict[tuple[int, int, int], dict[str, int]]:
    """Counters per (agency, year, month) over the days [start, end]: one query for a whole trend."""
    return measures.sums_by_agency_month(start=start, end=end)


def day_range() -> tuple[date, date] | None:
    return measures.day_range()


def total_counts() -> dict[str, int]:
    return measures.total_counts()
