"""The daily reconciliation: the provider's statement of a day against the platform's online payments.

The statement file (CSV, UTF-8, comma-separated, one header row) has these columns, named after the VNPAY 2.1.0
fields they carry (providers module): vnp_TxnRef (the platform's reference), vnp_TransactionNo (VNPAY's),
vnp_Amount (VND × 100, as in the protocol), vnp_PayDate (yyyyMMddHHmmss, GMT+7), vnp_BankCode, vnp_ResponseCode
("00" = paid; other rows are listed by the statement but moved no money and are skipped). It is the platform's
own format: the merchant portal's export is mapped onto these columns by whoever downloads it.
[to check: the columns of VNPAY's merchant-portal transaction export, not published in the integration guide]

The platform's side is every online payment whose provider confirmed money (confirmed, held for review, or to be
refunded) with vnp_PayDate on that day. Differences:
- missing: in the statement, not confirmed on the platform (no IPN reached us, or the reference is unknown);
- extra: confirmed on the platform, absent from the statement;
- mismatched: on both, with another amount or another VNPAY transaction number.
"""

import hashlib
import io
from datetime import date, datetime, time, timedelta

from django.db import transaction
from django.utils import timezone

from tinhso.audit.services import audit_record
from tinhso.core.exceptions import ImportFailed, PermissionDenied, ValidationError
from tinhso.core.exports import SafeDictReader, csv_writer, xlsx_cell

from . import selectors
from .choices import Difference, Method, PaymentStatus
from .models import Payment, Reconciliation
from .providers import VN_TIME, parse_vnp_date

STATEMENT_COLUMNS = ["vnp_TxnRef", "vnp_TransactionNo", "vnp_Amount", "vnp_PayDate", "vnp_BankCode",
                     "vnp_ResponseCode"]
MAX_BYTES = 20 * 1024 * 1024
MONEY_MOVED = (PaymentStatus.CONFIRMED, PaymentStatus.HELD, PaymentStatus.REFUND_DUE)
EXPORT_COLUMNS = ["Loại chênh lệch", "Mã giao dịch nền tảng", "Mã giao dịch VNPAY (sao kê)",
                  "Mã giao dịch VNPAY (nền tảng)", "Số tiền sao kê (đồng)", "Số tiền nền tảng (đồng)", "Ghi chú"]


def parse_statement(content: bytes, *, day: date) -> list[dict]:
    """The paid rows of the statement for `day`; a malformed file is refused whole with its line numbers."""
    if len(content) > MAX_BYTES:
        raise ValidationError.for_field("statement", "Tệp sao kê quá lớn (tối đa 20 MB).")
    try:
        text = content.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise ImportFailed("Tệp sao kê phải được mã hóa UTF-8.",
                           line_errors=[(content[:exc.start].count(b"\n") + 1, "Ký tự không đọc được.")]) from exc
    reader = SafeDictReader(io.StringIO(text, newline=""))
    missing = [c for c in STATEMENT_COLUMNS if c not in (reader.fieldnames or [])]
    if missing:
        raise ImportFailed("Tệp sao kê thiếu cột.", line_errors=[(1, f"Thiếu cột: {', '.join(missing)}")])
    rows, errors, seen = [], [], {}
    for row in reader:
        line = reader.line_num
        ref = (row.get("vnp_TxnRef") or "").strip()
        amount_text = (row.get("vnp_Amount") or "").strip()
        paid_at = parse_vnp_date((row.get("vnp_PayDate") or "").strip())
        problems = []
        if not ref or len(ref) > 40:
            problems.append("vnp_TxnRef trống hoặc dài quá 40 ký tự")
        if not amount_text.isdigit() or int(amount_text) % 100:
            problems.append("vnp_Amount phải là số nguyên (đồng × 100)")
        if paid_at is None:
            problems.append("vnp_PayDate phải có dạng yyyyMMddHHmmss")
        elif paid_at.date() != day:
            problems.append(f"vnp_PayDate {paid_at:%d/%m/%Y} không thuộc ngày đối soát {day:%d/%m/%Y}")
        if ref in seen:
            problems.append(f"vnp_TxnRef {ref} trùng với dòng {seen[ref]}")
        if problems:
            errors.append((line, "; ".join(problems) + "."))
            continue
        seen[ref] = line
        if (row.get("vnp_ResponseCode") or "").strip() != "00":
            continue
        rows.append({"reference": ref, "transaction_no": (row.get("vnp_TransactionNo") or "").strip()[:40],
                     "amount": int(amount_text) // 100, "line": line})
    if errors:
        raise ImportFailed(f"Tệp sao kê có {len(errors)} dòng chưa hợp lệ; chưa đối soát.", line_errors=errors)
    return rows


def platform_payments(*, day: date) -> list[Payment]:
    start = datetime.combine(day, time.min, VN_TIME)
    return list(Payment.objects.filter(method=Method.VNPAY, status__in=MONEY_MOVED, paid_at__gte=start,
                                       paid_at__lt=start + timedelta(days=1)).order_by("reference"))


def compare(statement: list[dict], payments: list[Payment]) -> tuple[int, list[dict]]:
    """(matched, differences) — differences in the statement's order, then the platform's extras."""
    by_ref = {p.reference: p for p in payments}
    # A payment the statement names but that the platform does not count as paid (still pending, failed).
    known = {p.reference: p for p in Payment.objects.filter(reference__in=[r["reference"] for r in statement])}
    matched, out = 0, []
    for row in statement:
        payment = by_ref.pop(row["reference"], None)
        if payment is None:
            other = known.get(row["reference"])
            note = (f"Trên nền tảng: {other.get_status_display().lower()}" if other else
                    "Nền tảng không có giao dịch này")
            out.append({"kind": Difference.MISSING, "reference": row["reference"],
                        "statement_transaction_no": row["transaction_no"], "platform_transaction_no": "",
                        "statement_amount": row["amount"], "platform_amount": None, "note": note})
            continue
        platform_amount = payment.provider_amount if payment.provider_amount is not None else payment.amount
        notes = []
        if platform_amount != row["amount"]:
            notes.append("số tiền khác nhau")
        if payment.provider_transaction_no and payment.provider_transaction_no != row["transaction_no"]:
            notes.append("mã giao dịch VNPAY khác nhau")
        if notes:
            out.append({"kind": Difference.MISMATCHED, "reference": row["reference"],
                        "statement_transaction_no": row["transaction_no"],
                        "platform_transaction_no": payment.provider_transaction_no,
                        "statement_amount": row["amount"], "platform_amount": platform_amount,
                        "note": "; ".join(notes).capitalize()})
        else:
            matched += 1
    for payment in by_ref.values():
        out.append({"kind": Difference.EXTRA, "reference": payment.reference, "statement_transaction_no": "",
                    "platform_transaction_no": payment.provider_transaction_no, "statement_amount": None,
                    "platform_amount": payment.provider_amount, "note": f"Trên nền tảng: "
                    f"{payment.get_status_display().lower()}"})
    return matched, out


@transaction.atomic
def reconcile(*, actor, day: date | None, content: bytes) -> Reconciliation:
    """Run one day's reconciliation and keep its result (who ran it, on which file)."""
    if actor is not None and not selectors.can_reconcile(actor):
        raise PermissionDenied("Chỉ quản trị cấp tỉnh được đối soát giao dịch thanh toán.")
    if day is None:
        raise ValidationError.for_field("day", "Cần chọn ngày đối soát (YYYY-MM-DD).")
    if not content:
        raise ValidationError.for_field("statement", "Cần tải lên tệp sao kê (CSV) của cổng thanh toán.")
    statement = parse_statement(content, day=day)
    payments = platform_payments(day=day)
    matched, differences = compare(statement, payments)
    run = Reconciliation.objects.create(
        day=day, run_at=timezone.now(), run_by=actor if getattr(actor, "is_authenticated", False) else None,
        statement_sha256=hashlib.sha256(content).hexdigest(), statement_rows=len(statement),
        platform_rows=len(payments), matched=matched, differences=differences)
    audit_record(actor=run.run_by, action="payments.reconciliation.run", obj=run,
                 object_label=f"Đối soát {day:%d/%m/%Y}",
                 summary=f"Đối soát VNPAY ngày {day:%d/%m/%Y}: {len(statement)} dòng sao kê, {len(payments)} "
                         f"giao dịch nền tảng, {matched} khớp, {len(differences)} chênh lệch",
                 changes={"differences": [None, len(differences)]})
    return run


def rows(run: Reconciliation) -> list[dict]:
    return [{**d, "kind_label": Difference(d["kind"]).label} for d in run.differences]


def _table(run: Reconciliation) -> list[list]:
    return [[d["kind_label"], d["reference"], d["statement_transaction_no"], d["platform_transaction_no"],
             d["statement_amount"], d["platform_amount"], d["note"]] for d in rows(run)]


def export(run: Reconciliation, fmt: str) -> tuple[bytes, str]:
    """The differences as CSV or XLSX, through the one safe writer (core.exports)."""
    table = _table(run)
    if fmt == "csv":
        out = io.StringIO()
        writer = csv_writer(out, lineterminator="\n")
        writer.writerow(EXPORT_COLUMNS)
        writer.writerows(table)
        return out.getvalue().encode("utf-8-sig"), "text/csv; charset=utf-8"
    from openpyxl import Workbook

    wb = Workbook()
    ws = wb.active
    ws.title = f"Doi soat {run.day:%d-%m-%Y}"
    for c, label in enumerate(EXPORT_COLUMNS, start=1):
        xlsx_cell(ws, 1, c, label)
    for r, values in enumerate(table, start=2):
        for c, value in enumerate(values, start=1):
            xlsx_cell(ws, r, c, value)
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue(), "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
