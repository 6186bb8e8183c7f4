"""The IOC overview beside its tables: tiles and charts per pillar, the change since the previous period, the
commune map, the alerts, and trends that show every month."""

import json
import re
from datetime import date, timedelta

import pytest
from django.utils import timezone

from tinhso.core.periods import month_period, year_period
from tinhso.dossiers.models import Dossier
from tinhso.indicators import alerts as indicator_alerts
from tinhso.indicators import selectors as indicators
from tinhso.indicators.models import Indicator, ReportForm, ReportPeriod
from tinhso.indicators.services import NewValue, store_values

pytestmark = [pytest.mark.django_db]


@pytest.fixture(autouse=True)
def _home_province(settings, world):
    settings.TINHSO_PROVINCE_CODE = world.province.code


def _store(code, unit, period, value, numerator=None, denominator=None):
    indicator = Indicator.objects.get(code=code)
    store_values(actor=None, reason="", values=[NewValue(indicator=indicator, period=period, value=value,
                                                         source="reported", unit_id=unit.pk, numerator=numerator,
                                                         denominator=denominator)])


def _json_block(html, element_id):
    match = re.search(rf'<script id="{element_id}" type="application/json">(.*?)</script>', html, re.S)
    assert match, element_id
    return json.loads(match.group(1))


def _place(world):
    for commune, (lat, lon) in ((world.commune, (19.81, 105.79)), (world.other_commune, (19.60, 105.81))):
        commune.latitude, commune.longitude = lat, lon
        commune.save(update_fields=["latitude", "longitude"])


# --- tiles, change, charts ----------------------------------------------------------------------------------

@pytest.mark.smoke
def test_change_since_the_previous_period_of_the_same_kind(world, definitions):
    _store("xh_tai_khoan_thanh_toan_dien_tu_rate", world.province, year_period(2024), 61.5)
    _store("xh_tai_khoan_thanh_toan_dien_tu_rate", world.province, year_period(2025), 70.0)
    _store("xh_tai_khoan_thanh_toan_dien_tu_rate", world.province, month_period(2025, 6), 10.0)  # other kind
    rows = indicators.with_changes(indicators.latest_values(unit=world.province, year=2025))
    row = next(r for r in rows if r["indicator"] == "xh_tai_khoan_thanh_toan_dien_tu_rate")
    assert (row["previous_value"], row["previous_period_label"]) == (61.5, "Năm 2024")
    assert row["change"] == pytest.approx(8.5)


@pytest.mark.smoke
def test_overview_shows_tiles_with_targets_status_and_change_and_a_chart_per_pillar(world, definitions):
    _store("xh_tai_khoan_thanh_toan_dien_tu_rate", world.province, year_period(2024), 61.5)
    _store("xh_tai_khoan_thanh_toan_dien_tu_rate", world.province, year_period(2025), 70.0)
    html = world.client_for("anonymous").get("/dashboard/?year=2025").content.decode()
    assert html.count('<section class="pillar"') == 4
    social = html[html.index('id="pillar-xa_hoi_so"'):html.index('id="pillar-nen_tang"')]
    assert "70 %" in social and "Mục tiêu 2025: &gt; 50 %" in social and "Mục tiêu 2030: &gt; 80 %" in social
    assert "▲ +8,5 điểm % so với Năm 2024" in social
    assert '<li class="tile tile-achieved">' in social
    chart = _json_block(html, "pillar-data-xa_hoi_so")
    index = chart["names"].index(Indicator.objects.get(code="xh_tai_khoan_thanh_toan_dien_tu_rate").name)
    assert (chart["values"][index], chart["target_2025"][index], chart["target_2030"][index]) == (70, 50, 80)
    assert 'data-pillar-chart="pillar-data-xa_hoi_so"' in social and 'role="img"' in social
    # No inline code for the Content-Security-Policy: data in json_script blocks, code in static files.
    assert not re.search(r"<script(?![^>]*(type=\"application/json\"|src=))[^>]*>", html)


def test_compact_table_is_print_and_screen_friendly(world, definitions):
    css = open("tinhso/dashboard/static/dashboard/dashboard.css", encoding="utf-8").read()
    assert "@media print" in css and ".ioc table.dash { table-layout: fixed; }" in css


# --- the map ------------------------------------------------------------------------------------------------

@pytest.mark.smoke
def test_public_map_places_the_communes_without_their_figures(world, computed):
    _place(world)
    html = world.client_for("anonymous").get("/dashboard/").content.decode()
    data = _json_block(html, "map-data")
    assert {(p["code"], p["lat"], p["lon"]) for p in data["points"]} == {
        (world.commune.code, 19.81, 105.79), (world.other_commune.code, 19.6, 105.81)}
    assert not data["detail"] and all(p["value"] is None and p["href"] == "" for p in data["points"])
    assert data["choices"] == []


@pytest.mark.smoke
def test_province_admin_map_colours_communes_by_value_or_status_and_links_them(world, computed):
    _place(world)
    client = world.client_for("province_admin")
    data = _json_block(client.get("/dashboard/").content.decode(), "map-data")
    assert data["detail"] and data["indicator"] == "cq_ho_so_tthc_truc_tuyen_rate" and data["by"] == "value"
    commune = next(p for p in data["points"] if p["code"] == world.commune.code)
    assert (commune["value"], commune["text"]) == (40, "40 %")
    assert commune["status"] and commune["href"] == f"/dashboard/don-vi/{world.commune.code}/"
    data = _json_block(client.get("/dashboard/?map=cq_tthc_dung_han_rate&map_by=status").content.decode(),
                       "map-data")
    assert (data["indicator"], data["by"]) == ("cq_tthc_dung_han_rate", "status")
    assert ("cq_tthc_dung_han_rate", Indicator.objects.get(code="cq_tthc_dung_han_rate").name) in \
        [tuple(c) for c in data["choices"]]


def test_officer_of_one_commune_can_open_only_that_commune_on_the_map(world, computed):
    _place(world)
    data = _json_block(world.client_for("other_unit_officer").get("/dashboard/").content.decode(), "map-data")
    links = {p["code"]: p["href"] for p in data["points"]}
    assert links[world.other_commune.code] and not links[world.commune.code]


def test_map_data_is_cached_per_scope_so_a_warm_map_never_crosses_scopes(world, computed):
    from tinhso.dashboard import ioc

    _place(world)
    admin, officer = world.users["province_admin"], world.users["other_unit_officer"]
    first = ioc.map_data(unit=world.province, user=admin)
    assert all(p["href"] for p in first["points"])
    mine = ioc.map_data(unit=world.province, user=officer)  # the admin's map is in the cache
    links = {p["code"]: p["href"] for p in mine["points"]}
    assert links[world.other_commune.code] and not links[world.commune.code]
    public = ioc.map_data(unit=world.province, user=world.users["citizen"])
    assert not public["detail"] and all(p["value"] is None for p in public["points"])
    world.commune.latitude = 20.0  # moved: the cached map keeps the old position until the cache expires
    world.commune.save(update_fields=["latitude"])
    assert ioc.map_data(unit=world.province, user=admin) == first


def test_unknown_map_choices_fall_back_instead_of_failing(world, computed):
    _place(world)
    response = world.client_for("province_admin").get("/dashboard/?map=khong-co&map_by=%3Cx%3E")
    data = _json_block(response.content.decode(), "map-data")
    assert response.status_code == 200 and data["indicator"] == "cq_ho_so_tthc_truc_tuyen_rate" and data["by"] == "value"


# --- alerts -------------------------------------------------------------------------------------------------

def _make_overdue(world, operations):
    now = timezone.now()
    pending = [d for d in operations if d.resolved_at is None and d.status == "received"]
    by_agency = {d.receiving_agency_id: d for d in pending}
    old = by_agency[world.commune_committee.pk]  # overdue for weeks: no growth this week
    Dossier.objects.filter(pk=old.pk).update(due_at=now - timedelta(days=30))
    new = by_agency[world.justice.pk]  # overdue since two days: grew this week
    Dossier.objects.filter(pk=new.pk).update(due_at=now - timedelta(days=2))
    return now


def test_overdue_hot_spots_rank_agencies_and_communes_and_show_weekly_growth(world, operations):
    now = _make_overdue(world, operations)
    spots = indicator_alerts.overdue_hotspots(agency_ids=None, now=now)
    assert {(h["agency"].pk, h["overdue"], h["growth"]) for h in spots["agencies"]} == {
        (world.commune_committee.pk, 1, 0), (world.justice.pk, 1, 1)}
    assert [(h["unit"].pk, h["overdue"]) for h in spots["communes"]] == [(world.commune.pk, 1)]
    assert [h["agency"].pk for h in spots["agencies_growing"]] == [world.justice.pk]
    scoped = indicator_alerts.overdue_hotspots(agency_ids={world.justice.pk}, now=now)
    assert [h["agency"].pk for h in scoped["agencies"]] == [world.justice.pk] and not scoped["communes"]


def test_overview_alerts_link_to_the_filtered_queue_and_need_a_role(world, operations, settings):
    _make_overdue(world, operations)
    html = world.client_for("province_admin").get("/dashboard/").content.decode()
    box = html[html.index('id="alert-overdue"'):html.index('id="alert-growing"')]
    assert f'href="/ho-so/xu-ly/?queue=overdue&amp;agency={world.justice.identifier_code}"' in box
    growing = html[html.index('id="alert-growing"'):html.index('id="alert-reports"')]
    assert world.justice.name in growing and "+1" in growing and world.commune_committee.name not in growing
    public = world.client_for("anonymous").get("/dashboard/").content.decode()
    assert 'id="alert-behind"' in public and 'id="alert-overdue"' not in public


def test_indicators_behind_target_are_listed_with_a_link(world, definitions):
    _store("cq_ho_so_tthc_truc_tuyen_rate", world.province, year_period(2025), 5.0, 1, 20)
    html = world.client_for("anonymous").get("/dashboard/?year=2025").content.decode()
    box = html[html.index('id="alert-behind"'):html.index('id="ban-do"')]
    assert "Tỷ lệ hồ sơ thủ tục hành chính được tiếp nhận trực tuyến" in box
    assert "/dashboard/chi-so/cq_ho_so_tthc_truc_tuyen_rate/" in box


def test_reports_not_submitted_by_their_deadline_are_alerts(world, definitions):
    form = ReportForm.objects.create(code="bieu-thu", name="Biểu thử", unit_level="commune")
    period = ReportPeriod.objects.create(form=form, period_start=date(2025, 1, 1), period_end=date(2025, 12, 31),
                                         label="Năm 2025", opens_on=date(2025, 12, 1), deadline=date(2026, 1, 15),
                                         status="open")
    late = indicator_alerts.late_reports(today=date(2026, 1, 20))
    assert [r["period"].pk for r in late] == [period.pk]
    assert {u["unit_code"] for u in late[0]["units"]} == {world.commune.code, world.other_commune.code}
    assert indicator_alerts.late_reports(today=date(2026, 1, 10)) == []


# --- trends -------------------------------------------------------------------------------------------------

@pytest.mark.smoke
def test_monthly_trend_shows_every_month_zeros_for_counts_gaps_for_ratios(world, definitions):
    for month, count in ((1, 7), (3, 4)):
        _store("cq_tthc_ho_so_truc_tuyen_count", world.province, month_period(2025, month), count)
        _store("cq_ho_so_tthc_truc_tuyen_rate", world.province, month_period(2025, month), 50.0, count, 2 * count)
    client = world.client_for("anonymous")
    html = client.get("/dashboard/chi-so/cq_tthc_ho_so_truc_tuyen_count/?kind=month").content.decode()
    chart = _json_block(html, "trend-data")
    assert chart["categories"][:3] == ["Tháng 1/2025", "Tháng 2/2025", "Tháng 3/2025"] and chart["monthly"]
    assert chart["series"][0]["data"][:3] == [7, 0, 4]
    assert len(chart["categories"]) == len(set(chart["categories"]))
    chart = _json_block(client.get("/dashboard/chi-so/cq_ho_so_tthc_truc_tuyen_rate/?kind=month").content.decode(),
                        "trend-data")
    assert chart["series"][0]["data"][:3] == [50, None, 50]


# --- rankings -----------------------------------------------------------------------------------------------

def test_commune_rankings_show_groups_change_in_rank_sort_and_export(world, definitions):
    from tinhso.indicators.frameworks import framework_rank

    framework = indicators.framework_get(code="qd766")
    for year, (mine, other) in ((2024, (90, 70)), (2025, (60, 80))):
        _store("cq_tthc_dung_han_rate", world.commune, year_period(year), mine)
        _store("cq_tthc_dung_han_rate", world.other_commune, year_period(year), other)
        framework_rank(actor=None, framework=framework, period=year_period(year), parent=world.province)
    client = world.client_for("province_admin")
    response = client.get("/dashboard/xep-hang/?period=2025")
    assert response.status_code == 200
    from .tables import html_tables

    [table] = html_tables(response.content.decode())
    assert table["header"][0] == "Hạng" and table["header"][-2:] == ["Thay đổi hạng", "Thành phần có số liệu"]
    assert [(r[0], r[1], r[-2]) for r in table["rows"]] == [
        ("1", world.other_commune.name, "▲ 1"), ("2", world.commune.name, "▼ 1")]
    by_name = html_tables(client.get("/dashboard/xep-hang/?period=2025&sort=name").content.decode())[0]
    assert [r[1] for r in by_name["rows"]] == sorted(r[1] for r in table["rows"])
    export = client.get("/dashboard/xep-hang/?period=2025&export=csv")
    assert export.status_code == 200 and world.other_commune.name in export.content.decode("utf-8-sig")
    assert world.client_for("anonymous").get("/dashboard/xep-hang/").status_code == 302
    assert world.client_for("citizen").get("/dashboard/xep-hang/").status_code == 403
