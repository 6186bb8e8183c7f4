import pytest

from tinhso.org import selectors, services
from tinhso.org.choices import UnitLevel
from tinhso.org.models import AdministrativeUnit

pytestmark = pytest.mark.django_db


@pytest.fixture
def official(db):
    services.units_load_official(actor=None)
    services.units_load_historical(actor=None, legacy_codes=["34", "02", "38", "22"])


def test_official_list_has_34_provinces_and_3321_communes(official):
    current = AdministrativeUnit.objects.filter(valid_to__isnull=True)
    assert current.filter(level=UnitLevel.PROVINCE).count() == 34
    assert current.filter(level=UnitLevel.COMMUNE).count() == 3321
    assert AdministrativeUnit.objects.get(code="38").children.count() == 166


def test_loading_twice_changes_nothing(official):
    assert services.units_load_official(actor=None) == {"created": 0, "updated": 0, "rekeyed": 0, "total": 3355}


def test_seed_provinces_before_2025_are_linked_to_their_successors(official):
    expected = {"cu-34": "33", "cu-02": "08", "cu-38": "38", "cu-22": "22"}
    for code, successor in expected.items():
        unit = AdministrativeUnit.objects.get(code=code)
        assert unit.merged_into.code == successor and not unit.is_current
        assert unit.children.filter(level=UnitLevel.DISTRICT).exists()
    assert AdministrativeUnit.objects.get(code="cu-34").name == "Tỉnh Thái Bình"


def test_search_without_diacritics_finds_the_province_first(official):
    results = list(selectors.unit_list(search="thanh hoa")[:3])
    assert results[0].code == "38"


def test_search_finds_communes_named_hoang_hoa(official):
    names = [u.name for u in selectors.unit_list(search="xa hoang hoa")[:5]]
    assert names[0] == "Xã Hoằng Hóa"


def test_historical_units_only_on_request(official):
    assert not selectors.unit_list(search="thai binh", level="province").exists()
    found = selectors.unit_list(search="thai binh", level="province", include_historical=True)
    assert [u.code for u in found] == ["cu-34"]


def test_api_lists_units_with_total_and_hides_history_by_default(official, client):
    body = client.get("/api/v1/units", {"search": "thanh hoa"}).json()
    assert body["items"][0]["name"] == "Tỉnh Thanh Hóa" and body["total"] >= 1
    assert all(item["is_current"] for item in body["items"])
    body = client.get("/api/v1/units", {"parent": "38", "page_size": 200}).json()
    assert body["total"] == 166
    body = client.get("/api/v1/units", {"search": "ha giang", "include_historical": "true"}).json()
    assert "cu-02" in [i["code"] for i in body["items"]]


def test_api_unit_detail_lists_predecessors(official, client):
    body = client.get("/api/v1/units/33").json()
    assert "cu-34" in [p["code"] for p in body["predecessors"]]
    assert client.get("/api/v1/units/nope").status_code == 404
    assert client.get("/api/v1/units/nope").json()["message"].startswith("Không có đơn vị")


def test_unit_page_shows_communes(official, client):
    page = client.get("/don-vi/38/").content.decode()
    assert "Đơn vị cấp xã (166)" in page and "Xã Hoằng Hóa" in page


def test_units_carry_centroids_from_the_official_dataset(official, client):
    body = client.get("/api/v1/units/38").json()
    assert (body["latitude"], body["longitude"]) == (20.0468, 105.317)
    body = client.get("/api/v1/units/00082").json()
    assert body["name"] == "Phường Cửa Nam"
    assert abs(body["latitude"] - 21.0226) < 1e-6 and abs(body["longitude"] - 105.851) < 1e-6
    assert not AdministrativeUnit.objects.filter(level=UnitLevel.COMMUNE, valid_to__isnull=True,
                                                 latitude__isnull=True).exists()
