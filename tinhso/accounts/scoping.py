"""Who may see and do what. Selectors and services of every app ask these questions; templates never decide.

Scope is resolved once per user and kept in a per-process cache. Each question sends one query, the user's own
role assignments (role, agency, unit, subordinates), and the expensive part (descendant agencies and units, the
agencies of administered units) is looked up in the cache under exactly those assignments: a role granted or
revoked changes the key, so it takes effect at once in every process. Changes to the agency or unit tree clear
this process's cache through signals (`connect_signals`, from AccountsConfig.ready) and reach the other processes
within SCOPE_TTL seconds.

A hot lookup need not spend a statement on the assignments: `annotate_assignments(queryset, user_id)` reads them
in the lookup's own statement (a scalar subquery), and `adopt_assignments` memoises them on the user, so the scope
check that follows sends no query (dossiers.selectors.dossier_get). Read afresh with every lookup, they are exact
in every process: no version key to keep in step, and a role granted, revoked or a user deactivated (the user row
is loaded by each request) counts from the very next call.
"""

import json
import threading
import time

from django.db import connections
from django.db.models import QuerySet, TextField
from django.db.models.expressions import RawSQL
from django.db.models.signals import post_delete, post_save

from tinhso.org.models import AdministrativeUnit, Agency
from tinhso.org.selectors import agency_descendant_ids, unit_descendant_ids

from .choices import OFFICER_ROLES, Role
from .models import RoleAssignment

SCOPE_TTL = 60.0
_cache: dict = {}
_lock = threading.Lock()


_generation = [0]  # bumped by every clear: a user object's memo of its assignments is then stale


def scope_cache_clear(**_kwargs) -> None:
    with _lock:
        _cache.clear()
        _generation[0] += 1


def connect_signals() -> None:
    for model in (RoleAssignment, Agency, AdministrativeUnit):
        post_save.connect(scope_cache_clear, sender=model, dispatch_uid=f"scope-cache-{model.__name__}-save")
        post_delete.connect(scope_cache_clear, sender=model, dispatch_uid=f"scope-cache-{model.__name__}-delete")


def _cached(key, compute):
    now = time.monotonic()
    hit = _cache.get(key)
    if hit is not None and hit[0] > now:
        return hit[1]
    value = frozenset(compute())
    with _lock:
        if len(_cache) > 10_000:
            _cache.clear()
        _cache[key] = (now + SCOPE_TTL, value)
    return value


def _assignments(user) -> tuple:
    """(role, agency_id, unit_id, include_subordinates) of every role the user holds.

    One query, memoised on the user object until this process sees a role or tree change. A request loads its
    user afresh, so a change made by another process applies from that process's next request.
    """
    memo = getattr(user, "_tinhso_scope_memo", None)
    if memo is not None and memo[0] == _generation[0]:
        return memo[1]
    generation = _generation[0]
    assignments = tuple(RoleAssignment.objects.filter(user=user).order_by("id")
                        .values_list("role", "agency_id", "unit_id", "include_subordinates"))
    _remember(user, generation, assignments)
    return assignments


def _remember(user, generation: int, assignments: tuple) -> None:
    try:
        user._tinhso_scope_memo = (generation, assignments)
    except AttributeError:  # an object that takes no attributes: no memo
        pass


# The user's assignments as one JSON text, [[id, role, agency_id, unit_id, include_subordinates], ...] (NULL when
# none), per database: SQLite's json_group_array, PostgreSQL's json_agg.
_ASSIGNMENTS_SQL = {
    "postgresql": "SELECT CAST(json_agg(json_build_array({id}, {role}, {agency}, {unit}, {subordinates})) AS text) "
                  "FROM {table} WHERE {user} = %s",
    "sqlite": "SELECT json_group_array(json_array({id}, {role}, {agency}, {unit}, {subordinates})) "
              "FROM {table} WHERE {user} = %s",
}
ASSIGNMENTS_ANNOTATION = "_tinhso_assignments"


def _assignments_sql(connection) -> str:
    meta = RoleAssignment._meta
    quote = connection.ops.quote_name
    column = {f: quote(meta.get_field(f).column) for f in ("id", "role", "agency", "unit", "include_subordinates",
                                                          "user")}
    return _ASSIGNMENTS_SQL[connection.vendor].format(
        table=quote(meta.db_table), subordinates=column["include_subordinates"],
        **{k: v for k, v in column.items() if k != "include_subordinates"})


_SQL_BY_VENDOR: dict[str, str] = {}


def annotate_assignments(queryset: QuerySet, user_id) -> QuerySet:
    """`queryset` with the role assignments of user `user_id` in each row (read in the same statement), for
    `adopt_assignments`."""
    connection = connections[queryset.db]
    sql = _SQL_BY_VENDOR.get(connection.vendor) or _SQL_BY_VENDOR.setdefault(connection.vendor,
                                                                             _assignments_sql(connection))
    return queryset.annotate(**{ASSIGNMENTS_ANNOTATION: RawSQL(sql, (user_id,), output_field=TextField())})


def scope_generation() -> int:
    """Take it before a read whose assignments go to `adopt_assignments`."""
    return _generation[0]


def adopt_assignments(user, obj, generation: int) -> None:
    """Memoise on the user the assignments `annotate_assignments` read into `obj` (`generation`: scope_generation()
    taken before the read)."""
    if not _active(user) or not hasattr(obj, ASSIGNMENTS_ANNOTATION):
        return
    raw = getattr(obj, ASSIGNMENTS_ANNOTATION)
    rows = sorted(json.loads(raw)) if raw else []
    _remember(user, generation, tuple((role, agency, unit, bool(subordinates))
                                      for _, role, agency, unit, subordinates in rows))


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
    return any(role in roles for role, *_ in _assignments(user))


def is_province_admin(user) -> bool:
    return has_role(user, Role.PROVINCE_ADMIN)


def admin_unit_ids(user) -> set[int]:
    """Units (and everything below them) the user administers."""
    if not _active(user):
        return set()
    return set(_admin_unit_ids(_assignments(user), user.is_superuser))


def _admin_unit_ids(assignments: tuple, superuser: bool) -> frozenset:
    unit_ids = tuple(sorted({unit for role, _, unit, _ in assignments
                             if unit is not None and role in (Role.PROVINCE_ADMIN, Role.UNIT_ADMIN)}))

    def compute() -> set[int]:
        ids: set[int] = set()
        for unit in AdministrativeUnit.objects.filter(pk__in=unit_ids):
            ids |= unit_descendant_ids(unit=unit)
        if superuser:
            ids |= set(AdministrativeUnit.objects.values_list("id", flat=True))
        return ids

    if not unit_ids and not superuser:
        return frozenset()
    return _cached(("units", unit_ids, superuser), compute)


def can_manage_unit(user, unit: AdministrativeUnit | None) -> bool:
    return unit is not None and unit.pk in admin_unit_ids(user)


def agency_ids_with_role(user, roles) -> set[int]:
    """Agencies on which the user holds one of `roles` (and their sub-agencies when the role says so)."""
    if not _active(user):
        return set()
    return set(_agency_ids_with_role(_assignments(user), frozenset(roles)))


def _agency_ids_with_role(assignments: tuple, roles: frozenset) -> frozenset:
    direct, with_subordinates = set(), set()
    for role, agency, _, subordinates in assignments:
        if agency is not None and role in roles:
            (with_subordinates if subordinates else direct).add(agency)
    if not with_subordinates:
        return frozenset(direct)
    key = ("agencies", tuple(sorted(with_subordinates)))
    return frozenset(direct) | _cached(key, lambda: agency_descendant_ids(agency_ids=with_subordinates))


def agency_ids_for(user, roles=OFFICER_ROLES) -> set[int]:
    """Agencies whose data the user sees through an agency role, plus every agency of the units they administer."""
    return set(agency_scope(user, roles))


def agency_scope(user, roles=OFFICER_ROLES) -> frozenset:
    """`agency_ids_for` without the copy, for membership tests (a province administrator's scope is every agency
    of the province: asked several times a request, it is not rebuilt)."""
    if not _active(user):
        return frozenset()
    assignments, superuser, roles = _assignments(user), user.is_superuser, frozenset(roles)
    units = _admin_unit_ids(assignments, superuser)
    if not units:
        return _agency_ids_with_role(assignments, roles)

    def compute() -> frozenset:
        key = ("unit-agencies", tuple(sorted({u for r, _, u, _ in assignments if u is not None})), superuser)
        return _agency_ids_with_role(assignments, roles) | _cached(
            key, lambda: Agency.objects.filter(unit_id__in=units).values_list("id", flat=True))

    return _cached(("scope", assignments, roles, superuser), compute)


def can_act_for_agency(user, agency: Agency, roles=OFFICER_ROLES) -> bool:
    return agency.pk in agency_scope(user, roles)


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
