"""The rollup under concurrent writers (PostgreSQL: two connections holding row locks). Not in the smoke subset,
which also runs on SQLite, where it could only skip."""

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.db import transaction

from tinhso.core.periods import parse_period
from tinhso.dossiers.models import DossierStatDay
from tinhso.dossiers.statistics import dossier_statistics

from .test_stats_rollup import counts

VN = ZoneInfo("Asia/Ho_Chi_Minh")


@pytest.mark.django_db(transaction=True)
def test_two_transitions_at_once_on_one_agency_and_day_lose_no_update(world):
    """Two connections approve two dossiers of one agency on one day; the first holds its transaction open while
    the second writes: the second waits for the rollup row, then adds to it (PostgreSQL; SQLite has one writer)."""
    import threading

    from django.db import connection

    from tinhso.dossiers import services

    from .factories import make_dossier as make_live_dossier

    if connection.vendor != "postgresql":
        pytest.skip("row locks between two connections: PostgreSQL")
    received = datetime(2026, 3, 2, 9, tzinfo=VN)
    codes = [make_live_dossier(world, status="in_progress", received_at=received,
                               due_at=received + timedelta(days=5)).code for _ in range(2)]
    first_written, errors = threading.Event(), []
    moment = datetime(2026, 3, 4, 10, tzinfo=VN)

    def approve(code, *, hold: bool):
        try:
            if not hold:
                first_written.wait(10)
            with transaction.atomic():
                services.dossier_transition(actor=world.users["agency_leader"], dossier_code=code,
                                            action="approve", now=moment)
                if hold:
                    first_written.set()
                    threading.Event().wait(0.5)  # the other transaction now waits on the rollup row
        except Exception as exc:  # noqa: BLE001 - reported below
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=approve, args=(codes[0],), kwargs={"hold": True}),
               threading.Thread(target=approve, args=(codes[1],), kwargs={"hold": False})]
    for t in threads:
        t.start()
    for t in threads:
        t.join(30)
    assert not errors
    march = parse_period("2026-03")
    stats = dossier_statistics(actor=None, period=march, agency=world.justice.identifier_code,
                               now=datetime(2026, 4, 2, tzinfo=VN))
    assert (stats["source"], stats["resolved_early"] + stats["resolved_on_time"], stats["received_total"]) == \
        ("rollup", 2, 2)
    row = DossierStatDay.objects.get(agency=world.justice, day=moment.date(), month=False)
    assert row.closed == 2
    assert counts(stats) == counts(dossier_statistics(actor=None, period=march, agency=world.justice.identifier_code,
                                                      now=datetime(2026, 4, 2, tzinfo=VN), use_rollups=False))
