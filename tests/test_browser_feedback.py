"""In Debian's Chromium, feedback end to end: a citizen reports a fire on the web form, the officer on duty finds
the emergency alert in their inbox at once and answers it; a second report of the same fire is marked as a
duplicate and links to the original; the citizen, with only the tracking token, reopens the answered report."""

import re
from datetime import timedelta

import pytest
from django.utils import timezone

from conftest import build_world
from tinhso.accounts.tests.factories import PASSWORD
from tinhso.feedback.models import DutyShift, Report
from tinhso.feedback.tests.conftest import build_place

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _login(browser, base: str, username: str):
    context = browser.new_context(locale="vi-VN")
    page = context.new_page()
    page.set_default_timeout(15000)
    page.goto(f"{base}/tai-khoan/dang-nhap/")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", PASSWORD)
    page.click("button:has-text('Đăng nhập')")
    page.wait_for_selector("text=Đăng xuất")
    return page


def _file_fire(page, base: str, world, text: str) -> tuple[str, str]:
    page.goto(f"{base}/phan-anh/gui/")
    page.select_option("#id_service_code", "chay-no")
    page.fill("#id_description", text)
    page.select_option("#id_commune_code", world.other_commune.code)
    page.click("button:has-text('Gửi phản ánh')")
    page.wait_for_selector("#tracking-token")
    return page.inner_text("#report-code"), page.inner_text("#tracking-token")


def test_emergency_alert_duplicate_link_and_reopen_by_token(live_server, browser, settings):
    world = build_world()
    build_place(world, settings)
    officer = world.users["processing_officer"]
    DutyShift.objects.create(agency=world.justice, user=officer, starts_at=timezone.now() - timedelta(hours=1),
                             ends_at=timezone.now() + timedelta(hours=8))
    base = live_server.url

    citizen = browser.new_context(locale="vi-VN").new_page()
    citizen.set_default_timeout(15000)
    errors = []
    citizen.on("console", lambda m: errors.append(m.text) if m.type == "error" and "Failed to load" not in m.text
               else None)
    citizen.on("response", lambda r: errors.append(r.url) if r.status == 404 and "favicon" not in r.url else None)
    # A pin on the commune map fills the coordinates and picks the nearest commune.
    citizen.goto(f"{base}/phan-anh/gui/")
    box = citizen.locator("#pin-map canvas").first.bounding_box()
    citizen.mouse.click(box["x"] + box["width"] * 0.62, box["y"] + box["height"] * 0.25)
    assert citizen.input_value("#id_lat") and citizen.input_value("#id_long")
    assert citizen.input_value("#id_commune_code") == world.commune.code
    code, token = _file_fire(citizen, base, world, "Cháy kho phế liệu cạnh chợ, khói rất lớn")
    assert citizen.inner_text("#report-commune") == world.other_commune.name
    assert not errors, errors  # no CSP violation, no script error
    second, _ = _file_fire(citizen, base, world, "Cháy gần chợ Quảng Xương")

    # The officer on duty has the alert at once, and works the report from it.
    desk = _login(browser, base, officer.username)
    desk.goto(f"{base}/thong-bao/")
    assert desk.locator(f"text=Phản ánh khẩn cấp: {code}").count() == 1
    desk.goto(f"{base}/phan-anh/can-bo/{code}/")
    for action, done in (("verify", "Đã xác minh phản ánh."), ("assign", "Đã giao xử lý."),
                         ("start", "Đã nhận xử lý.")):
        desk.click(f"#form-{action} button[type=submit]")
        desk.wait_for_selector(f".messages >> text={done}")
    desk.fill("#note-answer", "Lực lượng chữa cháy đã dập tắt đám cháy lúc 10 giờ.")
    desk.click("#form-answer button[type=submit]")
    desk.wait_for_selector("text=Đã công bố trả lời chính thức.")

    # The second report is the same fire: marked duplicate, it links to the original.
    desk.goto(f"{base}/phan-anh/can-bo/{second}/")
    desk.fill("#dup-reject_duplicate", code)
    desk.click("#form-reject_duplicate button[type=submit]")
    desk.wait_for_selector("text=Đã đánh dấu trùng và liên kết tới phản ánh gốc.")
    citizen.goto(f"{base}/phan-anh/{second}/")
    assert "Trùng với phản ánh đã có" in citizen.inner_text("#report-status")
    citizen.click("#duplicate-of")
    citizen.wait_for_url(re.compile(rf"/phan-anh/{code}/$"))
    assert "Lực lượng chữa cháy" in citizen.inner_text("#official-answer")

    # With only the tracking token, the citizen reopens the answered report.
    citizen.goto(f"{base}/phan-anh/theo-doi/")
    citizen.fill("#id_token", token)
    citizen.click("button:has-text('Mở phản ánh')")
    citizen.fill("#note-reopen", "Vẫn còn khói và tàn lửa ở góc kho")
    citizen.click("#form-reopen button[type=submit]")
    citizen.wait_for_selector("#action-done")
    assert "mở lại 1 lần" in citizen.inner_text("#report-status")
    report = Report.objects.get(code=code)
    assert report.status == "in_progress" and report.reopen_count == 1
    assert Report.objects.get(code=second).duplicate_of_id == report.pk
