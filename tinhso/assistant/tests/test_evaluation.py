import pytest

from tinhso.assistant.evaluation import evaluate, load_questions
from tinhso.core.text import fold


def test_the_question_set_is_large_varied_and_half_without_diacritics():
    questions = load_questions()
    assert len(questions) >= 80
    plain = [q for q in questions if fold(q["q"]) == q["q"].lower()]
    assert len(plain) >= len(questions) // 2 - 5


@pytest.mark.smoke
def test_the_assistant_finds_the_right_procedure_in_its_top_3_for_90_percent_of_the_questions(demo_catalogue):
    client = demo_catalogue.client_for("anonymous")

    def ask(question: str) -> list[str]:
        response = client.get("/api/v1/assistant/ask", {"q": question})
        assert response.status_code == 200, response.content
        return [m["code"] for m in response.json()["matches"]]

    report = evaluate(load_questions(), ask)
    print(report)
    assert report.rate(report.top3) >= 0.90, str(report)
