"""Object permissions from roles, so lower apps ask `user.has_perm(...)` without importing accounts."""

from tinhso.org.models import AdministrativeUnit, Agency

from . import scoping


class RoleBackend:
    def authenticate(self, request, **credentials):
        return None

    def get_user(self, user_id):
        return None

    def has_perm(self, user_obj, perm, obj=None):
        if not getattr(user_obj, "is_active", False):
            return False
        if perm in ("org.manage_agency", "org.manage_unit"):
            if isinstance(obj, Agency):
                return scoping.can_manage_unit(user_obj, obj.unit)
            if isinstance(obj, AdministrativeUnit):
                return scoping.can_manage_unit(user_obj, obj)
            return bool(scoping.admin_unit_ids(user_obj))  # may manage the agencies of some unit
        if perm == "org.place_agency_anywhere":  # a parent agency in another unit than the agency's own
            return scoping.is_province_admin(user_obj)
        if perm == "audit.view_auditevent":
            return scoping.can_read_audit(user_obj)
        return False
