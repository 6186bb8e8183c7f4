"""Compact dossier rollups (DossierDailyRollup), kept up to date without the dossiers app knowing.

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
from collections import defaultdict
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db import transaction
from django.db.models import Count, Q, Sum
from django.db.models.functions import Coalesce, ExtractMonth, ExtractYear, TruncDate
from django.db.models.signals import post_delete, post_init, post_save
from django.utils import timezone

from .models import DossierDailyRollup, RollupDirtyBucket

COUNTERS = ["received", "received_digitised", "resolved_early", "resolved_on_time", "resolved_late",
            "withdrawn", "returned"]
_TRACKED = ("handling_agency_id", "receiving_agency_id", "procedure_id", "channel", "received_at", "resolved_at",
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

    post_init.connect(_on_init, sender=Dossier, dispatch_uid="indicators_rollup_init")
    post_save.connect(_on_save, sender=Dossier, dispatch_uid="indicators_rollup_save")
    post_delete.connect(_on_delete, sender=Dossier, dispatch_uid="indicators_rollup_delete")


def mark_dirty(buckets: set[tuple[int, date]]) -> None:
    if not buckets:
        return
    pending = _pending()
    first = not pending
    pending.update(buckets)
    if first:
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
          .values("procedure_id", "channel").annotate(**_count_expressions(within)).order_by())
    rows = [DossierDailyRollup(agency_id=agency_id, day=day, procedure_id=r["procedure_id"], channel=r["channel"],
                               **{c: r[c] for c in COUNTERS}) for r in qs if any(r[c] for c in COUNTERS)]
    with transaction.atomic():
        DossierDailyRollup.objects.filter(agency_id=agency_id, day=day).delete()
        DossierDailyRollup.objects.bulk_create(rows)
    return len(rows)


def refresh_dirty(*, limit: int = 5000) -> int:
    """Recount the buckets marked dirty; returns how many were refreshed."""
    done = 0
    while True:
        batch = list(RollupDirtyBucket.objects.order_by("id")[:limit])
        if not batch:
            return done
        for mark in batch:
            refresh_bucket(agency_id=mark.agency_id, day=mark.day)
        RollupDirtyBucket.objects.filter(id__in=[m.id for m in batch]).delete()
        done += len(batch)


@transaction.atomic
def rebuild() -> int:
    """Recount every rollup row from the dossiers (after bulk imports). Returns the number of rows."""
    tz = local_tz()
    stat_agency = Coalesce("handling_agency_id", "receiving_agency_id")
    totals: dict[tuple, dict[str, int]] = defaultdict(lambda: dict.fromkeys(COUNTERS, 0))
    from tinhso.dossiers.choices import Timeliness

    on_time = [Timeliness.EARLY, Timeliness.ON_TIME]
    plans = {
        "received_at": {"received": Count("id"),
                        "received_digitised": Count("id", filter=Q(has_digitised_attachments=True))},
        "resolved_at": {"resolved_early": Count("id", filter=Q(timeliness=Timeliness.EARLY)),
                        "resolved_on_time": Count("id", filter=Q(timeliness=Timeliness.ON_TIME)),
                        "resolved_late": Count("id", filter=~Q(timeliness__in=on_time))},
        "withdrawn_at": {"withdrawn": Count("id")},
        "returned_at": {"returned": Count("id")},
    }
    for field, aggregates in plans.items():
        qs = (_dossiers().filter(**{f"{field}__isnull": False})
              .annotate(r_agency=stat_agency, r_day=TruncDate(field, tzinfo=tz))
              .values("r_agency", "procedure_id", "channel", "r_day").annotate(**aggregates).order_by())
        for row in qs.iterator(chunk_size=10000):
            bucket = totals[(row["r_agency"], row["procedure_id"], row["r_day"], row["channel"])]
            for key in aggregates:
                bucket[key] += row[key]
    DossierDailyRollup.objects.all().delete()
    RollupDirtyBucket.objects.all().delete()
    objs = (DossierDailyRollup(agency_id=a, procedure_id=p, day=d, channel=c, **counts)
            for (a, p, d, c), counts in totals.items())
    batch: list = []
    for obj in objs:
        batch.append(obj)
        if len(batch) >= 5000:
            DossierDailyRollup.objects.bulk_create(batch)
            batch = []
    DossierDailyRollup.objects.bulk_create(batch)
    return len(totals)


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


def sums_by_agency_month(*, start: date, end: date) -> dict[tuple[int, int, int], dict[str, int]]:
    """Counters per (agency, year, month) over the days [start, end]: one query for a whole trend."""
    rows = (DossierDailyRollup.objects.filter(day__gte=start, day__lte=end)
            .annotate(y=ExtractYear("day"), m=ExtractMonth("day"))
            .values("agency_id", "y", "m").annotate(**_sums()).order_by())
    return {(r["agency_id"], r["y"], r["m"]): {c: int(r[f"s_{c}"] or 0) for c in SUM_KEYS} for r in rows}


def day_range() -> tuple[date, date] | None:
    first = DossierDailyRollup.objects.order_by("day").values_list("day", flat=True).first()
    last = DossierDailyRollup.objects.order_by("-day").values_list("day", flat=True).first()
    return (first, last) if first else None


def total_counts() -> dict[str, int]:
    row = DossierDailyRollup.objects.aggregate(**{c: Sum(c) for c in COUNTERS})
    return {c: int(row[c] or 0) for c in COUNTERS}

