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

    @staticmethod
    def resolve_level_labels(obj) -> list[str]:
        return [ImplementingLevel(v).label for v in obj.levels if v in ImplementingLevel.values]

    @staticmethod
    def resolve_online_level_label(obj) -> str:
        return obj.get_online_level_display()

    @staticmethod
    def resolve_processing_time_unit_label(obj) -> str:
        return obj.get_processing_time_unit_display()


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
    def resolve_agencies(obj) -> list:
        return list(obj.agencies.all())

    @staticmethod
    def resolve_papers(obj) -> list:
        return list(obj.papers.all())

    @staticmethod
    def resolve_form_fields(obj) -> list:
        return list(obj.form_fields.all())


class ProcedurePage(PageMeta):
    items: list[ProcedureOut]


class ImportResultOut(Schema):
    created: int
    updated: int
    unchanged: int
    fields_created: int
