"""The CKAN Action API, driven by ckanapi's RemoteCKAN (it POSTs JSON to /api/action/<name>) against a live
server, and its error envelope for bad input (never a 500)."""

import json

import pytest
from ckanapi import RemoteCKAN
from ckanapi.errors import NotFound, SearchQueryError, ValidationError

from tinhso.opendata import services
from tinhso.org.choices import UnitLevel, UnitType
from tinhso.org.models import AdministrativeUnit

UNITS = "danh-muc-don-vi-hanh-chinh"


def _many_communes(province, n: int) -> None:
    units = []
    for i in range(n):
        unit = AdministrativeUnit(code=f"9{i:04d}", official_code=f"9{i:04d}", name=f"Xã Thử Nghiệm {i}",
                                  short_name=f"Thử Nghiệm {i}", level=UnitLevel.COMMUNE, unit_type=UnitType.COMMUNE,
                                  parent=province)
        unit.refresh_keys()
        units.append(unit)
    AdministrativeUnit.objects.bulk_create(units, batch_size=1000)


@pytest.mark.django_db(transaction=True)
def test_ckanapi_lists_searches_shows_and_pages_a_resource_beyond_1000_rows(live_server, catalogue):
    _many_communes(catalogue.province, 1_234)
    services.dataset_update(actor=None, key=UNITS, data={"tags": ["địa giới", "đơn vị hành chính"]})
    ckan = RemoteCKAN(live_server.url, user_agent="tinhso-tests")

    names = ckan.action.package_list()
    assert {UNITS, "danh-muc-co-quan-ma-dinh-danh", "gia-tri-chi-tieu-chuyen-doi-so"} <= set(names)

    # Search with and without diacritics, with a filter and facets.
    with_marks = ckan.action.package_search(q="đơn vị hành chính")
    without = ckan.action.package_search(q="don vi hanh chinh")
    assert with_marks["count"] == without["count"] >= 1
    assert UNITS in [p["name"] for p in without["results"]]
    found = ckan.action.package_search(q="*:*", fq="organization:000-00-00-h56 groups:regi",
                                       **{"facet.field": ["organization", "groups", "tags", "res_format"]})
    assert [p["name"] for p in found["results"]] == [UNITS]
    assert found["facets"]["groups"]["regi"] == 1 and found["facets"]["res_format"] == {
        "CSV": 1, "JSON": 1, "XLSX": 1}
    assert found["search_facets"]["organization"]["items"][0]["name"] == "000-00-00-h56"
    assert ckan.action.package_search(rows=2, start=0)["count"] == len(names)
    assert len(ckan.action.package_search(rows=2, start=0)["results"]) == 2

    package = ckan.action.package_show(id=UNITS)
    assert package["organization"]["title"] == "Ủy ban nhân dân tỉnh Thanh Hóa"
    assert package["license_id"] == "cc-by-4.0" and package["num_resources"] == 3
    assert {t["name"] for t in package["tags"]} == {"địa giới", "đơn vị hành chính"}
    assert ckan.action.package_show(id=package["id"])["name"] == UNITS  # by UUID too

    assert "000-00-00-h56" in ckan.action.organization_list()
    organization = ckan.action.organization_show(id="000-00-00-h56", include_datasets=True)
    assert organization["package_count"] == len(names) and len(organization["packages"]) == len(names)
    assert "gove" in ckan.action.group_list() and "địa giới" in ckan.action.tag_list()

    csv = next(r for r in package["resources"] if r["format"] == "CSV")
    assert ckan.action.resource_show(id=csv["id"])["url"].endswith(f"/du-lieu-mo/{UNITS}/tai-ve.csv")

    # Page through every row of a resource of more than 1,000 rows, following the offsets.
    codes, offset = [], 0
    while True:
        page = ckan.action.datastore_search(resource_id=csv["id"], limit=500, offset=offset)
        codes += [r["code"] for r in page["records"]]
        if "next" not in page["_links"]:
            break
        offset += 500
    assert page["total"] == len(codes) == AdministrativeUnit.objects.count() > 1_000
    assert len(set(codes)) == len(codes)
    big = ckan.action.datastore_search(resource_id=csv["id"], limit=5000)
    assert len(big["records"]) == page["total"]  # no 1,000-row cap

    with pytest.raises(NotFound):
        ckan.action.package_show(id="khong-ton-tai")
    with pytest.raises(ValidationError):
        ckan.action.package_search(rows=-1)
    with pytest.raises(SearchQueryError):
        ckan.action.package_search(fq="organization:")


@pytest.fixture
def api(catalogue, client):
    def call(name, method="get", **params):
        if method == "post":
            return client.post(f"/api/3/action/{name}", data=json.dumps(params), content_type="application/json")
        return client.get(f"/api/3/action/{name}", params)
    return call


def _error(response, status, kind):
    assert response.status_code == status, response.content
    body = response.json()
    assert body["success"] is False and body["error"]["__type"] == kind and "help" in body
    return body["error"]


@pytest.mark.smoke
@pytest.mark.django_db
def test_envelope_and_ckan_error_types(api):
    ok = api("package_show", id=UNITS).json()
    assert ok["success"] is True and ok["result"]["name"] == UNITS and ok["help"].endswith("name=package_show")
    _error(api("package_show", id="khong-co"), 404, "Not Found Error")
    _error(api("package_show"), 409, "Validation Error")
    assert "rows" in _error(api("package_search", rows=-1), 409, "Validation Error")
    _error(api("package_search", fq="organization"), 400, "Search Query Error")
    _error(api("package_search", fq='tags:"không đóng'), 400, "Search Query Error")
    _error(api("package_search", fq="mat_khau:abc"), 400, "Search Query Error")
    _error(api("package_search", sort="password desc"), 409, "Validation Error")
    _error(api("resource_show", id="00000000-0000-0000-0000-000000000000-pdf"), 404, "Not Found Error")
    _error(api("datastore_search", resource_id="x"), 404, "Not Found Error")
    _error(api("khong_co_hanh_dong"), 400, "Bad Request")


@pytest.mark.django_db
@pytest.mark.parametrize("params", [
    {"rows": "abc"}, {"start": "-5"}, {"rows": "99999999999999999999"}, {"q": "\x00"}, {"fq": "id:zzz"},
    {"fq": "-tags:x AND +groups:gove"}, {"facet.field": "[1,2]"}, {"facet.field": "not json"},
    {"facet.limit": "-1", "facet.field": '["tags"]'}, {"sort": ",,,"}, {"q": "name:" + "a" * 500},
])
def test_package_search_never_fails_with_a_500(api, params):
    response = api("package_search", **params)
    # (A NUL byte is refused before the action by the platform's middleware, with its own 400 JSON.)
    assert response.status_code in (200, 400, 409) and response.json()


@pytest.mark.django_db
def test_post_json_and_bad_bodies(api, client):
    assert api("package_search", method="post", q="thu tuc", rows=5).json()["result"]["count"] >= 1
    response = client.post("/api/action/package_list", data="{not json", content_type="application/json")
    _error(response, 400, "Bad Request")
    response = client.post("/api/action/package_list", data="[1]", content_type="application/json")
    _error(response, 400, "Bad Request")
    resource = api("package_show", id=UNITS).json()["result"]["resources"][0]["id"]
    for bad in ({"limit": -1}, {"offset": "x"}, {"filters": "[1]"}, {"filters": {"khong_co": 1}},
                {"fields": ["khong_co"]}, {"q": 5}):
        _error(api("datastore_search", method="post", resource_id=resource, **bad), 409, "Validation Error")
    page = api("datastore_search", method="post", resource_id=resource, filters={"level": "Cấp tỉnh"}).json()
    assert [r["code"] for r in page["result"]["records"]] == ["38"]


@pytest.mark.django_db
def test_package_search_sorts_and_pages(api):
    def names(**params):
        return [p["name"] for p in api("package_search", rows=100, **params).json()["result"]["results"]]

    every = names(sort="name asc")
    assert every == sorted(every) and len(every) == 5
    assert names(sort="name desc") == every[::-1]
    titles = [p["title"] for p in api("package_search", sort="title_string asc").json()["result"]["results"]]
    assert titles == sorted(titles)
    paged = names(sort="name asc", start=2)
    assert paged == every[2:]
    assert [p["name"] for p in api("package_search", sort="name asc", rows=2, start=1).json()["result"]["results"]] \
        == every[1:3]
    assert names(q="danh muc", sort="score desc")[:1] != [] and set(names(q="danh muc")) == {
        "danh-muc-co-quan-ma-dinh-danh", "danh-muc-don-vi-hanh-chinh", "danh-muc-thu-tuc-hanh-chinh"}
    assert names(fq="-groups:regi") == [n for n in names() if n != "danh-muc-don-vi-hanh-chinh"]
