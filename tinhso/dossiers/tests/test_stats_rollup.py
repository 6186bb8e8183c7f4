"""The II.06a rollup answers exactly what the scan answers, for generated histories, any period and agency set."""

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.core.management import call_command
from django.db import connection, transaction
from hypothesis import HealthCheck, given, note, settings
from hypothesis import strategies as st

from tinhso.core.periods import parse_period, period_between
from tinhso.dossiers import stats_rollup
from tinhso.dossiers.models import Dossier, DossierStatDay
from tinhso.dossiers.statistics import COUNT_KEYS, dossier_statistics

from .test_statistics import make_dossier, make_procedure
from .test_statistics_pauses import DAY0, _create, histories

VN = ZoneInfo("Asia/Ho_Chi_Minh")
pytestmark = pytest.mark.smoke


def counts(stats: dict) -> dict:
    return {"total": {k: stats[k] for k in COUNT_KEYS},
            "rows": sorted((r["key"], tuple(r[k] for k in COUNT_KEYS)) for r in stats["rows"])}


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(first=histories(), second=histories(), start=st.integers(0, 200), length=st.integers(0, 120),
       now_offset=st.integers(-40, 120), which=st.sampled_from(["both", "justice", "health"]),
       group_by=st.sampled_from(["agency", "none", "unit"]))
def test_rollup_equals_the_scan(world, first, second, start, length, now_offset, which, group_by):
    procedure = make_procedure(agencies=[world.justice, world.health])
    date_from = DAY0.date() + timedelta(days=start)
    period = period_between(date_from, date_from + timedelta(days=length))
    now = datetime.combine(period.end, datetime.min.time(), VN) + timedelta(days=now_offset, hours=10)
    if now < period.end_at(VN):  # a running period: nothing happened after now
        cut = now
        first = [h for h in first if _last(h) < cut]
        second = [h for h in second if _last(h) < cut]
    scope = {"both": {}, "justice": {"agency": world.justice.identifier_code},
             "health": {"agency": world.health.identifier_code}}[which]
    if group_by == "unit":
        scope = {"unit": world.province.code}
    with transaction.atomic():
        _create(world.justice, procedure, first)
        _create(world.health, procedure, [{**h} for h in second], prefix="Q")
        stats_rollup.rollup_rebuild()
        kwargs = dict(actor=None, period=period, group_by=group_by, now=now, **scope)
        scan = dossier_statistics(use_rollups=False, **kwargs)
        rolled = dossier_statistics(**kwargs)
        transaction.set_rollback(True)
    assert (scan["source"], rolled["source"]) == ("scan", "rollup")
    note(f"period {period.start}..{period.end}, now {now}, histories {first} {second}")
    assert counts(rolled)["total"] == counts(scan)["total"]
    assert counts(rolled) == counts(scan)


def _last(h: dict) -> datetime:
    from .test_statistics_pauses import _moment

    return max(_moment(v) for v in (h["received"], h["due"], h["due_before"], h["asked"], h["answered"],
                                    h["closed"]) if v is not None)


def _rows() -> list[tuple]:
    """The rollup's rows without the all-zero ones a moved dossier leaves behind."""
    fields = ["agency_id", "day", "month", *stats_rollup.FIELDS]
    return sorted(r for r in DossierStatDay.objects.values_list(*fields) if any(r[3:]))


def test_every_dossier_write_updates_the_rollup_in_its_transaction(world):
    at = datetime(2026, 1, 5, 9, tzinfo=VN)
    q1, after_q1 = parse_period("2026-Q1"), datetime(2026, 5, 1, tzinfo=VN)
    dossier = make_dossier(agency=world.justice, received_at=at)
    assert stats_rollup.is_fresh()
    stats = dossier_statistics(actor=None, period=q1, now=after_q1)
    assert (stats["source"], stats["received_total"], stats["pending_overdue"]) == ("rollup", 1, 1)
    # A deadline moved past the period's end: no longer overdue at its end.
    dossier.due_at = datetime(2026, 4, 20, 17, tzinfo=VN)
    dossier.save(update_fields=["due_at"])
    assert dossier_statistics(actor=None, period=q1, now=after_q1)["pending_overdue"] == 0
    # A queryset update and a bulk_create are counted too; a rolled-back write leaves nothing behind.
    Dossier.objects.filter(pk=dossier.pk).update(resolved_at=datetime(2026, 2, 2, 9, tzinfo=VN), timeliness="early")
    with transaction.atomic():
        make_dossier(agency=world.justice, received_at=at)
        transaction.set_rollback(True)
    Dossier.objects.bulk_create([Dossier(code="B-1", procedure=dossier.procedure, receiving_agency=world.health,
                                         channel="online", status="received", submitted_at=at, received_at=at)])
    stats = dossier_statistics(actor=None, period=q1, now=after_q1)
    assert (stats["received_total"], stats["resolved_early"], stats["pending_total"]) == (2, 1, 1)
    live = _rows()
    call_command("rebuild_dossier_statistics", stdout=open("/dev/null", "w"))
    assert _rows() == live
    dossier.delete()
    assert dossier_statistics(actor=None, period=q1, now=after_q1)["received_total"] == 1


def test_a_stale_rollup_falls_back_to_the_scan_until_rebuilt(world):
    at = datetime(2026, 1, 5, 9, tzinfo=VN)
    q1 = parse_period("2026-Q1")
    make_dossier(agency=world.justice, received_at=at)
    stats_rollup.mark_stale()  # what a bulk write that bypasses the models does
    stats = dossier_statistics(actor=None, period=q1, now=datetime(2026, 5, 1, tzinfo=VN))
    assert stats["source"] == "scan" and stats["received_total"] == 1
    stats_rollup.rollup_rebuild()
    stats = dossier_statistics(actor=None, period=q1, now=datetime(2026, 5, 1, tzinfo=VN))
    assert stats["source"] == "rollup" and stats["received_total"] == 1


def test_bulk_sql_writes_take_away_and_add_their_rows_contributions(world):
    """What an import in SQL does: take away the rows it overwrites, write, add what it wrote."""
    at = datetime(2026, 1, 30, 9, tzinfo=VN)
    kept = make_dossier(agency=world.justice, received_at=at)
    moved = make_dossier(agency=world.justice, received_at=at, due_at=at + timedelta(days=3))
    live = _rows()
    table = Dossier._meta.db_table
    stats_rollup.rollup_add_dossiers(f"code IN (SELECT code FROM {table} WHERE id = %s)", [moved.pk], sign=-1)
    with connection.cursor() as cursor:  # behind the models' back, as COPY and the staging upsert write
        cursor.execute(f"UPDATE {table} SET receiving_agency_id = %s, resolved_at = %s, timeliness = 'late' "
                       f"WHERE id = %s", [world.health.pk, at + timedelta(days=9), moved.pk])
    stats_rollup.rollup_add_dossiers("id = %s", [moved.pk])
    after = _rows()
    assert after != live
    stats_rollup.rollup_rebuild()
    assert _rows() == after
    stats = dossier_statistics(actor=None, period=parse_period("2026-Q1"), now=datetime(2026, 5, 1, tzinfo=VN))
    assert (stats["source"], stats["received_total"], stats["resolved_late"]) == ("rollup", 2, 1)
    assert kept.pk


# --- live transitions through the services ----------------------------------------------------------------

# The actions walked (those that need no extra input beyond a note and, for a hand-over, the target agency).
ACTIONS = ["receive", "refuse", "start", "hand_over", "request_supplement", "supplement", "submit_for_approval",
           "approve", "send_back", "reject", "issue_result", "return_result", "withdraw", "stop"]
PERSONAS = ["receiving_officer", "processing_officer", "agency_leader", "other_unit_officer", "citizen"]
WALK_START = datetime(2025, 11, 3, 8, tzinfo=VN)


@st.composite
def walks(draw):
    dossiers = draw(st.lists(st.sampled_from(["online", "direct", "postal"]), min_size=1, max_size=5))
    steps = draw(st.lists(st.tuples(st.integers(0, len(dossiers) - 1), st.integers(0, 10_000),
                                    st.integers(1, 30 * 24)), max_size=30))
    return dossiers, steps


def _walk(world, channels, steps, done: list | None = None) -> datetime:
    """Transitions through services.dossier_transition, the clock moving forward; returns the last time. A step
    picks one of the actions allowed then (by number, or by name); `done` collects those applied."""
    from tinhso.core.exceptions import DomainError
    from tinhso.dossiers import services, workflow

    from .factories import make_dossier as make_live_dossier

    dossiers = [make_live_dossier(world, status="submitted", channel=c, has_digitised_attachments=i % 2 == 0)
                for i, c in enumerate(channels)]
    clock = WALK_START
    for index, pick, hours in steps:
        clock += timedelta(hours=hours)
        dossier = Dossier.objects.get(pk=dossiers[index].pk)
        options = [(persona, t.name) for persona in PERSONAS
                   for t in workflow.available_transitions(dossier, workflow.actor_kinds(world.users[persona], dossier))
                   if t.name in ACTIONS]
        if not options:
            continue
        named = [o for o in options if o[1] == pick]
        persona, action = named[0] if named else options[hash(pick) % len(options)]
        try:
            services.dossier_transition(actor=world.users[persona], dossier_code=dossier.code, action=action,
                                        note="Ghi chú kiểm thử", now=clock,
                                        agency_code=world.other_commune_committee.identifier_code)
        except DomainError:
            continue
        if done is not None:
            done.append(action)
    return clock


def test_a_walk_through_every_kind_of_transition_keeps_the_rollup_equal_to_the_scan(world):
    steps = [(0, "receive", 2), (1, "receive", 1), (2, "receive", 1), (3, "receive", 1), (4, "refuse", 1),
             (0, "start", 30), (0, "request_supplement", 200), (1, "start", 2), (1, "submit_for_approval", 5),
             (1, "approve", 3), (1, "issue_result", 2), (1, "return_result", 20), (2, "start", 3),
             (2, "hand_over", 4), (3, "stop", 300), (0, "supplement", 400), (0, "reject", 50), (2, "withdraw", 900)]
    done = []
    last = _walk(world, ["online", "direct", "postal", "online", "direct"], steps, done)
    assert done == [s[1] for s in steps]
    for spec in ("2025-11", "2025-12", "2025-Q4", "2026-01"):
        for scope in ({}, {"agency": world.justice.identifier_code},
                      {"agency": world.other_commune_committee.identifier_code}):
            kwargs = dict(actor=None, period=parse_period(spec), group_by="agency", now=last, **scope)
            scan, rolled = dossier_statistics(use_rollups=False, **kwargs), dossier_statistics(**kwargs)
            assert (scan["source"], rolled["source"]) == ("scan", "rollup")
            assert counts(rolled) == counts(scan), (spec, scope)
    assert dossier_statistics(actor=None, period=parse_period("2025-Q4"), now=last)["received_total"] == 4


@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(walk=walks(), periods=st.lists(st.tuples(st.integers(0, 150), st.integers(0, 120)), min_size=1, max_size=3),
       now_offset=st.integers(0, 60 * 24), which=st.sampled_from(["all", "justice", "other", "unit"]))
def test_live_transitions_keep_the_rollup_equal_to_the_scan(world, walk, periods, now_offset, which):
    channels, steps = walk
    scope = {"all": {}, "justice": {"agency": world.justice.identifier_code},
             "other": {"agency": world.other_commune_committee.identifier_code}, "unit": {"unit": world.province.code}}[which]
    with transaction.atomic():
        last = _walk(world, channels, steps)
        now = last + timedelta(hours=now_offset)
        for start, length in periods:
            date_from = WALK_START.date() + timedelta(days=start)
            period = period_between(date_from, date_from + timedelta(days=length))
            for group_by in ("agency", "none"):
                kwargs = dict(actor=None, period=period, group_by=group_by, now=now, **scope)
                scan, rolled = dossier_statistics(use_rollups=False, **kwargs), dossier_statistics(**kwargs)
                note(f"{period.start}..{period.end}, now {now}, {group_by}, {which}")
                assert rolled["source"] == "rollup"
                assert counts(rolled) == counts(scan)
        live = _rows()
        stats_rollup.rollup_rebuild()
        assert _rows() == live
        transaction.set_rollback(True)

