"""Every read about dossiers, scoped to the acting user.

Officers see the dossiers their agencies received or handle (tinhso.accounts.scoping.agency_ids_for, which also
gives unit and province administrators their units' agencies); a citizen sees the dossiers filed under their
account; anyone who proves a dossier's code and phone number sees that dossier.
"""

import functools
import json
from datetime import datetime

from django.db.models import Aggregate, OuterRef, Q, QuerySet, Subquery, TextField
from django.utils import timezone

from tinhso.accounts import scoping
from tinhso.accounts.choices import Role
from tinhso.accounts.models import RoleAssignment, User
from tinhso.core.exceptions import NotFound
from tinhso.core.prepared import Prepared
from tinhso.org.models import Agency
from tinhso.procedures.models import Procedure

from . import workflow
from .choices import Queue, status_label
from .filters import DossierFilter, apply_filter, queue_q
from .models import Dossier, DossierAttachment, DossierEvent, DossierPaper, SatisfactionRating

NOT_FOUND = "Không tìm thấy hồ sơ."


def _authenticated(user) -> bool:
    return bool(user is not None and getattr(user, "is_authenticated", False) and user.is_active)


def visible_q(user) -> Q | None:
    """The dossiers the user may see; None when none at all."""
    if not _authenticated(user):
        return None
    ids = scoping.agency_ids_for(user)
    q = Q(applicant_user=user)
    if ids:
        q |= Q(receiving_agency_id__in=ids) | Q(handling_agency_id__in=ids)
    return q


def can_view(user, dossier: Dossier) -> bool:
    if not _authenticated(user):
        return False
    if dossier.applicant_user_id == user.pk:
        return True
    ids = scoping.agency_scope(user)
    return dossier.receiving_agency_id in ids or dossier.handling_agency_id in ids


def is_officer(user) -> bool:
    return bool(scoping.agency_ids_for(user))


# Whose work each role's tab shows: the clerk's desk, the handling officers', the leaders' approvals.
_QUEUE_ROLES = {Queue.NEW: ("receiving_agency_id", {Role.RECEIVING_OFFICER}),
                Queue.PROCESSING: ("handling_agency_id", {Role.PROCESSING_OFFICER, Role.AGENCY_LEADER}),
                Queue.AWAITING_APPROVAL: ("handling_agency_id", {Role.AGENCY_LEADER})}


def queue_scope_q(user, queue: str) -> Q:
    """A role's tab holds the work of the agencies where the user has that role; someone who only oversees
    (a unit or province administrator) sees every visible dossier of the tab."""
    if queue not in _QUEUE_ROLES:
        return Q()
    field, roles = _QUEUE_ROLES[queue]
    ids = scoping.agency_ids_with_role(user, roles)
    return Q(**{f"{field}__in": ids}) if ids else Q()


def default_queue(user) -> str:
    """The tab an officer lands on: today's work of their role (leader, then processing officer, then clerk)."""
    if not _authenticated(user):
        return ""
    if scoping.agency_ids_with_role(user, {Role.AGENCY_LEADER}):
        return Queue.AWAITING_APPROVAL
    if scoping.agency_ids_with_role(user, {Role.PROCESSING_OFFICER}):
        return Queue.PROCESSING
    if workflow.clerk_agency_ids(user):
        return Queue.NEW
    return ""


def _base() -> QuerySet:
    return Dossier.objects.select_related("procedure", "receiving_agency", "handling_agency", "applicant_unit")


def dossier_list(*, user, filters: DossierFilter | None = None, now: datetime | None = None) -> QuerySet:
    q = visible_q(user)
    if q is None:
        return Dossier.objects.none()
    filters = filters or DossierFilter()
    qs = apply_filter(_base().filter(q), filters, now=now or timezone.now())
    if filters.queue:
        return qs.filter(queue_scope_q(user, filters.queue)).order_by("due_at", "id")
    return qs.order_by("-submitted_at", "-id")


def queue_counts(*, user, agency: str = "", now: datetime | None = None) -> dict[str, int]:
    q = visible_q(user)
    if q is None:
        return {queue: 0 for queue in Queue.values}
    now = now or timezone.now()
    qs = apply_filter(Dossier.objects.filter(q), DossierFilter(agency=agency), now=now)
    return {queue: qs.filter(queue_q(queue, now=now), queue_scope_q(user, queue)).count() for queue in Queue.values}


class _JSONRows(Aggregate):
    """The group's rows as one JSON text, [[a, b, ...], ...]: SQLite's json_group_array, PostgreSQL's json_agg."""

    function = "JSON_GROUP_ARRAY"
    template = "%(function)s(JSON_ARRAY(%(expressions)s))"
    output_field = TextField()

    def as_postgresql(self, compiler, connection, **extra_context):
        return self.as_sql(compiler, connection, function="JSON_AGG",
                           template="CAST(%(function)s(JSON_BUILD_ARRAY(%(expressions)s)) AS text)", **extra_context)


def _attachment_rows() -> Subquery:
    return Subquery(DossierAttachment.objects.filter(dossier=OuterRef("pk")).order_by().values("dossier")
                    .annotate(rows=_JSONRows("uploaded_at", "id", "original_name")).values("rows"))


def _lookup(*, code, user_id, attachment_names: bool) -> QuerySet:
    # The code is unique (unique_dossier_code): no ORDER BY for the model's default ordering to plan and sort.
    qs = scoping.annotate_assignments(_base().filter(code=code).order_by(), user_id)
    return qs.annotate(_attachment_rows=_attachment_rows()) if attachment_names else qs


# Compiled once per process (tinhso.core.prepared): a lookup by code is a few hundred microseconds of SQL, and the
# ORM spent more than that building this statement on every call.
_LOOKUPS = {names: Prepared(Dossier, functools.partial(_lookup, attachment_names=names),
                            code="\x00tinhso-dossier-code\x00", user_id=-2_147_480_001)
            for names in (False, True)}


def dossier_get(*, user, code: str, verified_codes=(), with_attachment_names: bool = False) -> Dossier:
    """A dossier the user may see, or one whose code + phone they proved earlier (`verified_codes`).

    One statement: the user's role assignments come with the dossier (scoping.annotate_assignments), so the
    scope check after it sends no query; `with_attachment_names` also sets `attachment_names`, the names of its
    files in upload order (what `dossier_attachments` would list), from the same statement."""
    generation = scoping.scope_generation()
    dossier = _LOOKUPS[with_attachment_names].first(code=(code or "").strip(),
                                                    user_id=user.pk if _authenticated(user) else None)
    if dossier is not None:
        scoping.adopt_assignments(user, dossier, generation)
    if dossier is None or not (dossier.code in verified_codes or can_view(user, dossier)):
        raise NotFound(NOT_FOUND)
    if with_attachment_names:
        rows = json.loads(dossier._attachment_rows) if dossier._attachment_rows else []
        # Upload time as the database writes it in JSON (one format per database: ISO text sorts in time order).
        dossier.attachment_names = [name for _, _, name in sorted(rows, key=lambda r: (str(r[0]), r[1]))]
    return dossier


def dossier_track(*, code: str, phone: str) -> Dossier:
    """Public tracking: the code and the applicant's phone must match (the same answer for either mistake)."""
    from .services import normalize_phone

    normalized = normalize_phone(phone)
    # Codes are printed in capitals; people type them in any case.
    typed = (code or "").strip()
    dossier = _base().filter(code__in={typed, typed.upper()}).order_by("-code").first()
    if dossier is None or not normalized or dossier.applicant_phone != normalized:
        raise NotFound("Không tìm thấy hồ sơ có mã và số điện thoại này.")
    return dossier


def dossier_events(*, dossier: Dossier) -> QuerySet:
    return DossierEvent.objects.filter(dossier=dossier).select_related("agency", "to_agency").order_by("at", "id")


def dossier_history(*, dossier: Dossier) -> list[DossierEvent]:
    """The events with their Vietnamese labels, for pages."""
    events = list(dossier_events(dossier=dossier))
    for e in events:
        e.label = workflow.EVENT_LABELS.get(e.action, e.action)
        e.status_label = status_label(e.to_status)
    return events


def dossier_attachments(*, dossier: Dossier) -> QuerySet:
    return DossierAttachment.objects.filter(dossier=dossier)


def attachment_get(*, dossier: Dossier, attachment_id: int) -> DossierAttachment:
    attachment = DossierAttachment.objects.filter(dossier=dossier, id=attachment_id).first()
    if attachment is None:
        raise NotFound("Không tìm thấy tệp.")
    return attachment


def dossier_papers(*, dossier: Dossier) -> QuerySet:
    return DossierPaper.objects.filter(dossier=dossier).order_by("position")


def reception_event(*, dossier: Dossier) -> DossierEvent | None:
    """The reception (form 01): at the counter, by post, or the clerk's acceptance of an online dossier."""
    return (DossierEvent.objects.filter(dossier=dossier, action__in=["counter_receive", "postal_receive", "receive"])
            .order_by("-at", "-id").first())


def last_event(*, dossier: Dossier, action: str) -> DossierEvent | None:
    return DossierEvent.objects.filter(dossier=dossier, action=action).order_by("-at", "-id").first()


def actions_for(*, user, dossier: Dossier, phone_verified: bool = False) -> list[workflow.Transition]:
    return workflow.available_transitions(dossier, workflow.actor_kinds(user, dossier,
                                                                         phone_verified=phone_verified))


def hand_over_targets(*, dossier: Dossier) -> QuerySet:
    return (Agency.objects.filter(is_active=True).exclude(id=dossier.handling_agency_id)
            .select_related("unit").order_by("identifier_code"))


def assign_targets(*, dossier: Dossier) -> QuerySet:
    """Where the one-stop may send a received dossier: an agency performing the procedure, or the one the
    dossier already has."""
    return (Agency.objects.filter(is_active=True)
            .filter(Q(procedures=dossier.procedure) | Q(id=dossier.handling_agency_id))
            .distinct().order_by("identifier_code"))


def assignable_officers(*, agency: Agency) -> QuerySet:
    """Active processing officers holding their role on the agency itself (the ones a clerk may name)."""
    return (User.objects.filter(is_active=True, roles__role=Role.PROCESSING_OFFICER, roles__agency=agency)
            .distinct().order_by("full_name", "username"))


def officers_by_agency(*, agencies) -> list[tuple[Agency, list]]:
    """For the clerk's "Chuyển xử lý" form: each target agency with its processing officers."""
    rows = (RoleAssignment.objects.filter(role=Role.PROCESSING_OFFICER, agency__in=agencies, user__is_active=True)
            .select_related("user").order_by("user__full_name", "user__username"))
    by_agency: dict[int, list] = {}
    for r in rows:
        by_agency.setdefault(r.agency_id, []).append(r.user)
    return [(a, by_agency.get(a.id, [])) for a in agencies]


def procedure_for_submission(*, code: str) -> Procedure:
    procedure = (Procedure.objects.filter(code=(code or "").strip(), is_active=True)
                 .prefetch_related("form_fields", "papers", "agencies").first())
    if procedure is None:
        raise NotFound(f"Không có thủ tục hành chính mã “{code}”.")
    return procedure


def dossier_rating(*, dossier: Dossier) -> SatisfactionRating | None:
    return SatisfactionRating.objects.filter(dossier=dossier).first()
