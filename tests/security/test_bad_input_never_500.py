"""Attack: inputs that used to crash the server (500) — deep JSON, a procedure code with a slash, a page number
past SQLite's integers, NaN/1e999 — and errors answered in English HTML where JSON or Vietnamese was expected."""

import json

import pytest
from django.test import Client

from tinhso.dossiers.tests.factories import submission

pytestmark = [pytest.mark.django_db, pytest.mark.smoke]
HUGE_PAGE = "9223372036854775807"


def _json(client, path, body: str):
    return client.post(path, body, content_type="application/json")


def test_5000_level_nested_json_on_dossier_submit_gets_a_vietnamese_400(world):
    body = "[" * 5000 + "]" * 5000
    response = _json(world.client_for("citizen"), "/api/v1/dossiers", body)
    assert response.status_code == 400
    assert "lồng nhau quá sâu" in response.json()["message"]
    nested = json.dumps(submission(world))[:-1] + ', "x": ' + '{"a": ' * 3000 + "1" + "}" * 3000 + "}"
    assert _json(world.client_for("citizen"), "/api/v1/dossiers", nested).status_code == 400


def test_nested_json_inside_a_multipart_field_gets_a_400(world):
    data = submission(world)
    data.pop("form_data")
    response = world.client_for("citizen").post("/api/v1/dossiers", {**data, "form_data": "[" * 5000 + "]" * 5000})
    assert response.status_code == 400 and "lồng nhau" in response.json()["message"]


@pytest.mark.parametrize("number", ["NaN", "Infinity", "-Infinity", "1e999"])
def test_nan_and_infinite_numbers_are_refused_with_422(world, number):
    body = json.dumps(submission(world)).replace('"so_ban": "2"', f'"so_ban": {number}')
    response = _json(world.client_for("citizen"), "/api/v1/dossiers", body)
    assert response.status_code == 422
    assert "số hữu hạn" in response.json()["message"] or "không được chấp nhận" in response.json()["message"]


def test_nan_indicator_value_is_refused_by_the_service():
    from types import SimpleNamespace

    from tinhso.core.exceptions import ValidationError
    from tinhso.indicators.services import check_value

    indicator = SimpleNamespace(name="Tỷ lệ", max_value=100, unit_of_measure="%", is_percentage=True)
    for value in (float("nan"), float("inf")):
        with pytest.raises(ValidationError):
            check_value(indicator, value, "value")


def test_procedure_code_with_a_slash_gets_a_404_not_a_500(world):
    response = world.client_for("citizen").get("/ho-so/nop/?procedure=a/b")
    assert response.status_code == 404
    assert "Không tìm thấy trang" in response.content.decode()


@pytest.mark.parametrize(("persona", "path"), [
    ("anonymous", "/don-vi/"), ("anonymous", "/don-vi/co-quan/"), ("anonymous", "/thu-tuc/"),
    ("citizen", "/ho-so/cua-toi/"), ("receiving_officer", "/ho-so/xu-ly/"), ("province_admin", "/nhat-ky/"),
    ("citizen", "/thong-bao/"),
])
def test_a_page_number_past_sqlite_integers_is_not_a_500(world, persona, path):
    response = world.client_for(persona).get(path, {"page": HUGE_PAGE})
    assert response.status_code < 500, path


@pytest.mark.parametrize("path", ["/api/v1/dossiers", "/api/v1/agencies", "/api/v1/procedures", "/api/v1/audit/events"])
def test_a_page_number_past_sqlite_integers_on_the_api_is_a_4xx(world, path):
    response = world.client_for("province_admin").get(path, {"page": HUGE_PAGE})
    assert 400 <= response.status_code < 500, (path, response.status_code)
    assert response["Content-Type"].startswith("application/json")


def test_unknown_api_path_and_wrong_method_answer_json(world):
    client = world.client_for("province_admin")
    missing = client.get("/api/v1/khong-co-dia-chi-nay")
    assert missing.status_code == 404 and missing.json()["message"] == "Không tìm thấy."
    wrong = client.delete("/api/v1/dossiers/track?code=x&phone=y")
    assert wrong.status_code == 405 and wrong["Content-Type"].startswith("application/json")
    assert "Phương thức" in wrong.json()["message"]


def test_oversized_api_body_answers_413_json(world, settings):
    settings.TINHSO_MAX_ATTACHMENT_MB = 1
    client = world.client_for("citizen")
    response = client.post("/api/v1/dossiers", "x" * (13 * 1024 * 1024), content_type="application/json")
    assert response.status_code == 413 and "quá lớn" in response.json()["message"]
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 1000
    body = json.dumps({**submission(world), "applicant_address": "x" * 5000})
    too_big = _json(client, "/api/v1/dossiers", body)
    assert too_big.status_code == 413 and too_big["Content-Type"].startswith("application/json")


def test_html_error_pages_are_vietnamese_in_the_site_layout(world):
    page = world.client_for("anonymous").get("/khong-co-trang-nay/")
    assert page.status_code == 404
    html = page.content.decode()
    assert "Không tìm thấy trang" in html and 'class="topbar"' in html and "Page not found" not in html
    csrf = Client(enforce_csrf_checks=True).post("/ho-so/tra-cuu/", {"code": "x", "phone": "y"})
    assert csrf.status_code == 403 and "Không có quyền truy cập" in csrf.content.decode()


def test_server_error_page_is_vietnamese_and_api_errors_are_json(world, settings):
    from django.views.defaults import server_error

    from tinhso.core.middleware import ApiErrorsMiddleware

    settings.DEBUG = False
    response = server_error(Client().get("/").wsgi_request)
    assert response.status_code == 500 and "Hệ thống đang gặp sự cố" in response.content.decode()
    request = Client().get("/api/v1/").wsgi_request
    answer = ApiErrorsMiddleware.process_exception(request, RuntimeError("boom"))
    assert answer.status_code == 500 and json.loads(answer.content)["code"] == "server_error"
