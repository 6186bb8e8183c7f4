"""Honest indices: platform scores are labelled estimates with their component coverage, a rank needs at least
two scored units, historical units are judged only by their own resolution's targets, and published figures are
cited by article title, outlet and date."""

import pytest

from tinhso.core.periods import year_period
from tinhso.indicators import selectors
from tinhso.indicators.frameworks import framework_rank
from tinhso.indicators.models import Indicator, Target
from tinhso.indicators.services import NewValue, store_values
from tinhso.indicators.sources import citation

pytestmark = [pytest.mark.smoke, pytest.mark.django_db]


def _row(rows, indicator, level=None):
    return next(r for r in rows if r["indicator"] == indicator and r["level"] == level)


def _give(indicator_code, unit, value):
    indicator = Indicator.objects.get(code=indicator_code)
    store_values(actor=None, reason="", values=[NewValue(indicator=indicator, period=year_period(2025), value=value,
                                                         source="reported", unit_id=unit.pk)])


def test_thai_binh_village_teams_are_not_judged_against_a_sample_target(published):
    assert Target.objects.filter(indicator__code="xh_thon_co_to_cnscd_rate", unit__isnull=True).exists()
    row = _row(selectors.status_list(unit=published["cu-34"], year=2024), "xh_thon_co_to_cnscd_rate")
    assert row["value"] == 80.6
    assert (row["target"], row["status"]) == (None, None)  # Resolution 02 sets no target for it


def test_thai_binh_is_still_judged_by_its_own_resolution(published):
    row = _row(selectors.status_list(unit=published["cu-34"], year=2024), "xh_tai_khoan_thanh_toan_dien_tu_rate")
    assert (row["value"], row["comparator"], row["target"], row["status"]) == (78.0, ">", 50.0, "achieved")


def test_current_province_still_uses_the_generic_targets(world, definitions):
    _give("xh_thon_co_to_cnscd_rate", world.province, 80.6)
    row = _row(selectors.status_list(unit=world.province, year=2025), "xh_thon_co_to_cnscd_rate")
    assert (row["target"], row["status"]) == (100.0, "behind")


def test_thai_binh_2024_every_household_reaches_broadband(published):
    row = _row(selectors.status_list(unit=published["cu-34"], year=2024), "xh_ho_gia_dinh_bang_rong_rate")
    assert (row["value"], row["target"], row["target_year"], row["status"]) == (100.0, 100.0, 2025, "achieved")
    value = selectors.latest_values(unit=published["cu-34"], year=2024)
    household = _row(value, "xh_ho_gia_dinh_bang_rong_rate")
    assert "từng hộ gia đình đều tiếp cận được dịch vụ internet băng thông rộng" in household["provenance"]["quote"]


def test_a_single_scored_unit_gets_no_rank_and_the_score_is_an_estimate(world, definitions):
    _give("cq_tthc_dung_han_rate", world.commune, 90)
    framework = selectors.framework_get(code="qd766")
    framework_rank(actor=None, framework=framework, period=year_period(2025), parent=world.province)
    data = selectors.ranking(framework=framework, period=year_period(2025))
    [row] = data["rows"]
    assert data["is_estimate"] and "ước tính" in data["note"] and not data["ranked"]
    assert (row["rank"], row["out_of"]) == (None, None)
    assert row["label"] == "chưa xếp hạng (chỉ 1 đơn vị có điểm)" and "1/1" not in row["label"]
    total = row["components_total"]
    assert total == len(selectors.scored_components(framework)) > 1
    assert row["components_scored"] == 1 and row["coverage_label"] == f"1/{total} thành phần có số liệu"


def test_two_scored_units_are_ranked_with_their_coverage(world, definitions):
    _give("cq_tthc_dung_han_rate", world.commune, 90)
    _give("cq_tthc_dung_han_rate", world.other_commune, 70)
    _give("cq_ho_so_so_hoa_rate", world.other_commune, 70)
    framework = selectors.framework_get(code="qd766")
    framework_rank(actor=None, framework=framework, period=year_period(2025), parent=world.province)
    rows = selectors.ranking(framework=framework, period=year_period(2025))["rows"]
    assert [(r["unit_code"], r["rank"], r["label"], r["components_scored"]) for r in rows] == [
        (world.other_commune.code, 1, "xếp thứ 1/2", 2), (world.commune.code, 2, "xếp thứ 2/2", 1)]


def test_ranking_api_gives_a_null_rank_for_a_lone_unit(world, definitions):
    _give("cq_tthc_dung_han_rate", world.province, 90)
    framework = selectors.framework_get(code="dti-tinh")
    framework_rank(actor=None, framework=framework, period=year_period(2025))
    response = world.client_for("anonymous").get("/api/v1/indicators/frameworks/dti-tinh/rankings?period=2025")
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["is_estimate"] is True and body["ranked"] is False
    assert body["rows"][0]["rank"] is None and body["rows"][0]["components_scored"] >= 1


def test_published_sources_are_cited_by_title_outlet_and_date():
    assert citation(source_file="004_4fdf699c81c151ae.txt") == "“Đẩy mạnh chuyển đổi số toàn diện”, Báo Quảng Ninh, 07/2022"
    text = citation(source_file="000_a0f7025ea50a6d5e.txt")
    assert text.startswith("“Chuyển đổi số thúc đẩy phát triển toàn xã hội”") and text.endswith("12/2024")
    assert ".txt" not in text


def test_resolution_targets_name_the_resolution_not_a_file(published):
    target = Target.objects.filter(unit=published["cu-34"]).first()
    assert "Nghị quyết số 02-NQ/TU" in target.source and ".txt" not in target.source
