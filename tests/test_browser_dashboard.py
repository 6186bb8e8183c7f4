"""In Debian's Chromium: the province administrator opens the IOC dashboard, drills into a commune, exports the
commune's page as .xlsx; the spreadsheet holds the numbers shown on the page."""

import json
import os
from pathlib import Path

import pytest
from openpyxl import load_workbook

from tinhso.accounts.tests.factories import PASSWORD
from tinhso.core.numbers import parse_vn_number
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


def _login(page, live_server, user):
    page.goto(f"{live_server.url}/tai-khoan/dang-nhap/")
    page.fill("input[name=username]", user.username)
    page.fill("input[name=password]", PASSWORD)
    page.click("button:has-text('Đăng nhập')")
    page.wait_for_selector("text=Đăng xuất")


def _place_communes(world):
    """Coordinates as the official data give them (vietnamadminunits), for the two communes of the world."""
    for commune, (lat, lon) in ((world.commune, (19.8066, 105.7852)), (world.other_commune, (19.6030, 105.8120))):
        commune.latitude, commune.longitude = lat, lon
        commune.save(update_fields=["latitude", "longitude"])


NO_HORIZONTAL_SCROLL = "() => document.documentElement.scrollWidth <= document.documentElement.clientWidth + 1"
SHOTS = os.environ.get("TINHSO_SCREENSHOTS", "")


def test_province_admin_sees_tiles_charts_and_map_hovers_a_commune_drills_in_and_exports(
        live_server, page, computed, settings, tmp_path):  # noqa: F811
    world = computed
    settings.TINHSO_PROVINCE_CODE = world.province.code
    _place_communes(world)
    errors = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    page.on("console", lambda msg: errors.append(msg.text) if msg.type == "error" else None)
    page.set_viewport_size({"width": 1366, "height": 768})
    _login(page, live_server, world.users["province_admin"])

    page.click("nav >> text=Bảng điều hành IOC")
    page.wait_for_selector("h1:has-text('Bảng điều hành chuyển đổi số')")
    assert page.locator("section.pillar h2").count() == 4
    assert page.locator("li.tile").count() >= 4
    tile = page.locator("li.tile", has_text="Tỷ lệ hồ sơ thủ tục hành chính được tiếp nhận trực tuyến").first
    assert "Mục tiêu 2025" in tile.inner_text() and "Mục tiêu 2030" in tile.inner_text()
    page.wait_for_selector("#pillar-chart-chinh_quyen_so canvas")
    page.wait_for_selector("#commune-map[data-ready='1'] canvas")
    assert page.evaluate(NO_HORIZONTAL_SCROLL)
    if SHOTS:
        page.screenshot(path=f"{SHOTS}/overview-1366.png", full_page=True)

    # Hover a commune on the map: its figures show; a click opens the commune.
    page.locator("#commune-map").scroll_into_view_if_needed()
    point = page.evaluate("""(code) => {
        const chart = echarts.getInstanceByDom(document.getElementById('commune-map'));
        const data = JSON.parse(document.getElementById('map-data').textContent);
        const p = data.points.find(x => x.code === code);
        const xy = chart.convertToPixel({seriesIndex: 0}, [p.lon, p.lat]);
        const box = document.getElementById('commune-map').getBoundingClientRect();
        return {x: box.left + xy[0], y: box.top + xy[1]};
    }""", world.commune.code)
    page.mouse.move(point["x"], point["y"])
    tooltip = page.wait_for_selector(f"#commune-map div:has-text('{world.commune.name}')")
    assert "40 %" in tooltip.inner_text()
    if SHOTS:
        page.screenshot(path=f"{SHOTS}/map-hover-1366.png")
    page.mouse.click(point["x"], point["y"])
    page.wait_for_selector(f"h1:has-text('{world.commune.name}')")

    with page.expect_download() as download_info:
        page.click("#export-xlsx")
    assert download_info.value.suggested_filename == f"bang-dieu-hanh-{world.commune.code}-moi-nhat.xlsx"
    assert not errors, errors


def test_public_overview_shows_the_province_map_and_fits_a_phone(live_server, page, computed, settings):  # noqa: F811
    world = computed
    settings.TINHSO_PROVINCE_CODE = world.province.code
    _place_communes(world)
    errors = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    for width, height in ((1366, 768), (390, 844)):
        page.set_viewport_size({"width": width, "height": height})
        page.goto(f"{live_server.url}/dashboard/")
        page.wait_for_selector("#commune-map[data-ready='1'] canvas")
        assert page.evaluate(NO_HORIZONTAL_SCROLL), width
        data = page.evaluate("() => JSON.parse(document.getElementById('map-data').textContent)")
        assert data["detail"] is False and all(p["value"] is None and not p["href"] for p in data["points"])
        if SHOTS:
            page.screenshot(path=f"{SHOTS}/public-{width}.png", full_page=True)
    assert not errors, errors


AXE = Path(__file__).resolve().parents[1] / "node_modules" / "axe-core" / "axe.min.js"
RUN_AXE = """async () => {
  const result = await axe.run(document, {resultTypes: ["violations"]});
  return result.violations.filter(v => v.impact === "critical" || v.impact === "serious")
    .map(v => ({id: v.id, help: v.help, targets: v.nodes.slice(0, 3).map(n => n.target.join(" "))}));
}"""


def test_ioc_pages_with_figures_pass_the_axe_gate(live_server, page, computed, settings):  # noqa: F811
    world = computed
    settings.TINHSO_PROVINCE_CODE = world.province.code
    _place_communes(world)
    axe = AXE.read_text(encoding="utf-8")
    found = {}
    paths = ["/dashboard/", "/dashboard/chi-so/cq_ho_so_tthc_truc_tuyen_rate/?kind=month"]
    for persona in ("anonymous", "province_admin"):
        if persona != "anonymous":
            _login(page, live_server, world.users[persona])
        for path in paths + ([f"/dashboard/don-vi/{world.commune.code}/"] if persona != "anonymous" else []):
            page.goto(live_server.url + path)
            page.evaluate(axe)
            violations = page.evaluate(RUN_AXE)
            if violations:
                found[f"{persona} {path}"] = violations
    assert not found, json.dumps(found, ensure_ascii=False, indent=1)
