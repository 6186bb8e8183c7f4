"""Deadlines as the rules count them: the clock starts at reception (form 01), the wait for acceptance of an
online dossier is its own figure, form 02 at reception, day-based / same-day / calendar-day processing times."""

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest

from tinhso.core.exceptions import Conflict, ValidationError
from tinhso.core.periods import parse_period
from tinhso.dossiers import services
from tinhso.dossiers.choices import Channel, Status, Timeliness
from tinhso.dossiers.deadlines import acceptance_wait
from tinhso.dossiers.statistics import dossier_statistics
from tinhso.procedures.choices import TimeUnit

from .factories import make_procedure, pdf, submission

VN = ZoneInfo("Asia/Ho_Chi_Minh")
pytestmark = pytest.mark.smoke


def at(m, d, h, minute=0) -> datetime:
    return datetime(2026, m, d, h, minute, tzinfo=VN)


def act(world, persona, dossier, action, now, **kwargs):
    return services.dossier_transition(actor=world.users[persona], dossier_code=dossier.code, action=action,
                                       now=now, **kwargs)


def test_online_clock_starts_when_the_one_stop_accepts_and_the_wait_is_shown_apart(world):
    # Uploaded Friday 6/3 at 20:45; the clerk accepts it on Monday 9/3 at 14:00.
    dossier = services.dossier_submit(actor=world.users["citizen"], now=at(3, 6, 20, 45), **submission(world))
    assert (dossier.clock_start_at, dossier.due_at) == (None, None)
    waiting = acceptance_wait(dossier, now=at(3, 9, 10))
    assert waiting.waiting and waiting.working_hours == 2.5 and not waiting.late
    received = act(world, "receiving_officer", dossier, "receive", at(3, 9, 14))
    assert received.clock_start_at == at(3, 9, 14)
    assert received.due_at == at(3, 12, 17)  # 3 working days from the reception, at the close of the day
    wait = acceptance_wait(received, now=at(3, 20, 9))
    # Monday 07:30–11:30 and 13:30–14:00: 4.5 working hours, within the 8-hour limit.
    assert (wait.waiting, wait.working_hours, wait.late) == (False, 4.5, False)


def test_acceptance_limit_is_configurable_and_a_late_acceptance_is_flagged(world, settings):
    settings.TINHSO_ONLINE_ACCEPTANCE_HOURS = 2
    dossier = services.dossier_submit(actor=world.users["citizen"], now=at(3, 9, 8), **submission(world))
    assert dossier.acceptance_due_at == at(3, 9, 10)
    received = act(world, "receiving_officer", dossier, "receive", at(3, 9, 15))
    wait = acceptance_wait(received, now=at(3, 9, 16))
    assert wait.late and wait.working_hours == 5.0  # 08:00–11:30 and 13:30–15:00


def test_api_shows_the_acceptance_wait(world, client):
    dossier = services.dossier_submit(actor=world.users["citizen"], now=at(3, 9, 8), **submission(world))
    act(world, "receiving_officer", dossier, "receive", at(3, 9, 9, 30))
    client.force_login(world.users["receiving_officer"])
    body = client.get(f"/api/v1/dossiers/{dossier.code}").json()
    assert body["acceptance_wait_hours"] == 1.5 and body["acceptance_late"] is False
    # 8 working hours from Monday 08:00: 7 hours on Monday, 1 hour from Tuesday's opening.
    assert datetime.fromisoformat(body["acceptance_due_at"]) == at(3, 10, 8, 30)


def test_a_result_on_the_due_day_is_on_time_even_after_the_hour_of_reception(world):
    # Received online after hours on Friday, accepted Monday 07:30 → 1 working day ends at Tuesday's close.
    procedure = make_procedure(agencies=[world.justice], code="1.000001", processing_time=1)
    dossier = services.dossier_submit(actor=world.users["citizen"], now=at(3, 6, 20), **submission(world, procedure))
    act(world, "receiving_officer", dossier, "receive", at(3, 9, 7, 30))
    act(world, "processing_officer", dossier, "start", at(3, 9, 8))
    resolved = act(world, "agency_leader", dossier, "approve", at(3, 10, 16, 30))
    assert resolved.due_at == at(3, 10, 17)
    assert resolved.timeliness == Timeliness.ON_TIME


@pytest.mark.parametrize(("received", "due"), [
    (at(3, 9, 14, 59), at(3, 9, 17)),
    (at(3, 9, 15, 30), at(3, 10, 17)),
])
def test_same_day_procedure_at_the_counter(world, received, due):
    procedure = make_procedure(agencies=[world.justice], code="2.000815", processing_time=1, unit=TimeUnit.SAME_DAY)
    dossier = services.dossier_submit(actor=world.users["receiving_officer"], channel=Channel.DIRECT, now=received,
                                      **submission(world, procedure))
    assert dossier.due_at == due


def test_calendar_day_procedure(world):
    procedure = make_procedure(agencies=[world.justice], code="1.000002", processing_time=5,
                               unit=TimeUnit.CALENDAR_DAYS)
    dossier = services.dossier_submit(actor=world.users["receiving_officer"], channel=Channel.DIRECT,
                                      now=at(3, 9, 9), **submission(world, procedure))
    assert dossier.due_at == at(3, 16, 17)  # Saturday 14/3 is off: the next working day


def test_clerk_sends_an_online_submission_back_for_completion_once_before_receiving_it(world):
    dossier = services.dossier_submit(actor=world.users["citizen"], now=at(3, 9, 8), **submission(world))
    sent_back = act(world, "receiving_officer", dossier, "request_completion", at(3, 9, 9),
                    note="Bản sao giấy khai sinh\n  Tờ khai có chữ ký  \n")
    assert sent_back.status == Status.COMPLETION_REQUESTED
    assert (sent_back.received_at, sent_back.clock_start_at, sent_back.due_at) == (None, None, None)
    event = sent_back.events.get(action="request_completion")
    assert event.data["missing"] == ["Bản sao giấy khai sinh", "Tờ khai có chữ ký"]
    completed = act(world, "citizen", dossier, "complete", at(3, 10, 8), files=[pdf("khai-sinh.pdf")])
    assert completed.status == Status.SUBMITTED and completed.acceptance_due_at == at(3, 11, 8, 30)
    with pytest.raises(Conflict, match="một lần"):
        act(world, "receiving_officer", dossier, "request_completion", at(3, 10, 9), note="Lần hai")
    received = act(world, "receiving_officer", dossier, "receive", at(3, 10, 9))
    assert received.clock_start_at == at(3, 10, 9) and received.due_at == at(3, 13, 17)


def test_a_completion_request_needs_the_list_of_what_is_missing(world):
    dossier = services.dossier_submit(actor=world.users["citizen"], now=at(3, 9, 8), **submission(world))
    with pytest.raises(ValidationError) as exc:
        act(world, "receiving_officer", dossier, "request_completion", at(3, 9, 9), note="  \n ")
    assert "note" in exc.value.field_errors


def test_counter_submission_sent_back_for_completion_is_not_received_nor_counted(world):
    dossier = services.dossier_submit(actor=world.users["receiving_officer"], channel=Channel.DIRECT,
                                      now=at(3, 9, 9), missing_items=["Bản chính CCCD để đối chiếu"],
                                      **submission(world))
    assert dossier.status == Status.COMPLETION_REQUESTED
    assert (dossier.received_at, dossier.due_at) == (None, None)
    assert dossier.events.get().data["missing"] == ["Bản chính CCCD để đối chiếu"]
    stats = dossier_statistics(actor=None, period=parse_period("2026-03"), now=at(4, 1, 9))
    assert stats["received_total"] == 0
    act(world, "receiving_officer", dossier, "complete", at(3, 9, 10))
    received = act(world, "receiving_officer", dossier, "receive", at(3, 9, 10, 5))
    assert received.due_at == at(3, 12, 17)
    assert dossier_statistics(actor=None, period=parse_period("2026-03"), now=at(4, 1, 9))["received_total"] == 1


def test_online_submission_cannot_carry_a_counter_completion_list(world):
    with pytest.raises(ValidationError) as exc:
        services.dossier_submit(actor=world.users["citizen"], missing_items=["x"], **submission(world))
    assert "missing_items" in exc.value.field_errors


def test_demo_certification_procedures_are_same_day_not_eight_hours():
    # NĐ 23/2015/NĐ-CP Điều 7: bản sao từ sổ gốc, chứng thực bản sao and chữ ký — in the day, or the next
    # working day after 15:00; 8 working hours would be longer than the 7.5-hour office day.
    import json
    from pathlib import Path

    import tinhso.procedures

    data = json.loads((Path(tinhso.procedures.__file__).parent / "data" / "demo_procedures.json").read_text("utf-8"))
    records = data if isinstance(data, list) else data["procedures"]
    units = {r["code"]: r["processing_time"]["unit"] for r in records}
    assert {units[c] for c in ("2.000815", "2.000884", "2.000908", "1.005092")} == {TimeUnit.SAME_DAY}
