"""Work by role: "Trình lãnh đạo" → "Chờ phê duyệt" → approve or send back; each role's landing tab; a dossier
awaiting approval is still "đang giải quyết" in II.06a."""

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.db import transaction
from django.urls import reverse

from tinhso.audit.models import AuditEvent
from tinhso.core.exceptions import PermissionDenied, ValidationError
from tinhso.core.periods import parse_period
from tinhso.dossiers import selectors, services, stats_rollup, workflow
from tinhso.dossiers.choices import Channel, Queue, Status
from tinhso.dossiers.statistics import dossier_statistics

from . import test_statistics as st
from .factories import make_dossier

VN = ZoneInfo("Asia/Ho_Chi_Minh")
pytestmark = pytest.mark.smoke


def _names(user, dossier) -> list[str]:
    return [t.name for t in selectors.actions_for(user=user, dossier=dossier)]


def test_officer_submits_to_the_leader_who_approves(world):
    officer, leader = world.users["processing_officer"], world.users["agency_leader"]
    dossier = make_dossier(world, status=Status.IN_PROGRESS)
    assert "submit_for_approval" in _names(officer, dossier)
    assert "submit_for_approval" not in _names(leader, dossier)  # a leader decides themselves
    services.dossier_transition(actor=officer, dossier_code=dossier.code, action="submit_for_approval",
                                note="Đề nghị cấp 2 bản sao.")
    dossier.refresh_from_db()
    assert dossier.status == Status.AWAITING_APPROVAL and dossier.resolved_at is None
    assert _names(officer, dossier) == ["apologise"]  # waiting for the leader: nothing else for the officer
    assert {"approve", "send_back", "reject", "stop"} <= set(_names(leader, dossier))
    with pytest.raises(PermissionDenied):
        services.dossier_transition(actor=officer, dossier_code=dossier.code, action="approve")
    services.dossier_transition(actor=leader, dossier_code=dossier.code, action="approve")
    dossier.refresh_from_db()
    assert dossier.status == Status.APPROVED and dossier.resolved_at is not None and dossier.timeliness
    assert [e.action for e in dossier.events.all()] == ["submit_for_approval", "approve"]
    assert dossier.events.first().note == "Đề nghị cấp 2 bản sao."
    assert AuditEvent.objects.filter(action="dossiers.dossier.submit_for_approval",
                                     object_id=str(dossier.pk)).exists()


def test_leader_sends_back_with_a_reason_and_the_officer_sees_it(world):
    officer, leader = world.users["processing_officer"], world.users["agency_leader"]
    dossier = make_dossier(world, status=Status.AWAITING_APPROVAL)
    with pytest.raises(ValidationError) as exc:
        services.dossier_transition(actor=leader, dossier_code=dossier.code, action="send_back")
    assert "note" in exc.value.field_errors
    services.dossier_transition(actor=leader, dossier_code=dossier.code, action="send_back",
                                note="Thiếu đối chiếu sổ hộ tịch.")
    dossier.refresh_from_db()
    assert dossier.status == Status.IN_PROGRESS
    assert AuditEvent.objects.filter(action="dossiers.dossier.send_back", object_id=str(dossier.pk)).exists()
    page = world.client_for("processing_officer").get(reverse("dossiers:detail", args=[dossier.code]))
    text = page.content.decode()
    assert "Yêu cầu xử lý lại" in text and "Thiếu đối chiếu sổ hộ tịch." in text
    assert "submit_for_approval" in _names(officer, dossier)  # it can be submitted again


def test_every_transition_that_reaches_awaiting_approval_is_declared_once():
    into = [t.name for t in workflow.TRANSITIONS.values() if t.target == Status.AWAITING_APPROVAL]
    out = sorted(t.name for t in workflow.TRANSITIONS.values() if Status.AWAITING_APPROVAL in t.sources)
    assert into == ["submit_for_approval"]
    assert out == ["apologise", "approve", "reject", "send_back", "stop", "withdraw"]


# --- tabs by role --------------------------------------------------------------------------------------------

def test_each_role_lands_on_its_own_tab_and_to_receive_holds_only_unreceived_dossiers(world):
    submitted = make_dossier(world, status=Status.SUBMITTED)
    received = make_dossier(world, status=Status.RECEIVED)
    in_progress = make_dossier(world, status=Status.IN_PROGRESS)
    waiting = make_dossier(world, status=Status.AWAITING_APPROVAL)
    expected = {"receiving_officer": (Queue.NEW, {submitted.code}),
                "processing_officer": (Queue.PROCESSING, {received.code, in_progress.code}),
                "agency_leader": (Queue.AWAITING_APPROVAL, {waiting.code})}
    for persona, (queue, codes) in expected.items():
        user = world.users[persona]
        assert selectors.default_queue(user) == queue
        response = world.client_for(persona).get(reverse("dossiers:queue"))
        shown = {d.code for d in response.context["page"].items}
        assert response.context["filters"].queue == queue and shown == codes, persona
        assert f'data-queue="{queue}">' in response.content.decode()
        assert selectors.queue_counts(user=user)[queue] == len(codes)
    everything = world.client_for("agency_leader").get(reverse("dossiers:queue"), {"queue": "all"})
    assert everything.context["filters"].queue == "" and everything.context["page"].total == 4


def test_the_leaders_tab_holds_only_the_agencies_they_lead(world):
    make_dossier(world, status=Status.AWAITING_APPROVAL)
    make_dossier(world, status=Status.AWAITING_APPROVAL, handling_agency=world.health)
    leader = world.users["agency_leader"]
    assert selectors.queue_counts(user=leader)[Queue.AWAITING_APPROVAL] == 1
    admin = world.users["province_admin"]
    assert selectors.default_queue(admin) == ""
    assert selectors.queue_counts(user=admin)[Queue.AWAITING_APPROVAL] == 2


# --- II.06a --------------------------------------------------------------------------------------------------

def test_a_dossier_awaiting_approval_is_pending_in_II06a_by_scan_and_rollup(world):
    a = world.justice
    q1 = parse_period("2026-Q1")
    kwargs = dict(agency=a, channel=Channel.DIRECT, status=Status.AWAITING_APPROVAL)
    st.make_dossier(received_at=st.at(2026, 2, 2), due_at=st.at(2026, 2, 5), **kwargs)  # overdue
    st.make_dossier(received_at=st.at(2026, 3, 30), due_at=st.at(2026, 4, 3), **kwargs)  # within
    with transaction.atomic():
        for now in (st.AFTER_Q1, datetime(2026, 3, 31, 10, tzinfo=VN)):  # a past and a running period
            stats_rollup.rollup_rebuild()
            for use_rollups in (False, True):
                stats = dossier_statistics(actor=None, period=q1, agency=a.identifier_code, now=now,
                                           use_rollups=use_rollups)
                assert (stats["pending_total"], stats["pending_within"], stats["pending_overdue"],
                        stats["resolved_total"]) == (2, 1, 1, 0), (now, use_rollups)
        transaction.set_rollback(True)


def test_overdue_queue_counts_dossiers_awaiting_approval(world):
    late = make_dossier(world, status=Status.AWAITING_APPROVAL, due_at=datetime.now(VN) - timedelta(hours=3))
    codes = {d.code for d in selectors.dossier_list(user=world.users["agency_leader"],
                                                   filters=selectors.DossierFilter(queue=Queue.OVERDUE))}
    assert late.code in codes
