"""The officers' feedback API (the public one is Open311 at /open311/v2/): thin, over the same services and
selectors as the pages."""

from django.utils import timezone
from ninja import Query, Router, Status

from tinhso.api.schemas import ERROR_RESPONSES
from tinhso.core.exceptions import PermissionDenied
from tinhso.core.pagination import paginate

from . import selectors, services, workflow
from .choices import Status as ReportStatus
from .schemas import ActionIn, CommentIn, EventOut, QueueFilterIn, ReportDetailOut, ReportPage, ServiceOut

router = Router()


def _ip(request) -> str:
    return request.META.get("REMOTE_ADDR", "")[:45]


def report_out(r) -> dict:
    return {"code": r.code, "service_code": r.service.code, "service_name": r.service.name, "status": r.status,
            "status_label": selectors.status_note(r), "channel": r.channel, "commune_code": r.commune.code,
            "commune_name": r.commune.name,
            "agency": {"identifier_code": r.agency.identifier_code, "name": r.agency.name},
            "assignee": r.assignee.username if r.assignee_id else None, "received_at": r.received_at,
            "due_at": r.due_at, "answered_at": r.answered_at, "closed_at": r.closed_at,
            "escalation_level": r.escalation_level, "reopen_count": r.reopen_count,
            "duplicate_of": r.duplicate_of.code if r.duplicate_of_id else None}


def _detail(request, r) -> dict:
    kinds = workflow.actor_kinds(request.user, r)
    return {**report_out(r), **{f: getattr(r, f) for f in (
        "description", "attributes", "latitude", "longitude", "address", "contact_name", "contact_phone",
        "contact_email", "answer", "rating")},
        "allowed_actions": [t.name for t in workflow.available_transitions(r, kinds) if t.actors & workflow.OFFICERS]}


def _officer_report(request, code: str):
    report = selectors.report_get(actor=request.user, code=code)
    if not selectors.is_officer_for(request.user, report):
        raise PermissionDenied("Chỉ cán bộ cơ quan xử lý được xem phản ánh này.")
    return report


@router.get("/services", response={200: list[ServiceOut], **ERROR_RESPONSES}, auth=None,
            summary="Các loại phản ánh (danh mục dịch vụ Open311)")
def list_services(request):
    return [{"code": s.code, "name": s.name, "description": s.description, "group": s.group,
             "keywords": s.keywords, "sla": s.sla_label, "is_emergency": s.is_emergency,
             "attributes": s.attributes} for s in selectors.service_list()]


@router.get("/reports", response={200: ReportPage, **ERROR_RESPONSES},
            summary="Hàng đợi phản ánh của các cơ quan trong phạm vi cán bộ")
def list_reports(request, filters: Query[QueueFilterIn]):
    if not selectors.is_feedback_officer(request.user):
        raise PermissionDenied("Chỉ cán bộ xử lý phản ánh được xem hàng đợi.")
    status = filters.status if filters.status in ReportStatus.values else ""
    qs = selectors.officer_queue(actor=request.user, status=status, search=filters.q, now=timezone.now())
    page = paginate(qs.select_related("duplicate_of"), page=filters.page, page_size=filters.page_size)
    return page.as_dict(items=[report_out(r) for r in page.items])


@router.get("/reports/{code}", response={200: ReportDetailOut, **ERROR_RESPONSES},
            summary="Chi tiết phản ánh (cán bộ cơ quan xử lý)")
def get_report(request, code: str):
    return _detail(request, _officer_report(request, code))


@router.get("/reports/{code}/events", response={200: list[EventOut], **ERROR_RESPONSES},
            summary="Toàn bộ diễn biến của phản ánh (cả ghi chú nội bộ)")
def report_events(request, code: str):
    report = _officer_report(request, code)
    return [{"at": e.at, "action": e.action, "action_label": e.get_action_label(), "note": e.note,
             "public": e.public, "by_citizen": e.by_citizen} for e in selectors.all_events(report)]


@router.post("/reports/{code}/actions", response={200: ReportDetailOut, **ERROR_RESPONSES},
             summary="Một bước xử lý: xác minh, loại, giao, chuyển, trả lời, đóng")
def act_on_report(request, code: str, payload: ActionIn):
    _officer_report(request, code)
    report = services.report_transition(
        actor=request.user, code=code, action=payload.action, note=payload.note, agency_code=payload.agency_code,
        assignee_username=payload.assignee, duplicate_of_code=payload.duplicate_of,
        expected_status=payload.expected_status, ip_address=_ip(request))
    if not selectors.is_officer_for(request.user, report):  # reassigned away: the caller no longer sees it all
        return _detail(request, report) | {"allowed_actions": []}
    return _detail(request, selectors.report_get(actor=request.user, code=code))


@router.post("/reports/{code}/comments", response={201: EventOut, **ERROR_RESPONSES},
             summary="Trao đổi với người phản ánh hoặc ghi chú nội bộ")
def comment_on_report(request, code: str, payload: CommentIn):
    _officer_report(request, code)
    e = services.report_comment(actor=request.user, code=code, note=payload.note, internal=payload.internal,
                                ip_address=_ip(request))
    return Status(201, {"at": e.at, "action": e.action, "action_label": e.get_action_label(), "note": e.note,
                        "public": e.public, "by_citizen": e.by_citizen})
