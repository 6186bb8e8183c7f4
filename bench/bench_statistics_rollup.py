"""II.06a from the rollup (dossiers.stats_rollup) beside the scan and the hand-written SQL, over the same year of
imported dossiers. Run: `scripts/with-postgres.sh .venv/bin/python bench/bench_statistics_rollup.py` on a fresh
database; TINHSO_BENCH_ROWS scales it (default 1,000,000). Prints figures, asserts nothing but equality."""

import os
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import common  # noqa: E402

ROWS = int(os.environ.get("TINHSO_BENCH_ROWS", 1_000_000))


def main() -> None:
    common.setup_django()
    import run_all
    from django.db import connection

    from tinhso.core.periods import parse_period
    from tinhso.dossiers.importing import dossiers_import_file
    from tinhso.dossiers.statistics import COUNT_KEYS, dossier_statistics
    from tinhso.dossiers.stats_rollup import rollup_rebuild

    province, agencies, procedures, _, _ = common.build_province()
    with tempfile.TemporaryDirectory(prefix="tinhso-bench-rollup-") as tmp:
        path = Path(tmp) / "history.csv"
        run_all.write_csv(path, common.history_rows(ROWS, agencies, procedures))
        with common.timed(f"import of {ROWS:,} dossiers (not counted here)"):
            dossiers_import_file(actor=None, path=path)
    start = time.perf_counter()
    rollup_rows = rollup_rebuild()
    rebuild_s = time.perf_counter() - start
    print(f"\n== II.06a from the rollup ({ROWS:,} dossiers, {rollup_rows:,} rollup rows)")
    common.figure("statistics_rollup", "rollup rebuild from the dossiers", rebuild_s, "s")

    for spec in ("2026-H1", "2026-Q1", "2025-09"):
        period = parse_period(spec)

        def run(use_rollups: bool, period=period):
            return dossier_statistics(actor=None, period=period, unit=province.code, group_by="agency",
                                      now=period.end_at(common.VN), use_rollups=use_rollups)

        rolled, scanned = run(True), run(False)
        same = {k: rolled[k] for k in COUNT_KEYS} == {k: scanned[k] for k in COUNT_KEYS}
        rollup_s = common.median_seconds(lambda run=run: run(True))
        scan_s = common.median_seconds(lambda run=run: run(False))
        s, e = (f"TIMESTAMPTZ '{m.isoformat()}'" for m in (period.start_at(common.VN), period.end_at(common.VN)))
        sql = run_all.HAND_SQL.format(start=s, end=e, table="dossiers_dossier")

        def hand(sql=sql):
            with connection.cursor() as cursor:
                cursor.execute(sql)
                return cursor.fetchall()

        hand_s = common.median_seconds(hand)
        print(f"  {spec}: rollup {rollup_s * 1000:.1f} ms · scan {scan_s * 1000:.1f} ms · hand-written SQL "
              f"{hand_s * 1000:.1f} ms · rollup equals scan: {'yes' if same else 'NO'} ({rolled['source']})")
        common.figure("statistics_rollup", f"II.06a {spec}, province by agency, from the rollup", rollup_s * 1000,
                      "ms", anchor_label="hand-written PostgreSQL scan", anchor=hand_s * 1000, target="< 50 ms")
        common.figure("statistics_rollup", f"II.06a {spec}, the scan (dossier_statistics)", scan_s * 1000, "ms",
                      anchor_label="hand-written PostgreSQL scan", anchor=hand_s * 1000)
    common.write_results(ROWS)


if __name__ == "__main__":
    main()
