from django.db.models import QuerySet

from tinhso.accounts import scoping
from tinhso.core.exceptions import PermissionDenied

from .choices import Channel
from .models import ChannelOptOut, Notification


def inbox_for(user) -> QuerySet:
    return Notification.objects.filter(recipient=user, channel=Channel.IN_APP)


def unread_count(user) -> int:
    if not getattr(user, "is_authenticated", False):
        return 0
    return inbox_for(user).filter(read_at__isnull=True).count()


def channels_received(user) -> dict[str, bool]:
    off = set(ChannelOptOut.objects.filter(user=user).values_list("channel", flat=True))
    return {c: c not in off for c in Channel.values}


def delivery_log(*, actor, channel: str = "", status: str = "", q: str = "") -> QuerySet:
    """Every message sent by e-mail or SMS, for the province administrator (addresses are personal data)."""
    if not scoping.is_province_admin(actor):
        raise PermissionDenied("Chỉ quản trị cấp tỉnh xem được nhật ký gửi thông báo.")
    qs = Notification.objects.exclude(channel=Channel.IN_APP).prefetch_related("delivery_attempts")
    if channel:
        qs = qs.filter(channel=channel)
    if status:
        qs = qs.filter(status=status)
    if q:
        qs = qs.filter(address__icontains=q.strip())
    return qs
