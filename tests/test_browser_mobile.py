"""The citizen's journey on a phone (390×844) in Debian's Chromium: find the procedure, submit, track, read the
notification; the menu folds, and no page is wider than the screen (issue 9)."""

import pytest

from conftest import build_world
from tinhso.accounts.tests.factories import PASSWORD
from tinhso.core.tests import samples
from tinhso.dossiers import services
from tinhso.procedures.services import procedures_import

from .test_browser_one_stop import PROCEDURE

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
PHONE = {"width": 390, "height": 844}


def _fits(page) -> None:
    width = page.evaluate("() => [document.documentElement.scrollWidth, window.innerWidth]")
    assert width[0] <= width[1], f"{page.url} is {width[0]} px wide on a {width[1]} px screen"


def test_citizen_journey_on_a_phone(live_server, browser, tmp_path):
    world = build_world()
    procedures_import(actor=None, records=[PROCEDURE])
    base = live_server.url
    pdf = tmp_path / "to-khai.pdf"
    pdf.write_bytes(samples.PDF)
    context = browser.new_context(locale="vi-VN", viewport=PHONE, is_mobile=True, has_touch=True)
    page = context.new_page()
    page.set_default_timeout(15000)

    page.goto(f"{base}/tai-khoan/dang-nhap/")
    _fits(page)
    page.fill("input[name=username]", "citizen")
    page.fill("input[name=password]", PASSWORD)
    page.click("button:has-text('Đăng nhập')")
    page.wait_for_selector("text=Đăng xuất")

    # The menu is folded behind one button.
    nav = page.locator("#site-nav")
    assert not nav.is_visible()
    page.click("button.menu-toggle")
    assert nav.is_visible() and page.locator("button.menu-toggle").get_attribute("aria-expanded") == "true"
    nav.locator("text=Thủ tục hành chính").click()

    page.wait_for_url("**/thu-tuc/**")
    page.fill("input[name=q]", "trich luc ho tich")
    page.keyboard.press("Enter")
    page.wait_for_selector("text=Cấp bản sao trích lục hộ tịch")
    _fits(page)

    page.goto(f"{base}/ho-so/nop/2.000635/")
    _fits(page)
    page.fill("input[name=applicant_name]", "Nguyễn Thị Dân")
    page.fill("input[name=applicant_citizen_id]", "038190000123")
    page.fill("input[name=applicant_phone]", "0912345678")
    page.select_option("select[name=applicant_unit_code]", world.commune.code)
    page.fill("input[name=applicant_address]", "Thôn 3")
    page.fill("input[name=fd_copies]", "2")
    page.set_input_files("input[name=paper_1]", str(pdf))
    page.click("button:has-text('Nộp hồ sơ')")
    code = page.locator("#dossier-code").inner_text().strip()
    _fits(page)                                         # the receipt, with its QR code

    services.dossier_transition(actor=world.users["receiving_officer"], dossier_code=code, action="receive")

    page.goto(f"{base}/ho-so/tra-cuu/?code={code}")
    page.fill("input[name=phone]", "0912345678")
    page.click("button:has-text('Tra cứu')")
    page.wait_for_selector("#tracking-result")
    assert page.locator("#dossier-status").inner_text() == "Đã tiếp nhận"
    _fits(page)

    page.goto(f"{base}/thong-bao/")
    assert page.locator(f"text=Hồ sơ {code} đã được tiếp nhận").count() >= 1
    _fits(page)
    context.close()
