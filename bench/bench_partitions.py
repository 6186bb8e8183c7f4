"""Monthly partitions of the dossier table, measured beside the real table in the same run (issue #11 point 8).

Run: TINHSO_BENCH_ROWS=1000000 scripts/with-postgres.sh .venv/bin/python bench/bench_partitions.py
"""

import os
import re
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import common  # noqa: E402

ROWS = int(os.environ.get("TINHSO_BENCH_ROWS", "20000"))
PART = "bench_dossier_part"


def _run(sql: str, params=()) -> None:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        if cursor.description:
            cursor.fetchall()


def _pcts(fn, args: list) -> tuple[float, float]:
    times = []
    for a in args:
        start = time.perf_counter()
        fn(a)
        times.append((time.perf_counter() - start) * 1000)
    times.sort()
    return statistics.median(times), times[min(len(times) - 1, int(len(times) * 0.99))]


def build_partitioned() -> list[str]:
    """A copy of dossiers_dossier partitioned by month on received_at, with the indexes PostgreSQL allows."""
    from django.db import connection

    notes = []
    with connection.cursor() as cursor:
        cursor.execute("SELECT date_trunc('month', min(received_at)), date_trunc('month', max(received_at)) "
                       "FROM dossiers_dossier")
        first, last = cursor.fetchone()
        cursor.execute(f"CREATE TABLE {PART} (LIKE dossiers_dossier INCLUDING DEFAULTS) PARTITION BY RANGE (received_at)")
        cursor.execute(f"CREATE TABLE {PART}_default PARTITION OF {PART} DEFAULT")
        cursor.execute("SELECT m FROM generate_series(%s::timestamptz, %s::timestamptz, '1 month') m", [first, last])
        months = [r[0] for r in cursor.fetchall()]
        for m in months:
            cursor.execute(f"CREATE TABLE {PART}_{m:%Y%m} PARTITION OF {PART} FOR VALUES FROM (%s) TO (%s::timestamptz "
                           "+ interval '1 month')", [m, m])
        cursor.execute(f"INSERT INTO {PART} SELECT * FROM dossiers_dossier")
        cursor.execute("SELECT indexname, indexdef FROM pg_indexes WHERE tablename = 'dossiers_dossier'")
        for name, definition in cursor.fetchall():
            new = definition.replace(f" {name} ", f" {name[:40]}_p ").replace("public.dossiers_dossier", PART) \
                .replace(" ONLY ", " ")
            try:
                with connection.cursor() as c2:
                    c2.execute("SAVEPOINT ix")
                    c2.execute(new)
                    c2.execute("RELEASE SAVEPOINT ix")
            except Exception:  # a unique index without the partition key: PostgreSQL refuses it
                with connection.cursor() as c2:
                    c2.execute("ROLLBACK TO SAVEPOINT ix")
                    cols = re.search(r"\((.*)\)", new).group(1)
                    widened = re.sub(r"\((.*)\)", f"({cols}, received_at)", new, count=1)
                    c2.execute(widened)
                notes.append(f"{name}: unique only with received_at added ({cols}, received_at)")
        cursor.execute(f"ANALYZE {PART}")
        cursor.execute("ANALYZE dossiers_dossier")
    print(f"  {len(months)} monthly partitions + default")
    for n in notes:
        print(f"  lost: {n}")
    return notes


def main() -> None:
    common.setup_django()
    from django.db import connection, transaction

    from tinhso.dossiers.filters import RUNNING_STATUSES
    from tinhso.dossiers.importing import dossiers_import_file
    from tinhso.dossiers.models import Dossier

    print(f"Monthly partitions of the dossier table, {ROWS:,} dossiers (PostgreSQL; figures only)")
    province, agencies, procedures, admin, officer = common.build_province()
    with tempfile.TemporaryDirectory(prefix="tinhso-part-") as tmp:
        path = Path(tmp) / "history.csv"
        import run_all

        run_all.write_csv(path, common.history_rows(ROWS, agencies, procedures))
        with common.timed("platform import (not compared)"):
            dossiers_import_file(actor=None, path=path)

    connection.set_autocommit(True)
    with common.timed("building the partitioned copy"), transaction.atomic():
        build_partitioned()

    tables = {"table": "dossiers_dossier", "partitioned": PART}
    with connection.cursor() as cursor:
        cursor.execute("SELECT max(received_at) FROM dossiers_dossier")
        (last,) = cursor.fetchone()
        cursor.execute("SELECT COALESCE(handling_agency_id, receiving_agency_id), count(*) FROM dossiers_dossier "
                       "GROUP BY 1 ORDER BY 2 DESC LIMIT 1")
        agency = cursor.fetchone()[0]
    end = "date_trunc('month', %s::timestamptz)"
    windows = {"half-year": "interval '6 months'", "one month": "interval '1 month'"}

    print("\n(a) II.06a scan")
    for wname, span in windows.items():
        for scope in ("province", "one agency"):
            got = {}
            for label, table in tables.items():
                src = table if scope == "province" else \
                    f"(SELECT * FROM {table} WHERE COALESCE(handling_agency_id, receiving_agency_id) = {int(agency)}) s"
                sql = run_all.HAND_SQL.format(start=f"({end} - {span})", end=end, table=src)
                got[label] = common.median_seconds(lambda sql=sql: _run(sql.replace("%s", "%(t)s"), {"t": last}))
            common.figure("partitions", f"II.06a {scope}, {wname}, partitioned", got["partitioned"] * 1000, "ms",
                          anchor_label="plain table", anchor=got["table"] * 1000)

    print("\n(b) lookup by code")
    with connection.cursor() as cursor:
        cursor.execute("SELECT code, received_at FROM dossiers_dossier ORDER BY random() LIMIT 300")
        sample = cursor.fetchall()
    plain = _pcts(lambda r: _run("SELECT * FROM dossiers_dossier WHERE code = %s", [r[0]]), sample)
    alone = _pcts(lambda r: _run(f"SELECT * FROM {PART} WHERE code = %s", [r[0]]), sample)
    known = _pcts(lambda r: _run(f"SELECT * FROM {PART} WHERE code = %s AND received_at = %s", list(r)), sample)
    for p, i in (("p50", 0), ("p99", 1)):
        common.figure("partitions", f"lookup {p}, partitioned, code alone", alone[i], "ms",
                      anchor_label="plain table", anchor=plain[i])
        common.figure("partitions", f"lookup {p}, partitioned, received_at known", known[i], "ms",
                      anchor_label="plain table", anchor=plain[i])

    print("\n(c) COPY of 100k new rows")
    n = min(100_000, max(1000, ROWS // 10))
    got = {}
    for label, table in tables.items():
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(f"CREATE TEMP TABLE src ON COMMIT DROP AS SELECT * FROM dossiers_dossier LIMIT {n}")
            cursor.execute("UPDATE src SET id = id + 1000000000, code = code || 'X'")
            with tempfile.TemporaryFile() as buf:
                with cursor.cursor.copy("COPY src TO STDOUT") as cp:
                    for data in cp:
                        buf.write(data)
                buf.seek(0)
                start = time.perf_counter()
                with cursor.cursor.copy(f"COPY {table} FROM STDIN") as cp:
                    while chunk := buf.read(1 << 20):
                        cp.write(chunk)
                got[label] = time.perf_counter() - start
            transaction.set_rollback(True)
    common.figure("partitions", f"COPY {n:,} rows, partitioned", n / got["partitioned"], "rows/s",
                  anchor_label="plain table", anchor=n / got["table"])

    print("\n(d) officer's pending list (agency, open dossiers by due date)")
    qs = Dossier.objects.select_related("procedure", "receiving_agency", "handling_agency", "applicant_unit") \
        .filter(handling_agency_id=agency, status__in=list(RUNNING_STATUSES)).order_by("due_at", "id")[:50]
    sql, params = qs.query.sql_with_params()
    got = {label: common.median_seconds(lambda t=t: _run(sql.replace('"dossiers_dossier"', f'"{t}"'), params))
           for label, t in tables.items()}
    common.figure("partitions", "pending list, partitioned", got["partitioned"] * 1000, "ms",
                  anchor_label="plain table", anchor=got["table"] * 1000)

    print("\n(e) archiving the oldest month")
    with connection.cursor() as cursor:
        cursor.execute("SELECT date_trunc('month', min(received_at)) FROM dossiers_dossier")
        (old,) = cursor.fetchone()
    got = {}
    with transaction.atomic(), connection.cursor() as cursor:
        start = time.perf_counter()
        cursor.execute("DELETE FROM dossiers_dossier WHERE received_at >= %s AND received_at < %s::timestamptz "
                       "+ interval '1 month'", [old, old])
        got["table"] = time.perf_counter() - start
        transaction.set_rollback(True)
    with transaction.atomic(), connection.cursor() as cursor:
        start = time.perf_counter()
        cursor.execute(f"ALTER TABLE {PART} DETACH PARTITION {PART}_{old:%Y%m}")
        got["partitioned"] = time.perf_counter() - start
        transaction.set_rollback(True)
    common.figure("partitions", "archive one month: DETACH, partitioned", got["partitioned"] * 1000, "ms",
                  anchor_label="DELETE, plain table", anchor=got["table"] * 1000)

    wins = [r for r in common.RESULTS if r["ratio"] is not None]
    reads = [r for r in wins if r["unit"] == "ms" and "archive" not in r["what"]]
    read_wins = sum(1 for r in reads if r["ratio"] < 0.9)
    read_loses = sum(1 for r in reads if r["ratio"] > 1.1)
    adopt = read_wins > read_loses and read_loses == 0
    print(f"\nVerdict: partitions {'WIN' if adopt else 'do not win'} on what the platform runs "
          f"(reads faster in {read_wins}, slower in {read_loses} of {len(reads)}; archiving is their one sure gain; "
          f"code uniqueness would need received_at) → {'adopt' if adopt else 'keep the plain table'}")
    common.write_results(ROWS)



if __name__ == "__main__":
    main()
