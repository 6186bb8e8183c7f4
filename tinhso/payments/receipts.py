"""The electronic receipt (biên lai thu phí, lệ phí điện tử) of a confirmed payment, as a one-page PDF.

Written with the project's one PDF writer (documents.pdf.text_pdf: pyHanko with an embedded font that has the
Vietnamese glyphs). The content follows the items a receipt carries under NĐ 123/2020/NĐ-CP (Điều 32): the
collecting agency, the receipt number, the payer, each fee with its amount, the total, the date and how it was paid.
[to check: the province's registered receipt template and series (ký hiệu mẫu số) — not available here]
"""

import textwrap

from django.utils import timezone

from tinhso.documents.pdf import text_pdf
from tinhso.procedures.fees import kind_label

from .models import Payment
from .services import money


def receipt_lines(payment: Payment) -> list[str]:
    bill = payment.bill
    dossier = bill.dossier
    when = timezone.localtime(payment.confirmed_at or payment.created_at)
    lines = [
        bill.agency.name.upper(),
        f"Mã định danh: {bill.agency.identifier_code}",
        "",
        "BIÊN LAI THU PHÍ, LỆ PHÍ (ĐIỆN TỬ)",
        f"Số biên lai: {payment.receipt_number}",
        f"Ngày: {when:%d/%m/%Y %H:%M}",
        "",
        f"Người nộp: {dossier.applicant_name}",
        f"Hồ sơ: {dossier.code}",
        f"Thủ tục: {dossier.procedure.name}",
        "",
    ]
    for line in bill.lines.order_by("position"):
        detail = f"{line.quantity} × {money(line.unit_amount)}" + (f" ({line.case_label})" if line.case_label else "")
        if line.exemption:
            detail = f"miễn: {line.exemption}"
        lines.append(f"- {kind_label(line.kind)}: {line.name} — {detail}: {money(line.amount)}")
    lines += [
        "",
        f"Tổng số tiền đã nộp: {money(payment.amount)}",
        f"Hình thức: {payment.get_method_display()}",
        f"Mã giao dịch: {payment.reference}",
    ]
    if payment.provider_transaction_no:
        lines.append(f"Mã giao dịch tại cổng thanh toán: {payment.provider_transaction_no}"
                     + (f" (ngân hàng {payment.bank_code})" if payment.bank_code else ""))
    lines += ["", "Biên lai được lập tự động trên nền tảng Tỉnh Số."]
    return lines


def receipt_pdf(payment: Payment) -> bytes:
    # The text box does not wrap: long names are cut into lines that fit the A4 width at this size.
    wrapped = [part for line in receipt_lines(payment) for part in (textwrap.wrap(line, 88) or [""])]
    return text_pdf(wrapped, font_size=10)
