"""The registry of computed indicators: each reads operational data and returns numerators and denominators.

Three kinds, registered with a decorator:
- `@from_rollups(code)`: a function of the rollup counters of an agency (or a unit: counters are summed up the
  hierarchy, so percentages are never averaged) → (numerator, denominator). Periods come from the rollups.
- `@per_agency(code)`: a function (scope, period) → {agency_id: (numerator, denominator)}, summed up to units.
- `@snapshot(code)`: a function (scope) → ({unit_id: (n, d)}, {agency_id: (n, d)}) describing the state now
  (catalogue, teams); stored for the current year only.

The measured apps (dossiers, procedures, org) never import this module; it reads them through the ORM.
"""

from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field

from django.db.models import Count, Q

from tinhso.core.periods import Period
from tinhso.org.choices import UnitLevel
from tinhso.org.models import AdministrativeUnit, Agency, DigitalTechTeam
from tinhso.org.selectors import digital_team_coverage, unit_descendant_ids

Ratio = tuple[float, float | None]


@dataclass
class Computation:
    indicator: str
    kind: str  # "rollup" | "agency" | "snapshot"
    fn: Callable
    description: str = ""


REGISTRY: dict[str, Computation] = {}


def _register(kind: str, code: str):
    def decorate(fn):
        REGISTRY[code] = Computation(indicator=code, kind=kind, fn=fn, description=(fn.__doc__ or "").strip())
        return fn
    return decorate


def from_rollups(code: str):
    return _register("rollup", code)


def per_agency(code: str):
    return _register("agency", code)


def snapshot(code: str):
    return _register("snapshot", code)


@dataclass
class Scope:
    """A province (or commune) and everything below it: the units and agencies values are computed for."""

    root: AdministrativeUnit
    units: dict[int, AdministrativeUnit] = field(default_factory=dict)
    agency_unit: dict[int, int] = field(default_factory=dict)  # agency id → unit id
    chains: dict[int, list[int]] = field(default_factory=dict)  # unit id → itself and its ancestors in scope

    @classmethod
    def of(cls, root: AdministrativeUnit) -> "Scope":
        ids = unit_descendant_ids(unit=root)
        units = {u.pk: u for u in AdministrativeUnit.objects.filter(pk__in=ids, valid_to__isnull=True)}
        units[root.pk] = root
        scope = cls(root=root, units=units)
        scope.agency_unit = dict(Agency.objects.filter(unit_id__in=list(units)).values_list("id", "unit_id"))
        for unit_id in units:
            chain, current = [], unit_id
            while current in units:
                chain.append(current)
                if current == root.pk:
                    break
                current = units[current].parent_id
            scope.chains[unit_id] = chain
        return scope

    def fold_counts(self, by_agency: dict[int, dict]) -> dict[int, dict]:
        """Sum per-agency counters into every unit above the agency (its own unit, the commune, the province)."""
        out: dict[int, dict] = defaultdict(lambda: defaultdict(float))
        for agency_id, counts in by_agency.items():
            unit_id = self.agency_unit.get(agency_id)
            if unit_id is None:
                continue
            for target in self.chains.get(unit_id, []):
                bucket = out[target]
                for key, value in counts.items():
                    bucket[key] += value or 0
        return out


# --- dossiers (from the rollups) ------------------------------------------------------------------------------

@from_rollups("cq_ho_so_tthc_truc_tuyen_rate")
def online_share(c: dict) -> Ratio:
    """Dossiers newly received online / all newly received dossiers (online + in person + by post)."""
    return c["received_online"], c["received"]


@from_rollups("cq_tthc_dung_han_rate")
def on_time_share(c: dict) -> Ratio:
    """Dossiers resolved before or on the deadline / all dossiers resolved in the period."""
    return c["resolved_early"] + c["resolved_on_time"], (c["resolved_early"] + c["resolved_on_time"]
                                                         + c["resolved_late"])


@from_rollups("cq_ho_so_so_hoa_rate")
def digitised_share(c: dict) -> Ratio:
    """Newly received dossiers whose papers were digitised / all newly received dossiers."""
    return c["received_digitised"], c["received"]


@from_rollups("cq_tthc_ho_so_truc_tuyen_count")
def online_count(c: dict) -> Ratio:
    """Dossiers newly received online in the period."""
    return c["received_online"], None


@from_rollups("cq_tthc_ho_so_da_giai_quyet_count")
def resolved_count(c: dict) -> Ratio:
    """Dossiers resolved in the period (before, on and after the deadline)."""
    return c["resolved_early"] + c["resolved_on_time"] + c["resolved_late"], None


# --- satisfaction (ratings are few: read directly) ------------------------------------------------------------

@per_agency("cq_hai_long_rate")
def satisfied_share(scope: Scope, period: Period) -> dict[int, Ratio]:
    """Ratings of 4 or 5 (out of 5) / all ratings given in the period, per agency responsible for the dossier."""
    from tinhso.dossiers.models import SatisfactionRating

    from .rollups import day_bounds

    start, _ = day_bounds(period.start)
    _, end = day_bounds(period.end)
    rows = (SatisfactionRating.objects.filter(created_at__gte=start, created_at__lt=end)
            .annotate(stat_agency=_stat_agency("dossier__"))
            .values("stat_agency").annotate(satisfied=Count("id", filter=Q(score__gte=4)), total=Count("id"))
            .order_by())
    return {r["stat_agency"]: (r["satisfied"], r["total"]) for r in rows if r["stat_agency"] in scope.agency_unit}


def _stat_agency(prefix: str = ""):
    from django.db.models.functions import Coalesce

    return Coalesce(f"{prefix}handling_agency_id", f"{prefix}receiving_agency_id")


# --- the catalogue and the registry (snapshots) ---------------------------------------------------------------

def _procedures_by_agency(scope: Scope) -> dict[int, set[int]]:
    from tinhso.procedures.models import Procedure

    through = Procedure.agencies.through
    rows = (through.objects.filter(agency_id__in=list(scope.agency_unit), procedure__is_active=True)
            .values_list("agency_id", "procedure_id"))
    by_agency: dict[int, set[int]] = defaultdict(set)
    for agency_id, procedure_id in rows:
        by_agency[agency_id].add(procedure_id)
    return by_agency


def _procedure_share(scope: Scope, qualifies: set[int]) -> tuple[dict, dict]:
    """Distinct procedures implemented by the agencies of each unit (a procedure counts once per unit)."""
    by_agency = _procedures_by_agency(scope)
    per_unit: dict[int, set[int]] = defaultdict(set)
    for agency_id, procedures in by_agency.items():
        for unit_id in scope.chains.get(scope.agency_unit[agency_id], []):
            per_unit[unit_id] |= procedures
    units = {u: (len(p & qualifies), len(p)) for u, p in per_unit.items() if p}
    agencies = {a: (len(p & qualifies), len(p)) for a, p in by_agency.items() if p}
    return units, agencies


@snapshot("cq_dvc_muc_4_rate")
def full_online_share(scope: Scope) -> tuple[dict, dict]:
    """Procedures offered toàn trình (fully online, NĐ 42/2022) / procedures implemented by the unit's agencies."""
    from tinhso.procedures.choices import OnlineLevel
    from tinhso.procedures.models import Procedure

    full = set(Procedure.objects.filter(is_active=True, online_level=OnlineLevel.FULL).values_list("id", flat=True))
    return _procedure_share(scope, full)


@snapshot("cq_tthc_cong_khai_rate")
def published_completely_share(scope: Scope) -> tuple[dict, dict]:
    """Procedures published with complete information (legal basis, papers, processing time, result) /
    procedures implemented by the unit's agencies."""
    from tinhso.procedures.models import Procedure

    complete = set(Procedure.objects.filter(is_active=True, processing_time__gt=0, papers__isnull=False)
                   .exclude(result="").exclude(legal_basis=[]).values_list("id", flat=True).distinct())
    return _procedure_share(scope, complete)


@snapshot("xh_thon_co_to_cnscd_rate")
def village_team_coverage(scope: Scope) -> tuple[dict, dict]:
    """Villages (thôn, tổ dân phố) with a community digital-technology team / villages of the current communes."""
    communes = [u for u in scope.units.values() if u.level == UnitLevel.COMMUNE]
    teams = dict(DigitalTechTeam.objects.filter(unit_id__in=[c.pk for c in communes]).exclude(village="")
                 .values("unit_id").annotate(n=Count("id")).values_list("unit_id", "n"))
    units = {c.pk: (teams.get(c.pk, 0), c.village_count) for c in communes if c.village_count}
    if scope.root.level != UnitLevel.COMMUNE:
        coverage = digital_team_coverage(unit=scope.root)  # the org app's own definition, for the root
        if coverage["villages"]:
            units[scope.root.pk] = (coverage["village_teams"], coverage["villages"])
    return units, {}


# --- e-documents (the documents app measures itself in tinhso.documents.measures; it never imports this) ------

@per_agency("cq_van_ban_ky_so_rate")
def documents_signed_share(scope: Scope, period: Period) -> dict[int, Ratio]:
    """Outgoing documents issued with the agency's digital signature / all outgoing documents issued."""
    from tinhso.documents.measures import signed_share_by_agency

    return signed_share_by_agency(agency_ids=scope.agency_unit, start=period.start, end=period.end)


@per_agency("cq_van_ban_lien_thong_rate")
def documents_exchanged_share(scope: Scope, period: Period) -> dict[int, Ratio]:
    """Outgoing documents sent electronically (edXML, by identifier code) / all outgoing documents issued."""
    from tinhso.documents.measures import electronic_share_by_agency

    return electronic_share_by_agency(agency_ids=scope.agency_unit, start=period.start, end=period.end)


@snapshot("cq_van_ban_den_xu_ly_ngay_median")
def documents_median_handling_days(scope: Scope) -> tuple[dict, dict]:
    """Median days from registration to completion of incoming documents completed this year (a median is not
    summed: each unit's is computed over the documents of all its agencies)."""
    from datetime import date

    from django.utils import timezone

    from tinhso.documents.measures import handling_days_by_agency, median

    year = timezone.localdate().year
    by_agency = handling_days_by_agency(agency_ids=scope.agency_unit, start=date(year, 1, 1), end=date(year, 12, 31))
    per_unit: dict[int, list[float]] = defaultdict(list)
    for agency_id, days in by_agency.items():
        for unit_id in scope.chains.get(scope.agency_unit[agency_id], []):
            per_unit[unit_id] += days
    return ({u: (median(d), None) for u, d in per_unit.items() if d},
            {a: (median(d), None) for a, d in by_agency.items() if d})


# --- feedback (the feedback app measures itself in tinhso.feedback.measures; it never imports this) ----------

@per_agency("cq_phan_anh_dung_han_rate")
def feedback_on_time_share(scope: Scope, period: Period) -> dict[int, Ratio]:
    """Reports answered by their due time / reports answered (latest official answer in the period)."""
    from tinhso.feedback.measures import on_time_share

    return on_time_share(ids=scope.agency_unit, start=period.start, end=period.end)


@per_agency("cq_phan_anh_hai_long_rate")
def feedback_satisfaction_share(scope: Scope, period: Period) -> dict[int, Ratio]:
    """Reports closed with a rating of 4 or 5 / reports closed with a rating."""
    from tinhso.feedback.measures import satisfaction_share

    return satisfaction_share(ids=scope.agency_unit, start=period.start, end=period.end)


@per_agency("cq_phan_anh_mo_lai_rate")
def feedback_reopen_rate(scope: Scope, period: Period) -> dict[int, Ratio]:
    """Reports first answered in the period and reopened by the citizen / reports first answered."""
    from tinhso.feedback.measures import reopen_rate

    return reopen_rate(ids=scope.agency_unit, start=period.start, end=period.end)


@snapshot("cq_phan_anh_xu_ly_gio_median")
def feedback_median_handling_hours(scope: Scope) -> tuple[dict, dict]:
    """Median office hours from reception to the official answer of reports answered this year (each unit's
    median over the reports of all its agencies)."""
    from tinhso.feedback.measures import handling_hours, median, this_year

    start, end = this_year()
    by_agency = handling_hours(ids=scope.agency_unit, start=start, end=end)
    per_unit: dict[int, list[float]] = defaultdict(list)
    for agency_id, hours in by_agency.items():
        for unit_id in scope.chains.get(scope.agency_unit[agency_id], []):
            per_unit[unit_id] += hours
    return ({u: (median(h), None) for u, h in per_unit.items() if h},
            {a: (median(h), None) for a, h in by_agency.items() if h})


# --- fees paid online (the payments app measures itself in tinhso.payments.measures; it never imports this) -----

@per_agency("cq_ho_so_thanh_toan_truc_tuyen_rate")
def fees_paid_online_share(scope: Scope, period: Period) -> dict[int, Ratio]:
    """Dossiers with fees (bill issued in the period) paid online / dossiers with fees."""
    from tinhso.payments.measures import online_paid_share_by_agency

    return online_paid_share_by_agency(agency_ids=scope.agency_unit, start=period.start, end=period.end)


@per_agency("cq_so_tien_thanh_toan_truc_tuyen")
def fees_amount_paid_online(scope: Scope, period: Period) -> dict[int, Ratio]:
    """Fees and charges paid online (đồng), confirmed by the payment provider in the period."""
    from tinhso.payments.measures import amount_paid_online_by_agency

    amounts = amount_paid_online_by_agency(agency_ids=scope.agency_unit, start=period.start, end=period.end)
    return {agency_id: (amount, None) for agency_id, amount in amounts.items()}
