"""The data-sharing gateway's cost. Prints, asserts nothing.

Run: `scripts/with-postgres.sh .venv/bin/python bench/bench_gateway.py`
(TINHSO_BENCH_GATEWAY_CALLS=1000 TINHSO_BENCH_GATEWAY_SECONDS=30 for the full size).

Against a live server (gunicorn, 2 worker processes × 10 threads, this machine's 2 cores) rather than Django's
test client: the test client runs the whole stack in the calling process under one GIL, so 20 "concurrent"
clients would measure Python thread switching, not a server; a live server with its own processes and
keep-alive connections is what client systems meet. Each client thread has its own HTTP connection (and each
server thread its own database connection).

1. overhead per call: the median latency of one small read, `GET /api/v1/agencies/{code}` with a person's bearer
   token (the direct call, anchor) beside the same read through the gateway, `GET /lien-thong/api/agencies/{code}`
   with a client system's token (authentication, one query for the client's limits, counts and grant, dispatch,
   and the access-log row's INSERT);
2. requests/s with 20 concurrent clients, direct and through the gateway, side by side. A call writes its log row
   unsealed (no lock); the server processes seal the rows into the hash chain after their responses, at most
   every TINHSO_GATEWAY_SEAL_SECONDS each, so calls no longer serialise on the chain's head;
3. the sealer: rows sealed per second over TINHSO_BENCH_GATEWAY_SEAL_ROWS generated unsealed rows (default
   20,000), beside the keyed hashes of the same rows computed alone in memory (the sealer's CPU floor), and the
   chain verified afterwards (with the rows the live server wrote and sealed during 1. and 2.).
"""

import http.client
import os
import secrets
import signal
import socket
import statistics
import subprocess
import sys
import threading
import time

import common

CALLS = int(os.environ.get("TINHSO_BENCH_GATEWAY_CALLS", 200))
SECONDS = float(os.environ.get("TINHSO_BENCH_GATEWAY_SECONDS", 6))
SEAL_ROWS = int(os.environ.get("TINHSO_BENCH_GATEWAY_SEAL_ROWS", 20_000))
CLIENTS = 20


def _wait(port: int, timeout: float = 60) -> None:
    deadline = time.time() + timeout
    while time.time() < deadline:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=1):
                return
        except OSError:
            time.sleep(0.3)
    sys.exit("the bench server did not start")


def _get(conn: http.client.HTTPConnection, path: str, token: str) -> int:
    conn.request("GET", path, headers={"Authorization": f"Bearer {token}", "X-Purpose": "bench"})
    response = conn.getresponse()
    response.read()
    return response.status


def latency_ms(port: int, path: str, token: str, calls: int) -> float:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    for _ in range(20):  # warm up the server's threads, connections and caches
        assert _get(conn, path, token) == 200
    samples = []
    for _ in range(calls):
        start = time.perf_counter()
        status = _get(conn, path, token)
        samples.append((time.perf_counter() - start) * 1000)
        assert status == 200, status
    conn.close()
    return statistics.median(samples)


def throughput(port: int, path: str, token: str, seconds: float) -> tuple[float, int]:
    done, errors = [0] * CLIENTS, [0] * CLIENTS
    stop = time.perf_counter() + seconds
    barrier = threading.Barrier(CLIENTS)

    def client(i: int) -> None:
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
        barrier.wait()
        while time.perf_counter() < stop:
            try:
                if _get(conn, path, token) == 200:
                    done[i] += 1
                else:
                    errors[i] += 1
            except (OSError, http.client.HTTPException):
                errors[i] += 1
                conn.close()
                conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
        conn.close()

    threads = [threading.Thread(target=client, args=(i,)) for i in range(CLIENTS)]
    started = time.perf_counter()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return sum(done) / (time.perf_counter() - started), sum(errors)


def main() -> None:
    os.environ.setdefault("TINHSO_AUDIT_KEY", secrets.token_hex(32))  # the server and this process share it
    common.setup_django()
    from tinhso.accounts.choices import Role
    from tinhso.accounts.models import RoleAssignment, User
    from tinhso.accounts.services import api_token_create
    from tinhso.gateway import services
    from tinhso.gateway.models import AccessLogEntry

    _province, agencies, _procedures, admin, _officer = common.build_province()
    person = User.objects.create_user(username="bench.system", password="bench-Password-1")
    RoleAssignment.objects.create(user=person, role=Role.SYSTEM_CLIENT, agency=agencies[0])
    _, direct_token = api_token_create(actor=admin, user=person, name="bench direct")
    client = services.client_create(actor=admin, code="bench-client", name="Hệ thống đo", kind="external",
                                    owner_agency_code=agencies[0].identifier_code, contact_name="Bench",
                                    rate_per_minute=10_000_000, daily_quota=10_000_000)
    services.grant_add(actor=admin, client=client, service="registry")
    gateway_token = services.client_token_issue(actor=admin, client=client)
    code = agencies[3].identifier_code
    direct, through = f"/api/v1/agencies/{code}", f"/lien-thong/api/agencies/{code}"

    port = common.free_port()
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "tinhso.config.settings", "TINHSO_DB_CONN_MAX_AGE": "600"}
    server = subprocess.Popen(
        [os.path.join(os.path.dirname(sys.executable), "gunicorn"), "tinhso.config.wsgi", "-b", f"127.0.0.1:{port}",
         "-w", "2", "-k", "gthread", "--threads", "10", "--keep-alive", "30", "--log-level", "warning"],
        cwd=common.ROOT, env=env, start_new_session=True)
    try:
        _wait(port)
        print(f"Gateway overhead, live server on 2 cores ({CALLS} sequential calls each)", flush=True)
        d = latency_ms(port, direct, direct_token, CALLS)
        g = latency_ms(port, through, gateway_token, CALLS)
        common.figure("gateway", "gateway call, median latency", g, "ms", anchor_label="direct call", anchor=d)
        common.figure("gateway", "gateway overhead per call", g - d, "ms", anchor_label="direct call", anchor=d)
        print(f"Requests/s with {CLIENTS} concurrent clients, {SECONDS:.0f} s each", flush=True)
        d_rps, d_err = throughput(port, direct, direct_token, SECONDS)
        g_rps, g_err = throughput(port, through, gateway_token, SECONDS)
        common.figure("gateway", f"gateway, {CLIENTS} clients", g_rps, "req/s", anchor_label="direct", anchor=d_rps)
        if d_err or g_err:
            print(f"  errors: direct {d_err}, gateway {g_err}")
        print(f"  access-log entries written: {AccessLogEntry.objects.count():,}, not sealed yet when the load "
              f"stopped: {AccessLogEntry.objects.filter(seq__isnull=True).count():,}", flush=True)
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        server.wait(timeout=30)
    sealer(client)
    common.write_results(rows=CALLS)


def sealer(client) -> None:
    from django.utils import timezone

    from tinhso.gateway.accesslog import access_log_seal, access_log_verify, entry_hash
    from tinhso.gateway.models import AccessLogEntry

    print(f"The access log's sealer ({SEAL_ROWS:,} generated unsealed rows)", flush=True)
    access_log_seal()  # what the server left
    now = timezone.now()
    rows = [AccessLogEntry(at=now, client_id=client.pk, client_label=client.name, credential="token",
                           service="registry", operation="tinhso_org_api_get_agency", method="GET",
                           path=f"/api/v1/agencies/{i}", purpose="bench", status=200, bytes=321, duration_ms=4.2,
                           ip_address="127.0.0.1") for i in range(SEAL_ROWS)]
    AccessLogEntry.objects.bulk_create(rows, batch_size=5000)
    rows = list(AccessLogEntry.objects.filter(seq__isnull=True).order_by("id"))
    start = time.perf_counter()
    for i, row in enumerate(rows):  # the anchor: the same chain of keyed hashes, in memory only
        row.seq, row.prev_hash = i + 1, "0" * 64
        entry_hash(row)
    hashes_alone = len(rows) / (time.perf_counter() - start)
    start = time.perf_counter()
    sealed = access_log_seal()
    rate = sealed / (time.perf_counter() - start)
    common.figure("gateway", "sealer", rate, "rows/s", anchor_label="keyed hashes alone", anchor=hashes_alone)
    start = time.perf_counter()
    checked, problem = access_log_verify()
    verify_rate = checked / (time.perf_counter() - start)
    common.figure("gateway", "verify", verify_rate, "rows/s", anchor_label="keyed hashes alone", anchor=hashes_alone)
    print(f"  chain after the run: {checked:,} sealed rows, {'intact' if problem is None else problem}", flush=True)


if __name__ == "__main__":
    main()
