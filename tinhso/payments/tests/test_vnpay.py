"""The VNPAY 2.1.0 protocol (providers.Vnpay) and the IPN's answers, without the network."""

import hashlib
import hmac
from urllib.parse import parse_qsl, quote_plus, urlsplit

import pytest

from tinhso.audit.models import AuditEvent
from tinhso.payments import providers, services, simulator
from tinhso.payments.choices import BillStatus, PaymentStatus
from tinhso.payments.models import Bill, Payment

from .factories import submit
from .vnpay_server import HASH_SECRET, TMN_CODE

IPN = "/api/v1/payments/vnpay/ipn"


def _gateway():
    return providers.Vnpay(tmn_code=TMN_CODE, hash_secret=HASH_SECRET, url="https://sandbox.example/vpcpay.html")


def test_the_payment_url_is_sorted_and_signed_with_hmac_sha512_of_the_encoded_query():
    url = _gateway().payment_url(reference="TS2612010001", amount=16000, description="Nộp phí hồ sơ H56-1",
                                 return_url="http://127.0.0.1:8000/thanh-toan/vnpay/tra-ve/", ip_address="10.0.0.1")
    query = urlsplit(url).query
    pairs = parse_qsl(query)
    keys = [k for k, _ in pairs]
    assert keys[-1] == "vnp_SecureHash" and keys[:-1] == sorted(keys[:-1])
    params = dict(pairs)
    assert params["vnp_Amount"] == "1600000" and params["vnp_Version"] == "2.1.0"
    assert params["vnp_Command"] == "pay" and params["vnp_CurrCode"] == "VND" and params["vnp_TmnCode"] == TMN_CODE
    assert params["vnp_OrderInfo"] == "Nop phi ho so H56-1"  # no diacritics, as the protocol requires
    # The signed data is the query before vnp_SecureHash, exactly as sent (keys and values form-encoded).
    signed = query.rsplit("&vnp_SecureHash=", 1)[0]
    assert signed == "&".join(f"{quote_plus(k)}={quote_plus(v)}" for k, v in sorted(params.items())
                              if k != "vnp_SecureHash")
    expected = hmac.new(HASH_SECRET.encode(), signed.encode(), hashlib.sha512).hexdigest()
    assert params["vnp_SecureHash"] == expected and len(expected) == 128


def test_a_confirmation_is_read_only_with_a_valid_signature():
    gateway = _gateway()
    request = dict(parse_qsl(urlsplit(gateway.payment_url(
        reference="TS1", amount=8000, description="x", return_url="http://r/", ip_address="")).query))
    result = simulator.result_params(request, secret=HASH_SECRET, transaction_no="14831393")
    c = gateway.parse(result)
    assert (c.reference, c.amount, c.success, c.transaction_no) == ("TS1", 8000, True, "14831393")
    for forged in ({**result, "vnp_Amount": "100"}, {**result, "vnp_SecureHash": "0" * 128},
                   {k: v for k, v in result.items() if k != "vnp_SecureHash"}):
        with pytest.raises(providers.InvalidSignature):
            gateway.parse(forged)
    with pytest.raises(providers.InvalidSignature):
        providers.Vnpay(tmn_code=TMN_CODE, hash_secret="another", url="x").parse(result)


def _opened(world):
    bill = Bill.objects.get(dossier=submit(world))
    payment, url = services.online_start(actor=world.users["citizen"], bill=bill, return_url="http://r/")
    return bill, payment, dict(parse_qsl(urlsplit(url).query))


@pytest.mark.smoke
def test_ipn_answers_each_protocol_code_and_a_replay_changes_nothing(world, vnpay_settings, client):
    bill, payment, request = _opened(world)
    good = simulator.result_params(request, secret=HASH_SECRET)
    assert client.get(IPN, {**good, "vnp_Amount": "1"}).json() == {"RspCode": "97", "Message": "Invalid signature"}
    unknown = simulator.result_params({**request, "vnp_TxnRef": "TSNOPE"}, secret=HASH_SECRET)
    assert client.get(IPN, unknown).json()["RspCode"] == "01"
    assert client.get(IPN, good).json() == {"RspCode": "00", "Message": "Confirm Success"}
    payment.refresh_from_db()
    bill.refresh_from_db()
    assert payment.status == PaymentStatus.CONFIRMED and bill.status == BillStatus.PAID
    audit_count = AuditEvent.objects.count()
    before = (payment.confirmed_at, payment.receipt_number, bill.paid_at)
    assert client.get(IPN, good).json() == {"RspCode": "02", "Message": "Order already confirmed"}
    payment.refresh_from_db()
    bill.refresh_from_db()
    assert (payment.confirmed_at, payment.receipt_number, bill.paid_at) == before
    assert AuditEvent.objects.count() == audit_count
    assert bill.payments.filter(status=PaymentStatus.CONFIRMED).count() == 1


def test_a_signed_confirmation_of_another_amount_is_held_for_review(world, vnpay_settings, client):
    bill, payment, request = _opened(world)
    other = simulator.result_params(request, secret=HASH_SECRET, amount=15000)
    assert client.get(IPN, other).json() == {"RspCode": "04", "Message": "invalid amount"}
    payment.refresh_from_db()
    bill.refresh_from_db()
    assert payment.status == PaymentStatus.HELD and payment.provider_amount == 15000
    assert bill.status == BillStatus.UNPAID and "15.000 đồng" in payment.held_reason
    assert client.get(IPN, other).json()["RspCode"] == "02"  # replayed: still held, nothing added
    reviewed = services.held_review(actor=world.users["province_admin"], payment_id=payment.pk, decision="accept",
                                    note="Đã đối chiếu với ngân hàng: nộp đủ sau điều chỉnh")
    bill.refresh_from_db()
    assert reviewed.status == PaymentStatus.CONFIRMED and reviewed.receipt_number
    assert bill.status == BillStatus.PAID and AuditEvent.objects.filter(action="payments.payment.review").exists()


def test_a_confirmation_for_a_bill_paid_meanwhile_at_the_counter_is_held(world, vnpay_settings, client):
    bill, payment, request = _opened(world)
    services.counter_pay(actor=world.users["receiving_officer"], bill_id=bill.pk, method="cash", amount=16000)
    assert client.get(IPN, simulator.result_params(request, secret=HASH_SECRET)).json()["RspCode"] == "00"
    payment.refresh_from_db()
    assert payment.status == PaymentStatus.HELD and "nộp hai lần" in payment.held_reason
    reviewed = services.held_review(actor=world.users["receiving_officer"], payment_id=payment.pk,
                                    decision="refund", note="Công dân đã nộp tiền mặt; hoàn trả qua VNPAY")
    assert reviewed.status == PaymentStatus.REFUND_DUE and reviewed.refund.amount == 16000


def test_a_declined_payment_fails_and_the_bill_stays_open(world, vnpay_settings, client):
    bill, payment, request = _opened(world)
    declined = simulator.result_params(request, secret=HASH_SECRET, success=False)
    assert client.get(IPN, declined).json()["RspCode"] == "00"
    payment.refresh_from_db()
    bill.refresh_from_db()
    assert payment.status == PaymentStatus.FAILED and bill.status == BillStatus.UNPAID


def test_an_unexpected_error_answers_99_and_writes_nothing(world, vnpay_settings, client, monkeypatch):
    bill, payment, request = _opened(world)

    def broken(*args, **kwargs):
        raise RuntimeError("database gone")

    monkeypatch.setattr(services, "_confirm", broken)
    assert client.get(IPN, simulator.result_params(request, secret=HASH_SECRET)).json()["RspCode"] == "99"
    payment.refresh_from_db()
    assert payment.status == PaymentStatus.PENDING and payment.provider_amount is None


def test_without_credentials_online_payment_is_refused_with_how_to_configure(world, settings):
    settings.TINHSO_VNPAY_TMN_CODE = settings.TINHSO_VNPAY_HASH_SECRET = settings.TINHSO_VNPAY_URL = ""
    settings.TINHSO_VNPAY_SIMULATOR = ""
    bill = Bill.objects.get(dossier=submit(world))
    from tinhso.core.exceptions import Conflict

    with pytest.raises(Conflict) as exc:
        services.online_start(actor=world.users["citizen"], bill=bill, return_url="http://r/")
    assert "TINHSO_VNPAY_HASH_SECRET" in exc.value.message
    assert not Payment.objects.exists()
