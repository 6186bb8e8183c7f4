"""Pages: the public list and map, the web form, each report's public page (with the citizen's reopen, comment
and close by account or tracking token), the photos without metadata, and the officers' queue, report page and
hotline entry. Thin: parse → the same services and selectors as the APIs → render."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db import transaction
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import urlencode

from tinhso.audit.services import audit_record
from tinhso.core.exceptions import DomainError, NotFound, Throttled
from tinhso.core.text import query_words
from tinhso.core.throttle import throttle_check, throttle_failure
from tinhso.org.models import Agency
from tinhso.org.selectors import home_province

from . import location, selectors, services, workflow
from .choices import Channel, Status
from .models import ReportPhoto
from .paging import keyset_page

TOKEN_KEYS = "feedback.token.address"
PAGING_KEYS = {"page", "after", "before"}
LIST_PAGE_SIZE = 30
QUEUE_PAGE_SIZE = 50


def _ip(request) -> str:
    return request.META.get("REMOTE_ADDR", "")[:45]


def _communes():
    province = home_province()
    return location.current_communes(province).order_by("name") if province else []


# The map counts at most 1000 shown reports: the newest, or with a search any 1000 that match. PostgreSQL
# underestimates how many rows match common words (it multiplies their frequencies), so "the newest 1000 matches"
# made it fetch and sort every match (1.3 s at a million reports for "den duong"); unordered, it stops at 1000.
MAP_ROWS = 1000
MAP_POINTS = 500


def map_points(reports) -> dict:
    """The commune map's data: every commune at its official coordinates with its count among the newest shown
    reports, and those of them that carry coordinates (no personal data: code, category, status only).

    One read of at most MAP_ROWS rows, newest first on the list's own index, however long the list is."""
    communes = [c for c in _communes() if c.latitude is not None and c.longitude is not None]
    rows = list(reports.values_list("commune_id", "code", "latitude", "longitude", "service__name", "status")
                [:MAP_ROWS])
    counts: dict[int, int] = {}
    for row in rows:
        counts[row[0]] = counts.get(row[0], 0) + 1
    located = [row for row in rows if row[2] is not None and row[3] is not None][:MAP_POINTS]
    return {
        "communes": [{"code": c.code, "name": c.name, "lat": round(c.latitude, 5), "lon": round(c.longitude, 5),
                      "count": counts.get(c.pk, 0)} for c in communes],
        # Rounded like Open311's lat/long (about 100 m): the place of the problem, not a house.
        "reports": [{"code": code, "lat": round(lat, 3), "lon": round(lon, 3), "service": service,
                     "status": Status(status).label, "href": reverse("feedback:detail", args=[code])}
                    for _, code, lat, lon, service, status in located],
    }


def report_list(request):
    q = request.GET
    search = q.get("q", "")[:200]
    reports = selectors.report_list(status=q.get("status", "") if q.get("status") in Status.values else "",
                                    service_code=q.get("service", "")[:40], commune_code=q.get("commune", "")[:20],
                                    search=search)
    page = keyset_page(reports, order="-received_at", after=q.get("after", ""), before=q.get("before", ""),
                       page_size=LIST_PAGE_SIZE)
    query = {k: v for k, v in q.items() if k not in PAGING_KEYS and v}
    return render(request, "feedback/list.html", {
        "page": page, "statuses": Status.choices, "services": selectors.service_list(), "communes": _communes(),
        "filters": q, "query": urlencode(query), "map": map_points(reports.order_by() if query_words(search) else reports)})


def _submit_context(**extra) -> dict:
    return {"services": selectors.service_list(), "communes": _communes(),
            "map": map_points(selectors.report_list().none()), **extra}


def report_submit(request):
    if request.method != "POST":
        return render(request, "feedback/submit.html", _submit_context(values={}))
    p = request.POST
    attributes = {k[10:-1]: p.getlist(k) for k in p if k.startswith("attribute[") and k.endswith("]")}
    try:
        report, token = services.report_submit(
            actor=request.user, service_code=p.get("service_code", ""), description=p.get("description", ""),
            latitude=p.get("lat") or None, longitude=p.get("long") or None, commune_code=p.get("commune_code", ""),
            address=p.get("address", ""), contact_name=p.get("name", ""), contact_phone=p.get("phone", ""),
            contact_email=p.get("email", ""), attributes=attributes, photos=request.FILES.getlist("media"),
            channel=Channel.WEB, ip_address=_ip(request))
    except DomainError as exc:
        status = 429 if isinstance(exc, Throttled) else 400
        return render(request, "feedback/submit.html",
                      _submit_context(values=p, error=exc.message, errors=exc.field_errors), status=status)
    return render(request, "feedback/receipt.html", {"report": report, "token": token})


def _detail_context(request, report, *, token: str = "") -> dict:
    kinds = workflow.actor_kinds(request.user, report, token_ok=selectors.token_matches(report, token))
    citizen = workflow.ActorKind.CITIZEN in kinds
    actions = [t for t in workflow.available_transitions(report, kinds) if t.name in ("reopen", "close")] \
        if citizen else []
    return {"report": report, "events": selectors.public_events(report), "photos": report.photos.all(),
            "status_note": selectors.status_note(report), "citizen": citizen, "token": token if citizen else "",
            "actions": actions, "can_comment": citizen and report.status not in (Status.REJECTED, Status.CLOSED),
            "is_officer": selectors.is_officer_for(request.user, report),
            "reopen_days": workflow.reopen_days()}


def report_detail(request, code):
    try:
        report = selectors.report_public_get(code=code)
    except NotFound as exc:
        raise Http404(exc.message) from exc
    return render(request, "feedback/detail.html", _detail_context(request, report))


def report_track(request):
    """Open one's report with the tracking token given at submission (wrong tokens are throttled per address)."""
    token = (request.POST.get("token") or "").strip()
    if request.method != "POST" or not token:
        return render(request, "feedback/track.html", {})
    keys = {TOKEN_KEYS: _ip(request) or "-"}
    try:
        throttle_check(keys=keys)
        report = selectors.report_by_token(token=token)
    except Throttled as exc:
        return render(request, "feedback/track.html", {"error": exc.message}, status=429)
    except NotFound as exc:
        with transaction.atomic():
            throttle_failure(keys=keys)
            audit_record(actor=None, action="feedback.track.failed", object_type="feedback.report",
                         summary="Tra cứu phản ánh với mã theo dõi không đúng", ip_address=_ip(request))
        return render(request, "feedback/track.html", {"error": exc.message}, status=404)
    report = selectors.report_public_get(code=report.code)
    return render(request, "feedback/detail.html", _detail_context(request, report, token=token))


def report_act(request, code):
    """The citizen's reopen / close (with a rating) / comment, by account or tracking token."""
    if request.method != "POST":
        return redirect("feedback:detail", code=code)
    p = request.POST
    token = (p.get("token") or "").strip()
    try:
        if p.get("action") == "comment":
            services.report_comment(actor=request.user, code=code, note=p.get("note", ""), token=token,
                                    ip_address=_ip(request))
            done = "Đã gửi nội dung trao đổi."
        else:
            report = services.report_transition(actor=request.user, code=code, action=p.get("action", ""),
                                                 note=p.get("note", ""), rating=p.get("rating") or None,
                                                 token=token, expected_status=p.get("expected_status", ""),
                                                 ip_address=_ip(request))
            done = workflow.TRANSITIONS[p["action"]].done_message
            code = report.code
    except DomainError as exc:
        try:
            report = selectors.report_public_get(code=code)
        except NotFound as missing:
            raise Http404(missing.message) from missing
        context = _detail_context(request, report, token=token) | {"error": exc.message}
        return render(request, "feedback/detail.html", context, status=exc.status_code)
    if token:  # the token holder has no session: show the page again with the token
        report = selectors.report_public_get(code=code)
        return render(request, "feedback/detail.html", _detail_context(request, report, token=token) | {
            "done": done})
    messages.success(request, done)
    return redirect("feedback:detail", code=code)


def photo(request, code, photo_id):
    try:
        report = selectors.report_public_get(code=code)
    except NotFound as exc:
        raise Http404(exc.message) from exc
    item = get_object_or_404(ReportPhoto, pk=photo_id, report=report)
    response = HttpResponse(services.photo_without_metadata(item), content_type=item.content_type)
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "public, max-age=3600"
    return response


@login_required
def mine(request):
    return render(request, "feedback/mine.html", {"reports": selectors.citizen_reports(actor=request.user)[:200]})


# --- officers --------------------------------------------------------------------------------------------------
def _require_officer(request):
    if not selectors.is_feedback_officer(request.user):
        raise Http404("Không tìm thấy trang.")


@login_required
def queue(request):
    _require_officer(request)
    q = request.GET
    status = q.get("status", "") if q.get("status") in Status.values else ""
    reports = selectors.officer_queue(actor=request.user, status=status, search=q.get("q", "")[:200],
                                      overdue=q.get("overdue") == "1", now=timezone.now())
    page = keyset_page(reports, order="due_at", after=q.get("after", ""), before=q.get("before", ""),
                       page_size=QUEUE_PAGE_SIZE)
    query = {k: v for k, v in q.items() if k not in PAGING_KEYS and v}
    return render(request, "feedback/queue.html", {"page": page, "statuses": Status.choices, "filters": q,
                                                   "query": urlencode(query), "now": timezone.now()})


def _officer_context(request, report, **extra) -> dict:
    kinds = workflow.actor_kinds(request.user, report)
    return {"report": report, "events": selectors.all_events(report), "photos": report.photos.all(),
            "status_note": selectors.status_note(report),
            "actions": [t for t in workflow.available_transitions(report, kinds) if t.actors & workflow.OFFICERS],
            "agencies": Agency.objects.filter(is_active=True).order_by("name"), "now": timezone.now(), **extra}


@login_required
def officer_detail(request, code):
    try:
        report = selectors.report_get(actor=request.user, code=code)
    except NotFound as exc:
        raise Http404(exc.message) from exc
    if not selectors.is_officer_for(request.user, report):
        raise Http404("Không tìm thấy phản ánh.")
    if request.method != "POST":
        return render(request, "feedback/officer_detail.html", _officer_context(request, report))
    p = request.POST
    try:
        if p.get("action") in ("comment", "internal_note"):
            services.report_comment(actor=request.user, code=code, note=p.get("note", ""),
                                    internal=p.get("action") == "internal_note", ip_address=_ip(request))
            done = "Đã ghi nội dung trao đổi."
        else:
            services.report_transition(actor=request.user, code=code, action=p.get("action", ""),
                                       note=p.get("note", ""), agency_code=p.get("agency_code", ""),
                                       assignee_username=p.get("assignee", ""),
                                       duplicate_of_code=p.get("duplicate_of", ""),
                                       expected_status=p.get("expected_status", ""), ip_address=_ip(request))
            done = workflow.TRANSITIONS[p["action"]].done_message
    except DomainError as exc:
        report = selectors.report_get(actor=request.user, code=code)
        return render(request, "feedback/officer_detail.html",
                      _officer_context(request, report, error=exc.message, errors=exc.field_errors),
                      status=exc.status_code)
    messages.success(request, done)
    if not selectors.is_officer_for(request.user, selectors.report_public_get(code=code)):
        return redirect("feedback:queue")  # reassigned away from one's own agency
    return redirect("feedback:officer_detail", code=code)


@login_required
def hotline(request):
    _require_officer(request)
    if request.method != "POST":
        return render(request, "feedback/hotline.html", _submit_context(values={}))
    p = request.POST
    attributes = {k[10:-1]: p.getlist(k) for k in p if k.startswith("attribute[") and k.endswith("]")}
    try:
        report, token = services.report_submit(
            actor=request.user, service_code=p.get("service_code", ""), description=p.get("description", ""),
            latitude=p.get("lat") or None, longitude=p.get("long") or None, commune_code=p.get("commune_code", ""),
            address=p.get("address", ""), contact_name=p.get("name", ""), contact_phone=p.get("phone", ""),
            contact_email=p.get("email", ""), attributes=attributes, channel=Channel.HOTLINE,
            ip_address=_ip(request))
    except DomainError as exc:
        return render(request, "feedback/hotline.html",
                      _submit_context(values=p, error=exc.message, errors=exc.field_errors), status=400)
    return render(request, "feedback/receipt.html", {"report": report, "token": token, "hotline": True})
