"""Rankings of agencies on QĐ 766 from their own values: each group among itself, estimates labelled, coverage
shown, no rank among fewer than two, the change in rank since the previous period, and who sees which rows."""

import pytest

from tinhso.core.exceptions import PermissionDenied, ValidationError
from tinhso.core.periods import month_period, year_period
from tinhso.indicators import agency_rankings, selectors
from tinhso.indicators.models import Indicator
from tinhso.indicators.services import NewValue, store_values

pytestmark = pytest.mark.django_db


def store(code, agency, period, value):
    store_values(actor=None, reason="", values=[NewValue(indicator=Indicator.objects.get(code=code), period=period,
                                                         value=value, source="computed", agency_id=agency.pk)])


@pytest.fixture
def scored(world, definitions):
    """2024: Health ahead of Justice; 2025: Justice ahead (on time 90 % and online 40 % against 50 %)."""
    w = world
    store("cq_tthc_dung_han_rate", w.justice, year_period(2024), 40)
    store("cq_tthc_dung_han_rate", w.health, year_period(2024), 80)
    store("cq_tthc_dung_han_rate", w.justice, year_period(2025), 90)
    store("cq_ho_so_tthc_truc_tuyen_rate", w.justice, year_period(2025), 40)
    store("cq_tthc_dung_han_rate", w.health, year_period(2025), 50)
    store("cq_tthc_dung_han_rate", w.health, month_period(2025, 3), 100)  # a month: not the year's figure
    store("cq_van_ban_ky_so_rate", w.justice, year_period(2025), 97.8)
    store("cq_tthc_dung_han_rate", w.commune_committee, year_period(2025), 70)
    return w


def rank(world, period="2025", group="so-nganh", persona="province_admin"):
    from tinhso.core.periods import parse_period

    return agency_rankings.agency_ranking(framework=selectors.framework_get(code="qd766"),
                                          period=parse_period(period), user=world.users[persona], group=group)


@pytest.mark.smoke
def test_departments_are_scored_on_their_own_values_and_ranked_with_the_change(scored):
    data = rank(scored)
    assert data["is_estimate"] and data["note"] == selectors.ESTIMATE_NOTE and data["ranked"]
    assert data["previous_period_label"] == "Năm 2024"
    rows = {r["agency_code"]: r for r in data["rows"]}
    assert list(rows) == [scored.justice.identifier_code, scored.health.identifier_code]
    justice, health = rows[scored.justice.identifier_code], rows[scored.health.identifier_code]
    # 20 points × 90 % on time + 8 points × 40 % received online
    assert justice["score"] == pytest.approx(21.2) and justice["components"]["dung_han"] == 18.0
    assert health["score"] == pytest.approx(10.0)
    assert (justice["rank"], justice["out_of"], justice["label"], justice["change"]) == (1, 2, "xếp thứ 1/2", 1)
    assert (health["rank"], health["change"]) == (2, -1)
    assert (justice["components_scored"], justice["components_total"]) == (2, 7)
    assert health["coverage_label"] == "1/7 thành phần có số liệu"
    assert justice["values"] == {"cq_van_ban_ky_so_rate": 97.8, "cq_van_ban_lien_thong_rate": None}
    assert [i["code"] for i in data["indicators"]] == agency_rankings.EXTRA_INDICATORS


@pytest.mark.smoke
def test_a_group_with_one_scored_agency_gets_no_rank(scored):
    data = rank(scored, group="ubnd-xa")
    assert not data["ranked"] and data["scored"] == 1
    [row] = data["rows"]
    assert row["agency_code"] == scored.commune_committee.identifier_code
    assert row["rank"] is None and row["out_of"] is None and row["change"] is None
    assert row["label"] == "chưa xếp hạng (chỉ 1 cơ quan có điểm)" and row["score"] == pytest.approx(14.0)


def test_ties_share_a_rank_and_the_first_period_has_no_change(scored):
    store("cq_tthc_dung_han_rate", scored.health, year_period(2024), 40)
    data = rank(scored, period="2024")
    assert [(r["rank"], r["change"]) for r in data["rows"]] == [(1, None), (1, None)]


def test_rows_are_those_the_user_may_see_but_ranks_are_among_all(scored):
    store("cq_tthc_dung_han_rate", scored.other_commune_committee, year_period(2025), 90)
    mine = rank(scored, group="ubnd-xa", persona="other_unit_officer")
    assert [(r["agency_code"], r["rank"], r["out_of"]) for r in mine["rows"]] == [
        (scored.other_commune_committee.identifier_code, 1, 2)]
    assert rank(scored, persona="other_unit_officer")["rows"] == []  # the departments sit at the province
    with pytest.raises(PermissionDenied):
        rank(scored, persona="citizen")
    with pytest.raises(ValidationError):
        rank(scored, group="so-y-te")


def test_periods_offered_are_those_agencies_have_values_for(scored):
    periods = agency_rankings.agency_ranking_periods(framework=selectors.framework_get(code="qd766"))
    assert [p.spec for p in periods] == ["2025", "2024"]


@pytest.mark.smoke
def test_api_gives_the_ranking_and_refuses_bad_input_in_vietnamese(scored):
    client = scored.client_for("province_admin")
    url = "/api/v1/indicators/frameworks/qd766/agency-rankings"
    body = client.get(url).json()  # the latest period by default
    assert body["period"] == "2025" and body["group_label"] == "Sở, ban, ngành"
    assert [(r["agency_code"], r["rank"]) for r in body["rows"]] == [
        (scored.justice.identifier_code, 1), (scored.health.identifier_code, 2)]
    bad = client.get(url, {"group": "khac"})
    assert bad.status_code == 422 and "group" in bad.json()["errors"]
    assert client.get(url, {"period": "20xx"}).status_code == 422
    assert scored.client_for("citizen").get(url).status_code == 403
    assert scored.client_for("anonymous").get(url).status_code == 401
