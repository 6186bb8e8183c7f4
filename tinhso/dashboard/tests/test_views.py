"""The IOC dashboard: public overview, the drill-down that needs a role, the indicator page, bad input."""

import json

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from .tables import html_tables

pytestmark = [pytest.mark.django_db]


@pytest.fixture(autouse=True)
def _home_province(settings, world):
    settings.TINHSO_PROVINCE_CODE = world.province.code


def _row(tables, name, level="—"):
    return next(dict(zip(t["header"], r, strict=True)) for t in tables for r in t["rows"]
                if r[0] == name and (level is None or r[1] == level))


def _all_rows(tables):
    return [dict(zip(t["header"], r, strict=True)) for t in tables for r in t["rows"] if len(r) == len(t["header"])]


# --- the public overview ----------------------------------------------------------------------------------------

@pytest.mark.smoke
def test_anonymous_visitor_sees_the_overview_per_pillar_with_statuses(world, computed, published):
    response = world.client_for("anonymous").get("/dashboard/")
    assert response.status_code == 200
    tables = html_tables(response.content.decode())
    assert [t["caption"] for t in tables] == ["Chính quyền số", "Kinh tế số", "Xã hội số", "Nền tảng"]
    rows = _all_rows(tables)
    online = _row(tables, "Tỷ lệ hồ sơ thủ tục hành chính được tiếp nhận trực tuyến")
    assert online["Nguồn"] == "Tính từ dữ liệu nghiệp vụ" and online["Số liệu của"] == "Tỉnh Thanh Hóa"
    assert online["Đánh giá 2025"] in {"Đạt", "Đúng lộ trình", "Gần đạt", "Chưa đạt"}
    assert {r["Đánh giá 2025"] for r in rows} & {"Đạt", "Chưa đạt"}
    # The historical Thanh Hóa's published figures show as history of the current province.
    assert any(r["Số liệu của"] == "Tỉnh Thanh Hóa (số liệu lịch sử)" and r["Nguồn"] == "Số liệu đã công bố"
               for r in rows)
    assert "đăng nhập" in response.content.decode()
    assert 'id="drill-communes"' not in response.content.decode()


@pytest.mark.smoke
def test_seed_statements_of_thai_binh_2024_show_under_hung_yen(world, published):
    response = world.client_for("anonymous").get("/dashboard/?unit=33&year=2024")
    assert response.status_code == 200
    tables = html_tables(response.content.decode())
    name = "Tỷ lệ hồ sơ công việc được xử lý trên môi trường mạng"
    commune = _row(tables, name, "Cấp xã")
    assert (commune["Giá trị"], commune["Mục tiêu 2025"], commune["Đánh giá 2025"]) == ("60 %", "> 60 %", "Gần đạt")
    assert commune["Số liệu của"] == "Tỉnh Thái Bình (số liệu lịch sử)" and commune["Kỳ"] == "Năm 2024"
    assert commune["Nguồn"] == "Số liệu đã công bố"
    assert commune["Căn cứ số liệu"] == ("“ở cấp xã đạt 60%” — theo “Chuyển đổi số thúc đẩy phát triển toàn xã hội”, "
                                        "Báo Thái Bình, 12/2024")
    assert ".txt" not in response.content.decode()
    province = _row(tables, name, "Cấp tỉnh")
    assert (province["Giá trị"], province["Mục tiêu 2025"], province["Đánh giá 2025"]) == ("100 %", "> 90 %", "Đạt")
    villages = _row(tables, "Tỷ lệ thôn, tổ dân phố có tổ công nghệ số cộng đồng")
    assert (villages["Giá trị"], villages["Tử số/mẫu số"]) == ("80,6 %", "1.449/1.797")
    # The levels of one indicator read from the top down.
    levels = [r[1] for t in tables for r in t["rows"] if r[0] == name]
    assert levels == ["Cấp tỉnh", "Cấp huyện", "Cấp xã"]


@pytest.mark.smoke
def test_historical_province_has_its_own_public_overview(world, published):
    response = world.client_for("anonymous").get("/dashboard/?unit=cu-34&year=2024")
    row = _row(html_tables(response.content.decode()), "Tỷ lệ hồ sơ công việc được xử lý trên môi trường mạng",
               "Cấp xã")
    assert row["Số liệu của"] == "Tỉnh Thái Bình" and row["Đánh giá 2025"] == "Gần đạt"


def test_overview_reads_indicator_values_never_dossiers(world, computed, published):
    client = world.client_for("anonymous")
    with CaptureQueriesContext(connection) as queries:
        assert client.get("/dashboard/").status_code == 200
    assert not [q for q in queries if "dossiers_" in q["sql"]]
    with CaptureQueriesContext(connection) as cached:
        assert client.get("/dashboard/").status_code == 200
    assert not [q for q in cached if "indicators_indicatorvalue" in q["sql"]]  # served from the cache


def test_year_filter_keeps_only_that_years_values(world, computed, published):
    tables = html_tables(world.client_for("anonymous").get("/dashboard/?year=2023").content.decode())
    periods = {r["Kỳ"] for r in _all_rows(tables)}
    assert periods and all("2023" in p for p in periods)


# --- drill-down -------------------------------------------------------------------------------------------------

def test_anonymous_visitor_is_sent_to_login_for_a_commune(world, computed):
    response = world.client_for("anonymous").get(f"/dashboard/don-vi/{world.commune.code}/")
    assert response.status_code == 302 and "/tai-khoan/dang-nhap/" in response["Location"]


def test_anonymous_visitor_is_sent_to_login_for_an_agency(world, computed):
    response = world.client_for("anonymous").get(f"/dashboard/co-quan/{world.justice.identifier_code}/")
    assert response.status_code == 302


def test_citizen_gets_403_for_a_commune(world, computed):
    response = world.client_for("citizen").get(f"/dashboard/don-vi/{world.commune.code}/")
    assert response.status_code == 403
    assert "vai trò cán bộ" in response.content.decode()


def test_officer_of_other_commune_gets_404(world, computed):
    client = world.client_for("other_unit_officer")
    assert client.get(f"/dashboard/don-vi/{world.commune.code}/").status_code == 404
    assert client.get(f"/dashboard/co-quan/{world.commune_committee.identifier_code}/").status_code == 404
    assert client.get(f"/dashboard/don-vi/{world.other_commune.code}/").status_code == 200


def test_unit_admin_sees_own_commune_and_its_agency(world, computed):
    client = world.client_for("unit_admin")
    response = client.get(f"/dashboard/don-vi/{world.commune.code}/")
    assert response.status_code == 200
    assert f'/dashboard/co-quan/{world.commune_committee.identifier_code}/' in response.content.decode()
    assert client.get(f"/dashboard/don-vi/{world.other_commune.code}/").status_code == 404


def test_province_admin_drills_from_province_to_commune_to_agency(world, computed):
    client = world.client_for("province_admin")
    overview = client.get("/dashboard/?year=2025").content.decode()
    assert f'href="/dashboard/don-vi/{world.commune.code}/?year=2025"' in overview
    commune = client.get(f"/dashboard/don-vi/{world.commune.code}/?year=2025")
    assert commune.status_code == 200
    rows = _all_rows(html_tables(commune.content.decode()))
    online = next(r for r in rows if r["Chỉ tiêu"] == "Tỷ lệ hồ sơ thủ tục hành chính được tiếp nhận trực tuyến")
    # Hoằng Hóa's committee received 5 dossiers in 2025, 2 of them online
    assert online["Số liệu của"] == world.commune.name and online["Kỳ"] == "Năm 2025"
    assert online["Tử số/mẫu số"] == "2/5" and online["Giá trị"] == "40 %"
    agency = client.get(f"/dashboard/co-quan/{world.commune_committee.identifier_code}/?year=2025")
    assert agency.status_code == 200
    rows = _all_rows(html_tables(agency.content.decode()))
    online = next(r for r in rows if r["Chỉ tiêu"] == "Tỷ lệ hồ sơ thủ tục hành chính được tiếp nhận trực tuyến")
    assert online["Số liệu của"] == world.commune_committee.name and online["Giá trị"] == "40 %"


def test_province_page_of_the_drill_down_is_the_public_overview(world, computed):
    response = world.client_for("province_admin").get(f"/dashboard/don-vi/{world.province.code}/")
    assert response.status_code == 302 and response["Location"].startswith("/dashboard/?unit=38")


# --- the indicator page -----------------------------------------------------------------------------------------

def _chart(response) -> dict:
    html = response.content.decode()
    start = html.index('<script id="trend-data" type="application/json">') + len(
        '<script id="trend-data" type="application/json">')
    return json.loads(html[start:html.index("</script>", start)])


@pytest.mark.smoke
def test_indicator_page_has_the_trend_chart_data_and_target_lines(world, published):
    response = world.client_for("anonymous").get(
        "/dashboard/chi-so/cq_ho_so_cong_viec_truc_tuyen_rate/?unit=33")
    assert response.status_code == 200
    html = response.content.decode()
    assert "vendor/echarts.min.js" in html and "dashboard/dashboard.js" in html
    chart = _chart(response)
    assert chart["categories"] == ["Năm 2024"] and chart["unit"] == "%"
    # Thái Bình's published figures are their own series, named after the unit as it was.
    commune = next(s for s in chart["series"] if s["name"] == "Tỉnh Thái Bình (trước 01/07/2025) — cấp xã")
    assert commune["data"] == [60] and commune["history"]
    assert [t["label"] for t in commune["targets"] if t["value"] == 60] == [
        "Mục tiêu 2025: > 60 % (Tỉnh Thái Bình — cấp xã)"]
    # The 2030 target (≥ 100 %) is the same for every level: one line.
    labels = [t["label"] for s in chart["series"] for t in s["targets"]]
    assert labels.count("Mục tiêu 2030: ≥ 100 %") == 1 and len(labels) == 4
    trend = html_tables(html)[0]
    assert trend["caption"] == "Diễn biến qua các kỳ" and trend["rows"]


def test_anonymous_visitor_sees_no_breakdown_on_the_indicator_page(world, computed):
    html = world.client_for("anonymous").get("/dashboard/chi-so/cq_ho_so_tthc_truc_tuyen_rate/").content.decode()
    keys = [t["key"] for t in html_tables(html)]
    assert "theo-xa" not in keys and "theo-co-quan" not in keys
    assert "chỉ hiển thị cho cán bộ đã đăng nhập" in html
    assert "xep-hang-dti-tinh" in keys and "xep-hang-qd766" not in keys  # commune rankings need a role


def test_province_admin_sees_breakdown_by_commune_and_agency_and_rankings(world, computed):
    response = world.client_for("province_admin").get(
        "/dashboard/chi-so/cq_ho_so_tthc_truc_tuyen_rate/?period=2025")
    tables = {t["key"]: t for t in html_tables(response.content.decode())}
    communes = {r[0]: r for r in tables["theo-xa"]["rows"]}
    assert set(communes) == {world.commune.name, world.other_commune.name}
    assert communes[world.commune.name][2] == "40 %"
    assert world.justice.name in {r[0] for r in tables["theo-co-quan"]["rows"]}  # the province's own agencies
    ranking = tables["xep-hang-qd766"]
    assert ranking["header"][:2] == ["Hạng", "Đơn vị"]
    assert {r[1] for r in ranking["rows"]} == {world.commune.name, world.other_commune.name}
    assert all(r[5].startswith("xếp thứ ") and r[5].endswith("/2") for r in ranking["rows"])
    assert ranking["header"][4] == "Thành phần có số liệu" and "ước tính" in ranking["caption"]
    dti = tables["xep-hang-dti-tinh"]  # only the home province has a DTI score: no "1/1"
    assert [r[0] for r in dti["rows"]] == ["—"] and dti["rows"][0][5].startswith("chưa xếp hạng")


def test_officer_of_other_commune_sees_only_their_commune_in_the_breakdown(world, computed):
    response = world.client_for("other_unit_officer").get(
        "/dashboard/chi-so/cq_ho_so_tthc_truc_tuyen_rate/?period=2025")
    tables = {t["key"]: t for t in html_tables(response.content.decode())}
    assert [r[0] for r in tables["theo-xa"]["rows"]] == [world.other_commune.name]


def test_commune_indicator_page_needs_a_role(world, computed):
    url = f"/dashboard/chi-so/cq_ho_so_tthc_truc_tuyen_rate/?unit={world.commune.code}"
    assert world.client_for("anonymous").get(url).status_code == 302
    assert world.client_for("citizen").get(url).status_code == 403
    assert world.client_for("other_unit_officer").get(url).status_code == 404
    response = world.client_for("unit_admin").get(url + "&period=2025")
    assert response.status_code == 200
    tables = {t["key"]: t for t in html_tables(response.content.decode())}
    assert "theo-xa" not in tables  # a commune has no communes below it
    assert [r[0] for r in tables["theo-co-quan"]["rows"]] == [world.commune_committee.name]


# --- bad input --------------------------------------------------------------------------------------------------

@pytest.mark.smoke
@pytest.mark.parametrize("url, status", [
    ("/dashboard/?year=abc", 422),
    ("/dashboard/?year=1800", 422),
    ("/dashboard/?unit=khong-co", 404),
    ("/dashboard/?export=pdf", 422),
    ("/dashboard/chi-so/khong-co/", 404),
    ("/dashboard/chi-so/cq_ho_so_tthc_truc_tuyen_rate/?period=2024-Q9", 422),
    ("/dashboard/don-vi/khong-co/", 404),
    ("/dashboard/?unit=" + "9" * 500, 404),
])
def test_bad_input_gets_a_vietnamese_4xx(world, definitions, url, status):
    response = world.client_for("province_admin").get(url)
    assert response.status_code == status
    assert "Không thể xử lý yêu cầu" in response.content.decode()
