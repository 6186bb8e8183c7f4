"""Every write about fees: issuing and adjusting bills, online and counter payments, reviews, refunds.

The dossier never calls this app: bills are issued and closed by a hook on dossier events (apps.ready connects
`on_dossier_event` to DossierEvent post_save), and "a pay-first dossier is processed once paid" is a transition
guard registered with dossiers.services. Each service writes its rows, a dossier event for the timeline and an
audit record in one transaction.
"""

import uuid
from datetime import datetime

from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from tinhso.audit.services import audit_record
from tinhso.core.exceptions import Conflict, NotFound, PermissionDenied, ValidationError
from tinhso.dossiers.choices import Status
from tinhso.dossiers.models import Dossier, DossierEvent
from tinhso.notifications.services import Recipient, notify
from tinhso.procedures.fees import fee_lines

from . import providers, selectors
from .choices import COUNTER_METHODS, BillStatus, Method, PaymentStatus
from .conf import NOT_CONFIGURED, public_url
from .models import Bill, BillAdjustment, BillLine, Payment, Refund

MAX_QUANTITY = 999
MAX_REASON = 1000
# The steps that are "processing" the dossier: a pay-first procedure waits for payment before any of them.
# Refusing, rejecting or stopping it does not wait.
PROCESSING_ACTIONS = frozenset({"start", "hand_over", "submit_for_approval", "approve"})
# Before processing (an event's from_status): a refusal or withdrawal from here gives the fee back.
BEFORE_PROCESSING = frozenset({Status.SUBMITTED, Status.COMPLETION_REQUESTED, Status.RECEIVED})
ISSUE_ACTIONS = frozenset({"receive", "counter_receive", "postal_receive"})


def money(amount: int | None) -> str:
    return f"{amount or 0:,}".replace(",", ".") + " đồng"


def _user(actor):
    return actor if getattr(actor, "is_authenticated", False) else None


def _label(actor, fallback: str = "Hệ thống") -> str:
    return actor.display_name[:200] if getattr(actor, "is_authenticated", False) else fallback


def _event(bill: Bill, *, action: str, actor=None, actor_label: str = "", note: str = "", data=None,
           now: datetime) -> DossierEvent:
    """A step on the dossier's timeline (the state does not change)."""
    dossier = bill.dossier
    return DossierEvent.objects.create(
        dossier=dossier, at=now, action=action, from_status=dossier.status, to_status=dossier.status,
        actor=_user(actor), actor_label=actor_label or _label(actor), agency=bill.agency, note=note,
        data=data or {})


def _line_snapshot(line: BillLine) -> dict:
    return {"position": line.position, "name": line.name, "unit_amount": line.unit_amount,
            "quantity": line.quantity, "case": line.case_label, "exemption": line.exemption, "amount": line.amount}


# --- issuing ---------------------------------------------------------------------------------------------------

def _quantity(dossier: Dossier, field: str) -> int:
    raw = (dossier.form_data or {}).get(field) if field else None
    try:
        value = int(str(raw).strip())
    except (TypeError, ValueError):
        return 1
    return min(max(value, 1), MAX_QUANTITY)


def bill_pay_link(bill: Bill) -> str:
    return public_url(reverse("payments:bill", args=[selectors.bill_token(bill)]))


@transaction.atomic
def bill_issue(*, dossier: Dossier, now: datetime | None = None, actor=None) -> Bill | None:
    """Make the dossier's bill from the catalogue (once); None when the procedure charges nothing."""
    existing = Bill.objects.filter(dossier=dossier).first()
    if existing is not None:
        return existing
    procedure = dossier.procedure
    lines = fee_lines(procedure)
    if not lines:
        return None
    now = now or timezone.now()
    bill = Bill.objects.create(
        dossier=dossier, procedure=procedure, agency=dossier.receiving_agency,
        stat_agency_id=dossier.handling_agency_id or dossier.receiving_agency_id, pay_first=procedure.fee_pay_first,
        issued_at=now)
    rows = []
    for position, line in enumerate(lines, start=1):
        quantity = _quantity(dossier, line.get("quantity_field", ""))
        rows.append(BillLine(bill=bill, position=position, name=line["name"][:300], kind=line.get("kind", "le_phi"),
                             unit=line.get("unit", "")[:40], unit_amount=line["amount"], quantity=quantity,
                             amount=line["amount"] * quantity))
    BillLine.objects.bulk_create(rows)
    bill.total = sum(r.amount for r in rows)
    bill.status = BillStatus.UNPAID if bill.total else BillStatus.EXEMPT
    bill.save(update_fields=["total", "status", "updated_at"])
    note = f"Số tiền phải nộp: {money(bill.total)}." + (
        " Thủ tục nộp phí, lệ phí trước: hồ sơ được giải quyết sau khi nộp." if bill.pay_first else "")
    _event(bill, action="fee_bill_issued", actor=actor, note=note, now=now,
           data={"total": bill.total, "pay_first": bill.pay_first})
    audit_record(actor=_user(actor), action="payments.bill.issue", obj=bill,
                 summary=f"Lập hóa đơn phí, lệ phí {money(bill.total)} cho hồ sơ {dossier.code}",
                 changes={"status": [None, bill.status], "total": [None, bill.total]})
    if bill.status == BillStatus.UNPAID:
        _notify_bill(bill)
    return bill


def _notify_bill(bill: Bill) -> None:
    dossier = bill.dossier
    recipient = Recipient(user=dossier.applicant_user, email=dossier.applicant_email, phone=dossier.applicant_phone)
    link = reverse("payments:bill", args=[selectors.bill_token(bill)])
    notify(kind="payment.bill_issued", recipient=recipient, link=link, obj=dossier, context={
        "ma_ho_so": dossier.code, "ten_thu_tuc": dossier.procedure.name,
        "nguoi_nop": dossier.applicant_name or "ông/bà", "so_tien": money(bill.total),
        "nop_truoc": " Hồ sơ được giải quyết sau khi bạn nộp phí, lệ phí." if bill.pay_first else "",
        "duong_dan_thanh_toan": bill_pay_link(bill), "co_quan": bill.agency.name})


# --- adjusting -------------------------------------------------------------------------------------------------

def _lock_bill(bill_id) -> Bill:
    try:
        bill_id = int(bill_id)
    except (TypeError, ValueError):
        raise NotFound(selectors.NOT_FOUND) from None
    bill = Bill.objects.select_for_update().filter(pk=bill_id).first()
    if bill is None:
        raise NotFound(selectors.NOT_FOUND)
    return bill


def _catalogue_line(bill: Bill, position: int) -> dict:
    lines = fee_lines(bill.procedure)
    return lines[position - 1] if 0 < position <= len(lines) else {}


@transaction.atomic
def bill_adjust(*, actor, bill_id: int, lines: list[dict], reason: str, ip_address: str = "") -> Bill:
    """An officer changes quantities, applies a case or an exemption of the catalogue, or sets a line's amount.

    `lines`: [{"position": 1, "quantity": 2, "case": "", "exemption": "", "amount": None}, ...]; a line not listed
    keeps its values. The reason is required and kept with the before/after lines.
    """
    bill = _lock_bill(bill_id)
    if not selectors.can_view(actor, bill):
        raise NotFound(selectors.NOT_FOUND)
    if not selectors.can_adjust(actor, bill):
        raise PermissionDenied("Chỉ cán bộ tiếp nhận hoặc xử lý hồ sơ được điều chỉnh phí, lệ phí.")
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError.for_field("reason", "Cần ghi lý do điều chỉnh.")
    if len(reason) > MAX_REASON:
        raise ValidationError.for_field("reason", f"Lý do quá dài (tối đa {MAX_REASON} ký tự).")
    if bill.status not in (BillStatus.UNPAID, BillStatus.EXEMPT):
        raise Conflict(f"Hóa đơn đã ở trạng thái “{bill.get_status_display()}”, không điều chỉnh được.")
    if not isinstance(lines, list) or not lines:
        raise ValidationError.for_field("lines", "Cần ít nhất một khoản được điều chỉnh.")
    current = {line.position: line for line in bill.lines.all()}
    before = [_line_snapshot(line) for line in current.values()]
    errors: dict[str, list[str]] = {}
    changed = set()
    for i, item in enumerate(lines):
        key = f"lines[{i}]"
        position = item.get("position") if isinstance(item, dict) else None
        line = current.get(position) if isinstance(position, int) else None
        if line is None:
            errors[f"{key}.position"] = ["Không có khoản này trong hóa đơn."]
            continue
        rules = _catalogue_line(bill, position)
        quantity = item.get("quantity", line.quantity)
        if isinstance(quantity, bool) or not isinstance(quantity, int) or not 1 <= quantity <= MAX_QUANTITY:
            errors[f"{key}.quantity"] = [f"Số lượng phải từ 1 đến {MAX_QUANTITY}."]
            continue
        case = (item.get("case") or "").strip() if isinstance(item.get("case", ""), str) else None
        cases = {c["label"]: c["amount"] for c in rules.get("cases", [])}
        if case is None or (case and case not in cases):
            errors[f"{key}.case"] = ["Trường hợp không có trong danh mục thủ tục" + (
                f" (có: {'; '.join(cases)})." if cases else ".")]
            continue
        exemption = (item.get("exemption") or "").strip() if isinstance(item.get("exemption", ""), str) else None
        exemptions = rules.get("exemptions", [])
        if exemption is None or (exemption and exemption not in exemptions):
            errors[f"{key}.exemption"] = ["Đối tượng miễn không có trong danh mục thủ tục" + (
                f" (có: {'; '.join(exemptions)})." if exemptions else ".")]
            continue
        amount = item.get("amount")
        if amount is not None and (isinstance(amount, bool) or not isinstance(amount, int) or not 0 <= amount <= 10**12):
            errors[f"{key}.amount"] = ["Số tiền phải là số nguyên đồng, không âm."]
            continue
        unit_amount = cases[case] if case else rules.get("amount", line.unit_amount)
        line.quantity, line.case_label, line.exemption, line.unit_amount = quantity, case, exemption, unit_amount
        line.amount = 0 if exemption else (amount if amount is not None else unit_amount * quantity)
        changed.add(position)
    if errors:
        raise ValidationError(f"Điều chỉnh chưa hợp lệ: {next(iter(errors.values()))[0]}", field_errors=errors)
    for position in changed:
        current[position].save(update_fields=["quantity", "case_label", "exemption", "unit_amount", "amount"])
    old_total, old_status = bill.total, bill.status
    bill.total = sum(line.amount for line in current.values())
    bill.status = BillStatus.UNPAID if bill.total else BillStatus.EXEMPT
    bill.save(update_fields=["total", "status", "updated_at"])
    now = timezone.now()
    after = [_line_snapshot(line) for line in current.values()]
    BillAdjustment.objects.create(bill=bill, at=now, actor=actor, reason=reason, total_before=old_total,
                                  total_after=bill.total, lines_before=before, lines_after=after)
    _event(bill, action="fee_bill_adjusted", actor=actor, now=now,
           note=f"Điều chỉnh phí, lệ phí: {money(old_total)} → {money(bill.total)}. Lý do: {reason}",
           data={"total_before": old_total, "total_after": bill.total})
    changes = {"total": [old_total, bill.total], "lines": [before, after]}
    if old_status != bill.status:
        changes["status"] = [old_status, bill.status]
    audit_record(actor=actor, action="payments.bill.adjust", obj=bill, ip_address=ip_address, changes=changes,
                 summary=f"Điều chỉnh phí, lệ phí hồ sơ {bill.dossier.code}: {money(old_total)} → "
                         f"{money(bill.total)} ({reason[:200]})")
    return bill


# --- paying ----------------------------------------------------------------------------------------------------

def _reference(now: datetime, prefix: str) -> str:
    return f"{prefix}{timezone.localtime(now):%y%m%d}{uuid.uuid4().hex[:10].upper()}"


def _receipt_number(payment: Payment, now: datetime) -> str:
    return f"BL{timezone.localtime(now):%Y}-{payment.pk:08d}"


def _confirm(bill: Bill, payment: Payment, *, now: datetime, actor=None, actor_label: str = "") -> None:
    """Payment and bill become paid together; the dossier's timeline shows it (the wait of pay-first ends)."""
    payment.status, payment.confirmed_at = PaymentStatus.CONFIRMED, now
    payment.receipt_number = _receipt_number(payment, now)
    payment.save()
    old = bill.status
    bill.status, bill.paid_at, bill.paid_method = BillStatus.PAID, payment.paid_at or now, payment.method
    bill.save(update_fields=["status", "paid_at", "paid_method", "updated_at"])
    _event(bill, action="fee_paid", actor=actor, actor_label=actor_label, now=now,
           note=f"Đã nộp {money(payment.amount)} ({payment.get_method_display()}); biên lai số "
                f"{payment.receipt_number}, mã giao dịch {payment.reference}.",
           data={"reference": payment.reference, "receipt": payment.receipt_number, "method": payment.method})
    audit_record(actor=_user(actor), action="payments.payment.confirm", obj=payment,
                 object_label=payment.reference,
                 summary=f"Xác nhận nộp {money(payment.amount)} cho hồ sơ {bill.dossier.code} "
                         f"({payment.get_method_display()}), biên lai {payment.receipt_number}",
                 changes={"status": [PaymentStatus.PENDING, payment.status], "bill_status": [old, bill.status]})


@transaction.atomic
def online_start(*, actor, bill: Bill, return_url: str, ip_address: str = "",
                 now: datetime | None = None) -> tuple[Payment, str]:
    """Open an online payment of the whole bill; returns it with the provider's URL to redirect the payer to."""
    gateway = providers.provider()
    if not gateway.configured():
        raise Conflict(NOT_CONFIGURED)
    bill = _lock_bill(bill.pk)
    if bill.status != BillStatus.UNPAID or not bill.total:
        raise Conflict(f"Hóa đơn đang ở trạng thái “{bill.get_status_display()}”, không cần thanh toán.")
    now = now or timezone.now()
    payment = Payment.objects.create(bill=bill, method=Method.VNPAY, reference=_reference(now, "TS"),
                                     amount=bill.total, created_at=now, created_by=_user(actor))
    url = gateway.payment_url(reference=payment.reference, amount=payment.amount, return_url=return_url,
                              description=f"Nop phi ho so {bill.dossier.code}", ip_address=ip_address, now=now)
    audit_record(actor=_user(actor), action="payments.payment.start", obj=payment, object_label=payment.reference,
                 ip_address=ip_address, changes={"status": [None, payment.status], "amount": [None, payment.amount]},
                 summary=f"Mở giao dịch trực tuyến {payment.reference} ({money(payment.amount)}) cho hồ sơ "
                         f"{bill.dossier.code}")
    return payment, url


IPN_MESSAGES = {"00": "Confirm Success", "01": "Order not found", "02": "Order already confirmed",
                "04": "invalid amount", "97": "Invalid signature", "99": "Unknown error"}


def _hold(bill: Bill, payment: Payment, reason: str, *, now: datetime) -> None:
    payment.status, payment.held_reason = PaymentStatus.HELD, reason[:300]
    payment.save()
    _event(bill, action="fee_payment_held", actor_label="Cổng thanh toán VNPAY", now=now,
           note=f"Giao dịch {payment.reference} chờ xem xét: {reason}", data={"reference": payment.reference})
    audit_record(actor=None, action="payments.payment.hold", obj=payment, object_label=payment.reference,
                 summary=f"Giữ lại giao dịch {payment.reference} của hồ sơ {bill.dossier.code}: {reason}",
                 changes={"status": [PaymentStatus.PENDING, payment.status]})


def online_confirm(*, params: dict, now: datetime | None = None) -> tuple[str, str]:
    """The provider's IPN: returns (RspCode, Message) as the protocol wants them. Idempotent: the payment row is
    locked, and a payment no longer pending is never changed again (a replay answers "02")."""
    gateway = providers.provider()
    try:
        confirmation = gateway.parse(params)
    except providers.InvalidSignature:
        return "97", IPN_MESSAGES["97"]
    try:
        return _apply_confirmation(confirmation, now=now or timezone.now())
    except Exception:  # the protocol wants "99" for anything unexpected; the transaction rolled back
        import logging

        logging.getLogger(__name__).exception("IPN failed for %s", confirmation.reference)
        return "99", IPN_MESSAGES["99"]


@transaction.atomic
def _apply_confirmation(c: providers.Confirmation, *, now: datetime) -> tuple[str, str]:
    payment = Payment.objects.select_for_update().filter(reference=c.reference, method=Method.VNPAY).first()
    if payment is None:
        return "01", IPN_MESSAGES["01"]
    if payment.status != PaymentStatus.PENDING:
        return "02", IPN_MESSAGES["02"]
    bill = Bill.objects.select_for_update().select_related("dossier").get(pk=payment.bill_id)
    payment.provider_amount, payment.provider_transaction_no = c.amount, c.transaction_no
    payment.provider_response_code, payment.bank_code = c.response_code, c.bank_code
    payment.paid_at, payment.provider_data = c.paid_at, c.data
    if c.amount != payment.amount:
        if c.success:
            _hold(bill, payment, f"cổng thanh toán báo {money(c.amount)}, giao dịch yêu cầu {money(payment.amount)}",
                  now=now)
        else:
            _fail(bill, payment, now=now)
        return "04", IPN_MESSAGES["04"]
    if not c.success:
        _fail(bill, payment, now=now)
        return "00", IPN_MESSAGES["00"]
    if bill.status != BillStatus.UNPAID:
        _hold(bill, payment, f"hóa đơn đã ở trạng thái “{bill.get_status_display()}” (nộp hai lần?)", now=now)
    elif bill.total != payment.amount:
        _hold(bill, payment, f"hóa đơn đã được điều chỉnh thành {money(bill.total)}", now=now)
    else:
        _confirm(bill, payment, now=now, actor_label="Cổng thanh toán VNPAY")
    return "00", IPN_MESSAGES["00"]


def _fail(bill: Bill, payment: Payment, *, now: datetime) -> None:
    payment.status = PaymentStatus.FAILED
    payment.save()
    audit_record(actor=None, action="payments.payment.fail", obj=payment, object_label=payment.reference,
                 summary=f"Giao dịch {payment.reference} của hồ sơ {bill.dossier.code} không thành công "
                         f"(mã {payment.provider_response_code or '—'})",
                 changes={"status": [PaymentStatus.PENDING, payment.status]})


@transaction.atomic
def counter_pay(*, actor, bill_id: int, method: str, amount, note: str = "", ip_address: str = "",
                now: datetime | None = None) -> Payment:
    """The one-stop clerk records a payment at the counter (cash or card) of the whole bill."""
    bill = _lock_bill(bill_id)
    if not selectors.can_view(actor, bill):
        raise NotFound(selectors.NOT_FOUND)
    if not selectors.can_collect(actor, bill):
        raise PermissionDenied("Chỉ cán bộ bộ phận một cửa nơi tiếp nhận hồ sơ được thu phí, lệ phí tại quầy.")
    if method not in COUNTER_METHODS:
        raise ValidationError.for_field("method", "Hình thức nộp tại quầy là tiền mặt (cash) hoặc thẻ (card).")
    if bill.status != BillStatus.UNPAID:
        raise Conflict(f"Hóa đơn đang ở trạng thái “{bill.get_status_display()}”, không thu thêm.")
    if isinstance(amount, bool) or not isinstance(amount, int) or amount != bill.total:
        raise ValidationError.for_field("amount", f"Số tiền thu phải đúng số tiền phải nộp: {money(bill.total)}.")
    note = (note or "").strip()
    if len(note) > MAX_REASON:
        raise ValidationError.for_field("note", f"Ghi chú quá dài (tối đa {MAX_REASON} ký tự).")
    now = now or timezone.now()
    payment = Payment.objects.create(bill=bill, method=method, reference=_reference(now, "QT"), amount=amount,
                                     provider_amount=amount, created_at=now, created_by=actor, paid_at=now,
                                     review_note=note)
    _confirm(bill, payment, now=now, actor=actor)
    return payment


@transaction.atomic
def held_review(*, actor, payment_id: int, decision: str, note: str, ip_address: str = "") -> Payment:
    """Decide on a held payment: accept it as the bill's payment, or record that it is to be refunded."""
    payment = Payment.objects.select_for_update().filter(pk=payment_id).first()
    if payment is None:
        raise NotFound("Không tìm thấy giao dịch.")
    bill = _lock_bill(payment.bill_id)
    if not selectors.can_review(actor, bill):
        raise NotFound("Không tìm thấy giao dịch.")
    note = (note or "").strip()
    if not note:
        raise ValidationError.for_field("note", "Cần ghi nội dung xem xét.")
    if len(note) > MAX_REASON:
        raise ValidationError.for_field("note", f"Nội dung quá dài (tối đa {MAX_REASON} ký tự).")
    if decision not in ("accept", "refund"):
        raise ValidationError.for_field("decision", "Quyết định là chấp nhận (accept) hoặc hoàn trả (refund).")
    if payment.status != PaymentStatus.HELD:
        raise Conflict("Giao dịch không ở trạng thái chờ xem xét.")
    now = timezone.now()
    payment.reviewed_by, payment.reviewed_at, payment.review_note = actor, now, note
    if decision == "accept":
        if bill.status != BillStatus.UNPAID:
            raise Conflict(f"Hóa đơn đã ở trạng thái “{bill.get_status_display()}”: chỉ có thể hoàn trả.")
        payment.amount = payment.provider_amount or payment.amount
        payment.status = PaymentStatus.PENDING  # _confirm moves it on and writes the audit record
        _confirm(bill, payment, now=now, actor=actor)
    else:
        payment.status = PaymentStatus.REFUND_DUE
        payment.save()
        refunded = payment.provider_amount or 0
        Refund.objects.create(bill=bill, payment=payment, amount=refunded, reason=note[:500], at=now, actor=actor)
        _event(bill, action="fee_refund_recorded", actor=actor, now=now,
               note=f"Hoàn trả {money(refunded)} của giao dịch {payment.reference}. {note}")
    audit_record(actor=actor, action="payments.payment.review", obj=payment, object_label=payment.reference,
                 ip_address=ip_address, changes={"status": [PaymentStatus.HELD, payment.status]},
                 summary=f"Xem xét giao dịch {payment.reference} (hồ sơ {bill.dossier.code}): "
                         f"{'chấp nhận' if decision == 'accept' else 'hoàn trả'} — {note[:200]}")
    return payment


# --- the dossier's flow ------------------------------------------------------------------------------------------

def _close_for_dossier(*, event: DossierEvent) -> None:
    """Refused, or withdrawn before processing: an unpaid bill is cancelled; a paid one is to be refunded."""
    bill = Bill.objects.select_for_update().select_related("dossier", "agency").filter(
        dossier_id=event.dossier_id).first()
    if bill is None or bill.status not in (BillStatus.UNPAID, BillStatus.PAID):
        return
    old = bill.status
    reason = "Từ chối tiếp nhận hồ sơ" if event.action == "refuse" else "Rút hồ sơ trước khi giải quyết"
    if bill.status == BillStatus.UNPAID:
        bill.status, note = BillStatus.CANCELLED, f"Hủy hóa đơn phí, lệ phí chưa nộp ({reason.lower()})."
    else:
        payment = selectors.confirmed_payment(bill=bill)
        bill.status = BillStatus.REFUNDED
        if payment is not None:
            Refund.objects.create(bill=bill, payment=payment, amount=payment.amount, reason=reason, at=event.at,
                                  actor=event.actor)
        note = f"Ghi nhận hoàn trả {money(payment.amount if payment else bill.total)} đã nộp ({reason.lower()})."
    bill.closed_at = event.at
    bill.save(update_fields=["status", "closed_at", "updated_at"])
    _event(bill, action="fee_refund_recorded" if old == BillStatus.PAID else "fee_bill_cancelled",
           actor=event.actor, now=event.at, note=note)
    audit_record(actor=event.actor, action="payments.bill.refund" if old == BillStatus.PAID else
                 "payments.bill.cancel", obj=bill, summary=f"{note} Hồ sơ {bill.dossier.code}.",
                 changes={"status": [old, bill.status]})


def on_dossier_event(sender, instance: DossierEvent, created: bool, raw: bool = False, **kwargs) -> None:
    """Issue the bill when the one-stop receives the dossier (at submission for pay-first procedures); close it
    when the dossier is refused or withdrawn before processing. Runs inside the dossier's transaction."""
    if not created or raw or instance.action.startswith("fee_"):
        return
    if instance.action == "submit" or instance.action in ISSUE_ACTIONS:
        dossier = Dossier.objects.select_related("procedure", "receiving_agency", "applicant_user").get(
            pk=instance.dossier_id)
        if instance.action in ISSUE_ACTIONS or dossier.procedure.fee_pay_first:
            bill_issue(dossier=dossier, now=instance.at, actor=instance.actor)
    elif instance.action == "refuse" or (instance.action == "withdraw"
                                         and instance.from_status in BEFORE_PROCESSING):
        _close_for_dossier(event=instance)


def pay_first_guard(transition, dossier) -> str | None:
    """dossiers.services calls this inside the row lock before every transition."""
    if transition.name not in PROCESSING_ACTIONS:
        return None
    bill = Bill.objects.filter(dossier_id=dossier.pk, pay_first=True, status=BillStatus.UNPAID).first()
    if bill is None:
        return None
    return (f"Thủ tục này nộp phí, lệ phí trước khi giải quyết: hồ sơ đang chờ công dân nộp {money(bill.total)}. "
            "Hồ sơ được xử lý khi phí, lệ phí đã được nộp (trực tuyến hoặc tại quầy).")

