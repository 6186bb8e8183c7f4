"""PostgreSQL's COPY path of core.exports writes the same cells as the Python writer (formula rule included)."""

import csv
import io

import pytest
from django.db import connection

from tinhso.core.exports import csv_cell, csv_copy_stream, csv_stream
from tinhso.opendata import resources, selectors

pytestmark = [pytest.mark.django_db,
              pytest.mark.skipif(connection.vendor != "postgresql", reason="COPY is PostgreSQL's")]

TRICKY = ['=HYPERLINK("http://evil","x")', "+1+1", "-2,5", "-12", "+12%", "@SUM(A1)", "\tx", "\rx", "-", "'=x",
          "Sở Y tế", "", "=", "1 000,5", "-1\u00a0000", "—", "a=b"]


def _parse(chunks) -> list[list[str]]:
    return list(csv.reader(io.StringIO(b"".join(chunks).decode("utf-8-sig"))))


def test_copy_escapes_exactly_like_csv_cell():
    values = ", ".join(["(%s)"] * len(TRICKY))
    rows = _parse(csv_copy_stream(connection, ["text"], f"SELECT * FROM (VALUES {values}) AS v", TRICKY,
                                  text_columns=[0]))
    assert rows[0] == ["text"]
    assert [r[0] if r else "" for r in rows[1:]] == [csv_cell(v) for v in TRICKY]
    assert _parse(csv_stream(["text"], [(v,) for v in TRICKY], text_columns=[0]))[1:] == [
        [csv_cell(v)] if csv_cell(v) != "" else [""] for v in TRICKY]


def test_indicator_dataset_csv_from_copy_holds_the_rows_the_source_yields(catalogue, client):
    from tinhso.indicators.models import Indicator, IndicatorValue
    from tinhso.indicators.services import definitions_load

    definitions_load(actor=None)
    indicator = Indicator.objects.order_by("pk").first()
    indicator.name = "=Chỉ tiêu (thử)"
    indicator.save()
    from datetime import date

    from tinhso.indicators.models import series_key

    for month in range(1, 4):
        day = date(2025, month, 1)
        IndicatorValue.objects.create(
            indicator=indicator, unit=catalogue.province, period_start=day, period_end=day, value=month + 0.5,
            numerator=month, denominator=4, source="computed", series_key=series_key(
                indicator_id=indicator.pk, unit_id=catalogue.province.pk, agency_id=None, level="",
                period_start=day, period_end=day, source="computed"))
    body = b"".join(client.get("/du-lieu-mo/gia-tri-chi-tieu-chuyen-doi-so/tai-ve.csv").streaming_content)
    rows = list(csv.reader(io.StringIO(body.decode("utf-8-sig"))))
    source = selectors.source_of(selectors.dataset_get(key="gia-tri-chi-tieu-chuyen-doi-so"))
    expected = list(source.rows())
    assert rows[0] == [c.name for c in source.columns] and len(rows) - 1 == len(expected) == 3
    for got, want in zip(rows[1:], expected, strict=True):
        assert got[1] == csv_cell(want[1]) == "'=Chỉ tiêu (thử)"
        assert got[7] == want[7] and float(got[9]) == want[9] and float(got[10]) == want[10]
    page = resources.datastore_search(selectors.dataset_get(key="gia-tri-chi-tieu-chuyen-doi-so"))
    assert page["records"][0]["indicator_name"] == "=Chỉ tiêu (thử)"  # JSON carries the text as it is
