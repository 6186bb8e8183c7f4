from ninja import Field, Schema

from tinhso.api.schemas import PageMeta

from .choices import ImplementingLevel


class FieldRef(Schema):
    code: str
    name: str


class FieldOut(FieldRef):
    procedures_count: int = 0


class AgencyRef(Schema):
    identifier_code: str
    name: str


class ProcedureOut(Schema):
    code: str
    name: str
    field: FieldRef
    levels: list[str] = Field(..., description="province | commune")
    level_labels: list[str]
    online_level: str = Field(..., description="toan_trinh | mot_phan | khong")
    online_level_label: str
    processing_time: int
    processing_time_unit: str = Field(..., description="working_days | hours")
    processing_time_unit_label: str
    fee_amount: int = Field(..., description="Phí, lệ phí chính (đồng)")


class PaperOut(Schema):
    position: int
    name: str
    originals: int = Field(..., description="Số bản chính")
    copies: int = Field(..., description="Số bản sao")


class FormFieldOut(Schema):
    name: str
    label: str
    type: str = Field(..., alias="field_type")
    required: bool
    choices: list[str]


class ProcedureDetailOut(ProcedureOut):
    """The list item plus what only one procedure's page needs (a commune procedure lists every commune)."""

    agencies: list[AgencyRef] = Field(..., description="Cơ quan thực hiện (mã định danh, tên)")
    legal_basis: list[str]
    steps: list[str] = Field(..., description="Trình tự thực hiện")
    fee_text: str
    result: str
    papers: list[PaperOut] = Field(..., description="Thành phần hồ sơ")
    form_fields: list[FormFieldOut] = Field(..., description="Trường của tờ khai trực tuyến")

    @staticmethod
    def resolve_level_labels(obj) -> list[str]:
        return [ImplementingLevel(v).label for v in obj.levels if v in ImplementingLevel.values]

    @staticmethod
    def resolve_online_level_label(obj) -> str:
        return obj.get_online_level_display()

    @staticmethod
    def resolve_processing_time_unit_label(obj) -> str:
        return obj.get_processing_time_unit_display()

    @staticmethod
    def resolve_agencies(obj) -> list:
        return list(obj.agencies.all())

    @staticmethod
    def resolve_papers(obj) -> list:
        return list(obj.papers.all())

    @staticmethod
    def resolve_form_fields(obj) -> list:
        return list(obj.form_fields.all())


class SuggestionsOut(Schema):
    fields: list[FieldRef] = Field(default_factory=list, description="Lĩnh vực nên xem khi không có kết quả")
    procedures: list[ProcedureOut] = Field(default_factory=list, description="Thủ tục gần đúng nhất")


class ProcedurePage(PageMeta):
    items: list[ProcedureOut] = Field(..., description="Khi tìm kiếm: xếp theo mức độ phù hợp")
    suggestions: SuggestionsOut = Field(default_factory=SuggestionsOut,
                                        description="Chỉ có khi tìm kiếm không ra kết quả")
    intents: list[str] = Field(default_factory=list, description="Điều người hỏi muốn biết: papers | fees | time "
                                                                 "| where | online | steps | result")


class ImportResultOut(Schema):
    created: int
    updated: int
    unchanged: int
    fields_created: int


class SynonymOut(Schema):
    id: int
    phrase: str = Field(..., description="Cách người dân nói, ví dụ “sổ đỏ”")
    expansion: str = Field(..., description="Từ ngữ của danh mục thay cho cụm từ đó khi tìm kiếm")
    is_active: bool


class SynonymIn(Schema):
    phrase: str = Field(..., max_length=120)
    expansion: str = Field(..., max_length=300)


class SynonymPatch(Schema):
    phrase: str | None = Field(None, max_length=120)
    expansion: str | None = Field(None, max_length=300)
    is_active: bool | None = None
