"""Where to act: the IOC's alerts. Indicators behind their target come from IndicatorValue; the agencies and
communes with most overdue dossiers are read through the dossiers app's II.06a statistics (the one definition of
"overdue", pauses included) — never by the dashboard itself; reports past their deadline from the reporting
periods. Counts at two reference times (now and seven days ago) show where the overdue count grew this week."""

from collections import defaultdict
from datetime import date, datetime, timedelta

from django.core.cache import cache
from django.utils import timezone

from tinhso.core.periods import Period
from tinhso.dossiers.statistics import statistics_queryset
from tinhso.org.models import AdministrativeUnit, Agency

from .choices import PeriodStatus
from .models import ReportPeriod
from .selectors import completeness

HOTSPOT_CACHE_SECONDS = 300
WEEK = timedelta(days=7)


def _overdue_by_agency(moment: datetime) -> dict[int, int]:
    """Dossiers pending and overdue at `moment`, per (handling, else receiving) agency."""
    day = timezone.localtime(moment).date()
    rows = statistics_queryset(period=Period(day, day), agency_ids=None, group_by="agency", now=moment)
    return {r["group_key"]: r["pending_overdue"] for r in rows if r["group_key"] and r["pending_overdue"]}


def overdue_counts(*, now: datetime | None = None) -> dict:
    """{agency id: (overdue now, overdue seven days earlier)}, cached a few minutes (two aggregate scans)."""
    now = now or timezone.now()
    key = f"indicators:overdue:v1:{now:%Y%m%d%H}{now.minute // 5}"
    data = cache.get(key)
    if data is None:
        current, before = _overdue_by_agency(now), _overdue_by_agency(now - WEEK)
        data = {agency: (current.get(agency, 0), before.get(agency, 0)) for agency in set(current) | set(before)}
        cache.set(key, data, HOTSPOT_CACHE_SECONDS)
    return data


def overdue_hotspots(*, agency_ids: set[int] | None, limit: int = 5, now: datetime | None = None) -> dict:
    """The agencies and the communes with the most overdue dossiers now, and those where the count grew most
    in the last seven days. `agency_ids` limits to what the user may see (None: everything)."""
    counts = {a: c for a, c in overdue_counts(now=now).items() if agency_ids is None or a in agency_ids}
    agencies = {a.pk: a for a in Agency.objects.filter(pk__in=list(counts)).select_related("unit")}
    per_agency = []
    for agency_id, (current, before) in counts.items():
        agency = agencies.get(agency_id)
        if agency is not None:
            per_agency.append({"agency": agency, "overdue": current, "week_ago": before, "growth": current - before})
    per_unit: dict[int, dict] = defaultdict(lambda: {"overdue": 0, "week_ago": 0, "agencies": []})
    for row in per_agency:
        unit = row["agency"].unit
        if unit.level != "commune":
            continue
        entry = per_unit[unit.pk]
        entry.update(unit=unit)
        entry["overdue"] += row["overdue"]
        entry["week_ago"] += row["week_ago"]
        entry["agencies"].append(row)
    communes = []
    for entry in per_unit.values():
        entry["growth"] = entry["overdue"] - entry["week_ago"]
        entry["agency"] = max(entry.pop("agencies"), key=lambda r: r["overdue"])["agency"]  # its queue to open
        communes.append(entry)

    def top(rows, field):
        chosen = [r for r in rows if r[field] > 0]
        return sorted(chosen, key=lambda r: (-r[field], -r["overdue"],
                                             (r.get("unit") or r["agency"]).name))[:limit]
    return {"agencies": top(per_agency, "overdue"), "communes": top(communes, "overdue"),
            "agencies_growing": top(per_agency, "growth"), "communes_growing": top(communes, "growth")}


def late_reports(*, unit_ids: set[int] | None = None, today: date | None = None) -> list[dict]:
    """Units that had not submitted a report whose deadline has passed, per open or closed reporting period."""
    today = today or timezone.localdate()
    rows = []
    for period in (ReportPeriod.objects.filter(deadline__lt=today).exclude(status=PeriodStatus.SCHEDULED)
                   .select_related("form").order_by("-deadline")[:6]):
        state = completeness(period=period)
        late = [u for u in state["units"] if not u["on_time"]]
        if unit_ids is not None:
            codes = set(AdministrativeUnit.objects.filter(pk__in=unit_ids).values_list("code", flat=True))
            late = [u for u in late if u["unit_code"] in codes]
        if late:
            rows.append({"period": period, "deadline": period.deadline, "units": late, "expected": state["expected"]})
    return rows
