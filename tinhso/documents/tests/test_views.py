"""The pages: search, the document page with its signature checks, the steps, and the signature checker."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from tinhso.documents.models import Document

from .helpers import current_pdf, signed_and_issued
from .pki import PASSPHRASE


def test_the_document_page_shows_both_signatures_verified(desk):
    doc = signed_and_issued(desk)
    page = desk.world.client_for("agency_leader").get(f"/van-ban/{doc.pk}/")
    html = page.content.decode()
    assert page.status_code == 200
    assert "01/KH-STP" in html and "Nguyễn Văn Giám Đốc" in html
    assert html.count('class="ok"') == 2
    assert desk.world.client_for("other_unit_officer").get(f"/van-ban/{doc.pk}/").status_code == 404


@pytest.mark.smoke
def test_search_page_finds_without_diacritics(desk):
    signed_and_issued(desk, subject="Kế hoạch ứng dụng công nghệ thông tin")
    html = desk.world.client_for("processing_officer").get("/van-ban/", {"q": "ung dung cong nghe"}).content.decode()
    assert "Kế hoạch ứng dụng công nghệ thông tin" in html
    bad = desk.world.client_for("processing_officer").get("/van-ban/", {"date_from": "hôm qua"})
    assert bad.status_code == 200 and "Ngày không hợp lệ" in bad.content.decode()


def test_drafting_and_signing_through_the_pages(desk):
    w = desk.world
    officer = w.client_for("processing_officer")
    response = officer.post("/van-ban/moi/", {
        "kind": "", "agency_code": w.justice.identifier_code, "doc_type": "TB", "subject": "Thông báo lịch họp",
        "urgency": "normal", "security_level": "ordinary", "recipients": w.health.identifier_code,
        "file": SimpleUploadedFile("tb.pdf", desk.draft_pdf("THÔNG BÁO"), "application/pdf")})
    doc = Document.objects.get(subject="Thông báo lịch họp")
    assert response.status_code == 302
    officer.post(f"/van-ban/{doc.pk}/thao-tac/", {"action": "submit_review"})
    wrong = w.client_for("agency_leader").post(f"/van-ban/{doc.pk}/thao-tac/", {
        "action": "leader_sign", "key_id": desk.leader_key.pk, "passphrase": "sai"}, follow=True)
    assert "Mật khẩu khóa không đúng" in wrong.content.decode()
    w.client_for("agency_leader").post(f"/van-ban/{doc.pk}/thao-tac/", {
        "action": "leader_sign", "key_id": desk.leader_key.pk, "passphrase": PASSPHRASE})
    clerk = Client()
    clerk.force_login(desk.clerk)
    clerk.post(f"/van-ban/{doc.pk}/thao-tac/", {"action": "issue", "key_id": desk.agency_key.pk,
                                                "passphrase": PASSPHRASE})
    doc.refresh_from_db()
    assert doc.number_notation == "01/TB-STP"
    download = clerk.get(f"/van-ban/{doc.pk}/tep/{doc.files.get(is_current=True).pk}/")
    assert b"".join(download.streaming_content) == current_pdf(doc)


@pytest.mark.smoke
def test_a_bad_draft_shows_the_message_and_saves_nothing(world):
    response = world.client_for("processing_officer").post("/van-ban/moi/", {
        "agency_code": world.justice.identifier_code, "doc_type": "TB", "subject": ""})
    assert response.status_code == 422 and "trích yếu" in response.content.decode()
    assert not Document.objects.exists()


def test_the_signature_checker_reports_appended_bytes(desk):
    data = current_pdf(signed_and_issued(desk)) + b"\n%x\n"
    html = desk.world.client_for("citizen").post("/van-ban/kiem-tra-chu-ky/", {
        "file": SimpleUploadedFile("x.pdf", data, "application/pdf")}).content.decode()
    assert 'data-verdict="bad"' in html and "thêm dữ liệu sau khi ký" in html
