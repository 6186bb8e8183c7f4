"""Exports hold exactly what the page shows: the same tables, rows, labels and rounding, in CSV and XLSX."""

import pytest

from tinhso.core.numbers import parse_vn_number, shown_value, vn_number

from .tables import csv_tables, html_tables, xlsx_cell_matches, xlsx_tables

pytestmark = [pytest.mark.django_db]


@pytest.fixture(autouse=True)
def _home_province(settings, world):
    settings.TINHSO_PROVINCE_CODE = world.province.code


def _pages(world):
    return [
        ("anonymous", "/dashboard/?unit=33&year=2024"),
        ("anonymous", "/dashboard/"),
        ("province_admin", f"/dashboard/don-vi/{world.commune.code}/?year=2025"),
        ("province_admin", f"/dashboard/co-quan/{world.commune_committee.identifier_code}/"),
        ("province_admin", "/dashboard/chi-so/cq_ho_so_tthc_truc_tuyen_rate/?period=2025"),
        ("anonymous", "/dashboard/chi-so/xh_thon_co_to_cnscd_rate/?unit=33"),
    ]


def _export(client, url: str, fmt: str):
    response = client.get(url + ("&" if "?" in url else "?") + f"export={fmt}")
    assert response.status_code == 200
    assert response["Content-Disposition"].startswith("attachment; filename=")
    assert response["Content-Disposition"].endswith(f'.{fmt}"')
    return response.content


def _check_same(html_tables_, exported, cell_equal):
    assert [t["caption"] for t in exported] == [t["caption"] for t in html_tables_]
    for page_table, file_table in zip(html_tables_, exported, strict=True):
        assert file_table["header"] == page_table["header"], page_table["caption"]
        assert len(file_table["rows"]) == len(page_table["rows"]), page_table["caption"]
        for page_row, file_row in zip(page_table["rows"], file_table["rows"], strict=True):
            assert len(file_row) == len(page_row)
            for shown, stored in zip(page_row, file_row, strict=True):
                assert cell_equal(shown, stored), (page_table["caption"], shown, stored)


def test_csv_and_xlsx_hold_the_rows_of_every_page(world, computed, published):
    for persona, url in _pages(world):
        client = world.client_for(persona)
        html = client.get(url).content.decode()
        shown = html_tables(html)
        assert shown, url
        head, from_csv = csv_tables(_export(client, url, "csv"))
        assert head[0][0] in html and head[1][0] in html
        _check_same(shown, from_csv, lambda a, b: a == b)
        head, from_xlsx = xlsx_tables(_export(client, url, "xlsx"))
        assert head[0][0] in html
        _check_same(shown, from_xlsx, xlsx_cell_matches)


@pytest.mark.smoke
def test_seed_figures_are_the_same_numbers_in_the_spreadsheet(world, published):
    client = world.client_for("anonymous")
    url = "/dashboard/?unit=33&year=2024"
    _, tables = xlsx_tables(_export(client, url, "xlsx"))
    rows = [r for t in tables for r in t["rows"]]
    villages = next(r for r in rows if r[0] == "Tỷ lệ thôn, tổ dân phố có tổ công nghệ số cộng đồng")
    assert villages[2] == (80.6, '#,##0.0" %"') and villages[3] == "1.449/1.797"
    commune = next(r for r in rows if r[0] == "Tỷ lệ hồ sơ công việc được xử lý trên môi trường mạng"
                   and r[1] == "Cấp xã")
    assert commune[2][0] == 60 and commune[6:8] == ["> 60 %", "Gần đạt"]
    _, from_csv = csv_tables(_export(client, url, "csv"))
    csv_rows = [r for t in from_csv for r in t["rows"]]
    assert any(r[0] == villages[0] and r[2] == "80,6 %" for r in csv_rows)


@pytest.mark.smoke
@pytest.mark.parametrize("value, text", [
    (80.6, "80,6"), (80.62, "80,62"), (100.0, "100"), (12405, "12.405"), (6733122, "6.733.122"),
    (33.33333, "33,33"), (0.5, "0,5"), (1449.0, "1.449"), (99.999, "100"),
])
def test_vietnamese_number_display_and_the_stored_number_agree(value, text):
    assert vn_number(value) == text
    assert parse_vn_number(text) == shown_value(value)
