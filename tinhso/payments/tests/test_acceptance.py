"""Acceptance, end to end over HTTP: the platform (live server) and a local server speaking VNPAY's protocol.

A citizen pays the fee of a birth-certificate copy (2.000635 Cấp bản sao trích lục hộ tịch) online: the payment
page redirects to the provider, which pays, calls the IPN and sends the payer back. The dossier shows it paid
with a receipt PDF; a replayed confirmation changes nothing; a tampered signature is refused; an amount mismatch
is held for review.
"""

import http.cookiejar
import re
from urllib.error import HTTPError
from urllib.parse import urlencode
from urllib.request import HTTPCookieProcessor, build_opener

import pytest

from tinhso.audit.models import AuditEvent
from tinhso.payments import selectors
from tinhso.payments.choices import BillStatus, PaymentStatus
from tinhso.payments.models import Bill, Payment

from .factories import receive, submit
from .vnpay_server import HASH_SECRET, TMN_CODE, LocalVnpay

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def provider(live_server, settings):
    with LocalVnpay(ipn_url=f"{live_server.url}/api/v1/payments/vnpay/ipn") as server:
        settings.TINHSO_PUBLIC_URL = live_server.url
        settings.TINHSO_VNPAY_TMN_CODE, settings.TINHSO_VNPAY_HASH_SECRET = TMN_CODE, HASH_SECRET
        settings.TINHSO_VNPAY_URL = server.url
        settings.TINHSO_VNPAY_SIMULATOR = ""
        yield server


def _browser():
    jar = http.cookiejar.CookieJar()
    return build_opener(HTTPCookieProcessor(jar)), jar


def _pay(live_server, bill) -> tuple[int, str, str]:
    """Open the notice's link, press "Thanh toán"; follow the provider's redirects back. (status, url, page)"""
    opener, jar = _browser()
    link = f"{live_server.url}/thanh-toan/hd/{selectors.bill_token(bill)}/"
    opener.open(link).read()
    csrf = next(c.value for c in jar if c.name == "csrftoken")
    try:
        response = opener.open(link, data=urlencode({"csrfmiddlewaretoken": csrf}).encode())
        return response.status, response.url, response.read().decode()
    except HTTPError as exc:
        return exc.code, exc.url, exc.read().decode()


def test_a_citizen_pays_a_birth_certificate_copy_online_and_a_replay_changes_nothing(world, live_server, provider):
    dossier = submit(world, copies=2)
    receive(world, dossier)
    bill = Bill.objects.get(dossier=dossier)
    assert bill.procedure.code == "2.000635" and bill.total == 16000

    status, url, page = _pay(live_server, bill)
    assert status == 200 and url.startswith(f"{live_server.url}/thanh-toan/vnpay/tra-ve/")
    assert 'data-result="confirmed"' in page
    assert provider.ipn_calls[-1][1] == {"RspCode": "00", "Message": "Confirm Success"}
    request = provider.requests[-1]
    assert request["vnp_Amount"] == "1600000" and request["vnp_TmnCode"] == TMN_CODE

    bill.refresh_from_db()
    payment = Payment.objects.get(bill=bill)
    assert bill.status == BillStatus.PAID and bill.paid_method == "vnpay"
    assert payment.status == PaymentStatus.CONFIRMED and payment.reference == request["vnp_TxnRef"]
    assert payment.provider_transaction_no == provider.last_ipn["vnp_TransactionNo"]

    dossier_page = world.client_for("citizen").get(f"/ho-so/{dossier.code}/").content.decode()
    assert 'data-status="paid"' in dossier_page and "Trực tuyến qua VNPAY" in dossier_page
    receipt_path = re.search(r'id="bill-receipt" href="([^"]+)"', dossier_page).group(1)
    opener, _ = _browser()
    receipt = opener.open(f"{live_server.url}{receipt_path}")
    assert receipt.headers["Content-Type"] == "application/pdf" and receipt.read().startswith(b"%PDF")

    # The processing officer may now start: the pay-first wait is over.
    from tinhso.dossiers import services as dossier_services

    dossier_services.dossier_transition(actor=world.users["processing_officer"], dossier_code=dossier.code,
                                        action="start")

    before = (payment.confirmed_at, payment.receipt_number, AuditEvent.objects.count(),
              dossier.events.count())
    assert provider.replay() == {"RspCode": "02", "Message": "Order already confirmed"}
    payment.refresh_from_db()
    assert (payment.confirmed_at, payment.receipt_number, AuditEvent.objects.count(),
            dossier.events.count()) == before
    assert Payment.objects.filter(bill=bill, status=PaymentStatus.CONFIRMED).count() == 1


def test_a_tampered_signature_is_refused_and_records_nothing(world, live_server, provider):
    bill = Bill.objects.get(dossier=submit(world))
    provider.mode = "tamper"
    status, _, page = _pay(live_server, bill)
    assert provider.ipn_calls[-1][1] == {"RspCode": "97", "Message": "Invalid signature"}
    assert status == 400 and 'data-result="invalid"' in page
    payment = Payment.objects.get(bill=bill)
    bill.refresh_from_db()
    assert payment.status == PaymentStatus.PENDING and payment.provider_amount is None
    assert bill.status == BillStatus.UNPAID


def test_an_amount_mismatch_is_held_for_review_and_listed_for_the_officer(world, live_server, provider):
    bill = Bill.objects.get(dossier=submit(world))
    provider.mode = "amount"
    status, _, page = _pay(live_server, bill)
    assert provider.ipn_calls[-1][1] == {"RspCode": "04", "Message": "invalid amount"}
    assert status == 200 and 'data-result="held"' in page
    payment = Payment.objects.get(bill=bill)
    bill.refresh_from_db()
    assert (payment.status, payment.provider_amount, bill.status) == (PaymentStatus.HELD, 17000, BillStatus.UNPAID)
    held_page = world.client_for("receiving_officer").get("/thanh-toan/xem-xet/").content.decode()
    assert payment.reference in held_page and "17.000 đồng" in held_page
    assert payment.reference not in world.client_for("other_unit_officer").get("/thanh-toan/xem-xet/").content.decode()
    assert provider.replay()["RspCode"] == "02"
    payment.refresh_from_db()
    assert payment.status == PaymentStatus.HELD
