"""The one dossier rollup (DossierStatDay): one row per agency and local day, exactly equal to the scan in
`statistics`, read by II.06a and, through `dossiers.measures`, by the indicators.

Every figure of a finished period is a sum over days of per-day counts, because a period's boundaries are local
midnights and each dossier contributes at the days its timestamps fall on:

- received (online / other, and with digitised papers) on day(received_at); closed (the first of resolved,
  withdrawn, stopped) on day(closed_at); carried_over = Σ received − Σ closed over the days before the period;
  pending_total the same over the days up to its last day;
- resolved by timeliness, withdrawn, stopped, returned on the day of their timestamp;
- pending_overdue at the period's end D (a local midnight): a dossier is overdue and open at D for D in up to three
  intervals of days (before its pause, during it, after it; the pause rule of `statistics.overdue_at`), each stored
  as +1 and −1 on the days before its first and after-last midnights, so the count at the end of a period is the
  sum of the deltas up to its last day.

A running period (its end after now) judges overdue at now, not at a midnight: that figure is counted from the
dossiers still open (the partial index on open statuses), the others come from the rollup.

Kept current by live writes: a dossier's contributions are a pure function of its row, so every save (a
transition, a pause or its end, a stop, a deadline change, an edit) adds contributions(after) − contributions(before)
to the rows it touches, in the same transaction (`connect_signals`, from DossiersConfig.ready). "before" is read
from the database with the row locked (SELECT … FOR UPDATE) and "after" read back after the write, so the delta is
exact whatever the instance held; the increments are one INSERT … ON CONFLICT DO UPDATE SET n = n + excluded.n in
a fixed row order, so two transactions on different dossiers of one agency and day never lose an update (the
second waits for the first's row lock, then adds to the committed value) and never deadlock on each other.
Recounting a bucket instead would mean finding every dossier whose due time, pause or closing falls on that day —
columns with no index: the delta is one primary-key read before and after.

Bulk writes that send no signals (the history import's COPY, queryset.update) call `rollup_rebuild()` in their
transaction, or `mark_stale()` and leave it to `tinhso manage rebuild_dossier_statistics`; while the rollup is
stale statistics fall back to the scan. Refused and never-received dossiers contribute nothing; a dossier's
timestamps are assumed ordered (received ≤ closed, asked ≤ answered), as the workflow and the import guarantee.
"""

from collections import defaultdict
from datetime import date, datetime, time, timedelta

from django.db import connection, transaction
from django.db.models import Case, IntegerField, Q, Sum, When

from tinhso.core.calendar import local_zone

from .choices import Status, Timeliness
from .models import Dossier, DossierStatDay, DossierStatState

FIELDS = ["received_online", "received_other", "received_digitised", "closed", "resolved_early", "resolved_on_time", "resolved_late",
          "withdrawn", "stopped", "returned", "overdue_delta"]
_VALUES = ["handling_agency_id", "receiving_agency_id", "channel", "received_at", "refused_at", "resolved_at",
           "timeliness", "withdrawn_at", "stopped_at", "returned_at", "due_at", "due_before_pause_at",
           "supplement_requested_at", "supplemented_at", "has_digitised_attachments"]
ONE_DAY = timedelta(days=1)
OPEN_STATUSES = [Status.RECEIVED, Status.IN_PROGRESS, Status.AWAITING_APPROVAL, Status.SUPPLEMENT_REQUESTED]


# --- contributions of one dossier --------------------------------------------------------------------------

def _day(t: datetime, zone) -> date:
    return t.astimezone(zone).date()


def _after(t: datetime, zone) -> date:
    """The first midnight D with t < D."""
    return _day(t, zone) + timedelta(days=1)


def _ceil(t: datetime, zone) -> date:
    """The first midnight D with t ≤ D."""
    local = t.astimezone(zone)
    return local.date() if local.time() == time(0) else local.date() + timedelta(days=1)


def contributions(row: dict, zone) -> tuple[int | None, list[tuple[date, str, int]]]:
    """(agency, [(day, field, +n)]) for one dossier given its `_VALUES`."""
    received = row["received_at"]
    if received is None or row["refused_at"] is not None:
        return None, []
    agency = row["handling_agency_id"] or row["receiving_agency_id"]
    out = [(_day(received, zone), "received_online" if row["channel"] == "online" else "received_other", 1)]
    if row["has_digitised_attachments"]:
        out.append((_day(received, zone), "received_digitised", 1))
    closings = [t for t in (row["resolved_at"], row["withdrawn_at"], row["stopped_at"]) if t is not None]
    closed = min(closings) if closings else None
    if closed is not None:
        out.append((_day(closed, zone), "closed", 1))
    if row["resolved_at"] is not None:
        field = {Timeliness.EARLY: "resolved_early", Timeliness.ON_TIME: "resolved_on_time"}.get(
            row["timeliness"], "resolved_late")
        out.append((_day(row["resolved_at"], zone), field, 1))
    for name in ("withdrawn", "stopped", "returned"):
        if row[f"{name}_at"] is not None:
            out.append((_day(row[f"{name}_at"], zone), name, 1))
    # Overdue intervals of midnights D, within the open interval [after(received), day(closed) + 1).
    open_from, open_until = _after(received, zone), (_day(closed, zone) + timedelta(days=1) if closed else None)
    due, asked, answered = row["due_at"], row["supplement_requested_at"], row["supplemented_at"]
    due_before = row["due_before_pause_at"] or due
    intervals = []
    if due_before is not None:  # before the pause (or never paused): overdue once the due time has passed
        intervals.append((_after(due_before, zone), _ceil(asked, zone) if asked else None))
    if asked is not None and due_before is not None and asked > due_before:  # paused after its due time
        intervals.append((_ceil(asked, zone), _ceil(answered, zone) if answered else None))
    if answered is not None and due is not None:  # after the pause: against the pushed due time
        intervals.append((max(_ceil(answered, zone), _after(due, zone)), None))
    for lo, hi in intervals:
        lo = max(lo, open_from)
        hi = min(d for d in (hi, open_until) if d is not None) if (hi or open_until) else None
        if hi is not None and lo >= hi:
            continue
        # Keyed by the last day of a period ending at that midnight: the period ending at midnight D is summed
        # up to D − 1, and lo − 1 is never before the day of reception (no extra rows).
        out.append((lo - ONE_DAY, "overdue_delta", 1))
        if hi is not None:
            out.append((hi - ONE_DAY, "overdue_delta", -1))
    return agency, out


# --- maintenance -------------------------------------------------------------------------------------------

def _delta(before: dict | None, after: dict | None, zone) -> dict[tuple[int, date], dict[str, int]]:
    """contributions(after) − contributions(before), per (agency, day), without the zeros."""
    out: dict[tuple[int, date], dict[str, int]] = defaultdict(lambda: defaultdict(int))
    for row, sign in ((before, -1), (after, 1)):
        if row is None:
            continue
        agency, items = contributions(row, zone)
        for day, field, n in items:
            out[(agency, day)][field] += sign * n
    return {key: {f: n for f, n in fields.items() if n} for key, fields in out.items()
            if any(fields.values())}


def _increment(deltas: dict[tuple[int, date], dict[str, int]]) -> None:
    """Add the deltas to their rows (created when missing), in one statement and in (agency, day) order."""
    if not deltas:
        return
    table = connection.ops.quote_name(DossierStatDay._meta.db_table)
    columns = ", ".join(FIELDS)
    sets = ", ".join(f"{f} = {table}.{f} + excluded.{f}" for f in FIELDS)
    placeholders = "(" + ", ".join(["%s"] * (2 + len(FIELDS))) + ")"
    params = []
    for (agency, day), fields in sorted(deltas.items()):
        params += [agency, connection.ops.adapt_datefield_value(day), *(fields.get(f, 0) for f in FIELDS)]
    with connection.cursor() as cursor:
        cursor.execute(f"INSERT INTO {table} (agency_id, day, {columns}) VALUES "
                       f"{', '.join([placeholders] * len(deltas))} "
                       f"ON CONFLICT (agency_id, day) DO UPDATE SET {sets}", params)


def _stored(pk, *, lock: bool) -> dict | None:
    qs = Dossier.objects.filter(pk=pk)
    if lock and connection.in_atomic_block:
        qs = qs.select_for_update()
    return qs.values(*_VALUES).first()


_TRACKED = {v.removesuffix("_id") for v in _VALUES}
_UNTOUCHED = object()


def _touches(update_fields) -> bool:
    return update_fields is None or any(f.removesuffix("_id") in _TRACKED for f in update_fields)


def rollup_apply(*, before: dict | None, after: dict | None) -> None:
    """Move one dossier's contributions from `before` to `after` (rows of `_VALUES`; None: no row)."""
    _increment(_delta(before, after, local_zone()))


def _apply_rows(before: dict, after: dict) -> None:
    """Many dossiers at once ({pk: row} before and after), in chunks of rows of the rollup."""
    zone = local_zone()
    total: dict[tuple[int, date], dict[str, int]] = defaultdict(lambda: defaultdict(int))
    for pk in before.keys() | after.keys():
        for key, fields in _delta(before.get(pk), after.get(pk), zone).items():
            for f, n in fields.items():
                total[key][f] += n
    items = sorted(total.items())
    for start in range(0, len(items), 1000):
        _increment(dict(items[start:start + 1000]))


def _rows(qs) -> dict:
    return {r.pop("id"): r for r in qs.values("id", *_VALUES)}


def rollup_after_bulk_create(objs, *, blind: bool) -> None:
    """After Dossier.objects.bulk_create: add the new rows (or, when conflicts were ignored or updated and what was
    written is unknown, mark the rollup stale)."""
    pks = [o.pk for o in objs]
    if blind or any(pk is None for pk in pks):
        mark_stale()
    elif pks:
        _apply_rows({}, _rows(Dossier.objects.filter(pk__in=pks)))


def rollup_around_write(qs, fields, write):
    """A queryset update / bulk_update of `fields`: the rows' contributions before and after, in one transaction."""
    if not any(f.removesuffix("_id") in _TRACKED for f in fields):
        return write()
    with transaction.atomic():
        before = _rows(qs.select_for_update() if connection.features.has_select_for_update else qs)
        result = write()
        _apply_rows(before, _rows(Dossier.objects.filter(pk__in=list(before))))
    return result


def _before_save(sender, instance, raw=False, update_fields=None, **kwargs):
    if raw or not _touches(update_fields):
        instance._stat_before = _UNTOUCHED
        return
    instance._stat_before = None if instance.pk is None else _stored(instance.pk, lock=True)


def _after_save(sender, instance, raw=False, **kwargs):
    before = instance.__dict__.pop("_stat_before", None)
    if raw or before is _UNTOUCHED:
        return
    rollup_apply(before=before, after=_stored(instance.pk, lock=False))


def _before_delete(sender, instance, **kwargs):
    instance._stat_before = _stored(instance.pk, lock=True)


def _after_delete(sender, instance, **kwargs):
    rollup_apply(before=instance.__dict__.pop("_stat_before", None), after=None)


def connect_signals() -> None:
    """Called from DossiersConfig.ready: every Dossier save or delete updates the rollup in its transaction."""
    from django.db.models.signals import post_delete, post_save, pre_delete, pre_save

    pre_save.connect(_before_save, sender=Dossier, dispatch_uid="dossier_stat_rollup_before_save")
    post_save.connect(_after_save, sender=Dossier, dispatch_uid="dossier_stat_rollup_after_save")
    pre_delete.connect(_before_delete, sender=Dossier, dispatch_uid="dossier_stat_rollup_before_delete")
    post_delete.connect(_after_delete, sender=Dossier, dispatch_uid="dossier_stat_rollup_after_delete")


def mark_stale() -> None:
    """For bulk writes that send no signals and do not rebuild in their transaction: statistics scan until
    `rollup_rebuild()` runs. (No state row: fresh — an empty database has an empty, exact rollup.)"""
    DossierStatState.objects.update_or_create(pk=1, defaults={"stale": True})


def is_fresh() -> bool:
    return not DossierStatState.objects.filter(pk=1, stale=True).exists()


@transaction.atomic
def rollup_rebuild() -> int:
    """Recompute every row from the dossiers (one pass); returns the number of rollup rows."""
    return rebuild_with(Dossier, DossierStatDay, DossierStatState)


def rebuild_with(dossier_model, day_model, state_model) -> int:
    """The rebuild over the given models (the current ones, or a migration's historical ones)."""
    state_model.objects.select_for_update().get_or_create(pk=1, defaults={"stale": True})
    zone = local_zone()
    sums: dict[tuple[int, date], dict[str, int]] = defaultdict(lambda: dict.fromkeys(FIELDS, 0))
    rows = dossier_model.objects.filter(received_at__isnull=False, refused_at__isnull=True).values(*_VALUES)
    for row in rows.iterator(chunk_size=20_000):
        agency, items = contributions(row, zone)
        for day, field, n in items:
            sums[(agency, day)][field] += n
    day_model.objects.all().delete()
    day_model.objects.bulk_create(
        (day_model(agency_id=agency, day=day, **counts) for (agency, day), counts in sums.items()),
        batch_size=5000)
    state_model.objects.filter(pk=1).update(stale=False)
    return len(sums)


# --- reading -----------------------------------------------------------------------------------------------

def _sum(condition: Q, expression) -> Sum:
    return Sum(Case(When(condition, then=expression), default=0, output_field=IntegerField()))


def rollup_counts(*, date_from: date, date_to: date, agency_ids: set[int] | None, by_agency: bool,
                  running: bool, reference: datetime, end: datetime):
    """The raw counts of `statistics.RAW_KEYS`, per agency ({agency: counts}) or in total (counts)."""
    from django.db.models import F

    before, upto = Q(day__lt=date_from), Q(day__lte=date_to)
    inside = Q(day__gte=date_from, day__lte=date_to)
    received = F("received_online") + F("received_other")
    aggregates = {
        "carried_over": _sum(before, received - F("closed")),
        "new_online": _sum(inside, F("received_online")),
        "new_direct_postal": _sum(inside, F("received_other")),
        "resolved_early": _sum(inside, F("resolved_early")),
        "resolved_on_time": _sum(inside, F("resolved_on_time")),
        "resolved_late": _sum(inside, F("resolved_late")),
        "pending_total": _sum(upto, received - F("closed")),
        "withdrawn": _sum(inside, F("withdrawn")),
        "stopped": _sum(inside, F("stopped")),
        "returned": _sum(inside, F("returned")),
    }
    if not running:
        aggregates["pending_overdue"] = _sum(upto, F("overdue_delta"))
    qs = DossierStatDay.objects.filter(day__lte=date_to)
    if agency_ids is not None:
        qs = qs.filter(agency_id__in=sorted(agency_ids))
    if by_agency:
        # The scan's groups are the agencies with a dossier received before the end (rows a dossier moved away
        # from stay behind with zeros).
        aggregates["received_upto"] = _sum(upto, received)
        rows = qs.values("agency_id").annotate(**aggregates).order_by()
        result = {r.pop("agency_id"): r for r in rows if r.pop("received_upto")}
    else:
        result = qs.aggregate(**aggregates)
    if running:
        _add_open_overdue(result, agency_ids=agency_ids, by_agency=by_agency, reference=reference, end=end)
    return result


def _add_open_overdue(result, *, agency_ids, by_agency: bool, reference: datetime, end: datetime) -> None:
    """Overdue at `reference` (now, in a running period) among the dossiers not closed: the open-status index."""
    from django.db.models import Count
    from django.db.models.functions import Coalesce

    from .statistics import overdue_at

    qs = Dossier.objects.filter(status__in=OPEN_STATUSES, received_at__lt=end, refused_at__isnull=True) \
        .filter(overdue_at(reference)).annotate(stat_agency=Coalesce("handling_agency_id", "receiving_agency_id"))
    if agency_ids is not None:
        qs = qs.filter(stat_agency__in=sorted(agency_ids))
    if by_agency:
        counts = dict(qs.values_list("stat_agency").annotate(n=Count("id")).order_by())
        for agency, counts_row in result.items():
            counts_row["pending_overdue"] = counts.get(agency, 0)
    else:
        result["pending_overdue"] = qs.count()

