"""Who may do what with documents. Selectors and services ask these; templates never decide."""

from tinhso.accounts.choices import Role
from tinhso.accounts.scoping import agency_ids_for, agency_ids_with_role, is_province_admin
from tinhso.org.models import Agency

from .models import Document, RecordsOfficer


def _active(user) -> bool:
    return bool(user is not None and getattr(user, "is_authenticated", False) and user.is_active)


def visible_agency_ids(user) -> set[int]:
    return agency_ids_for(user) | records_agency_ids(user)


def records_agency_ids(user) -> set[int]:
    if not _active(user):
        return set()
    return set(RecordsOfficer.objects.filter(user=user).values_list("agency_id", flat=True))


def can_view(user, document: Document) -> bool:
    if not _active(user):
        return False
    return document.agency_id in visible_agency_ids(user) or document.assignee_id == user.pk


def can_draft_for(user, agency: Agency) -> bool:
    return agency.pk in agency_ids_with_role(user, {Role.PROCESSING_OFFICER, Role.AGENCY_LEADER}) or \
        agency.pk in records_agency_ids(user)


def is_leader_of(user, agency: Agency) -> bool:
    return agency.pk in agency_ids_with_role(user, {Role.AGENCY_LEADER})


def is_records_officer(user, agency: Agency) -> bool:
    return agency.pk in records_agency_ids(user)


def can_manage_records(user, agency: Agency) -> bool:
    """Unit administrators designate the records officers of the agencies of their unit."""
    return _active(user) and user.has_perm("org.manage_agency", agency)


def can_manage_trust_roots(user) -> bool:
    return is_province_admin(user)
