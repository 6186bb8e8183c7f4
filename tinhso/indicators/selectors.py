"""Every read of indicators, for the API, the reporting pages, the command line and the IOC dashboard.

Visibility: province-level values, targets, frameworks and province rankings are public (the province shows its
progress, as the national portal does for the 766 index). Values below the province (communes, agencies),
commune rankings and unit reports need a role (`can_see_detail`). Reports are visible to the administrators of
the unit (and the units above it).

For the dashboard (all return plain dicts / lists, cheap: they read IndicatorValue, never dossiers):
- indicator_list(*, pillar="", source="") -> QuerySet[Indicator]
- latest_values(*, unit, year=None, user=None, pillar="", include_history=True) -> list[ValueRow]
- value_history(*, indicator, unit, user=None, level=None, kind="") -> list[ValueRow]  (predecessors included)
- breakdown(*, indicator, unit, period, by="commune"|"agency", user=None) -> list[BreakdownRow]
- ranking(*, framework, period, user=None) -> dict with "rows"
- period_choices(*, unit) -> list[{"spec", "label", "kind"}]
A ValueRow is a dict: indicator, name, pillar, unit_of_measure, direction, level, value, numerator, denominator,
period_start, period_end, period (spec), period_label, source, provenance, unit_code, unit_name, is_history,
version, status, status_label, target, target_comparator, target_year, target_2025, target_2030 (each None or
{"year", "comparator", "value", "status", "status_label", "source"}).
"""

from collections import defaultdict
from datetime import date

from django.conf import settings
from django.db.models import Exists, Max, OuterRef, Q, QuerySet

from tinhso.accounts import scoping
from tinhso.accounts.choices import OFFICER_ROLES, Role
from tinhso.core.exceptions import NotFound, PermissionDenied, ValidationError
from tinhso.core.periods import Period
from tinhso.core.replica import replica_reads
from tinhso.org import selectors as org_selectors
from tinhso.org.choices import UnitLevel
from tinhso.org.models import AdministrativeUnit, Agency
from tinhso.org.selectors import home_province

from . import status as status_rules
from .choices import FrameworkKind, PeriodStatus, Pillar, ReportStatus, SourceKind, Status
from .models import (
    Framework,
    Indicator,
    IndicatorValue,
    Ranking,
    ReportEvidence,
    ReportPeriod,
    StatusMargin,
    Target,
    UnitReport,
)

SOURCE_PRIORITY = {SourceKind.COMPUTED: 0, SourceKind.REPORTED: 1, SourceKind.PUBLISHED: 2}
HEADLINE_YEARS = (2025, 2030)


# --- access -----------------------------------------------------------------------------------------------------

DETAIL_ROLES = tuple(r for r in Role.values if r != Role.CITIZEN)


def can_see_detail(user) -> bool:
    """Values below province level need a role (any role but citizen). No query of its own: the user's role
    assignments are read once per request by tinhso.accounts.scoping."""
    if not getattr(user, "is_authenticated", False):
        return False
    return user.is_superuser or scoping.has_role(user, *DETAIL_ROLES)


def detail_unit_ids(user) -> set[int]:
    """Units below the province whose figures the user may open (the API and the IOC pages alike): the units they
    administer (and below), and the unit of each agency they work for (and below: a provincial department follows
    the communes).

    The agencies of administered units lie within those units already, so only the agencies held through an
    officer's role can add units: a province administrator's scope costs no query here. Kept on the user object
    (one request) for the same scoping inputs, so the several readers of one page compute it once."""
    if not can_see_detail(user):
        return set()
    admin_ids = frozenset(scoping.admin_unit_ids(user))
    role_agencies = frozenset(scoping.agency_ids_with_role(user, OFFICER_ROLES))
    memo = getattr(user, "_tinhso_detail_units", None)
    if memo is not None and memo[0] == (admin_ids, role_agencies):
        return set(memo[1])
    ids = set(admin_ids)
    if role_agencies:
        agency_units = set(Agency.objects.filter(pk__in=role_agencies).values_list("unit_id", flat=True))
        for unit in AdministrativeUnit.objects.filter(pk__in=agency_units - ids):
            ids |= org_selectors.unit_descendant_ids(unit=unit)
    try:
        user._tinhso_detail_units = ((admin_ids, role_agencies), frozenset(ids))
    except AttributeError:  # an object that takes no attributes: no memo
        pass
    return ids


def check_unit_visible(user, unit: AdministrativeUnit) -> None:
    """Province figures are public; below, a role (403 without) whose scope covers the unit (404 outside)."""
    if unit.level == UnitLevel.PROVINCE or user is None:  # user None: the system (command line)
        return
    if not can_see_detail(user):
        raise PermissionDenied("Cần đăng nhập với vai trò cán bộ để xem số liệu dưới cấp tỉnh.")
    if unit.pk not in detail_unit_ids(user):
        raise NotFound(f"Không có số liệu của đơn vị “{unit.code}” trong phạm vi được xem.")


def check_agency_visible(user, agency: Agency) -> None:
    if user is None:
        return
    if not can_see_detail(user):
        raise PermissionDenied("Cần đăng nhập với vai trò cán bộ để xem số liệu theo cơ quan.")
    if agency.unit_id not in detail_unit_ids(user):
        raise NotFound(f"Không có cơ quan mã định danh “{agency.identifier_code}” trong phạm vi được xem.")


def unit_by_code(code: str) -> AdministrativeUnit:
    return org_selectors.unit_get(code=code)


def default_unit() -> AdministrativeUnit:
    """The province of the platform: by its configured code, one indexed lookup (every overview request asks)."""
    code = settings.TINHSO_PROVINCE_CODE
    unit = AdministrativeUnit.objects.filter(code=code).first() if code else home_province()
    if unit is None:
        raise NotFound("Chưa cấu hình tỉnh của hệ thống.")
    return unit


def predecessor_units(unit: AdministrativeUnit) -> list[AdministrativeUnit]:
    """Historical units of the same level merged into this one (Thái Bình → Hưng Yên), recursively."""
    found, frontier = [], [unit.pk]
    while frontier:
        batch = list(AdministrativeUnit.objects.filter(merged_into_id__in=frontier, level=unit.level))
        batch = [u for u in batch if u.pk not in {f.pk for f in found} and u.pk != unit.pk]
        found.extend(batch)
        frontier = [u.pk for u in batch]
    return sorted(found, key=lambda u: u.name)


# --- indicators and targets -------------------------------------------------------------------------------------

def indicator_list(*, pillar: str = "", source: str = "") -> QuerySet:
    qs = Indicator.objects.filter(is_active=True)
    if pillar:
        if pillar not in Pillar.values:
            raise ValidationError.for_field("pillar", f"Trụ cột “{pillar}” không hợp lệ; dùng: {', '.join(Pillar.values)}.")
        qs = qs.filter(pillar=pillar)
    if source:
        if source not in SourceKind.values:
            raise ValidationError.for_field("source", f"Nguồn “{source}” không hợp lệ.")
        qs = qs.filter(source_kind=source)
    return qs.order_by("pillar", "position", "code")


def indicator_get(*, code: str) -> Indicator:
    indicator = Indicator.objects.filter(code=code).first()
    if indicator is None:
        raise NotFound(f"Không có chỉ tiêu mã “{code}”.")
    return indicator


def target_list(*, indicator: str = "", unit: str = "", year: int | None = None) -> QuerySet:
    qs = Target.objects.select_related("indicator", "unit")
    if indicator:
        qs = qs.filter(indicator__code=indicator)
    if unit:
        qs = qs.filter(Q(unit__code=unit) | Q(unit__isnull=True))
    if year:
        qs = qs.filter(year=year)
    return qs.order_by("indicator__pillar", "indicator__position", "year", "level")


class TargetBook:
    """All targets and margins in memory (a few hundred rows): status for many values without more queries."""

    def __init__(self, indicator_ids=None):
        qs = Target.objects.all()
        if indicator_ids is not None:
            qs = qs.filter(indicator_id__in=list(indicator_ids))
        self.by_indicator: dict[int, list[Target]] = defaultdict(list)
        for target in qs:
            self.by_indicator[target.indicator_id].append(target)
        margins = dict(StatusMargin.objects.values_list("indicator_id", "relative_percent"))
        self.default_margin = margins.pop(None, status_rules.DEFAULT_MARGIN_PERCENT)
        self.margins = margins

    def applicable(self, *, indicator_id: int, unit: AdministrativeUnit, level: str) -> list[Target]:
        targets = self.by_indicator.get(indicator_id, [])
        own = [t for t in targets if t.unit_id == unit.pk and t.level == (level or "")]
        if own or unit.valid_to is not None:
            # A unit that no longer exists (Thái Bình before 01/07/2025) is judged only by the targets its own
            # resolution set, never by today's generic or sample targets.
            return own
        generic_level = level or unit.level
        return [t for t in targets if t.unit_id is None and t.level == generic_level]

    def pick(self, *, indicator_id: int, unit, level: str, year: int, exact: int | None = None) -> Target | None:
        candidates = self.applicable(indicator_id=indicator_id, unit=unit, level=level)
        if exact is not None:
            return next((t for t in candidates if t.year == exact), None)
        later = sorted((t for t in candidates if t.year >= year), key=lambda t: t.year)
        return later[0] if later else None

    def evaluate(self, *, indicator: Indicator, value: float, year: int, target: Target) -> str:
        spec = status_rules.TargetSpec(year=target.year, comparator=target.comparator, value=target.value,
                                       baseline_value=target.baseline_value, baseline_year=target.baseline_year)
        return status_rules.evaluate(value=value, year=year, target=spec, direction=indicator.direction,
                                     margin_percent=self.margins.get(indicator.pk, self.default_margin))


STATUS_LABELS = {status: status_rules.status_label(status) for status in Status.values}


def _target_dict(book: TargetBook, indicator: Indicator, value: float, year: int, target: Target | None):
    if target is None:
        return None
    status = book.evaluate(indicator=indicator, value=value, year=year, target=target)
    return {"year": target.year, "comparator": target.comparator, "value": target.value, "status": status,
            "status_label": STATUS_LABELS.get(status, ""), "source": target.source}


def value_row(value: IndicatorValue, *, book: TargetBook, owner, is_history: bool = False) -> dict:
    indicator = value.indicator
    year = value.period_end.year
    nearest, headline = None, dict.fromkeys(HEADLINE_YEARS)
    if isinstance(owner, AdministrativeUnit):  # the targets that apply, looked up once for the three picks
        candidates = book.applicable(indicator_id=indicator.pk, unit=owner, level=value.level)
        later = [t for t in candidates if t.year >= year]
        nearest = min(later, key=lambda t: t.year) if later else None
        for y in HEADLINE_YEARS:
            headline[y] = next((t for t in candidates if t.year == y), None)
    nearest_dict = _target_dict(book, indicator, value.value, year, nearest)
    period = Period(value.period_start, value.period_end)
    return {
        "id": value.pk, "indicator": indicator.code, "name": indicator.name, "pillar": indicator.pillar,
        "unit_of_measure": indicator.unit_of_measure, "direction": indicator.direction, "level": value.level or None,
        "value": value.value, "numerator": value.numerator, "denominator": value.denominator,
        "period_start": value.period_start, "period_end": value.period_end, "period": period.spec,
        "period_label": period.label, "source": value.source, "provenance": value.provenance,
        "unit_code": getattr(owner, "code", None) if isinstance(owner, AdministrativeUnit) else None,
        "unit_name": owner.name if owner is not None else None,
        "agency_code": owner.identifier_code if isinstance(owner, Agency) else None,
        "is_history": is_history, "version": value.version,
        "status": nearest_dict["status"] if nearest_dict else None,
        "status_label": nearest_dict["status_label"] if nearest_dict else "",
        "target": nearest.value if nearest else None, "target_comparator": nearest.comparator if nearest else None,
        "target_year": nearest.year if nearest else None,
        "target_2025": _target_dict(book, indicator, value.value, year, headline[2025]),
        "target_2030": _target_dict(book, indicator, value.value, year, headline[2030]),
    }


def _preference(value: IndicatorValue) -> tuple:
    """Latest first; for the same end, the longer period (the year over its last month); computed first."""
    return (value.period_end, value.period_end - value.period_start, -SOURCE_PRIORITY.get(value.source, 9))


# --- values -----------------------------------------------------------------------------------------------------

@replica_reads
def latest_values(*, unit: AdministrativeUnit, year: int | None = None, user=None, pillar: str = "",
                  include_history: bool = True) -> list[dict]:
    """Per indicator (and government level) the latest current value of the unit, with its status against the
    nearest target year and the 2025 / 2030 targets. With `year`, only values whose period ends in that year.
    When the unit has no value of an indicator, the latest value of each predecessor is given as history."""
    check_unit_visible(user, unit)
    owners = [unit] + (predecessor_units(unit) if include_history else [])
    qs = IndicatorValue.objects.filter(unit_id__in=[u.pk for u in owners], is_current=True,
                                       indicator__is_active=True).select_related("indicator")
    if year:
        qs = qs.filter(period_end__gte=date(year, 1, 1), period_end__lte=date(year, 12, 31))
    if pillar:
        qs = qs.filter(indicator__pillar=pillar)
    best: dict[tuple, IndicatorValue] = {}
    for value in qs:
        key = (value.indicator_id, value.level, value.unit_id)
        if key not in best or _preference(value) > _preference(best[key]):
            best[key] = value
    by_id = {u.pk: u for u in owners}
    book = TargetBook({k[0] for k in best})
    own_keys = {(k[0], k[1]) for k in best if k[2] == unit.pk}
    rows = []
    for (indicator_id, level, unit_id), value in best.items():
        if unit_id != unit.pk and (indicator_id, level) in own_keys:
            continue
        rows.append(value_row(value, book=book, owner=by_id[unit_id], is_history=unit_id != unit.pk))
    order = {c: i for i, c in enumerate(Pillar.values)}
    rows.sort(key=lambda r: (order.get(r["pillar"], 9), _position(r["indicator"]), r["level"] or "",
                             r["is_history"], r["unit_name"] or ""))
    return rows


_POSITIONS: dict[str, int] = {}


def _position(code: str) -> int:
    if code not in _POSITIONS:
        _POSITIONS.update(dict(Indicator.objects.values_list("code", "position")))
    return _POSITIONS.get(code, 0)


@replica_reads
def value_history(*, indicator: Indicator, unit: AdministrativeUnit, user=None, level: str | None = None,
                  kind: str = "") -> list[dict]:
    """Every current value of the indicator for the unit and its predecessors, oldest first (the trend).
    `kind` (year, month, …) keeps only periods of that kind."""
    check_unit_visible(user, unit)
    owners = {u.pk: u for u in [unit, *predecessor_units(unit)]}
    qs = IndicatorValue.objects.filter(indicator=indicator, unit_id__in=list(owners), is_current=True)
    if level is not None:
        qs = qs.filter(level=level)
    book = TargetBook([indicator.pk])
    rows = []
    for value in qs.select_related("indicator").order_by("period_end", "period_start"):
        if kind and Period(value.period_start, value.period_end).kind != kind:
            continue
        rows.append(value_row(value, book=book, owner=owners[value.unit_id], is_history=value.unit_id != unit.pk))
    return rows


def value_versions(*, value: IndicatorValue) -> QuerySet:
    return IndicatorValue.objects.filter(series_key=value.series_key).select_related(
        "indicator", "created_by").order_by("version")


def value_get(*, value_id: int, user=None) -> IndicatorValue:
    value = IndicatorValue.objects.select_related("indicator", "unit", "agency").filter(pk=value_id).first()
    if value is None:
        raise NotFound("Không có giá trị chỉ tiêu này.")
    owner_unit = value.unit or (value.agency.unit if value.agency else None)
    if value.agency_id or (owner_unit and owner_unit.level != UnitLevel.PROVINCE):
        if not can_see_detail(user) or (user is not None and owner_unit.pk not in detail_unit_ids(user)):
            raise NotFound("Không có giá trị chỉ tiêu này.")
    return value


def value_list(*, user, unit: str = "", agency: str = "", indicator: str = "", pillar: str = "", level: str = "",
               period: Period | None = None, source: str = "", include_history: bool = False,
               all_versions: bool = False) -> QuerySet:
    """The API's value list: one unit (default: the province) or one agency, filtered."""
    qs = IndicatorValue.objects.select_related("indicator", "unit", "agency")
    if not all_versions:
        qs = qs.filter(is_current=True)
    if agency:
        agency_obj = org_selectors.agency_get(identifier_code=agency)
        check_agency_visible(user, agency_obj)
        qs = qs.filter(agency=agency_obj)
    else:
        unit_obj = unit_by_code(unit) if unit else default_unit()
        check_unit_visible(user, unit_obj)
        ids = [unit_obj.pk] + ([u.pk for u in predecessor_units(unit_obj)] if include_history else [])
        qs = qs.filter(unit_id__in=ids)
    if indicator:
        qs = qs.filter(indicator__code=indicator)
    if pillar:
        if pillar not in Pillar.values:
            raise ValidationError.for_field("pillar", f"Trụ cột “{pillar}” không hợp lệ.")
        qs = qs.filter(indicator__pillar=pillar)
    if level:
        qs = qs.filter(level=level)
    if source:
        qs = qs.filter(source=source)
    if period is not None:
        qs = qs.filter(period_start=period.start, period_end=period.end)
    return qs.order_by("indicator__pillar", "indicator__position", "period_end", "level", "source", "version")


@replica_reads
def breakdown(*, indicator: Indicator, unit: AdministrativeUnit, period: Period, by: str = "commune",
              user=None) -> list[dict]:
    """The indicator for the communes (or the agencies) of the unit in the period, with their status."""
    if by not in ("commune", "agency"):
        raise ValidationError.for_field("by", "Chia theo “commune” (xã) hoặc “agency” (cơ quan).")
    if not can_see_detail(user) and user is not None:
        raise PermissionDenied("Cần đăng nhập với vai trò cán bộ để xem số liệu chi tiết.")
    values = IndicatorValue.objects.filter(indicator=indicator, is_current=True, period_start=period.start,
                                           period_end=period.end)
    check_unit_visible(user, unit)
    units = AdministrativeUnit.objects.filter(parent=unit, valid_to__isnull=True)
    agencies = Agency.objects.filter(unit=unit)
    if user is not None:  # only the communes and agencies within the user's scope, as on the IOC pages
        visible = detail_unit_ids(user)
        units, agencies = units.filter(pk__in=visible), agencies.filter(unit_id__in=visible)
    if by == "commune":
        owners = {u.pk: u for u in units}
        values = values.filter(unit_id__in=list(owners))
        owner_of = "unit_id"
    else:
        owners = {a.pk: a for a in agencies.select_related("unit")}
        values = values.filter(agency_id__in=list(owners))
        owner_of = "agency_id"
    best: dict[int, IndicatorValue] = {}
    for value in values:
        key = getattr(value, owner_of)
        if key not in best or _preference(value) > _preference(best[key]):
            best[key] = value
    book = TargetBook([indicator.pk])
    rows = []
    for owner_id, value in best.items():
        owner = owners[owner_id]
        value.indicator = indicator  # the one indicator of every row: no join, no copy per row
        row = value_row(value, book=book, owner=owner if by == "commune" else owner.unit)
        row.update({"key": owner.code if by == "commune" else owner.identifier_code, "name": owner.name,
                    "indicator_name": indicator.name})
        if by == "agency":
            row["agency_code"] = owner.identifier_code
        rows.append(row)
    reverse = indicator.direction != "lower"
    rows.sort(key=lambda r: (-r["value"] if reverse else r["value"], r["name"]))
    return rows


def period_choices(*, unit: AdministrativeUnit) -> list[dict]:
    """Periods with values for the unit (and its predecessors), newest first."""
    ids = [unit.pk] + [u.pk for u in predecessor_units(unit)]
    pairs = (IndicatorValue.objects.filter(unit_id__in=ids, is_current=True).order_by()  # distinct pairs only
             .values_list("period_start", "period_end").distinct())
    periods = sorted({Period(s, e) for s, e in pairs}, key=lambda p: (p.end, p.end - p.start), reverse=True)
    return [{"spec": p.spec, "label": p.label, "kind": p.kind} for p in periods]


@replica_reads
def status_list(*, unit: AdministrativeUnit, year: int, user=None) -> list[dict]:
    """The command line's `indicators status`: one object per indicator (× level) with a value in the year."""
    rows = latest_values(unit=unit, year=year, user=user)
    return [{"indicator": r["indicator"], "name": r["name"], "level": r["level"], "unit": r["unit_code"],
             "period": r["period"], "value": r["value"], "target": r["target"], "comparator": r["target_comparator"],
             "target_year": r["target_year"], "status": r["status"], "source": r["source"]} for r in rows]


# --- frameworks and rankings ------------------------------------------------------------------------------------

def framework_list() -> QuerySet:
    return Framework.objects.order_by("code")


def framework_get(*, code: str) -> Framework:
    framework = Framework.objects.filter(code=code).first()
    if framework is None:
        raise NotFound(f"Không có bộ chỉ số “{code}”.")
    return framework


def framework_tree(*, framework: Framework) -> list[dict]:
    components = list(framework.components.select_related("indicator").order_by("position"))
    children = defaultdict(list)
    for c in components:
        children[c.parent_id].append(c)

    def node(c):
        return {"code": c.code, "name": c.name, "points": c.points, "method": c.method, "level": c.level or None,
                "indicator": c.indicator.code if c.indicator else None, "target_value": c.target_value,
                "formula": c.formula, "children": [node(k) for k in children[c.pk]]}
    return [node(c) for c in children[None]]


MIN_RANKED_UNITS = 2  # a rank among fewer units says nothing ("1/1")
ESTIMATE_NOTE = ("Điểm ước tính từ số liệu trên nền tảng, không phải kết quả chính thức do cơ quan có thẩm quyền "
                 "công bố; thành phần chưa có số liệu được tính 0 điểm.")


def scored_components(framework: Framework) -> list[str]:
    """Codes of the components that take a value (the leaves of the framework's tree)."""
    components = list(framework.components.values_list("pk", "parent_id", "code", "method"))
    parents = {parent for _, parent, _, _ in components if parent is not None}
    return [code for pk, _, code, method in components if pk not in parents and method != "group"]


@replica_reads
def ranking(*, framework: Framework, period: Period, user=None) -> dict:
    """A framework's scores for the period. An index (QĐ 766, DTI) scored here is an estimate from the platform's
    own data: each row says how many of the framework's components had a value, and no rank is given when fewer
    than two units have a score."""
    if framework.level != UnitLevel.PROVINCE and user is not None and not can_see_detail(user):
        raise PermissionDenied("Cần đăng nhập với vai trò cán bộ để xem xếp hạng dưới cấp tỉnh.")
    rows = list(Ranking.objects.filter(framework=framework, period_start=period.start, period_end=period.end)
                .select_related("unit").order_by("rank", "unit__name"))
    leaves = scored_components(framework)
    ranked = len(rows) >= MIN_RANKED_UNITS
    is_estimate = framework.kind == FrameworkKind.INDEX
    out = []
    for r in rows:
        missing = set((r.details or {}).get("missing") or [])
        scored = sum(1 for code in leaves if code not in missing)
        if ranked:
            label = f"xếp thứ {r.rank}/{r.out_of}"
        else:
            label = f"chưa xếp hạng (chỉ {len(rows)} đơn vị có điểm)"
        out.append({"unit_code": r.unit.code, "unit_name": r.unit.name, "score": r.score,
                    "rank": r.rank if ranked else None, "out_of": r.out_of if ranked else None, "label": label,
                    "details": r.details, "components_scored": scored, "components_total": len(leaves),
                    "coverage_label": f"{scored}/{len(leaves)} thành phần có số liệu"})
    return {"framework": framework.code, "name": framework.name, "max_points": framework.max_points,
            "period": period.spec, "period_label": period.label, "is_estimate": is_estimate,
            "note": ESTIMATE_NOTE if is_estimate else "", "ranked": ranked, "rows": out}


def ranking_periods(*, framework: Framework) -> list[dict]:
    pairs = Ranking.objects.filter(framework=framework).order_by().values_list("period_start", "period_end").distinct()
    return [{"spec": p.spec, "label": p.label} for p in sorted({Period(s, e) for s, e in pairs},
                                                               key=lambda p: p.end, reverse=True)]


# --- reporting --------------------------------------------------------------------------------------------------

def _require_reporting_role(user) -> None:
    if not scoping.admin_unit_ids(user):
        raise PermissionDenied("Chỉ quản trị đơn vị hoặc quản trị cấp tỉnh được xem báo cáo chỉ tiêu.")


def report_period_list(*, user, status: str = "") -> QuerySet:
    _require_reporting_role(user)
    qs = ReportPeriod.objects.select_related("form")
    if status:
        if status not in PeriodStatus.values:
            raise ValidationError.for_field("status", "Trạng thái kỳ báo cáo không hợp lệ.")
        qs = qs.filter(status=status)
    return qs.order_by("-period_end", "form__code")


def report_period_get(*, user, period_id: int) -> ReportPeriod:
    _require_reporting_role(user)
    period = ReportPeriod.objects.select_related("form").filter(pk=period_id).first()
    if period is None:
        raise NotFound("Không có kỳ báo cáo này.")
    return period


def report_list(*, user, period_id: int | None = None, status: str = "", unit: str = "") -> QuerySet:
    _require_reporting_role(user)
    unit_ids = scoping.admin_unit_ids(user)
    qs = UnitReport.objects.filter(unit_id__in=unit_ids).select_related("period__form", "unit", "submitted_by",
                                                                        "reviewed_by")
    if period_id:
        qs = qs.filter(period_id=period_id)
    if status:
        if status not in ReportStatus.values:
            raise ValidationError.for_field("status", "Trạng thái báo cáo không hợp lệ.")
        qs = qs.filter(status=status)
    if unit:
        qs = qs.filter(unit__code=unit)
    return qs.order_by("-period__period_end", "unit__code")


def report_get(*, user, report_id: int) -> UnitReport:
    report = (UnitReport.objects.select_related("period__form", "unit", "submitted_by", "reviewed_by")
              .filter(pk=report_id).first())
    if report is None or not scoping.can_manage_unit(user, report.unit):
        raise NotFound("Không có báo cáo này.")
    return report


def evidence_get(*, user, report: UnitReport, evidence_id: int) -> ReportEvidence:
    evidence = ReportEvidence.objects.filter(pk=evidence_id, report=report).first()
    if evidence is None:
        raise NotFound("Không có tệp minh chứng này.")
    return evidence


def report_detail(*, report: UnitReport) -> dict:
    """The form's indicators with the values entered so far (for the page and the API)."""
    entered = {(v.indicator_id, v.level): v for v in report.values.all()}
    items = []
    for indicator in report.period.form.indicators.order_by("pillar", "position"):
        levels = [report.unit.level] if indicator.level_scoped else [""]
        for level in levels:
            value = entered.get((indicator.pk, level))
            items.append({"indicator": indicator.code, "name": indicator.name, "unit_of_measure":
                          indicator.unit_of_measure, "max_value": indicator.max_value, "level": level or None,
                          "value": value.value if value else None,
                          "numerator": value.numerator if value else None,
                          "denominator": value.denominator if value else None,
                          "note": value.note if value else ""})
    return {"items": items, "evidence": list(report.evidence.all())}


def completeness(*, period: ReportPeriod) -> dict:
    """Units that must report (current units of the form's level in the province) and where they stand."""
    from .services import is_on_time

    province = home_province()
    units = AdministrativeUnit.objects.filter(level=period.form.unit_level, valid_to__isnull=True)
    if province is not None:
        units = units.filter(pk=province.pk) if period.form.unit_level == UnitLevel.PROVINCE else \
            units.filter(parent=province)
    reports = {r.unit_id: r for r in period.reports.all()}
    rows, submitted, on_time, approved = [], 0, 0, 0
    for unit in units.order_by("code"):
        report = reports.get(unit.pk)
        sent = report is not None and report.submitted_at is not None
        submitted += sent
        on_time += sent and is_on_time(report)
        approved += report is not None and report.status == ReportStatus.APPROVED
        rows.append({"unit_code": unit.code, "unit_name": unit.name,
                     "status": report.status if report else None,
                     "status_label": report.get_status_display() if report else "Chưa lập",
                     "submitted_at": report.submitted_at if report else None,
                     "on_time": bool(sent and is_on_time(report))})
    total = len(rows)
    return {"period_id": period.pk, "label": period.label, "deadline": period.deadline, "expected": total,
            "submitted": submitted, "submitted_on_time": on_time, "approved": approved,
            "summary": f"{on_time}/{total} đơn vị gửi báo cáo đúng hạn", "units": rows}


# --- change since the previous period (the IOC tiles) --------------------------------------------------------

def with_changes(rows: list[dict]) -> list[dict]:
    """Add to each value row the value of the same series in the previous period of the same kind (the month
    before a month, the year before a year): `previous_value`, `previous_period_label`, `change` (or None)."""
    if not rows:
        return rows
    unit_codes = {r["unit_code"] for r in rows if r.get("unit_code")}
    qs = IndicatorValue.objects.filter(
        unit__code__in=unit_codes, agency__isnull=True, is_current=True,
        indicator__code__in={r["indicator"] for r in rows}).values_list(
        "indicator__code", "unit__code", "level", "period_start", "period_end", "source", "value")
    series: dict[tuple, list[tuple]] = defaultdict(list)
    for code, unit_code, level, start, end, source, value in qs:
        series[(code, unit_code, level or "", Period(start, end).kind)].append((end, start, source, value))
    for row in rows:
        kind = Period(row["period_start"], row["period_end"]).kind
        earlier = [v for v in series.get((row["indicator"], row["unit_code"], row["level"] or "", kind), [])
                   if v[0] < row["period_start"]]
        previous = max(earlier, key=lambda v: (v[0], -SOURCE_PRIORITY.get(v[2], 9)), default=None)
        if previous is None:
            row.update(previous_value=None, previous_period_label="", change=None)
        else:
            row.update(previous_value=previous[3], previous_period_label=Period(previous[1], previous[0]).label,
                       change=row["value"] - previous[3])
    return rows


def values_version() -> int:
    """A cheap version of the set of stored values (the latest row id, read from the primary key's index): every
    new value, new version or new period adds a row, so what depends only on which (indicator, unit, period)
    values exist, not on the figures, may be kept under it. Figures updated in place do not change it."""
    return IndicatorValue.objects.aggregate(latest=Max("id"))["latest"] or 0


def commune_indicator_choices(*, unit: AdministrativeUnit) -> list[Indicator]:
    """Indicators with a current value for at least one commune of the unit (what the commune map can show): one
    indexed probe per indicator (stops at its first commune value), not a scan of every commune's values."""
    commune_ids = AdministrativeUnit.objects.filter(parent=unit, valid_to__isnull=True).values("pk")
    has_commune_value = IndicatorValue.objects.filter(indicator=OuterRef("pk"), unit_id__in=commune_ids,
                                                      is_current=True)
    return list(Indicator.objects.filter(Exists(has_commune_value), is_active=True)
                .order_by("pillar", "position", "code"))


def latest_commune_period(*, indicator: Indicator, unit: AdministrativeUnit, year: int | None = None) -> Period | None:
    """The latest period in which communes of the unit have a value of the indicator (the year before its
    months: the longer period for the same end)."""
    commune_ids = AdministrativeUnit.objects.filter(parent=unit, valid_to__isnull=True).values("pk")
    qs = IndicatorValue.objects.filter(indicator=indicator, unit_id__in=commune_ids, is_current=True)
    if year:
        qs = qs.filter(period_end__gte=date(year, 1, 1), period_end__lte=date(year, 12, 31))
    pairs = set(qs.order_by().values_list("period_start", "period_end").distinct())  # no ordering columns
    if not pairs:
        return None
    start, end = max(pairs, key=lambda p: (p[1], p[1] - p[0]))
    return Period(start, end)
