"""Every read of feedback the pages and the APIs expose, scoped to who asks.

The public sees every report that is not rejected as spam, without personal data (contact, exact address,
the citizen's account); officers see their agencies' reports in full; province administrators see all.
"""

import hashlib
from datetime import datetime

from django.db.models import Q, QuerySet, Value
from django.db.models.functions import StrIndex
from django.db.models.lookups import GreaterThan

from tinhso.accounts import scoping
from tinhso.core.exceptions import NotFound
from tinhso.core.text import query_words
from tinhso.org.models import AdministrativeUnit, Agency

from . import workflow
from .choices import OPEN_STATUSES, RejectReason, Status
from .models import ApiKey, Report, ReportEvent, RoutingRule, Service

MAX_PAGE = 200


def word_search(qs: QuerySet, query: str, field: str = "search_key") -> QuerySet:
    """Every query word (folded) must start a word of the folded key.

    On PostgreSQL the trigram index answers `LIKE '%word%'`; the word start is then checked on those rows
    (`strpos(key, ' word') > 0`, which no index serves). `LIKE '% word%'` would ask the index for the padded
    trigrams of a word start ("  d", " de"), which nearly every row holds: reading those posting lists cost a
    third more at a million reports. Words under three letters have no trigram of their own and keep the padded
    form. SQLite runs the same conditions as plain scans: the same rows on both."""
    for word in query_words(query):
        if len(word) < 3:
            qs = qs.filter(**{f"{field}__contains": f" {word}"})
        else:
            qs = qs.filter(Q(**{f"{field}__contains": word}), GreaterThan(StrIndex(field, Value(f" {word}")), 0))
    return qs


def token_hash(token: str) -> str:
    return hashlib.sha256((token or "").strip().encode()).hexdigest()


# --- categories ------------------------------------------------------------------------------------------------
def service_list(*, group: str = "", search: str = "") -> QuerySet:
    qs = Service.objects.filter(is_active=True)
    if group:
        qs = qs.filter(group=group)
    for word in query_words(search):
        qs = qs.filter(search_key__contains=f" {word}")
    return qs.order_by("group", "code")


def service_get(*, code: str) -> Service:
    service = Service.objects.filter(code=(code or "").strip(), is_active=True).first()
    if service is None:
        raise NotFound(f"Không có loại phản ánh mã “{code}”.")
    return service


def agency_for(*, service: Service, commune: AdministrativeUnit) -> Agency | None:
    """The rule for this commune, else the province-level fallback."""
    rules = {r.commune_id: r.agency for r in RoutingRule.objects.filter(
        Q(commune=commune) | Q(commune__isnull=True), service=service, agency__is_active=True).select_related(
        "agency")}
    return rules.get(commune.pk) or rules.get(None)


def api_key_get(*, key: str) -> ApiKey | None:
    if not key:
        return None
    return ApiKey.objects.filter(key_hash=token_hash(key), is_active=True).first()


# --- who sees what ---------------------------------------------------------------------------------------------
def is_officer_for(user, report: Report) -> bool:
    return bool(workflow.actor_kinds(user, report) & {workflow.ActorKind.OFFICER, workflow.ActorKind.LEADER})


def officer_agency_ids(user) -> set[int] | None:
    """None: every agency (a province administrator)."""
    if scoping.is_province_admin(user):
        return None
    return workflow.officer_agency_ids(user)


def is_feedback_officer(user) -> bool:
    ids = officer_agency_ids(user)
    return ids is None or bool(ids)


def public_reports() -> QuerySet:
    """What anyone may see: everything but spam."""
    return Report.objects.exclude(status=Status.REJECTED, reject_reason=RejectReason.SPAM)


def report_list(*, status: str = "", service_code: str = "", commune_code: str = "", search: str = "",
                start: datetime | None = None, end: datetime | None = None, codes: list[str] | None = None,
                open_closed: str = "") -> QuerySet:
    """The public list: newest first, filtered. `open_closed` is Open311's status (open / closed)."""
    qs = public_reports().select_related("service", "commune")
    if status:
        qs = qs.filter(status=status)
    if open_closed == "open":
        qs = qs.filter(status__in=OPEN_STATUSES)
    elif open_closed == "closed":
        qs = qs.exclude(status__in=OPEN_STATUSES)
    if service_code:
        qs = qs.filter(service__code__in=[c.strip() for c in service_code.split(",") if c.strip()])
    if commune_code:
        qs = qs.filter(commune__code=commune_code)
    if start:
        qs = qs.filter(received_at__gte=start)
    if end:
        qs = qs.filter(received_at__lte=end)
    if codes is not None:
        qs = qs.filter(code__in=codes)
    qs = word_search(qs, search)
    return qs.order_by("-received_at", "-id")


def report_public_get(*, code: str) -> Report:
    report = public_reports().select_related("service", "commune", "agency", "duplicate_of").filter(
        code=(code or "").strip()).first()
    if report is None:
        raise NotFound("Không tìm thấy phản ánh.")
    return report


def report_get(*, actor, code: str, token: str = "") -> Report:
    """A report for someone who may act on it: an officer of its agency, its citizen, or the token holder."""
    report = Report.objects.select_related("service", "commune", "agency", "assignee", "duplicate_of").filter(
        code=(code or "").strip()).first()
    if report is None or not workflow.actor_kinds(actor, report, token_ok=token_matches(report, token)):
        raise NotFound("Không tìm thấy phản ánh.")
    return report


def token_matches(report: Report, token: str) -> bool:
    return bool(token) and report.token_hash == token_hash(token)


def report_by_token(*, token: str) -> Report:
    report = Report.objects.filter(token_hash=token_hash(token)).first() if token else None
    if report is None:
        raise NotFound("Không tìm thấy phản ánh theo mã theo dõi.")
    return report


def officer_queue(*, actor, status: str = "", search: str = "", overdue: bool = False, now=None) -> QuerySet:
    ids = officer_agency_ids(actor)
    qs = Report.objects.select_related("service", "commune", "agency", "assignee")
    if ids is not None:
        qs = qs.filter(agency_id__in=ids)
    if status:
        qs = qs.filter(status=status)
    else:
        qs = qs.filter(status__in=OPEN_STATUSES)
    if overdue and now is not None:
        qs = qs.filter(due_at__lt=now, status__in=OPEN_STATUSES)
    qs = word_search(qs, search)
    return qs.order_by("due_at", "id")


def citizen_reports(*, actor) -> QuerySet:
    if not getattr(actor, "is_authenticated", False):
        return Report.objects.none()
    return Report.objects.filter(citizen=actor).select_related("service", "commune")


def public_events(report: Report) -> QuerySet:
    return ReportEvent.objects.filter(report=report, public=True).select_related("agency", "to_agency")


def all_events(report: Report) -> QuerySet:
    return ReportEvent.objects.filter(report=report).select_related("agency", "to_agency", "actor")


def status_note(report: Report) -> str:
    """The detailed Vietnamese status (Open311 status_notes)."""
    return status_text(status=report.status, reject_reason=report.reject_reason, reopen_count=report.reopen_count,
                       duplicate_code=report.duplicate_of.code if report.duplicate_of_id else "")


def status_text(*, status: str, reject_reason: str, reopen_count: int, duplicate_code: str = "") -> str:
    """`status_note` from the row's values (lists read as values, not model instances)."""
    text = str(Status(status).label)
    if status == Status.REJECTED:
        text += f" — {RejectReason(reject_reason).label if reject_reason else ''}"
        if reject_reason == RejectReason.DUPLICATE and duplicate_code:
            text += f" (phản ánh gốc {duplicate_code})"
    if status in OPEN_STATUSES and reopen_count:
        text += f" (mở lại {reopen_count} lần)"
    return text
