"""Every write to the procedure catalogue: import (JSON, CSV) and the matching exports.

A record has the shape of `data/demo_procedures.json`:

    {"code": "1.001193", "name": "Đăng ký khai sinh", "field": "Hộ tịch", "levels": ["commune"],
     "agencies": ["000.01.50.H56", ...], "legal_basis": ["Luật Hộ tịch năm 2014", ...],
     "processing_time": {"value": 1, "unit": "working_days"}, "fee_text": "...", "fee_amount": 0,
     "papers": [{"name": "Tờ khai ...", "originals": 1, "copies": 0}], "result": "...",
     "online_level": "toan_trinh",
     "form_fields": [{"name": "child_full_name", "label": "...", "type": "text", "required": true,
                      "choices": []}],
     "steps": ["..."],                                   # optional: trình tự thực hiện
     "fees": [{"name": "...", "kind": "phi", "amount": 8000, ...}],  # optional: see procedures.fees
     "fee_pay_first": false,                             # optional: the fee is paid at submission
     "keywords": ["làm giấy khai sinh"]}                 # optional: citizens' words for the search

`agencies` holds agency identifier codes; the demo passes an `agency_resolver` to use its own agency keys.

CSV (UTF-8, one row per procedure, header = CSV_COLUMNS):
- `processing_time` (integer) and `processing_time_unit` (working_days | hours) are two columns;
- the simple lists `levels`, `agencies`, `legal_basis`, `steps` are joined with " | "; a list whose items contain
  "|" is written as a JSON array instead (a cell starting with "[" is read as JSON);
- the structured lists `papers` and `form_fields` are JSON arrays of the objects above.
Export then import gives back the same catalogue.

An import creates or updates procedures by code (procedures missing from the file are left alone), validates
every record first and writes all of them or none.
"""

import csv
import io
import json
import re
from collections.abc import Callable, Iterable
from typing import Any

from django.db import transaction

from tinhso.accounts.scoping import is_province_admin
from tinhso.audit.services import Entry, audit_record, audit_record_many, diff, object_ref
from tinhso.core.exceptions import ImportFailed, NotFound, PermissionDenied, ValidationError
from tinhso.core.exports import SafeDictReader, csv_writer
from tinhso.core.text import fold
from tinhso.org.models import Agency

from .choices import FormFieldType, ImplementingLevel, OnlineLevel, TimeUnit
from .fees import clean_fees
from .models import Procedure, ProcedureField, ProcedureFormField, ProcedurePaper, SearchSynonym

MAX_IMPORT_BYTES = 5 * 1024 * 1024
CSV_COLUMNS = ["code", "name", "field", "levels", "agencies", "legal_basis", "processing_time",
               "processing_time_unit", "fee_text", "fee_amount", "papers", "result", "online_level",
               "form_fields", "steps", "keywords", "fees", "fee_pay_first"]
_SIMPLE_LIST_COLUMNS = ("levels", "agencies", "legal_basis", "steps", "keywords")
_JSON_LIST_COLUMNS = ("papers", "form_fields", "fees")
_LIST_SEPARATOR = " | "
_CODE_RE = re.compile(r"^[0-9A-Za-z]+([.\-][0-9A-Za-z]+)*$")
_FORM_FIELD_NAME_RE = re.compile(r"^[a-z][a-z0-9_]*$")
MAX_WORKING_DAYS = 365
MAX_HOURS = 2000
MAX_PAPER_COUNT = 99

AgencyResolver = Callable[[str], "list[Agency] | None"]


# --- validation -------------------------------------------------------------------------------------------------

class _Problems:
    """Field-level problems of one record, in the order found."""

    def __init__(self):
        self.items: list[tuple[str, str]] = []

    def add(self, field: str, message: str) -> None:
        self.items.append((field, message))


def _text(rec: dict, key: str, problems: _Problems, *, required: bool, max_length: int, label: str,
          path: str = "") -> str:
    path = path or key
    value = rec.get(key)
    if value is None:
        value = ""
    if not isinstance(value, str):
        problems.add(path, f"{label} phải là chuỗi ký tự.")
        return ""
    value = value.strip()
    if "\x00" in value:
        problems.add(path, f"{label} chứa ký tự không hợp lệ (NUL).")
        return ""
    if required and not value:
        problems.add(path, f"{label} không được để trống.")
    elif len(value) > max_length:
        problems.add(path, f"{label} dài quá {max_length} ký tự.")
    return value


def _integer(value: Any, key: str, problems: _Problems, *, label: str, minimum: int = 0,
             maximum: int | None = None) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        problems.add(key, f"{label} phải là số nguyên.")
        return 0
    if value < minimum or (maximum is not None and value > maximum):
        bound = f"từ {minimum} đến {maximum}" if maximum is not None else f"không nhỏ hơn {minimum}"
        problems.add(key, f"{label} phải {bound} (đang là {value}).")
    return value


def _string_list(rec: dict, key: str, problems: _Problems, *, label: str, max_length: int = 500,
                 path: str = "") -> list[str]:
    path = path or key
    value = rec.get(key)
    if value is None:
        return []
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        problems.add(path, f"{label} phải là danh sách chuỗi ký tự.")
        return []
    if any("\x00" in v for v in value):
        problems.add(path, f"{label} chứa ký tự không hợp lệ (NUL).")
        return []
    items = [v.strip() for v in value if v.strip()]
    for item in items:
        if len(item) > max_length:
            problems.add(path, f"{label}: “{item[:40]}…” dài quá {max_length} ký tự.")
    return items


def _validate_record(rec: Any, resolve: AgencyResolver) -> tuple[dict, list[Agency], list[tuple[str, str]]]:
    """Clean one record; returns (fields, agencies, problems)."""
    problems = _Problems()
    if not isinstance(rec, dict):
        problems.add("", "Mỗi thủ tục phải là một đối tượng JSON.")
        return {}, [], problems.items
    code = _text(rec, "code", problems, required=True, max_length=40, label="Mã thủ tục")
    if code and len(code) <= 40 and not _CODE_RE.match(code):
        problems.add("code", f"Mã thủ tục “{code}” chỉ gồm chữ, số, dấu chấm hoặc gạch ngang (ví dụ 1.001193).")
    name = _text(rec, "name", problems, required=True, max_length=500, label="Tên thủ tục")
    field_name = _text(rec, "field", problems, required=True, max_length=150, label="Lĩnh vực")
    if field_name and not fold(field_name):
        problems.add("field", "Tên lĩnh vực phải có chữ hoặc số.")

    levels = rec.get("levels")
    if not isinstance(levels, list) or not levels:
        problems.add("levels", "Cấp thực hiện phải là danh sách khác rỗng (province, commune).")
        levels = []
    else:
        bad = [str(v) for v in levels if v not in ImplementingLevel.values]
        if bad:
            problems.add("levels", f"Cấp thực hiện “{', '.join(bad)}” không hợp lệ; dùng: "
                                   f"{', '.join(ImplementingLevel.values)}.")
        levels = [v for v in ImplementingLevel.values if v in levels]  # canonical order, no duplicates

    agencies: list[Agency] = []
    agency_keys = _string_list(rec, "agencies", problems, label="Cơ quan thực hiện", max_length=100)
    for key in dict.fromkeys(agency_keys):
        found = resolve(key)
        if found is None:
            problems.add("agencies", f"Không có cơ quan mã định danh “{key}”.")
        else:
            agencies.extend(found)

    legal_basis = _string_list(rec, "legal_basis", problems, label="Căn cứ pháp lý")
    steps = _string_list(rec, "steps", problems, label="Trình tự thực hiện", max_length=2000)
    keywords = _string_list(rec, "keywords", problems, label="Từ khóa tìm kiếm", max_length=200)

    time_value, time_unit = 0, TimeUnit.WORKING_DAYS.value
    processing = rec.get("processing_time")
    if not isinstance(processing, dict):
        problems.add("processing_time", "Thời hạn giải quyết phải có dạng {\"value\": số, \"unit\": đơn vị}.")
    else:
        time_unit = processing.get("unit") or TimeUnit.WORKING_DAYS.value
        if time_unit not in TimeUnit.values:
            problems.add("processing_time.unit", f"Đơn vị thời hạn “{time_unit}” không hợp lệ; dùng: "
                                                 f"{', '.join(TimeUnit.values)}.")
        maximum = MAX_HOURS if time_unit == TimeUnit.HOURS else MAX_WORKING_DAYS
        time_value = _integer(processing.get("value"), "processing_time.value", problems,
                              label="Thời hạn giải quyết", minimum=1, maximum=maximum)

    fee_text = _text(rec, "fee_text", problems, required=False, max_length=500, label="Phí, lệ phí")
    fee_amount = _integer(rec.get("fee_amount", 0), "fee_amount", problems, label="Mức phí, lệ phí (đồng)",
                          maximum=10**12)
    fees = clean_fees(rec.get("fees"), problems.add)
    fee_pay_first = rec.get("fee_pay_first", False)
    if not isinstance(fee_pay_first, bool):
        problems.add("fee_pay_first", "Nộp phí trước (fee_pay_first) phải là true hoặc false.")
        fee_pay_first = False
    result = _text(rec, "result", problems, required=False, max_length=500, label="Kết quả")
    online_level = rec.get("online_level")
    if online_level not in OnlineLevel.values:
        problems.add("online_level", f"Mức độ trực tuyến “{online_level or ''}” không hợp lệ; dùng: "
                                     f"{', '.join(OnlineLevel.values)}.")

    papers = []
    raw_papers = rec.get("papers", [])
    if not isinstance(raw_papers, list):
        problems.add("papers", "Thành phần hồ sơ phải là danh sách.")
        raw_papers = []
    for i, paper in enumerate(raw_papers, start=1):
        key = f"papers[{i}]"
        if not isinstance(paper, dict):
            problems.add(key, "Mỗi giấy tờ phải là đối tượng {name, originals, copies}.")
            continue
        paper_name = _text(paper, "name", problems, required=True, max_length=500, label=f"Tên giấy tờ thứ {i}",
                           path=f"{key}.name")
        originals = _integer(paper.get("originals", 1), f"{key}.originals", problems,
                             label="Số bản chính", maximum=MAX_PAPER_COUNT)
        copies = _integer(paper.get("copies", 0), f"{key}.copies", problems,
                          label="Số bản sao", maximum=MAX_PAPER_COUNT)
        papers.append({"name": paper_name, "originals": originals, "copies": copies})

    form_fields = []
    raw_fields = rec.get("form_fields", [])
    if not isinstance(raw_fields, list):
        problems.add("form_fields", "Trường của tờ khai trực tuyến phải là danh sách.")
        raw_fields = []
    seen_names: set[str] = set()
    for i, ff in enumerate(raw_fields, start=1):
        key = f"form_fields[{i}]"
        if not isinstance(ff, dict):
            problems.add(key, "Mỗi trường phải là đối tượng {name, label, type, required, choices}.")
            continue
        ff_name = _text(ff, "name", problems, required=True, max_length=60, label=f"Tên trường thứ {i}",
                        path=f"{key}.name")
        if ff_name and not _FORM_FIELD_NAME_RE.match(ff_name):
            problems.add(f"{key}.name", f"Tên trường “{ff_name}” chỉ gồm chữ thường không dấu, số và dấu gạch dưới.")
        if ff_name in seen_names:
            problems.add(f"{key}.name", f"Tên trường “{ff_name}” bị lặp.")
        seen_names.add(ff_name)
        label = _text(ff, "label", problems, required=True, max_length=300, label=f"Nhãn trường thứ {i}",
                      path=f"{key}.label")
        field_type = ff.get("type")
        if field_type not in FormFieldType.values:
            problems.add(f"{key}.type", f"Kiểu trường “{field_type or ''}” không hợp lệ; dùng: "
                                        f"{', '.join(FormFieldType.values)}.")
        required = ff.get("required", False)
        if not isinstance(required, bool):
            problems.add(f"{key}.required", "Giá trị bắt buộc phải là true hoặc false.")
            required = False
        choices = _string_list(ff, "choices", problems, label=f"Lựa chọn của trường thứ {i}", max_length=200,
                               path=f"{key}.choices")
        if field_type == FormFieldType.SELECT and not choices:
            problems.add(f"{key}.choices", "Trường kiểu lựa chọn phải có ít nhất một lựa chọn.")
        form_fields.append({"name": ff_name, "label": label, "type": field_type, "required": required,
                            "choices": choices if field_type == FormFieldType.SELECT else []})

    fields = {
        "code": code, "name": name, "field": field_name, "levels": levels, "legal_basis": legal_basis,
        "steps": steps, "processing_time": time_value, "processing_time_unit": time_unit, "fee_text": fee_text,
        "fee_amount": fee_amount, "result": result, "online_level": online_level, "papers": papers,
        "form_fields": form_fields, "keywords": keywords, "fees": fees, "fee_pay_first": fee_pay_first,
    }
    return fields, agencies, problems.items


def _identifier_resolver(records: list) -> AgencyResolver:
    """Default: `agencies` holds identifier codes; look all of them up in one query."""
    codes = {code.strip().upper() for rec in records
             if isinstance(rec, dict) and isinstance(rec.get("agencies"), list)
             for code in rec["agencies"] if isinstance(code, str) and "\x00" not in code}
    by_code = {a.identifier_code: a for a in Agency.objects.filter(identifier_code__in=codes)}

    def resolve(code: str) -> list[Agency] | None:
        agency = by_code.get(code.strip().upper())
        return [agency] if agency else None

    return resolve


def _describe(index: int, rec: Any, problems: list[tuple[str, str]]) -> str:
    code = rec.get("code") if isinstance(rec, dict) else None
    code = "".join(ch for ch in code if ch.isprintable()).strip()[:40] if isinstance(code, str) else ""
    where = f"Thủ tục thứ {index}" + (f" (mã {code})" if code else "")
    details = "; ".join((f"{field}: {message}" if field else message).rstrip(".") for field, message in problems)
    return f"{where}: {details}."


# --- import -----------------------------------------------------------------------------------------------------

def _require_import_permission(actor) -> None:
    # actor None = the operator's command or the demo loader.
    if actor is not None and not is_province_admin(actor):
        raise PermissionDenied("Chỉ quản trị cấp tỉnh được nhập danh mục thủ tục hành chính.")


def _field_slug(name: str, taken: set[str]) -> str:
    base = fold(name).replace(" ", "-")[:70] or "linh-vuc"
    slug, n = base, 2
    while slug in taken:
        slug, n = f"{base}-{n}", n + 1
    return slug


def _snapshot(procedure: Procedure) -> dict:
    return {
        "name": procedure.name, "field": procedure.field.name, "levels": list(procedure.levels),
        "agencies": sorted(a.identifier_code for a in procedure.agencies.all()),
        "legal_basis": list(procedure.legal_basis), "steps": list(procedure.steps),
        "processing_time": procedure.processing_time, "processing_time_unit": procedure.processing_time_unit,
        "fee_text": procedure.fee_text, "fee_amount": procedure.fee_amount, "result": procedure.result,
        "online_level": procedure.online_level,
        "papers": [{"name": p.name, "originals": p.originals, "copies": p.copies} for p in procedure.papers.all()],
        "form_fields": [{"name": f.name, "label": f.label, "type": f.field_type, "required": f.required,
                         "choices": list(f.choices)} for f in procedure.form_fields.all()],
        "keywords": list(procedure.keywords), "fees": list(procedure.fees), "fee_pay_first": procedure.fee_pay_first,
    }


@transaction.atomic
def procedures_import(*, actor, records: list[dict], agency_resolver: AgencyResolver | None = None,
                      line_numbers: list[int] | None = None) -> dict[str, int]:
    """Create or update procedures from records; every record is validated first, all or nothing.

    `agency_resolver(key)` returns the agencies a key of `agencies` stands for, or None when unknown; the
    default resolves identifier codes. `line_numbers[i]` is the file line where record i starts (errors cite
    it); without it errors cite the record's position.
    """
    _require_import_permission(actor)
    if not isinstance(records, list):
        raise ImportFailed("Tệp phải chứa một danh sách thủ tục.", line_errors=[(1, "Không phải danh sách.")])
    if not records:
        raise ImportFailed("Tệp không có thủ tục nào.", line_errors=[(1, "Danh sách thủ tục rỗng.")])
    resolve = agency_resolver or _identifier_resolver(records)
    errors: list[tuple[int, str]] = []
    cleaned: list[tuple[dict, list[Agency]]] = []
    first_seen: dict[str, int] = {}
    for index, rec in enumerate(records, start=1):
        line = line_numbers[index - 1] if line_numbers else index
        fields, agencies, problems = _validate_record(rec, resolve)
        code = fields.get("code")
        if code:
            if code in first_seen:
                problems.append(("code", f"Mã thủ tục {code} trùng với thủ tục thứ {first_seen[code]} trong tệp."))
            else:
                first_seen[code] = index
        if problems:
            errors.append((line, _describe(index, rec, problems)))
        else:
            cleaned.append((fields, agencies))
    if errors:
        raise ImportFailed(f"Tệp có {len(errors)} thủ tục chưa hợp lệ; chưa nhập thủ tục nào.", line_errors=errors)

    fields_by_name = {f.name: f for f in ProcedureField.objects.all()}
    taken_slugs = {f.code for f in fields_by_name.values()}
    existing = {p.code: p for p in Procedure.objects.filter(code__in=first_seen).select_related("field")
                .prefetch_related("agencies", "papers", "form_fields")}
    entries: list[Entry] = []
    counts = {"created": 0, "updated": 0, "unchanged": 0, "fields_created": 0}
    for fields, agencies in cleaned:
        field = fields_by_name.get(fields["field"])
        if field is None:
            field = ProcedureField.objects.create(code=_field_slug(fields["field"], taken_slugs), name=fields["field"])
            fields_by_name[field.name], counts["fields_created"] = field, counts["fields_created"] + 1
            taken_slugs.add(field.code)
            entries.append(Entry(action="procedures.field.create", summary=f"Thêm lĩnh vực {field.name}",
                                 changes={"name": [None, field.name], "code": [None, field.code]},
                                 **object_ref(field)))
        procedure = existing.get(fields["code"])
        before = _snapshot(procedure) if procedure else {}
        after = {**{k: v for k, v in fields.items() if k != "code"}, "field": field.name,
                 "agencies": sorted({a.identifier_code for a in agencies})}
        changes = diff(before, after)
        if procedure is not None and not changes:
            counts["unchanged"] += 1
            continue
        procedure = procedure or Procedure(code=fields["code"])
        was_new = procedure.pk is None
        for attr in ("name", "levels", "legal_basis", "steps", "processing_time", "processing_time_unit",
                     "fee_text", "fee_amount", "result", "online_level", "keywords", "fees", "fee_pay_first"):
            setattr(procedure, attr, fields[attr])
        procedure.field = field
        procedure.is_active = True
        procedure.save()
        if was_new or "agencies" in changes:
            procedure.agencies.set({a.pk: a for a in agencies}.values())
        if was_new or "papers" in changes:
            procedure.papers.all().delete()
            ProcedurePaper.objects.bulk_create(
                ProcedurePaper(procedure=procedure, position=i, **paper)
                for i, paper in enumerate(fields["papers"], start=1))
        if was_new or "form_fields" in changes:
            procedure.form_fields.all().delete()
            ProcedureFormField.objects.bulk_create(
                ProcedureFormField(procedure=procedure, position=i, name=ff["name"], label=ff["label"],
                                   field_type=ff["type"], required=ff["required"], choices=ff["choices"])
                for i, ff in enumerate(fields["form_fields"], start=1))
        counts["created" if was_new else "updated"] += 1
        verb = "Nhập" if was_new else "Cập nhật"
        entries.append(Entry(action="procedures.procedure.create" if was_new else "procedures.procedure.update",
                             summary=f"{verb} thủ tục {procedure.code} — {procedure.name}", changes=changes,
                             **object_ref(procedure)))
    audit_record_many(actor=actor, entries=entries)
    return counts


def procedures_import_file(*, actor, content: bytes, filename: str,
                           agency_resolver: AgencyResolver | None = None) -> dict[str, int]:
    """Import a .json (a list of records, or {"procedures": [...]}) or .csv file (see the module docstring)."""
    _require_import_permission(actor)
    if len(content) > MAX_IMPORT_BYTES:
        raise ValidationError.for_field("file", "Tệp vượt quá 5 MB.")
    try:
        text = content.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = content[:exc.start].count(b"\n") + 1
        raise ImportFailed("Tệp phải được mã hóa UTF-8.", line_errors=[(line, "Ký tự không đọc được (không phải UTF-8).")]) from exc
    name = (filename or "").lower()
    if name.endswith(".json"):
        records, lines = _parse_json(text)
    elif name.endswith(".csv"):
        records, lines = _parse_csv(text)
    else:
        raise ValidationError.for_field("file", "Chỉ nhận tệp .json hoặc .csv.")
    return procedures_import(actor=actor, records=records, agency_resolver=agency_resolver, line_numbers=lines)


def _line_of(text: str, pos: int) -> int:
    return text.count("\n", 0, pos) + 1


def _parse_json(text: str) -> tuple[list, list[int] | None]:
    """Records with the line each starts on: the top-level array is walked element by element."""
    decoder = json.JSONDecoder()
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise ImportFailed("Tệp JSON không hợp lệ.", line_errors=[(exc.lineno, f"Lỗi cú pháp JSON: {exc.msg} "
                                                                              f"(cột {exc.colno}).")]) from exc
    except RecursionError as exc:
        raise ImportFailed("Tệp JSON không hợp lệ.", line_errors=[(1, "Cấu trúc lồng nhau quá sâu.")]) from exc
    if isinstance(data, dict) and isinstance(data.get("procedures"), list):
        return data["procedures"], None
    if not isinstance(data, list):
        raise ImportFailed("Tệp JSON phải chứa một danh sách thủ tục.",
                           line_errors=[(1, "Cần một mảng JSON [...] các thủ tục.")])
    lines, pos = [], text.index("[") + 1
    for _ in data:
        while text[pos] in " \t\r\n,":
            pos += 1
        lines.append(_line_of(text, pos))
        _, pos = decoder.raw_decode(text, pos)
    return data, lines


def _split_list(cell: str) -> Any:
    cell = (cell or "").strip()
    if not cell:
        return []
    if cell.startswith("["):
        try:
            return json.loads(cell)
        except json.JSONDecodeError:
            return cell  # reported by the validator as "not a list"
    return [part.strip() for part in cell.split("|") if part.strip()]


def _int_or_text(cell: str) -> Any:
    cell = (cell or "").strip()
    try:
        return int(cell)
    except ValueError:
        return cell


def _parse_csv(text: str) -> tuple[list[dict], list[int]]:
    reader = SafeDictReader(io.StringIO(text, newline=""))
    header = reader.fieldnames or []
    missing = [c for c in ("code", "name", "field", "levels", "processing_time", "online_level") if c not in header]
    if missing:
        raise ImportFailed("Tệp CSV thiếu cột bắt buộc.", line_errors=[(1, f"Thiếu cột: {', '.join(missing)}")])
    records, lines, errors = [], [], []
    previous_end = reader.line_num
    try:
        for row in reader:
            start, previous_end = previous_end + 1, reader.line_num
            rec: dict[str, Any] = {k: (row.get(k) or "") for k in ("code", "name", "field", "fee_text", "result",
                                                                   "online_level")}
            for key in _SIMPLE_LIST_COLUMNS:
                rec[key] = _split_list(row.get(key, ""))
            for key in _JSON_LIST_COLUMNS:
                cell = (row.get(key) or "").strip()
                try:
                    rec[key] = json.loads(cell) if cell else []
                except json.JSONDecodeError as exc:
                    errors.append((start, f"Cột {key}: không phải mảng JSON hợp lệ ({exc.msg})."))
                    rec[key] = []
            rec["processing_time"] = {"value": _int_or_text(row.get("processing_time", "")),
                                      "unit": (row.get("processing_time_unit") or "").strip() or "working_days"}
            rec["fee_amount"] = _int_or_text(row.get("fee_amount", "")) if (row.get("fee_amount") or "").strip() else 0
            pay_first = (row.get("fee_pay_first") or "").strip().lower()
            rec["fee_pay_first"] = {"": False, "0": False, "false": False, "1": True, "true": True}.get(pay_first,
                                                                                                     pay_first)
            records.append(rec)
            lines.append(start)
    except csv.Error as exc:
        raise ImportFailed("Tệp CSV không đọc được.", line_errors=[(reader.line_num, f"Lỗi CSV: {exc}")]) from exc
    if errors:
        raise ImportFailed(f"Tệp có {len(errors)} dòng chưa hợp lệ; chưa nhập thủ tục nào.", line_errors=errors)
    return records, lines


# --- export -----------------------------------------------------------------------------------------------------

def procedure_record(procedure: Procedure) -> dict:
    """One procedure in the import/export shape (agencies as identifier codes)."""
    return {
        "code": procedure.code, "name": procedure.name, "field": procedure.field.name,
        "levels": list(procedure.levels),
        "agencies": sorted(a.identifier_code for a in procedure.agencies.all()),
        "legal_basis": list(procedure.legal_basis),
        "processing_time": {"value": procedure.processing_time, "unit": procedure.processing_time_unit},
        "fee_text": procedure.fee_text, "fee_amount": procedure.fee_amount,
        "papers": [{"name": p.name, "originals": p.originals, "copies": p.copies} for p in procedure.papers.all()],
        "result": procedure.result, "online_level": procedure.online_level,
        "form_fields": [{"name": f.name, "label": f.label, "type": f.field_type, "required": f.required,
                         **({"choices": list(f.choices)} if f.choices else {})} for f in procedure.form_fields.all()],
        "steps": list(procedure.steps), "keywords": list(procedure.keywords),
        **({"fees": list(procedure.fees)} if procedure.fees else {}),
        **({"fee_pay_first": True} if procedure.fee_pay_first else {}),
    }


def _export_queryset(procedures: Iterable[Procedure] | None):
    if procedures is None:
        procedures = Procedure.objects.all()
    return (procedures.select_related("field")
            .prefetch_related("papers", "form_fields", "agencies").order_by("code"))


def procedures_export_json(*, procedures=None) -> str:
    return json.dumps([procedure_record(p) for p in _export_queryset(procedures)], ensure_ascii=False, indent=1)


def _join_list(items: list[str]) -> str:
    if any("|" in item for item in items) or (items and items[0].startswith("[")):
        return json.dumps(items, ensure_ascii=False)
    return _LIST_SEPARATOR.join(items)


def procedures_export_csv(*, procedures=None) -> str:
    out = io.StringIO()
    writer = csv_writer(out, lineterminator="\n")
    writer.writerow(CSV_COLUMNS)
    for p in _export_queryset(procedures):
        rec = procedure_record(p)
        writer.writerow([
            rec["code"], rec["name"], rec["field"], _join_list(rec["levels"]), _join_list(rec["agencies"]),
            _join_list(rec["legal_basis"]), rec["processing_time"]["value"], rec["processing_time"]["unit"],
            rec["fee_text"], rec["fee_amount"], json.dumps(rec["papers"], ensure_ascii=False), rec["result"],
            rec["online_level"], json.dumps(rec["form_fields"], ensure_ascii=False), _join_list(rec["steps"]),
            _join_list(rec["keywords"]), json.dumps(rec.get("fees", []), ensure_ascii=False),
            "1" if rec.get("fee_pay_first") else "",
        ])
    return out.getvalue()


# --- the synonym table of the search ----------------------------------------------------------------------------

def _require_synonym_permission(actor) -> None:
    if actor is None or not is_province_admin(actor):
        raise PermissionDenied("Chỉ quản trị cấp tỉnh được sửa bảng từ đồng nghĩa của tìm kiếm.")


def _clean_synonym(*, phrase: str, expansion: str, exclude_id: int | None = None) -> tuple[str, str]:
    phrase, expansion = (phrase or "").strip(), (expansion or "").strip()
    errors: dict[str, list[str]] = {}
    if not fold(phrase):
        errors["phrase"] = ["Cụm từ của người dân phải có chữ hoặc số."]
    elif len(phrase) > 120:
        errors["phrase"] = ["Cụm từ dài quá 120 ký tự."]
    elif SearchSynonym.objects.filter(phrase_key=fold(phrase)).exclude(pk=exclude_id).exists():
        errors["phrase"] = [f"Đã có từ đồng nghĩa cho “{phrase}”."]
    if not fold(expansion):
        errors["expansion"] = ["Từ ngữ của danh mục phải có chữ hoặc số."]
    elif len(expansion) > 300:
        errors["expansion"] = ["Từ ngữ của danh mục dài quá 300 ký tự."]
    if errors:
        raise ValidationError("Từ đồng nghĩa chưa hợp lệ.", field_errors=errors)
    return phrase, expansion


@transaction.atomic
def synonym_create(*, actor, phrase: str, expansion: str) -> SearchSynonym:
    _require_synonym_permission(actor)
    phrase, expansion = _clean_synonym(phrase=phrase, expansion=expansion)
    synonym = SearchSynonym.objects.create(phrase=phrase, expansion=expansion)
    audit_record(actor=actor, action="procedures.synonym.create", obj=synonym,
                 summary=f"Thêm từ đồng nghĩa “{phrase}” → “{expansion}”",
                 changes={"phrase": [None, phrase], "expansion": [None, expansion]})
    return synonym


@transaction.atomic
def synonym_update(*, actor, synonym_id: int, data: dict) -> SearchSynonym:
    _require_synonym_permission(actor)
    synonym = SearchSynonym.objects.select_for_update().filter(pk=synonym_id).first()
    if synonym is None:
        raise NotFound("Không có từ đồng nghĩa này.")
    before = {"phrase": synonym.phrase, "expansion": synonym.expansion, "is_active": synonym.is_active}
    phrase, expansion = _clean_synonym(phrase=data.get("phrase", synonym.phrase),
                                       expansion=data.get("expansion", synonym.expansion), exclude_id=synonym.pk)
    after = {"phrase": phrase, "expansion": expansion, "is_active": bool(data.get("is_active", synonym.is_active))}
    changes = diff(before, after)
    if changes:
        synonym.phrase, synonym.expansion, synonym.is_active = after["phrase"], after["expansion"], after["is_active"]
        synonym.save()
        audit_record(actor=actor, action="procedures.synonym.update", obj=synonym,
                     summary=f"Sửa từ đồng nghĩa “{synonym.phrase}”", changes=changes)
    return synonym


@transaction.atomic
def synonym_delete(*, actor, synonym_id: int) -> None:
    _require_synonym_permission(actor)
    synonym = SearchSynonym.objects.select_for_update().filter(pk=synonym_id).first()
    if synonym is None:
        raise NotFound("Không có từ đồng nghĩa này.")
    audit_record(actor=actor, action="procedures.synonym.delete", obj=synonym,
                 summary=f"Xóa từ đồng nghĩa “{synonym.phrase}” → “{synonym.expansion}”",
                 changes={"phrase": [synonym.phrase, None], "expansion": [synonym.expansion, None]})
    synonym.delete()
