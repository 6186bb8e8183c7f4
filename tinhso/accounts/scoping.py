"""Who may see and do what. Selectors and services of every app ask these questions; templates never decide."""

from django.db.models import QuerySet

from tinhso.org.models import AdministrativeUnit, Agency
from tinhso.org.selectors import agency_descendant_ids, unit_descendant_ids

from .choices import OFFICER_ROLES, Role
from .models import RoleAssignment


def _active(user) -> bool:
    return bool(user is not None and getattr(user, "is_authenticated", False) and user.is_active)


def roles_of(user) -> QuerySet:
    if not _active(user):
        return RoleAssignment.objects.none()
    return RoleAssignment.objects.filter(user=user).select_related("agency", "unit")


def has_role(user, *roles: str) -> bool:
    if not _active(user):
        return False
    if user.is_superuser and Role.PROVINCE_ADMIN in roles:
        return True
    return roles_of(user).filter(role__in=roles).exists()


def is_province_admin(user) -> bool:
    return has_role(user, Role.PROVINCE_ADMIN)


def admin_unit_ids(user) -> set[int]:
    """Units (and everything below them) the user administers."""
    if not _active(user):
        return set()
    ids: set[int] = set()
    for assignment in roles_of(user).filter(role__in=[Role.PROVINCE_ADMIN, Role.UNIT_ADMIN], unit__isnull=False):
        ids |= unit_descendant_ids(unit=assignment.unit)
    if user.is_superuser:
        ids |= set(AdministrativeUnit.objects.values_list("id", flat=True))
    return ids


def can_manage_unit(user, unit: AdministrativeUnit | None) -> bool:
    return unit is not None and unit.pk in admin_unit_ids(user)


def agency_ids_with_role(user, roles) -> set[int]:
    """Agencies on which the user holds one of `roles` (and their sub-agencies when the role says so)."""
    if not _active(user):
        return set()
    direct, with_subordinates = set(), set()
    for assignment in roles_of(user).filter(role__in=list(roles), agency__isnull=False):
        (with_subordinates if assignment.include_subordinates else direct).add(assignment.agency_id)
    return direct | agency_descendant_ids(agency_ids=with_subordinates)


def agency_ids_for(user, roles=OFFICER_ROLES) -> set[int]:
    """Agencies whose data the user sees through an agency role, plus every agency of the units they administer."""
    if not _active(user):
        return set()
    ids = agency_ids_with_role(user, roles)
    units = admin_unit_ids(user)
    if units:
        ids |= set(Agency.objects.filter(unit_id__in=units).values_list("id", flat=True))
    return ids


def can_act_for_agency(user, agency: Agency, roles=OFFICER_ROLES) -> bool:
    return agency.pk in agency_ids_for(user, roles)


def can_read_audit(user) -> bool:
    return has_role(user, Role.PROVINCE_ADMIN)


def can_manage_roles_on(user, *, agency: Agency | None = None, unit: AdministrativeUnit | None = None,
                        role: str = "") -> bool:
    """Province admins grant anything in their province; unit admins grant agency roles within their unit."""
    if role == Role.PROVINCE_ADMIN:
        return is_province_admin(user) and (unit is None or can_manage_unit(user, unit))
    if agency is not None:
        return can_manage_unit(user, agency.unit)
    if unit is not None:
        if role == Role.UNIT_ADMIN and not is_province_admin(user):
            return False
        return can_manage_unit(user, unit)
    return is_province_admin(user)
