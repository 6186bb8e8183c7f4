"""Concurrency on PostgreSQL: threads with their own database connections (SQLite serialises writes anyway)."""

import threading

import pytest
from django.db import connection

from tinhso.core.exceptions import Conflict
from tinhso.dossiers import services
from tinhso.dossiers.choices import Status
from tinhso.dossiers.models import Dossier, DossierEvent

from .factories import justice_procedure, make_dossier, submission


def _require_postgresql():
    if connection.vendor != "postgresql":
        pytest.skip("concurrency is tested on PostgreSQL")


def _run_at_once(n: int, work) -> list:
    barrier = threading.Barrier(n)
    results: list = [None] * n

    def run(i):
        from django.db import connections

        try:
            barrier.wait(timeout=30)
            results[i] = ("ok", work(i))
        except Exception as exc:  # noqa: BLE001 - the test inspects what each thread got
            results[i] = ("error", exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run, args=(i,)) for i in range(n)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=120)
    return results


@pytest.mark.django_db(transaction=True)
def test_twenty_officers_receiving_one_dossier_at_once_exactly_one_succeeds(world):
    _require_postgresql()
    dossier = make_dossier(world, status=Status.SUBMITTED)
    clerk = world.users["receiving_officer"]
    results = _run_at_once(20, lambda i: services.dossier_transition(
        actor=clerk, dossier_code=dossier.code, action="receive", note=f"Cán bộ {i}"))
    ok = [r for r in results if r[0] == "ok"]
    conflicts = [r for r in results if r[0] == "error" and isinstance(r[1], Conflict)]
    assert len(ok) == 1, results
    assert len(conflicts) == 19, results
    assert "vừa được người khác xử lý" in conflicts[0][1].message
    dossier.refresh_from_db()
    assert dossier.status == Status.RECEIVED
    assert DossierEvent.objects.filter(dossier=dossier, action="receive").count() == 1


@pytest.mark.django_db(transaction=True)
def test_fifty_submissions_to_one_agency_at_once_get_fifty_consecutive_codes(world):
    _require_postgresql()
    procedure = justice_procedure(world)
    citizen = world.users["citizen"]
    results = _run_at_once(50, lambda i: services.dossier_submit(
        actor=citizen, **submission(world, procedure, applicant_name=f"Người nộp {i}")).code)
    errors = [r for r in results if r[0] != "ok"]
    assert not errors, errors
    codes = sorted(r[1] for r in results)
    prefix = codes[0].rsplit("-", 1)[0]
    assert codes == [f"{prefix}-{n:04d}" for n in range(1, 51)]
    assert Dossier.objects.filter(receiving_agency=world.service_centre).count() == 50
