from datetime import datetime

from ninja import Query, Router, Schema

from tinhso.api.schemas import ERROR_RESPONSES, PageMeta
from tinhso.core.pagination import DEFAULT_PAGE_SIZE, MAX_PAGE_SIZE, paginate

from .selectors import audit_event_list

router = Router()


class AuditEventOut(Schema):
    seq: int
    occurred_at: datetime
    actor_label: str
    action: str
    object_type: str
    object_id: str
    object_label: str
    summary: str
    changes: dict
    hash: str
    prev_hash: str


class AuditEventPage(PageMeta):
    items: list[AuditEventOut]


@router.get("/events", response={200: AuditEventPage, **ERROR_RESPONSES}, summary="Nhật ký kiểm toán")
def list_events(request, action: str = Query("", max_length=64), object_type: str = Query("", max_length=64),
                object_id: str = Query("", max_length=64), page: int = Query(1, ge=1, le=100000),
                page_size: int = Query(DEFAULT_PAGE_SIZE, ge=1, le=MAX_PAGE_SIZE)):
    qs = audit_event_list(user=request.user, action=action, object_type=object_type, object_id=object_id)
    p = paginate(qs, page=page, page_size=page_size)
    return {"total": p.total, "page": p.page, "page_size": p.page_size, "items": p.items}
