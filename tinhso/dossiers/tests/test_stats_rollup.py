"""The II.06a rollup answers exactly what the scan answers, for generated histories, any period and agency set."""

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.core.management import call_command
from django.db import transaction
from hypothesis import HealthCheck, given, note, settings
from hypothesis import strategies as st

from tinhso.core.periods import parse_period, period_between
from tinhso.dossiers import stats_rollup
from tinhso.dossiers.models import DossierStatDay
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


def test_any_dossier_write_makes_the_rollup_stale_and_statistics_fall_back_to_the_scan(world):
    at = datetime(2026, 1, 5, 9, tzinfo=VN)
    make_dossier(agency=world.justice, received_at=at)
    call_command("rebuild_dossier_statistics", stdout=open("/dev/null", "w"))
    assert stats_rollup.is_fresh() and DossierStatDay.objects.exists()
    q1 = parse_period("2026-Q1")
    assert dossier_statistics(actor=None, period=q1, now=datetime(2026, 5, 1, tzinfo=VN))["source"] == "rollup"
    make_dossier(agency=world.justice, received_at=at)
    stats = dossier_statistics(actor=None, period=q1, now=datetime(2026, 5, 1, tzinfo=VN))
    assert stats["source"] == "scan" and stats["received_total"] == 2
    stats_rollup.rollup_rebuild()
    assert dossier_statistics(actor=None, period=q1, now=datetime(2026, 5, 1, tzinfo=VN))["received_total"] == 2
