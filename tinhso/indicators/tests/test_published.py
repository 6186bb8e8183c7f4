"""The published seed figures: attached to the historical units, shown under their successors, judged by the
Thái Bình Resolution 02-NQ/TU targets."""

import json
from io import StringIO

import pytest
from django.core.management import call_command

from tinhso.indicators import selectors
from tinhso.indicators.models import IndicatorValue
from tinhso.indicators.services import published_load

pytestmark = [pytest.mark.smoke, pytest.mark.django_db]


def _row(rows, indicator, level=None):
    return next(r for r in rows if r["indicator"] == indicator and r["level"] == level)


def test_thai_binh_2024_commune_level_sixty_percent_is_close_to_more_than_sixty(published):
    rows = selectors.status_list(unit=published["cu-34"], year=2024)
    row = _row(rows, "cq_ho_so_cong_viec_truc_tuyen_rate", "commune")
    assert (row["value"], row["comparator"], row["target"], row["target_year"]) == (60.0, ">", 60.0, 2025)
    assert row["status"] == "close"
    assert row["source"] == "published"


def test_thai_binh_2024_province_level_hundred_percent_is_achieved(published):
    row = _row(selectors.status_list(unit=published["cu-34"], year=2024), "cq_ho_so_cong_viec_truc_tuyen_rate",
               "province")
    assert (row["value"], row["target"], row["status"]) == (100.0, 90.0, "achieved")


def test_village_team_coverage_1449_of_1797_is_80_6_percent(published):
    row = _row(selectors.status_list(unit=published["cu-34"], year=2024), "xh_thon_co_to_cnscd_rate")
    value = IndicatorValue.objects.get(pk=selectors.latest_values(unit=published["cu-34"], year=2024)[0]["id"])
    assert value.unit.code == "cu-34"
    assert row["value"] == 80.6
    stored = IndicatorValue.objects.get(indicator__code="xh_thon_co_to_cnscd_rate", unit=published["cu-34"])
    assert (stored.numerator, stored.denominator) == (1449, 1797)
    assert round(100 * stored.numerator / stored.denominator, 1) == 80.6


def test_thai_binh_figures_show_under_hung_yen_as_history(published):
    rows = selectors.latest_values(unit=published["33"], year=2024)
    row = _row(rows, "cq_ho_so_cong_viec_truc_tuyen_rate", "commune")
    assert row["is_history"] and row["unit_code"] == "cu-34" and row["unit_name"] == "Tỉnh Thái Bình"
    assert row["status"] == "close" and row["target_2025"]["status_label"] == "Gần đạt"
    # The historical district of Thái Bình, also merged into Hưng Yên, is not a province predecessor.
    assert {u.code for u in selectors.predecessor_units(published["33"])} == {"cu-33", "cu-34"}


def test_history_of_an_indicator_includes_the_predecessor(published):
    indicator = selectors.indicator_get(code="xh_thon_co_to_cnscd_rate")
    history = selectors.value_history(indicator=indicator, unit=published["33"])
    assert [(r["unit_code"], r["period"], r["value"]) for r in history] == [("cu-34", "2024", 80.6)]


def test_figures_keep_their_source_article_and_quote(published):
    value = IndicatorValue.objects.get(indicator__code="cq_tthc_dung_han_rate", unit=published["cu-02"])
    assert value.provenance["source_file"] == "002_c58e276f43334ffa.txt"
    assert value.provenance["quote"] == "số hồ sơ được giải quyết trước và đúng hạn đạt 92,3%"
    assert value.provenance["article_date"] == "2021-07"


def test_loading_twice_changes_nothing(published):
    before = IndicatorValue.objects.count()
    result = published_load(actor=None)
    assert (result["created"], result["new_versions"]) == (0, 0)
    assert IndicatorValue.objects.count() == before


def test_command_line_status_prints_the_json_list(published):
    out = StringIO()
    call_command("indicators_status", unit="cu-34", year=2024, format="json", stdout=out)
    rows = json.loads(out.getvalue())
    assert {"indicator", "name", "level", "value", "target", "target_year", "status", "source"} <= set(rows[0])
    row = _row(rows, "cq_ho_so_cong_viec_truc_tuyen_rate", "commune")
    assert (row["status"], row["target_year"]) == ("close", 2025)
    assert {r["status"] for r in rows} <= {"achieved", "on_track", "close", "behind", None}
    assert all(r["source"] in {"computed", "reported", "published"} for r in rows)


def test_the_resolution_02_target_set_counts_the_targets_achieved(published):
    from tinhso.core.periods import year_period
    from tinhso.indicators.frameworks import framework_rank

    framework = selectors.framework_get(code="nq02-thai-binh")
    [ranking] = framework_rank(actor=None, framework=framework, period=year_period(2024))
    details = ranking.details["components"]
    assert details["cq_ho_so_cong_viec_truc_tuyen_rate-province"] == 1
    assert details["cq_ho_so_cong_viec_truc_tuyen_rate-commune"] == 0
    assert details["xh_tai_khoan_thanh_toan_dien_tu_rate-chung"] == 1
