"""The state machine: every transition's state and role checks, and the rules around deadlines."""

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.contrib.auth.models import AnonymousUser

from tinhso.audit.models import AuditEvent
from tinhso.core import calendar
from tinhso.core.exceptions import Conflict, NotFound, PermissionDenied, ValidationError
from tinhso.dossiers import services, workflow
from tinhso.dossiers.choices import Status, Timeliness
from tinhso.dossiers.models import SatisfactionRating

from .factories import PHONE, make_dossier, pdf, submission

VN = ZoneInfo("Asia/Ho_Chi_Minh")
pytestmark = pytest.mark.smoke

PERSONA_OF_KIND = {workflow.ActorKind.APPLICANT: "citizen", workflow.ActorKind.CLERK: "receiving_officer",
                   workflow.ActorKind.OFFICER: "processing_officer", workflow.ActorKind.LEADER: "agency_leader"}
KINDS_OF_PERSONA = {"citizen": {"applicant"}, "receiving_officer": {"clerk"}, "processing_officer": {"officer"},
                    "agency_leader": {"officer", "leader"}}
CASES = [(t.name, s) for t in workflow.TRANSITIONS.values() for s in sorted(t.sources)]


def _extra(world, transition, dossier) -> dict:
    extra = {"note": "Nội dung kèm theo"}
    if transition.needs_agency and not transition.picks_officer:  # assign keeps the procedure's agency
        extra["agency_code"] = world.health.identifier_code
    if transition.needs_date:
        due = dossier.due_at.astimezone(VN).date()
        extra["new_date"] = calendar.get_calendar().add_working_days(due, 3)
    return extra


@pytest.mark.parametrize("action, source", CASES)
def test_allowed_actor_moves_the_dossier_from_each_source_state(world, action, source):
    transition = workflow.TRANSITIONS[action]
    dossier = make_dossier(world, status=source)
    persona = PERSONA_OF_KIND[sorted(transition.actors)[0]]
    result = services.dossier_transition(actor=world.users[persona], dossier_code=dossier.code, action=action,
                                         **_extra(world, transition, dossier))
    assert result.status == (transition.target or source)
    event = result.events.get()
    assert (event.action, event.from_status, event.to_status) == (action, source, result.status)
    assert event.actor == world.users[persona]
    assert AuditEvent.objects.filter(action=f"dossiers.dossier.{action}", object_id=str(dossier.pk)).exists()


@pytest.mark.parametrize("action", sorted(workflow.TRANSITIONS))
def test_action_from_a_state_it_does_not_start_from_is_a_conflict(world, action):
    transition = workflow.TRANSITIONS[action]
    wrong = next(s for s in Status.values if s not in transition.sources)
    dossier = make_dossier(world, status=wrong)
    persona = PERSONA_OF_KIND[sorted(transition.actors)[0]]
    with pytest.raises(Conflict) as exc:
        services.dossier_transition(actor=world.users[persona], dossier_code=dossier.code, action=action,
                                    **_extra(world, transition, dossier))
    assert "vừa được người khác xử lý" in exc.value.message
    dossier.refresh_from_db()
    assert dossier.status == wrong and not dossier.events.exists()


@pytest.mark.parametrize("action", sorted(workflow.TRANSITIONS))
@pytest.mark.parametrize("persona", ["citizen", "receiving_officer", "processing_officer", "agency_leader",
                                     "province_admin", "other_unit_officer", "unit_admin", "system_client"])
def test_only_the_declared_roles_may_act(world, action, persona):
    transition = workflow.TRANSITIONS[action]
    dossier = make_dossier(world, status=sorted(transition.sources)[0])
    kwargs = dict(actor=world.users[persona], dossier_code=dossier.code, action=action,
                  **_extra(world, transition, dossier))
    if KINDS_OF_PERSONA.get(persona, set()) & transition.actors:
        services.dossier_transition(**kwargs)
    elif persona in ("receiving_officer", "processing_officer", "agency_leader", "province_admin", "citizen"):
        with pytest.raises(PermissionDenied):
            services.dossier_transition(**kwargs)
    else:  # cannot even see it
        with pytest.raises(NotFound):
            services.dossier_transition(**kwargs)


def test_actions_shown_match_the_table(world):
    dossier = make_dossier(world, status=Status.IN_PROGRESS)
    leader = {t.name for t in services.selectors.actions_for(user=world.users["agency_leader"], dossier=dossier)}
    assert leader == {"hand_over", "request_supplement", "approve", "reject", "stop", "apologise"}
    clerk = {t.name for t in services.selectors.actions_for(user=world.users["receiving_officer"], dossier=dossier)}
    assert clerk == set()
    citizen = {t.name for t in services.selectors.actions_for(user=world.users["citizen"], dossier=dossier)}
    assert citizen == {"withdraw"}


def test_note_is_required_where_the_form_needs_a_reason(world):
    dossier = make_dossier(world, status=Status.SUBMITTED)
    with pytest.raises(ValidationError) as exc:
        services.dossier_transition(actor=world.users["receiving_officer"], dossier_code=dossier.code,
                                    action="refuse", note=" ")
    assert "note" in exc.value.field_errors


def test_unknown_action_is_a_validation_error(world):
    dossier = make_dossier(world)
    with pytest.raises(ValidationError):
        services.dossier_transition(actor=world.users["agency_leader"], dossier_code=dossier.code, action="fly")


def test_stale_page_gets_a_conflict(world):
    dossier = make_dossier(world, status=Status.IN_PROGRESS)
    with pytest.raises(Conflict):
        services.dossier_transition(actor=world.users["agency_leader"], dossier_code=dossier.code,
                                    action="approve", expected_status=Status.RECEIVED)


def test_supplement_can_be_requested_only_once(world):
    dossier = make_dossier(world, status=Status.IN_PROGRESS)
    officer = world.users["processing_officer"]
    services.dossier_transition(actor=officer, dossier_code=dossier.code, action="request_supplement",
                                note="Bổ sung bản sao CCCD")
    services.dossier_transition(actor=world.users["citizen"], dossier_code=dossier.code, action="supplement",
                                files=[pdf()])
    with pytest.raises(Conflict) as exc:
        services.dossier_transition(actor=officer, dossier_code=dossier.code, action="request_supplement",
                                    note="Lần hai")
    assert "một lần" in exc.value.message


def test_supplement_pauses_the_clock_and_pushes_the_due_time(world):
    officer, citizen = world.users["processing_officer"], world.users["citizen"]
    received = datetime(2026, 3, 2, 9, tzinfo=VN)  # Monday
    dossier = services.dossier_submit(actor=world.users["receiving_officer"], channel="direct", now=received,
                                      **submission(world))
    assert dossier.due_at == datetime(2026, 3, 5, 17, tzinfo=VN)  # the close of the 3rd working day
    services.dossier_transition(actor=officer, dossier_code=dossier.code, action="request_supplement",
                                note="Thiếu tờ khai", now=datetime(2026, 3, 3, 15, tzinfo=VN))
    dossier.refresh_from_db()
    assert dossier.paused_at == datetime(2026, 3, 3, 15, tzinfo=VN)
    # The applicant of this counter dossier proves the phone and answers on Monday 9/3 at 09:00.
    resumed = services.dossier_transition(actor=citizen, dossier_code=dossier.code, action="supplement",
                                          phone=PHONE, files=[pdf("bo-sung.pdf")],
                                          now=datetime(2026, 3, 9, 9, tzinfo=VN))
    # Paused office time: Tue 2 h + Wed 7.5 h + Thu 7.5 h + Fri 7.5 h + Mon 1.5 h = 26 h.
    assert resumed.paused_at is None
    assert resumed.status == Status.IN_PROGRESS
    assert resumed.events.last().data["paused_working_seconds"] == 26 * 3600
    # Thursday 17:00 + 26 h of office time: 7.5 h Fri, 7.5 h Mon, 7.5 h Tue, 3.5 h Wednesday morning; a time in
    # days ends with the office day, so the new due time is the close of Wednesday 11/3.
    assert calendar.add_working_time(datetime(2026, 3, 5, 17, tzinfo=VN), hours=26) == \
        datetime(2026, 3, 11, 11, tzinfo=VN)
    assert resumed.due_at == datetime(2026, 3, 11, 17, tzinfo=VN)
    assert resumed.due_before_pause_at == datetime(2026, 3, 5, 17, tzinfo=VN)
    assert resumed.attachments.get().kind == "supplement"


@pytest.mark.parametrize("resolved, expected", [
    (datetime(2026, 3, 4, 16, 59, tzinfo=VN), Timeliness.EARLY),
    (datetime(2026, 3, 5, 8, 0, tzinfo=VN), Timeliness.ON_TIME),
    (datetime(2026, 3, 5, 9, 0, tzinfo=VN), Timeliness.ON_TIME),
    (datetime(2026, 3, 5, 9, 1, tzinfo=VN), Timeliness.LATE),
])
def test_resolution_is_classified_against_the_due_time(world, resolved, expected):
    dossier = make_dossier(world, status=Status.IN_PROGRESS, due_at=datetime(2026, 3, 5, 9, tzinfo=VN))
    result = services.dossier_transition(actor=world.users["agency_leader"], dossier_code=dossier.code,
                                         action="approve", now=resolved)
    assert (result.resolved_at, result.timeliness) == (resolved, expected)


def test_hand_over_records_the_form_06_trail(world):
    dossier = make_dossier(world, status=Status.IN_PROGRESS)
    result = services.dossier_transition(actor=world.users["processing_officer"], dossier_code=dossier.code,
                                         action="hand_over", agency_code=world.health.identifier_code,
                                         note="Thuộc thẩm quyền Sở Y tế")
    event = result.events.get()
    assert (event.agency, event.to_agency) == (world.justice, world.health)
    assert result.handling_agency == world.health
    # Justice officers no longer act on it.
    with pytest.raises(NotFound):
        services.dossier_transition(actor=world.users["processing_officer"], dossier_code=dossier.code,
                                    action="approve")


def test_apology_sets_a_new_return_date_without_changing_state(world):
    dossier = make_dossier(world, status=Status.IN_PROGRESS, due_at=datetime(2026, 3, 5, 9, tzinfo=VN))
    result = services.dossier_transition(actor=world.users["processing_officer"], dossier_code=dossier.code,
                                         action="apologise", note="Cần xác minh thêm", now=datetime(
                                             2026, 3, 6, 9, tzinfo=VN), new_date=datetime(2026, 3, 12).date())
    assert result.status == Status.IN_PROGRESS
    assert result.apology_due_at == datetime(2026, 3, 12, 17, tzinfo=VN)
    with pytest.raises(ValidationError):  # a Sunday
        services.dossier_transition(actor=world.users["processing_officer"], dossier_code=dossier.code,
                                    action="apologise", note="x", new_date=datetime(2026, 3, 15).date(),
                                    now=datetime(2026, 3, 6, 9, tzinfo=VN))


def test_applicant_verified_by_phone_can_supplement_without_an_account(world):
    dossier = make_dossier(world, status=Status.SUPPLEMENT_REQUESTED, applicant_user=None)
    with pytest.raises(NotFound):
        services.dossier_transition(actor=AnonymousUser(), dossier_code=dossier.code, action="supplement",
                                    phone="0900000000")
    result = services.dossier_transition(actor=AnonymousUser(), dossier_code=dossier.code, action="supplement",
                                         phone="+84 912 345 678")
    assert result.status == Status.IN_PROGRESS
    assert "xác minh" in result.events.get().actor_label


def test_rating_once_after_the_result_is_returned(world):
    dossier = make_dossier(world, status=Status.RESULT_ISSUED)
    with pytest.raises(Conflict):
        services.dossier_rate(actor=world.users["citizen"], dossier_code=dossier.code, score=5)
    services.dossier_transition(actor=world.users["receiving_officer"], dossier_code=dossier.code,
                                action="return_result")
    with pytest.raises(PermissionDenied):
        services.dossier_rate(actor=world.users["receiving_officer"], dossier_code=dossier.code, score=1)
    with pytest.raises(ValidationError):
        services.dossier_rate(actor=world.users["citizen"], dossier_code=dossier.code, score=6)
    rating = services.dossier_rate(actor=world.users["citizen"], dossier_code=dossier.code, score=4,
                                   comment="Nhanh, đúng hẹn")
    assert rating.score == 4
    with pytest.raises(Conflict):
        services.dossier_rate(actor=world.users["citizen"], dossier_code=dossier.code, score=5)
    assert SatisfactionRating.objects.count() == 1


def test_whole_way_of_a_dossier_through_the_services(world):
    u = world.users
    dossier = services.dossier_submit(actor=u["citizen"], attachments=[pdf()], **submission(world))
    steps = [("receiving_officer", "receive", {}), ("processing_officer", "start", {}),
             ("processing_officer", "request_supplement", {"note": "Bổ sung giấy tờ"}),
             ("citizen", "supplement", {"files": [pdf("bo-sung.pdf")]}), ("agency_leader", "approve", {}),
             ("processing_officer", "issue_result", {"files": [pdf("ket-qua.pdf")]}),
             ("receiving_officer", "return_result", {})]
    for persona, action, extra in steps:
        dossier = services.dossier_transition(actor=u[persona], dossier_code=dossier.code, action=action, **extra)
    assert dossier.status == Status.RETURNED
    assert dossier.timeliness in (Timeliness.EARLY, Timeliness.ON_TIME)
    assert [e.action for e in dossier.events.all()] == ["submit"] + [s[1] for s in steps]
    assert dossier.received_at and dossier.resolved_at and dossier.result_issued_at and dossier.returned_at
    services.dossier_rate(actor=u["citizen"], dossier_code=dossier.code, score=5)
    assert dossier.applicant_phone == PHONE


def test_withdrawal_and_refusal_set_their_timestamps(world):
    a = make_dossier(world, status=Status.SUBMITTED)
    refused = services.dossier_transition(actor=world.users["receiving_officer"], dossier_code=a.code,
                                          action="refuse", note="Hồ sơ không thuộc thẩm quyền")
    assert refused.refused_at is not None
    b = make_dossier(world, status=Status.SUPPLEMENT_REQUESTED)
    withdrawn = services.dossier_transition(actor=world.users["citizen"], dossier_code=b.code, action="withdraw",
                                          note="Tôi nộp nhầm thủ tục")
    assert withdrawn.withdrawn_at is not None and withdrawn.paused_at is None
    c = make_dossier(world, status=Status.IN_PROGRESS, due_at=datetime.now(VN) - timedelta(days=1))
    stopped = services.dossier_transition(actor=world.users["agency_leader"], dossier_code=c.code, action="stop",
                                          note="Công dân không bổ sung")
    assert stopped.stopped_at is not None
