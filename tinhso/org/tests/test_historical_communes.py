"""The 10,035 communes of 30/06/2025 as historical units, each merged into its 2025 commune."""

import pytest
from vietnamadminunits import convert_address

from tinhso.org import official_data, selectors, services
from tinhso.org.choices import UnitLevel
from tinhso.org.models import AdministrativeUnit

pytestmark = pytest.mark.django_db


@pytest.fixture
def thanh_hoa_and_thai_binh(db):
    services.units_load_official(actor=None)
    services.units_load_historical(actor=None, legacy_codes=["38", "34"])


def test_all_units_of_30_june_2025_load_once_each_under_their_district(db):
    services.units_load_official(actor=None)
    assert services.units_load_historical(actor=None)["created"] == 63 + 696 + 10035
    old = AdministrativeUnit.objects.filter(valid_to__isnull=False)
    assert old.filter(level=UnitLevel.PROVINCE).count() == 63
    assert old.filter(level=UnitLevel.DISTRICT).count() == 696
    communes = old.filter(level=UnitLevel.COMMUNE)
    assert communes.count() == 10035
    assert not communes.exclude(parent__level=UnitLevel.DISTRICT).exists()
    assert not communes.exclude(merged_into__level=UnitLevel.COMMUNE, merged_into__valid_to__isnull=True).exists()
    assert services.units_load_historical(actor=None) == {"created": 0, "updated": 0, "provinces": 63}


@pytest.mark.smoke
def test_successors_agree_with_the_packages_address_converter(db):
    """Independent oracle: vietnamadminunits' own converter on the old address (no street, so no geocoding)."""
    services.units_load_official(actor=None)
    services.units_load_historical(actor=None, legacy_codes=["34", "01", "79"])
    communes = list(AdministrativeUnit.objects.filter(level=UnitLevel.COMMUNE, valid_to__isnull=False)
                    .select_related("parent__parent", "merged_into").order_by("code"))
    for unit in communes[::25]:
        address = f"{unit.name}, {unit.parent.name}, {unit.parent.parent.name}"
        assert unit.merged_into.code == convert_address(address).ward_code, address


def test_convert_by_old_code(thanh_hoa_and_thai_binh, client):
    body = client.get("/api/v1/units/convert", {"code": "15946"}).json()  # Xã Hoằng Đạo, huyện Hoằng Hóa
    assert body["source"]["code"] == "cu-15946" and body["source"]["name"] == "Xã Hoằng Đạo"
    assert body["source"]["parent"]["code"] == "cu-399" and not body["source"]["is_current"]
    expected = convert_address("Xã Hoằng Đạo, Huyện Hoằng Hóa, Tỉnh Thanh Hóa").ward_code
    assert body["successor"]["code"] == expected and body["successor"]["is_current"]
    assert client.get("/api/v1/units/convert", {"code": "cu-15946"}).json()["successor"]["code"] == expected
    # an old district and an old province go to their successor province
    assert client.get("/api/v1/units/convert", {"code": "cu-34"}).json()["successor"]["code"] == "33"
    assert client.get("/api/v1/units/convert", {"code": "399"}).json()["successor"]["code"] == "38"


def test_convert_by_address_old_and_new_form(thanh_hoa_and_thai_binh, client):
    body = client.get("/api/v1/units/convert", {"address": "xa vu tien, huyen vu thu, tinh thai binh"}).json()
    assert body["matched_by"] == "address" and body["source"]["name"] == "Xã Vũ Tiến"
    assert body["successor"]["code"] == convert_address("Xã Vũ Tiến, Huyện Vũ Thư, Tỉnh Thái Bình").ward_code
    assert body["successor"]["parent"]["code"] == "33"  # Thái Bình joined Hưng Yên
    body = client.get("/api/v1/units/convert", {"address": "Xã Hoa Lộc, Tỉnh Thanh Hóa"}).json()
    assert body["source"]["code"] == body["successor"]["code"] == "16072"


@pytest.mark.smoke
@pytest.mark.parametrize("query, status, field", [
    ({}, 422, "code"),
    ({"code": "15946", "address": "Thanh Hóa"}, 422, "code"),
    ({"code": "99999"}, 404, None),
    ({"address": "không có địa chỉ nào như thế"}, 404, None),
    ({"code": "x" * 21}, 422, "code"),
])
def test_convert_refuses_bad_input_in_vietnamese(db, client, query, status, field):
    response = client.get("/api/v1/units/convert", query)
    assert response.status_code == status
    body = response.json()
    assert body["message"]
    if field:
        assert body["errors"][field]


def test_current_commune_lists_the_communes_merged_into_it(thanh_hoa_and_thai_binh, client):
    successor = AdministrativeUnit.objects.get(code="cu-15946").merged_into
    body = client.get(f"/api/v1/units/{successor.code}").json()
    assert "cu-15946" in [p["code"] for p in body["predecessors"]]
    assert all(p["code"].startswith("cu-") and len(p["code"]) == 8 for p in body["predecessors"])


def test_commune_resolve_for_imports(thanh_hoa_and_thai_binh):
    successor = AdministrativeUnit.objects.get(code="cu-15946").merged_into
    assert selectors.commune_resolve(code="15946") == successor
    assert selectors.commune_resolve(code="cu-15946") == successor
    assert selectors.commune_resolve(code="16072").code == "16072"
    assert selectors.commune_resolve(code="399") is None  # a district is not a commune
    assert selectors.commune_resolve(code="nope") is None
    lookup = selectors.commune_code_lookup()
    assert lookup["15946"] == lookup["cu-15946"] == successor.pk and lookup["16072"] > 0
    assert "399" not in lookup and "cu-399" not in lookup


def test_parse_address_recognises_both_forms():
    assert official_data.parse_address("Xã Hoằng Đạo, Huyện Hoằng Hóa, Tỉnh Thanh Hóa").legacy_commune_code == "15946"
    assert official_data.parse_address("Phường Cửa Nam, Thành phố Hà Nội").current_commune_code == "00082"
    assert official_data.parse_address("???") == official_data.ParsedAddress(None, None)
