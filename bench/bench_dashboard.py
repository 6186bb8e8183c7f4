"""The IOC dashboard at scale: time to first byte of GET /dashboard/ with 1,000,000 dossiers. Prints, asserts nothing.

Alone: `scripts/with-postgres.sh .venv/bin/python bench/bench_dashboard.py` (TINHSO_BENCH_ROWS=100000 for a quick
try) builds the bench province and imports the dossiers first; `bench/run_all.py` calls `measure(province)` on the
database it has already loaded.

1. the indicators' refresh, as the background task leaves it: rollups rebuilt from the dossiers, every computed
   indicator for the province, its communes and its agencies, the rankings (timed, not part of the request);
2. GET /dashboard/ in-process (Django test client): without the cache (every request rebuilds the page from
   IndicatorValue) and with it (the page as the public sees it most of the time);
3. GET /dashboard/ over HTTP from a gunicorn on 127.0.0.1 (one worker, as in production): time to the first byte
   of the response, the cache as it is (the first request fills it).
Target: first byte < 100 ms.
"""

import http.client
import os
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import common

ROWS = int(os.environ.get("TINHSO_BENCH_ROWS", 1_000_000))
REQUESTS = int(os.environ.get("TINHSO_BENCH_REQUESTS", 20))


def _percentiles(samples: list[float]) -> str:
    ordered = sorted(samples)

    def pct(p: float) -> float:
        return ordered[min(len(ordered) - 1, round(p * (len(ordered) - 1)))] * 1000

    return f"p50 {pct(0.50):.1f} ms, p95 {pct(0.95):.1f} ms, max {ordered[-1] * 1000:.1f} ms ({len(ordered)} requests)"


def prepare(province) -> None:
    """What the background refresh maintains: rollups, computed values, rankings (not timed per request)."""
    from tinhso.indicators import rollups, services

    with common.timed("indicator definitions"):
        services.definitions_load(actor=None)
    with common.timed("rollup rebuild from the dossiers"):
        rollups.rebuild()
    with common.timed("computed indicators (province, communes, agencies; every year and month)"):
        services.computed_values_refresh(actor=None, root=province)
    with common.timed("rankings"):
        services.rank_all(actor=None, root=province)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _first_byte(port: int, path: str) -> float:
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    start = time.perf_counter()
    connection.request("GET", path)
    response = connection.getresponse()  # returns once the status line and headers have arrived
    elapsed = time.perf_counter() - start
    response.read()
    connection.close()
    if response.status != 200:
        raise RuntimeError(f"GET {path}: HTTP {response.status}")
    return elapsed


def _gunicorn(province_code: str) -> None:
    port = _free_port()
    env = {**os.environ, "TINHSO_PROVINCE_CODE": province_code, "TINHSO_DB_CONN_MAX_AGE": "60"}
    binary = Path(sys.executable).with_name("gunicorn")
    server = subprocess.Popen([str(binary), "tinhso.config.wsgi:application", "--bind", f"127.0.0.1:{port}",
                               "--workers", "1", "--log-level", "warning", "--chdir", str(common.ROOT)],
                              env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                _first_byte(port, "/healthz")
                break
            except (OSError, RuntimeError):
                if time.monotonic() > deadline or server.poll() is not None:
                    print("  gunicorn did not start:", (server.stderr.read() or b"").decode()[-500:])
                    return
                time.sleep(0.2)
        samples = [_first_byte(port, "/dashboard/") for _ in range(REQUESTS)]
        print(f"  GET /dashboard/ over HTTP (gunicorn, 1 worker, first request fills the cache): "
              f"{_percentiles(samples)}")
        samples = [_first_byte(port, f"/dashboard/?year={year}") for year in (2025, 2026) for _ in range(REQUESTS // 2)]
        print(f"  GET /dashboard/?year=… over HTTP (two years, each cached after its first request): "
              f"{_percentiles(samples)}")
    finally:
        server.terminate()
        server.wait(timeout=10)


def measure(province, *, refresh: bool = True) -> None:
    from django.conf import settings
    from django.core.cache import cache
    from django.test import Client

    from tinhso.dossiers.models import Dossier
    from tinhso.indicators.models import IndicatorValue

    print(f"\n== IOC dashboard: GET /dashboard/ with {Dossier.objects.count():,} dossiers")
    if refresh:
        prepare(province)
    print(f"  indicator values stored: {IndicatorValue.objects.count():,}")
    settings.TINHSO_PROVINCE_CODE = province.code
    Path(settings.STATIC_ROOT).mkdir(parents=True, exist_ok=True)  # whitenoise warns without it
    client = Client()

    def get() -> float:
        start = time.perf_counter()
        response = client.get("/dashboard/")
        elapsed = time.perf_counter() - start
        if response.status_code != 200:
            raise RuntimeError(f"GET /dashboard/: HTTP {response.status_code}")
        return elapsed

    get()  # warm the connection and the templates
    cold = []
    for _ in range(REQUESTS):
        cache.clear()
        cold.append(get())
    print(f"  in-process, cache cleared before each request (page rebuilt from IndicatorValue): {_percentiles(cold)}")
    warm = [get() for _ in range(REQUESTS)]
    print(f"  in-process, cached (as the public sees it within the cache's 30 s):             {_percentiles(warm)}")
    _gunicorn(province.code)
    print("  target: first byte < 100 ms")


def main() -> None:
    common.setup_django()
    from run_all import write_csv

    from tinhso.dossiers.importing import dossiers_import_file

    province, agencies, procedures, _admin, _officer = common.build_province()
    with tempfile.TemporaryDirectory(prefix="tinhso-bench-") as workdir:
        path = Path(workdir) / "history.csv"
        with common.timed(f"writing and importing {ROWS:,} dossiers (not counted)"):
            write_csv(path, common.history_rows(ROWS, agencies, procedures))
            dossiers_import_file(actor=None, path=path)
    measure(province)


if __name__ == "__main__":
    main()
