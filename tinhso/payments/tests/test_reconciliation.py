"""The daily reconciliation of the provider's statement (CSV) with the platform's online payments."""

import csv
import io
import random
from datetime import date, datetime, timedelta

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from openpyxl import load_workbook

from tinhso.core.exceptions import ImportFailed, PermissionDenied
from tinhso.payments import reconciliation
from tinhso.payments.choices import BillStatus, Method, PaymentStatus
from tinhso.payments.models import Bill, Payment
from tinhso.payments.providers import VN_TIME, vnp_date

from .factories import submit

DAY = date(2026, 11, 30)


def _generated_day(world, n: int, *, seed: int = 7) -> list[Payment]:
    """n dossiers paid online on DAY at random times, with VNPAY transaction numbers."""
    rng = random.Random(seed)
    payments = []
    for i in range(n):
        bill = Bill.objects.get(dossier=submit(world, copies=rng.randint(1, 4)))
        at = datetime(2026, 11, 30, rng.randint(0, 23), rng.randint(0, 59), tzinfo=VN_TIME)
        payments.append(Payment.objects.create(
            bill=bill, method=Method.VNPAY, status=PaymentStatus.CONFIRMED, reference=f"TSGEN{i:05d}",
            amount=bill.total, provider_amount=bill.total, provider_transaction_no=str(14000000 + i),
            provider_response_code="00", paid_at=at, created_at=at, confirmed_at=at, receipt_number=f"BLGEN{i}"))
        Bill.objects.filter(pk=bill.pk).update(status=BillStatus.PAID, paid_at=at, paid_method=Method.VNPAY)
    return payments


def _statement(rows: list[dict]) -> bytes:
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=reconciliation.STATEMENT_COLUMNS, lineterminator="\n")
    writer.writeheader()
    writer.writerows(rows)
    return out.getvalue().encode()


def _row(payment=None, **overrides) -> dict:
    row = {"vnp_TxnRef": payment.reference, "vnp_TransactionNo": payment.provider_transaction_no,
           "vnp_Amount": str(payment.provider_amount * 100), "vnp_PayDate": vnp_date(payment.paid_at),
           "vnp_BankCode": "NCB", "vnp_ResponseCode": "00"} if payment else {}
    return {**row, **overrides}


@pytest.mark.smoke
def test_a_generated_day_with_one_missing_and_one_extra_transaction_lists_exactly_those_two(world):
    payments = _generated_day(world, 12)
    dropped = payments[5]  # confirmed on the platform, absent from the statement
    stranger = _row(reference="x", vnp_TxnRef="TSUNKNOWN01", vnp_TransactionNo="15999999", vnp_Amount="800000",
                    vnp_PayDate="20261130101500", vnp_BankCode="VCB", vnp_ResponseCode="00")
    stranger.pop("reference")
    declined = _row(payments[0], vnp_TxnRef="TSDECLINED", vnp_ResponseCode="24")  # moved no money: skipped
    rows = [_row(p) for p in payments if p is not dropped] + [stranger, declined]
    random.Random(3).shuffle(rows)
    run = reconciliation.reconcile(actor=world.users["province_admin"], day=DAY, content=_statement(rows))
    assert (run.statement_rows, run.platform_rows, run.matched) == (12, 12, 11)
    assert sorted((d["kind"], d["reference"]) for d in run.differences) == [
        ("extra", dropped.reference), ("missing", "TSUNKNOWN01")]


def test_amount_and_transaction_number_differences_are_mismatches(world):
    first, second = _generated_day(world, 2)
    rows = [_row(first, vnp_Amount=str((first.amount + 1000) * 100)), _row(second, vnp_TransactionNo="1")]
    run = reconciliation.reconcile(actor=None, day=DAY, content=_statement(rows))
    kinds = {d["reference"]: (d["kind"], d["note"]) for d in run.differences}
    assert kinds == {first.reference: ("mismatched", "Số tiền khác nhau"),
                     second.reference: ("mismatched", "Mã giao dịch vnpay khác nhau")}


def test_a_pending_payment_the_provider_says_it_paid_is_missing_on_the_platform(world):
    (payment,) = _generated_day(world, 1)
    Payment.objects.filter(pk=payment.pk).update(status=PaymentStatus.PENDING)
    run = reconciliation.reconcile(actor=None, day=DAY, content=_statement([_row(payment)]))
    assert [(d["kind"], d["note"]) for d in run.differences] == [
        ("missing", "Trên nền tảng: chờ cổng thanh toán xác nhận")]


def test_a_malformed_statement_is_refused_whole_with_line_numbers(world):
    (payment,) = _generated_day(world, 1)
    rows = [_row(payment), _row(payment, vnp_TxnRef="TSB", vnp_Amount="12.5"),
            _row(payment, vnp_TxnRef="TSC", vnp_PayDate=vnp_date(payment.paid_at + timedelta(days=1)))]
    with pytest.raises(ImportFailed) as exc:
        reconciliation.reconcile(actor=None, day=DAY, content=_statement(rows))
    assert [n for n, _ in exc.value.line_errors] == [3, 4]
    assert "vnp_Amount" in exc.value.line_errors[0][1] and "01/12/2026" in exc.value.line_errors[1][1]
    with pytest.raises(ImportFailed):
        reconciliation.reconcile(actor=None, day=DAY, content=b"ref,amount\nx,1\n")
    with pytest.raises(PermissionDenied):
        reconciliation.reconcile(actor=world.users["receiving_officer"], day=DAY, content=_statement([]))
    assert not reconciliation.Reconciliation.objects.exists()


def test_the_command_and_the_page_report_the_differences_and_export_them_safely(world, tmp_path):
    (payment,) = _generated_day(world, 1)
    forged = _row(payment, vnp_TxnRef="=HYPERLINK(\"http://x\")")
    statement = tmp_path / "saoke.csv"
    statement.write_bytes(_statement([forged]))
    out = io.StringIO()
    call_command("payments_reconcile", str(statement), day="2026-11-30", output=str(tmp_path / "r.xlsx"),
                 stdout=out)
    assert "1 giao dịch trong sao kê, 1 trên nền tảng, 0 khớp, 2 chênh lệch" in out.getvalue()
    sheet = load_workbook(tmp_path / "r.xlsx").active
    cells = [c.value for c in sheet["B"]]
    assert '=HYPERLINK("http://x")' in cells and sheet["B2"].data_type == "s"
    with pytest.raises(CommandError):
        call_command("payments_reconcile", str(statement), day="30/11/2026")

    admin = world.client_for("province_admin")
    statement_file = io.BytesIO(_statement([_row(payment)]))
    statement_file.name = "saoke.csv"
    response = admin.post("/thanh-toan/doi-soat/", {"day": "2026-11-30", "statement": statement_file})
    assert response.status_code == 302
    page = admin.get(response["Location"]).content.decode()
    assert "Sao kê và nền tảng khớp hoàn toàn." in page
    exported = admin.get(response["Location"] + "?format=csv")
    assert exported.status_code == 200 and exported.content.decode("utf-8-sig").startswith("Loại chênh lệch")
    assert world.client_for("receiving_officer").get("/thanh-toan/doi-soat/").status_code == 404
