"""A large CSV file is validated by forked workers over ranges of the file (PostgreSQL): the same dossiers, rollup
and reports as on one core, and any error or a code in two ranges sends the import back to one core."""

import csv
import io
import random

import pytest
from django.db import connection

from tinhso.core.exceptions import ImportFailed
from tinhso.dossiers import importing, stats_rollup
from tinhso.dossiers.importing import ALL_COLUMNS, dossiers_import_file
from tinhso.dossiers.models import Dossier

from .test_importing import catalogue  # noqa: F401
from .test_importing_rollup import _generated_rows
from .test_stats_rollup import _rows

COMPARED = ["code", "procedure_id", "receiving_agency_id", "channel", "status", "received_at", "due_at",
            "resolved_at", "timeliness", "returned_at", "withdrawn_at", "refused_at", "stopped_at",
            "supplement_requested_at", "supplemented_at", "due_before_pause_at", "paused_at", "imported"]


@pytest.fixture
def parallel(monkeypatch):
    """Two workers from ten lines on, and a count of the COPYs they fed."""
    if connection.vendor != "postgresql":
        pytest.skip("the workers feed PostgreSQL's COPY; SQLite imports on one core")
    monkeypatch.setattr(importing, "PARALLEL_IMPORT_LINES", 10)
    monkeypatch.setenv("TINHSO_IMPORT_WORKERS", "2")
    calls = []
    original = importing._copy_parallel

    def counted(*args, **kwargs):
        calls.append(args[2].split(" ")[1])
        return original(*args, **kwargs)

    monkeypatch.setattr(importing, "_copy_parallel", counted)
    return calls


def _file(tmp_path, rows, name="history.csv"):
    path = tmp_path / name
    path.write_text("\n".join([",".join(ALL_COLUMNS), *rows]) + "\n", encoding="utf-8")
    return path


def _stored():
    return list(Dossier.objects.order_by("code").values_list(*COMPARED))


@pytest.fixture
def rows():
    return _generated_rows(random.Random(5), range(400))


def test_a_parallel_first_import_and_re_import_equal_one_core(catalogue, parallel, tmp_path, monkeypatch, rows):  # noqa: F811
    path = _file(tmp_path, rows)
    result = dossiers_import_file(actor=None, path=path)
    assert parallel == ["dossiers_dossier"]
    assert (result.rows, result.created) == (400, 400)
    in_parallel, rollup = _stored(), _rows()
    stats_rollup.rollup_rebuild()
    assert _rows() == rollup
    again = dossiers_import_file(actor=None, path=path)  # the staging table, filled by the workers
    assert parallel == ["dossiers_dossier", "tinhso_dossier_import"]
    assert (again.created, again.updated, again.unchanged) == (0, 0, 400)
    Dossier.objects.all().delete()
    monkeypatch.setenv("TINHSO_IMPORT_WORKERS", "1")
    one_core = dossiers_import_file(actor=None, path=path)
    assert len(parallel) == 2 and one_core.created == 400
    assert _stored() == in_parallel
    assert _rows() == rollup


def _report(path):
    with pytest.raises(ImportFailed) as failed:
        dossiers_import_file(actor=None, path=path)
    return failed.value.line_errors


def test_errors_in_both_ranges_and_a_code_in_two_ranges_are_reported_as_on_one_core(catalogue, parallel,  # noqa: F811
                                                                                    tmp_path, monkeypatch, rows):
    bad = list(rows)
    bad[10] = bad[10].replace("1.001193", "9.999999")
    bad[350] = bad[350].replace(",online,", ",fax,").replace(",direct,", ",fax,").replace(",postal,", ",fax,")
    twice = [*rows[:-1], rows[2]]  # the last line repeats line 4's code
    reports = [_report(_file(tmp_path, bad, "bad.csv")), _report(_file(tmp_path, twice, "twice.csv"))]
    # Each tried in parallel, then done again on one core; the code in two ranges fails the COPY into the dossier
    # table (its unique index), then the check of the staging table the workers fill.
    assert parallel == ["dossiers_dossier", "dossiers_dossier", "tinhso_dossier_import"]
    monkeypatch.setenv("TINHSO_IMPORT_WORKERS", "1")
    assert reports == [_report(tmp_path / "bad.csv"), _report(tmp_path / "twice.csv")]
    assert [line for line, _ in reports[0]] == [12, 352]
    assert reports[1][0][0] == 401 and "trùng với dòng 4" in reports[1][0][1]
    assert not Dossier.objects.exists()


def test_ranges_start_at_line_ends_outside_quoted_fields(tmp_path, monkeypatch):
    monkeypatch.setattr(importing, "PARALLEL_IMPORT_LINES", 1)
    lines = [",".join(ALL_COLUMNS)]
    for n in range(300):  # every third row has a quoted field spanning lines, with quotes inside it
        note = f'"a ""quoted""\nnote {n}\n"' if n % 3 == 0 else f"note {n}"
        lines.append(",".join([f"C-{n}", note, *[""] * (len(ALL_COLUMNS) - 2)]))
    text = "\n".join(lines) + "\n"
    path = tmp_path / "quoted.csv"
    path.write_text(text, encoding="utf-8")
    for workers in (2, 3, 7):
        newlines, split = importing._scan_csv(path, workers)
        assert newlines == text.count("\n") and split is not None and len(split.ranges) == workers
        records = []
        for start, end, before in split.ranges:
            assert text.encode()[:start].count(b"\n") == before
            records += importing._csv_values(csv.reader(importing._range_lines(path, start, end)), split.layout,
                                             before)
        assert records == list(importing._csv_records(io.StringIO(text, newline="")))


def test_a_failing_worker_sends_the_import_to_one_core(catalogue, parallel, tmp_path, rows):  # noqa: F811
    """Bytes that are not UTF-8 near the end fail the second worker; one core then reports the file as not text."""
    path = _file(tmp_path, rows)
    path.write_bytes(path.read_bytes() + b"G56-99999,1.001193,\xff\xfe,online\n")
    with pytest.raises(ImportFailed) as failed:
        dossiers_import_file(actor=None, path=path)
    assert "UTF-8" in failed.value.message and parallel == ["dossiers_dossier"]
    assert not Dossier.objects.exists()


def test_an_import_holds_the_import_lock_until_its_transaction_ends(catalogue, tmp_path, rows):  # noqa: F811
    """Imports run one at a time (a second waits for the first's commit): the advisory lock is taken in the
    import's transaction and still held after it returns inside the test's."""
    if connection.vendor != "postgresql":
        pytest.skip("SQLite runs one writing transaction at a time anyway")
    dossiers_import_file(actor=None, path=_file(tmp_path, rows[:5]))
    with connection.cursor() as cursor:
        cursor.execute("SELECT COUNT(*) FROM pg_locks WHERE locktype = 'advisory' AND pid = pg_backend_pid() "
                       "AND ((classid::bigint << 32) | objid::bigint) = %s", [importing.IMPORT_LOCK])
        assert cursor.fetchone()[0] == 1
