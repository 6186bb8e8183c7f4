import random
import statistics
from datetime import date, datetime, timedelta

import pytest

from tinhso.core import calendar
from tinhso.core.periods import Period
from tinhso.feedback import measures
from tinhso.feedback.models import Report

pytestmark = pytest.mark.django_db
ZONE = calendar.local_zone()


def generate(place, n: int = 300, seed: int = 7) -> list[Report]:
    """A history: reports received through 2026, some answered (on time or late, once or after a reopen),
    some closed with a rating, some rejected or still open."""
    rng = random.Random(seed)
    w = place.world
    agencies = [w.justice, w.health, w.commune_committee]
    communes = [w.commune, w.other_commune]
    rows = []
    for i in range(n):
        received = datetime(2026, 1, 1, 8, tzinfo=ZONE) + timedelta(hours=rng.randrange(0, 24 * 300))
        due = received + timedelta(hours=rng.choice([8, 24, 72, 120]))
        status = rng.choice(["received", "in_progress", "answered", "closed", "closed", "rejected"])
        answered = received + timedelta(hours=rng.randrange(1, 200)) if status in ("answered", "closed") else None
        reopened = rng.random() < 0.2 if answered else False
        rating = rng.choice([None, 1, 2, 3, 4, 5]) if status == "closed" else None
        rows.append(Report(
            code=f"PA{i + 1:06d}", service=place.road, status=status, channel="web", description="x",
            commune=rng.choice(communes), agency=rng.choice(agencies), token_hash=f"{i:064d}", received_at=received,
            due_at=due, answered_at=answered, first_answered_at=answered - timedelta(hours=1) if reopened else answered,
            closed_at=answered + timedelta(hours=5) if status == "closed" else None, rating=rating,
            reopen_count=1 if reopened else 0, reject_reason="spam" if status == "rejected" else ""))
    return Report.objects.bulk_create(rows)


def in_period(moment, start: date, end: date) -> bool:
    return moment is not None and start <= moment.astimezone(ZONE).date() <= end


def test_on_time_share_of_a_generated_history_matches_a_direct_count(place):
    reports = generate(place)
    start, end = date(2026, 3, 1), date(2026, 8, 31)
    for by, key in (("agency", "agency_id"), ("commune", "commune_id")):
        ids = {getattr(r, key) for r in reports}
        got = measures.on_time_share(by=by, ids=ids, start=start, end=end)
        expected: dict[int, list[int]] = {}
        for r in reports:
            if r.status in ("answered", "closed") and in_period(r.answered_at, start, end):
                pair = expected.setdefault(getattr(r, key), [0, 0])
                pair[0] += r.answered_at <= r.due_at
                pair[1] += 1
        assert got == {k: tuple(v) for k, v in expected.items()}
        assert sum(d for _, d in got.values()) > 20  # the history really exercises it


def test_satisfaction_reopen_and_median_match_direct_counts(place):
    reports = generate(place, seed=11)
    start, end = date(2026, 1, 1), date(2026, 12, 31)
    ids = {r.agency_id for r in reports}
    satisfied: dict[int, list[int]] = {}
    reopened: dict[int, list[int]] = {}
    hours: dict[int, list[float]] = {}
    working = calendar.WorkingCalendar.load()
    for r in reports:
        if r.status == "closed" and r.rating and in_period(r.closed_at, start, end):
            pair = satisfied.setdefault(r.agency_id, [0, 0])
            pair[0] += r.rating >= 4
            pair[1] += 1
        if in_period(r.first_answered_at, start, end):
            pair = reopened.setdefault(r.agency_id, [0, 0])
            pair[0] += r.reopen_count > 0
            pair[1] += 1
        if r.status in ("answered", "closed") and in_period(r.answered_at, start, end):
            hours.setdefault(r.agency_id, []).append(working.working_seconds_between(r.received_at, r.answered_at) / 3600)
    assert measures.satisfaction_share(ids=ids, start=start, end=end) == {k: tuple(v) for k, v in satisfied.items()}
    assert measures.reopen_rate(ids=ids, start=start, end=end) == {k: tuple(v) for k, v in reopened.items()}
    got = measures.handling_hours(ids=ids, start=start, end=end)
    assert {k: measures.median(v) for k, v in got.items()} == {
        k: round(statistics.median(v), 2) for k, v in hours.items()}


def test_the_indicator_engine_computes_the_on_time_share_through_the_measures(place):
    from tinhso.indicators.computations import REGISTRY, Scope

    reports = generate(place, seed=3)
    period = Period(date(2026, 4, 1), date(2026, 4, 30))
    by_agency = REGISTRY["cq_phan_anh_dung_han_rate"].fn(Scope.of(place.world.province), period)
    direct = {}
    for r in reports:
        if r.status in ("answered", "closed") and in_period(r.answered_at, period.start, period.end):
            pair = direct.setdefault(r.agency_id, [0, 0])
            pair[0] += r.answered_at <= r.due_at
            pair[1] += 1
    assert by_agency == {k: tuple(v) for k, v in direct.items()}
    assert {"cq_phan_anh_hai_long_rate", "cq_phan_anh_mo_lai_rate", "cq_phan_anh_xu_ly_gio_median"} <= set(REGISTRY)
