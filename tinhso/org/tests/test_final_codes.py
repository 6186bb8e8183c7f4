"""Commune codes follow the final GSO list (Công văn 1027/CTK-CSCL, 25/6/2025), not the draft one."""

import json
import sqlite3
from contextlib import closing
from io import StringIO
from pathlib import Path

import pytest
import vietnam_provinces
import vietnamadminunits
from django.core.management import call_command

from tinhso.org import services
from tinhso.org.choices import UnitLevel, UnitType
from tinhso.org.models import AdministrativeUnit
from tinhso.org.tests.factories import AgencyFactory

pytestmark = pytest.mark.django_db

DATASET = Path(vietnamadminunits.__file__).parent / "data" / "dataset.db"


def _final_list() -> dict[str, tuple[str, str]]:
    """Read straight from the package, independent of the loader under test."""
    with closing(sqlite3.connect(f"file:{DATASET}?mode=ro", uri=True)) as conn:
        return {code: (name, province) for code, name, province in
                conn.execute("SELECT wardCode, ward, provinceCode FROM admin_units")}


@pytest.mark.smoke
def test_all_3321_commune_codes_and_names_equal_the_final_list(db):
    services.units_load_official(actor=None)
    loaded = {code: (name, parent) for code, name, parent in AdministrativeUnit.objects.filter(
        level=UnitLevel.COMMUNE, valid_to__isnull=True).values_list("code", "name", "parent__code")}
    final = _final_list()
    assert len(final) == 3321
    assert loaded == final
    assert AdministrativeUnit.objects.get(code="00082").official_code == "00082"


FINAL_CODES = [
    ("00082", "Phường Cửa Nam", "01"),
    ("00199", "Phường Láng", "01"),
    ("16072", "Xã Hoa Lộc", "38"),
    ("02287", "Xã Chiêm Hóa", "08"),  # GSO spelling, not "Chiêm Hoá"
    ("10543", "Phường Việt Hòa", "31"),  # a ward although the package's type column says "Xã"
]


@pytest.mark.smoke
def test_api_finds_communes_by_their_final_code(db, client):
    services.units_load_official(actor=None)
    for code, name, province in FINAL_CODES:
        body = client.get(f"/api/v1/units/{code}").json()
        assert (body["name"], body["parent"]["code"]) == (name, province)
        if name.startswith("Phường"):
            assert body["unit_type"] == UnitType.WARD


def _load_like_the_draft_loader(codes: list[str]) -> dict[str, AdministrativeUnit]:
    """What databases loaded before this fix hold: vietnam-provinces' draft codes and spelling."""
    divisions = json.loads(Path(vietnam_provinces.NESTED_DIVISIONS_JSON_PATH).read_text(encoding="utf-8"))
    rows = {}
    for p in divisions:
        pcode = str(p["code"]).zfill(2)
        for w in p["wards"]:
            code = str(w["code"]).zfill(5)
            if code in codes:
                province, _ = AdministrativeUnit.objects.get_or_create(code=pcode, defaults={
                    "official_code": pcode, "name": p["name"], "level": UnitLevel.PROVINCE,
                    "unit_type": UnitType.PROVINCE})
                rows[code] = AdministrativeUnit.objects.create(
                    code=code, official_code=code, name=w["name"], level=UnitLevel.COMMUNE,
                    unit_type=UnitType.COMMUNE, parent=province)
    return rows


def test_reloading_rekeys_draft_rows_in_place_and_what_points_at_them_follows(db):
    # 00073 was Cửa Nam in the draft (final 00082); Cao Bằng's 01537/01558/01561 rotated between neighbours
    old = _load_like_the_draft_loader(["00073", "01537", "01558", "01561", "02287"])
    agency = AgencyFactory(identifier_code="000.00.00.H02", unit=old["01558"])  # draft Xã Lý Quốc
    result = services.units_load_official(actor=None)
    assert result["rekeyed"] == 4  # 02287 keeps its code; only its spelling changes
    assert AdministrativeUnit.objects.get(pk=old["00073"].pk).code == "00082"
    agency.refresh_from_db()
    assert (agency.unit.code, agency.unit.name, agency.unit.pk) == ("01537", "Xã Lý Quốc", old["01558"].pk)
    assert AdministrativeUnit.objects.get(pk=old["02287"].pk).name == "Xã Chiêm Hóa"
    assert AdministrativeUnit.objects.filter(level=UnitLevel.COMMUNE, valid_to__isnull=True).count() == 3321
    assert services.units_load_official(actor=None)["rekeyed"] == 0  # idempotent
    from tinhso.audit.models import AuditEvent
    assert AuditEvent.objects.filter(action="org.unit.update", object_id=str(old["00073"].pk),
                                     changes__code=["00073", "00082"]).exists()


def test_units_load_command_reports_what_it_did(db):
    _load_like_the_draft_loader(["00073"])
    out = StringIO()
    call_command("units_load", "--no-historical", stdout=out)
    assert "1 đổi mã theo danh mục chính thức" in out.getvalue()
