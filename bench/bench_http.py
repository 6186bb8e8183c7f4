"""Requests per second over HTTP: a dossier lookup through `tinhso serve`'s gunicorn, beside a minimal view.

`scripts/with-postgres.sh .venv/bin/python bench/bench_http.py` (TINHSO_BENCH_ROWS dossiers, 100,000 by default)
builds the bench province, imports the dossiers, then starts ONE gunicorn with `tinhso serve`'s arguments
(tinhso.cli.gunicorn_argv: 2 workers × 4 threads) serving the platform plus one route (bench/http_anchor.py):

- anchor: GET /bench-anchor/<code>, a minimal Django view sending the plain one-join query, JSON out;
- GET /api/v1/dossiers/<code> for an officer and for the province administrator (session cookie);
- GET /ho-so/<code>/, the dossier page, for the officer;
- GET /healthz, the floor (Django and the middleware, no query).

Load: wrk (Debian package `wrk`) with 20 connections for TINHSO_BENCH_SECONDS (10) per route, random codes the
persona may see; without wrk, a threaded Python client (its own CPU competes with the server: lower figures).
Each figure is printed beside the anchor of the same run; with TINHSO_DB_CONN_MAX_AGE=60 (the default of
`tinhso serve`: persistent connections) and 0 (a new database connection per request, Django's default).
Target (issue #11 point 2): the lookup at ≥ 70 % of the minimal view's requests/s, as `tinhso serve` runs it.
"""

import http.client
import os
import random
import re
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from contextlib import contextmanager
from pathlib import Path

import common

ROWS = int(os.environ.get("TINHSO_BENCH_ROWS", 100_000))
SECONDS = int(os.environ.get("TINHSO_BENCH_SECONDS", 10))
CONNECTIONS = 20


@contextmanager
def _server(**env_extra):
    from tinhso.cli import gunicorn_argv

    port = common.free_port()
    argv = gunicorn_argv(host="127.0.0.1", port=port, chdir=str(common.ROOT), app="http_anchor:application")
    argv = [a for a in argv if a not in ("--access-logfile", "-")]  # no access log: it is not the platform's cost
    env = {**os.environ, **env_extra, "PYTHONPATH": str(common.ROOT / "bench")}
    binary = Path(sys.executable).with_name("gunicorn")
    server = subprocess.Popen([str(binary), *argv[1:]], env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    try:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            try:
                conn = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
                conn.request("GET", "/healthz")
                if conn.getresponse().status == 200:
                    break
            except OSError:
                time.sleep(0.2)
        else:
            raise SystemExit("gunicorn did not start: " + (server.stderr.read() or b"").decode()[-500:])
        yield port
    finally:
        server.terminate()
        server.wait(timeout=30)


def _wrk(port: int, paths: list[str], cookie: str) -> dict:
    with tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False) as script:
        listed = ", ".join(f'"{p}"' for p in paths)
        script.write(f"paths = {{{listed}}}\n")
        if cookie:
            script.write(f'wrk.headers["Cookie"] = "{cookie}"\n')
        script.write("math.randomseed(1)\n"
                     "request = function() return wrk.format('GET', paths[math.random(#paths)]) end\n")
    try:
        # wrk's default 2 s timeout drops the slow requests from the latencies (p50 0.0 on a loaded machine).
        out = subprocess.run(["wrk", "-t", "2", "-c", str(CONNECTIONS), "-d", f"{SECONDS}s", "--latency", "--timeout",
                              "30s",
                              "-s", script.name, f"http://127.0.0.1:{port}"], capture_output=True, text=True,
                             check=True).stdout
    finally:
        os.unlink(script.name)
    rate = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))
    errors = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    timeouts = re.search(r"Socket errors:.*timeout (\d+)", out)

    def latency(p: str) -> float:
        value, unit = re.search(rf"\s{p}%\s+([\d.]+)(us|ms|s)", out).groups()
        return float(value) * {"us": 0.001, "ms": 1, "s": 1000}[unit]

    return {"rate": rate, "p50": latency("50"), "p99": latency("99"),
            "errors": (int(errors.group(1)) if errors else 0) + (int(timeouts.group(1)) if timeouts else 0)}


def _python_client(port: int, paths: list[str], cookie: str) -> dict:
    latencies: list[float] = []
    errors = [0]
    stop = time.monotonic() + SECONDS
    lock = threading.Lock()

    def client(n: int) -> None:
        rng = random.Random(n)
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        mine = []
        while time.monotonic() < stop:
            start = time.perf_counter()
            conn.request("GET", rng.choice(paths), headers={"Cookie": cookie} if cookie else {})
            response = conn.getresponse()
            response.read()
            mine.append((time.perf_counter() - start) * 1000)
            if response.status != 200:
                errors[0] += 1
        with lock:
            latencies.extend(mine)

    begun = time.perf_counter()
    threads = [threading.Thread(target=client, args=(n,)) for n in range(CONNECTIONS)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    wall = time.perf_counter() - begun
    latencies.sort()
    return {"rate": len(latencies) / wall, "p50": latencies[len(latencies) // 2],
            "p99": latencies[int(len(latencies) * 0.99)], "errors": errors[0]}


def _load(port: int, paths: list[str], cookie: str = "") -> dict:
    return (_wrk if shutil.which("wrk") else _python_client)(port, paths, cookie)


def _cookie(user) -> str:
    from django.conf import settings
    from django.test import Client

    client = Client()
    client.force_login(user)
    return f"{settings.SESSION_COOKIE_NAME}={client.cookies[settings.SESSION_COOKIE_NAME].value}"


def main() -> None:
    common.setup_django()
    import run_all
    from django.db import connection

    from tinhso.dossiers.importing import dossiers_import_file
    from tinhso.dossiers.models import Dossier

    print(f"HTTP requests/s (gunicorn as `tinhso serve` runs it; load: {'wrk' if shutil.which('wrk') else 'Python'}"
          f", {CONNECTIONS} connections, {SECONDS} s a route)")
    with common.timed(f"building the province and importing {ROWS:,} dossiers"):
        province, agencies, procedures, admin, officer = common.build_province()
        with tempfile.TemporaryDirectory(prefix="tinhso-bench-http-") as tmp:
            path = Path(tmp) / "history.csv"
            run_all.ROWS = ROWS
            run_all.write_csv(path, common.history_rows(ROWS, agencies, procedures))
            dossiers_import_file(actor=None, path=path)
        with connection.cursor() as cursor:
            cursor.execute("VACUUM ANALYZE dossiers_dossier")
    officer_agency = agencies[5]
    officer_codes = list(Dossier.objects.filter(receiving_agency=officer_agency).values_list("code", flat=True)[:500])
    all_codes = list(Dossier.objects.order_by("?").values_list("code", flat=True)[:500])
    officer_cookie, admin_cookie = _cookie(officer), _cookie(admin)
    routes = [
        ("anchor: minimal view, plain one-join query", [f"/bench-anchor/{c}" for c in officer_codes], ""),
        ("GET /api/v1/dossiers/{code}, officer", [f"/api/v1/dossiers/{c}" for c in officer_codes], officer_cookie),
        ("GET /api/v1/dossiers/{code}, province administrator", [f"/api/v1/dossiers/{c}" for c in all_codes],
         admin_cookie),
        ("GET /ho-so/{code}/ (dossier page), officer", [f"/ho-so/{c}/" for c in officer_codes], officer_cookie),
        ("GET /healthz (floor: no query)", ["/healthz"], ""),
    ]
    for conn_max_age in ("60", "0"):
        print(f"\n== TINHSO_DB_CONN_MAX_AGE={conn_max_age}" + (" (a new database connection per request)"
              if conn_max_age == "0" else " (persistent connections, the default of `tinhso serve`)"))
        with _server(TINHSO_DB_CONN_MAX_AGE=conn_max_age, TINHSO_PROVINCE_CODE=province.code) as port:
            results = {}
            for label, paths, cookie in routes:
                results[label] = r = _load(port, paths, cookie)
                print(f"  {label}: {r['rate']:,.0f} requests/s, p50 {r['p50']:.1f} ms, p99 {r['p99']:.1f} ms"
                      + (f", {r['errors']} non-2xx" if r["errors"] else ""), flush=True)
            anchor = results[routes[0][0]]
            for label, _, _ in routes[1:4]:
                common.figure("http", f"{label} (conn_max_age {conn_max_age})", results[label]["rate"],
                              "requests/s", anchor_label="minimal view, plain query", anchor=anchor["rate"],
                              target="≥ 0.70× the minimal view" if "api" in label and conn_max_age != "0" else "")
    common.write_results(ROWS)


if __name__ == "__main__":
    main()
