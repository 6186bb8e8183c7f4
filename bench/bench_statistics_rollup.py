"""II.06a from the rollup (dossiers.stats_rollup) beside the scan and the hand-written SQL, over the same year of
imported dossiers, and the rollup's share of one dossier save (DuckDB: bench/run_all.py's II.06a part). Run: `scripts/with-postgres.sh .venv/bin/python bench/bench_statistics_rollup.py` on a fresh
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
    # Kept current by live writes: what one transition adds to its transaction (the row read before, read back
    # after, one UPSERT of increments), beside the dossier's own UPDATE by primary key.
    from tinhso.dossiers.models import Dossier
    from tinhso.dossiers.stats_rollup import _VALUES, _stored, rollup_apply

    dossier = Dossier.objects.filter(resolved_at__isnull=False).order_by("id").first()
    row = Dossier.objects.filter(pk=dossier.pk).values(*_VALUES).get()
    other = next(a.pk for a in agencies if a.pk not in (row["handling_agency_id"], row["receiving_agency_id"]))
    moved = {**row, "handling_agency_id": other}

    def live():  # a move and its undoing, each as a save does it
        for before, after in ((row, moved), (moved, row)):
            _stored(dossier.pk, lock=True)
            _stored(dossier.pk, lock=False)
            rollup_apply(before=before, after=after)

    def update():
        with connection.cursor() as cursor:
            for _ in range(2):
                cursor.execute("UPDATE dossiers_dossier SET updated_at = updated_at WHERE id = %s", [dossier.pk])

    live_s, update_s = common.median_seconds(live) / 2, common.median_seconds(update) / 2
    print(f"  the rollup's share of one dossier save: {live_s * 1000:.2f} ms · the dossier's UPDATE alone "
          f"{update_s * 1000:.2f} ms")
    common.figure("statistics_rollup", "rollup update inside one dossier save", live_s * 1000, "ms",
                  anchor_label="the dossier's own UPDATE by primary key", anchor=update_s * 1000)
    common.write_results(ROWS)


if __name__ == "__main__":
    main()
