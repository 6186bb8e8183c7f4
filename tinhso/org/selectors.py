"""Reads of the unit registry. Units and agencies are public information (the registry is published)."""

from django.conf import settings
from django.db.models import Case, Count, IntegerField, Q, QuerySet, Value, When

from tinhso.core.exceptions import NotFound, ValidationError
from tinhso.core.text import query_words

from .choices import UnitLevel
from .filters import word_prefix_search
from .models import AdministrativeUnit, Agency, DigitalTechTeam

_LEVEL_ORDER = {UnitLevel.PROVINCE: 0, UnitLevel.DISTRICT: 1, UnitLevel.COMMUNE: 2}


def unit_list(*, search: str = "", parent: str = "", level: str = "", include_historical: bool = False) -> QuerySet:
    qs = AdministrativeUnit.objects.select_related("parent", "merged_into")
    if not include_historical:
        qs = qs.filter(valid_to__isnull=True)
    if level:
        if level not in UnitLevel.values:
            raise ValidationError.for_field("level", f"Cấp “{level}” không hợp lệ; dùng: {', '.join(UnitLevel.values)}.")
        qs = qs.filter(level=level)
    if parent:
        parent_unit = AdministrativeUnit.objects.filter(code=parent).first()
        if parent_unit is None:
            raise NotFound(f"Không có đơn vị hành chính mã “{parent}”.")
        qs = qs.filter(parent=parent_unit)
    ordering = ["code"]
    if query_words(search):
        qs = word_prefix_search(qs, search)
        ordering = ["search_rank", "level_rank", "valid_to", "name"]
        qs = qs.annotate(level_rank=Case(*[When(level=lvl, then=Value(rank)) for lvl, rank in _LEVEL_ORDER.items()],
                                         output_field=IntegerField()))
    return qs.annotate(children_count=Count("children", filter=Q(children__valid_to__isnull=True))).order_by(*ordering)


def unit_get(*, code: str) -> AdministrativeUnit:
    unit = (AdministrativeUnit.objects.select_related("parent", "merged_into")
            .annotate(children_count=Count("children", filter=Q(children__valid_to__isnull=True)))
            .filter(code=code).first())
    if unit is None:
        raise NotFound(f"Không có đơn vị hành chính mã “{code}”.")
    return unit


def unit_children(*, unit: AdministrativeUnit) -> QuerySet:
    return unit.children.filter(valid_to__isnull=unit.is_current).order_by("name")


def unit_predecessors(*, unit: AdministrativeUnit) -> QuerySet:
    return unit.predecessors.filter(level=UnitLevel.PROVINCE).order_by("name")


def unit_descendant_ids(*, unit: AdministrativeUnit) -> set[int]:
    """The unit and every unit below it (province → district → commune)."""
    ids, frontier = {unit.pk}, [unit.pk]
    while frontier:
        frontier = list(AdministrativeUnit.objects.filter(parent_id__in=frontier).values_list("id", flat=True))
        ids.update(frontier)
    return ids


def home_province() -> AdministrativeUnit | None:
    code = settings.TINHSO_PROVINCE_CODE or _provisioned_province_code()
    if not code:
        return None
    return AdministrativeUnit.objects.annotate(
        children_count=Count("children", filter=Q(children__valid_to__isnull=True))).filter(code=code).first()


def _provisioned_province_code() -> str:
    """The province whose UBND tỉnh is registered (the one `tinhso demo` provisioned)."""
    agency = Agency.objects.filter(kind="ubnd_tinh").select_related("unit").order_by("id").first()
    return agency.unit.code if agency else ""


def agency_list(*, search: str = "", unit: str = "", kind: str = "", parent: str = "") -> QuerySet:
    qs = Agency.objects.select_related("unit", "parent")
    if unit:
        unit_obj = AdministrativeUnit.objects.filter(code=unit).first()
        if unit_obj is None:
            raise NotFound(f"Không có đơn vị hành chính mã “{unit}”.")
        qs = qs.filter(unit_id__in=unit_descendant_ids(unit=unit_obj))
    if kind:
        qs = qs.filter(kind=kind)
    if parent:
        qs = qs.filter(parent__identifier_code=parent.upper())
    if query_words(search):
        return word_prefix_search(qs, search).order_by("search_rank", "identifier_code")
    return qs.order_by("identifier_code")


def agency_get(*, identifier_code: str) -> Agency:
    agency = Agency.objects.select_related("unit", "parent").filter(identifier_code=identifier_code.upper()).first()
    if agency is None:
        raise NotFound(f"Không có cơ quan mã định danh “{identifier_code}”.")
    return agency


def agency_descendant_ids(*, agency_ids: set[int]) -> set[int]:
    ids, frontier = set(agency_ids), list(agency_ids)
    while frontier:
        frontier = [i for i in Agency.objects.filter(parent_id__in=frontier).values_list("id", flat=True)
                    if i not in ids]
        ids.update(frontier)
    return ids


def digital_team_coverage(*, unit: AdministrativeUnit) -> dict:
    """Villages covered by a community digital-technology team, over the unit and the communes below it."""
    unit_ids = unit_descendant_ids(unit=unit)
    communes = AdministrativeUnit.objects.filter(id__in=unit_ids, level=UnitLevel.COMMUNE, valid_to__isnull=True)
    villages = sum(v or 0 for v in communes.values_list("village_count", flat=True))
    teams = DigitalTechTeam.objects.filter(unit_id__in=unit_ids)
    village_teams = teams.exclude(village="").count()
    commune_teams = teams.filter(village="").count()
    members = sum(teams.values_list("member_count", flat=True))
    return {
        "communes": communes.count(), "commune_teams": commune_teams, "villages": villages,
        "village_teams": village_teams, "members": members,
        "coverage_percent": round(100 * village_teams / villages, 1) if villages else None,
    }


def digital_team_list(*, unit: AdministrativeUnit) -> QuerySet:
    return DigitalTechTeam.objects.filter(unit_id__in=unit_descendant_ids(unit=unit)).select_related("unit")
