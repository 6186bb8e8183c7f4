"""A year of made-up dossier history for the demo province, loaded through the bulk importer.

The history ends yesterday (today's codes belong to the live sequence of each agency). It follows patterns seen in
provincial reports rather than any real data: most dossiers are filed at commune committees; a few procedures are
far more popular than the rest; the online share of new dossiers grows over the year from about 20 % to about 60 %
(never for procedures not offered online); 5–10 % are resolved late, fewer as the year goes on; a few are refused
at the counter, withdrawn or stuck past their deadline; the most recent ones are still being handled.
"""

import bisect
import csv
import io
import random
from datetime import date, datetime, time, timedelta

from tinhso.core.calendar import WorkingCalendar
from tinhso.core.numbers import vn_number
from tinhso.dossiers.importing import COLUMNS, ImportResult, dossiers_import_content
from tinhso.org.models import AdministrativeUnit, Agency
from tinhso.org.selectors import unit_descendant_ids
from tinhso.procedures.choices import OnlineLevel, TimeUnit
from tinhso.procedures.models import Procedure

COMMUNE_SHARE = 0.65  # of all dossiers, filed at commune committees
ONLINE_FACTOR = {OnlineLevel.FULL: 1.25, OnlineLevel.PARTIAL: 0.75, OnlineLevel.NONE: 0.0}


def generate_demo_dossiers(*, province: AdministrativeUnit, days: int = 365, per_day: int = 100,
                           today: date | None = None, seed: str = "") -> ImportResult | None:
    """About `days` × `per_day` dossiers received over the `days` days before `today`; None without procedures."""
    calendar = WorkingCalendar.load()
    zone = calendar.zone
    today = today or datetime.now(zone).date()
    first_day = today - timedelta(days=days)
    now = datetime.combine(today, time.min, zone)  # the history's "now": the end of yesterday
    rng = random.Random(seed or f"dossiers-{province.code}-{first_day}")
    pairs, weights = _procedure_agency_pairs(province, rng)
    if not pairs:
        return None
    cum_weights, total = [], 0.0
    for w in weights:
        total += w
        cum_weights.append(total)
    # Scale the per-procedure online factors so that the share over all new dossiers follows the trend.
    mean_factor = sum(w * ONLINE_FACTOR[p.online_level] for (p, _), w in zip(pairs, weights, strict=True)) / total
    working = [first_day + timedelta(days=i) for i in range(days + 400)
               if calendar.is_working_day(first_day + timedelta(days=i))]

    def due_after(start: datetime, amount: int, unit: str) -> datetime:
        if unit != TimeUnit.WORKING_DAYS:
            return calendar.due(start, amount, unit)
        # The close of the N-th working day (core.calendar), looked up in the precomputed list for speed.
        moment = calendar.next_working_moment(start)
        target = working[bisect.bisect_right(working, moment.date()) + amount - 1]
        return calendar.closing_on(target)

    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(COLUMNS)
    sequences: dict[tuple[int, date], int] = {}
    for offset in range(days):
        day = first_day + timedelta(days=offset)
        progress = offset / max(days - 1, 1)
        is_working = calendar.is_working_day(day)
        volume = per_day * (1.4 if is_working else 0.15) * rng.uniform(0.8, 1.2)
        online_share = 0.2 + 0.4 * progress
        late_share = 0.10 - 0.05 * progress
        for procedure, agency in rng.choices(pairs, cum_weights=cum_weights, k=round(volume)):
            online = rng.random() < min(0.95, online_share * ONLINE_FACTOR[procedure.online_level] / mean_factor)
            if not online and not is_working:
                continue  # counters are closed; the demand shows up online or on the next working day
            channel = "online" if online else ("postal" if rng.random() < 0.08 else "direct")
            if online:
                hour = rng.choice((6, 7, 8, 9, 9, 10, 10, 11, 13, 14, 14, 15, 16, 19, 20, 21, 22))
            else:
                hour = rng.choice((7, 8, 8, 9, 9, 10, 10, 11, 13, 14, 14, 15, 16))
            received = datetime.combine(day, time(hour, rng.randrange(0, 60), rng.randrange(0, 60)), zone)
            if not online and hour == 7 and received.minute < 30:
                received = received.replace(minute=30 + received.minute)
            key = (agency.pk, day)
            sequences[key] = sequences.get(key, 0) + 1
            code = f"{agency.identifier_code}-{day:%y%m%d}-{sequences[key]:04d}"
            row = _outcome(rng, received, procedure, due_after, now, late_share)
            writer.writerow([code, procedure.code, agency.identifier_code, channel, *row])
    content = out.getvalue().encode()
    result = dossiers_import_content(actor=None, content=content, name=f"demo-ho-so-{province.code}.csv")
    _counter_work(rng, first_day=first_day, days=days)
    return result


def _counter_work(rng, *, first_day: date, days: int) -> None:
    """What the old system's export leaves out: paper dossiers digitised at the counter (a share growing over the
    year, as provinces roll out digitisation) and satisfaction ratings on part of the returned results."""
    from tinhso.audit.services import audit_record
    from tinhso.dossiers.models import Dossier, SatisfactionRating

    digitised, ratings = [], []
    rows = Dossier.objects.filter(imported=True, received_at__isnull=False).values_list(
        "id", "channel", "received_at", "returned_at")
    for pk, channel, received_at, returned_at in rows.iterator(chunk_size=5000):
        progress = min(1.0, max(0.0, (received_at.date() - first_day).days / max(days - 1, 1)))
        share = 0.95 if channel == "online" else 0.45 + 0.45 * progress
        if rng.random() < share:
            digitised.append(pk)
        if returned_at is not None and rng.random() < 0.3:
            score = rng.choices((5, 4, 3, 2, 1), weights=(55, 30, 9, 4, 2))[0]
            ratings.append(SatisfactionRating(dossier_id=pk, score=score,
                                              comment="" if score >= 4 else "Thời gian chờ còn dài."))
    for start in range(0, len(digitised), 5000):
        Dossier.objects.filter(id__in=digitised[start:start + 5000]).update(has_digitised_attachments=True)
    SatisfactionRating.objects.bulk_create(ratings, batch_size=2000, ignore_conflicts=True)
    audit_record(actor=None, action="demo.dossiers.enrich", object_type="dossiers.dossier",
                 summary=f"Dữ liệu mẫu: {vn_number(len(digitised))} hồ sơ đã số hóa, "
                         f"{vn_number(len(ratings))} đánh giá hài lòng")


def _outcome(rng, received: datetime, procedure, due_after, now: datetime, late_share: float) -> list[str]:
    """[received_at, due_at, resolved_at, returned_at, withdrawn_at, status] as import text."""
    iso = datetime.isoformat
    draw = rng.random()
    if draw < 0.012:
        return [iso(received), "", "", "", "", "refused"]
    due = due_after(received, procedure.processing_time, procedure.processing_time_unit)
    if draw < 0.03:
        withdrawn = received + timedelta(hours=rng.uniform(2, 72))
        if withdrawn < now:
            return [iso(received), iso(due), "", "", iso(withdrawn), "withdrawn"]
        return [iso(received), iso(due), "", "", "", "pending"]
    if draw < 0.04 and due < now:  # stuck: overdue and still pending
        return [iso(received), iso(due), "", "", "", "pending"]
    if rng.random() < late_share:
        resolved = due + timedelta(hours=rng.uniform(1, 240))
    else:
        resolved = received + (due - received) * rng.uniform(0.25, 0.98)
    resolved = resolved.replace(microsecond=0)
    if resolved >= now:
        return [iso(received), iso(due), "", "", "", "pending"]
    returned = resolved + timedelta(hours=rng.uniform(0.5, 48))
    if returned < now and rng.random() < 0.9:
        return [iso(received), iso(due), iso(resolved), iso(returned.replace(microsecond=0)), "", "returned"]
    return [iso(received), iso(due), iso(resolved), "", "", "resolved"]


def _procedure_agency_pairs(province, rng) -> tuple[list[tuple[Procedure, Agency]], list[float]]:
    """(procedure, agency) for every agency of the province implementing it, weighted by popularity."""
    unit_ids = unit_descendant_ids(unit=province)
    links = (Procedure.agencies.through.objects
             .filter(agency__unit_id__in=unit_ids, procedure__is_active=True)
             .select_related("procedure", "agency").order_by("procedure__code", "agency__identifier_code"))
    commune, provincial = [], []
    for link in links:
        (commune if link.agency.unit_id != province.pk else provincial).append((link.procedure, link.agency))
    popularity: dict[int, float] = {}
    pairs, weights = [], []
    for group, share in ((commune, COMMUNE_SHARE), (provincial, 1 - COMMUNE_SHARE)):
        if not group:
            continue
        for procedure, _ in group:
            popularity.setdefault(procedure.pk, rng.lognormvariate(0, 1))
        scale = share / sum(popularity[p.pk] for p, _ in group)
        for procedure, agency in group:
            pairs.append((procedure, agency))
            weights.append(popularity[procedure.pk] * scale * rng.uniform(0.5, 1.5))
    return pairs, weights
