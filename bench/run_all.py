"""`make bench`: the figures behind the speed targets of the one-stop-shop work. Prints, asserts nothing.

1. import: 1,000,000 dossiers over a year through `tinhso import dossiers` (rows per second), then a re-import of
   200,000 of them (the idempotent upsert path);
2. statistics (II.06a) for the whole province over a half-year: our code path vs one hand-written aggregate SQL
   over the same table, and the same SQL in DuckDB over the same rows;
3. dossier lookup by code: p50 / p99 under 20 concurrent clients, each with its own database connection.
"""

import csv
import os
import tempfile
import time
from pathlib import Path

import common

ROWS = int(os.environ.get("TINHSO_BENCH_ROWS", 1_000_000))  # a smaller number for a quick try of the scripts
REIMPORT_ROWS = ROWS // 5
# TINHSO_BENCH_ONLY=import (comma-separated: import, statistics, lookup, dashboard) runs only those parts; the
# others read the dossiers the import part loads.
ONLY = {part.strip() for part in os.environ.get("TINHSO_BENCH_ONLY", "").split(",") if part.strip()}


def selected(part: str) -> bool:
    return not ONLY or part in ONLY


def write_csv(path: Path, rows) -> int:
    from tinhso.dossiers.importing import COLUMNS

    count = 0
    with path.open("w", newline="", encoding="utf-8") as f:
        writer = csv.writer(f, lineterminator="\n")
        writer.writerow(COLUMNS)
        for code, procedure, agency, channel, received, due, resolved, returned, withdrawn, status in rows:
            writer.writerow([code, procedure.code, agency, channel, received.isoformat(),
                             due.isoformat() if status != "refused" else "",
                             resolved.isoformat() if resolved else "", returned.isoformat() if returned else "",
                             withdrawn.isoformat() if withdrawn else "", status])
            count += 1
    return count


def bench_import(workdir: Path, agencies, procedures) -> None:
    from tinhso.dossiers.importing import dossiers_import_file

    print(f"\n== Import ({ROWS:,} dossiers, CSV → validation → COPY → upsert)")
    path = workdir / "history.csv"
    with common.timed("writing the CSV file (not counted)"):
        write_csv(path, common.history_rows(ROWS, agencies, procedures))
    print(f"  file: {path.stat().st_size / 1e6:.0f} MB")
    from django.db import connection, transaction

    from tinhso.dossiers import importing

    # Our part alone: parse + validate + binary COPY into the staging table, rolled back.
    start = time.perf_counter()
    with transaction.atomic(), path.open(encoding="utf-8", newline="") as f, connection.cursor() as cursor:
        importing._create_staging(cursor)
        importing._fill_staging(cursor, importing._Validator().rows(importing._csv_records(f)))
        transaction.set_rollback(True)
    staging_rate = ROWS / (time.perf_counter() - start)
    raw_rate = _raw_copy_rate(path)
    with connection.cursor() as cursor:
        cursor.execute("SELECT COUNT(*) FROM pg_index WHERE indrelid = 'dossiers_dossier'::regclass")
        indexes = cursor.fetchone()[0]
    peak_before = _peak_rss_mb()
    start = time.perf_counter()
    result = dossiers_import_file(actor=None, path=path)
    seconds = time.perf_counter() - start
    print(f"  peak memory of this process: {_peak_rss_mb():,.0f} MB after the import, {peak_before:,.0f} MB before it "
          "(flat in the file size: compare runs of different TINHSO_BENCH_ROWS)")
    workers = importing._import_workers() if ROWS >= importing.PARALLEL_IMPORT_LINES else 1
    print(f"  validated by {workers} process{'es' if workers > 1 else ''} (TINHSO_IMPORT_WORKERS; 1: one core)"
          + (f"; the largest worker's peak memory: {_peak_rss_mb(children=True):,.0f} MB (it keeps the codes of its "
             "part of the file, for the duplicate errors)" if workers > 1 else ""))
    print(f"  imported {result.rows:,} rows ({result.created:,} new) in {seconds:.2f} s; the dossier table has "
          f"{indexes} indexes and 3 foreign keys to maintain per row")
    common.figure("import", "first import, end to end", result.rows / seconds, "rows/s",
                  anchor_label="validation + COPY into staging alone (sequential, no rollup)", anchor=staging_rate, target="≥ 100,000 rows/s")
    common.figure("import", "first import, end to end", result.rows / seconds, "rows/s",
                  anchor_label="raw COPY of the same file into an unindexed table", anchor=raw_rate)
    subset = workdir / "reimport.csv"
    with path.open(encoding="utf-8") as src, subset.open("w", encoding="utf-8") as dst:
        for i, line in enumerate(src):
            if i > REIMPORT_ROWS:
                break
            dst.write(line)
    start = time.perf_counter()
    again = dossiers_import_file(actor=None, path=subset)
    seconds = time.perf_counter() - start
    print(f"  peak memory of this process after the re-import: {_peak_rss_mb():,.0f} MB")
    print(f"  re-imported the first {again.rows:,} rows ({again.unchanged:,} unchanged, {again.updated} updated, "
          f"{again.created} new) in {seconds:.2f} s")
    common.figure("import", "re-import of unchanged rows, end to end", again.rows / seconds, "rows/s",
                  anchor_label="raw COPY of the same file into an unindexed table", anchor=raw_rate,
                  target="≥ 100,000 rows/s")
    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE dossiers_dossier")


HAND_SQL = """
SELECT COALESCE(handling_agency_id, receiving_agency_id) AS agency,
  COUNT(*) FILTER (WHERE received_at < {start} AND (resolved_at IS NULL OR resolved_at >= {start})
                   AND (withdrawn_at IS NULL OR withdrawn_at >= {start})
                   AND (stopped_at IS NULL OR stopped_at >= {start})) AS carried_over,
  COUNT(*) FILTER (WHERE received_at >= {start} AND channel = 'online') AS new_online,
  COUNT(*) FILTER (WHERE received_at >= {start} AND channel <> 'online') AS new_direct_postal,
  COUNT(*) FILTER (WHERE resolved_at >= {start} AND resolved_at < {end} AND timeliness = 'early') AS early,
  COUNT(*) FILTER (WHERE resolved_at >= {start} AND resolved_at < {end} AND timeliness = 'on_time') AS on_time,
  COUNT(*) FILTER (WHERE resolved_at >= {start} AND resolved_at < {end}
                   AND timeliness NOT IN ('early', 'on_time')) AS late,
  COUNT(*) FILTER (WHERE (resolved_at IS NULL OR resolved_at >= {end}) AND (withdrawn_at IS NULL OR withdrawn_at >= {end})
                   AND (stopped_at IS NULL OR stopped_at >= {end}) AND due_at < {end}) AS pending_overdue,
  COUNT(*) FILTER (WHERE (resolved_at IS NULL OR resolved_at >= {end}) AND (withdrawn_at IS NULL OR withdrawn_at >= {end})
                   AND (stopped_at IS NULL OR stopped_at >= {end}) AND (due_at IS NULL OR due_at >= {end}))
                   AS pending_within,
  COUNT(*) FILTER (WHERE withdrawn_at >= {start} AND withdrawn_at < {end}) AS withdrawn,
  COUNT(*) FILTER (WHERE returned_at >= {start} AND returned_at < {end}) AS returned
FROM {table}
WHERE received_at IS NOT NULL AND received_at < {end} AND refused_at IS NULL
GROUP BY 1
"""
DUCK_COLUMNS = ["handling_agency_id", "receiving_agency_id", "channel", "received_at", "due_at", "resolved_at",
                "timeliness", "returned_at", "withdrawn_at", "refused_at", "stopped_at"]


def bench_statistics(workdir: Path, province) -> None:
    from django.db import connection

    from tinhso.core.periods import parse_period
    from tinhso.dossiers.statistics import dossier_statistics
    from tinhso.dossiers.stats_rollup import is_fresh, rollup_rebuild

    if not is_fresh():  # the import keeps the rollup exact; stale only if something else marked it so
        with common.timed("rebuilding the dossier rollup after the import (not counted)"):
            rollup_rebuild()
    period = parse_period("2026-H1")
    start, end = (f"TIMESTAMPTZ '{moment.isoformat()}'"
                  for moment in (period.start_at(common.VN), period.end_at(common.VN)))
    print("\n== Statistics II.06a, whole province (200 agencies), 2026-H1 over a year of dossiers")
    with connection.cursor() as cursor:
        cursor.execute("SELECT COUNT(*) FROM dossiers_dossier")
        print(f"  dossiers in the table: {cursor.fetchone()[0]:,}")

    def ours():
        return dossier_statistics(actor=None, period=period, unit=province.code, group_by="agency",
                                  now=period.end_at(common.VN))

    sql = HAND_SQL.format(start=start, end=end, table="dossiers_dossier")

    def hand():
        with connection.cursor() as cursor:
            cursor.execute(sql)
            return cursor.fetchall()

    ours_s, hand_s = common.median_seconds(ours), common.median_seconds(hand)
    scan_s = common.median_seconds(lambda: dossier_statistics(actor=None, period=period, unit=province.code,
                                                              group_by="agency", now=period.end_at(common.VN),
                                                              use_rollups=False))
    result, rows = ours(), hand()
    same = result["received_total"] == sum(r[1] + r[2] + r[3] for r in rows) and \
        result["resolved_total"] == sum(r[4] + r[5] + r[6] for r in rows)
    print(f"  our code path (dossiers.statistics.dossier_statistics): {ours_s * 1000:.0f} ms "
          f"(received {result['received_total']:,}, resolved {result['resolved_total']:,}, "
          f"online {result['online_rate']} %, on time {result['on_time_rate']} %)")
    print(f"  (answered from the {result['source']}; the scan, which stays the reference: {scan_s * 1000:.0f} ms)")
    common.figure("statistics", "II.06a, province, half-year, the scan (use_rollups=False)", scan_s * 1000, "ms",
                  anchor_label="hand-written PostgreSQL", anchor=hand_s * 1000)
    print(f"  one hand-written aggregate SQL (PostgreSQL):            {hand_s * 1000:.0f} ms "
          f"(same totals: {'yes' if same else 'NO'})")
    common.figure("statistics", "II.06a, province, half-year (dossier_statistics)", ours_s * 1000, "ms",
                  anchor_label="hand-written PostgreSQL", anchor=hand_s * 1000, target="< 50 ms from rollups")

    try:
        import duckdb
    except ImportError:
        print("  DuckDB: not installed (pip install -e '.[bench]')")
        return
    csv_path = workdir / "dossiers-for-duckdb.csv"
    with common.timed("exporting the rows for DuckDB (not counted)"):
        with connection.cursor() as cursor, csv_path.open("wb") as f:
            with cursor.cursor.copy(f"COPY (SELECT {', '.join(DUCK_COLUMNS)} FROM dossiers_dossier) "
                                    "TO STDOUT WITH (FORMAT csv, HEADER)") as copy:
                for chunk in copy:
                    f.write(chunk)
        duck = duckdb.connect(str(workdir / "bench.duckdb"))
        duck.execute("SET TimeZone = 'Asia/Ho_Chi_Minh'")
        duck.execute("CREATE TABLE dossiers (handling_agency_id BIGINT, receiving_agency_id BIGINT, channel VARCHAR, "
                     "received_at TIMESTAMPTZ, due_at TIMESTAMPTZ, resolved_at TIMESTAMPTZ, timeliness VARCHAR, "
                     "returned_at TIMESTAMPTZ, withdrawn_at TIMESTAMPTZ, refused_at TIMESTAMPTZ, "
                     "stopped_at TIMESTAMPTZ)")
        duck.execute(f"COPY dossiers FROM '{csv_path}' (HEADER)")
    duck_sql = HAND_SQL.format(start=start, end=end, table="dossiers")
    duck_s = common.median_seconds(lambda: duck.execute(duck_sql).fetchall())
    duck_rows = duck.execute(duck_sql).fetchall()
    same = sum(r[1] + r[2] + r[3] for r in duck_rows) == result["received_total"]
    print(f"  the same SQL in DuckDB over the same rows:              {duck_s * 1000:.0f} ms "
          f"(same totals: {'yes' if same else 'NO'})")
    common.figure("statistics", "II.06a, province, half-year (dossier_statistics)", ours_s * 1000, "ms",
                  anchor_label="the same SQL in DuckDB", anchor=duck_s * 1000)
    duck.close()


def bench_lookup(admin, officer, clients: int = 20, per_client: int = max(20, min(100, ROWS // 5000))) -> None:
    from django.db import connection

    from tinhso.dossiers.models import Dossier

    try:
        from tinhso.dossiers.selectors import dossier_get
    except ImportError:  # the lifecycle selectors are not there
        dossier_get = None
    officer_agency = officer.roles.get().agency_id
    with connection.cursor() as cursor:
        cursor.execute("SELECT code FROM dossiers_dossier TABLESAMPLE SYSTEM (1) LIMIT 20000")
        codes = [r[0] for r in cursor.fetchall()]
        cursor.execute("SELECT code FROM dossiers_dossier WHERE receiving_agency_id = %s LIMIT 5000", [officer_agency])
        officer_codes = [r[0] for r in cursor.fetchall()]
    print(f"\n== Lookup by code: {clients} concurrent clients × {per_client} lookups, each with its own connection")
    def plain(code):
        return Dossier.objects.select_related("procedure", "receiving_agency", "handling_agency").get(code=code)

    def raw(code):  # the same one-join lookup without the ORM: what the database alone costs
        with connection.cursor() as cursor:
            cursor.execute(RAW_LOOKUP_SQL, [code])
            return cursor.fetchone()

    plain_all = _lookup_run("plain query (Dossier by code, with its procedure and agencies)", codes, clients,
                            per_client, plain)
    plain_officer = _lookup_run("plain query over the officer's codes", officer_codes, clients, per_client, plain)
    raw_all = _lookup_run("raw SQL, one cursor.execute (no ORM)", codes, clients, per_client, raw)
    raw_officer = _lookup_run("raw SQL over the officer's codes", officer_codes, clients, per_client, raw)
    if dossier_get is None:
        print("  dossiers.selectors.dossier_get: not available")
        return
    officer_run = _lookup_run("dossiers.selectors.dossier_get, an officer of one agency", officer_codes, clients,
                              per_client, lambda code: dossier_get(user=officer, code=code))
    admin_run = _lookup_run("dossiers.selectors.dossier_get, the province administrator", codes, clients,
                            per_client, lambda code: dossier_get(user=admin, code=code))
    for who, run, anchor in (("officer", officer_run, plain_officer), ("province administrator", admin_run, plain_all)):
        for p in ("p50", "p99"):
            common.figure("lookup", f"dossier_get, {who}, {clients} clients, {p}", run[p], "ms",
                          anchor_label=f"plain query {p}", anchor=anchor[p], target="≤ 1.3×")
    for who, run, anchor in (("officer", officer_run, raw_officer), ("province administrator", admin_run, raw_all)):
        for p in ("p50", "p99"):
            common.figure("lookup", f"dossier_get, {who}, {clients} clients, {p}, against raw SQL", run[p], "ms",
                          anchor_label=f"raw SQL {p}", anchor=anchor[p])


RAW_LOOKUP_SQL = ("SELECT d.*, p.code, p.name, r.identifier_code, r.name, h.identifier_code, h.name "
                  "FROM dossiers_dossier d JOIN procedures_procedure p ON p.id = d.procedure_id "
                  "JOIN org_agency r ON r.id = d.receiving_agency_id "
                  "LEFT JOIN org_agency h ON h.id = d.handling_agency_id WHERE d.code = %s")


def _lookup_run(label: str, codes: list[str], clients: int, per_client: int, lookup) -> dict:
    import random
    import threading

    from django.db import connections

    latencies: list[float] = []
    lock = threading.Lock()
    barrier = threading.Barrier(clients)

    def client(n: int) -> None:
        rng = random.Random(n)
        mine = []
        try:
            lookup(codes[0])  # open this thread's connection before the clock starts
            barrier.wait()
            for _ in range(per_client):
                code = rng.choice(codes)
                start = time.perf_counter()
                lookup(code)
                mine.append(time.perf_counter() - start)
        finally:
            connections.close_all()
        with lock:
            latencies.extend(mine)

    threads = [threading.Thread(target=client, args=(n,)) for n in range(clients)]
    wall = time.perf_counter()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    wall = time.perf_counter() - wall
    latencies.sort()

    def pct(p: float) -> float:
        return latencies[min(len(latencies) - 1, int(p * len(latencies)))] * 1000

    print(f"  {label}: p50 {pct(0.50):.1f} ms, p99 {pct(0.99):.1f} ms "
          f"({len(latencies):,} lookups, {len(latencies) / wall:,.0f}/s)")
    return {"p50": pct(0.50), "p99": pct(0.99), "per_second": len(latencies) / wall}


def _peak_rss_mb(*, children: bool = False) -> float:
    import resource

    who = resource.RUSAGE_CHILDREN if children else resource.RUSAGE_SELF  # children: the largest one that ended
    return resource.getrusage(who).ru_maxrss / 1024  # kilobytes on Linux


def _raw_copy_rate(path: Path) -> float:
    """The physical limit here: the same CSV by COPY into an unindexed, unconstrained table of text columns."""
    from django.db import connection, transaction

    from tinhso.dossiers.importing import COLUMNS

    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("CREATE TEMP TABLE bench_raw_copy (" + ", ".join(f"c{i} text" for i in range(len(COLUMNS)))
                       + ")")
        start = time.perf_counter()
        with path.open("rb") as f, cursor.cursor.copy("COPY bench_raw_copy FROM STDIN WITH (FORMAT csv, HEADER)") \
                as copy:
            while chunk := f.read(1 << 20):
                copy.write(chunk)
        seconds = time.perf_counter() - start
        cursor.execute("SELECT COUNT(*) FROM bench_raw_copy")
        rows = cursor.fetchone()[0]
        transaction.set_rollback(True)
    return rows / seconds


def main() -> None:
    common.setup_django()
    from django.contrib.auth import get_user_model

    print("Tỉnh Số benchmarks (PostgreSQL from scripts/with-postgres.sh; figures only, no assertions)")
    if not get_user_model().objects.filter(username="bench.admin").exists():
        with common.timed("building the province (200 agencies, 60 procedures)"):
            province, agencies, procedures, admin, officer = common.build_province()
    else:
        raise SystemExit("The database already holds a bench province; run on a fresh database (make bench).")
    with tempfile.TemporaryDirectory(prefix="tinhso-bench-") as tmp:
        workdir = Path(tmp)
        if selected("import"):
            bench_import(workdir, agencies, procedures)
        if selected("statistics"):
            bench_statistics(workdir, province)
        if selected("lookup"):
            bench_lookup(admin, officer)
    if selected("dashboard"):
        import bench_dashboard  # the IOC dashboard's first byte over the same dossiers

        bench_dashboard.measure(province)
    common.write_results(ROWS)


if __name__ == "__main__":
    main()
