"""The read replica against a real PostgreSQL hot standby (scripts/pg-standby.sh: pg_basebackup -R), started once
for these tests only, on the worker that runs the `replica` xdist group, and removed at the end of the session."""

import json
import os
import shutil
import subprocess
import tempfile
import time
from datetime import timedelta
from pathlib import Path

import dj_database_url
import pytest
from django.core.cache import cache
from django.db import DEFAULT_DB_ALIAS, connections, transaction
from django.http import HttpResponse
from django.test import RequestFactory
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from tinhso.accounts.tests.factories import UserFactory
from tinhso.core import replica
from tinhso.dossiers.choices import Status
from tinhso.dossiers.models import Dossier
from tinhso.dossiers.statistics import dossier_statistics, resolve_period
from tinhso.dossiers.tests.factories import make_dossier

SCRIPT = Path(__file__).resolve().parents[3] / "scripts" / "pg-standby.sh"
pytestmark = [pytest.mark.xdist_group("replica"),
              pytest.mark.django_db(transaction=True, databases=[DEFAULT_DB_ALIAS, replica.REPLICA])]


@pytest.fixture(scope="session")
def pg_standby():
    url = os.environ.get("DATABASE_URL", "")
    if not url.startswith("postgres"):
        pytest.skip("the read replica is a PostgreSQL standby")
    primary = dj_database_url.parse(url)
    directory = Path(tempfile.mkdtemp(prefix="tinhso-standby."))
    try:
        port = subprocess.run([str(SCRIPT), "start", str(primary["PORT"]), str(directory)], check=True,
                              capture_output=True, text=True, timeout=120).stdout.strip()
        yield {"port": int(port), "dir": directory}
    finally:
        subprocess.run([str(SCRIPT), "stop", str(directory)], check=False, timeout=60)
        shutil.rmtree(directory, ignore_errors=True)


@pytest.fixture(scope="module", autouse=True)
def replica_alias(django_db_setup, pg_standby):
    """The `replica` alias on the standby, reading the test database the primary's tests write; only while this
    module's tests run (a mirror of `default` for the test case: never flushed, never created)."""
    primary = connections[DEFAULT_DB_ALIAS].settings_dict
    connections.settings[replica.REPLICA] = {
        **primary, "PORT": str(pg_standby["port"]), "OPTIONS": {**primary["OPTIONS"], "connect_timeout": 2},
        "TEST": {**primary["TEST"], "MIRROR": DEFAULT_DB_ALIAS}}
    yield
    connections[replica.REPLICA].close()
    del connections[replica.REPLICA]
    del connections.settings[replica.REPLICA]
    replica.forget_replica_health()


@pytest.fixture
def standby(pg_standby, settings):
    settings.TINHSO_REPLICA_MAX_LAG = 3600
    settings.TINHSO_REPLICA_CHECK_SECONDS = 0
    replica.forget_replica_health()
    yield pg_standby
    _sql_on_standby("SELECT pg_wal_replay_resume()", ignore_errors=True)
    connections[replica.REPLICA].close()
    replica.forget_replica_health()


def _sql_on_standby(sql, *, ignore_errors=False):
    try:
        with connections[replica.REPLICA].cursor() as cursor:
            cursor.execute(sql)
            return cursor.fetchone()
    except Exception:
        if not ignore_errors:
            raise
        connections[replica.REPLICA].close()
        return None


def _wait_for_replay(timeout=20.0):
    """Until the standby has replayed everything the primary has written so far."""
    with connections[DEFAULT_DB_ALIAS].cursor() as cursor:
        cursor.execute("SELECT pg_current_wal_insert_lsn()")
        target = cursor.fetchone()[0]
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        with connections[replica.REPLICA].cursor() as cursor:
            cursor.execute("SELECT pg_last_wal_replay_lsn() >= %s::pg_lsn", [target])
            if cursor.fetchone()[0]:
                return
        time.sleep(0.05)
    raise AssertionError("the standby did not catch up")


def _replica_queries(captured) -> list[str]:
    return [q["sql"] for q in captured.captured_queries if "pg_is_in_recovery" not in q["sql"]]


def _forget_own_writes():
    """The test's own setup writes would pin it to the primary (read-your-writes); forget them."""
    replica._pinned_until.set(0.0)


def _week():
    today = timezone.localdate()
    return resolve_period(date_from=today - timedelta(days=7), date_to=today)


def _received(stats) -> int:
    return stats["received_total"]


def test_statistics_read_on_the_standby_what_replication_brought(standby, world):
    make_dossier(world, status=Status.RECEIVED)
    make_dossier(world, status=Status.APPROVED)
    _wait_for_replay()
    _forget_own_writes()
    assert _sql_on_standby("SELECT pg_is_in_recovery()")[0] is True
    with CaptureQueriesContext(connections[replica.REPLICA]) as on_standby:
        stats = dossier_statistics(actor=None, period=_week(), group_by="none")
    assert _received(stats) == 2
    assert _replica_queries(on_standby), "the statistics did not read from the standby"
    # Proof that the figures come from the standby: with replay paused there, a new dossier on the primary is
    # not in the standby's figures, and is in the primary's.
    _sql_on_standby("SELECT pg_wal_replay_pause()")
    make_dossier(world, status=Status.RECEIVED)
    _forget_own_writes()
    assert _received(dossier_statistics(actor=None, period=_week(), group_by="none")) == 2
    with replica.reading_from_primary():
        assert _received(dossier_statistics(actor=None, period=_week(), group_by="none")) == 3
    with transaction.atomic():  # inside a transaction on the primary: the primary answers
        assert _received(dossier_statistics(actor=None, period=_week(), group_by="none")) == 3


def test_writes_and_the_writers_next_reads_never_go_to_the_standby(standby, world):
    dossier = make_dossier(world, status=Status.RECEIVED)
    _wait_for_replay()
    _sql_on_standby("SELECT pg_wal_replay_pause()")
    _forget_own_writes()
    with CaptureQueriesContext(connections[replica.REPLICA]) as on_standby, replica.reading_from_replica():
        assert Dossier.objects.filter(code=dossier.code).exists()  # a read: from the standby
        assert _replica_queries(on_standby)
        before = len(_replica_queries(on_standby))
        Dossier.objects.filter(pk=dossier.pk).update(applicant_name="Trần Văn Ghi")  # a write: the primary
        created = make_dossier(world, status=Status.RECEIVED)
        # Read-your-writes: this context just wrote, so it reads the primary, which has both writes.
        assert Dossier.objects.get(pk=dossier.pk).applicant_name == "Trần Văn Ghi"
        assert Dossier.objects.filter(code=created.code).exists()
    written = [sql for sql in _replica_queries(on_standby) if sql.lstrip().upper().startswith(("INSERT", "UPDATE"))]
    assert written == []
    assert len(_replica_queries(on_standby)) == before
    # The standby really does not have them yet (it would also refuse any write: it is read-only).
    assert _sql_on_standby(f"SELECT COUNT(*) FROM dossiers_dossier WHERE code = '{created.code}'")[0] == 0
    assert _sql_on_standby("SELECT current_setting('transaction_read_only')")[0] == "on"


def test_a_request_that_wrote_pins_its_writer_to_the_primary(standby, world, settings):
    settings.TINHSO_REPLICA_PIN_SECONDS = 30
    make_dossier(world, status=Status.RECEIVED)
    _wait_for_replay()
    officer = world.users["processing_officer"]  # of the Department of Justice, which handles them
    seen = {}

    def write_view(request):
        make_dossier(world, status=Status.RECEIVED)
        return HttpResponse("ok")

    def stats_view(request):
        with CaptureQueriesContext(connections[replica.REPLICA]) as on_standby:
            seen["received"] = _received(dossier_statistics(actor=None, period=_week(), group_by="none"))
        seen["standby"] = bool(_replica_queries(on_standby))
        return HttpResponse("ok")

    factory = RequestFactory()
    _sql_on_standby("SELECT pg_wal_replay_pause()")
    request = factory.post("/x/")
    request.user = officer
    response = replica.ReplicaPinMiddleware(write_view)(request)
    cookie = response.cookies[replica.PIN_COOKIE].value
    # The writer's next request (its cookie): the primary, which has the new dossier.
    again = factory.get("/y/")
    again.COOKIES[replica.PIN_COOKIE] = cookie
    again.user = officer
    replica.ReplicaPinMiddleware(stats_view)(again)
    assert seen == {"received": 2, "standby": False}
    # Someone else's request: the standby (replay paused, so without the new dossier).
    other = factory.get("/y/")
    other.user = world.users["citizen"]
    replica.ReplicaPinMiddleware(stats_view)(other)
    assert seen == {"received": 1, "standby": True}
    # A forged cookie pins nothing.
    forged = factory.get("/y/")
    forged.COOKIES[replica.PIN_COOKIE] = f"{time.time() + 60:.3f}:forged"
    forged.user = world.users["citizen"]
    replica.ReplicaPinMiddleware(stats_view)(forged)
    assert seen["standby"] is True
    # A bearer client without cookies: pinned by its user, in the selector's actor.
    _forget_own_writes()
    with CaptureQueriesContext(connections[replica.REPLICA]) as on_standby:
        stats = dossier_statistics(actor=officer, period=_week(), group_by="none")
    assert not _replica_queries(on_standby)
    assert _received(stats) == 2
    cache.delete(replica._user_pin_key(officer.pk))


def test_a_lagging_standby_is_skipped(standby, world, settings):
    make_dossier(world, status=Status.RECEIVED)
    _wait_for_replay()
    _sql_on_standby("SELECT pg_wal_replay_pause()")
    make_dossier(world, status=Status.RECEIVED)
    time.sleep(1.2)
    settings.TINHSO_REPLICA_MAX_LAG = 0.5
    _wait_for_receive()
    _forget_own_writes()
    lag = replica.replica_lag(refresh=True)
    assert lag is not None and lag > 0.5
    with CaptureQueriesContext(connections[replica.REPLICA]) as on_standby:
        stats = dossier_statistics(actor=None, period=_week(), group_by="none")
    assert _received(stats) == 2  # the primary's figures
    assert not _replica_queries(on_standby)
    _sql_on_standby("SELECT pg_wal_replay_resume()")
    _wait_for_replay()
    settings.TINHSO_REPLICA_MAX_LAG = 10
    assert _healthy()
    with CaptureQueriesContext(connections[replica.REPLICA]) as on_standby:
        assert _received(dossier_statistics(actor=None, period=_week(), group_by="none")) == 2
    assert _replica_queries(on_standby)


def _healthy() -> bool:
    """Caught up with what this test wrote, and within the lag limit. Not "lag == 0": the standby replicates the
    whole cluster, and the other worker's databases keep writing WAL while this test runs."""
    lag = replica.replica_lag(refresh=True)
    return lag is not None and lag <= replica.max_lag()


def _wait_for_receive(timeout=20.0):
    """Until the standby has received (not replayed) what the primary wrote: its lag is then measurable."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if _sql_on_standby("SELECT pg_last_wal_receive_lsn() > pg_last_wal_replay_lsn()")[0]:
            return
        time.sleep(0.05)
    raise AssertionError("the standby received nothing")


def test_a_standby_that_is_down_leaves_the_reads_to_the_primary(standby, world, settings):
    make_dossier(world, status=Status.RECEIVED)
    _wait_for_replay()
    settings.TINHSO_REPLICA_CHECK_SECONDS = 3600
    _forget_own_writes()
    assert _healthy()  # and remembered as healthy
    subprocess.run([str(SCRIPT), "stop", str(standby["dir"])], check=True, timeout=60)
    try:
        # It went down after the check: the selector fails on the standby and runs again on the primary.
        assert _received(dossier_statistics(actor=None, period=_week(), group_by="none")) == 1
        assert replica.replica_lag() is None
        # Known to be down: straight to the primary.
        make_dossier(world, status=Status.RECEIVED)
        _forget_own_writes()
        assert _received(dossier_statistics(actor=None, period=_week(), group_by="none")) == 2
        settings.TINHSO_REPLICA_CHECK_SECONDS = 0
        assert replica.replica_lag(refresh=True) is None
        assert _received(dossier_statistics(actor=None, period=_week(), group_by="none")) == 2
    finally:
        connections[replica.REPLICA].close()
        subprocess.run([str(SCRIPT), "run", str(standby["dir"])], check=True, timeout=120)
    _wait_for_replay()
    assert _healthy()


def test_open_data_rows_read_on_the_standby_what_replication_brought(standby, world, settings):
    from tinhso.opendata import resources
    from tinhso.opendata import selectors as opendata_selectors
    from tinhso.opendata import services as opendata_services
    from tinhso.org.tests.factories import AgencyFactory

    settings.TINHSO_PROVINCE_CODE = world.province.code
    opendata_services.datasets_sync(actor=None)
    opendata_services.dataset_publish_all(actor=None)
    dataset = opendata_selectors.dataset_get(key="danh-muc-co-quan-ma-dinh-danh")
    _wait_for_replay()
    _forget_own_writes()
    with CaptureQueriesContext(connections[replica.REPLICA]) as on_standby:
        before = resources.datastore_search(dataset, limit=1)["total"]
    assert before >= 1 and _replica_queries(on_standby), "datastore_search did not read from the standby"
    # With replay paused on the standby, a new agency on the primary is not yet in the standby's rows.
    _sql_on_standby("SELECT pg_wal_replay_pause()")
    AgencyFactory(identifier_code="000.00.78.H56", name="Sở thử nghiệm bản sao", unit=world.province)
    _forget_own_writes()
    assert resources.datastore_search(dataset, limit=1)["total"] == before
    assert resources.row_count(dataset) == before
    with replica.reading_from_primary():
        assert resources.datastore_search(dataset, limit=1)["total"] == before + 1
    # The streamed downloads too: the body is read after the view returned, each step inside a replica block.
    def lines(fmt, **kwargs):
        body = b"".join(resources.download(dataset, fmt, **kwargs).chunks).decode("utf-8-sig")
        return body.count("\n") - 1 if fmt == "csv" else len(json.loads(body))

    assert lines("csv") == before  # PostgreSQL's COPY, on the standby's connection
    assert lines("json") == before
    # A reader who just wrote (pinned to the primary) downloads from the primary.
    writer = UserFactory()
    _forget_own_writes()
    assert lines("csv", user=writer) == before  # not pinned yet: the standby
    replica.pin_user(writer)
    assert lines("csv", user=writer) == before + 1
    _sql_on_standby("SELECT pg_wal_replay_resume()")
    _wait_for_replay()
