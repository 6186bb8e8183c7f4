"""Readers for the official unit lists shipped by `vietnam-provinces` (2025) and `vietnamadminunits` (legacy)."""

import json
import sqlite3
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


@cache
def _commune_geo() -> dict[str, tuple[float, float, float]]:
    with sqlite3.connect(f"file:{_data_dir() / 'dataset.db'}?mode=ro", uri=True) as conn:
        rows = conn.execute("SELECT wardCode, wardLat, wardLon, wardAreaKm2 FROM admin_units").fetchall()
    return {code: (lat, lon, area) for code, lat, lon, area in rows}


def current_units() -> list[OfficialUnit]:
    """34 provinces and 3,321 communes (GSO list effective 1 July 2025), provinces first."""
    data = json.loads(Path(vietnam_provinces.NESTED_DIVISIONS_JSON_PATH).read_text(encoding="utf-8"))
    geo = _commune_geo()
    provinces, communes = [], []
    for p in data:
        ptype = _PROVINCE_TYPES[p["division_type"]]
        short = _strip_prefix(p["name"], ["thành phố", "tỉnh"])
        name = p["name"] if p["name"] != short else f"Tỉnh {short}"
        pcode = _code(p["code"], 2)
        provinces.append(OfficialUnit(pcode, name, short, UnitLevel.PROVINCE, ptype, None))
        for w in p["wards"]:
            wcode = _code(w["code"], 5)
            lat, lon, area = geo.get(wcode, (None, None, None))
            communes.append(OfficialUnit(
                wcode, w["name"], _strip_prefix(w["name"], _WARD_TYPES), UnitLevel.COMMUNE,
                _WARD_TYPES[w["division_type"]], pcode, lat, lon, area,
            ))
    return provinces + communes


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
    with sqlite3.connect(f"file:{_data_dir() / 'dataset.db'}?mode=ro", uri=True) as conn:
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
