"""In Debian's Chromium: the province administrator sees the gateway's usage chart drawn (CSP-safe static script)
and approves a client owner's access request on the page."""

import pytest
from django.test import Client as HttpClient

from conftest import build_world
from tinhso.accounts.tests.factories import PASSWORD
from tinhso.gateway import services
from tinhso.gateway.models import Grant
from tinhso.gateway.tests.factories import make_client, token_for

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_admin_sees_the_usage_chart_and_approves_a_request(live_server, page):
    world = build_world()
    client = make_client(world, services_=["registry"], owner=world.justice)
    HttpClient(headers={"Authorization": f"Bearer {token_for(world, client)}"}).get("/lien-thong/api/units")
    services.access_request_create(actor=world.users["agency_leader"], client=client, service="statistics",
                                   reason="Lập báo cáo II.06a hằng tháng")
    errors = []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)

    page.goto(f"{live_server.url}/tai-khoan/dang-nhap/")
    page.fill("input[name=username]", world.users["province_admin"].username)
    page.fill("input[name=password]", PASSWORD)
    page.click("button:has-text('Đăng nhập')")
    page.wait_for_selector("text=Liên thông")
    page.click("nav >> text=Liên thông")
    page.wait_for_selector("h1:has-text('Hệ thống kết nối trục liên thông')")
    page.wait_for_selector("#usage-chart canvas")
    assert page.locator("#clients >> text=Cổng Dịch vụ công quốc gia").count() == 1

    page.click("text=Yêu cầu cấp quyền")
    page.wait_for_selector("#requests >> text=Lập báo cáo II.06a hằng tháng")
    page.click("#requests button:has-text('Duyệt')")
    page.wait_for_selector("text=Đã ghi quyết định.")
    assert Grant.objects.filter(client=client, service="statistics").exists()
    assert not [e for e in errors if "Content Security Policy" in e or "Refused" in e]
