"""Each dataset streams as CSV, JSON and XLSX through core.exports; rows are read live from the source."""

import csv
import io
import json

import pytest
from django.http import StreamingHttpResponse
from openpyxl import load_workbook

from tinhso.opendata import resources, selectors
from tinhso.org.tests.factories import AgencyFactory

pytestmark = pytest.mark.django_db


def _body(response) -> bytes:
    assert isinstance(response, StreamingHttpResponse)
    return b"".join(response.streaming_content)


@pytest.mark.smoke
def test_agency_registry_streams_as_csv_with_identifier_codes_and_no_live_formula(catalogue, client):
    AgencyFactory(identifier_code="000.00.77.H56", name='=HYPERLINK("http://evil","Sở Y tế")',
                  unit=catalogue.province)
    response = client.get("/du-lieu-mo/danh-muc-co-quan-ma-dinh-danh/tai-ve.csv")
    assert response.status_code == 200 and response["Content-Type"].startswith("text/csv")
    text = _body(response).decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(text)))
    assert rows[0][:2] == ["identifier_code", "name"]
    by_code = {r[0]: r for r in rows[1:]}
    assert by_code["000.00.00.H56"][1] == "Ủy ban nhân dân tỉnh Thanh Hóa"
    assert by_code["000.00.77.H56"][1].startswith("'=HYPERLINK")  # escaped by core.exports
    assert len(rows) - 1 == selectors.source_of(selectors.dataset_get(key="danh-muc-co-quan-ma-dinh-danh")).count()


def test_json_and_xlsx_hold_the_same_rows(catalogue, client):
    data = json.loads(_body(client.get("/du-lieu-mo/danh-muc-don-vi-hanh-chinh/tai-ve.json")))
    codes = {row["code"] for row in data}
    assert {catalogue.province.code, catalogue.commune.code, catalogue.other_commune.code} <= codes
    workbook = load_workbook(io.BytesIO(_body(client.get("/du-lieu-mo/danh-muc-don-vi-hanh-chinh/tai-ve.xlsx"))))
    sheet = workbook.active
    values = list(sheet.iter_rows(values_only=True))
    assert values[0][0] == "code" and {r[0] for r in values[1:]} == codes


def test_unpublished_or_unknown_dataset_and_unknown_format_are_404(catalogue, client):
    assert client.get("/du-lieu-mo/khong-co/tai-ve.csv").status_code == 404
    assert client.get("/du-lieu-mo/danh-muc-don-vi-hanh-chinh/tai-ve.pdf").status_code == 404
    from tinhso.opendata import services

    services.dataset_publish(actor=None, key="danh-muc-don-vi-hanh-chinh", published=False)
    assert client.get("/du-lieu-mo/danh-muc-don-vi-hanh-chinh/tai-ve.csv").status_code == 404


def test_datastore_pages_cover_every_row_exactly_once(catalogue):
    dataset = selectors.dataset_get(key="danh-muc-don-vi-hanh-chinh")
    everything = list(selectors.source_of(dataset).rows())
    seen = []
    offset = 0
    while True:
        page = resources.datastore_search(dataset, limit=2, offset=offset)
        seen += [r["code"] for r in page["records"]]
        offset += 2
        if offset >= page["total"]:
            break
    assert seen == [r[0] for r in everything] and page["total"] == len(everything)


def test_datastore_filters_and_text_search_without_diacritics(catalogue):
    dataset = selectors.dataset_get(key="danh-muc-co-quan-ma-dinh-danh")
    page = resources.datastore_search(dataset, q="so tu phap")
    assert [r["identifier_code"] for r in page["records"]] == ["000.00.03.H56"] and page["total"] == 1
    page = resources.datastore_search(dataset, filters={"parent_code": "000.00.03.H56"})
    assert [r["identifier_code"] for r in page["records"]] == ["000.01.03.H56"]
