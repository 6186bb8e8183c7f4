"""The IOC dashboard at scale: time to first byte of GET /dashboard/ with 1,000,000 dossiers. Prints, asserts nothing.

Alone: `scripts/with-postgres.sh .venv/bin/python bench/bench_dashboard.py` builds the bench province and imports
20,000 dossiers first (CSV → validation → COPY, as the import does; a couple of minutes in all);
TINHSO_BENCH_ROWS=1000000 for the full size. `bench/run_all.py` calls `measure(province)` on the database it has
already loaded (its own 1,000,000 dossiers).

1. the indicators' refresh, as the background task leaves it: rollups rebuilt from the dossiers, every computed
   indicator for the province, its communes and its agencies, the rankings (timed, not part of the request);
2. GET /dashboard/ in-process (Django test client): without the cache (every request rebuilds the page from
   IndicatorValue) and with it (the page as the public sees it most of the time);
3. GET /dashboard/ over HTTP from a gunicorn on 127.0.0.1 (one worker, as in production): time to the first byte
   of the response, the cache as it is (the first request fills it);
4. the figures of the IOC's speed targets (issue #10 point 6), over HTTP, each beside GET /healthz of the same
   server in the same run (the floor: Django, the middleware and one connection, no page):
   - the overview warm, for the public and for the province administrator (a session: the commune map coloured
     by values, the alerts, the drill-down), served from the cached HTML fragments (tinhso.dashboard.fragments:
     the public part once, the viewer's part per scope key);
   - the overview right after a dossier change invalidated it: one dossier is changed, the background refresh
     (`refresh_after_changes`, timed on its own) recomputes the values, and a second gunicorn whose overview
     cache lasts 0 s rebuilds, on every request, all that an indicator refresh touches (values, tiles, charts,
     tables, the map, the alerts' figures and late reports) — each request is the first after an invalidation.
     What a refresh does not touch stays cached there as it would after a real change: the drill-down (the org
     tree, 60 s) and the overdue hot spots (their own five-minute counts from the dossiers' statistics);
   - the commune map's data: `ioc.map_data` in-process for the administrator, rebuilt (cache cleared) and cached,
     beside the one indexed query of the communes' values it colours by; and over HTTP the same values as JSON
     (GET /api/v1/indicators/definitions/<map indicator>/breakdown?by=commune).
Targets: overview first byte < 30 ms warm, < 100 ms right after an invalidation; map data < 100 ms.
"""

import http.client
import os
import subprocess
import sys
import tempfile
import time
from contextlib import contextmanager
from pathlib import Path

import common

ROWS = int(os.environ.get("TINHSO_BENCH_ROWS", 20_000))
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


def _first_byte(port: int, path: str, cookie: str = "") -> float:
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    start = time.perf_counter()
    connection.request("GET", path, headers={"Cookie": cookie} if cookie else {})
    response = connection.getresponse()  # returns once the status line and headers have arrived
    elapsed = time.perf_counter() - start
    response.read()
    connection.close()
    if response.status != 200:
        raise RuntimeError(f"GET {path}: HTTP {response.status}")
    return elapsed


def _gunicorn(province_code: str) -> None:
    with _server(province_code) as port:
        if port is None:
            return
        samples = [_first_byte(port, "/dashboard/") for _ in range(REQUESTS)]
        print(f"  GET /dashboard/ over HTTP (gunicorn, 1 worker, first request fills the cache): "
              f"{_percentiles(samples)}")
        samples = [_first_byte(port, f"/dashboard/?year={year}") for year in (2025, 2026) for _ in range(REQUESTS // 2)]
        print(f"  GET /dashboard/?year=… over HTTP (two years, each cached after its first request): "
              f"{_percentiles(samples)}")


def _pcts(samples: list[float]) -> tuple[float, float]:
    ordered = sorted(samples)
    return (ordered[round(0.50 * (len(ordered) - 1))] * 1000, ordered[round(0.95 * (len(ordered) - 1))] * 1000)


@contextmanager
def _server(province_code: str, **env_extra):
    """A gunicorn (one worker) on a free port, torn down afterwards; yields the port, or None if it did not start."""
    port = common.free_port()
    env = {**os.environ, "TINHSO_PROVINCE_CODE": province_code, "TINHSO_DB_CONN_MAX_AGE": "60", **env_extra}
    binary = Path(sys.executable).with_name("gunicorn")
    server = subprocess.Popen([str(binary), "tinhso.config.wsgi:application", "--bind", f"127.0.0.1:{port}",
                               "--workers", "1", "--log-level", "warning", "--chdir", str(common.ROOT),
                               "--pythonpath", str(Path(__file__).resolve().parent)],
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
                    port = None
                    break
                time.sleep(0.2)
        yield port
    finally:
        server.terminate()
        server.wait(timeout=10)


def _http_figure(port: int, what: str, path: str, *, cookie: str = "", target: str = "") -> None:
    """p50 and p95 first byte of `path`, each beside /healthz sampled in between on the same server."""
    _first_byte(port, path, cookie)  # the worker's first request of this path (templates, connection)
    samples, anchors = [], []
    for _ in range(REQUESTS):
        samples.append(_first_byte(port, path, cookie))
        anchors.append(_first_byte(port, "/healthz"))
    (p50, p95), (a50, a95) = _pcts(samples), _pcts(anchors)
    common.figure("dashboard", f"{what}, first byte p50", p50, "ms", anchor_label="GET /healthz p50", anchor=a50,
                  target=target)
    common.figure("dashboard", f"{what}, first byte p95", p95, "ms", anchor_label="GET /healthz p95", anchor=a95,
                  target=target)


def _session_cookie(user) -> str:
    from django.conf import settings
    from django.test import Client

    client = Client()
    client.force_login(user)
    return f"{settings.SESSION_COOKIE_NAME}={client.cookies[settings.SESSION_COOKIE_NAME].value}"


def _change_one_dossier() -> None:
    """What an officer's action does to the data: one open dossier resolved on time, through the ORM (the
    rollups' signals mark its buckets dirty and enqueue the refresh)."""
    from django.utils import timezone

    from tinhso.dossiers.models import Dossier

    dossier = Dossier.objects.filter(resolved_at__isnull=True, status="received").order_by("-received_at").first()
    if dossier is None:
        return
    dossier.status, dossier.resolved_at, dossier.timeliness = "approved", timezone.now(), "on_time"
    dossier.save()


def _place_communes(province) -> None:
    """Generated positions for the bench's communes (a grid over Thanh Hóa), as the official data gives each
    commune: the map shows only communes with coordinates."""
    communes = list(province.children.filter(valid_to__isnull=True, latitude__isnull=True).order_by("code"))
    for n, commune in enumerate(communes):
        commune.latitude, commune.longitude = 19.3 + (n // 15) * 0.07, 104.9 + (n % 15) * 0.07
    type(province).objects.bulk_update(communes, ["latitude", "longitude"])


def speed_targets(province) -> None:
    """The IOC's speed targets over HTTP (see the module's docstring, point 4)."""
    from django.contrib.auth import get_user_model
    from django.core.cache import cache
    from django.db import connection

    from tinhso.dashboard import ioc
    from tinhso.indicators import selectors as indicators
    from tinhso.indicators.models import IndicatorValue
    from tinhso.indicators.services import refresh_after_changes

    admin = get_user_model().objects.get(username="bench.admin")
    cookie = _session_cookie(admin)
    _place_communes(province)
    print(f"\n== IOC speed targets over HTTP ({REQUESTS} requests each, /healthz of the same server between them)")
    with _server(province.code) as port:
        if port is not None:
            _http_figure(port, "overview warm, public", "/dashboard/", target="< 30 ms")
            _http_figure(port, "overview warm, province administrator", "/dashboard/", cookie=cookie,
                         target="< 30 ms")
            data = ioc.map_data(unit=province, user=admin)
            spec = indicators.latest_commune_period(indicator=indicators.indicator_get(code=data["indicator"]),
                                                    unit=province)
            if spec is not None:
                _http_figure(port, f"map values as JSON ({data['with_value']} communes)",
                             f"/api/v1/indicators/definitions/{data['indicator']}/breakdown?by=commune"
                             f"&period={spec.spec}", cookie=cookie, target="< 100 ms")

    # map data in-process, beside the one query of the communes' values it colours by
    communes = list(province.children.filter(valid_to__isnull=True).values_list("pk", flat=True))
    indicator = indicators.indicator_get(code=ioc.DEFAULT_MAP_INDICATOR)

    def raw():
        with connection.cursor() as cursor:
            cursor.execute(str(IndicatorValue.objects.filter(indicator=indicator, unit_id__in=communes,
                                                             is_current=True).values("unit_id", "value").query))
            return cursor.fetchall()

    def build():
        return ioc.map_data(unit=province, user=admin)

    def rebuild():
        cache.clear()  # as after an invalidation: the map is rebuilt from IndicatorValue
        return build()

    sql_ms = common.median_seconds(raw) * 1000
    common.figure("dashboard", "commune map data (ioc.map_data, administrator), in-process, rebuilt",
                  common.median_seconds(rebuild) * 1000, "ms", anchor_label="SQL of the communes' values",
                  anchor=sql_ms, target="< 100 ms")
    common.figure("dashboard", "commune map data (ioc.map_data, administrator), in-process, cached",
                  common.median_seconds(build) * 1000, "ms", anchor_label="SQL of the communes' values",
                  anchor=sql_ms, target="< 100 ms")

    _change_one_dossier()
    start = time.perf_counter()
    counts = refresh_after_changes()
    common.figure("dashboard", "background refresh after one dossier change (refresh_after_changes)",
                  (time.perf_counter() - start) * 1000, "ms")
    print(f"  refresh: {counts}")
    with _server(province.code, DJANGO_SETTINGS_MODULE="dashboard_cold_settings") as port:
        if port is not None:
            _http_figure(port, "overview right after an invalidation, public", "/dashboard/", target="< 100 ms")
            _http_figure(port, "overview right after an invalidation, province administrator", "/dashboard/",
                         cookie=cookie, target="< 100 ms")


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
    speed_targets(province)


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
    common.write_results(ROWS)


if __name__ == "__main__":
    main()
