"""Readers for the official unit lists.

- Current units (from 1 July 2025): 34 provinces and 3,321 communes of the final GSO list (Công văn
  1027/CTK-CSCL, 25/6/2025) as `vietnamadminunits` ships it (`dataset.db`, table `admin_units`), cross-checked
  with `vietnam-provinces` 2025.10.1, which still carries draft codes for 123 communes.
- Units of 30 June 2025: 63 provinces, 696 districts and 10,035 communes (`admin_units_legacy`), with the
  old → new mapping of `converter_2025.json`.
"""

import importlib.util
import json
import sqlite3
from contextlib import closing
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import vietnam_provinces

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
    # Located without importing the package: its import (parsers, shapely, geopy) costs over a second.
    return Path(importlib.util.find_spec("vietnamadminunits").origin).parent / "data"


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
class LegacyCommune:
    unit: OfficialUnit  # parent_code is the district's code
    successor_code: str  # the 2025 commune it became (part of), final GSO code


@dataclass(frozen=True)
class LegacyProvince:
    code: str
    name: str
    short_name: str
    successor_code: str  # the 2025 province it became (part of)
    districts: tuple[OfficialUnit, ...]
    communes: tuple[LegacyCommune, ...]
    latitude: float | None = None
    longitude: float | None = None


def _legacy_successors(converter: dict) -> dict[str, str]:
    """'tinhthanhhoa_huyenhoanghoa_xahoangdao' → final code of the 2025 commune it joined.

    A commune divided between several new communes (471 of them) goes to the one the package marks as the
    default successor, the one that took most of it; the address converter refines that only with geocoding.
    """
    with closing(_dataset()) as conn:
        new_code = {(pk, wk): code for pk, wk, code in
                    conn.execute("SELECT provinceKey, wardKey, wardCode FROM admin_units")}
    result = {}
    for new_province, wards in converter["DICT_PROVINCE_WARD_NO_DIVIDED"].items():
        for new_ward, olds in wards.items():
            for old in olds:
                result[old] = new_code[(new_province, new_ward)]
    for new_province, divided in converter["DICT_PROVINCE_WARD_DIVIDED"].items():
        for old, parts in divided.items():
            default = next(p["newWardKey"] for p in parts if p["isDefaultNewWard"])
            result.setdefault(old, new_code[(new_province, default)])
    return result


@cache
def legacy_provinces() -> dict[str, LegacyProvince]:
    """The units of 30 June 2025, before the reorganisation: 63 provinces, 696 districts and 10,035 communes.

    Each comes with its successor: the 2025 province (`converter_2025.json`'s province mapping) and, for a
    commune, the 2025 commune it was merged into. Five island districts (Bạch Long Vĩ, Cồn Cỏ, Hoàng Sa, Lý Sơn,
    Côn Đảo) had no communes.
    """
    converter = json.loads((_data_dir() / "converter_2025.json").read_text(encoding="utf-8"))
    commune_successor = _legacy_successors(converter)
    with closing(_dataset()) as conn:
        province_code = dict(conn.execute("SELECT DISTINCT provinceKey, provinceCode FROM admin_units"))
        rows = conn.execute(
            "SELECT provinceCode, province, provinceShort, provinceKey, provinceLat, provinceLon, districtCode, "
            "district, districtShort, districtType, districtKey, districtLat, districtLon, wardCode, ward, "
            "wardShort, wardType, wardKey, wardLat, wardLon FROM admin_units_legacy "
            "ORDER BY provinceCode, districtCode, wardCode"
        ).fetchall()
    successor_of = {old: province_code[new] for new, olds in converter["DICT_PROVINCE"].items() for old in olds}
    result: dict[str, dict] = {}
    for (pcode, pname, pshort, pkey, plat, plon, dcode, dname, dshort, dtype, dkey, dlat, dlon,
         wcode, wname, wshort, wtype, wkey, wlat, wlon) in rows:
        entry = result.setdefault(pcode, {"name": pname, "short": pshort, "successor": successor_of[pkey],
                                          "lat": plat, "lon": plon, "districts": {}, "communes": []})
        if dcode not in entry["districts"]:
            entry["districts"][dcode] = OfficialUnit(
                dcode, dname, dshort, UnitLevel.DISTRICT,
                _DISTRICT_TYPES.get((dtype or "").lower(), UnitType.DISTRICT), pcode, dlat, dlon,
            )
        if wcode:
            unit = OfficialUnit(wcode, wname, wshort, UnitLevel.COMMUNE, _WARD_TYPES[wtype.lower()], dcode,
                                wlat, wlon)
            entry["communes"].append(LegacyCommune(unit, commune_successor[f"{pkey}_{dkey}_{wkey}"]))
    return {
        code: LegacyProvince(code, e["name"], e["short"], e["successor"], tuple(e["districts"].values()),
                             tuple(e["communes"]), e["lat"], e["lon"])
        for code, e in result.items()
    }


def spaceless_key(name: str) -> str:
    return fold(name).replace(" ", "")


@dataclass(frozen=True)
class ParsedAddress:
    legacy_commune_code: str | None  # GSO code of a pre-2025 commune named with its district
    current_commune_code: str | None  # GSO code of a 2025 commune named with its province


def parse_address(text: str) -> ParsedAddress:
    """Recognise the commune an address names, in the pre-2025 (commune, district, province) or the 2025
    (commune, province) form, with vietnamadminunits' parsers (offline; no geocoding of the street)."""
    from vietnamadminunits import ParseMode
    from vietnamadminunits import parse_address as package_parse

    def attempt(mode, level):
        try:
            return package_parse(text, mode=mode, keep_street=False, level=level)
        except Exception:  # the parsers raise bare errors on text they cannot read; that is "not recognised"
            return None

    legacy = attempt(ParseMode.LEGACY, 3)
    if legacy is not None and legacy.ward_code and legacy.district_code:
        return ParsedAddress(legacy.ward_code, None)
    current = attempt(ParseMode.FROM_2025, 2)
    return ParsedAddress(None, current.ward_code if current is not None and current.ward_code else None)
