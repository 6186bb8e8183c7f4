"""Indicators at scale: the IOC overview with 1,000,000 dossiers. Prints, asserts nothing.

Run: `scripts/with-postgres.sh .venv/bin/python bench/bench_indicators.py` (TINHSO_BENCH_ROWS=100000 for a quick try).

1. loads a year of dossiers through the bulk importer (no signals fire: the rollups are then rebuilt, as every
   importer must do);
2. rebuilds the rollups (one INSERT … SELECT) and computes every computed indicator for the province, its communes
   and its agencies from them (all months and years);
3. the background refresh after one dossier changes: recount its bucket, recompute the current year and month;
4. the overview (target: first byte < 100 ms): GET /api/v1/indicators/overview, which reads IndicatorValue only.
"""

import os
import tempfile
import time
from pathlib import Path

import common

ROWS = int(os.environ.get("TINHSO_BENCH_ROWS", 1_000_000))


def main() -> None:
    common.setup_django()
    from django.test import Client
    from django.utils import timezone
    from run_all import write_csv

    from tinhso.core.periods import month_period, year_period
    from tinhso.dossiers.importing import dossiers_import_file
    from tinhso.dossiers.models import Dossier, DossierStatDay
    from tinhso.indicators import rollups, selectors, services
    from tinhso.indicators.models import IndicatorValue

    province, agencies, procedures, admin, officer = common.build_province()
    print(f"\n== Indicators with {ROWS:,} dossiers")
    with tempfile.TemporaryDirectory() as workdir:
        path = Path(workdir) / "history.csv"
        with common.timed("writing and importing the dossiers (not counted)"):
            write_csv(path, common.history_rows(ROWS, agencies, procedures))
            dossiers_import_file(actor=None, path=path)
    print(f"  dossiers: {Dossier.objects.count():,}")
    services.definitions_load(actor=None)

    start = time.perf_counter()
    rollups.rebuild()
    print(f"  rollup rebuild (dossiers.stats_rollup, over all dossiers): {time.perf_counter() - start:.2f} s, "
          f"{DossierStatDay.objects.count():,} rollup rows")

    start = time.perf_counter()
    counts = services.computed_values_refresh(actor=None, root=province)
    print(f"  every computed indicator, all months and years, province + {len(agencies)} agencies + communes, "
          f"from the rollups: {time.perf_counter() - start:.2f} s ({counts['created']:,} values)")

    today = timezone.localdate()
    periods = [year_period(today.year), month_period(today.year, today.month)]
    seconds = common.median_seconds(lambda: services.computed_values_refresh(actor=None, root=province,
                                                                             periods=periods))
    print(f"  overview computation from the rollups (current year + month, what the background task runs): "
          f"{seconds * 1000:.0f} ms")

    dossier = Dossier.objects.filter(resolved_at__isnull=False).order_by("id").first()
    agency_id = dossier.handling_agency_id or dossier.receiving_agency_id
    from tinhso.dossiers.stats_rollup import _VALUES, rollup_apply

    row = Dossier.objects.filter(pk=dossier.pk).values(*_VALUES).get()
    moved = {**row, "handling_agency_id": next(a.pk for a in agencies if a.pk != agency_id)}

    def move_and_back():  # the rollup's work for one transition, and its undoing
        rollup_apply(before=row, after=moved)
        rollup_apply(before=moved, after=row)

    seconds = common.median_seconds(move_and_back) / 2
    print(f"  updating the rollup for one dossier change (in its transaction): {seconds * 1000:.1f} ms")

    client = Client()

    def overview():
        response = client.get("/api/v1/indicators/overview")
        assert response.status_code == 200, response.content
        return response

    seconds = common.median_seconds(overview, runs=21)
    rows = len(overview().json())
    print(f"  GET /api/v1/indicators/overview (public, {rows} indicators, IndicatorValue only): "
          f"{seconds * 1000:.1f} ms median (target < 100 ms)")
    seconds = common.median_seconds(lambda: selectors.latest_values(unit=province), runs=21)
    print(f"  selectors.latest_values(unit=province): {seconds * 1000:.1f} ms median")
    print(f"  indicator values stored: {IndicatorValue.objects.count():,}")


if __name__ == "__main__":
    main()
