"""Concurrent calls and sealers on PostgreSQL (threads with their own connections): every call's row is kept and
sealed exactly once, into one gap-free chain, while the calls append without waiting for the chain."""

import threading

import pytest
from django.db import connection, connections
from django.test import Client as HttpClient

from tinhso.gateway import accesslog
from tinhso.gateway.accesslog import access_log_seal, access_log_verify, unsealed_count
from tinhso.gateway.models import AccessLogEntry, UsageCounter

from .factories import make_client, token_for

THREADS, CALLS = 6, 8


@pytest.mark.django_db(transaction=True)
def test_concurrent_calls_and_sealers_give_one_gap_free_chain(world, settings):
    if connection.vendor != "postgresql":
        pytest.skip("concurrency is tested on PostgreSQL")
    settings.TINHSO_GATEWAY_SEAL_SECONDS = 0  # every call tries to seal after its response; the others skip
    client = make_client(world, services_=["registry"])
    raw = token_for(world, client)
    barrier = threading.Barrier(THREADS)
    errors: list = []

    def calls():
        try:
            http = HttpClient(headers={"Authorization": f"Bearer {raw}"})
            barrier.wait(timeout=30)
            for _ in range(CALLS):
                assert http.get("/lien-thong/api/units").status_code == 200
                accesslog._last_seal[0] = 0.0  # the threads share the process's timer: let each one try
        except Exception as exc:  # noqa: BLE001 - reported below
            errors.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=calls) for _ in range(THREADS)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=180)
    assert not errors, errors
    access_log_seal()  # what the last sealers left
    total = THREADS * CALLS
    assert unsealed_count() == 0
    assert access_log_verify() == (total, None)
    assert sorted(AccessLogEntry.objects.values_list("seq", flat=True)) == list(range(1, total + 1))
    day = UsageCounter.objects.get(client=client, period="day")
    assert day.count == total  # each row rolled up once
