import json

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from tinhso.audit.models import AuditEvent
from tinhso.core.exceptions import ImportFailed, PermissionDenied
from tinhso.procedures import services
from tinhso.procedures.demo import DEMO_FILE, load_demo_procedures
from tinhso.procedures.models import Procedure, ProcedureField
from tinhso.procedures.services import procedures_import, procedures_import_file

from .records import BIRTH, CERTIFY, CRIMINAL_RECORD, catalogue_records, record


def _nothing_written():
    assert Procedure.objects.count() == 0
    assert ProcedureField.objects.count() == 0
    assert not AuditEvent.objects.filter(action__startswith="procedures.").exists()


def _json_file(records) -> bytes:
    return json.dumps(records, ensure_ascii=False, indent=2).encode()


@pytest.mark.smoke
def test_province_admin_imports_catalogue_with_fields_papers_form_and_agencies(world):
    counts = procedures_import(actor=world.users["province_admin"], records=catalogue_records())
    assert counts == {"created": 4, "updated": 0, "unchanged": 0, "fields_created": 4}
    birth = Procedure.objects.get(code="1.001193")
    assert birth.field.code == "ho-tich" and birth.field.name == "Hộ tịch"
    assert [(p.position, p.name, p.originals, p.copies) for p in birth.papers.all()] == [
        (1, "Tờ khai đăng ký khai sinh theo mẫu", 1, 0), (2, "Giấy chứng sinh", 1, 0)]
    assert [(f.name, f.field_type, f.required, f.choices) for f in birth.form_fields.all()] == [
        ("child_full_name", "text", True, []), ("child_sex", "select", True, ["Nam", "Nữ"])]
    assert sorted(birth.agencies.values_list("identifier_code", flat=True)) == ["000.01.50.H56", "000.02.50.H56"]
    certify = Procedure.objects.get(code="2.000908")
    assert (certify.processing_time, certify.processing_time_unit) == (8, "hours")
    event = AuditEvent.objects.get(action="procedures.procedure.create", object_label="Đăng ký khai sinh")
    assert event.actor_id == world.users["province_admin"].pk
    assert AuditEvent.objects.filter(action="procedures.field.create").count() == 4


@pytest.mark.smoke
def test_unknown_agency_code_refuses_the_whole_file_with_its_line(world):
    records = [record(BIRTH), record(CERTIFY, agencies=["000.00.99.H56"])]
    content = _json_file(records)
    with pytest.raises(ImportFailed) as exc:
        procedures_import_file(actor=world.users["province_admin"], content=content, filename="tthc.json")
    second_record_line = [n for n, text in enumerate(content.decode().splitlines(), start=1) if text == "  {"][1]
    assert len(exc.value.line_errors) == 1
    line, message = exc.value.line_errors[0]
    assert line == second_record_line
    assert "Thủ tục thứ 2 (mã 2.000908)" in message
    assert "agencies: Không có cơ quan mã định danh “000.00.99.H56”" in message
    _nothing_written()


@pytest.mark.smoke
def test_bad_online_level_and_missing_name_are_reported_per_field(world):
    records = [record(BIRTH, online_level="muc_do_4"), record(CERTIFY, name="  ")]
    with pytest.raises(ImportFailed) as exc:
        procedures_import(actor=world.users["province_admin"], records=records)
    (line1, msg1), (line2, msg2) = exc.value.line_errors
    assert (line1, line2) == (1, 2)
    assert "online_level: Mức độ trực tuyến “muc_do_4” không hợp lệ" in msg1
    assert "name: Tên thủ tục không được để trống." in msg2
    assert "chưa nhập thủ tục nào" in exc.value.message
    _nothing_written()


@pytest.mark.smoke
def test_duplicate_code_in_file_writes_nothing(world):
    records = catalogue_records() + [record(BIRTH, name="Đăng ký khai sinh (bản trùng)")]
    with pytest.raises(ImportFailed) as exc:
        procedures_import(actor=world.users["province_admin"], records=records)
    assert exc.value.line_errors == [
        (5, "Thủ tục thứ 5 (mã 1.001193): code: Mã thủ tục 1.001193 trùng với thủ tục thứ 1 trong tệp.")]
    _nothing_written()


def test_malformed_values_are_each_named(world):
    bad = record(CERTIFY, levels=["district"], processing_time={"value": "ba", "unit": "weeks"},
                 fee_amount=-5, papers=[{"name": "", "originals": 1.5}],
                 form_fields=[{"name": "Họ tên", "label": "Họ tên", "type": "select", "required": "có"}])
    with pytest.raises(ImportFailed) as exc:
        procedures_import(actor=world.users["province_admin"], records=[bad, "không phải đối tượng"])
    (_, message), (_, second) = exc.value.line_errors
    for expected in ("levels:", "processing_time.unit:", "processing_time.value:", "fee_amount:", "papers[1].name:",
                     "papers[1].originals:", "form_fields[1].name:", "form_fields[1].required:",
                     "form_fields[1].choices:"):
        assert expected in message
    assert "Mỗi thủ tục phải là một đối tượng JSON." in second
    _nothing_written()


@pytest.mark.smoke
def test_officer_may_not_import_procedures(world):
    with pytest.raises(PermissionDenied):
        procedures_import(actor=world.users["processing_officer"], records=catalogue_records())
    _nothing_written()


def test_reimport_updates_changed_procedures_and_audits_the_changes(catalogue):
    admin = catalogue.users["province_admin"]
    records = catalogue_records()
    records[0]["processing_time"] = {"value": 3, "unit": "working_days"}
    records[0]["papers"].append({"name": "Văn bản ủy quyền", "originals": 1, "copies": 0})
    counts = procedures_import(actor=admin, records=records)
    assert counts == {"created": 0, "updated": 1, "unchanged": 3, "fields_created": 0}
    birth = Procedure.objects.get(code="1.001193")
    assert birth.processing_time == 3 and birth.papers.count() == 3
    event = AuditEvent.objects.get(action="procedures.procedure.update")
    assert event.changes["processing_time"] == [1, 3]
    assert set(event.changes) == {"processing_time", "papers"}


@pytest.mark.smoke
def test_json_export_imports_back_to_the_same_catalogue(catalogue):
    admin = catalogue.users["province_admin"]
    exported = services.procedures_export_json()
    assert procedures_import_file(actor=admin, content=exported.encode(), filename="tthc.json")["unchanged"] == 4
    Procedure.objects.all().delete()
    counts = procedures_import_file(actor=admin, content=exported.encode(), filename="tthc.json")
    assert counts["created"] == 4
    assert services.procedures_export_json() == exported
    assert json.loads(exported)[0]["agencies"] == ["000.00.03.H56"]


@pytest.mark.smoke
def test_csv_export_imports_back_to_the_same_catalogue(catalogue):
    admin = catalogue.users["province_admin"]
    exported = services.procedures_export_csv()
    header, first = exported.splitlines()[:2]
    assert header.startswith("code,name,field,levels,agencies,legal_basis,processing_time,processing_time_unit")
    assert "Luật Lý lịch tư pháp năm 2009" in first
    assert procedures_import_file(actor=admin, content=exported.encode(), filename="tthc.csv")["unchanged"] == 4
    Procedure.objects.all().delete()
    assert procedures_import_file(actor=admin, content=exported.encode(), filename="tthc.csv")["created"] == 4
    assert services.procedures_export_csv() == exported
    birth = Procedure.objects.get(code="1.001193")
    assert sorted(birth.agencies.values_list("identifier_code", flat=True)) == ["000.01.50.H56", "000.02.50.H56"]
    # A step containing "|" survives (written as a JSON array).
    assert Procedure.objects.get(code="1.000775").steps == CRIMINAL_RECORD["steps"]


def test_csv_row_errors_cite_the_file_line(world):
    content = ("code,name,field,levels,agencies,processing_time,processing_time_unit,online_level,papers\n"
               "1.000001,Thủ tục một,Hộ tịch,commune,000.01.50.H56,5,working_days,khong,[]\n"
               "1.000002,Thủ tục hai,Hộ tịch,commune,000.01.50.H56,năm,working_days,khong,[]\n"
               "1.000003,Thủ tục ba,Hộ tịch,commune,000.01.50.H56,5,working_days,khong,[{\"name\":\n").encode()
    with pytest.raises(ImportFailed) as exc:
        procedures_import_file(actor=world.users["province_admin"], content=content, filename="tthc.csv")
    assert [line for line, _ in exc.value.line_errors] == [4]
    assert "papers" in exc.value.line_errors[0][1]
    fixed = content.replace(b'[{"name":\n', b"[]\n")
    with pytest.raises(ImportFailed) as exc:
        procedures_import_file(actor=world.users["province_admin"], content=fixed, filename="tthc.csv")
    assert [line for line, _ in exc.value.line_errors] == [3]
    assert "processing_time.value: Thời hạn giải quyết phải là số nguyên." in exc.value.line_errors[0][1]
    _nothing_written()


def test_only_json_and_csv_files_are_accepted(world):
    from tinhso.core.exceptions import ValidationError
    with pytest.raises(ValidationError) as exc:
        procedures_import_file(actor=None, content=b"x", filename="tthc.xlsx")
    assert exc.value.field_errors == {"file": ["Chỉ nhận tệp .json hoặc .csv."]}
    with pytest.raises(ImportFailed) as exc:
        procedures_import_file(actor=None, content=b'[{"code": "1.1",\n  "name": }]', filename="tthc.json")
    assert exc.value.line_errors[0][0] == 2


def test_command_prints_a_summary_or_a_line_numbered_report(world, tmp_path, capsys):
    good = tmp_path / "tthc.json"
    good.write_bytes(_json_file(catalogue_records()))
    call_command("procedures_import", str(good))
    assert "4 thủ tục mới" in capsys.readouterr().out
    bad = tmp_path / "loi.json"
    bad.write_bytes(_json_file([record(BIRTH, code="1.999999", online_level="x")]))
    with pytest.raises(CommandError) as exc:
        call_command("procedures_import", str(bad))
    assert "Dòng 2: Thủ tục thứ 1 (mã 1.999999)" in str(exc.value)
    assert not Procedure.objects.filter(code="1.999999").exists()


@pytest.mark.smoke
def test_demo_catalogue_loads_with_agency_keys(world):
    keys = {key for rec in json.loads(DEMO_FILE.read_text(encoding="utf-8")) for key in rec["agencies"]}
    agencies_by_key = {key: world.justice for key in keys - {"ubnd_xa", "cong_an_tinh"}}  # one key missing: skipped
    communes = [world.commune_committee, world.other_commune_committee]
    counts = load_demo_procedures(agencies_by_key=agencies_by_key, commune_agencies=communes)
    assert counts["created"] >= 60 and counts["fields_created"] >= 9
    birth = Procedure.objects.get(name="Đăng ký khai sinh")
    assert set(birth.agencies.all()) == set(communes)
