"""II.06a statistics: period helpers, the definitions of each column, rollup over units, visibility, page and API."""

from datetime import date, datetime, timedelta
from decimal import Decimal
from itertools import count
from zoneinfo import ZoneInfo

import pytest

from tinhso.core.exceptions import NotFound, PermissionDenied, ValidationError
from tinhso.core.periods import parse_period, period_between
from tinhso.dossiers.choices import Channel, Status, Timeliness
from tinhso.dossiers.models import Dossier
from tinhso.dossiers.statistics import (
    COUNT_KEYS,
    FIGURE_KEYS,
    dossier_statistics,
    resolve_period,
)
from tinhso.procedures.models import Procedure, ProcedureField

VN = ZoneInfo("Asia/Ho_Chi_Minh")
Q1_2026 = parse_period("2026-Q1")
AFTER_Q1 = datetime(2026, 5, 1, tzinfo=VN)  # "now" for tests: the period is over
_codes = count(1)


def at(y, m, d, h=9, minute=0) -> datetime:
    return datetime(y, m, d, h, minute, tzinfo=VN)


def make_procedure(*, code="1.001193", name="Đăng ký khai sinh", field=("ho-tich", "Hộ tịch"), agencies=()):
    field_obj, _ = ProcedureField.objects.get_or_create(code=field[0], defaults={"name": field[1]})
    procedure, _ = Procedure.objects.get_or_create(code=code, defaults={
        "name": name, "field": field_obj, "levels": ["commune"], "processing_time": 3, "online_level": "toan_trinh"})
    procedure.agencies.add(*agencies)
    return procedure


def make_dossier(*, agency, procedure=None, channel=Channel.DIRECT, received_at, due_at=None,
                 status=Status.IN_PROGRESS, resolved_at=None, timeliness="", handling_agency=None, **stamps):
    procedure = procedure or make_procedure()
    return Dossier.objects.create(
        code=f"{agency.identifier_code}-T-{next(_codes):06d}", procedure=procedure, receiving_agency=agency,
        handling_agency=handling_agency, channel=channel, status=status, applicant_name="Nguyễn Văn An",
        submitted_at=received_at or at(2026, 1, 1), received_at=received_at,
        due_at=due_at if due_at is not None else (received_at + timedelta(days=5) if received_at else None),
        resolved_at=resolved_at, timeliness=timeliness, **stamps)


def figures(stats: dict) -> dict:
    return {k: stats[k] for k in COUNT_KEYS}


# --- periods -------------------------------------------------------------------------------------------------

@pytest.mark.smoke
@pytest.mark.parametrize(("spec", "first", "last", "label"), [
    ("2021", date(2021, 1, 1), date(2021, 12, 31), "Năm 2021"),
    ("2021-H1", date(2021, 1, 1), date(2021, 6, 30), "6 tháng đầu năm 2021"),
    ("2021-h2", date(2021, 7, 1), date(2021, 12, 31), "6 tháng cuối năm 2021"),
    ("2021-Q2", date(2021, 4, 1), date(2021, 6, 30), "Quý II/2021"),
    ("2021-05", date(2021, 5, 1), date(2021, 5, 31), "Tháng 5/2021"),
    ("2024-02", date(2024, 2, 1), date(2024, 2, 29), "Tháng 2/2024"),
])
def test_period_specs_become_date_ranges(spec, first, last, label):
    period = parse_period(spec)
    assert (period.start, period.end, period.label) == (first, last, label)


@pytest.mark.smoke
@pytest.mark.parametrize("spec", ["2021-H3", "2021-Q5", "2021-13", "21", "2021-5", "1999", "xyz", ""])
def test_malformed_period_spec_is_refused_in_vietnamese(spec):
    with pytest.raises(ValidationError) as exc:
        parse_period(spec)
    assert "period" in exc.value.field_errors


@pytest.mark.smoke
def test_period_boundaries_are_local_midnights():
    period = parse_period("2021-H1")
    assert period.start_at(VN) == datetime(2021, 1, 1, tzinfo=VN)
    assert period.end_at(VN) == datetime(2021, 7, 1, tzinfo=VN)


@pytest.mark.smoke
def test_any_date_range_is_a_period_and_natural_ranges_get_their_name():
    assert period_between(date(2021, 4, 1), date(2021, 6, 30)).label == "Quý II/2021"
    assert period_between(date(2021, 3, 5), date(2021, 3, 20)).label == "Từ ngày 05/03/2021 đến ngày 20/03/2021"
    with pytest.raises(ValidationError):
        period_between(date(2021, 3, 20), date(2021, 3, 5))
    with pytest.raises(ValidationError):
        period_between(date(2021, 3, 20), date(9999, 12, 31))
    with pytest.raises(ValidationError):
        resolve_period(date_from=date(2021, 1, 1))
    assert resolve_period(period="2021-Q1").end == date(2021, 3, 31)


# --- definitions ---------------------------------------------------------------------------------------------

@pytest.mark.smoke
def test_figures_follow_the_II06a_definitions(world):
    a = world.justice
    # Carried over: received in December, still open on 1 January (one resolved in the period, one still open).
    make_dossier(agency=a, received_at=at(2025, 12, 20), due_at=at(2026, 1, 10), status=Status.APPROVED,
                 resolved_at=at(2026, 1, 5), timeliness=Timeliness.EARLY)
    make_dossier(agency=a, received_at=at(2025, 12, 22), due_at=at(2026, 1, 2))  # pending, overdue
    # Not carried over: resolved, withdrawn or refused before the period.
    make_dossier(agency=a, received_at=at(2025, 12, 1), status=Status.RETURNED, resolved_at=at(2025, 12, 3),
                 timeliness=Timeliness.EARLY, returned_at=at(2025, 12, 4))
    make_dossier(agency=a, received_at=at(2025, 12, 1), status=Status.WITHDRAWN, withdrawn_at=at(2025, 12, 2))
    make_dossier(agency=a, received_at=None, status=Status.REFUSED, refused_at=at(2025, 12, 2))
    # New in the period: online ones…
    make_dossier(agency=a, channel=Channel.ONLINE, received_at=at(2026, 1, 10), due_at=at(2026, 1, 15, 17),
                 status=Status.APPROVED, resolved_at=at(2026, 1, 15, 16), timeliness=Timeliness.ON_TIME)
    make_dossier(agency=a, channel=Channel.ONLINE, received_at=at(2026, 2, 10), due_at=at(2026, 2, 12),
                 status=Status.RETURNED, resolved_at=at(2026, 2, 14), timeliness=Timeliness.LATE,
                 returned_at=at(2026, 2, 15))
    make_dossier(agency=a, channel=Channel.ONLINE, received_at=at(2026, 3, 30), due_at=at(2026, 4, 6))
    # …in person and by post.
    make_dossier(agency=a, channel=Channel.DIRECT, received_at=at(2026, 3, 1), status=Status.WITHDRAWN,
                 withdrawn_at=at(2026, 3, 2))
    make_dossier(agency=a, channel=Channel.POSTAL, received_at=at(2026, 3, 31, 23, 59), due_at=at(2026, 4, 7))
    make_dossier(agency=a, channel=Channel.DIRECT, received_at=at(2026, 2, 1), status=Status.STOPPED,
                 stopped_at=at(2026, 2, 3))
    # Never counted: refused at the counter, waiting for the clerk, received after the period.
    make_dossier(agency=a, channel=Channel.ONLINE, received_at=None, status=Status.REFUSED,
                 refused_at=at(2026, 1, 20))
    make_dossier(agency=a, channel=Channel.ONLINE, received_at=None, status=Status.SUBMITTED)
    make_dossier(agency=a, received_at=at(2026, 4, 1, 0, 0))

    stats = dossier_statistics(actor=None, period=Q1_2026, agency=a.identifier_code, now=AFTER_Q1)

    assert figures(stats) == {
        "received_total": 8, "carried_over": 2, "new_online": 3, "new_direct_postal": 3,
        "resolved_total": 3, "resolved_early": 1, "resolved_on_time": 1, "resolved_late": 1,
        "pending_total": 3, "pending_within": 2, "pending_overdue": 1, "withdrawn": 1, "stopped": 1,
        "returned": 1,
    }
    assert stats["online_rate"] == Decimal("50.00")
    assert stats["on_time_rate"] == Decimal("66.67")
    assert set(FIGURE_KEYS) <= set(stats)
    assert stats["period"] == {"date_from": "2026-01-01", "date_to": "2026-03-31", "label": "Quý I/2026"}
    assert stats["scope"] == {"kind": "agency", "code": a.identifier_code, "name": a.name}


@pytest.mark.smoke
def test_rates_are_null_without_a_denominator(world):
    stats = dossier_statistics(actor=None, period=Q1_2026, agency=world.health.identifier_code, now=AFTER_Q1)
    assert stats["received_total"] == 0
    assert stats["online_rate"] is None and stats["on_time_rate"] is None
    assert stats["rows"] == []


@pytest.mark.smoke
def test_a_pending_dossier_due_after_today_is_not_overdue_in_a_running_period(world):
    make_dossier(agency=world.justice, received_at=at(2026, 3, 2), due_at=at(2026, 3, 20))
    running = dossier_statistics(actor=None, period=Q1_2026, agency=world.justice.identifier_code,
                                 now=at(2026, 3, 10))
    over = dossier_statistics(actor=None, period=Q1_2026, agency=world.justice.identifier_code, now=AFTER_Q1)
    assert (running["pending_within"], running["pending_overdue"]) == (1, 0)
    assert (over["pending_within"], over["pending_overdue"]) == (0, 1)


@pytest.mark.smoke
def test_a_handed_over_dossier_counts_for_the_agency_handling_it(world):
    make_dossier(agency=world.service_centre, handling_agency=world.justice, received_at=at(2026, 2, 2))
    make_dossier(agency=world.service_centre, received_at=at(2026, 2, 3))
    stats = dossier_statistics(actor=None, period=Q1_2026, unit=world.province.code, now=AFTER_Q1)
    assert {r["key"]: r["received_total"] for r in stats["rows"]} == {
        world.service_centre.identifier_code: 1, world.justice.identifier_code: 1}


# --- grouping and rollup -------------------------------------------------------------------------------------

@pytest.fixture
def spread(world):
    """Dossiers at a provincial department and at two communes' committees."""
    birth = make_procedure()
    notarial = make_procedure(code="2.000815", name="Chứng thực bản sao từ bản chính",
                              field=("chung-thuc", "Chứng thực"))
    for _ in range(3):
        make_dossier(agency=world.commune_committee, procedure=birth, received_at=at(2026, 2, 1),
                     channel=Channel.ONLINE)
    for _ in range(2):
        make_dossier(agency=world.other_commune_committee, procedure=notarial, received_at=at(2026, 2, 1))
    make_dossier(agency=world.justice, procedure=notarial, received_at=at(2026, 2, 1))
    return world


@pytest.mark.smoke
def test_a_unit_includes_only_the_agencies_of_itself_and_the_units_below(spread):
    w = spread
    commune = dossier_statistics(actor=None, period=Q1_2026, unit=w.commune.code, now=AFTER_Q1)
    province = dossier_statistics(actor=None, period=Q1_2026, unit=w.province.code, now=AFTER_Q1)
    assert commune["received_total"] == 3
    assert [r["key"] for r in commune["rows"]] == [w.commune_committee.identifier_code]
    assert province["received_total"] == 6
    assert province["online_rate"] == Decimal("50.00")


@pytest.mark.smoke
def test_grouping_by_unit_rolls_agencies_up_to_the_units_below_the_scope(spread):
    w = spread
    stats = dossier_statistics(actor=None, period=Q1_2026, unit=w.province.code, group_by="unit", now=AFTER_Q1)
    rows = {r["key"]: r["received_total"] for r in stats["rows"]}
    assert rows == {w.province.code: 1, w.commune.code: 3, w.other_commune.code: 2}
    assert stats["rows"][0]["name"].endswith("(cơ quan cùng cấp)")
    assert stats["received_total"] == 6


@pytest.mark.smoke
def test_grouping_by_procedure_and_by_field(spread):
    by_procedure = dossier_statistics(actor=None, period=Q1_2026, group_by="procedure", now=AFTER_Q1)
    by_field = dossier_statistics(actor=None, period=Q1_2026, group_by="field", now=AFTER_Q1)
    assert {r["key"]: r["received_total"] for r in by_procedure["rows"]} == {"1.001193": 3, "2.000815": 3}
    assert {r["name"]: r["new_online"] for r in by_field["rows"]} == {"Hộ tịch": 3, "Chứng thực": 0}
    assert by_field["received_total"] == by_procedure["received_total"] == 6


@pytest.mark.smoke
def test_unknown_grouping_or_scope_is_refused(world):
    with pytest.raises(ValidationError):
        dossier_statistics(actor=None, period=Q1_2026, group_by="commune")
    with pytest.raises(NotFound):
        dossier_statistics(actor=None, period=Q1_2026, agency="000.00.99.H56")
    with pytest.raises(NotFound):
        dossier_statistics(actor=None, period=Q1_2026, unit="99999")
    with pytest.raises(ValidationError):
        dossier_statistics(actor=None, period=Q1_2026, unit="38", agency="000.00.03.H56")


# --- visibility ----------------------------------------------------------------------------------------------

def test_officer_of_other_unit_may_not_read_the_department_s_statistics(spread):
    with pytest.raises(PermissionDenied):
        dossier_statistics(actor=spread.users["other_unit_officer"], period=Q1_2026,
                           agency=spread.justice.identifier_code)


def test_citizen_sees_no_statistics(spread):
    with pytest.raises(PermissionDenied):
        dossier_statistics(actor=spread.users["citizen"], period=Q1_2026)


def test_without_a_scope_everyone_sees_only_their_own_agencies(spread):
    w = spread
    officer = dossier_statistics(actor=w.users["other_unit_officer"], period=Q1_2026, now=AFTER_Q1)
    commune_admin = dossier_statistics(actor=w.users["unit_admin"], period=Q1_2026, now=AFTER_Q1)
    province_admin = dossier_statistics(actor=w.users["province_admin"], period=Q1_2026, now=AFTER_Q1)
    assert officer["received_total"] == 2
    assert commune_admin["received_total"] == 3
    assert province_admin["received_total"] == 6


def test_an_officer_asking_for_the_province_gets_only_their_agencies_in_it(spread):
    stats = dossier_statistics(actor=spread.users["other_unit_officer"], period=Q1_2026,
                               unit=spread.province.code, now=AFTER_Q1)
    assert stats["received_total"] == 2
    with pytest.raises(PermissionDenied):
        dossier_statistics(actor=spread.users["other_unit_officer"], period=Q1_2026, unit=spread.commune.code)


# --- API and page --------------------------------------------------------------------------------------------

def test_api_returns_the_form_for_the_province_administrator(spread):
    client = spread.client_for("province_admin")
    response = client.get("/api/v1/statistics/dossiers",
                          {"unit": "38", "date_from": "2026-01-01", "date_to": "2026-03-31", "group_by": "field"})
    assert response.status_code == 200, response.content
    data = response.json()
    assert set(FIGURE_KEYS) <= set(data)
    assert data["received_total"] == 6 and data["online_rate"] == 50.0
    assert data["period"]["label"] == "Quý I/2026"
    assert {r["name"] for r in data["rows"]} == {"Hộ tịch", "Chứng thực"}


def test_api_accepts_a_period_spec_and_a_token(spread):
    response = spread.token_client().get("/api/v1/statistics/dossiers", {"period": "2026-Q1", "group_by": "none"})
    assert response.status_code == 200, response.content
    assert response.json()["rows"] == []


@pytest.mark.parametrize(("query", "field"), [
    ({"date_from": "2026-03-01"}, "date_to"),
    ({"date_from": "2026-03-01", "date_to": "2026-02-01"}, "date_to"),
    ({"period": "2026-Q9"}, "period"),
    ({"period": "2026", "group_by": "commune"}, "group_by"),
])
def test_api_explains_a_bad_request_in_vietnamese(world, query, field):
    response = world.client_for("province_admin").get("/api/v1/statistics/dossiers", query)
    assert response.status_code == 422
    assert field in response.json()["errors"]


def test_api_requires_authentication(world):
    assert world.client_for("anonymous").get("/api/v1/statistics/dossiers", {"period": "2026"}).status_code == 401


def test_statistics_page_shows_the_form_table(spread):
    client = spread.client_for("province_admin")
    response = client.get("/thong-ke/", {"scope": "unit:38", "period": "2026-Q1"})
    assert response.status_code == 200
    html = response.content.decode()
    for text in ("Tổng số hồ sơ tiếp nhận", "Số kỳ trước chuyển qua", "Trực tiếp, BCCI", "Trước hạn", "Trong hạn",
                 "Rút hồ sơ", "Tải về Excel", "Quý I/2026", spread.commune_committee.name):
        assert text in html
    partial = client.get("/thong-ke/", {"scope": "unit:38", "period": "2026-Q1"}, HTTP_HX_REQUEST="true")
    assert "<form" not in partial.content.decode() and "Tổng cộng" in partial.content.decode()


def test_statistics_page_downloads_the_excel_form(spread):
    response = spread.client_for("agency_leader").get("/thong-ke/bieu-II.06a.xlsx", {"period": "2026-Q1"})
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    assert response.content[:2] == b"PK"


def test_statistics_page_refuses_a_citizen_and_asks_anonymous_to_log_in(world):
    assert world.client_for("citizen").get("/thong-ke/").status_code == 403
    assert world.client_for("anonymous").get("/thong-ke/").status_code == 302
