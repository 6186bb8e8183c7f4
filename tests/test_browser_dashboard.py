"""In Debian's Chromium: the province administrator opens the IOC dashboard, drills into a commune, exports the
commune's page as .xlsx; the spreadsheet holds the numbers shown on the page."""

import pytest
from openpyxl import load_workbook

from tinhso.accounts.tests.factories import PASSWORD
from tinhso.dashboard.formatting import parse_vn_number
from tinhso.dashboard.tests.conftest import computed, definitions, operations  # noqa: F401

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

READ_TABLES = """() => Array.from(document.querySelectorAll('table.dash')).map(t => ({
  caption: t.caption.innerText.trim(),
  rows: Array.from(t.tBodies[0].rows).map(r => Array.from(r.cells).map(c => c.innerText.trim()))
}))"""


def test_province_admin_drills_into_a_commune_and_exports_what_is_shown(live_server, page, computed, settings,  # noqa: F811
                                                                       tmp_path):
    world = computed
    settings.TINHSO_PROVINCE_CODE = world.province.code
    page.goto(f"{live_server.url}/tai-khoan/dang-nhap/")
    page.fill("input[name=username]", world.users["province_admin"].username)
    page.fill("input[name=password]", PASSWORD)
    page.click("button:has-text('Đăng nhập')")
    page.wait_for_selector("text=Đăng xuất")

    page.click("nav >> text=Bảng điều hành IOC")
    page.wait_for_selector("h1:has-text('Bảng điều hành chuyển đổi số')")
    assert page.locator("table.dash caption").all_inner_texts() == [
        "Chính quyền số", "Kinh tế số", "Xã hội số", "Nền tảng"]
    page.select_option("select[name=year]", "2025")
    page.click("form.dash-filter button:has-text('Xem')")
    page.wait_for_selector("#page-subtitle:has-text('năm 2025')")

    page.click(f"#drill-communes >> text={world.commune.name}")
    page.wait_for_selector(f"h1:has-text('{world.commune.name}')")
    shown = page.evaluate(READ_TABLES)
    rows = [r for t in shown for r in t["rows"] if len(r) > 1]
    online = next(r for r in rows if r[0] == "Tỷ lệ hồ sơ thủ tục hành chính được tiếp nhận trực tuyến")
    assert online[2] == "40 %" and online[3] == "2/5"

    with page.expect_download() as download_info:
        page.click("#export-xlsx")
    download = download_info.value
    assert download.suggested_filename == f"bang-dieu-hanh-{world.commune.code}-2025.xlsx"
    saved = tmp_path / download.suggested_filename
    download.save_as(saved)
    sheet = load_workbook(saved).active
    lines = [[c for c in row] for row in sheet.iter_rows(values_only=True)]
    by_name = {(line[0], line[1]): line for line in lines if line and len(line) > 2 and line[2] is not None}
    for row in rows:
        stored = by_name[(row[0], row[1])]
        value_shown = row[2]
        if value_shown != "—" and "/" not in value_shown:
            assert stored[2] == parse_vn_number(value_shown), row  # 40 % on the page, 40 in the file
        assert [str(v) if v is not None else "" for v in stored[3:len(row)]] == row[3:], row
    assert by_name[(online[0], online[1])][2] == 40
