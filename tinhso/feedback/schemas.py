from datetime import datetime

from ninja import Field, Query, Schema

from tinhso.api.schemas import PageMeta, Paging


class ServiceOut(Schema):
    code: str
    name: str
    description: str
    group: str
    keywords: str
    sla: str
    is_emergency: bool
    attributes: list[dict]


class AgencyRef(Schema):
    identifier_code: str
    name: str


class ReportOut(Schema):
    code: str
    service_code: str
    service_name: str
    status: str
    status_label: str
    channel: str
    commune_code: str
    commune_name: str
    agency: AgencyRef
    assignee: str | None
    received_at: datetime
    due_at: datetime
    answered_at: datetime | None
    closed_at: datetime | None
    escalation_level: int
    reopen_count: int
    duplicate_of: str | None


class ReportDetailOut(ReportOut):
    description: str
    attributes: dict
    latitude: float | None
    longitude: float | None
    address: str
    contact_name: str
    contact_phone: str
    contact_email: str
    answer: str
    rating: int | None
    allowed_actions: list[str]


class ReportPage(PageMeta):
    items: list[ReportOut]


class QueueFilterIn(Paging):
    status: str = Query("", max_length=16)
    q: str = Query("", max_length=200)


class ActionIn(Schema):
    action: str = Field(..., max_length=32)
    note: str = Field("", max_length=4000)
    agency_code: str = Field("", max_length=20)
    assignee: str = Field("", max_length=150)
    duplicate_of: str = Field("", max_length=24)
    expected_status: str = Field("", max_length=16)


class CommentIn(Schema):
    note: str = Field(..., max_length=4000)
    internal: bool = False


class EventOut(Schema):
    at: datetime
    action: str
    action_label: str
    note: str
    public: bool
    by_citizen: bool
