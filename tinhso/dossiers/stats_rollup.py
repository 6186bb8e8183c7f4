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

Bulk writes through the ORM (bulk_create, bulk_update, queryset.update) do the same through DossierQuerySet.
Writes in raw SQL (the history import's COPY and upsert) call `rollup_add_dossiers` around them, or `rollup_rebuild()`
(two INSERT … SELECT: `contributions_sql`, the same contributions in SQL) in their transaction, or `mark_stale()` and
leave it to `tinhso manage rebuild_dossier_statistics`; while the rollup is stale statistics fall back to the scan.
Each day's sums are also kept in its month's row (day = the 1st, month = true), so a period reads whole months there. Refused and never-received dossiers contribute nothing; a dossier's
timestamps are assumed ordered (received ≤ closed, asked ≤ answered), as the workflow and the import guarantee.
"""

from collections import defaultdict
from datetime import date, datetime, time, timedelta

from django.db import connection, transaction
from django.db.models import BooleanField, ExpressionWrapper, Q, Sum

from tinhso.core.calendar import local_zone

from .choices import Status, Timeliness
from .models import Dossier, DossierStatDay, DossierStatState
from .signals import rollup_changed

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


_AT = {f: i for i, f in enumerate(FIELDS)}
_RECEIVED_ONLINE, _RECEIVED_OTHER, _CLOSED, _WITHDRAWN, _RETURNED, _OVERDUE = (
    _AT[f] for f in ("received_online", "received_other", "closed", "withdrawn", "returned", "overdue_delta"))
_RESOLVED_AT = {Timeliness.EARLY.value: _AT["resolved_early"], Timeliness.ON_TIME.value: _AT["resolved_on_time"]}
_RESOLVED_LATE = _AT["resolved_late"]


class Tally:
    """Contributions counted per (agency, local day as ISO text): {key: [n per FIELDS]}. For the history import,
    whose validator counts the rows it streams into the table (`add_unpaused` from the texts of its usual rows,
    `add_row` for the others); `rollup_add_tally` adds the counts."""

    def __init__(self):
        self.cells: dict[tuple[int, str], list[int]] = {}
        self._zeros = [0] * len(FIELDS)

    def _cell(self, agency: int, day: str) -> list[int]:
        cell = self.cells.get((agency, day))
        if cell is None:
            cell = self.cells[(agency, day)] = self._zeros.copy()
        return cell

    def add_unpaused(self, agency: int, channel: str, timeliness: str, received: str, due: str, resolved: str,
                     withdrawn: str, returned: str) -> None:
        """`contributions` of a received, not refused dossier never paused, stopped or digitised, from the local
        days of its timestamps as ISO texts ("" when empty; an ISO day orders as its date does): the same rules
        on days. Closed on its earliest closing's day; overdue from the later of its due and received days (the
        midnight after both) up to its closing day, kept only when that comes later."""
        cells, zeros = self.cells, self._zeros  # the cell lookups inlined, and a day's cell looked up once
        key = (agency, received)
        at_received = cells.get(key) or cells.setdefault(key, zeros.copy())
        at_received[_RECEIVED_ONLINE if channel == "online" else _RECEIVED_OTHER] += 1
        closed, at_closed = "", None
        if resolved:
            key = (agency, resolved)
            counts = at_received if resolved == received else cells.get(key) or cells.setdefault(key, zeros.copy())
            counts[_RESOLVED_AT.get(timeliness, _RESOLVED_LATE)] += 1
            closed, at_closed = resolved, counts
        if withdrawn:
            key = (agency, withdrawn)
            counts = at_received if withdrawn == received else cells.get(key) or cells.setdefault(key, zeros.copy())
            counts[_WITHDRAWN] += 1
            if not closed or withdrawn < closed:
                closed, at_closed = withdrawn, counts
        if returned:
            key = (agency, returned)
            counts = at_closed if returned == closed else cells.get(key) or cells.setdefault(key, zeros.copy())
            counts[_RETURNED] += 1
        if at_closed is not None:
            at_closed[_CLOSED] += 1
        if due:
            overdue_from = due if due > received else received
            if not closed or overdue_from < closed:
                key = (agency, overdue_from)
                counts = at_received if overdue_from == received else \
                    cells.get(key) or cells.setdefault(key, zeros.copy())
                counts[_OVERDUE] += 1
                if at_closed is not None:
                    at_closed[_OVERDUE] -= 1

    def add_row(self, row: dict, zone) -> None:
        """`contributions(row)` (a row of `_VALUES`)."""
        agency, items = contributions(row, zone)
        for day, field, n in items:
            self._cell(agency, day.isoformat())[_AT[field]] += n

    def merge(self, cells: dict[tuple[int, str], list[int]]) -> None:
        """Add another tally's cells (a worker's, of its part of the file)."""
        for key, counts in cells.items():
            mine = self._cell(*key)
            for i, n in enumerate(counts):
                mine[i] += n


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


def _month_start(day: date) -> date:
    return day.replace(day=1)


def _increment(deltas: dict[tuple[int, date], dict[str, int]]) -> None:
    """Add the deltas to their day rows and their months' rows (created when missing), in one statement and in
    (agency, day, month) order."""
    if not deltas:
        return
    rows: dict[tuple[int, date, bool], dict[str, int]] = defaultdict(lambda: defaultdict(int))
    for (agency, day), fields in deltas.items():
        for key in ((agency, day, False), (agency, _month_start(day), True)):
            for f, n in fields.items():
                rows[key][f] += n
    table = connection.ops.quote_name(DossierStatDay._meta.db_table)
    columns = ", ".join(FIELDS)
    sets = ", ".join(f"{f} = {table}.{f} + excluded.{f}" for f in FIELDS)
    placeholders = "(" + ", ".join(["%s"] * (3 + len(FIELDS))) + ")"
    params = []
    for (agency, day, month), fields in sorted(rows.items()):
        params += [agency, connection.ops.adapt_datefield_value(day), month, *(fields.get(f, 0) for f in FIELDS)]
    with connection.cursor() as cursor:
        cursor.execute(f"INSERT INTO {table} (agency_id, day, month, {columns}) VALUES "
                       f"{', '.join([placeholders] * len(rows))} "
                       f"ON CONFLICT (agency_id, day, month) DO UPDATE SET {sets}", params)
    rollup_changed.send(sender=DossierStatDay, deltas=deltas)


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
    for start in range(0, len(items), 500):  # each a day row and a month row: within every parameter limit
        _increment(dict(items[start:start + 500]))


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


# --- the same contributions in SQL (rebuilds and bulk writes) ----------------------------------------------

def _sql_dialect(vendor: str) -> dict:
    """Date functions of the contributions' SQL: local day, the next day, the previous day, the ceiling midnight,
    and the earlier of three instants ignoring NULLs."""
    if vendor == "postgresql":
        zone = local_zone().key

        def day(x):
            return f"(({x}) AT TIME ZONE '{zone}')::date"

        return {"day": day, "next": lambda d: f"({d} + 1)", "prev": lambda d: f"({d} - 1)",
                "ceil": lambda x: f"(((({x}) - interval '1 microsecond') AT TIME ZONE '{zone}')::date + 1)",
                "max": lambda a, b: f"GREATEST({a}, {b})", "first3": lambda a, b, c: f"LEAST({a}, {b}, {c})"}
    # SQLite stores UTC text 'YYYY-MM-DD HH:MM:SS[.ffffff]'; Vietnam keeps one offset all year (no daylight
    # saving), so a shift is exact.
    offset = datetime.now(local_zone()).utcoffset() or timedelta(0)
    shift = f"'{int(offset.total_seconds()) // 60:+d} minutes'"

    def day(x):
        return f"date({x}, {shift})"

    def ceil(x):
        midnight = (f"(strftime('%H:%M:%S', {x}, {shift}) = '00:00:00' AND (instr({x}, '.') = 0 OR "
                    f"CAST(substr({x}, instr({x}, '.') + 1) AS INTEGER) = 0))")
        return f"(CASE WHEN {midnight} THEN {day(x)} ELSE date({x}, {shift}, '+1 day') END)"

    far = "'9999-12-31'"
    return {"day": day, "next": lambda d: f"date({d}, '+1 day')", "prev": lambda d: f"date({d}, '-1 day')",
            "ceil": ceil, "max": lambda a, b: f"max({a}, {b})",
            "first3": lambda a, b, c: f"NULLIF(min(COALESCE({a}, {far}), COALESCE({b}, {far}), COALESCE({c}, {far})), "
                                      f"{far})"}


def contributions_sql(vendor: str, where: str = "") -> str:
    """One SELECT of (agency_id, day, FIELDS…) summed per agency and day over the dossiers matching `where` (SQL
    on the dossier table, or empty): `contributions` in SQL, for rebuilds and bulk writes."""
    x = _sql_dialect(vendor)
    day, nxt, prev, ceil = x["day"], x["next"], x["prev"], x["ceil"]
    table = Dossier._meta.db_table
    true = "TRUE" if vendor == "postgresql" else "1"

    def part(day_sql: str, source: str, **values) -> str:
        cols = ", ".join(str(values.get(f, 0)) + f" AS {f}" for f in FIELDS)
        return f"SELECT agency_id, {day_sql} AS day, {cols} FROM {source}"

    def least(a, b):
        return f"(CASE WHEN {a} IS NULL THEN {b} WHEN {b} IS NULL THEN {a} WHEN {a} < {b} THEN {a} ELSE {b} END)"

    span = (f"{nxt(day('received_at'))} AS open_from, "
            f"CASE WHEN closed_at IS NULL THEN NULL ELSE {nxt(day('closed_at'))} END AS open_until")
    late = "CASE WHEN timeliness IN ('early', 'on_time') THEN 0 ELSE 1 END"
    parts = [
        part(day("received_at"), "base", received_online="CASE WHEN channel = 'online' THEN 1 ELSE 0 END",
             received_other="CASE WHEN channel = 'online' THEN 0 ELSE 1 END",
             received_digitised=f"CASE WHEN has_digitised_attachments = {true} THEN 1 ELSE 0 END"),
        part(day("closed_at"), "base WHERE closed_at IS NOT NULL", closed=1),
        part(day("resolved_at"), "base WHERE resolved_at IS NOT NULL",
             resolved_early="CASE WHEN timeliness = 'early' THEN 1 ELSE 0 END",
             resolved_on_time="CASE WHEN timeliness = 'on_time' THEN 1 ELSE 0 END", resolved_late=late),
        part(day("withdrawn_at"), "base WHERE withdrawn_at IS NOT NULL", withdrawn=1),
        part(day("stopped_at"), "base WHERE stopped_at IS NOT NULL", stopped=1),
        part(day("returned_at"), "base WHERE returned_at IS NOT NULL", returned=1),
        part(prev("lo"), "kept", overdue_delta=1),
        part(prev("hi"), "kept WHERE hi IS NOT NULL", overdue_delta=-1),
    ]
    filtered = f" AND ({where})" if where else ""
    return f"""WITH base AS (
  SELECT COALESCE(handling_agency_id, receiving_agency_id) AS agency_id, channel, has_digitised_attachments,
         timeliness, received_at, resolved_at, withdrawn_at, stopped_at, returned_at, due_at,
         COALESCE(due_before_pause_at, due_at) AS due_before, supplement_requested_at AS asked,
         supplemented_at AS answered, {x["first3"]("resolved_at", "withdrawn_at", "stopped_at")} AS closed_at
  FROM {table} WHERE received_at IS NOT NULL AND refused_at IS NULL{filtered}
), intervals AS (
  SELECT agency_id, {span}, {nxt(day('due_before'))} AS lo,
         CASE WHEN asked IS NULL THEN NULL ELSE {ceil('asked')} END AS hi
  FROM base WHERE due_before IS NOT NULL
  UNION ALL
  SELECT agency_id, {span}, {ceil('asked')} AS lo,
         CASE WHEN answered IS NULL THEN NULL ELSE {ceil('answered')} END AS hi
  FROM base WHERE asked IS NOT NULL AND due_before IS NOT NULL AND asked > due_before
  UNION ALL
  SELECT agency_id, {span}, {x["max"](ceil('answered'), nxt(day('due_at')))} AS lo, NULL AS hi
  FROM base WHERE answered IS NOT NULL AND due_at IS NOT NULL
), clipped AS (
  SELECT agency_id, {x["max"]("lo", "open_from")} AS lo, {least("hi", "open_until")} AS hi FROM intervals
), kept AS (
  SELECT agency_id, lo, hi FROM clipped WHERE hi IS NULL OR lo < hi
)
SELECT agency_id, day, {", ".join(f"SUM({f}) AS {f}" for f in FIELDS)}
FROM ({" UNION ALL ".join(parts)}) AS parts WHERE {true} GROUP BY agency_id, day"""


def rebuild_sql(conn) -> int:
    """The rebuild in two INSERT … SELECT on `conn` (a connection; a migration passes its schema editor's): the day
    rows from the dossiers, then the month rows from the day rows."""
    table = conn.ops.quote_name(DossierStatDay._meta.db_table)
    columns = ", ".join(FIELDS)
    false, true = ("FALSE", "TRUE") if conn.vendor == "postgresql" else ("0", "1")
    month = "date_trunc('month', day)::date" if conn.vendor == "postgresql" else "date(day, 'start of month')"
    with conn.cursor() as cursor:
        cursor.execute(f"DELETE FROM {table}")
        cursor.execute(f"INSERT INTO {table} (agency_id, day, month, {columns}) SELECT agency_id, day, {false}, "
                       f"{columns} FROM ({contributions_sql(conn.vendor)}) AS c")
        cursor.execute(f"INSERT INTO {table} (agency_id, day, month, {columns}) SELECT agency_id, {month}, {true}, "
                       f"{', '.join(f'SUM({f})' for f in FIELDS)} FROM {table} WHERE month = {false} "
                       f"GROUP BY agency_id, {month}")
        cursor.execute(f"SELECT COUNT(*) FROM {table}")
        rows = cursor.fetchone()[0]
        state = conn.ops.quote_name(DossierStatState._meta.db_table)
        cursor.execute(f"DELETE FROM {state}")
        cursor.execute(f"INSERT INTO {state} (id, stale) VALUES (1, %s)", [False])
    return rows


def rollup_add_dossiers(where: str, params=(), *, sign: int = 1) -> None:
    """Add (sign 1) or take away (sign −1) the contributions of the dossiers matching `where` (SQL on the dossier
    table), day and month rows, in one INSERT … SELECT … ON CONFLICT: for bulk writes in SQL (an import takes
    away the rows it is about to overwrite, writes, then adds what it wrote), in their transaction."""
    assert sign in (1, -1)
    vendor = connection.vendor
    table = connection.ops.quote_name(DossierStatDay._meta.db_table)
    columns = ", ".join(FIELDS)
    false, true = ("FALSE", "TRUE") if vendor == "postgresql" else ("0", "1")
    month = "date_trunc('month', day)::date" if vendor == "postgresql" else "date(day, 'start of month')"
    sums = ", ".join(f"{sign} * SUM({f})" for f in FIELDS)
    sets = ", ".join(f"{f} = {table}.{f} + excluded.{f}" for f in FIELDS)
    source = f"({contributions_sql(vendor, where)}) AS c"
    grains = (f"SELECT agency_id, day, {false} AS month, {columns} FROM {source} UNION ALL "
              f"SELECT agency_id, {month} AS day, {true} AS month, {columns} FROM {source}")
    with connection.cursor() as cursor:
        cursor.execute(f"INSERT INTO {table} (agency_id, day, month, {columns}) SELECT agency_id, day, month, {sums} "
                       f"FROM ({grains}) AS g WHERE {true} GROUP BY agency_id, day, month ORDER BY agency_id, day, month "
                       f"ON CONFLICT (agency_id, day, month) DO UPDATE SET {sets}", list(params) * 2)


def rollup_add_tally(tally: Tally) -> None:
    """Add a `Tally` to the day rows and their months' rows: on PostgreSQL by COPY into a temporary table and one
    INSERT … SELECT … ON CONFLICT in (agency, day, month) order, as `rollup_add_dossiers` does; in the caller's
    transaction."""
    rows: dict[tuple[int, date, bool], list[int]] = {}
    for (agency, text), counts in tally.cells.items():
        if not any(counts):
            continue
        day = date.fromisoformat(text)
        rows[(agency, day, False)] = counts
        month = rows.setdefault((agency, day.replace(day=1), True), [0] * len(FIELDS))
        for i, n in enumerate(counts):
            month[i] += n
    items = [(agency, day, month, *counts) for (agency, day, month), counts in sorted(rows.items())
             if any(counts)]
    if not items:
        return
    table = connection.ops.quote_name(DossierStatDay._meta.db_table)
    columns = ", ".join(FIELDS)
    sets = ", ".join(f"{f} = {table}.{f} + excluded.{f}" for f in FIELDS)
    with connection.cursor() as cursor:
        if connection.vendor != "postgresql":
            placeholders = ", ".join(["%s"] * (3 + len(FIELDS)))
            cursor.executemany(f"INSERT INTO {table} (agency_id, day, month, {columns}) VALUES ({placeholders}) "
                               f"ON CONFLICT (agency_id, day, month) DO UPDATE SET {sets}",
                               [(a, connection.ops.adapt_datefield_value(d), m, *c) for a, d, m, *c in items])
            return
        added = "tinhso_rollup_tally"
        cursor.execute(f"CREATE TEMPORARY TABLE {added} (agency_id bigint, day date, month boolean, "
                       f"{', '.join(f'{f} integer' for f in FIELDS)}) ON COMMIT DROP")
        with cursor.cursor.copy(f"COPY {added} FROM STDIN (FORMAT BINARY)") as copy:
            copy.set_types(["int8", "date", "bool", *["int4"] * len(FIELDS)])
            for item in items:
                copy.write_row(item)
        cursor.execute(f"INSERT INTO {table} (agency_id, day, month, {columns}) SELECT agency_id, day, month, "
                       f"{columns} FROM {added} ORDER BY agency_id, day, month "
                       f"ON CONFLICT (agency_id, day, month) DO UPDATE SET {sets}")
        cursor.execute(f"DROP TABLE {added}")


@transaction.atomic
def rollup_rebuild() -> int:
    """Recompute every row from the dossiers (`rebuild_sql`); returns the number of rollup rows."""
    DossierStatState.objects.select_for_update().get_or_create(pk=1, defaults={"stale": True})
    return rebuild_sql(connection)


# --- reading -----------------------------------------------------------------------------------------------

_SUMMED = [f for f in FIELDS if f != "received_digitised"]


def _figures(before: dict, inside: dict, *, running: bool) -> dict:
    """The raw counts of one group from its two sums: the days before the period, and those inside it."""
    received_before = before["received_online"] + before["received_other"]
    out = {"carried_over": received_before - before["closed"],
           "new_online": inside["received_online"], "new_direct_postal": inside["received_other"],
           "pending_total": received_before + inside["received_online"] + inside["received_other"]
           - before["closed"] - inside["closed"],
           **{f: inside[f] for f in ("resolved_early", "resolved_on_time", "resolved_late", "withdrawn", "stopped",
                                     "returned")}}
    if not running:
        out["pending_overdue"] = before["overdue_delta"] + inside["overdue_delta"]
    return out


def _rows_for(date_from: date, date_to: date) -> Q:
    """The rows whose sums make up the days up to `date_to`, each day counted once: whole months before the
    period's first month and whole months inside the period from month rows, the other days from day rows."""
    first_month = _month_start(date_from)
    inner_from = date_from if date_from.day == 1 else _next_month(date_from)
    inner_to = _next_month(date_to) if (date_to + ONE_DAY).day == 1 else _month_start(date_to)  # exclusive
    inner = Q(day__gte=inner_from, day__lt=inner_to) if inner_from < inner_to else Q(pk__in=[])
    months = Q(month=True) & (Q(day__lt=first_month) | inner)
    days = Q(month=False, day__gte=first_month, day__lte=date_to) & ~inner
    return months | days


def _next_month(day: date) -> date:
    return (day.replace(day=28) + timedelta(days=4)).replace(day=1)


def rollup_counts(*, date_from: date, date_to: date, agency_ids: set[int] | None, by_agency: bool,
                  running: bool, reference: datetime, end: datetime):
    """The raw counts of `statistics.RAW_KEYS`, per agency ({agency: counts}) or in total (counts).

    One query of plain sums over the rows up to the period's last day (`_rows_for`: months where whole), grouped
    by agency and by whether the day is inside the period (no conditional aggregates: every figure is a
    difference or a sum of those two)."""
    qs = DossierStatDay.objects.filter(_rows_for(date_from, date_to))
    if agency_ids is not None:
        qs = qs.filter(agency_id__in=sorted(agency_ids))
    keys = ["agency_id", "inside"] if by_agency else ["inside"]
    rows = (qs.annotate(inside=ExpressionWrapper(Q(day__gte=date_from), output_field=BooleanField()))
            .values(*keys).annotate(**{f"s_{f}": Sum(f) for f in _SUMMED}).order_by())
    zero = dict.fromkeys(_SUMMED, 0)
    halves: dict = defaultdict(lambda: {False: zero, True: zero})
    for r in rows:
        halves[r.get("agency_id")][bool(r["inside"])] = {f: int(r[f"s_{f}"] or 0) for f in _SUMMED}
    if by_agency:
        # The scan's groups are the agencies with a dossier received before the end (rows a dossier moved away
        # from stay behind with zeros).
        result = {agency: _figures(h[False], h[True], running=running) for agency, h in halves.items()
                  if sum(h[i]["received_online"] + h[i]["received_other"] for i in (False, True))}
    else:
        h = halves[None]
        result = _figures(h[False], h[True], running=running)
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

