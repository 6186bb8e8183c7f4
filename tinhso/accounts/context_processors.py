"""What the navigation may show the person: each role sees only what it may open (one query, only when a page
renders the menu)."""

from django.utils.functional import SimpleLazyObject

from . import scoping
from .choices import OFFICER_ROLES, Role


class NavRoles:
    def __init__(self, user):
        self.officer = scoping.has_role(user, *OFFICER_ROLES)
        self.admin = scoping.has_role(user, Role.UNIT_ADMIN, Role.PROVINCE_ADMIN)
        self.province_admin = scoping.is_province_admin(user)
        self.citizen = scoping.has_role(user, Role.CITIZEN)
        self.audit = scoping.can_read_audit(user)
        self.staff = self.officer or self.admin


def nav_roles(request):
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    return {"NAV": SimpleLazyObject(lambda: NavRoles(user))}
