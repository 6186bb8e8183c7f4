from datetime import datetime

from ninja import Query, Router, Schema

from tinhso.api.schemas import ERROR_RESPONSES, PageMeta, Paging
from tinhso.core.pagination import paginate

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
                object_id: str = Query("", max_length=64), paging: Query[Paging] = None):
    qs = audit_event_list(user=request.user, action=action, object_type=object_type, object_id=object_id)
    return paginate(qs, page=paging.page, page_size=paging.page_size).as_dict()
