import json

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from tinhso.procedures.models import Procedure
from tinhso.procedures.services import procedures_import

from .records import BIRTH, CERTIFY, record


def _get(client, path, **query):
    response = client.get(path, query)
    return response, response.json() if response["Content-Type"].startswith("application/json") else None


@pytest.mark.smoke
def test_anonymous_search_without_diacritics_finds_the_procedure(catalogue):
    response, data = _get(catalogue.client_for("anonymous"), "/api/v1/procedures", search="dang ky khai sinh")
    assert response.status_code == 200
    assert data["total"] == 1
    item = data["items"][0]
    assert (item["code"], item["name"]) == ("1.001193", "Đăng ký khai sinh")
    assert item["field"] == {"code": "ho-tich", "name": "Hộ tịch"}


def test_list_filters_and_paginates(catalogue):
    client = catalogue.client_for("anonymous")
    assert _get(client, "/api/v1/procedures")[1]["total"] == 4
    page = _get(client, "/api/v1/procedures", page=2, page_size=3)[1]
    assert (page["total"], page["page"], page["page_size"], len(page["items"])) == (4, 2, 3, 1)
    codes = lambda **q: sorted(i["code"] for i in _get(client, "/api/v1/procedures", **q)[1]["items"])  # noqa: E731
    assert codes(field="chung-thuc") == ["2.000908"]
    assert codes(level="province") == ["1.000775", "1.002000"]
    assert codes(level="commune") == ["1.001193", "1.002000", "2.000908"]
    assert codes(online_level="mot_phan") == ["1.000775", "2.000908"]
    assert codes(online_level="khong", level="province") == ["1.002000"]
    assert codes(agency="000.01.50.h56") == ["1.001193", "2.000908"]
    assert codes(search="Chứng thực bản sao") == ["2.000908"]
    assert codes(search="1.000775") == ["1.000775"]


def test_bad_filter_gets_a_vietnamese_422(catalogue):
    response, data = _get(catalogue.client_for("anonymous"), "/api/v1/procedures", online_level="muc_4")
    assert response.status_code == 422
    assert "Mức độ trực tuyến “muc_4” không hợp lệ" in data["errors"]["online_level"][0]


@pytest.mark.smoke
def test_detail_lists_papers_form_fields_and_implementing_agencies(catalogue):
    response, data = _get(catalogue.client_for("anonymous"), "/api/v1/procedures/1.001193")
    assert response.status_code == 200
    assert data["agencies"] == [
        {"identifier_code": "000.01.50.H56", "name": "Ủy ban nhân dân xã Hoằng Hóa"},
        {"identifier_code": "000.02.50.H56", "name": "Ủy ban nhân dân xã Quảng Xương"}]
    assert data["papers"][0] == {"position": 1, "name": "Tờ khai đăng ký khai sinh theo mẫu", "originals": 1,
                                 "copies": 0}
    assert data["form_fields"][1] == {"name": "child_sex", "label": "Giới tính", "type": "select", "required": True,
                                      "choices": ["Nam", "Nữ"]}
    assert (data["processing_time"], data["processing_time_unit"], data["processing_time_unit_label"]) == (
        1, "working_days", "ngày làm việc")
    assert (data["online_level"], data["online_level_label"]) == ("toan_trinh", "Toàn trình")
    assert data["levels"] == ["commune"] and data["level_labels"] == ["Cấp xã"]
    assert data["legal_basis"] == BIRTH["legal_basis"]
    assert data["fee_text"] == BIRTH["fee_text"] and data["result"] == BIRTH["result"]


def test_unknown_procedure_gets_404_in_vietnamese(catalogue):
    response, data = _get(catalogue.client_for("anonymous"), "/api/v1/procedures/9.999999")
    assert response.status_code == 404
    assert data == {"code": "not_found", "message": "Không có thủ tục hành chính mã “9.999999”.", "errors": {}}


def test_fields_are_listed_with_counts(catalogue):
    _, data = _get(catalogue.client_for("anonymous"), "/api/v1/procedure-fields")
    assert {"code": "ho-tich", "name": "Hộ tịch", "procedures_count": 1} in data
    assert len(data) == 4


def test_export_returns_json_or_csv(catalogue):
    client = catalogue.client_for("anonymous")
    response = client.get("/api/v1/procedures/export", {"format": "json"})
    assert response.status_code == 200
    assert [r["code"] for r in json.loads(response.content)] == ["1.000775", "1.001193", "1.002000", "2.000908"]
    response = client.get("/api/v1/procedures/export", {"format": "csv"})
    assert response["Content-Type"].startswith("text/csv")
    assert response.content.decode().startswith("code,name,field,")
    assert client.get("/api/v1/procedures/export", {"format": "xml"}).status_code == 422


@pytest.mark.smoke
def test_province_admin_imports_a_file_through_the_api(world):
    content = json.dumps([record(BIRTH)], ensure_ascii=False).encode()
    response = world.client_for("province_admin").post(
        "/api/v1/procedures/import", {"file": _upload("tthc.json", content)})
    assert response.status_code == 200, response.content
    assert response.json() == {"created": 1, "updated": 0, "unchanged": 0, "fields_created": 1}


@pytest.mark.smoke
def test_officer_and_anonymous_may_not_import(world):
    content = json.dumps([record(BIRTH)], ensure_ascii=False).encode()
    officer = world.client_for("processing_officer").post(
        "/api/v1/procedures/import", {"file": _upload("tthc.json", content)})
    assert officer.status_code == 403
    assert officer.json()["message"] == "Chỉ quản trị cấp tỉnh được nhập danh mục thủ tục hành chính."
    anonymous = world.client_for("anonymous").post("/api/v1/procedures/import", {"file": _upload("tthc.json", content)})
    assert anonymous.status_code == 401
    assert not Procedure.objects.exists()


def test_invalid_file_gets_422_with_line_errors(world):
    content = json.dumps([record(BIRTH, agencies=["000.00.77.H56"])], ensure_ascii=False, indent=2).encode()
    response = world.client_for("province_admin").post(
        "/api/v1/procedures/import", {"file": _upload("tthc.json", content)})
    assert response.status_code == 422
    data = response.json()
    assert data["code"] == "import_failed"
    assert data["lines"][0]["line"] == 2
    assert "Không có cơ quan mã định danh “000.00.77.H56”" in data["lines"][0]["message"]
    assert not Procedure.objects.exists()


def _upload(name: str, content: bytes):
    from django.core.files.uploadedfile import SimpleUploadedFile
    return SimpleUploadedFile(name, content, content_type="application/octet-stream")


def test_search_of_symbols_only_lists_everything(catalogue):
    response, data = _get(catalogue.client_for("anonymous"), "/api/v1/procedures", search="★ ✓")
    assert response.status_code == 200 and data["total"] == 4


# --- a lean catalogue API (issue 11, point 3) ---------------------------------------------------------------------

def _add_procedures(world, count: int, start: int) -> None:
    """`count` more procedures, each with papers, a form and two implementing agencies."""
    records = [record(BIRTH if n % 2 else CERTIFY, code=f"9.{start + n:06d}", name=f"Thủ tục kiểm thử số {start + n}")
               for n in range(count)]
    for rec in records:
        rec["agencies"] = ["000.01.50.H56", "000.02.50.H56"]
    procedures_import(actor=world.users["province_admin"], records=records)


def _queries(client, path, **query) -> tuple[int, dict]:
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(path, query)
    assert response.status_code == 200, response.content
    return len(ctx.captured_queries), response.json()


@pytest.mark.smoke
def test_list_items_carry_what_a_list_shows_and_the_detail_the_rest(catalogue):
    client = catalogue.client_for("anonymous")
    item = _get(client, "/api/v1/procedures", search="khai sinh")[1]["items"][0]
    assert set(item) == {"code", "name", "field", "levels", "level_labels", "online_level", "online_level_label",
                         "processing_time", "processing_time_unit", "processing_time_unit_label", "fee_amount"}
    detail = _get(client, f"/api/v1/procedures/{item['code']}")[1]
    assert {"agencies", "papers", "form_fields", "legal_basis", "steps", "fee_text", "result"} <= set(detail)


@pytest.mark.smoke
def test_list_and_search_send_the_same_queries_however_large_the_catalogue(catalogue):
    client = catalogue.client_for("anonymous")

    def measure() -> tuple[int, int, int, int, int]:
        rebuild, _ = _queries(client, "/api/v1/procedures")  # the catalogue changed: the index is rebuilt once
        listed, page = _queries(client, "/api/v1/procedures", page_size=200)
        searched, found = _queries(client, "/api/v1/procedures", search="kiem thu", page_size=200)
        return rebuild, listed, searched, page["total"], found["total"]

    _add_procedures(catalogue, 4, start=1)
    small = measure()
    _add_procedures(catalogue, 40, start=100)
    large = measure()
    assert (small[3:], large[3:]) == ((8, 4), (48, 44))
    assert large[:3] == small[:3]
    assert small[1] == small[2] == 1  # the index's signature; the rows come from the index
    assert small[0] <= 4


@pytest.mark.smoke
def test_detail_sends_the_same_queries_however_many_papers_and_agencies(catalogue):
    client = catalogue.client_for("anonymous")
    few, _ = _queries(client, "/api/v1/procedures/1.000775")
    many = record(BIRTH, papers=[{"name": f"Giấy tờ {n}", "originals": 1, "copies": 0} for n in range(12)])
    procedures_import(actor=catalogue.users["province_admin"], records=[many])
    more, data = _queries(client, "/api/v1/procedures/1.001193")
    assert len(data["papers"]) == 12 and len(data["agencies"]) == 2
    assert more == few


@pytest.mark.smoke
def test_api_json_is_utf8_text_without_unicode_escapes(catalogue):
    response = catalogue.client_for("anonymous").get("/api/v1/procedures/1.001193")
    body = response.content
    assert response["Content-Type"] == "application/json; charset=utf-8"
    assert b"\\u" not in body
    assert "Đăng ký khai sinh".encode() in body
    error = catalogue.client_for("anonymous").get("/api/v1/procedures/9.999999").content
    assert "Không có thủ tục hành chính".encode() in error and b"\\u" not in error


# --- the synonym table --------------------------------------------------------------------------------------------

@pytest.mark.smoke
def test_province_admin_edits_the_synonym_table_and_every_change_is_audited(catalogue):
    from tinhso.audit.models import AuditEvent

    admin = catalogue.client_for("province_admin")
    anonymous = catalogue.client_for("anonymous")
    assert _get(anonymous, "/api/v1/procedures", search="be chao doi")[1]["total"] == 0
    created = admin.post("/api/v1/procedure-synonyms", {"phrase": "Bé chào đời", "expansion": "khai sinh"},
                         content_type="application/json")
    assert created.status_code == 201, created.content
    synonym = created.json()
    assert _get(anonymous, "/api/v1/procedures", search="be chao doi")[1]["items"][0]["code"] == "1.001193"
    patched = admin.patch(f"/api/v1/procedure-synonyms/{synonym['id']}", {"is_active": False},
                          content_type="application/json")
    assert patched.status_code == 200 and patched.json()["is_active"] is False
    assert _get(anonymous, "/api/v1/procedures", search="be chao doi")[1]["total"] == 0
    assert admin.delete(f"/api/v1/procedure-synonyms/{synonym['id']}").status_code == 204
    assert list(AuditEvent.objects.filter(action__startswith="procedures.synonym.").order_by("id")
                .values_list("action", flat=True)) == [
        "procedures.synonym.create", "procedures.synonym.update", "procedures.synonym.delete"]


@pytest.mark.smoke
def test_bad_or_duplicate_synonym_gets_a_vietnamese_422_per_field(catalogue):
    admin = catalogue.client_for("province_admin")
    post = lambda **body: admin.post("/api/v1/procedure-synonyms", body, content_type="application/json")  # noqa: E731
    bad = post(phrase=" ?! ", expansion="")
    assert bad.status_code == 422
    assert bad.json()["errors"] == {"phrase": ["Cụm từ của người dân phải có chữ hoặc số."],
                                    "expansion": ["Từ ngữ của danh mục phải có chữ hoặc số."]}
    duplicate = post(phrase="SO DO", expansion="đất")  # "sổ đỏ" is seeded
    assert duplicate.status_code == 422
    assert duplicate.json()["errors"]["phrase"] == ["Đã có từ đồng nghĩa cho “SO DO”."]
    officer = catalogue.client_for("processing_officer").post(
        "/api/v1/procedure-synonyms", {"phrase": "abc", "expansion": "khai sinh"}, content_type="application/json")
    assert officer.status_code == 403


@pytest.mark.smoke
def test_list_response_matches_its_declared_schema(catalogue):
    from tinhso.procedures.schemas import ProcedurePage

    client = catalogue.client_for("anonymous")
    for query in ({}, {"search": "khai sinh"}, {"search": "khai sinh karaoke"}):
        data = client.get("/api/v1/procedures", query).json()
        assert ProcedurePage.model_validate(data).model_dump(mode="json") == data
