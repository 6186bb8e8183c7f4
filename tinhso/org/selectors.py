"""Reads of the unit registry. Units and agencies are public information (the registry is published)."""

from dataclasses import dataclass

from django.conf import settings
from django.db.models import Case, Count, IntegerField, Q, QuerySet, Value, When

from tinhso.core.exceptions import NotFound, ValidationError
from tinhso.core.text import query_words

from . import official_data
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
    """Units of the same level merged into this one on 01/07/2025 (provinces into a province, communes into a
    commune; the districts, abolished, are merged into their successor province too but not listed)."""
    return unit.predecessors.filter(level=unit.level).order_by("name")


def unit_successor(*, unit: AdministrativeUnit) -> AdministrativeUnit:
    """The current unit a unit is, or became part of (itself when current)."""
    seen = set()
    while not unit.is_current and unit.merged_into_id and unit.pk not in seen:
        seen.add(unit.pk)
        unit = AdministrativeUnit.objects.select_related("parent", "merged_into").get(pk=unit.merged_into_id)
    return unit


_LEVEL_BY_CODE_LENGTH = {2: UnitLevel.PROVINCE, 3: UnitLevel.DISTRICT, 5: UnitLevel.COMMUNE}


def unit_by_old_code(*, code: str) -> AdministrativeUnit | None:
    """A unit named by a code of before 01/07/2025: `cu-12345`, or a bare GSO code (12345 commune, 123
    district, 12 province), read as the unit that carried it on 30/06/2025, else as a current unit."""
    code = (code or "").strip()
    qs = AdministrativeUnit.objects.select_related("parent", "merged_into")
    if code.lower().startswith("cu-"):
        return qs.filter(code="cu-" + code[3:]).first()
    level = _LEVEL_BY_CODE_LENGTH.get(len(code))
    if level and code.isdigit():
        unit = qs.filter(official_code=code, level=level, valid_to__isnull=False).order_by("-valid_to").first()
        if unit is not None:
            return unit
    return qs.filter(code=code).first()


def unit_convert(*, code: str = "", address: str = "") -> dict:
    """What a pre-2025 code or address is today: {"source": unit named, "successor": current unit, ...}."""
    code, address = (code or "").strip(), (address or "").strip()
    if bool(code) == bool(address):
        raise ValidationError.for_field("code", "Hãy nhập đúng một trong hai: mã đơn vị (code) hoặc địa chỉ (address).")
    if code:
        source = unit_by_old_code(code=code)
        if source is None:
            raise NotFound(f"Không có đơn vị hành chính mã “{code}”, kể cả trước 01/07/2025.")
        matched_by = "code"
    else:
        parsed = official_data.parse_address(address)
        source = None
        if parsed.legacy_commune_code:
            source = unit_by_old_code(code=parsed.legacy_commune_code)
        elif parsed.current_commune_code:
            source = AdministrativeUnit.objects.select_related("parent", "merged_into").filter(
                code=parsed.current_commune_code, valid_to__isnull=True).first()
        if source is None:
            raise NotFound(f"Không nhận ra xã, phường, thị trấn nào trong địa chỉ “{address[:200]}”.")
        matched_by = "address"
    successor = unit_successor(unit=source)
    return {"query": code or address, "matched_by": matched_by, "source": source, "successor": successor}


def commune_code_lookup() -> dict[str, int]:
    """Every commune code an import may meet → id of the current commune it means, for validating files in bulk
    (one query): current codes, `cu-` codes and the bare codes of 30/06/2025 (a bare code that is also a current
    code means the current commune, as in `commune_resolve`)."""
    lookup: dict[str, int] = {}
    current: dict[str, int] = {}
    rows = AdministrativeUnit.objects.filter(level=UnitLevel.COMMUNE).values_list(
        "code", "official_code", "id", "valid_to", "merged_into_id")
    for code, official_code, pk, valid_to, successor_id in rows:
        if valid_to is None:
            current[code] = pk
        elif successor_id is not None:
            lookup[code] = successor_id
            lookup.setdefault(official_code, successor_id)
    lookup.update(current)
    return lookup


@dataclass(frozen=True)
class CommuneCodes:
    """What a file's commune codes name, for validating an import in bulk (one query).

    `units`: code → id of the commune the code names, kept as named so history stays as recorded: a current code
    its current commune; `cu-<GSO>` and a bare code of 30/06/2025 that is no current code, the historical commune.
    `successors`: unit id → id of the current commune it counts for (itself when current).
    `ambiguous`: bare codes that are a current commune's code and also an old commune's that went to another
    commune → (the current commune's name, the old commune's name, its successor's name). Such a code reads as the
    current commune (as in `commune_resolve`); `cu-` names the old one."""

    units: dict[str, int]
    successors: dict[int, int]
    ambiguous: dict[str, tuple[str, str, str]]


def commune_codes() -> CommuneCodes:
    rows = list(AdministrativeUnit.objects.filter(level=UnitLevel.COMMUNE).values_list(
        "id", "code", "official_code", "name", "valid_to", "merged_into_id"))
    names = {pk: name for pk, _, _, name, _, _ in rows}
    units, successors, old_bare = {}, {}, {}
    for pk, code, official_code, _, valid_to, successor_id in rows:
        if valid_to is None:
            successors[pk] = pk
        elif successor_id is not None:
            units[code] = pk
            successors[pk] = successor_id
            old_bare.setdefault(official_code, pk)
    current = {code: pk for pk, code, _, _, valid_to, _ in rows if valid_to is None}
    ambiguous = {code: (names[current[code]], names[old], names[successors[old]])
                 for code, old in old_bare.items() if code in current and successors[old] != current[code]}
    units.update({code: pk for code, pk in old_bare.items() if code not in current})
    units.update(current)
    return CommuneCodes(units=units, successors=successors, ambiguous=ambiguous)


def commune_resolve(*, code: str) -> AdministrativeUnit | None:
    """The current commune for a commune code an import or an old system gives: a current code as is, a
    pre-2025 code (bare or `cu-`) as the 2025 commune it was merged into. None when unknown."""
    code = (code or "").strip()
    current = AdministrativeUnit.objects.filter(code=code, level=UnitLevel.COMMUNE, valid_to__isnull=True).first()
    if current is not None and not code.lower().startswith("cu-"):
        return current
    unit = unit_by_old_code(code=code)
    if unit is None or unit.level != UnitLevel.COMMUNE:
        return None
    successor = unit_successor(unit=unit)
    return successor if successor.is_current and successor.level == UnitLevel.COMMUNE else None


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
