"""The fees and charges (phí, lệ phí) of a procedure as structured catalogue data, from which bills are made.

A procedure's `fees` is a list of lines, each:

    {"name": "Phí cấp bản sao trích lục", "kind": "phi" | "le_phi", "amount": 8000, "unit": "bản",
     "quantity_field": "copies_count",          # optional: the online form's number field giving the quantity
     "cases": [{"label": "Sinh viên, người có công", "amount": 100000}],   # optional: other amounts by case
     "exemptions": ["Trẻ em", "Người cao tuổi"]}                           # optional: who pays nothing

An empty list means the single line of `fee_amount` (the catalogue's main fee) when it is not zero.
`fee_pay_first` says the fee is paid before the dossier is processed (the bill is issued at submission).
"""

from typing import Any

MAX_LINES = 10
MAX_AMOUNT = 10**12
KINDS = {"phi": "Phí", "le_phi": "Lệ phí"}


def kind_label(kind: str) -> str:
    return KINDS.get(kind, "Phí, lệ phí")


def clean_fees(raw: Any, add) -> list[dict]:
    """Validate the `fees` list; `add(path, message)` collects the field-level problems."""
    if raw is None or raw == "":
        return []
    if not isinstance(raw, list):
        add("fees", "Phí, lệ phí (fees) phải là danh sách các khoản.")
        return []
    if len(raw) > MAX_LINES:
        add("fees", f"Tối đa {MAX_LINES} khoản phí, lệ phí.")
    out = []
    for i, line in enumerate(raw[:MAX_LINES], start=1):
        key = f"fees[{i}]"
        if not isinstance(line, dict):
            add(key, "Mỗi khoản phải là đối tượng {name, kind, amount, ...}.")
            continue
        name = line.get("name")
        if not isinstance(name, str) or not name.strip() or len(name) > 300 or "\x00" in name:
            add(f"{key}.name", "Tên khoản phí, lệ phí không được để trống (tối đa 300 ký tự).")
            name = ""
        kind = line.get("kind", "le_phi")
        if kind not in KINDS:
            add(f"{key}.kind", f"Loại khoản “{kind}” không hợp lệ; dùng: {', '.join(KINDS)}.")
        amount = _amount(line.get("amount"), f"{key}.amount", add)
        unit = line.get("unit", "")
        if not isinstance(unit, str) or len(unit) > 40:
            add(f"{key}.unit", "Đơn vị tính phải là chuỗi tối đa 40 ký tự.")
            unit = ""
        quantity_field = line.get("quantity_field", "")
        if not isinstance(quantity_field, str) or len(quantity_field) > 60:
            add(f"{key}.quantity_field", "Trường số lượng phải là tên một trường của tờ khai.")
            quantity_field = ""
        cases = []
        raw_cases = line.get("cases", [])
        if not isinstance(raw_cases, list):
            add(f"{key}.cases", "Các trường hợp phải là danh sách.")
            raw_cases = []
        for j, case in enumerate(raw_cases, start=1):
            label = case.get("label") if isinstance(case, dict) else None
            if not isinstance(label, str) or not label.strip() or len(label) > 300:
                add(f"{key}.cases[{j}].label", "Mỗi trường hợp cần nhãn (tối đa 300 ký tự).")
                continue
            cases.append({"label": label.strip(),
                          "amount": _amount(case.get("amount"), f"{key}.cases[{j}].amount", add)})
        exemptions = line.get("exemptions", [])
        if not isinstance(exemptions, list) or not all(isinstance(e, str) and 0 < len(e.strip()) <= 300
                                                       for e in exemptions):
            add(f"{key}.exemptions", "Đối tượng miễn phải là danh sách chuỗi ký tự (tối đa 300 ký tự).")
            exemptions = []
        out.append({"name": name.strip(), "kind": kind, "amount": amount, "unit": unit.strip(),
                    "quantity_field": quantity_field.strip(), "cases": cases,
                    "exemptions": [e.strip() for e in exemptions]})
    return out


def _amount(value: Any, path: str, add) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value <= MAX_AMOUNT:
        add(path, "Mức thu phải là số nguyên đồng, không âm.")
        return 0
    return value


def fee_lines(procedure) -> list[dict]:
    """The lines a bill is made of: the structured `fees`, or the main fee alone."""
    if procedure.fees:
        return [dict(line) for line in procedure.fees]
    if procedure.fee_amount:
        return [{"name": (procedure.fee_text or "Phí, lệ phí")[:300], "kind": "le_phi",
                 "amount": procedure.fee_amount, "unit": "", "quantity_field": "", "cases": [], "exemptions": []}]
    return []
