"""The portal's pages: catalogue search with or without diacritics and facets, dataset page, admin pages."""

import json
import re

import pytest

from tinhso.audit.models import AuditEvent
from tinhso.opendata.models import Dataset

pytestmark = pytest.mark.django_db
UNITS = "danh-muc-don-vi-hanh-chinh"


def _titles(html: str) -> list[str]:
    return re.findall(r'<h2><a href="/du-lieu-mo/[^"]+/">([^<]+)</a></h2>', html)


@pytest.mark.smoke
def test_catalogue_searches_with_or_without_diacritics(catalogue, client):
    with_marks = client.get("/du-lieu-mo/", {"q": "thủ tục hành chính"}).content.decode()
    without = client.get("/du-lieu-mo/", {"q": "thu tuc hanh chinh"}).content.decode()
    assert _titles(with_marks) == _titles(without) and "Danh mục thủ tục hành chính của tỉnh" in _titles(without)
    assert len(_titles(client.get("/du-lieu-mo/").content.decode())) == 5


def test_catalogue_facets_filter_by_publisher_theme_and_format(catalogue, client):
    html = client.get("/du-lieu-mo/").content.decode()
    assert "Cơ quan công bố" in html and "Chủ đề" in html and "Định dạng" in html
    assert "Vùng và đô thị" in html  # the unit registry's theme
    regions = client.get("/du-lieu-mo/", {"theme": "REGI"}).content.decode()
    assert _titles(regions) == ["Danh mục đơn vị hành chính (hiện hành và trước sắp xếp)"]
    assert len(_titles(client.get("/du-lieu-mo/", {"publisher": "000-00-00-h56", "format": "xlsx"})
                       .content.decode())) == 5
    assert _titles(client.get("/du-lieu-mo/", {"publisher": "000-00-03-h56"}).content.decode()) == []


def test_dataset_page_has_preview_chart_data_downloads_and_api_calls(catalogue, client):
    response = client.get(f"/du-lieu-mo/{UNITS}/")
    html = response.content.decode()
    assert response.status_code == 200
    assert "Tỉnh Thanh Hóa" in html and "Xã Hoằng Hóa" in html  # preview rows
    for fmt in ("csv", "json", "xlsx"):
        assert f"/du-lieu-mo/{UNITS}/tai-ve.{fmt}" in html
    assert "datastore_search?resource_id=" in html and "RemoteCKAN" in html
    chart = json.loads(re.search(r'<script id="od-chart-data" type="application/json">(.*?)</script>', html,
                                 re.S).group(1))
    assert [s["name"] for s in chart["series"]][:2] == ["Vĩ độ", "Kinh độ"]
    assert 'src="/static/vendor/echarts.min.js"' in html and "opendata/opendata.js" in html
    assert not re.search(r"<script(?![^>]*(src=|application/json))[^>]*>", html)  # CSP: no inline script


def test_admin_publishes_and_edits_from_the_pages(catalogue):
    admin = catalogue.client_for("province_admin")
    assert admin.get("/du-lieu-mo/quan-tri/").status_code == 200
    response = admin.post(f"/du-lieu-mo/quan-tri/{UNITS}/cong-bo/", {"published": "0"})
    assert response.status_code == 302 and not Dataset.objects.get(slug=UNITS).is_published
    assert catalogue.client_for("anonymous").get(f"/du-lieu-mo/{UNITS}/").status_code == 404
    assert len(_titles(catalogue.client_for("anonymous").get("/du-lieu-mo/").content.decode())) == 4
    assert "chưa được công bố" in admin.get(f"/du-lieu-mo/{UNITS}/").content.decode()
    bad = admin.post(f"/du-lieu-mo/quan-tri/{UNITS}/sua/", {"title": "", "publisher": "000.00.00.H56",
                                                            "licence": "cc-by-4.0", "frequency": "IRREG"})
    assert bad.status_code == 422
    good = admin.post(f"/du-lieu-mo/quan-tri/{UNITS}/sua/", {
        "title": "Đơn vị hành chính", "description": "Mô tả", "publisher": "000.00.00.H56", "licence": "cc-zero",
        "frequency": "ANNUAL", "themes": ["REGI", "SOCI"], "tags": "địa giới, bản đồ", "provenance": "GSO"})
    assert good.status_code == 302
    dataset = Dataset.objects.get(slug=UNITS)
    assert dataset.title == "Đơn vị hành chính" and dataset.licence == "cc-zero"
    admin.post(f"/du-lieu-mo/quan-tri/{UNITS}/cong-bo/", {"published": "1"})
    assert "Đơn vị hành chính" in _titles(admin.get("/du-lieu-mo/", {"q": "ban do"}).content.decode())
    assert sorted(t.name for t in dataset.tags.all()) == ["bản đồ", "địa giới"]
    assert AuditEvent.objects.filter(action="opendata.dataset.update", actor_id=catalogue.users["province_admin"].pk)
    assert admin.post("/du-lieu-mo/quan-tri/dong-bo/").status_code == 302


@pytest.mark.parametrize("persona", ["anonymous", "citizen", "agency_leader", "unit_admin"])
def test_admin_pages_refuse_everyone_else(catalogue, persona):
    client = catalogue.client_for(persona)
    assert client.get("/du-lieu-mo/quan-tri/").status_code in (302, 403)
    assert client.post(f"/du-lieu-mo/quan-tri/{UNITS}/cong-bo/", {"published": "0"}).status_code in (302, 403)
    assert Dataset.objects.get(slug=UNITS).is_published
