"""The payment API: the same services as the pages, field-level Vietnamese errors, never a partial write."""

import pytest

from tinhso.payments.models import Bill, Payment

from .factories import receive, submit


@pytest.mark.smoke
def test_bill_list_and_detail_for_the_applicant_with_the_pay_link(world):
    bill = Bill.objects.get(dossier=submit(world))
    body = world.client_for("citizen").get("/api/v1/payments/bills").json()
    assert [(b["dossier_code"], b["total"], b["status"], b["pay_first"]) for b in body] == [
        (bill.dossier.code, 16000, "unpaid", True)]
    assert "/thanh-toan/hd/" in body[0]["pay_url"] and body[0]["lines"][0]["quantity"] == 2
    assert world.client_for("other_unit_officer").get(f"/api/v1/payments/bills/{bill.pk}").status_code == 404


def test_errors_are_field_level_and_nothing_is_written(world, settings):
    dossier = submit(world)
    receive(world, dossier)
    bill = Bill.objects.get(dossier=dossier)
    clerk = world.client_for("receiving_officer")
    response = clerk.post(f"/api/v1/payments/bills/{bill.pk}/adjustments",
                          {"lines": [{"position": 1, "quantity": 3}], "reason": ""}, content_type="application/json")
    assert response.status_code == 422 and response.json()["errors"]["reason"] == ["Cần ghi lý do điều chỉnh."]
    response = clerk.post(f"/api/v1/payments/bills/{bill.pk}/adjustments",
                          {"lines": [{"position": 9}], "reason": "x"}, content_type="application/json")
    assert response.status_code == 422 and "lines[0].position" in response.json()["errors"]
    response = clerk.post(f"/api/v1/payments/bills/{bill.pk}/counter-payments", {"method": "cash", "amount": 1},
                          content_type="application/json")
    assert response.status_code == 422 and "16.000 đồng" in response.json()["errors"]["amount"][0]
    settings.TINHSO_VNPAY_TMN_CODE = settings.TINHSO_VNPAY_HASH_SECRET = settings.TINHSO_VNPAY_URL = ""
    settings.TINHSO_VNPAY_SIMULATOR = ""
    response = world.client_for("citizen").post(f"/api/v1/payments/bills/{bill.pk}/online-payments")
    assert response.status_code == 409 and "TINHSO_VNPAY_URL" in response.json()["message"]
    bill.refresh_from_db()
    assert bill.total == 16000 and not Payment.objects.exists() and not bill.adjustments.exists()


def test_reconciliation_by_api_reports_line_errors(world):
    from django.core.files.uploadedfile import SimpleUploadedFile

    admin = world.client_for("province_admin")
    bad = SimpleUploadedFile("saoke.csv", b"vnp_TxnRef,vnp_TransactionNo,vnp_Amount,vnp_PayDate,vnp_BankCode,"
                                          b"vnp_ResponseCode\nTS1,1,abc,20261130080000,NCB,00\n")
    response = admin.post("/api/v1/payments/reconciliations", {"day": "2026-11-30", "statement": bad})
    assert response.status_code == 422
    assert response.json()["lines"][0]["line"] == 2 and "vnp_Amount" in response.json()["lines"][0]["message"]
    good = SimpleUploadedFile("saoke.csv", b"vnp_TxnRef,vnp_TransactionNo,vnp_Amount,vnp_PayDate,vnp_BankCode,"
                                           b"vnp_ResponseCode\nTS1,1,800000,20261130080000,NCB,00\n")
    response = admin.post("/api/v1/payments/reconciliations", {"day": "2026-11-30", "statement": good})
    assert response.status_code == 201
    assert [(d["kind"], d["reference"]) for d in response.json()["differences"]] == [("missing", "TS1")]
