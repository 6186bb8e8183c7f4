from django.db.models import QuerySet

from tinhso.core.exceptions import NotFound, PermissionDenied
from tinhso.core.text import query_words

from . import scoping
from .models import ApiToken, RoleAssignment, User


def user_get(*, actor, username: str) -> User:
    user = User.objects.filter(username=username.lower()).first()
    if user is None:
        raise NotFound(f"Không có tài khoản “{username}”.")
    if actor != user and not scoping.admin_unit_ids(actor):
        raise PermissionDenied("Bạn không có quyền xem tài khoản này.")
    return user


def user_list(*, actor, search: str = "") -> QuerySet:
    if not scoping.admin_unit_ids(actor):
        raise PermissionDenied("Chỉ quản trị viên được xem danh sách tài khoản.")
    qs = User.objects.order_by("username")
    for word in query_words(search):
        qs = qs.filter(username__icontains=word) | qs.filter(full_name__icontains=word)
    return qs


def role_list(*, actor, username: str = "") -> QuerySet:
    qs = RoleAssignment.objects.select_related("user", "agency", "unit").order_by("user__username", "role")
    if scoping.is_province_admin(actor):
        pass
    elif scoping.admin_unit_ids(actor):
        units = scoping.admin_unit_ids(actor)
        qs = qs.filter(agency__unit_id__in=units) | qs.filter(unit_id__in=units)
    else:
        qs = qs.filter(user=actor)
    if username:
        qs = qs.filter(user__username=username.lower())
    return qs


def api_token_list(*, actor) -> QuerySet:
    if not scoping.is_province_admin(actor):
        raise PermissionDenied("Chỉ quản trị cấp tỉnh được xem mã truy cập API.")
    return ApiToken.objects.select_related("user").order_by("-created_at")
