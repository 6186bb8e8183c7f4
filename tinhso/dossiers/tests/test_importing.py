"""Bulk import of dossier history: validation by line, all or nothing, idempotent upserts, one audit event."""

import hashlib
import json
import re
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
from django.core.management import CommandError, call_command

from tinhso.audit.models import AuditEvent
from tinhso.core.exceptions import ImportFailed, ValidationError
from tinhso.dossiers.choices import Channel, Status, Timeliness
from tinhso.dossiers.importing import COLUMNS, dossiers_import_content, dossiers_import_file
from tinhso.dossiers.models import Dossier
from tinhso.dossiers.services import classify_timeliness

from .test_statistics import make_dossier, make_procedure

VN = ZoneInfo("Asia/Ho_Chi_Minh")
HEADER = ",".join(COLUMNS)
AGENCY = "000.00.03.H56"
# A dossier resolved a day early, one resolved on its due day before the due time, one late, one returned, one
# withdrawn, one refused at the counter and one still being handled.
GOOD_ROWS = [
    f"H56-0001,1.001193,{AGENCY},online,2026-03-02T09:00:00+07:00,2026-03-05T09:00:00+07:00,"
    "2026-03-04T15:00:00+07:00,,,resolved",
    f"H56-0002,1.001193,{AGENCY},direct,2026-03-02T09:00:00+07:00,2026-03-05T17:00:00+07:00,"
    "2026-03-05T10:00:00+07:00,,,resolved",
    f"H56-0003,1.001193,{AGENCY},postal,2026-03-02T09:00:00+07:00,2026-03-05T09:00:00+07:00,"
    "2026-03-05T03:00:00+00:00,2026-03-06T08:00:00+07:00,,returned",
    f"H56-0004,1.001193,{AGENCY},direct,2026-03-02T09:00:00+07:00,,,,2026-03-03T08:00:00+07:00,withdrawn",
    f"H56-0005,1.001193,{AGENCY},online,2026-03-02T21:00:00+07:00,,,,,refused",
    f"H56-0006,1.001193,{AGENCY},online,2026-03-02T09:00:00+07:00,2026-03-20T09:00:00+07:00,,,,pending",
]


def csv_bytes(rows: list[str]) -> bytes:
    return ("\n".join([HEADER, *rows]) + "\n").encode()


@pytest.fixture
def catalogue(world):
    make_procedure(agencies=[world.justice])
    return world


@pytest.mark.smoke
def test_import_maps_statuses_and_classifies_timeliness(catalogue):
    result = dossiers_import_content(actor=None, content=csv_bytes(GOOD_ROWS), name="lich-su.csv")

    assert (result.rows, result.created, result.updated) == (6, 6, 0)
    got = {d.code: d for d in Dossier.objects.all()}
    assert got["H56-0001"].status == Status.APPROVED and got["H56-0001"].timeliness == Timeliness.EARLY
    assert got["H56-0002"].timeliness == Timeliness.ON_TIME
    assert got["H56-0003"].status == Status.RETURNED and got["H56-0003"].timeliness == Timeliness.LATE
    assert got["H56-0003"].returned_at == datetime(2026, 3, 6, 8, tzinfo=VN)
    assert got["H56-0004"].status == Status.WITHDRAWN and got["H56-0004"].withdrawn_at is not None
    assert got["H56-0005"].status == Status.REFUSED and got["H56-0005"].received_at is None
    assert got["H56-0005"].refused_at == datetime(2026, 3, 2, 21, tzinfo=VN)
    assert got["H56-0006"].status == Status.RECEIVED and got["H56-0006"].timeliness == ""
    first = got["H56-0001"]
    assert first.imported and first.channel == Channel.ONLINE
    assert first.receiving_agency == catalogue.justice and first.handling_agency == catalogue.justice
    assert first.due_at == datetime(2026, 3, 5, 9, tzinfo=VN)  # kept as recorded, not recomputed
    assert first.procedure.code == "1.001193" and first.form_data == {}


@pytest.mark.smoke
def test_timeliness_of_imported_rows_is_the_lifecycle_rule(catalogue):
    dossiers_import_content(actor=None, content=csv_bytes(GOOD_ROWS), name="lich-su.csv")
    for dossier in Dossier.objects.filter(resolved_at__isnull=False):
        assert dossier.timeliness == classify_timeliness(dossier.resolved_at, dossier.due_at)


@pytest.mark.smoke
def test_malformed_csv_row_gets_a_line_numbered_error_and_nothing_is_written(catalogue):
    rows = [*GOOD_ROWS[:2], "H56-0009,1.001193,000.00.03.H56,online,2026-03-02T09:00:00+07:00", *GOOD_ROWS[2:]]
    with pytest.raises(ImportFailed) as exc:
        dossiers_import_content(actor=None, content=csv_bytes(rows), name="lich-su.csv")
    assert exc.value.line_errors == [(4, "Dòng có 5 cột, tiêu đề có 10 cột.")]
    assert "chưa nạp dòng nào" in exc.value.message
    assert not Dossier.objects.exists()
    assert not AuditEvent.objects.filter(action="dossiers.dossier.import").exists()


BAD = {
    "unknown procedure": (f"X-1,9.999999,{AGENCY},online,2026-03-02T09:00:00+07:00,2026-03-05T09:00:00+07:00,,,,"
                          "pending", "không có thủ tục mã “9.999999”"),
    "unknown agency": ("X-1,1.001193,000.00.77.H56,online,2026-03-02T09:00:00+07:00,2026-03-05T09:00:00+07:00,,,,"
                       "pending", "không có cơ quan mã định danh “000.00.77.H56”"),
    "bad channel": (f"X-1,1.001193,{AGENCY},email,2026-03-02T09:00:00+07:00,2026-03-05T09:00:00+07:00,,,,pending",
                    "kênh “email” không hợp lệ"),
    "bad status": (f"X-1,1.001193,{AGENCY},online,2026-03-02T09:00:00+07:00,2026-03-05T09:00:00+07:00,,,,done",
                   "trạng thái “done” không hợp lệ"),
    "unparsable timestamp": (f"X-1,1.001193,{AGENCY},online,02/03/2026 09:00,2026-03-05T09:00:00+07:00,,,,pending",
                             "received_at “02/03/2026 09:00” không phải thời điểm ISO 8601"),
    "timestamp without offset": (f"X-1,1.001193,{AGENCY},online,2026-03-02T09:00:00,2026-03-05T09:00:00+07:00,,,,"
                                 "pending", "received_at “2026-03-02T09:00:00” thiếu múi giờ"),
    "resolved without resolved_at": (f"X-1,1.001193,{AGENCY},online,2026-03-02T09:00:00+07:00,"
                                     "2026-03-05T09:00:00+07:00,,,,resolved", "trạng thái resolved cần resolved_at"),
    "pending with resolved_at": (f"X-1,1.001193,{AGENCY},online,2026-03-02T09:00:00+07:00,2026-03-05T09:00:00+07:00,"
                                 "2026-03-03T09:00:00+07:00,,,pending", "trạng thái pending không được có resolved_at"),
    "resolved before received": (f"X-1,1.001193,{AGENCY},online,2026-03-02T09:00:00+07:00,"
                                 "2026-03-05T09:00:00+07:00,2026-03-01T09:00:00+07:00,,,resolved",
                                 "resolved_at trước received_at"),
    "missing due_at": (f"X-1,1.001193,{AGENCY},online,2026-03-02T09:00:00+07:00,,,,,pending",
                       "trạng thái pending cần hạn giải quyết (due_at)"),
}


@pytest.mark.smoke
@pytest.mark.parametrize("case", sorted(BAD))
def test_each_invalid_row_is_explained_by_line(catalogue, case):
    row, message = BAD[case]
    with pytest.raises(ImportFailed) as exc:
        dossiers_import_content(actor=None, content=csv_bytes([GOOD_ROWS[0], row]), name="lich-su.csv")
    [(line, text)] = exc.value.line_errors
    assert line == 3
    assert message in text
    assert not Dossier.objects.exists()


@pytest.mark.smoke
def test_a_code_repeated_within_the_file_is_an_error(catalogue):
    with pytest.raises(ImportFailed) as exc:
        dossiers_import_content(actor=None, content=csv_bytes([GOOD_ROWS[0], GOOD_ROWS[1], GOOD_ROWS[0]]),
                                name="lich-su.csv")
    assert exc.value.line_errors == [(4, "mã hồ sơ H56-0001 trùng với dòng 2.")]


@pytest.mark.smoke
def test_missing_columns_and_wrong_suffix_are_refused(catalogue):
    with pytest.raises(ImportFailed) as exc:
        dossiers_import_content(actor=None, content=b"code,status\nX,pending\n", name="a.csv")
    assert exc.value.line_errors[0][0] == 1 and "procedure_code" in exc.value.line_errors[0][1]
    with pytest.raises(ValidationError):
        dossiers_import_content(actor=None, content=csv_bytes(GOOD_ROWS), name="a.xlsx")
    with pytest.raises(ImportFailed):
        dossiers_import_content(actor=None, content=HEADER.encode() + b"\n", name="a.csv")


@pytest.mark.smoke
def test_reimporting_the_same_codes_is_idempotent(catalogue):
    content = csv_bytes(GOOD_ROWS)
    dossiers_import_content(actor=None, content=content, name="lich-su.csv")
    before = {d["code"]: d for d in Dossier.objects.values()}
    again = dossiers_import_content(actor=None, content=content, name="lich-su.csv")
    after = {d["code"]: d for d in Dossier.objects.values()}
    assert (again.created, again.updated, again.unchanged) == (0, 0, 6)
    assert before == after  # not even updated_at: identical rows are not rewritten


@pytest.mark.smoke
def test_reimport_updates_a_changed_row(catalogue):
    dossiers_import_content(actor=None, content=csv_bytes(GOOD_ROWS), name="lich-su.csv")
    changed = GOOD_ROWS[5].replace(",,,,pending", ",2026-03-25T09:00:00+07:00,,,resolved")
    result = dossiers_import_content(actor=None, content=csv_bytes([changed]), name="bo-sung.csv")
    assert (result.created, result.updated, result.unchanged) == (0, 1, 0)
    dossier = Dossier.objects.get(code="H56-0006")
    assert dossier.status == Status.APPROVED and dossier.timeliness == Timeliness.LATE
    assert Dossier.objects.count() == 6


@pytest.mark.smoke
def test_import_never_overwrites_a_dossier_handled_on_the_platform(catalogue):
    live = make_dossier(agency=catalogue.justice, received_at=datetime(2026, 3, 1, 9, tzinfo=VN))
    row = GOOD_ROWS[0].replace("H56-0001", live.code)
    with pytest.raises(ImportFailed) as exc:
        dossiers_import_content(actor=None, content=csv_bytes([GOOD_ROWS[1], row]), name="lich-su.csv")
    assert exc.value.line_errors[0][0] == 3 and live.code in exc.value.line_errors[0][1]
    assert Dossier.objects.count() == 1


@pytest.mark.smoke
def test_jsonl_files_are_imported_too(catalogue, tmp_path):
    lines = []
    for row in GOOD_ROWS:
        lines.append(json.dumps(dict(zip(COLUMNS, row.split(","), strict=True))))
    lines.insert(2, "")
    path = tmp_path / "lich-su.jsonl"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    assert dossiers_import_file(actor=None, path=path).rows == 6
    path.write_text(lines[0] + "\n{not json\n", encoding="utf-8")
    with pytest.raises(ImportFailed) as exc:
        dossiers_import_file(actor=None, path=path)
    assert exc.value.line_errors == [(2, "Dòng không phải JSON hợp lệ.")]


@pytest.mark.smoke
def test_one_audit_event_per_import_with_counts_and_checksum(catalogue):
    content = csv_bytes(GOOD_ROWS)
    dossiers_import_content(actor=catalogue.users["province_admin"], content=content, name="lich-su.csv")
    [event] = AuditEvent.objects.filter(action="dossiers.dossier.import")
    assert event.changes["sha256"] == hashlib.sha256(content).hexdigest()
    assert (event.changes["rows"], event.changes["created"]) == (6, 6)
    assert event.actor_id == catalogue.users["province_admin"].pk
    assert "Nhập 6 hồ sơ từ hệ thống cũ (6 mới, 0 cập nhật, 0 không đổi)" in event.summary


@pytest.mark.smoke
def test_import_command_loads_a_file_and_reports_line_errors(catalogue, tmp_path, capsys):
    good = tmp_path / "lich-su.csv"
    good.write_bytes(csv_bytes(GOOD_ROWS))
    call_command("import_dossiers", str(good))
    out = capsys.readouterr().out
    # Vietnamese numbers: a comma before decimals, the list's commas kept.
    assert re.search(r"Đã nhập 6 hồ sơ \(6 mới, 0 cập nhật, 0 không đổi\) trong \d+(,\d{1,2})? giây", out), out
    bad = tmp_path / "loi.csv"
    bad.write_bytes(csv_bytes([GOOD_ROWS[0].replace("online", "fax")]))
    with pytest.raises(CommandError) as exc:
        call_command("import_dossiers", str(bad))
    assert "Dòng 2: kênh “fax” không hợp lệ" in str(exc.value)
    with pytest.raises(CommandError):
        call_command("import_dossiers", str(tmp_path / "khong-co.csv"))


def _foreign_keys() -> list[str]:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_get_constraintdef(oid) FROM pg_constraint WHERE conrelid = 'dossiers_dossier'::regclass "
                       "AND contype = 'f' ORDER BY conname")
        return [row[0] for row in cursor.fetchall()]


def test_a_large_import_checks_foreign_keys_once_and_keeps_them(catalogue, monkeypatch):
    from django.db import connection

    if connection.vendor != "postgresql":
        pytest.skip("foreign keys are suspended only on PostgreSQL")
    from tinhso.dossiers import importing

    before = _foreign_keys()
    monkeypatch.setattr(importing, "LARGE_IMPORT_LINES", 3)
    result = dossiers_import_content(actor=None, content=csv_bytes(GOOD_ROWS), name="lich-su.csv")
    assert result.created == len(GOOD_ROWS)
    assert _foreign_keys() == before and len(before) >= 3
    bad = csv_bytes([*GOOD_ROWS[:2], GOOD_ROWS[2].replace("1.001193", "9.999999")])
    with pytest.raises(ImportFailed):
        dossiers_import_content(actor=None, content=bad, name="loi.csv")
    assert _foreign_keys() == before
