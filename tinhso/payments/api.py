"""The payments API: thin, over the same services and selectors as the pages.

The IPN route is the provider's server-to-server confirmation (anonymous, authenticated by its HMAC signature);
it always answers 200 with the protocol's RspCode, as VNPAY expects.
"""

from datetime import date

from django.urls import reverse
from ninja import File, Form, Query, Router, Status
from ninja.files import UploadedFile

from tinhso.api.schemas import ERROR_RESPONSES
from tinhso.core.exceptions import NotFound, ValidationError

from . import conf, reconciliation, selectors, services
from .schemas import (
    AdjustIn,
    BillOut,
    CounterIn,
    IpnOut,
    OnlineOut,
    PaymentOut,
    ReconciliationOut,
    ReviewIn,
)

router = Router()


def _ip(request) -> str:
    return request.META.get("REMOTE_ADDR", "")[:45]


def payment_out(payment, token: str) -> dict:
    return {
        "id": payment.pk, "reference": payment.reference, "method": payment.method,
        "method_label": payment.get_method_display(), "status": payment.status,
        "status_label": payment.get_status_display(), "amount": payment.amount,
        "provider_amount": payment.provider_amount, "provider_transaction_no": payment.provider_transaction_no,
        "paid_at": payment.paid_at, "confirmed_at": payment.confirmed_at, "receipt_number": payment.receipt_number,
        "receipt_url": conf.public_url(reverse("payments:receipt", args=[token, payment.reference]))
        if payment.receipt_number else None,
        "held_reason": payment.held_reason,
    }


def bill_out(bill) -> dict:
    token = selectors.bill_token(bill)
    return {
        "id": bill.pk, "dossier_code": bill.dossier.code, "procedure_code": bill.procedure.code,
        "agency_code": bill.agency.identifier_code, "status": bill.status,
        "status_label": bill.get_status_display(), "total": bill.total, "pay_first": bill.pay_first,
        "issued_at": bill.issued_at, "paid_at": bill.paid_at, "paid_method": bill.paid_method,
        "pay_url": services.bill_pay_link(bill),
        "lines": [{f: getattr(line, f) for f in ("position", "name", "kind", "unit", "unit_amount", "quantity",
                                                 "case_label", "exemption", "amount")}
                  for line in selectors.bill_lines(bill=bill)],
        "payments": [payment_out(p, token) for p in selectors.bill_payments(bill=bill)],
    }


@router.get("/bills", response={200: list[BillOut], **ERROR_RESPONSES}, summary="Hóa đơn phí, lệ phí trong phạm vi")
def list_bills(request, dossier_code: str = Query("", max_length=40), status: str = Query("", max_length=12)):
    return [bill_out(b) for b in selectors.bill_list(user=request.user, dossier_code=dossier_code,
                                                     status=status)[:200]]


@router.get("/bills/{bill_id}", response={200: BillOut, **ERROR_RESPONSES}, summary="Chi tiết hóa đơn phí, lệ phí")
def get_bill(request, bill_id: int):
    return bill_out(selectors.bill_get(user=request.user, bill_id=bill_id))


@router.post("/bills/{bill_id}/adjustments", response={200: BillOut, **ERROR_RESPONSES},
             summary="Điều chỉnh hóa đơn (cán bộ tiếp nhận, xử lý; bắt buộc lý do)")
def adjust_bill(request, bill_id: int, payload: AdjustIn):
    lines = [{k: v for k, v in line.dict().items() if not (k in ("quantity", "amount") and v is None)}
             for line in payload.lines]
    bill = services.bill_adjust(actor=request.user, bill_id=bill_id, lines=lines, reason=payload.reason,
                                ip_address=_ip(request))
    return bill_out(selectors.bill_get(user=request.user, bill_id=bill.pk))


@router.post("/bills/{bill_id}/counter-payments", response={201: PaymentOut, **ERROR_RESPONSES},
             summary="Ghi nhận nộp tại quầy (tiền mặt, thẻ) — cán bộ một cửa")
def counter_payment(request, bill_id: int, payload: CounterIn):
    payment = services.counter_pay(actor=request.user, bill_id=bill_id, method=payload.method,
                                   amount=payload.amount, note=payload.note, ip_address=_ip(request))
    return Status(201, payment_out(payment, selectors.bill_token(payment.bill)))


@router.post("/bills/{bill_id}/online-payments", response={201: OnlineOut, **ERROR_RESPONSES},
             summary="Mở giao dịch thanh toán trực tuyến (trả về đường dẫn tới cổng thanh toán)")
def online_payment(request, bill_id: int):
    bill = selectors.bill_get(user=request.user, bill_id=bill_id)
    payment, url = services.online_start(actor=request.user, bill=bill, ip_address=_ip(request),
                                         return_url=conf.public_url(reverse("payments:vnpay_return")))
    return Status(201, {"reference": payment.reference, "amount": payment.amount, "payment_url": url})


@router.get("/vnpay/ipn", response={200: IpnOut}, auth=None,
            summary="IPN của VNPAY (máy chủ tới máy chủ; xác thực bằng chữ ký vnp_SecureHash)")
def vnpay_ipn(request):
    code, message = services.online_confirm(params=request.GET.dict())
    return {"RspCode": code, "Message": message}


@router.get("/held", response={200: list[PaymentOut], **ERROR_RESPONSES},
            summary="Giao dịch chờ xem xét (không khớp hóa đơn)")
def held_payments(request):
    return [payment_out(p, selectors.bill_token(p.bill)) for p in selectors.held_payments(user=request.user)[:200]]


@router.post("/payments/{payment_id}/review", response={200: PaymentOut, **ERROR_RESPONSES},
             summary="Xem xét giao dịch bị giữ: chấp nhận hoặc hoàn trả")
def review_payment(request, payment_id: int, payload: ReviewIn):
    payment = services.held_review(actor=request.user, payment_id=payment_id, decision=payload.decision,
                                   note=payload.note, ip_address=_ip(request))
    return payment_out(payment, selectors.bill_token(payment.bill))


@router.post("/reconciliations", response={201: ReconciliationOut, **ERROR_RESPONSES},
             summary="Đối soát một ngày với sao kê CSV của cổng thanh toán (quản trị cấp tỉnh)")
def run_reconciliation(request, day: Form[date], statement: File[UploadedFile]):
    if not selectors.can_reconcile(request.user):
        raise NotFound("Không tìm thấy trang.")
    if statement.size and statement.size > reconciliation.MAX_BYTES:
        raise ValidationError.for_field("statement", "Tệp sao kê quá lớn (tối đa 20 MB).")
    run = reconciliation.reconcile(actor=request.user, day=day, content=statement.read())
    return Status(201, {"id": run.pk, "day": run.day, "statement_rows": run.statement_rows,
                        "platform_rows": run.platform_rows, "matched": run.matched,
                        "differences": reconciliation.rows(run)})
