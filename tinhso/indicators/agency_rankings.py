"""Rankings of agencies: the provincial departments, boards and branches (sở, ban, ngành) and the communes'
People's Committees, each group ranked among itself, on the framework's components that agencies have values for.

Units are ranked from stored Ranking rows (frameworks.framework_rank); agencies are scored on demand from their
own computed values (IndicatorValue.agency: the dossiers of the agency responsible for them, its catalogue, its
documents), with the same honesty rules as the communes: an index scored here is an estimate from the platform's
own data and says so, each row shows how many components had a value, and no rank is given when fewer than two
agencies of the group have a score. Ties share a rank (1, 2, 2, 4). Beside the score, the agencies' own values of
the indicators outside the framework that agencies have (digitally signed and electronically sent documents).
"""

from tinhso.core.exceptions import PermissionDenied, ValidationError
from tinhso.core.periods import Period
from tinhso.core.replica import replica_reads
from tinhso.org.choices import AgencyKind
from tinhso.org.models import Agency

from . import frameworks, selectors
from .choices import FrameworkKind
from .models import Framework, Indicator, IndicatorValue

# The two groups provinces rank separately: a department is not compared with a commune's committee.
GROUPS = {
    "so-nganh": ("Sở, ban, ngành", [AgencyKind.DEPARTMENT, AgencyKind.CENTRAL_BRANCH]),
    "ubnd-xa": ("Ủy ban nhân dân cấp xã", [AgencyKind.COMMUNE_COMMITTEE]),
}
DEFAULT_GROUP = "so-nganh"
# Indicators outside the framework with per-agency values, shown (and sortable) beside the score.
EXTRA_INDICATORS = ["cq_van_ban_ky_so_rate", "cq_van_ban_lien_thong_rate"]


def _group(group: str) -> tuple[str, list[str]]:
    if group not in GROUPS:
        raise ValidationError.for_field("group", f"Nhóm cơ quan “{group[:40]}” không hợp lệ; dùng: "
                                                 f"{', '.join(GROUPS)}.")
    return GROUPS[group]


def _framework_indicator_ids(framework: Framework) -> set[int]:
    return set(framework.components.filter(indicator__isnull=False).values_list("indicator_id", flat=True))


def agency_ranking_periods(*, framework: Framework) -> list[Period]:
    """The periods (years, halves, quarters; latest first) for which agencies have values of the framework."""
    pairs = (IndicatorValue.objects.filter(agency__isnull=False, is_current=True,
                                           indicator_id__in=_framework_indicator_ids(framework))
             .values_list("period_start", "period_end").distinct())
    periods = {Period(start, end) for start, end in pairs}
    return sorted((p for p in periods if p.kind != "month"), key=lambda p: (p.end, p.start), reverse=True)


def _ranks(scores: dict[int, dict]) -> dict[int, int]:
    ordered = sorted(scores.items(), key=lambda item: -item[1]["score"])
    ranks, previous, rank = {}, None, 0
    for position, (agency_id, result) in enumerate(ordered, start=1):
        if result["score"] != previous:
            rank, previous = position, result["score"]
        ranks[agency_id] = rank
    return ranks


def _scored(framework: Framework, period: Period, agencies: list[Agency]) -> tuple[dict, dict]:
    scores = frameworks.score_agencies(framework, period, agencies)
    return scores, _ranks(scores)


@replica_reads
def agency_ranking(*, framework: Framework, period: Period, user, group: str = DEFAULT_GROUP) -> dict:
    """One group of agencies scored and ranked on the framework for the period, with the change in rank since
    the previous period of the same kind. Needs a staff role; the rank is among every agency of the group, the
    rows are those the user may see (as the communes' ranking)."""
    if user is not None and not selectors.can_see_detail(user):
        raise PermissionDenied("Cần đăng nhập với vai trò cán bộ để xem xếp hạng cơ quan.")
    group_label, kinds = _group(group)
    agencies = list(Agency.objects.filter(kind__in=kinds).select_related("unit").order_by("identifier_code"))
    scores, ranks = _scored(framework, period, agencies)
    ranked = len(scores) >= selectors.MIN_RANKED_UNITS
    earlier = [p for p in agency_ranking_periods(framework=framework)
               if p.kind == period.kind and p.end < period.start]
    previous_ranks, previous_label = {}, ""
    if earlier:
        previous_scores, previous_ranks = _scored(framework, earlier[0], agencies)
        previous_label = earlier[0].label
        if len(previous_scores) < selectors.MIN_RANKED_UNITS:
            previous_ranks = {}
    extra = list(Indicator.objects.filter(code__in=EXTRA_INDICATORS, is_active=True).order_by("position"))
    extra_values = frameworks.period_values(agencies, [i.pk for i in extra], period, "agency")
    leaves = selectors.scored_components(framework)
    visible = None if user is None or user.is_superuser else selectors.detail_unit_ids(user)
    is_estimate = framework.kind == FrameworkKind.INDEX
    rows = []
    for agency in agencies:
        result = scores.get(agency.pk)
        values = {i.code: extra_values.get((agency.pk, i.pk, "")) for i in extra}
        if result is None and all(v is None for v in values.values()):
            continue  # nothing measured for this agency in the period
        if visible is not None and agency.unit_id not in visible:
            continue
        missing = set(result["missing"]) if result else set(leaves)
        scored = sum(1 for code in leaves if code not in missing)
        rank = ranks.get(agency.pk) if ranked else None
        before = previous_ranks.get(agency.pk)
        if result is None:
            label = "chưa có điểm (không thành phần nào có số liệu)"
        elif ranked:
            label = f"xếp thứ {rank}/{len(scores)}"
        else:
            label = f"chưa xếp hạng (chỉ {len(scores)} cơ quan có điểm)"
        rows.append({
            "agency_code": agency.identifier_code, "agency_name": agency.name, "kind": agency.kind,
            "unit_code": agency.unit.code, "unit_name": agency.unit.name,
            "score": result["score"] if result else None, "rank": rank, "out_of": len(scores) if ranked else None,
            "label": label, "change": (before - rank) if before and rank else None,
            "components": result["components"] if result else {}, "components_scored": scored,
            "components_total": len(leaves), "coverage_label": f"{scored}/{len(leaves)} thành phần có số liệu",
            "values": values})
    rows.sort(key=lambda r: (r["rank"] is None, r["rank"] or 0, -(r["score"] or 0), r["agency_name"]))
    return {"framework": framework.code, "name": framework.name, "max_points": framework.max_points,
            "group": group, "group_label": group_label, "period": period.spec, "period_label": period.label,
            "previous_period_label": previous_label, "is_estimate": is_estimate,
            "note": selectors.ESTIMATE_NOTE if is_estimate else "", "ranked": ranked, "scored": len(scores),
            "indicators": [{"code": i.code, "name": i.name, "unit_of_measure": i.unit_of_measure} for i in extra],
            "rows": rows}

