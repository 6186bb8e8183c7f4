"""In Debian's Chromium, the assistant page: two chained questions, the second a follow-up on the first."""

import json

import pytest

from conftest import build_world
from tinhso.assistant.models import QuestionLog
from tinhso.procedures.demo import DEMO_FILE, load_demo_procedures
from tinhso.procedures.synonym_seed import seed_synonyms

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_citizen_asks_two_chained_questions_and_rates_the_answer(live_server, page):
    world = build_world()
    seed_synonyms()
    keys = {key for rec in json.loads(DEMO_FILE.read_text(encoding="utf-8")) for key in rec["agencies"]}
    load_demo_procedures(agencies_by_key={key: world.justice for key in keys - {"ubnd_xa"}},
                         commune_agencies=[world.commune_committee, world.other_commune_committee])
    page.goto(f"{live_server.url}/hoi-dap/")
    page.fill("input[name=q]", "lam giay khai sinh cho con can nhung giay to gi")
    page.click("button:has-text('Hỏi')")
    first = page.locator(".exchange").nth(0)
    first.locator("text=Thủ tục phù hợp nhất").wait_for()
    assert "Đăng ký khai sinh" in first.inner_text()
    assert first.locator("[data-intent=papers] li").first.inner_text().startswith("Tờ khai đăng ký khai sinh")
    assert page.input_value("#context") == "1.001193"

    page.fill("input[name=q]", "còn lệ phí thì sao?")
    page.click("button:has-text('Hỏi')")
    second = page.locator(".exchange").nth(1)
    second.locator("text=Vẫn về thủ tục").wait_for()
    fee = second.locator("[data-intent=fees]")
    assert "Miễn lệ phí" in fee.inner_text()
    assert fee.locator("a[href='/thu-tuc/1.001193/']").count() == 1

    second.locator("button[aria-label='Có ích']").click()
    second.locator("text=Cảm ơn bạn đã đánh giá").wait_for()
    assert list(QuestionLog.objects.order_by("asked_at").values_list("context_code", "helpful")) == [
        ("", None), ("1.001193", True)]
