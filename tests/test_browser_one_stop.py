"""In Debian's Chromium, the whole one-stop-shop path of one dossier:

a citizen submits online; the clerk receives; the officer requests a supplement; the citizen supplements;
the officer submits it to the leader ("Trình lãnh đạo"), who finds it on the "Chờ phê duyệt" tab and approves; the result is issued and returned; the citizen sees it and rates it; the report counts it.
"""

import json
import re
from datetime import timedelta
from pathlib import Path

import pytest
from django.utils import timezone

from conftest import build_world
from tinhso.accounts.tests.factories import PASSWORD
from tinhso.core.tests import samples
from tinhso.dossiers.models import Dossier
from tinhso.procedures.services import procedures_import

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PDF = samples.PDF
PROCEDURE = {
    "code": "2.000635", "name": "Cấp bản sao trích lục hộ tịch", "field": "Hộ tịch", "levels": ["province"],
    "agencies": ["000.00.03.H56"], "legal_basis": ["Luật Hộ tịch năm 2014"],
    "processing_time": {"value": 3, "unit": "working_days"}, "fee_text": "8.000 đồng/bản", "fee_amount": 8000,
    "papers": [{"name": "Tờ khai đề nghị cấp bản sao trích lục", "originals": 1, "copies": 0}],
    "result": "Bản sao trích lục hộ tịch", "online_level": "toan_trinh",
    "form_fields": [{"name": "copies", "label": "Số bản sao đề nghị cấp", "type": "number", "required": True}],
}


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


def _act(page, action: str, *, note: str = "", file_path=None, selects: dict | None = None):
    form = page.locator(f"form[data-action={action}]")
    for name, value in (selects or {}).items():
        form.locator(f"select[name={name}]").select_option(value)
    if note:
        form.locator("textarea[name=note]").fill(note)
    if file_path:
        form.locator("input[name=files]").set_input_files(str(file_path))
    with page.expect_response(lambda r: "/thao-tac/" in r.url) as response:
        form.locator("button[type=submit]").click()
    assert response.value.status == 200, response.value.text()
    page.wait_for_selector("#dossier-panel .done")


def test_a_dossier_goes_from_online_submission_to_rating_and_is_counted(live_server, browser, tmp_path):
    world = build_world()
    procedures_import(actor=None, records=[PROCEDURE])
    base = live_server.url
    pdf = tmp_path / "to-khai.pdf"
    pdf.write_bytes(PDF)

    citizen = _login(browser, base, "citizen")
    citizen.goto(f"{base}/ho-so/nop/2.000635/")
    citizen.fill("input[name=applicant_name]", "Nguyễn Thị Dân")
    citizen.fill("input[name=applicant_citizen_id]", "038190000123")
    citizen.fill("input[name=applicant_phone]", "0912345678")
    citizen.select_option("select[name=applicant_unit_code]", world.commune.code)
    citizen.fill("input[name=applicant_address]", "Thôn 3")
    citizen.fill("input[name=fd_copies]", "2")
    citizen.set_input_files("input[name=paper_1]", str(pdf))
    citizen.click("button:has-text('Nộp hồ sơ')")
    code = citizen.locator("#dossier-code").inner_text().strip()
    assert re.fullmatch(r"000\.01\.01\.H56-\d{6}-0001", code), code
    assert citizen.locator("#appointment").inner_text().strip()

    clerk = _login(browser, base, "receiving.officer")
    clerk.goto(f"{base}/ho-so/{code}/")
    _act(clerk, "receive")
    assert clerk.locator("#dossier-status").inner_text() == "Đã tiếp nhận"
    _act(clerk, "assign", note="Đủ thành phần.", selects={"assignee": "processing.officer"})  # form 06 hand-over
    assert "cán bộ xử lý: processing_officer" in clerk.locator("#dossier-panel").inner_text()

    officer = _login(browser, base, "processing.officer")   # told in the app, lands on "Đang xử lý"
    officer.wait_for_selector(".tabs a.active[data-queue=processing]")
    officer.goto(f"{base}/thong-bao/")
    assert officer.locator(f"text=Hồ sơ {code} được chuyển đến bạn xử lý").count() >= 1
    officer.goto(f"{base}/ho-so/{code}/")
    _act(officer, "request_supplement", note="Bổ sung bản chụp giấy khai sinh.")
    assert officer.locator("#dossier-status").inner_text() == "Chờ bổ sung"

    citizen.goto(f"{base}/ho-so/{code}/")
    assert "Bổ sung bản chụp giấy khai sinh." in citizen.locator("#dossier-panel").inner_text()
    _act(citizen, "supplement", note="Đã bổ sung.", file_path=pdf)

    officer.goto(f"{base}/ho-so/{code}/")
    _act(officer, "submit_for_approval", note="Đủ điều kiện, đề nghị phê duyệt.")
    assert officer.locator("#dossier-status").inner_text() == "Chờ phê duyệt"

    leader = _login(browser, base, "agency.leader")   # lands on the queue, on the "Chờ phê duyệt" tab
    leader.wait_for_selector(".tabs a.active[data-queue=awaiting_approval]")
    leader.click(f"a:has-text('{code}')")
    assert "Đủ điều kiện, đề nghị phê duyệt." in leader.locator("#dossier-panel").inner_text()
    _act(leader, "approve")
    officer.goto(f"{base}/ho-so/{code}/")
    _act(officer, "issue_result")

    clerk.goto(f"{base}/ho-so/{code}/")
    _act(clerk, "return_result")
    assert clerk.locator("#dossier-status").inner_text() == "Đã trả kết quả"

    citizen.goto(f"{base}/ho-so/{code}/")
    assert citizen.locator("#dossier-status").inner_text() == "Đã trả kết quả"
    citizen.check("input[name=score][value='5']")
    citizen.fill("textarea[name=comment]", "Nhanh, chu đáo.")
    citizen.click("button:has-text('Gửi đánh giá')")
    citizen.wait_for_selector("text=5/5")

    dossier = Dossier.objects.get(code=code)
    assert dossier.status == "returned" and dossier.rating.score == 5
    moves = [e.to_status for e in dossier.events.all() if e.from_status != e.to_status]  # not other apps' notes
    assert moves == ["submitted", "received", "supplement_requested", "in_progress", "awaiting_approval",
                     "approved", "result_issued", "returned"]

    admin = _login(browser, base, "province.admin")
    today = timezone.localdate().isoformat()
    admin.goto(f"{base}/api/v1/statistics/dossiers?unit=38&date_from={today}&date_to={today}")
    figures = json.loads(admin.locator("body").inner_text())
    assert figures["new_online"] == 1 and figures["resolved_total"] == 1 and figures["returned"] == 1
    assert figures["online_rate"] in ("100.00", 100.0, "100.0")


def _birth_registration() -> dict:
    """The demo catalogue's birth registration (three papers, the third conditional), at the test's commune."""
    path = Path(__file__).resolve().parents[1] / "tinhso" / "procedures" / "data" / "demo_procedures.json"
    record = next(r for r in json.loads(path.read_text(encoding="utf-8")) if r["code"] == "1.001193")
    return {**record, "agencies": ["000.01.50.H56"]}


def test_a_birth_registration_with_one_file_per_paper(live_server, browser, tmp_path):
    world = build_world()
    procedures_import(actor=None, records=[_birth_registration()])
    base = live_server.url
    files = {}
    for n in (1, 2):
        files[n] = tmp_path / f"giay-{n}.pdf"
        files[n].write_bytes(PDF)

    citizen = _login(browser, base, "citizen")
    citizen.goto(f"{base}/ho-so/nop/1.001193/")
    assert citizen.locator("#required-legend").is_visible()
    assert citizen.locator("input[type=file][name^=paper_]").count() == 3      # one slot per paper
    citizen.click("button:has-text('Nộp hồ sơ')")                             # nothing filled in
    summary = citizen.locator("#error-summary")
    summary.wait_for()
    assert citizen.evaluate("() => document.activeElement.id") == "error-summary"
    assert "Cần tải lên “Tờ khai đăng ký khai sinh theo mẫu”" in summary.inner_text()
    field = citizen.locator("input[name=applicant_citizen_id]")
    assert field.get_attribute("aria-invalid") == "true"
    assert citizen.locator(f"#{field.get_attribute('aria-describedby')}").inner_text().strip()

    citizen.fill("input[name=applicant_name]", "Nguyễn Thị Dân")
    citizen.fill("input[name=applicant_citizen_id]", "038190000123")
    citizen.fill("input[name=applicant_birth_date]", "05/09/1990")
    citizen.fill("input[name=applicant_phone]", "0912345678")
    citizen.select_option("select[name=applicant_unit_code]", world.commune.code)
    citizen.fill("input[name=fd_child_full_name]", "Nguyễn Minh An")
    tomorrow = (timezone.localdate() + timedelta(days=1)).strftime("%d/%m/%Y")
    citizen.fill("input[name=fd_child_birth_date]", tomorrow)
    citizen.select_option("select[name=fd_child_sex]", "Nam")
    citizen.fill("input[name=fd_birth_place]", "Bệnh viện Đa khoa tỉnh Thanh Hóa")
    citizen.fill("input[name=fd_mother_full_name]", "Nguyễn Thị Dân")
    citizen.set_input_files("input[name=paper_1]", str(files[1]))
    citizen.set_input_files("input[name=paper_2]", str(files[2]))
    citizen.click("button:has-text('Nộp hồ sơ')")
    citizen.locator("#error-summary").wait_for()
    assert "không được sau ngày hôm nay" in citizen.locator("#error-summary").inner_text()

    citizen.fill("input[name=fd_child_birth_date]", "02/01/2026")
    citizen.set_input_files("input[name=paper_1]", str(files[1]))              # files are chosen again
    citizen.set_input_files("input[name=paper_2]", str(files[2]))
    citizen.click("button:has-text('Nộp hồ sơ')")
    code = citizen.locator("#dossier-code").inner_text().strip()
    table = citizen.locator("#papers-received").inner_text()
    assert "Tờ khai đăng ký khai sinh theo mẫu" in table and "Chưa nhận" in table  # the power of attorney

    dossier = Dossier.objects.get(code=code)
    assert {(a.paper.position, a.original_name) for a in dossier.attachments.all()} == {
        (1, "giay-1.pdf"), (2, "giay-2.pdf")}
    assert dossier.form_data["child_birth_date"] == "2026-01-02"
    citizen.goto(f"{base}/ho-so/{code}/")
    assert "02/01/2026" in citizen.locator("dl.facts").last.inner_text()


def test_long_lists_are_searchable_typed_without_diacritics(live_server, browser):
    world = build_world()
    procedures_import(actor=None, records=[PROCEDURE, _birth_registration()])
    base = live_server.url
    clerk = _login(browser, base, "receiving.officer")
    clerk.goto(f"{base}/ho-so/tiep-nhan/")
    clerk.fill("#id_procedure_code_search", "dang ky khai sinh")
    assert clerk.input_value("select[name=procedure_code]") == "1.001193"
    shown = clerk.evaluate("() => [...document.querySelectorAll('#id_procedure_code option')]"
                           ".filter(o => !o.hidden).map(o => o.value)")
    assert shown == ["1.001193"]
    assert clerk.locator(".picker-status").first.inner_text() == "1 kết quả"
    clerk.click("button:has-text('Chọn thủ tục')")
    clerk.wait_for_selector("h2:has-text('Đăng ký khai sinh')")
    clerk.fill("#id_applicant_unit_code_search", "quang xuong")
    assert clerk.input_value("select[name=applicant_unit_code]") == world.other_commune.code
    clerk.fill("#id_applicant_unit_code_search", "khong co xa nao")
    assert "Không có kết quả" in clerk.locator("#id_applicant_unit_code ~ .picker-status").inner_text()
