"""Payment API routes × personas. The bills here belong to dossiers filed by the citizen persona for the
birth-certificate copy (received by the provincial service centre, handled by the Department of Justice)."""

from django.conf import settings

from tests.matrix import EVERYONE, Request, case
from tinhso.payments.choices import PaymentStatus
from tinhso.payments.models import Bill, Payment

from .factories import submit
from .vnpay_server import HASH_SECRET, TMN_CODE

# Opening an online payment needs a configured terminal (else 409 "not configured"); the matrix runs with a
# sandbox one. Set when the matrix is collected, for that whole run: the payment tests set their own explicitly.
settings.TINHSO_VNPAY_TMN_CODE, settings.TINHSO_VNPAY_HASH_SECRET = TMN_CODE, HASH_SECRET
settings.TINHSO_VNPAY_URL = "https://sandbox.vnpayment.vn/paymentv2/vpcpay.html"

# Who sees the dossier, so its bill (dossiers.selectors): the applicant and the agencies' officers in scope.
SEES_IT = {"citizen", "receiving_officer", "processing_officer", "agency_leader", "province_admin"}


def _bill(w) -> Bill:
    return Bill.objects.get(dossier=submit(w))


def _adjust(w):
    return Request(f"/api/v1/payments/bills/{_bill(w).pk}/adjustments",
                   json={"lines": [{"position": 1, "quantity": 3}], "reason": "Công dân xin thêm một bản"})


def _counter(w):
    return Request(f"/api/v1/payments/bills/{_bill(w).pk}/counter-payments",
                   json={"method": "cash", "amount": 16000})


def _online(w):
    return Request(f"/api/v1/payments/bills/{_bill(w).pk}/online-payments")


def _held(w) -> Payment:
    bill = _bill(w)
    return Payment.objects.create(bill=bill, method="vnpay", status=PaymentStatus.HELD, reference=f"TSHELD{bill.pk}",
                                  amount=16000, provider_amount=17000, created_at=bill.issued_at,
                                  held_reason="số tiền khác")


def _review(w):
    return Request(f"/api/v1/payments/payments/{_held(w).pk}/review",
                   json={"decision": "refund", "note": "Hoàn trả số tiền chuyển thừa"})


def _reconcile(w):
    statement = b"vnp_TxnRef,vnp_TransactionNo,vnp_Amount,vnp_PayDate,vnp_BankCode,vnp_ResponseCode\n"
    return Request("/api/v1/payments/reconciliations", json={"day": "2026-11-30"},
                   files={"statement": ("saoke.csv", statement, "text/csv")})


MATRIX = {
    ("GET", "/api/v1/payments/bills"): case(lambda w: (_bill(w), Request("/api/v1/payments/bills"))[1], EVERYONE
                                            - {"anonymous"}),
    ("GET", "/api/v1/payments/bills/{bill_id}"): case(lambda w: Request(f"/api/v1/payments/bills/{_bill(w).pk}"),
                                                      SEES_IT),
    # Officers of the receiving or handling agency; the citizen sees the bill but may not change it (403).
    ("POST", "/api/v1/payments/bills/{bill_id}/adjustments"): case(
        _adjust, {"receiving_officer", "processing_officer", "agency_leader"}),
    # Only the one-stop's clerks collect at the counter.
    ("POST", "/api/v1/payments/bills/{bill_id}/counter-payments"): case(_counter, {"receiving_officer"}),
    # Whoever sees the dossier may open an online payment of its bill (paying for someone is allowed).
    ("POST", "/api/v1/payments/bills/{bill_id}/online-payments"): case(_online, SEES_IT),
    # The provider's server: anonymous, answered with the protocol's code (97 for this unsigned call).
    ("GET", "/api/v1/payments/vnpay/ipn"): case(lambda w: Request("/api/v1/payments/vnpay/ipn",
                                                                  query={"vnp_TxnRef": "x"}), EVERYONE),
    ("GET", "/api/v1/payments/held"): case(lambda w: Request("/api/v1/payments/held"), EVERYONE - {"anonymous"}),
    ("POST", "/api/v1/payments/payments/{payment_id}/review"): case(_review, {"receiving_officer",
                                                                             "province_admin"}),
    ("POST", "/api/v1/payments/reconciliations"): case(_reconcile, {"province_admin"}),
}
