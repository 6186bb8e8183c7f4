from dataclasses import asdict

from ninja import Query, Router

from tinhso.api.schemas import ERROR_RESPONSES, Paging
from tinhso.core.pagination import paginate

from . import selectors, services
from .schemas import AnswerOut, FeedbackIn, FeedbackOut, QuestionLogPage

router = Router()


def answer_payload(reply, log) -> dict:
    data = asdict(reply)
    return {**data, "question_id": log.public_id, "answer": reply.text,
            "context": reply.subject.code if reply.subject else ""}


@router.get("/ask", response={200: AnswerOut, **ERROR_RESPONSES}, auth=None, url_name="assistant_ask",
            summary="Hỏi đáp thủ tục hành chính: trả lời từ danh mục, kèm nguồn")
def ask(request, q: str = Query(..., max_length=300, description="Câu hỏi, có dấu hoặc không dấu"),
        context: str = Query("", max_length=40, description="Mã thủ tục của câu trả lời trước, để hỏi tiếp")):
    reply, log = services.question_ask(question=q, context_code=context)
    return answer_payload(reply, log)


@router.post("/feedback", response={200: FeedbackOut, **ERROR_RESPONSES}, auth=None,
             summary="Đánh giá câu trả lời: có ích hay chưa")
def feedback(request, payload: FeedbackIn):
    log = services.question_rate(log_id=payload.question_id, helpful=payload.helpful)
    return {"question_id": log.public_id, "helpful": log.helpful}


class QuestionFilterIn(Paging):
    helpful: bool | None = Query(None, description="true | false: chỉ câu trả lời được đánh giá như vậy")
    unsure: bool = Query(False, description="Chỉ những câu trợ lý chưa chắc chắn")


@router.get("/questions", response={200: QuestionLogPage, **ERROR_RESPONSES},
            summary="Nhật ký câu hỏi (không có dữ liệu cá nhân), để cải thiện từ đồng nghĩa")
def questions(request, filters: Query[QuestionFilterIn]):
    qs = selectors.question_log_list(actor=request.user, helpful=filters.helpful, unsure_only=filters.unsure)
    return paginate(qs, page=filters.page, page_size=filters.page_size).as_dict()
