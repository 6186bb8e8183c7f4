"""Pages: the bill box on the dossier page, the payment page of the link, officers' bill page, held payments."""

import pytest

from tinhso.payments import services
from tinhso.payments.models import Bill

from .factories import receive, submit


@pytest.mark.smoke
def test_the_dossier_page_shows_the_bill_with_a_pay_button_for_the_applicant_then_the_receipt(world):
    dossier = submit(world)
    citizen = world.client_for("citizen")
    page = citizen.get(f"/ho-so/{dossier.code}/").content.decode()
    assert 'id="dossier-bill"' in page and "16.000 đồng" in page and "Chờ nộp phí, lệ phí" in page
    assert 'id="bill-pay"' in page and "nộp trước khi giải quyết" in page
    bill = Bill.objects.get(dossier=dossier)
    payment = services.counter_pay(actor=world.users["receiving_officer"], bill_id=bill.pk, method="cash",
                                   amount=16000)
    page = citizen.get(f"/ho-so/{dossier.code}/").content.decode()
    assert 'id="bill-pay"' not in page and 'data-status="paid"' in page
    assert f"Biên lai điện tử số {payment.receipt_number}" in page
    officer_page = world.client_for("receiving_officer").get(f"/ho-so/{dossier.code}/").content.decode()
    assert f"/thanh-toan/hoa-don/{bill.pk}/" in officer_page


def test_a_dossier_without_fees_shows_no_bill(world):
    from tinhso.dossiers.tests.factories import make_dossier

    dossier = make_dossier(world)
    assert 'id="dossier-bill"' not in world.client_for("citizen").get(f"/ho-so/{dossier.code}/").content.decode()


def test_the_link_of_the_notice_opens_the_bill_and_a_forged_link_is_404(world, client):
    bill = Bill.objects.get(dossier=submit(world))
    link = services.bill_pay_link(bill).split("127.0.0.1:8000", 1)[-1]
    page = client.get(link)
    assert page.status_code == 200 and "16.000 đồng" in page.content.decode()
    assert client.get("/thanh-toan/hd/not-a-token/").status_code == 404


def test_officers_adjust_and_collect_on_the_bill_page_and_others_get_404(world):
    dossier = submit(world)
    receive(world, dossier)
    bill = Bill.objects.get(dossier=dossier)
    clerk = world.client_for("receiving_officer")
    assert clerk.get(f"/thanh-toan/hoa-don/{bill.pk}/").status_code == 200
    bad = clerk.post(f"/thanh-toan/hoa-don/{bill.pk}/dieu-chinh/", {"line-1-quantity": "3", "reason": ""})
    assert bad.status_code == 422 and "Cần ghi lý do điều chỉnh." in bad.content.decode()
    done = clerk.post(f"/thanh-toan/hoa-don/{bill.pk}/dieu-chinh/", {"line-1-quantity": "3", "reason": "Xin 3 bản"})
    assert done.status_code == 302
    bill.refresh_from_db()
    assert bill.total == 24000
    paid = clerk.post(f"/thanh-toan/hoa-don/{bill.pk}/thu-tai-quay/", {"method": "cash", "amount": "24000"})
    assert paid.status_code == 302
    bill.refresh_from_db()
    assert bill.status == "paid"
    assert world.client_for("other_unit_officer").get(f"/thanh-toan/hoa-don/{bill.pk}/").status_code == 404
    assert world.client_for("anonymous").get(f"/thanh-toan/hoa-don/{bill.pk}/").status_code == 302  # log in


def test_the_payments_page_shows_online_payment_by_field_within_the_officers_scope(world, vnpay_settings):
    from urllib.parse import parse_qsl, urlsplit

    from tinhso.payments import simulator

    from .vnpay_server import HASH_SECRET

    paid, unpaid = Bill.objects.get(dossier=submit(world)), Bill.objects.get(dossier=submit(world, copies=1))
    _, url = services.online_start(actor=world.users["citizen"], bill=paid, return_url="http://r/")
    services.online_confirm(params=simulator.result_params(dict(parse_qsl(urlsplit(url).query)), secret=HASH_SECRET))
    page = world.client_for("processing_officer").get("/thanh-toan/").content.decode()
    row = page.split('id="online-by-field"', 1)[1].split("</table>", 1)[0]
    assert "<td>Hộ tịch</td><td>2</td><td>1</td><td>50,0 %</td><td>16.000 đồng</td>" in row
    assert unpaid.dossier.code in page
    other = world.client_for("other_unit_officer").get("/thanh-toan/").content.decode()
    assert 'id="online-by-field"' not in other and unpaid.dossier.code not in other
