from datetime import date, datetime

from ninja import Field, Query, Schema

from tinhso.api.schemas import PageMeta, Paging


class DocumentFilterIn(Paging):
    q: str = Query("", max_length=200, description="Số, ký hiệu, trích yếu hoặc nội dung (có hoặc không dấu)")
    direction: str = Query("", max_length=10, pattern="^(|outgoing|incoming)$")
    agency: str = Query("", max_length=13, description="Mã định danh cơ quan")
    doc_type: str = Query("", max_length=4)
    status: str = Query("", max_length=12)
    date_from: str = Query("", pattern=r"^(\d{4}-\d{2}-\d{2})?$", description="YYYY-MM-DD")
    date_to: str = Query("", pattern=r"^(\d{4}-\d{2}-\d{2})?$", description="YYYY-MM-DD")
    overdue: bool = Query(False, description="Chỉ văn bản đến quá hạn xử lý (theo dõi, đôn đốc)")


class SignatureCheckOut(Schema):
    file: str
    field_name: str
    signer_name: str
    signer_subject: str
    issuer_subject: str
    signing_time: datetime | None
    digest_algorithm: str
    intact: bool
    trusted: bool
    covers_whole_file: bool
    weak_digest: bool
    ok: bool
    message: str


class DeliveryOut(Schema):
    to_code: str
    to_name: str
    status: str
    status_label: str
    attempts: int
    sent_at: datetime
    status_at: datetime


class DocumentOut(Schema):
    id: int
    direction: str
    agency_code: str
    agency_name: str
    register_number: int | None
    number_notation: str
    doc_type: str
    doc_type_label: str
    subject: str
    issuing_agency_code: str
    issuing_agency_name: str
    issued_on: date | None
    signer_name: str
    signer_position: str
    urgency: str
    security_level: str
    status: str
    status_label: str
    source: str
    handling_due_on: date | None
    completed_at: datetime | None
    created_at: datetime


class FileOut(Schema):
    id: int
    role: str
    name: str
    size: int
    sha256: str


class DocumentDetailOut(DocumentOut):
    recipients: list[str]
    response_due_on: date | None
    files: list[FileOut]
    signatures: list[SignatureCheckOut]
    deliveries: list[DeliveryOut]
    dossier_code: str | None
    feedback_ref: str
    allowed_actions: list[str]


class DocumentPage(PageMeta):
    items: list[DocumentOut]


class ActionIn(Schema):
    action: str = Field(..., max_length=20, pattern="^(submit_review|return|leader_sign|issue|send|assign|complete|link)$")
    note: str = Field("", max_length=2000)
    key_id: int | None = Field(None, ge=1, le=2**31 - 1)
    passphrase: str = Field("", max_length=200)
    position: str = Field("", max_length=150)
    recipients: list[str] | None = Field(None, max_length=200)
    agency_code: str = Field("", max_length=13)
    username: str = Field("", max_length=150)
    due_on: date | None = None
    dossier_code: str = Field("", max_length=40)
    feedback_ref: str = Field("", max_length=40)


class ResendIn(Schema):
    to_code: str = Field(..., max_length=13)


class TrustRootIn(Schema):
    name: str = Field(..., max_length=200)
    certificate_pem: str = Field(..., max_length=20000)


class TrustRootActiveIn(Schema):
    active: bool


class TrustRootOut(Schema):
    id: int
    name: str
    subject: str
    fingerprint: str
    not_after: datetime
    is_active: bool


class SigningKeyOut(Schema):
    id: int
    owner: str
    agency_code: str
    label: str
    backend: str
    subject: str
    not_after: datetime


class RecordsOfficerIn(Schema):
    agency_code: str = Field(..., max_length=13)
    username: str = Field(..., max_length=150)


class VerificationOut(Schema):
    signed: bool
    ok: bool
    message: str
    signatures: list[dict]
