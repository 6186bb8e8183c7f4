"""Numbers and notations from per-agency, per-year registers: consecutive, never reused, no gaps."""

import threading

import pytest
from django.db import connection, connections, transaction

from tinhso.documents import registers, services
from tinhso.documents.choices import Direction, DocumentType, NotationStyle
from tinhso.documents.models import DocumentRegister


def take(agency, year=2026, direction=Direction.OUTGOING) -> int:
    with transaction.atomic():
        return registers.take_number(agency=agency, year=year, direction=direction)[1]


@pytest.mark.smoke
def test_numbers_start_at_one_each_year_and_per_agency_and_direction(world):
    assert [take(world.justice) for _ in range(3)] == [1, 2, 3]
    assert take(world.justice, year=2027) == 1
    assert take(world.health) == 1
    assert take(world.justice, direction=Direction.INCOMING) == 1
    assert take(world.justice) == 4


@pytest.mark.smoke
def test_a_rolled_back_issue_gives_its_number_back(world):
    take(world.justice)
    with pytest.raises(RuntimeError), transaction.atomic():
        registers.take_number(agency=world.justice, year=2026, direction=Direction.OUTGOING)
        raise RuntimeError("the signature failed")
    assert take(world.justice) == 2


@pytest.mark.smoke
def test_notation_follows_the_state_and_party_styles(world):
    assert registers.notation_for(agency=world.committee, doc_type=DocumentType.QUYET_DINH) == "QĐ-UBND"
    assert registers.notation_for(agency=world.justice, doc_type=DocumentType.KE_HOACH) == "KH-STP"
    assert registers.notation_for(agency=world.justice, doc_type=DocumentType.CONG_VAN) == "STP"
    services.register_settings_set(actor=world.users["province_admin"], agency_code=world.justice.identifier_code,
                                   abbreviation="TU", style=NotationStyle.PARTY)
    assert registers.notation_for(agency=world.justice, doc_type=DocumentType.NGHI_QUYET) == "-NQ/TU"


@pytest.mark.smoke
def test_only_managers_of_the_agency_set_its_notation(world):
    from tinhso.core.exceptions import PermissionDenied

    with pytest.raises(PermissionDenied):
        services.register_settings_set(actor=world.users["other_unit_officer"],
                                       agency_code=world.justice.identifier_code, abbreviation="X")


@pytest.mark.django_db(transaction=True)
def test_thirty_clerks_issuing_at_once_get_thirty_consecutive_numbers(world):
    if connection.vendor != "postgresql":
        pytest.skip("concurrency is tested on PostgreSQL")
    n = 30
    barrier = threading.Barrier(n)
    results: list = [None] * n

    def run(i):
        try:
            barrier.wait(timeout=30)
            results[i] = take(world.justice)
        except Exception as exc:  # noqa: BLE001 - inspected below
            results[i] = exc
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run, args=(i,)) for i in range(n)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=120)
    assert sorted(results) == list(range(1, n + 1)), results
    assert DocumentRegister.objects.get(agency=world.justice, year=2026, direction=Direction.OUTGOING).last_number == n
