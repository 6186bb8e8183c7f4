from django.db.models import Q, QuerySet

from tinhso.core.exceptions import NotFound, PermissionDenied
from tinhso.core.text import query_words

from . import scoping
from .choices import Role
from .models import ApiToken, RoleAssignment, User


def managed_users(*, actor) -> QuerySet:
    """The accounts an administrator sees and changes: every account for a province administrator; for a unit
    administrator those that belong to their units or hold a role there (not the province's other officers)."""
    if scoping.is_province_admin(actor):
        return User.objects.all()
    units = scoping.admin_unit_ids(actor)
    if not units:
        return User.objects.none()
    in_units = RoleAssignment.objects.filter(Q(agency__unit_id__in=units) | Q(unit_id__in=units))
    return User.objects.filter(Q(unit_id__in=units) | Q(pk__in=in_units.values("user_id")))


def user_get(*, actor, username: str) -> User:
    username = (username or "").strip().lower()
    if getattr(actor, "username", None) == username and actor.is_active:
        return actor
    if not scoping.admin_unit_ids(actor):
        raise PermissionDenied("Bạn không có quyền xem tài khoản này.")
    user = managed_users(actor=actor).filter(username=username).first()
    if user is None:  # outside the administrator's units: not revealed
        raise NotFound(f"Không có tài khoản “{username}” trong phạm vi quản trị của bạn.")
    return user


def can_manage_user(actor, user: User) -> bool:
    return managed_users(actor=actor).filter(pk=user.pk).exists()


def user_for_verification(*, actor, username: str) -> User:
    """The account a one-stop clerk is about to verify (clerks only, so others learn nothing of who exists)."""
    if not scoping.has_role(actor, Role.RECEIVING_OFFICER):
        raise PermissionDenied("Chỉ cán bộ bộ phận một cửa được xác minh số định danh cá nhân.")
    user = User.objects.filter(username=(username or "").strip().lower(), is_active=True).first()
    if user is None:
        raise NotFound(f"Không có tài khoản “{username}”.")
    return user


def user_list(*, actor, search: str = "") -> QuerySet:
    if not scoping.admin_unit_ids(actor):
        raise PermissionDenied("Chỉ quản trị viên được xem danh sách tài khoản.")
    qs = managed_users(actor=actor).order_by("username")
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


def verified_citizen(*, citizen_id: str) -> User | None:
    """The active citizen account whose citizen ID is this one and proven; the only account a counter or postal
    dossier filed under that number may be linked to."""
    if not citizen_id:
        return None
    return User.objects.filter(citizen_id=citizen_id, citizen_id_verified_at__isnull=False, is_active=True,
                               roles__role=Role.CITIZEN).first()
