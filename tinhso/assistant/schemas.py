from uuid import UUID

from ninja import Field, Schema

from tinhso.api.schemas import PageMeta


class MatchOut(Schema):
    code: str
    name: str
    field: str
    url: str = Field(..., description="Trang của thủ tục trong danh mục")


class FactOut(Schema):
    intent: str = Field(..., description="papers | fees | time | where | online | steps | result")
    label: str
    text: str
    items: list[str]
    procedure_code: str = Field(..., description="Thủ tục mà thông tin này trích từ")
    procedure_url: str
    link_label: str = ""
    link_url: str = ""


class AnswerOut(Schema):
    question_id: UUID = Field(..., description="Dùng để đánh giá câu trả lời (POST /assistant/feedback)")
    question: str
    intents: list[str]
    confident: bool = Field(..., description="false: chưa chắc thủ tục nào, xem matches")
    follow_up: bool
    context: str = Field("", description="Mã thủ tục đang nói tới: gửi lại ở câu hỏi tiếp theo (context=…)")
    answer: str
    facts: list[FactOut]
    matches: list[MatchOut] = Field(..., description="Tối đa 3 thủ tục phù hợp nhất, tốt nhất trước")


class FeedbackIn(Schema):
    question_id: UUID
    helpful: bool


class FeedbackOut(Schema):
    question_id: UUID
    helpful: bool


class QuestionLogOut(Schema):
    question_id: UUID = Field(..., alias="public_id")
    question: str
    intents: list[str]
    context_code: str
    top_codes: list[str]
    confident: bool
    helpful: bool | None
    asked_at: str

    @staticmethod
    def resolve_asked_at(obj) -> str:
        return obj.asked_at.isoformat()


class QuestionLogPage(PageMeta):
    items: list[QuestionLogOut]
