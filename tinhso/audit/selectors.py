from django.db.models import QuerySet

from tinhso.accounts.scoping import can_read_audit
from tinhso.core.exceptions import PermissionDenied

from .models import AuditEvent


def audit_event_list(*, user, action: str = "", object_type: str = "", object_id: str = "") -> QuerySet:
    if not can_read_audit(user):
        raise PermissionDenied("Chỉ quản trị viên mới được xem nhật ký kiểm toán.")
    qs = AuditEvent.objects.order_by("-seq")
    if action:
        qs = qs.filter(action__startswith=action)
    if object_type:
        qs = qs.filter(object_type=object_type)
    if object_id:
        qs = qs.filter(object_id=object_id)
    return qs
