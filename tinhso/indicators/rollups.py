"""Compact dossier rollups (DossierDailyRollup: agency × day × channel), kept up to date without the dossiers app knowing.

How they stay fresh:
- `connect_signals()` (called from IndicatorsConfig.ready) listens to saves and deletes of dossiers.Dossier. Each
  change marks the (agency, local day) buckets it touches — before and after the change — and, when the
  transaction commits, writes them to RollupDirtyBucket and enqueues `tasks.refresh_indicators` (django-tasks;
  run `tinhso manage db_worker` beside the web server). The task recounts only the dirty buckets, then recomputes
  the current period's computed indicator values from the rollups.
- Bulk imports (COPY, bulk_create, queryset.update) fire no signals: an importer must call `rebuild()` — or the
  operator `tinhso manage indicators_refresh` — afterwards. The demo provisioning does so.

Pages never scan dossiers: indicator values are read from IndicatorValue, which is computed from these rollups.
"""

import threading
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db import connection, transaction
from django.db.models import CharField, Count, F, Func, Q, Sum
from django.db.models.signals import post_delete, post_init, post_save
from django.utils import timezone

from .models import DossierDailyRollup, RollupDirtyBucket

COUNTERS = ["received", "received_digitised", "resolved_early", "resolved_on_time", "resolved_late",
            "withdrawn", "returned"]
_TRACKED = ("handling_agency_id", "receiving_agency_id", "channel", "received_at", "resolved_at",
            "withdrawn_at", "returned_at", "refused_at", "timeliness", "has_digitised_attachments")
_DAY_FIELDS = ("received_at", "resolved_at", "withdrawn_at", "returned_at")
_local = threading.local()


def local_tz() -> ZoneInfo:
    return ZoneInfo(settings.TIME_ZONE)


def local_day(moment: datetime) -> date:
    return timezone.localtime(moment, local_tz()).date()


def day_bounds(day: date) -> tuple[datetime, datetime]:
    start = datetime.combine(day, time.min, tzinfo=local_tz())
    return start, datetime.combine(day + timedelta(days=1), time.min, tzinfo=local_tz())


# --- signals ---------------------------------------------------------------------------------------------------

def _snapshot(instance) -> dict | None:
    data = instance.__dict__
    if any(f not in data for f in _TRACKED):  # deferred fields: never trigger queries from a signal
        return None
    return {f: data[f] for f in _TRACKED}


def _buckets(values: dict | None) -> set[tuple[int, date]]:
    if not values:
        return set()
    agency = values.get("handling_agency_id") or values.get("receiving_agency_id")
    if agency is None:
        return set()
    return {(agency, local_day(values[f])) for f in _DAY_FIELDS if values.get(f)}


def _pending() -> set:
    if not hasattr(_local, "pending"):
        _local.pending = set()
    return _local.pending


def _on_init(sender, instance, **kwargs):
    instance._rollup_snapshot = _snapshot(instance)


def _on_save(sender, instance, created, **kwargs):
    before = getattr(instance, "_rollup_snapshot", None)
    after = _snapshot(instance)
    if after is None:  # saved with deferred fields: recount what we can see
        after = {f: getattr(instance, f) for f in _TRACKED}
    if not created and before == after:
        return
    mark_dirty(_buckets(before) | _buckets(after))
    instance._rollup_snapshot = after


def _on_delete(sender, instance, **kwargs):
    mark_dirty(_buckets(_snapshot(instance) or getattr(instance, "_rollup_snapshot", None)))


def connect_signals() -> None:
    from tinhso.dossiers.models import Dossier
    from tinhso.dossiers.signals import history_imported

    post_init.connect(_on_init, sender=Dossier, dispatch_uid="indicators_rollup_init")
    post_save.connect(_on_save, sender=Dossier, dispatch_uid="indicators_rollup_save")
    post_delete.connect(_on_delete, sender=Dossier, dispatch_uid="indicators_rollup_delete")
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


# --- recounting ------------------------------------------------------------------------------------------------

def _dossiers():
    from tinhso.dossiers.models import Dossier

    # Received and never refused, as the II.06a statistics count them.
    return Dossier.objects.filter(received_at__isnull=False, refused_at__isnull=True)


def _count_expressions(within) -> dict:
    from tinhso.dossiers.choices import Timeliness

    resolved = within("resolved_at")
    return {
        "received": Count("id", filter=within("received_at")),
        "received_digitised": Count("id", filter=within("received_at") & Q(has_digitised_attachments=True)),
        "resolved_early": Count("id", filter=resolved & Q(timeliness=Timeliness.EARLY)),
        "resolved_on_time": Count("id", filter=resolved & Q(timeliness=Timeliness.ON_TIME)),
        "resolved_late": Count("id", filter=resolved & ~Q(timeliness__in=[Timeliness.EARLY, Timeliness.ON_TIME])),
        "withdrawn": Count("id", filter=within("withdrawn_at")),
        "returned": Count("id", filter=within("returned_at")),
    }


def refresh_bucket(*, agency_id: int, day: date) -> int:
    """Recount one (agency, day) bucket from the dossiers; returns the number of rollup rows written."""
    start, end = day_bounds(day)

    def within(field):
        return Q(**{f"{field}__gte": start, f"{field}__lt": end})

    qs = (_dossiers().filter(Q(handling_agency_id=agency_id)
                             | Q(handling_agency__isnull=True, receiving_agency_id=agency_id))
          .filter(within("received_at") | within("resolved_at") | within("withdrawn_at") | within("returned_at"))
          .values("channel").annotate(**_count_expressions(within)).order_by())
    rows = [DossierDailyRollup(agency_id=agency_id, day=day, channel=r["channel"],
                               **{c: r[c] for c in COUNTERS}) for r in qs if any(r[c] for c in COUNTERS)]
    with transaction.atomic():
        DossierDailyRollup.objects.filter(agency_id=agency_id, day=day).delete()
        DossierDailyRollup.objects.bulk_create(rows)
    return len(rows)


def refresh_dirty(*, limit: int = 5000) -> set[date]:
    """Recount the buckets marked dirty; returns the days they covered."""
    days: set[date] = set()
    while True:
        batch = list(RollupDirtyBucket.objects.order_by("id")[:limit])
        if not batch:
            return days
        for mark in batch:
            refresh_bucket(agency_id=mark.agency_id, day=mark.day)
            days.add(mark.day)
        RollupDirtyBucket.objects.filter(id__in=[m.id for m in batch]).delete()


def _local_day_sql(column: str, vendor: str) -> str:
    if vendor == "postgresql":
        return f"(({column}) AT TIME ZONE '{settings.TIME_ZONE}')::date"
    # SQLite stores UTC text; Vietnam keeps one offset all year (no daylight saving), so a shift is exact.
    offset = timezone.now().astimezone(local_tz()).utcoffset()
    hours = int(offset.total_seconds() // 3600) if offset else 0
    return f"date({column}, '{hours:+d} hours')"


@transaction.atomic
def rebuild() -> int:
    """Recount every rollup row from the dossiers in one INSERT … SELECT (after bulk imports).
    Returns the number of rollup rows."""
    from tinhso.dossiers.models import Dossier

    vendor = connection.vendor
    dossiers = Dossier._meta.db_table
    rollup = DossierDailyRollup._meta.db_table
    base = (f"FROM {dossiers} WHERE received_at IS NOT NULL AND refused_at IS NULL")
    agency = "COALESCE(handling_agency_id, receiving_agency_id)"
    true = "TRUE" if vendor == "postgresql" else "1"

    def part(column: str, counters: list[str]) -> str:
        selected = ", ".join(f"{expr} AS c{i}" for i, expr in enumerate(counters))
        return (f"SELECT {agency} AS agency_id, {_local_day_sql(column, vendor)} AS day, channel, "
                f"{selected} {base} AND {column} IS NOT NULL")

    late = "CASE WHEN timeliness IN ('early', 'on_time') THEN 0 ELSE 1 END"
    union = " UNION ALL ".join([
        part("received_at", ["1", f"CASE WHEN has_digitised_attachments = {true} THEN 1 ELSE 0 END",
                             "0", "0", "0", "0", "0"]),
        part("resolved_at", ["0", "0", "CASE WHEN timeliness = 'early' THEN 1 ELSE 0 END",
                             "CASE WHEN timeliness = 'on_time' THEN 1 ELSE 0 END", late, "0", "0"]),
        part("withdrawn_at", ["0", "0", "0", "0", "0", "1", "0"]),
        part("returned_at", ["0", "0", "0", "0", "0", "0", "1"]),
    ])
    columns = ", ".join(COUNTERS)
    sums = ", ".join(f"SUM(c{i})" for i in range(len(COUNTERS)))
    with connection.cursor() as cursor:
        cursor.execute(f"DELETE FROM {rollup}")
        cursor.execute(f"DELETE FROM {RollupDirtyBucket._meta.db_table}")
        cursor.execute(
            f"INSERT INTO {rollup} (agency_id, day, channel, {columns}) "
            f"SELECT agency_id, day, channel, {sums} FROM ({union}) AS t GROUP BY agency_id, day, channel")
    return DossierDailyRollup.objects.count()


# --- reading ---------------------------------------------------------------------------------------------------

SUM_KEYS = [*COUNTERS, "received_online"]


def _sums() -> dict:
    # Prefixed aliases: an annotation named like a column would shadow it in the next Sum.
    return {**{f"s_{c}": Sum(c) for c in COUNTERS}, "s_received_online": Sum("received", filter=Q(channel="online"))}


def sums_by_agency(*, start: date, end: date, agency_ids: set[int] | None = None) -> dict[int, dict[str, int]]:
    """Counters per agency over the days [start, end]."""
    qs = DossierDailyRollup.objects.filter(day__gte=start, day__lte=end)
    if agency_ids is not None:
        qs = qs.filter(agency_id__in=sorted(agency_ids))
    rows = qs.values("agency_id").annotate(**_sums()).order_by()
    return {r["agency_id"]: {c: int(r[f"s_{c}"] or 0) for c in SUM_KEYS} for r in rows}


def _year_month():
    """'YYYY-MM' of the rollup day, in SQL (SQLite's Extract functions run in Python, row by row)."""
    template = ("substr(%(expressions)s, 1, 7)" if connection.vendor == "sqlite"
                else "to_char(%(expressions)s, 'YYYY-MM')")
    return Func(F("day"), template=template, output_field=CharField())


def sums_by_agency_month(*, start: date, end: date) -> dict[tuple[int, int, int], dict[str, int]]:
    """Counters per (agency, year, month) over the days [start, end]: one query for a whole trend."""
    rows = (DossierDailyRollup.objects.filter(day__gte=start, day__lte=end).annotate(ym=_year_month())
            .values("agency_id", "ym").annotate(**_sums()).order_by())
    return {(r["agency_id"], int(r["ym"][:4]), int(r["ym"][5:7])): {c: int(r[f"s_{c}"] or 0) for c in SUM_KEYS}
            for r in rows}


def day_range() -> tuple[date, date] | None:
    first = DossierDailyRollup.objects.order_by("day").values_list("day", flat=True).first()
    last = DossierDailyRollup.objects.order_by("-day").values_list("day", flat=True).first()
    return (first, last) if first else None


def total_counts() -> dict[str, int]:
    row = DossierDailyRollup.objects.aggregate(**{c: Sum(c) for c in COUNTERS})
    return {c: int(row[c] or 0) for c in COUNTERS}

