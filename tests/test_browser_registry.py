"""In Debian's Chromium: log in, search "thanh hoa" without diacritics, open the unit, see its communes."""

import pytest

from tinhso.accounts.tests.factories import PASSWORD, UserFactory
from tinhso.org import services
from tinhso.org.models import AdministrativeUnit

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_officer_logs_in_searches_without_diacritics_and_sees_the_communes(live_server, page):
    services.units_load_official(actor=None)
    UserFactory(username="canbo", full_name="Cán bộ thử nghiệm")
    communes = AdministrativeUnit.objects.get(code="38").children.count()

    page.goto(f"{live_server.url}/tai-khoan/dang-nhap/")
    page.fill("input[name=username]", "canbo")
    page.fill("input[name=password]", PASSWORD)
    page.click("button:has-text('Đăng nhập')")
    page.wait_for_selector("text=Cán bộ thử nghiệm")

    page.goto(f"{live_server.url}/don-vi/")
    page.fill("#q", "thanh hoa")
    page.click("button:has-text('Tìm kiếm')")
    page.wait_for_selector("#results >> text=Tỉnh Thanh Hóa")
    page.click("#results >> text=Tỉnh Thanh Hóa")

    page.wait_for_selector("h1:has-text('Tỉnh Thanh Hóa')")
    assert page.locator("#children").inner_text() == f"Đơn vị cấp xã ({communes})"
    assert page.locator("#child-units li").count() == communes == 166
    assert page.locator("#child-units >> text=Xã Hoằng Hóa").count() == 1
