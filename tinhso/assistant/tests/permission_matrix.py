from tests.matrix import EVERYONE, Request, case
from tinhso.assistant.models import QuestionLog


def _rate(world) -> Request:
    log = QuestionLog.objects.create(question="đăng ký khai sinh", top_codes=[])
    return Request("/api/v1/assistant/feedback", json={"question_id": str(log.public_id), "helpful": True})


MATRIX = {
    # Citizens ask without an account; nothing personal is kept.
    ("GET", "/api/v1/assistant/ask"): case(
        lambda w: Request("/api/v1/assistant/ask", query={"q": "đăng ký khai sinh cần giấy tờ gì"}), EVERYONE),
    ("POST", "/api/v1/assistant/feedback"): case(_rate, EVERYONE),
    # The log is read by the province to improve synonyms.
    ("GET", "/api/v1/assistant/questions"): case(lambda w: Request("/api/v1/assistant/questions"),
                                                 {"province_admin"}),
}
