"""Bills from the catalogue, issued by the dossier's flow; adjustments; counter payments; the pay-first wait;
refunds when the dossier is refused or withdrawn before processing."""

import pytest

from tinhso.audit.models import AuditEvent
from tinhso.core.exceptions import Conflict, NotFound, PermissionDenied, ValidationError
from tinhso.dossiers import selectors as dossier_selectors
from tinhso.dossiers import services as dossier_services
from tinhso.notifications.models import Notification
from tinhso.payments import services
from tinhso.payments.choices import BillStatus, PaymentStatus
from tinhso.payments.models import Bill, BillAdjustment, Refund

from .factories import RECORD_FEES, priced_procedure, receive, submit


def _act(world, dossier, action, persona, **kwargs):
    return dossier_services.dossier_transition(actor=world.users[persona], dossier_code=dossier.code,
                                               action=action, **kwargs)


@pytest.mark.smoke
def test_pay_first_bill_is_issued_at_submission_from_the_catalogue_with_the_quantity_of_the_form(world):
    dossier = submit(world, copies=2)
    bill = Bill.objects.get(dossier=dossier)
    assert (bill.status, bill.total, bill.pay_first) == (BillStatus.UNPAID, 16000, True)
    assert [(line.name, line.unit_amount, line.quantity, line.amount) for line in bill.lines.all()] == [
        ("Phí cấp bản sao trích lục hộ tịch", 8000, 2, 16000)]
    labels = [e.label for e in dossier_selectors.dossier_history(dossier=dossier)]
    assert labels == ["Nộp hồ sơ trực tuyến", "Thông báo phí, lệ phí"]
    assert AuditEvent.objects.filter(action="payments.bill.issue", object_id=str(bill.pk)).count() == 1
    notice = Notification.objects.get(kind="payment.bill_issued", channel="in_app")
    assert notice.recipient == world.users["citizen"] and "16.000 đồng" in notice.body
    assert "/thanh-toan/hd/" in notice.body and notice.link.startswith("/thanh-toan/hd/")


def test_other_procedures_are_billed_when_the_one_stop_receives_the_dossier(world):
    procedure = priced_procedure(world, code="2.000488", fees=RECORD_FEES, pay_first=False,
                                 name="Cấp Phiếu lý lịch tư pháp")
    dossier = submit(world, procedure)
    assert not Bill.objects.filter(dossier=dossier).exists()
    receive(world, dossier)
    bill = Bill.objects.get(dossier=dossier)
    assert (bill.total, bill.pay_first, bill.status) == (200000, False, BillStatus.UNPAID)
    _act(world, dossier, "start", "processing_officer")  # not pay-first: processing does not wait


@pytest.mark.smoke
def test_processing_a_pay_first_dossier_waits_for_payment_and_the_wait_shows_in_the_timeline(world):
    dossier = submit(world, copies=1)
    receive(world, dossier)
    with pytest.raises(Conflict) as exc:
        _act(world, dossier, "start", "processing_officer")
    assert "nộp phí, lệ phí trước khi giải quyết" in exc.value.message and "8.000 đồng" in exc.value.message
    bill = Bill.objects.get(dossier=dossier)
    payment = services.counter_pay(actor=world.users["receiving_officer"], bill_id=bill.pk, method="cash",
                                   amount=8000)
    assert payment.status == PaymentStatus.CONFIRMED and payment.receipt_number.startswith("BL")
    _act(world, dossier, "start", "processing_officer")
    labels = [e.label for e in dossier_selectors.dossier_history(dossier=dossier)]
    assert labels[-3:] == ["Tiếp nhận", "Đã nộp phí, lệ phí", "Nhận xử lý"]


def test_an_officer_applies_a_case_and_an_exemption_of_the_catalogue_with_a_reason_audited(world):
    procedure = priced_procedure(world, code="2.000488", fees=RECORD_FEES, pay_first=False)
    dossier = submit(world, procedure)
    receive(world, dossier)
    bill = Bill.objects.get(dossier=dossier)
    case = RECORD_FEES[0]["cases"][0]["label"]
    services.bill_adjust(actor=world.users["processing_officer"], bill_id=bill.pk,
                         lines=[{"position": 1, "case": case}], reason="Người nộp là sinh viên (thẻ SV)")
    bill.refresh_from_db()
    assert bill.total == 100000 and bill.lines.get().case_label == case
    services.bill_adjust(actor=world.users["receiving_officer"], bill_id=bill.pk,
                         lines=[{"position": 1, "exemption": "Người cao tuổi"}], reason="Người nộp 75 tuổi")
    bill.refresh_from_db()
    assert (bill.total, bill.status) == (0, BillStatus.EXEMPT)
    assert list(BillAdjustment.objects.filter(bill=bill).values_list("total_before", "total_after")) == [
        (200000, 100000), (100000, 0)]
    audit = AuditEvent.objects.filter(action="payments.bill.adjust").order_by("seq").last()
    assert audit.changes["total"] == [100000, 0] and "Người nộp 75 tuổi" in audit.summary


def test_an_adjustment_needs_a_reason_and_values_from_the_catalogue(world):
    dossier = submit(world)
    bill = Bill.objects.get(dossier=dossier)
    clerk = world.users["receiving_officer"]
    with pytest.raises(ValidationError) as exc:
        services.bill_adjust(actor=clerk, bill_id=bill.pk, lines=[{"position": 1, "quantity": 3}], reason=" ")
    assert "reason" in exc.value.field_errors
    with pytest.raises(ValidationError) as exc:
        services.bill_adjust(actor=clerk, bill_id=bill.pk, lines=[{"position": 1, "exemption": "Hộ nghèo"}],
                             reason="Miễn")
    assert "lines[0].exemption" in exc.value.field_errors
    with pytest.raises(ValidationError):
        services.bill_adjust(actor=clerk, bill_id=bill.pk, lines=[{"position": 1, "quantity": 0}], reason="x")
    bill.refresh_from_db()
    assert bill.total == 16000 and not BillAdjustment.objects.exists()


def test_who_may_adjust_and_collect(world):
    bill = Bill.objects.get(dossier=submit(world))
    with pytest.raises(PermissionDenied):
        services.bill_adjust(actor=world.users["citizen"], bill_id=bill.pk, lines=[{"position": 1}], reason="x")
    with pytest.raises(NotFound):
        services.bill_adjust(actor=world.users["other_unit_officer"], bill_id=bill.pk, lines=[{"position": 1}],
                             reason="x")
    with pytest.raises(PermissionDenied):
        services.counter_pay(actor=world.users["processing_officer"], bill_id=bill.pk, method="cash", amount=16000)
    with pytest.raises(ValidationError) as exc:
        services.counter_pay(actor=world.users["receiving_officer"], bill_id=bill.pk, method="cash", amount=8000)
    assert "16.000 đồng" in exc.value.field_errors["amount"][0]
    with pytest.raises(ValidationError):
        services.counter_pay(actor=world.users["receiving_officer"], bill_id=bill.pk, method="cheque",
                             amount=16000)
    assert not bill.payments.exists()


@pytest.mark.smoke
def test_a_paid_fee_is_refunded_when_the_dossier_is_refused(world):
    dossier = submit(world)
    bill = Bill.objects.get(dossier=dossier)
    payment = services.counter_pay(actor=world.users["receiving_officer"], bill_id=bill.pk, method="card",
                                   amount=16000)
    _act(world, dossier, "refuse", "receiving_officer", note="Không thuộc thẩm quyền")
    bill.refresh_from_db()
    assert bill.status == BillStatus.REFUNDED
    refund = Refund.objects.get(bill=bill)
    assert (refund.payment, refund.amount, refund.reason) == (payment, 16000, "Từ chối tiếp nhận hồ sơ")
    assert [e.label for e in dossier_selectors.dossier_history(dossier=dossier)][-1] == "Ghi nhận hoàn trả phí, lệ phí"
    assert AuditEvent.objects.filter(action="payments.bill.refund").count() == 1


def test_withdrawing_before_processing_cancels_an_unpaid_bill_and_after_processing_keeps_it(world):
    first = submit(world)
    _act(world, first, "withdraw", "citizen", note="Nộp nhầm",
         )
    assert Bill.objects.get(dossier=first).status == BillStatus.CANCELLED
    procedure = priced_procedure(world, code="2.000488", fees=RECORD_FEES, pay_first=False)
    second = submit(world, procedure)
    receive(world, second)
    _act(world, second, "start", "processing_officer")
    _act(world, second, "withdraw", "citizen", note="Không cần nữa")
    assert Bill.objects.get(dossier=second).status == BillStatus.UNPAID
    assert not Refund.objects.exists()
