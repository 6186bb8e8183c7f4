from datetime import datetime

from ninja import Query, Router, Schema

from tinhso.api.schemas import ERROR_RESPONSES, PageMeta, Paging
from tinhso.core.exceptions import PermissionDenied
from tinhso.core.pagination import paginate

from . import selectors, services

router = Router()


class NotificationOut(Schema):
    id: int
    kind: str
    subject: str
    body: str
    link: str
    created_at: datetime
    read_at: datetime | None


class NotificationPage(PageMeta):
    unread: int
    items: list[NotificationOut]


class MarkedOut(Schema):
    marked: int


def _me(request):
    if not request.user.is_authenticated:
        raise PermissionDenied("Bạn cần đăng nhập.")
    return request.user


@router.get("", response={200: NotificationPage, **ERROR_RESPONSES}, summary="Thông báo của tôi")
def list_mine(request, unread_only: bool = False, paging: Query[Paging] = None):
    user = _me(request)
    qs = selectors.inbox_for(user)
    if unread_only:
        qs = qs.filter(read_at__isnull=True)
    page = paginate(qs, page=paging.page, page_size=paging.page_size)
    return {**page.as_dict(), "unread": selectors.unread_count(user)}


@router.post("/{notification_id}/read", response={200: MarkedOut, **ERROR_RESPONSES},
             summary="Đánh dấu một thông báo là đã đọc")
def mark_read(request, notification_id: int):
    return {"marked": services.notification_mark_read(actor=_me(request), notification_id=notification_id)}


@router.post("/read-all", response={200: MarkedOut, **ERROR_RESPONSES}, summary="Đánh dấu mọi thông báo là đã đọc")
def mark_all_read(request):
    return {"marked": services.notification_mark_read(actor=_me(request))}
