"""The gateway's own API (/api/v1/gateway): the service catalogue, client systems in one's scope, access requests
and the access log. Client systems cannot call it through the gateway (it belongs to no service)."""

from datetime import datetime

from django.conf import settings
from ninja import Field, Path, Query, Router, Schema, Status

from tinhso.api.schemas import ERROR_RESPONSES, PageMeta, Paging
from tinhso.core.exceptions import PermissionDenied
from tinhso.core.pagination import paginate

from . import selectors, services
from .filters import log_filter_from

router = Router()
MAX_ID = 2**62


class OperationOut(Schema):
    method: str
    path: str
    summary: str
    operation_id: str
    example: str


class ServiceOut(Schema):
    key: str
    name: str
    description: str
    operations: list[OperationOut]


class ClientOut(Schema):
    id: int
    code: str
    name: str
    kind: str
    owner_agency: str = Field(..., alias="owner_agency.identifier_code")
    contact_name: str
    active: bool
    rate_per_minute: int
    daily_quota: int
    services: list[str]

    @staticmethod
    def resolve_services(obj) -> list[str]:
        return sorted(g.service for g in obj.grants.all())


class AccessRequestIn(Schema):
    service: str = Field(..., max_length=40)
    reason: str = Field(..., max_length=2000)


class DecisionIn(Schema):
    approve: bool
    note: str = Field("", max_length=2000)


class AccessRequestOut(Schema):
    id: int
    client_id: int
    service: str
    reason: str
    status: str
    requested_at: datetime
    decided_at: datetime | None
    decision_note: str


class AccessRequestPage(PageMeta):
    items: list[AccessRequestOut]


class LogEntryOut(Schema):
    seq: int | None = Field(description="Số thứ tự trong chuỗi băm; trống khi bản ghi chưa được niêm phong")
    sealed: bool
    at: datetime
    client_id: int | None
    client_label: str
    credential: str
    service: str
    operation: str
    method: str
    path: str
    purpose: str
    status: int
    bytes: int
    duration_ms: float
    hash: str


class LogPage(PageMeta):
    items: list[LogEntryOut]


class LogQuery(Schema):
    client: int | None = Field(None, ge=1, le=MAX_ID)
    service: str = Field("", max_length=40)
    status: str = Field("", max_length=10)
    date_from: str = Field("", max_length=10, alias="from")
    date_to: str = Field("", max_length=10, alias="to")
    purpose: str = Field("", max_length=100)


def _me(request):
    if not request.user.is_authenticated:
        raise PermissionDenied("Bạn cần đăng nhập.")
    return request.user


@router.get("/services", response={200: list[ServiceOut], **ERROR_RESPONSES},
            summary="Danh mục dịch vụ của trục liên thông (sinh từ lược đồ OpenAPI)")
def list_services(request):
    return selectors.service_catalogue(base_url=settings.TINHSO_PUBLIC_URL.rstrip("/"))


@router.get("/clients", response={200: list[ClientOut], **ERROR_RESPONSES},
            summary="Hệ thống kết nối trong phạm vi của tôi")
def list_clients(request):
    return list(selectors.client_list(user=_me(request)))


@router.get("/access-requests", response={200: AccessRequestPage, **ERROR_RESPONSES},
            summary="Yêu cầu cấp quyền dịch vụ trong phạm vi của tôi")
def list_access_requests(request, status: str = Query("", max_length=10), paging: Query[Paging] = None):
    qs = selectors.access_request_list(user=_me(request), status=status if status in
                                       {"pending", "approved", "refused"} else "")
    return paginate(qs, page=paging.page, page_size=paging.page_size).as_dict()


@router.post("/clients/{client_id}/access-requests", response={201: AccessRequestOut, **ERROR_RESPONSES},
             summary="Chủ quản hệ thống yêu cầu cấp quyền một dịch vụ")
def request_access(request, payload: AccessRequestIn, client_id: int = Path(..., ge=1, le=MAX_ID)):
    user = _me(request)
    client = selectors.client_get(user=user, client_id=client_id)
    return Status(201, services.access_request_create(actor=user, client=client, service=payload.service,
                                                      reason=payload.reason))


@router.post("/access-requests/{request_id}/decision", response={200: AccessRequestOut, **ERROR_RESPONSES},
             summary="Quản trị cấp tỉnh duyệt hoặc từ chối yêu cầu cấp quyền")
def decide_access_request(request, payload: DecisionIn, request_id: int = Path(..., ge=1, le=MAX_ID)):
    return services.access_request_decide(actor=_me(request), request_id=request_id, approve=payload.approve,
                                          note=payload.note)


@router.get("/access-log", response={200: LogPage, **ERROR_RESPONSES},
            summary="Nhật ký truy cập trục liên thông (quản trị cấp tỉnh)")
def access_log(request, query: Query[LogQuery], paging: Query[Paging] = None):
    user = _me(request)
    if not selectors.is_gateway_admin(user):
        raise PermissionDenied("Chỉ quản trị cấp tỉnh được xem nhật ký truy cập của trục liên thông.")
    params = {"client": str(query.client or ""), "service": query.service, "status": query.status,
              "from": query.date_from, "to": query.date_to, "purpose": query.purpose}
    qs = selectors.access_log_list(user=user, filters=log_filter_from(params))
    return paginate(qs, page=paging.page, page_size=paging.page_size).as_dict()
