"""Frameworks as data: the 766 service index (100 points) scores every commune and ranks them."""

from datetime import date

import pytest

from tinhso.core.periods import year_period
from tinhso.indicators import rollups, selectors
from tinhso.indicators.frameworks import framework_rank, score_units
from tinhso.indicators.models import Indicator, Ranking
from tinhso.indicators.services import NewValue, computed_values_refresh, store_values
from tinhso.org.tests.factories import CommuneFactory

pytestmark = [pytest.mark.smoke, pytest.mark.django_db]


def test_the_766_index_has_five_groups_worth_100_points(definitions):
    framework = selectors.framework_get(code="qd766")
    groups = {g["code"]: g["points"] for g in selectors.framework_tree(framework=framework)}
    assert groups == {"cong_khai": 18, "tien_do": 20, "so_hoa": 22, "dvctt": 22, "hai_long": 18}
    assert sum(groups.values()) == framework.max_points == 100


def test_the_dti_framework_is_worth_1000_points(definitions):
    framework = selectors.framework_get(code="dti-tinh")
    assert sum(g["points"] for g in selectors.framework_tree(framework=framework)) == 1000


def test_766_scores_communes_from_their_dossiers(world, operations):
    rollups.rebuild()
    computed_values_refresh(actor=None, root=world.province, periods=[year_period(2025)], today=date(2025, 12, 31))
    framework = selectors.framework_get(code="qd766")
    scores = score_units(framework, year_period(2025), [world.commune, world.other_commune])
    commune = scores[world.commune.pk]["components"]
    # 5 received (2 online, 2 digitised), 4 resolved (3 early/on time); 2 procedures, 1 toàn trình, both complete
    assert commune["dung_han"] == pytest.approx(20 * 3 / 4)
    assert commune["ho_so_so_hoa"] == pytest.approx(22 * 2 / 5)
    assert commune["ho_so_truc_tuyen"] == pytest.approx(8 * 2 / 5)
    assert commune["toan_trinh"] == pytest.approx(8 * 1 / 2)
    assert commune["cong_khai_tthc"] == pytest.approx(18)
    assert "danh_gia_hai_long" in scores[world.commune.pk]["missing"]  # no ratings: 0 points, listed as missing


def _give(indicator_code, unit, value):
    indicator = Indicator.objects.get(code=indicator_code)
    store_values(actor=None, reason="", values=[NewValue(indicator=indicator, period=year_period(2025), value=value,
                                                         source="reported", unit_id=unit.pk)])


def test_ranking_orders_units_shares_ties_and_says_xep_thu(world, definitions):
    third = CommuneFactory(code="16002", short_name="Nga Sơn", parent=world.province)
    fourth = CommuneFactory(code="16003", short_name="Tĩnh Gia", parent=world.province)
    for unit, value in ((world.commune, 90), (world.other_commune, 70), (third, 90), (fourth, 50)):
        _give("cq_tthc_dung_han_rate", unit, value)
    framework = selectors.framework_get(code="qd766")
    framework_rank(actor=None, framework=framework, period=year_period(2025), parent=world.province)
    rows = selectors.ranking(framework=framework, period=year_period(2025))["rows"]
    assert [(r["unit_code"], r["rank"], r["score"]) for r in rows] == [
        ("16000", 1, 18.0), ("16002", 1, 18.0), ("16001", 3, 14.0), ("16003", 4, 10.0)]
    assert rows[2]["label"] == "xếp thứ 3/4"
    # Recomputing a period replaces its ranking; other periods are kept.
    framework_rank(actor=None, framework=framework, period=year_period(2025), parent=world.province)
    framework_rank(actor=None, framework=framework, period=year_period(2024), parent=world.province)
    assert Ranking.objects.filter(period_end=date(2025, 12, 31)).count() == 4
