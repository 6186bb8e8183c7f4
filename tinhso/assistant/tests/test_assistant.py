import pytest

from tinhso.assistant.models import QuestionLog
from tinhso.assistant.services import mask_personal_data

ASK = "/api/v1/assistant/ask"


def _ask(client, q: str, context: str = "") -> dict:
    response = client.get(ASK, {"q": q, **({"context": context} if context else {})})
    assert response.status_code == 200, response.content
    return response.json()


@pytest.mark.smoke
def test_a_question_about_papers_is_answered_from_the_catalogue_with_citations(demo_catalogue):
    data = _ask(demo_catalogue.client_for("anonymous"), "làm giấy khai sinh cho con cần những giấy tờ gì?")
    assert data["confident"] is True and data["context"] == "1.001193"
    assert data["matches"][0] == {"code": "1.001193", "name": "Đăng ký khai sinh", "field": "Hộ tịch",
                                  "url": "/thu-tuc/1.001193/"}
    assert len(data["matches"]) <= 3
    (papers,) = data["facts"]
    assert papers["intent"] == "papers" and papers["procedure_url"] == "/thu-tuc/1.001193/"
    assert papers["items"][0] == "Tờ khai đăng ký khai sinh theo mẫu (1 bản chính)"
    assert "Tờ khai đăng ký khai sinh theo mẫu" in data["answer"] and "/thu-tuc/1.001193/" in data["answer"]


@pytest.mark.smoke
def test_a_follow_up_question_keeps_the_procedure_in_context(demo_catalogue):
    client = demo_catalogue.client_for("anonymous")
    first = _ask(client, "dang ky ket hon can giay to gi")
    assert first["context"] == "1.000894"
    follow = _ask(client, "còn lệ phí thì sao?", context=first["context"])
    assert follow["follow_up"] is True and follow["context"] == "1.000894"
    assert [f["intent"] for f in follow["facts"]] == ["fees"]
    assert follow["facts"][0]["procedure_code"] == "1.000894"
    online = _ask(client, "nộp online được không", context=first["context"])
    assert online["facts"][0]["intent"] == "online" and online["facts"][0]["link_url"] == "/ho-so/nop/1.000894/"


def test_time_where_and_online_facts_state_only_what_the_catalogue_has(demo_catalogue):
    client = demo_catalogue.client_for("anonymous")
    data = _ask(client, "ly lich tu phap mat bao lau, nop o dau, lam online duoc khong")
    assert data["context"] == "2.000488"
    facts = {f["intent"]: f for f in data["facts"]}
    assert set(facts) == {"time", "where", "online"}
    from tinhso.procedures.models import Procedure
    p = Procedure.objects.get(code="2.000488")
    assert facts["time"]["text"].startswith(f"{p.processing_time} ngày làm việc")
    assert facts["where"]["items"] == [a.name for a in p.agencies.all()]


def test_a_missing_fee_is_said_to_be_missing_not_free(demo_catalogue):
    from tinhso.procedures.models import Procedure
    Procedure.objects.filter(code="1.000894").update(fee_text="", fee_amount=0)
    data = _ask(demo_catalogue.client_for("anonymous"), "đăng ký kết hôn lệ phí bao nhiêu")
    assert data["facts"][0]["text"].startswith("Danh mục chưa ghi phí, lệ phí")
    assert "miễn" not in data["answer"].lower()


@pytest.mark.smoke
def test_an_ambiguous_question_says_it_is_unsure_and_offers_the_best_matches(demo_catalogue):
    data = _ask(demo_catalogue.client_for("anonymous"), "giấy phép")
    assert data["confident"] is False and data["facts"] == [] and data["context"] == ""
    assert 1 <= len(data["matches"]) <= 3
    assert data["answer"].startswith("Tôi chưa chắc bạn hỏi thủ tục nào")


def test_a_question_the_catalogue_cannot_answer_says_so(demo_catalogue):
    data = _ask(demo_catalogue.client_for("anonymous"), "qwxz zzkq")
    assert data["confident"] is False and data["matches"] == [] and data["facts"] == []
    assert data["answer"].startswith("Tôi chưa tìm thấy thủ tục nào")


@pytest.mark.smoke
def test_questions_are_logged_without_personal_data_and_rated(demo_catalogue):
    client = demo_catalogue.client_for("anonymous")
    data = _ask(client, "tôi số căn cước 038123456789, sđt 0912 345 678, a.b@mail.vn muốn đăng ký khai tử")
    log = QuestionLog.objects.get(public_id=data["question_id"])
    assert "038123456789" not in log.question and "0912" not in log.question and "@" not in log.question
    assert log.top_codes[0] == "1.000656"
    rated = client.post("/api/v1/assistant/feedback", {"question_id": data["question_id"], "helpful": False},
                        content_type="application/json")
    assert rated.status_code == 200
    log.refresh_from_db()
    assert log.helpful is False
    page = demo_catalogue.client_for("province_admin").get("/api/v1/assistant/questions", {"helpful": "false"})
    assert [q["question_id"] for q in page.json()["items"]] == [data["question_id"]]


def test_mask_personal_data_hides_numbers_and_emails_but_keeps_words():
    assert mask_personal_data("CCCD 038 123 456 789 gửi x@y.vn") == "CCCD *** gửi ***"
    assert mask_personal_data("cấp lại 2 bản sao") == "cấp lại 2 bản sao"


def test_empty_or_too_long_question_gets_a_vietnamese_422(demo_catalogue):
    client = demo_catalogue.client_for("anonymous")
    empty = client.get(ASK, {"q": "   "})
    assert empty.status_code == 422 and empty.json()["errors"]["q"] == ["Hãy nhập câu hỏi về thủ tục hành chính."]
    assert client.get(ASK, {"q": "a" * 301}).status_code == 422
    unknown = client.post("/api/v1/assistant/feedback", {"question_id": "00000000-0000-0000-0000-000000000000",
                                                         "helpful": True}, content_type="application/json")
    assert unknown.status_code == 404
    assert not QuestionLog.objects.exists()


def test_the_page_answers_and_keeps_the_context_for_the_next_question(demo_catalogue):
    client = demo_catalogue.client_for("anonymous")
    page = client.get("/hoi-dap/", {"q": "sổ đỏ làm ở đâu"})
    html = page.content.decode()
    assert page.status_code == 200 and "Hỏi đáp thủ tục" in html
    assert 'href="/thu-tuc/1.013978/"' in html and 'name="context" value="1.013978"' in html
    fragment = client.get("/hoi-dap/", {"q": "mất bao lâu", "context": "1.013978"}, HTTP_HX_REQUEST="true")
    text = fragment.content.decode()
    assert "Vẫn về thủ tục" in text and "Thời hạn giải quyết" in text and 'hx-swap-oob="true"' in text
    log = QuestionLog.objects.latest("asked_at")
    assert client.post(f"/hoi-dap/danh-gia/{log.public_id}/", {"helpful": "1"}).status_code == 200
    log.refresh_from_db()
    assert log.helpful is True
