import io
import re

import pytest
from django.contrib.auth.models import AnonymousUser
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from PIL import Image

from tinhso.feedback import services
from tinhso.feedback.models import Report

from .conftest import HANOI, HOANG_HOA, QUANG_XUONG
from .factories import jpeg_with_gps

pytestmark = pytest.mark.django_db


def form(place, **extra):
    return {"service_code": place.road.code, "description": "Ổ gà lớn trước chợ Đông", "lat": str(HOANG_HOA[0]),
            "long": str(HOANG_HOA[1]), "name": "Trần Văn Bình", "phone": "0987654321"} | extra


def file_(place, actor=None, **kwargs):
    fields = {"service_code": place.road.code, "description": "Đèn đường tắt cả tuần", "latitude": QUANG_XUONG[0],
              "longitude": QUANG_XUONG[1]} | kwargs
    return services.report_submit(actor=actor or AnonymousUser(), **fields)


def test_the_web_form_files_a_report_and_shows_the_tracking_token_once(place):
    client = Client()
    page = client.get("/phan-anh/gui/")
    assert page.status_code == 200 and "Gửi phản ánh" in page.content.decode()
    photo = SimpleUploadedFile("anh.jpg", jpeg_with_gps(), content_type="image/jpeg")
    response = client.post("/phan-anh/gui/", form(place, media=photo))
    assert response.status_code == 200
    body = response.content.decode()
    token = re.search(r'id="tracking-token">([^<]+)<', body).group(1)
    report = Report.objects.get()
    assert report.commune == place.world.commune and report.channel == "web" and report.photos.count() == 1
    detail = client.get(f"/phan-anh/{report.code}/").content.decode()
    assert token not in detail and "Trần Văn Bình" not in detail and "0987654321" not in detail
    served = client.get(f"/phan-anh/{report.code}/anh/{report.photos.get().pk}/")
    assert served["Content-Type"] == "image/jpeg"
    with Image.open(io.BytesIO(served.content)) as image:
        assert not image.getexif()


@pytest.mark.smoke
def test_the_web_form_refuses_a_place_outside_the_province_and_writes_nothing(place):
    response = Client().post("/phan-anh/gui/", form(place, lat=str(HANOI[0]), long=str(HANOI[1])))
    assert response.status_code == 400
    page = response.content.decode()
    assert "nằm ngoài địa bàn Tỉnh Thanh Hóa" in page
    assert 'id="error-summary"' in page and "data-focus-on-load" in page
    assert not Report.objects.exists()


def test_the_web_form_is_throttled_per_address(place, settings):
    settings.TINHSO_THROTTLES = {"feedback.submit.address": {"limit": 2, "window": 600}}
    client = Client()
    assert client.post("/phan-anh/gui/", form(place)).status_code == 200
    assert client.post("/phan-anh/gui/", form(place)).status_code == 200
    refused = client.post("/phan-anh/gui/", form(place))
    assert refused.status_code == 429 and "thử lại sau" in refused.content.decode()
    assert Report.objects.count() == 2


def test_the_public_list_searches_with_or_without_diacritics_and_filters_by_status(place):
    first, _ = file_(place, service_code=place.road.code, description="Ổ gà trước cổng trường Lê Lợi")
    second, _ = file_(place, service_code=place.light.code)
    services.report_transition(actor=place.world.users["processing_officer"], code=second.code, action="verify")
    spam, _ = file_(place, description="Quảng cáo vay tiền")
    services.report_transition(actor=place.world.users["processing_officer"], code=spam.code,
                               action="reject_spam", note="Quảng cáo")
    client = Client()
    for query in ("ổ gà", "o ga", "truong le loi", "TRƯỜNG"):
        body = client.get("/phan-anh/", {"q": query}).content.decode()
        assert first.code in body and second.code not in body, query
    verified = client.get("/phan-anh/", {"status": "verified"}).content.decode()
    assert second.code in verified and first.code not in verified
    everything = client.get("/phan-anh/").content.decode()
    assert spam.code not in everything
    assert client.get(f"/phan-anh/{spam.code}/").status_code == 404


def test_the_public_page_shows_the_timeline_and_the_official_answer(place):
    report, _ = file_(place)
    officer = place.world.users["processing_officer"]
    for action in ("verify", "assign", "start"):
        services.report_transition(actor=officer, code=report.code, action=action)
    services.report_comment(actor=officer, code=report.code, note="Ghi chú nội bộ bí mật", internal=True)
    services.report_transition(actor=officer, code=report.code, action="answer",
                               note="Đã thay bóng đèn ngày 05/3.")
    body = Client().get(f"/phan-anh/{report.code}/").content.decode()
    assert 'id="official-answer">Đã thay bóng đèn ngày 05/3.' in body
    assert "Xác minh" in body and "Trả lời chính thức" in body
    assert "bí mật" not in body and officer.display_name not in body


def test_the_citizen_reopens_and_comments_with_the_tracking_token(place):
    report, token = file_(place)
    officer = place.world.users["processing_officer"]
    for action in ("verify", "assign", "start"):
        services.report_transition(actor=officer, code=report.code, action=action)
    services.report_transition(actor=officer, code=report.code, action="answer", note="Đã xử lý.")
    client = Client()
    assert client.post("/phan-anh/theo-doi/", {"token": "sai"}).status_code == 404
    opened = client.post("/phan-anh/theo-doi/", {"token": token}).content.decode()
    assert 'id="form-reopen"' in opened and 'id="form-close"' in opened
    done = client.post(f"/phan-anh/{report.code}/thao-tac/", {"action": "reopen", "token": token,
                                                              "note": "Đèn lại tắt", "expected_status": "answered"})
    assert done.status_code == 200 and "Đã mở lại phản ánh" in done.content.decode()
    report.refresh_from_db()
    assert report.status == "in_progress" and report.reopen_count == 1
    client.post(f"/phan-anh/{report.code}/thao-tac/", {"action": "comment", "token": token, "note": "Ảnh gửi sau"})
    assert report.events.filter(action="comment", by_citizen=True).count() == 1
    refused = client.post(f"/phan-anh/{report.code}/thao-tac/", {"action": "reopen", "token": "sai", "note": "x"})
    assert refused.status_code == 404


def test_a_logged_in_citizen_sees_their_reports_and_closes_with_a_rating(place):
    citizen = place.world.users["citizen"]
    report, _ = file_(place, actor=citizen)
    officer = place.world.users["processing_officer"]
    for action in ("verify", "assign", "start"):
        services.report_transition(actor=officer, code=report.code, action=action)
    services.report_transition(actor=officer, code=report.code, action="answer", note="Đã xử lý.")
    client = place.world.client_for("citizen")
    assert report.code in client.get("/phan-anh/cua-toi/").content.decode()
    client.post(f"/phan-anh/{report.code}/thao-tac/", {"action": "close", "rating": "4"})
    report.refresh_from_db()
    assert report.status == "closed" and report.rating == 4


def test_the_officer_queue_is_scoped_to_the_officers_agencies(place):
    justice_report, _ = file_(place)
    commune_report, _ = file_(place, latitude=HOANG_HOA[0], longitude=HOANG_HOA[1])
    w = place.world
    body = w.client_for("processing_officer").get("/phan-anh/can-bo/").content.decode()
    assert justice_report.code in body and commune_report.code not in body
    admin = w.client_for("province_admin").get("/phan-anh/can-bo/").content.decode()
    assert justice_report.code in admin and commune_report.code in admin
    assert w.client_for("citizen").get("/phan-anh/can-bo/").status_code == 404
    assert w.client_for("other_unit_officer").get(f"/phan-anh/can-bo/{justice_report.code}/").status_code == 404
    page = w.client_for("processing_officer").get(f"/phan-anh/can-bo/{justice_report.code}/").content.decode()
    assert 'id="form-verify"' in page and "0912" not in page


def test_officer_actions_through_the_page(place):
    original, _ = file_(place)
    duplicate, _ = file_(place)
    client = place.world.client_for("processing_officer")
    response = client.post(f"/phan-anh/can-bo/{duplicate.code}/", {
        "action": "reject_duplicate", "duplicate_of": original.code, "expected_status": "received"})
    assert response.status_code == 302
    duplicate.refresh_from_db()
    assert duplicate.duplicate_of == original
    public = Client().get(f"/phan-anh/{duplicate.code}/").content.decode()
    assert f'id="duplicate-of" href="/phan-anh/{original.code}/"' in public
    client.post(f"/phan-anh/can-bo/{original.code}/", {"action": "verify"})
    missing_reason = client.post(f"/phan-anh/can-bo/{original.code}/", {
        "action": "reassign", "agency_code": place.world.health.identifier_code})
    assert missing_reason.status_code == 422 and "Lý do chuyển" in missing_reason.content.decode()
    moved = client.post(f"/phan-anh/can-bo/{original.code}/", {
        "action": "reassign", "agency_code": place.world.health.identifier_code, "note": "Lĩnh vực y tế"})
    assert moved.status_code == 302 and moved["Location"] == "/phan-anh/can-bo/"


def test_an_officer_enters_a_hotline_call(place):
    client = place.world.client_for("receiving_officer")
    assert client.get("/phan-anh/can-bo/duong-day-nong/").status_code == 200
    response = client.post("/phan-anh/can-bo/duong-day-nong/", {
        "service_code": place.fire.code, "description": "Cháy nhà kho", "commune_code": place.world.commune.code})
    assert response.status_code == 200
    report = Report.objects.get()
    assert report.channel == "hotline" and report.contact_name == ""
    assert place.world.client_for("citizen").get("/phan-anh/can-bo/duong-day-nong/").status_code == 404
