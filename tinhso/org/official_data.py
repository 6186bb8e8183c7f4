"""Readers for the official unit lists shipped by `vietnam-provinces` (2025) and `vietnamadminunits` (legacy)."""

import json
import sqlite3
from contextlib import closing
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import vietnam_provinces
import vietnamadminunits

from tinhso.core.text import fold

from .choices import UnitLevel, UnitType

_PROVINCE_TYPES = {"tỉnh": UnitType.PROVINCE, "thành phố trung ương": UnitType.CENTRAL_CITY}
_WARD_TYPES = {"xã": UnitType.COMMUNE, "phường": UnitType.WARD, "đặc khu": UnitType.SPECIAL_ZONE,
               "thị trấn": UnitType.TOWNSHIP}
_DISTRICT_TYPES = {"huyện": UnitType.DISTRICT, "quận": UnitType.URBAN_DISTRICT, "thị xã": UnitType.TOWN,
                   "thành phố": UnitType.PROVINCIAL_CITY}


@dataclass(frozen=True)
class OfficialUnit:
    code: str
    name: str
    short_name: str
    level: str
    unit_type: str
    parent_code: str | None
    latitude: float | None = None
    longitude: float | None = None
    area_km2: float | None = None


def _code(value: int | str, width: int) -> str:
    return str(value).zfill(width)


def _strip_prefix(name: str, prefixes) -> str:
    for p in sorted(prefixes, key=len, reverse=True):
        if name.lower().startswith(p + " "):
            return name[len(p) + 1:]
    return name


def _data_dir() -> Path:
    return Path(vietnamadminunits.__file__).parent / "data"


def _dataset():
    return sqlite3.connect(f"file:{_data_dir() / 'dataset.db'}?mode=ro", uri=True)


@cache
def _final_communes() -> tuple[tuple, ...]:
    """The final GSO list (Công văn 1027/CTK-CSCL, 25/6/2025) as vietnamadminunits ships it in `admin_units`."""
    with closing(_dataset()) as conn:
        return tuple(conn.execute(
            "SELECT provinceCode, province, provinceShort, provinceLat, provinceLon, wardCode, ward, wardShort, "
            "wardType, wardLat, wardLon, wardAreaKm2 FROM admin_units ORDER BY provinceCode, wardCode"
        ).fetchall())


@cache
def draft_to_final_codes() -> dict[str, str]:
    """Commune code in `vietnam-provinces` (draft GSO list) → code in the final list, for every commune.

    A commune keeps its code when the final list gives that code to a commune of the same name in the same
    province; otherwise it takes the one unclaimed final code of that name in its province (the lists differ
    in 123 communes, some codes rotated between neighbours, e.g. Lý Quốc / Hạ Lang / Vinh Quý in Cao Bằng).
    """
    final = {row[5]: (row[0], fold(row[6])) for row in _final_communes()}
    draft = [(_code(p["code"], 2), _code(w["code"], 5), fold(w["name"])) for p in _draft_divisions()
             for w in p["wards"]]
    mapping = {code: code for pcode, code, name in draft if final.get(code) == (pcode, name)}
    unclaimed: dict[tuple[str, str], list[str]] = {}
    for code, key in final.items():
        if code not in mapping.values():
            unclaimed.setdefault(key, []).append(code)
    for pcode, code, name in draft:
        if code not in mapping:
            candidates = unclaimed.get((pcode, name), [])
            if len(candidates) != 1:
                raise ValueError(f"Cannot match draft commune {code} {name} to the final list")
            mapping[code] = candidates.pop()
    return mapping


@cache
def draft_rekey_plan() -> dict[str, tuple[str, str]]:
    """Draft code → (final code, folded draft name) for the communes whose code changed."""
    names = {_code(w["code"], 5): fold(w["name"]) for p in _draft_divisions() for w in p["wards"]}
    return {old: (new, names[old]) for old, new in draft_to_final_codes().items() if old != new}


@cache
def _draft_divisions() -> list[dict]:
    return json.loads(Path(vietnam_provinces.NESTED_DIVISIONS_JSON_PATH).read_text(encoding="utf-8"))


def current_units() -> list[OfficialUnit]:
    """34 provinces and 3,321 communes effective 1 July 2025, provinces first.

    Codes, names (GSO spelling, e.g. "Chiêm Hóa"), types, centroids and areas come from the final GSO list in
    `vietnamadminunits`; `vietnam-provinces` (draft codes for 123 communes) gives the province/central-city
    distinction and is checked to describe the same 3,321 communes.
    """
    province_types = {_code(p["code"], 2): _PROVINCE_TYPES[p["division_type"]] for p in _draft_divisions()}
    provinces: dict[str, OfficialUnit] = {}
    communes = []
    for (pcode, pname, pshort, plat, plon, wcode, wname, wshort, _wtype, wlat, wlon, area) in _final_communes():
        if pcode not in provinces:
            provinces[pcode] = OfficialUnit(pcode, pname, pshort, UnitLevel.PROVINCE, province_types[pcode], None,
                                            plat, plon)
        # The type is the one the name states: the package's wardType column disagrees with it for 4 communes
        # (e.g. Phường Việt Hòa, 10543, typed "Xã"), and both lists agree on the names.
        unit_type = next(t for prefix, t in sorted(_WARD_TYPES.items(), key=lambda i: -len(i[0]))
                         if wname.lower().startswith(prefix + " "))
        communes.append(OfficialUnit(wcode, wname, wshort, UnitLevel.COMMUNE, unit_type, pcode, wlat, wlon, area))
    return list(provinces.values()) + communes


@dataclass(frozen=True)
class LegacyProvince:
    code: str
    name: str
    short_name: str
    successor_key: str  # folded, spaceless name of the 2025 successor, e.g. "tinhhungyen"
    districts: tuple[OfficialUnit, ...]


@cache
def legacy_provinces() -> dict[str, LegacyProvince]:
    """The 63 provinces and 681 districts before 1 July 2025, with their successor province."""
    converter = json.loads((_data_dir() / "converter_2025.json").read_text(encoding="utf-8"))
    successor_of = {old: new for new, olds in converter["DICT_PROVINCE"].items() for old in olds}
    with closing(_dataset()) as conn:
        rows = conn.execute(
            "SELECT DISTINCT provinceCode, province, provinceShort, provinceKey, districtCode, district, "
            "districtShort, districtType, districtLat, districtLon FROM admin_units_legacy "
            "ORDER BY provinceCode, districtCode"
        ).fetchall()
    result: dict[str, dict] = {}
    for pcode, pname, pshort, pkey, dcode, dname, dshort, dtype, dlat, dlon in rows:
        entry = result.setdefault(pcode, {"name": pname, "short": pshort, "key": pkey, "districts": {}})
        if dcode and dcode not in entry["districts"]:
            entry["districts"][dcode] = OfficialUnit(
                dcode, dname, dshort, UnitLevel.DISTRICT,
                _DISTRICT_TYPES.get((dtype or "").lower(), UnitType.DISTRICT), pcode, dlat, dlon,
            )
    return {
        code: LegacyProvince(code, e["name"], e["short"], successor_of.get(e["key"], e["key"]),
                             tuple(e["districts"].values()))
        for code, e in result.items()
    }


def spaceless_key(name: str) -> str:
    return fold(name).replace(" ", "")
