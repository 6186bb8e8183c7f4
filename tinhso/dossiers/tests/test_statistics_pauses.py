"""II.06a with paused (form 02) and stopped (form 05) dossiers, and the balance of every report.

The property test generates histories and compares the aggregate query with a plain Python reading of the
definitions (`expected_figures`), one dossier at a time.
"""

import csv
import io
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.db import transaction
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tinhso.core.periods import parse_period, period_between
from tinhso.dossiers import services
from tinhso.dossiers.choices import Channel, Status
from tinhso.dossiers.models import Dossier
from tinhso.dossiers.statistics import COUNT_KEYS, dossier_statistics

from .factories import make_dossier as make_live_dossier
from .test_statistics import make_dossier, make_procedure

VN = ZoneInfo("Asia/Ho_Chi_Minh")
Q1_2026 = parse_period("2026-Q1")
AFTER_Q1 = datetime(2026, 5, 1, tzinfo=VN)
pytestmark = pytest.mark.smoke


def at(m, d, h=9) -> datetime:
    return datetime(2026, m, d, h, tzinfo=VN)


def q1(agency, now=AFTER_Q1, period=Q1_2026) -> dict:
    return dossier_statistics(actor=None, period=period, agency=agency.identifier_code, now=now)


def balance(stats: dict) -> bool:
    return stats["received_total"] == (stats["resolved_total"] + stats["pending_total"] + stats["withdrawn"]
                                       + stats["stopped"])


def test_a_dossier_paused_before_its_due_time_is_not_overdue(world):
    # Received 5/1, due 20/1, the applicant was asked for a supplement on 15/1 and has not answered by 31/3.
    make_dossier(agency=world.justice, received_at=at(1, 5), due_at=at(1, 20), status=Status.SUPPLEMENT_REQUESTED,
                 supplement_requested_at=at(1, 15), paused_at=at(1, 15), due_before_pause_at=at(1, 20))
    stats = q1(world.justice)
    assert (stats["pending_total"], stats["pending_within"], stats["pending_overdue"]) == (1, 1, 0)


def test_a_dossier_paused_after_its_due_time_stays_overdue(world):
    make_dossier(agency=world.justice, received_at=at(1, 5), due_at=at(1, 20), status=Status.SUPPLEMENT_REQUESTED,
                 supplement_requested_at=at(1, 22), paused_at=at(1, 22), due_before_pause_at=at(1, 20))
    assert q1(world.justice)["pending_overdue"] == 1


def test_past_periods_see_the_pause_as_it_was_at_their_end(world):
    # Paused 15/1 (due 20/1), supplement arrived 10/4, the due time pushed to 24/4, still open on 31/7.
    make_dossier(agency=world.justice, received_at=at(1, 5), due_at=at(4, 24), status=Status.IN_PROGRESS,
                 supplement_requested_at=at(1, 15), supplemented_at=at(4, 10), due_before_pause_at=at(1, 20))
    assert (q1(world.justice)["pending_within"], q1(world.justice)["pending_overdue"]) == (1, 0)
    april = q1(world.justice, now=at(7, 31), period=parse_period("2026-04"))
    assert (april["pending_within"], april["pending_overdue"]) == (0, 1)
    # In the middle of April, after the supplement and before the pushed due time: within.
    running = q1(world.justice, now=at(4, 15), period=parse_period("2026-04"))
    assert (running["pending_within"], running["pending_overdue"]) == (1, 0)


def test_a_dossier_overdue_before_a_later_pause_was_overdue_then(world):
    # Due 20/1, paused only on 10/4 (late, against the rules): at the end of January it was overdue.
    make_dossier(agency=world.justice, received_at=at(1, 5), due_at=at(1, 20), status=Status.SUPPLEMENT_REQUESTED,
                 supplement_requested_at=at(4, 10), paused_at=at(4, 10), due_before_pause_at=at(1, 20))
    january = q1(world.justice, period=parse_period("2026-01"))
    assert january["pending_overdue"] == 1


def test_stopped_dossiers_have_their_own_figure_and_the_report_balances(world):
    make_dossier(agency=world.justice, received_at=at(1, 5), status=Status.STOPPED, stopped_at=at(2, 3))
    make_dossier(agency=world.justice, received_at=at(1, 6), status=Status.STOPPED, stopped_at=at(4, 3))
    make_dossier(agency=world.justice, received_at=at(1, 6), status=Status.WITHDRAWN, withdrawn_at=at(1, 9))
    stats = q1(world.justice)
    assert (stats["received_total"], stats["stopped"], stats["withdrawn"], stats["pending_total"]) == (3, 1, 1, 1)
    assert balance(stats)
    assert balance(stats["rows"][0]) and stats["rows"][0]["stopped"] == 1


def test_the_workflow_records_the_pause_for_the_statistics(world):
    dossier = make_live_dossier(world, status=Status.IN_PROGRESS)
    due = dossier.due_at
    asked, answered = due - timedelta(days=2), due + timedelta(days=10)
    services.dossier_transition(actor=world.users["processing_officer"], dossier_code=dossier.code,
                                action="request_supplement", note="Thiếu bản sao giấy tờ", now=asked)
    dossier.refresh_from_db()
    assert (dossier.supplement_requested_at, dossier.due_before_pause_at, dossier.supplemented_at) == \
        (asked, due, None)
    services.dossier_transition(actor=world.users["receiving_officer"], dossier_code=dossier.code,
                                action="supplement", now=answered)
    dossier.refresh_from_db()
    assert dossier.supplemented_at == answered and dossier.due_before_pause_at == due and dossier.due_at > due


def test_api_and_page_show_the_stopped_column(world, client):
    make_dossier(agency=world.justice, received_at=at(1, 5), status=Status.STOPPED, stopped_at=at(2, 3))
    client.force_login(world.users["agency_leader"])
    body = client.get("/api/v1/statistics/dossiers", {"period": "2026-Q1",
                                                      "agency": world.justice.identifier_code}).json()
    assert body["stopped"] == 1 and body["rows"][0]["stopped"] == 1
    page = client.get("/thong-ke/", {"period": "2026-Q1", "agency": world.justice.identifier_code})
    text = page.content.decode()
    assert "Dừng xử lý" in text and "Trả lại (đã trả kết quả)" not in text


# --- the property: generated histories --------------------------------------------------------------------

DAY0 = datetime(2025, 11, 1, 8, tzinfo=VN)
CLOSINGS = ["pending", "resolved", "withdrawn", "stopped", "refused", "waiting"]


def _moment(offset_hours: int) -> datetime:
    return DAY0 + timedelta(hours=offset_hours)


@st.composite
def histories(draw):
    """Dossiers over ~8 months: received, maybe paused once (maybe resumed), then closed one way or pending."""
    out = []
    for _ in range(draw(st.integers(min_value=0, max_value=25))):
        received = draw(st.integers(min_value=0, max_value=240 * 24))
        due = received + draw(st.integers(min_value=0, max_value=30 * 24))
        h = {"channel": draw(st.sampled_from(Channel.values)), "received": received, "due_before": due,
             "due": due, "asked": None, "answered": None, "closing": draw(st.sampled_from(CLOSINGS)),
             "closed": None}
        cursor = received
        if draw(st.booleans()) and h["closing"] not in ("refused", "waiting"):
            h["asked"] = cursor = received + draw(st.integers(min_value=0, max_value=40 * 24))
            if h["closing"] != "pending" or draw(st.booleans()):
                h["answered"] = cursor = cursor + draw(st.integers(min_value=1, max_value=40 * 24))
                h["due"] = due + (h["answered"] - h["asked"])  # the pushed due time, in calendar hours here
            elif h["closing"] == "pending":
                h["closing"] = "paused"
            if h["closing"] == "resolved" and h["answered"] is None:
                h["answered"] = cursor = cursor + 1
        if h["closing"] in ("resolved", "withdrawn", "stopped"):
            h["closed"] = cursor + draw(st.integers(min_value=0, max_value=60 * 24))
        out.append(h)
    return out


def _create(agency, procedure, histories: list[dict], prefix: str = "P") -> None:
    rows = []
    for i, h in enumerate(histories):
        received, closing = _moment(h["received"]), h["closing"]
        closed = _moment(h["closed"]) if h["closed"] is not None else None
        due = _moment(h["due"])
        stamps = {"supplement_requested_at": _moment(h["asked"]) if h["asked"] is not None else None,
                  "supplemented_at": _moment(h["answered"]) if h["answered"] is not None else None}
        stamps["due_before_pause_at"] = _moment(h["due_before"]) if h["asked"] is not None else None
        status = {"pending": Status.IN_PROGRESS, "paused": Status.SUPPLEMENT_REQUESTED, "resolved": Status.APPROVED,
                  "withdrawn": Status.WITHDRAWN, "stopped": Status.STOPPED, "refused": Status.REFUSED,
                  "waiting": Status.SUBMITTED}[closing]
        rows.append(Dossier(
            code=f"{prefix}-{i:05d}", procedure=procedure, receiving_agency=agency, channel=h["channel"], status=status,
            submitted_at=received, received_at=None if closing in ("refused", "waiting") else received,
            refused_at=received if closing == "refused" else None, due_at=due,
            paused_at=stamps["supplement_requested_at"] if closing == "paused" else None,
            resolved_at=closed if closing == "resolved" else None,
            timeliness=services.classify_timeliness(closed, due) if closing == "resolved" else "",
            withdrawn_at=closed if closing == "withdrawn" else None,
            stopped_at=closed if closing == "stopped" else None, **stamps))
    Dossier.objects.bulk_create(rows)


def expected_figures(histories: list[dict], start: datetime, end: datetime, reference: datetime) -> dict:
    """The definitions read literally, dossier by dossier."""
    f = dict.fromkeys(COUNT_KEYS, 0)
    for h in histories:
        if h["closing"] in ("refused", "waiting"):
            continue
        received = _moment(h["received"])
        closed = _moment(h["closed"]) if h["closed"] is not None else None
        if received >= end or (closed is not None and closed < start):
            continue
        f["carried_over" if received < start else "new_online" if h["channel"] == "online"
          else "new_direct_postal"] += 1
        if closed is not None and closed < end:
            if h["closing"] == "resolved":
                f[{"early": "resolved_early", "on_time": "resolved_on_time", "late": "resolved_late"}[
                    services.classify_timeliness(closed, _moment(h["due"]))]] += 1
            else:
                f[h["closing"]] += 1
            continue
        asked = _moment(h["asked"]) if h["asked"] is not None else None
        answered = _moment(h["answered"]) if h["answered"] is not None else None
        if asked is not None and asked <= reference and (answered is None or answered > reference):
            overdue = asked > _moment(h["due_before"])
        elif answered is not None and answered <= reference:
            overdue = _moment(h["due"]) < reference
        else:
            overdue = _moment(h["due_before"]) < reference
        f["pending_overdue" if overdue else "pending_within"] += 1
    f["received_total"] = f["carried_over"] + f["new_online"] + f["new_direct_postal"]
    f["resolved_total"] = f["resolved_early"] + f["resolved_on_time"] + f["resolved_late"]
    f["pending_total"] = f["pending_within"] + f["pending_overdue"]
    return f


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(history=histories(), first=st.integers(min_value=0, max_value=200), length=st.integers(0, 90),
       now_offset=st.integers(min_value=-30, max_value=120))
def test_every_report_balances_and_follows_the_definitions(world, history, first, length, now_offset):
    procedure = make_procedure()
    date_from = DAY0.date() + timedelta(days=first)
    period = period_between(date_from, date_from + timedelta(days=length))
    now = datetime.combine(period.end, datetime.min.time(), VN) + timedelta(days=now_offset, hours=10)
    start, end = period.start_at(VN), period.end_at(VN)
    with transaction.atomic():
        _create(world.justice, procedure, history)
        # The scan (the rollup is held to the scan in test_stats_rollup, for histories that end before now).
        stats = dossier_statistics(actor=None, period=period, agency=world.justice.identifier_code, now=now,
                                   use_rollups=False)
        transaction.set_rollback(True)
    assert {k: stats[k] for k in COUNT_KEYS} == expected_figures(history, start, end, min(end, now))
    assert balance(stats)


def test_an_agency_reports_to_the_provincial_office_and_the_csv_has_every_column(world, client):
    make_dossier(agency=world.justice, received_at=at(1, 5), status=Status.STOPPED, stopped_at=at(2, 3))
    stats = q1(world.justice)
    assert stats["reporting_unit"] == world.justice.name
    assert stats["reports_to"] == f"Văn phòng Ủy ban nhân dân {world.province.name[0].lower()}{world.province.name[1:]}"
    client.force_login(world.users["agency_leader"])
    response = client.get("/thong-ke/bieu-II.06a.csv", {"period": "2026-Q1",
                                                        "agency": world.justice.identifier_code})
    assert response.status_code == 200 and response["Content-Type"].startswith("text/csv")
    lines = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    header = lines[0]
    assert "Dừng xử lý (mẫu 05)" in header and "Đã trả kết quả" in header
    assert not any("Trả lại" in h for h in header)
    total = lines[-1]
    assert total[2] == "Tổng cộng"
    assert total[header.index("Dừng xử lý (mẫu 05)")] == "1"
    assert total[header.index("Tổng số hồ sơ tiếp nhận")] == "1"
