import pytest
from django.urls import NoReverseMatch, reverse


@pytest.mark.smoke
def test_search_page_finds_birth_registration_typed_without_diacritics(catalogue):
    response = catalogue.client_for("anonymous").get("/thu-tuc/", {"q": "dang ky khai sinh"})
    assert response.status_code == 200
    page = response.content.decode()
    assert "Đăng ký khai sinh" in page
    assert "Chứng thực bản sao" not in page
    assert "1 thủ tục phù hợp" in page


def test_htmx_search_returns_only_the_results(catalogue):
    response = catalogue.client_for("anonymous").get("/thu-tuc/", {"q": "chung thuc"}, headers={"HX-Request": "true"})
    page = response.content.decode()
    assert "<html" not in page and "Chứng thực bản sao" in page


def test_filters_narrow_the_list(catalogue):
    client = catalogue.client_for("anonymous")
    page = client.get("/thu-tuc/", {"level": "province", "online_level": "khong"}).content.decode()
    assert "Cấp giấy phép hoạt động đối với phòng khám đa khoa" in page
    assert "Đăng ký khai sinh" not in page
    page = client.get("/thu-tuc/", {"field": "ho-tich"}).content.decode()
    assert "Đăng ký khai sinh" in page and "Cấp Phiếu lý lịch tư pháp" not in page


def test_bad_filter_shows_a_message_not_an_error(catalogue):
    response = catalogue.client_for("anonymous").get("/thu-tuc/", {"level": "huyen"})
    assert response.status_code == 200
    assert "Cấp thực hiện “huyen” không hợp lệ" in response.content.decode()


@pytest.mark.smoke
def test_detail_page_presents_the_procedure_like_the_portal(catalogue):
    response = catalogue.client_for("anonymous").get("/thu-tuc/1.001193/")
    assert response.status_code == 200
    page = response.content.decode()
    for text in ("Trình tự thực hiện", "Thành phần hồ sơ", "Bản chính", "Bản sao", "Thời hạn giải quyết",
                 "1 ngày làm việc", "Phí, lệ phí", "Căn cứ pháp lý", "Luật Hộ tịch năm 2014", "Kết quả thực hiện",
                 "Mức độ dịch vụ công trực tuyến", "Toàn trình", "Cơ quan thực hiện", "000.02.50.H56"):
        assert text in page, text
    try:
        submit_url = reverse("dossiers:submit", args=["1.001193"])
    except NoReverseMatch:
        submit_url = None
    if submit_url:
        assert submit_url in page and "Nộp hồ sơ trực tuyến" in page


def test_offline_procedure_has_no_online_submission(catalogue):
    page = catalogue.client_for("anonymous").get("/thu-tuc/1.002000/").content.decode()
    assert "Nộp hồ sơ trực tuyến" not in page
    assert "Chưa cung cấp dịch vụ công trực tuyến" in page


def test_unknown_procedure_page_is_404(catalogue):
    assert catalogue.client_for("anonymous").get("/thu-tuc/9.999999/").status_code == 404


def test_province_admin_adds_and_switches_off_a_synonym_on_the_page(catalogue):
    from tinhso.audit.models import AuditEvent
    from tinhso.procedures.models import SearchSynonym

    admin = catalogue.client_for("province_admin")
    page = admin.get("/thu-tuc/tu-dong-nghia/")
    assert page.status_code == 200 and "sổ đỏ" in page.content.decode()
    response = admin.post("/thu-tuc/tu-dong-nghia/", {"phrase": "Bé chào đời", "expansion": "khai sinh"})
    assert response.status_code == 302
    synonym = SearchSynonym.objects.get(phrase="Bé chào đời")
    assert admin.post(f"/thu-tuc/tu-dong-nghia/{synonym.pk}/", {"action": "off"}).status_code == 302
    synonym.refresh_from_db()
    assert synonym.is_active is False
    assert AuditEvent.objects.filter(action__startswith="procedures.synonym.").count() == 2
    bad = admin.post("/thu-tuc/tu-dong-nghia/", {"phrase": "sổ đỏ", "expansion": "đất"})
    assert bad.status_code == 422 and "Đã có từ đồng nghĩa cho “sổ đỏ”" in bad.content.decode()


def test_officer_may_not_open_the_synonym_page(catalogue):
    assert catalogue.client_for("processing_officer").get("/thu-tuc/tu-dong-nghia/").status_code == 403
    assert catalogue.client_for("anonymous").get("/thu-tuc/tu-dong-nghia/").status_code == 302
