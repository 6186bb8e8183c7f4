"""Paying a fee in Debian's Chromium: from the dossier page to the (local) VNPAY gateway and back, under the
Content-Security-Policy; the dossier then shows the bill paid with its receipt."""

import pytest

from conftest import build_world
from tinhso.accounts.tests.factories import PASSWORD
from tinhso.payments.tests.factories import submit
from tinhso.payments.tests.vnpay_server import HASH_SECRET, TMN_CODE, LocalVnpay

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_citizen_pays_the_copy_fee_from_the_dossier_page(live_server, browser, settings):
    world = build_world()
    dossier = submit(world, copies=2)
    with LocalVnpay(ipn_url=f"{live_server.url}/api/v1/payments/vnpay/ipn") as gateway:
        settings.TINHSO_PUBLIC_URL = live_server.url
        settings.TINHSO_VNPAY_TMN_CODE, settings.TINHSO_VNPAY_HASH_SECRET = TMN_CODE, HASH_SECRET
        settings.TINHSO_VNPAY_URL, settings.TINHSO_VNPAY_SIMULATOR = gateway.url, ""
        context = browser.new_context(locale="vi-VN")
        page = context.new_page()
        page.set_default_timeout(15000)
        violations = []
        page.on("console", lambda m: violations.append(m.text) if "Content Security Policy" in m.text else None)
        page.goto(f"{live_server.url}/tai-khoan/dang-nhap/")
        page.fill("input[name=username]", "citizen")
        page.fill("input[name=password]", PASSWORD)
        page.click("button:has-text('Đăng nhập')")
        page.wait_for_selector("text=Đăng xuất")

        page.goto(f"{live_server.url}/ho-so/{dossier.code}/")
        assert "16.000 đồng" in page.locator("#dossier-bill").inner_text()
        page.click("#bill-pay")
        page.click("#pay-online")
        page.wait_for_selector("#payment-result[data-result=confirmed]")
        assert gateway.ipn_calls[-1][1]["RspCode"] == "00"

        page.goto(f"{live_server.url}/ho-so/{dossier.code}/")
        assert page.locator("#bill-status").get_attribute("data-status") == "paid"
        assert page.locator("#bill-pay").count() == 0
        with page.expect_response(lambda r: r.url.endswith(".pdf")) as receipt:
            page.evaluate("url => fetch(url)", page.locator("#bill-receipt").get_attribute("href"))
        assert receipt.value.status == 200 and receipt.value.headers["content-type"] == "application/pdf"
        assert not violations, violations
        context.close()
