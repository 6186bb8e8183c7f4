from datetime import date, datetime

from ninja import Field, Query, Schema

from tinhso.api.schemas import PageMeta, Paging

FormValue = str | int | float | None


class DossierIn(Schema):
    """An online submission (JSON); the multipart form carries the same fields plus `attachments` files."""

    procedure_code: str = Field(..., max_length=40, description="Mã thủ tục hành chính")
    agency_code: str = Field("", max_length=13, description="Mã định danh cơ quan giải quyết (khi thủ tục do "
                                                            "nhiều cơ quan thực hiện)")
    channel: str = Field("online", max_length=8, description="online | direct | postal (trực tiếp, bưu chính: "
                                                             "chỉ cán bộ một cửa)")
    applicant_name: str = Field(..., max_length=150)
    applicant_citizen_id: str = Field(..., max_length=12, description="Số định danh cá nhân 12 chữ số")
    applicant_phone: str = Field(..., max_length=20)
    applicant_unit_code: str = Field(..., max_length=20, description="Mã xã, phường, đặc khu nơi cư trú")
    applicant_address: str = Field("", max_length=255)
    applicant_email: str = Field("", max_length=254)
    applicant_birth_date: str = Field("", max_length=10, description="Ngày sinh: dd/mm/yyyy hoặc yyyy-mm-dd")
    form_data: dict[str, FormValue] = Field(default_factory=dict, description="Các trường của tờ khai trực tuyến")


class DossierFilterIn(Paging):
    status: str = Query("", max_length=24)
    agency: str = Query("", max_length=13, description="Mã định danh cơ quan tiếp nhận hoặc giải quyết")
    queue: str = Query("", max_length=20, description="new (chờ tiếp nhận) | processing | awaiting_approval | "
                                                      "due_soon | overdue | waiting | to_return")
    procedure: str = Query("", max_length=40)
    channel: str = Query("", max_length=8)
    search: str = Query("", max_length=100, description="Mã hồ sơ, tên hoặc số điện thoại người nộp")


class AgencyRef(Schema):
    identifier_code: str
    name: str


class DossierOut(Schema):
    code: str
    procedure_code: str
    procedure_name: str
    receiving_agency: AgencyRef
    handling_agency: AgencyRef | None
    channel: str
    status: str
    status_label: str
    applicant_name: str
    applicant_phone: str
    applicant_unit_code: str | None
    submitted_at: datetime
    received_at: datetime | None
    clock_start_at: datetime | None
    due_at: datetime | None
    paused_at: datetime | None
    supplement_requested_at: datetime | None
    apology_due_at: datetime | None
    resolved_at: datetime | None
    timeliness: str
    result_issued_at: datetime | None
    returned_at: datetime | None
    withdrawn_at: datetime | None
    refused_at: datetime | None
    stopped_at: datetime | None
    has_digitised_attachments: bool
    acceptance_due_at: datetime | None = Field(None, description="Hạn tiếp nhận hồ sơ trực tuyến")
    acceptance_wait_hours: float | None = Field(None, description="Số giờ làm việc chờ tiếp nhận (trực tuyến)")
    acceptance_late: bool = Field(False, description="Tiếp nhận (hoặc còn chờ) quá hạn tiếp nhận")
    completion_requested_at: datetime | None = None
    supplemented_at: datetime | None = None


class DossierDetailOut(DossierOut):
    applicant_citizen_id: str
    applicant_address: str
    applicant_email: str
    form_data: dict[str, FormValue]
    attachments: list[str] = Field(default_factory=list, description="Tên các tệp đính kèm")
    allowed_actions: list[str] = Field(default_factory=list, description="Các thao tác người gọi được làm lúc này")


class DossierPage(PageMeta):
    items: list[DossierOut]


class EventOut(Schema):
    at: datetime
    action: str
    action_label: str
    from_status: str
    to_status: str
    actor: str
    agency: AgencyRef | None
    to_agency: AgencyRef | None
    note: str


class TransitionIn(Schema):
    action: str = Field(..., max_length=32, description="receive | refuse | request_completion | complete | "
                                                        "assign | start | hand_over | request_supplement | "
                                                        "supplement | submit_for_approval | approve | send_back | "
                                                        "reject | issue_result | return_result | withdraw | stop | "
                                                        "apologise")
    note: str = Field("", max_length=4000)
    agency_code: str = Field("", max_length=13, description="Cơ quan nhận (chuyển cơ quan khác; chuyển xử lý)")
    assignee: str = Field("", max_length=150, description="Tên đăng nhập cán bộ xử lý được giao (chuyển xử lý, "
                                                          "không bắt buộc)")
    new_date: date | None = Field(None, description="Ngày hẹn trả mới (phiếu xin lỗi, mẫu 04)")
    expected_status: str = Field("", max_length=24, description="Trạng thái người gọi đang thấy; khác → 409")


class RatingIn(Schema):
    score: int = Field(..., ge=1, le=5)
    comment: str = Field("", max_length=4000)


class RatingOut(Schema):
    score: int
    comment: str
    created_at: datetime


class TrackEventOut(Schema):
    at: datetime
    action_label: str
    status_label: str


class TrackOut(Schema):
    code: str
    procedure_name: str
    receiving_agency: str
    status: str
    status_label: str
    submitted_at: datetime
    received_at: datetime | None
    due_at: datetime | None
    apology_due_at: datetime | None
    returned_at: datetime | None
    supplement_request: str | None
    events: list[TrackEventOut]
