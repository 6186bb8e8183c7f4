"""The agencies' ranking page of the IOC: groups, estimated scores, change in rank, coverage, the agencies' own
e-document shares, sorting, the same table as CSV and XLSX, linked from the overview, and for staff only."""

import pytest

from tinhso.indicators import selectors
from tinhso.indicators.tests.test_agency_rankings import scored  # noqa: F401 (fixture)

from .tables import csv_tables, html_tables, xlsx_tables

pytestmark = pytest.mark.django_db
URL = "/dashboard/xep-hang/co-quan/"


@pytest.fixture(autouse=True)
def _home_province(settings, world):
    settings.TINHSO_PROVINCE_CODE = world.province.code


@pytest.mark.smoke
def test_departments_ranked_with_change_coverage_and_e_document_shares(scored):  # noqa: F811
    client = scored.client_for("province_admin")
    response = client.get(URL, {"period": "2025"})
    assert response.status_code == 200
    html = response.content.decode()
    assert "Điểm ước tính từ số liệu trên nền tảng" in html and "Năm 2024" in html
    [table] = html_tables(html)
    header = table["header"]
    assert header[:2] == ["Hạng", "Cơ quan"] and "Thay đổi hạng" in header and "Thành phần có số liệu" in header
    signed = header.index("Tỷ lệ văn bản đi được ký số")
    change, coverage = header.index("Thay đổi hạng"), header.index("Thành phần có số liệu")
    leaves = len(selectors.scored_components(selectors.framework_get(code="qd766")))
    assert [(r[0], r[1], r[change], r[coverage], r[signed]) for r in table["rows"]] == [
        ("1", scored.justice.name, "▲ 1", f"2/{leaves}", "97,8 %"),
        ("2", scored.health.name, "▼ 1", f"1/{leaves}", "—")]
    assert f'href="/dashboard/co-quan/{scored.justice.identifier_code}/"' in html

    by_signed = html_tables(client.get(URL, {"period": "2025", "sort": "cq_van_ban_ky_so_rate"}).content.decode())
    assert [r[1] for r in by_signed[0]["rows"]][0] == scored.justice.name
    by_name = html_tables(client.get(URL, {"period": "2025", "sort": "name"}).content.decode())[0]
    assert [r[1] for r in by_name["rows"]] == sorted(r[1] for r in table["rows"])


def test_exports_hold_the_table_the_page_shows(scored):  # noqa: F811
    client = scored.client_for("province_admin")
    [shown] = html_tables(client.get(URL, {"period": "2025"}).content.decode())
    csv_response = client.get(URL, {"period": "2025", "export": "csv"})
    assert csv_response["Content-Disposition"] == 'attachment; filename="xep-hang-co-quan-so-nganh-2025.csv"'
    _, [from_csv] = csv_tables(csv_response.content)
    assert from_csv["header"] == shown["header"] and from_csv["rows"] == shown["rows"]
    _, [from_xlsx] = xlsx_tables(client.get(URL, {"period": "2025", "export": "xlsx"}).content)
    assert from_xlsx["header"] == shown["header"]
    assert [r[1] for r in from_xlsx["rows"]] == [r[1] for r in shown["rows"]]
    assert from_xlsx["rows"][0][0] == (1, from_xlsx["rows"][0][0][1])  # the rank as a number


def test_commune_committees_alone_get_no_rank_and_say_why(scored):  # noqa: F811
    html = scored.client_for("province_admin").get(URL, {"period": "2025", "group": "ubnd-xa"}).content.decode()
    assert "Chưa xếp hạng: chỉ 1 cơ quan của nhóm có điểm (cần ít nhất 2)." in html
    [table] = html_tables(html)
    assert [(r[0], r[1]) for r in table["rows"]] == [("—", scored.commune_committee.name)]


def test_linked_from_the_overview_and_for_staff_only(scored):  # noqa: F811
    overview = scored.client_for("province_admin").get("/dashboard/").content.decode()
    assert 'id="link-agency-rankings"' in overview and f'href="{URL}"' in overview
    assert 'id="link-agency-rankings"' not in scored.client_for("anonymous").get("/dashboard/").content.decode()
    assert scored.client_for("anonymous").get(URL).status_code == 302
    assert scored.client_for("citizen").get(URL).status_code == 403
    assert scored.client_for("province_admin").get(URL, {"period": "x"}).status_code == 422


def test_an_empty_province_shows_an_empty_ranking_not_an_error(world, definitions):
    response = world.client_for("province_admin").get(URL)
    assert response.status_code == 200
    assert "Chưa có cơ quan nào của nhóm có số liệu" in response.content.decode()
