"""Every write about people: accounts, passwords, roles, API tokens. Each one is audited."""

import hashlib
import re
import secrets

from django.contrib.auth import password_validation
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from tinhso.audit.services import audit_record
from tinhso.core.exceptions import Conflict, NotFound, PermissionDenied, ValidationError
from tinhso.core.identity import citizen_id_problem, normalize_citizen_id
from tinhso.org.models import AdministrativeUnit, Agency

from . import scoping, selectors
from .choices import AGENCY_ROLES, UNIT_ROLES, CitizenIdVerification, Role
from .models import ApiToken, RoleAssignment, User

USERNAME_RE = re.compile(r"^[a-z0-9_.@-]{3,150}$")
TOKEN_PREFIX = "tso_"
CITIZEN_ID_TAKEN = "Số định danh cá nhân này đã gắn với một tài khoản khác."


def _managing_unit(actor, unit_code: str) -> AdministrativeUnit | None:
    if actor is not None and not scoping.admin_unit_ids(actor):
        raise PermissionDenied("Chỉ quản trị viên được tạo tài khoản.")
    if unit_code:
        unit = AdministrativeUnit.objects.filter(code=unit_code, valid_to__isnull=True).first()
        if unit is None:
            raise ValidationError.for_field("unit", f"Không có đơn vị hành chính hiện hành mã “{unit_code}”.")
        if actor is not None and not scoping.can_manage_unit(actor, unit):
            raise PermissionDenied("Bạn chỉ tạo được tài khoản thuộc đơn vị mình quản trị.")
        return unit
    if actor is None or scoping.is_province_admin(actor):
        return None
    own = scoping.roles_of(actor).filter(role=Role.UNIT_ADMIN, unit__isnull=False).order_by("pk").first()
    return own.unit if own else None


@transaction.atomic
def user_create(*, actor, username: str, password: str, full_name: str = "", email: str = "", phone: str = "",
                citizen_id: str = "", unit: str = "", is_superuser: bool = False) -> User:
    """A new account. Made by a unit administrator it belongs to their unit (or to `unit`, a unit they
    administer), so that they, and the province administrators, manage it."""
    username = (username or "").strip().lower()
    errors: dict[str, list[str]] = {}
    managing_unit = _managing_unit(actor, (unit or "").strip())
    if not USERNAME_RE.match(username):
        errors["username"] = ["Tên đăng nhập gồm 3–150 ký tự: chữ thường không dấu, số, dấu chấm, gạch."]
    elif User.objects.filter(username=username).exists():
        errors["username"] = [f"Tên đăng nhập “{username}” đã có người dùng."]
    citizen_id = normalize_citizen_id(citizen_id)
    if citizen_id:
        if problem := citizen_id_problem(citizen_id):
            errors["citizen_id"] = [problem]
        elif User.objects.filter(citizen_id=citizen_id).exists():
            errors["citizen_id"] = [CITIZEN_ID_TAKEN]
    user = User(username=username, full_name=full_name.strip(), email=email.strip(), phone=phone.strip(),
                citizen_id=citizen_id, unit=managing_unit, is_superuser=is_superuser, is_staff=is_superuser)
    try:
        password_validation.validate_password(password, user)
    except DjangoValidationError as exc:
        errors["password"] = list(exc.messages)
    if errors:
        raise ValidationError("Thông tin tài khoản chưa hợp lệ.", field_errors=errors)
    user.set_password(password)
    try:
        with transaction.atomic():
            user.save()
    except IntegrityError as exc:  # the same username or citizen ID saved a moment ago
        raise Conflict("Tên đăng nhập hoặc số định danh cá nhân vừa được dùng cho tài khoản khác.") from exc
    audit_record(actor=actor, action="accounts.user.create", obj=user, summary=f"Tạo tài khoản {username}",
                 changes={"username": [None, username], "full_name": [None, user.full_name]})
    return user


@transaction.atomic
def citizen_id_verify(*, actor, user: User, citizen_id: str,
                      method: str = CitizenIdVerification.OFFICER) -> User:
    """Record that the account's citizen ID is proven: by the e-ID login (`method="eid"`, called by the system with
    actor None) or by a one-stop clerk who checked the person's CCCD card and typed its number (which must be the
    account's, or becomes it when the account has none yet). Until then the number links no dossier to the account.
    """
    if method not in CitizenIdVerification.values:
        raise ValidationError.for_field("method", "Cách xác minh không hợp lệ.")
    if method == CitizenIdVerification.EID and actor is not None:
        raise PermissionDenied("Chỉ đăng nhập bằng định danh điện tử mới xác minh theo cách này.")
    if method == CitizenIdVerification.OFFICER and actor is not None:
        if not scoping.has_role(actor, Role.RECEIVING_OFFICER):
            raise PermissionDenied("Chỉ cán bộ bộ phận một cửa được xác minh số định danh cá nhân.")
        if actor.pk == user.pk:
            raise PermissionDenied("Không ai được tự xác minh số định danh cá nhân của chính mình.")
    citizen_id = normalize_citizen_id(citizen_id)
    if problem := citizen_id_problem(citizen_id):
        raise ValidationError.for_field("citizen_id", problem)
    user = User.objects.select_for_update().get(pk=user.pk)
    if user.citizen_id and user.citizen_id != citizen_id:
        raise ValidationError.for_field(
            "citizen_id", "Số trên giấy tờ không khớp với số định danh cá nhân của tài khoản; không xác minh.")
    if User.objects.filter(citizen_id=citizen_id).exclude(pk=user.pk).exists():
        raise Conflict(CITIZEN_ID_TAKEN, field_errors={"citizen_id": [CITIZEN_ID_TAKEN]})
    if user.citizen_id_verified:
        return user
    before = user.citizen_id
    user.citizen_id = citizen_id
    user.citizen_id_verified_at = timezone.now()
    user.citizen_id_verified_by = actor if getattr(actor, "pk", None) else None
    user.citizen_id_verification = method
    try:
        with transaction.atomic():
            user.save(update_fields=["citizen_id", "citizen_id_verified_at", "citizen_id_verified_by",
                                     "citizen_id_verification"])
    except IntegrityError as exc:
        raise Conflict(CITIZEN_ID_TAKEN, field_errors={"citizen_id": [CITIZEN_ID_TAKEN]}) from exc
    audit_record(actor=actor, action="accounts.citizen_id.verify", obj=user,
                 summary=f"Xác minh số định danh cá nhân của {user.username} "
                         f"({CitizenIdVerification(method).label})",
                 changes={"citizen_id": [before or None, citizen_id], "citizen_id_verification": [None, method]})
    return user


@transaction.atomic
def password_change(*, user: User, old_password: str, new_password: str) -> None:
    if not user.check_password(old_password):
        raise ValidationError.for_field("old_password", "Mật khẩu hiện tại không đúng.")
    try:
        password_validation.validate_password(new_password, user)
    except DjangoValidationError as exc:
        raise ValidationError("Mật khẩu mới chưa đạt yêu cầu.",
                              field_errors={"new_password1": list(exc.messages)}) from exc
    user.set_password(new_password)
    user.save(update_fields=["password"])
    audit_record(actor=user, action="accounts.password.change", obj=user, summary="Đổi mật khẩu")


def _role_scope(role: str, agency_code: str | None, unit_code: str | None):
    if role not in Role.values:
        raise ValidationError.for_field("role", f"Vai trò “{role}” không hợp lệ.")
    agency = unit = None
    if role in AGENCY_ROLES:
        if not agency_code:
            raise ValidationError.for_field("agency", "Vai trò này phải gắn với một cơ quan (mã định danh).")
        agency = Agency.objects.select_related("unit").filter(identifier_code=agency_code.upper()).first()
        if agency is None:
            raise ValidationError.for_field("agency", f"Không có cơ quan mã định danh “{agency_code}”.")
    elif role in UNIT_ROLES:
        if not unit_code:
            raise ValidationError.for_field("unit", "Vai trò này phải gắn với một đơn vị hành chính.")
        unit = AdministrativeUnit.objects.filter(code=unit_code, valid_to__isnull=True).first()
        if unit is None:
            raise ValidationError.for_field("unit", f"Không có đơn vị hành chính hiện hành mã “{unit_code}”.")
    return agency, unit


@transaction.atomic
def role_grant(*, actor, user: User, role: str, agency_code: str | None = None, unit_code: str | None = None,
               include_subordinates: bool = False) -> RoleAssignment:
    agency, unit = _role_scope(role, agency_code, unit_code)
    if actor is not None:
        if getattr(actor, "pk", None) is not None and actor.pk == user.pk:
            raise PermissionDenied("Không ai được tự giao vai trò cho chính mình; hãy nhờ một quản trị viên khác.")
        if not selectors.can_manage_user(actor, user):
            raise NotFound(f"Không có tài khoản “{user.username}” trong phạm vi quản trị của bạn.")
        # The citizen role has no agency or unit: it is province-wide, so only a province administrator grants it.
        if not scoping.can_manage_roles_on(actor, agency=agency, unit=unit, role=role):
            raise PermissionDenied("Bạn không có quyền giao vai trò này trên cơ quan, đơn vị đã chọn.")
    try:
        with transaction.atomic():
            assignment = RoleAssignment.objects.create(user=user, role=role, agency=agency, unit=unit,
                                                       include_subordinates=include_subordinates,
                                                       granted_by=actor if getattr(actor, "pk", None) else None)
    except IntegrityError as exc:
        raise Conflict("Người dùng đã có vai trò này trên cơ quan, đơn vị đã chọn.") from exc
    audit_record(actor=actor, action="accounts.role.grant", obj=user,
                 summary=f"Giao vai trò {assignment.get_role_display()} cho {user.username}",
                 changes={"role": [None, role], "agency": [None, agency_code], "unit": [None, unit_code],
                          "include_subordinates": [None, include_subordinates]})
    return assignment


def _other_province_admins(user: User) -> set[int]:
    """Active people other than `user` holding the province administrator role. The role rows are locked first, so
    two administrators revoking each other at the same moment cannot both succeed."""
    holders = set(RoleAssignment.objects.select_for_update().filter(role=Role.PROVINCE_ADMIN)
                  .values_list("user_id", flat=True))
    holders.discard(user.pk)
    return set(User.objects.filter(pk__in=holders, is_active=True).values_list("pk", flat=True))


@transaction.atomic
def role_revoke(*, actor, assignment_id: int) -> None:
    assignment = RoleAssignment.objects.select_related("user", "agency__unit", "unit").filter(pk=assignment_id).first()
    if assignment is None:
        raise NotFound("Không có phân quyền này.")
    if actor is not None and not scoping.can_manage_roles_on(actor, agency=assignment.agency, unit=assignment.unit,
                                                             role=assignment.role):
        raise PermissionDenied("Bạn không có quyền thu hồi vai trò này.")
    user, role = assignment.user, assignment.role
    if role == Role.PROVINCE_ADMIN and not _other_province_admins(user):
        raise Conflict("Không thể thu hồi: đây là quản trị cấp tỉnh cuối cùng. Hãy giao vai trò quản trị cấp tỉnh "
                       "cho một người khác trước.")
    scope = {"agency": assignment.agency.identifier_code if assignment.agency else None,
             "unit": assignment.unit.code if assignment.unit else None}
    assignment.delete()
    audit_record(actor=actor, action="accounts.role.revoke", obj=user,
                 summary=f"Thu hồi vai trò {Role(role).label} của {user.username}",
                 changes={"role": [role, None], "agency": [scope["agency"], None], "unit": [scope["unit"], None]})


def _hash_token(raw: str) -> str:
    return hashlib.sha256(raw.encode("utf-8")).hexdigest()


@transaction.atomic
def api_token_create(*, actor, user: User, name: str) -> tuple[ApiToken, str]:
    """Returns the token and its raw value, which is shown once and never stored."""
    if not scoping.is_province_admin(actor):
        raise PermissionDenied("Chỉ quản trị cấp tỉnh được cấp mã truy cập API.")
    name = (name or "").strip()
    if not name:
        raise ValidationError.for_field("name", "Hãy đặt tên cho mã truy cập (ví dụ: Cổng DVC quốc gia).")
    if not user.roles.filter(role=Role.SYSTEM_CLIENT).exists():
        raise ValidationError.for_field("username", "Chỉ cấp mã truy cập cho tài khoản có vai trò Hệ thống kết nối.")
    raw = TOKEN_PREFIX + secrets.token_urlsafe(32)
    token = ApiToken.objects.create(user=user, name=name[:100], prefix=raw[:12], token_hash=_hash_token(raw),
                                    created_by=actor)
    audit_record(actor=actor, action="accounts.token.create", obj=token,
                 summary=f"Cấp mã truy cập API “{token.name}” cho {user.username}")
    return token, raw


@transaction.atomic
def api_token_revoke(*, actor, token_id: int) -> ApiToken:
    if not scoping.is_province_admin(actor):
        raise PermissionDenied("Chỉ quản trị cấp tỉnh được thu hồi mã truy cập API.")
    token = ApiToken.objects.select_for_update().filter(pk=token_id).first()
    if token is None:
        raise NotFound("Không có mã truy cập này.")
    if token.revoked_at is None:
        token.revoked_at = timezone.now()
        token.save(update_fields=["revoked_at"])
        audit_record(actor=actor, action="accounts.token.revoke", obj=token,
                     summary=f"Thu hồi mã truy cập API “{token.name}”")
    return token


def api_token_authenticate(*, raw_token: str) -> User | None:
    if not raw_token or not raw_token.startswith(TOKEN_PREFIX):
        return None
    token = ApiToken.objects.select_related("user").filter(token_hash=_hash_token(raw_token)).first()
    now = timezone.now()
    if token is None or token.revoked_at or (token.expires_at and token.expires_at < now) or \
            not token.user.is_active:
        return None
    if token.last_used_at is None or (now - token.last_used_at).total_seconds() > 60:
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
    return token.user
