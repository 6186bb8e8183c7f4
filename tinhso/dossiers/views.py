"""Pages for citizens (submit, receipt, tracking, supplement, rating) and officers (queues, dossier page, counter).

Thin: parse → the same services and selectors as the API → render. Domain errors become form errors or a
message in the dossier panel, with a 4xx status.
"""

from datetime import date

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.utils.http import urlencode

from tinhso.accounts import scoping
from tinhso.core.exceptions import DomainError, NotFound, Throttled, ValidationError
from tinhso.core.files import attachment_response
from tinhso.core.pagination import page_number, paginate
from tinhso.core.qr import qr_svg
from tinhso.org import selectors as org_selectors
from tinhso.org.choices import UnitLevel
from tinhso.org.models import AdministrativeUnit, Agency
from tinhso.procedures.models import Procedure

from . import lookup, selectors, services, tracking, workflow
from .choices import Channel, Queue, Status
from .deadlines import acceptance_wait
from .filters import DossierFilter
from .forms import ApplicantForm, CounterForm, RatingForm, TrackForm


def _ip(request) -> str:
    return request.META.get("REMOTE_ADDR", "")[:45]


def _get_dossier(request, code):
    try:
        return selectors.dossier_get(user=request.user, code=code)
    except NotFound as exc:
        raise Http404(exc.message) from exc


def _communes():
    province = org_selectors.home_province()
    qs = AdministrativeUnit.objects.filter(level=UnitLevel.COMMUNE, valid_to__isnull=True)
    if province is not None:
        qs = qs.filter(parent=province)
    return qs.order_by("name")


def _place_errors(form: ApplicantForm, exc: DomainError) -> None:
    placed = False
    for key, errors in exc.field_errors.items():
        target = form.field_for(key)
        for message in errors:
            form.add_error(target if target in form.fields else None, message)
            placed = True
    if not placed:
        form.add_error(None, exc.message)


def home(request):
    """/ho-so/: officers go to their queues, everyone else to their own dossiers or tracking."""
    if request.user.is_authenticated and selectors.is_officer(request.user):
        return redirect("dossiers:queue")
    if request.user.is_authenticated:
        return redirect("dossiers:mine")
    return redirect("dossiers:track")


# --- citizens --------------------------------------------------------------------------------------------------
@login_required
def submit(request, procedure_code):
    try:
        procedure = selectors.procedure_for_submission(code=procedure_code)
    except NotFound as exc:
        raise Http404(exc.message) from exc
    user = request.user
    initial = {"applicant_name": user.full_name, "applicant_citizen_id": user.citizen_id,
               "applicant_phone": user.phone, "applicant_email": user.email}
    form = ApplicantForm(request.POST or None, request.FILES or None, procedure=procedure, communes=_communes(),
                         initial=initial)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                dossier = services.dossier_submit(actor=user, procedure_code=procedure.code,
                                                  channel=Channel.ONLINE, ip_address=_ip(request),
                                                  **form.service_kwargs())
            except DomainError as exc:
                _place_errors(form, exc)
                status = exc.status_code
            else:
                messages.success(request, f"Đã nộp hồ sơ. Mã hồ sơ của bạn: {dossier.code}")
                return redirect("dossiers:receipt", code=dossier.code)
        else:
            status = 422
    return render(request, "dossiers/submit.html", {"form": form, "procedure": procedure,
                                                    "online_allowed": procedure.online_level != "khong"},
                  status=status)


def receipt(request, code):
    dossier = _get_dossier(request, code)
    tracking_url = request.build_absolute_uri(reverse("dossiers:track") + "?" + urlencode({"code": dossier.code}))
    return render(request, "dossiers/receipt.html", {
        "dossier": dossier, "acceptance": acceptance_wait(dossier, now=timezone.now()),
        "checklist": selectors.dossier_papers(dossier=dossier), "papers": dossier.procedure.papers.all(),
        "reception": selectors.reception_event(dossier=dossier),
        "attachments": selectors.dossier_attachments(dossier=dossier), "tracking_url": tracking_url,
        "can_assign": any(t.name == "assign" for t in selectors.actions_for(user=request.user, dossier=dossier)),
        "tracking_qr": qr_svg(tracking_url, title=f"Mã QR tra cứu hồ sơ {dossier.code}")})


def track(request):
    """Code + phone show the status, timeline and appointment only (tinhso.dossiers.tracking); nothing to act on."""
    # The receipt's QR code opens this page with the code filled in; the applicant adds the phone.
    form = TrackForm(request.POST or None, initial={"code": request.GET.get("code", "")[:40]})
    status, result, retry_after = 200, None, None
    if request.method == "POST":
        if form.is_valid():
            try:
                dossier = tracking.dossier_track_public(actor=request.user, code=form.cleaned_data["code"],
                                                        phone=form.cleaned_data["phone"], ip_address=_ip(request))
            except Throttled as exc:
                form.add_error(None, exc.message)
                status, retry_after = exc.status_code, exc.retry_after
            except NotFound as exc:
                form.add_error(None, exc.message)
                status = 404
            else:
                result = tracking.tracking_summary(dossier)
        else:
            status = 422
    response = render(request, "dossiers/track.html", {"form": form, "result": result}, status=status)
    if retry_after:
        response["Retry-After"] = str(retry_after)
    return response


@login_required
def mine(request):
    qs = selectors.dossier_list(user=request.user).filter(applicant_user=request.user)
    page = paginate(qs, page=page_number(request.GET.get("page")))
    return render(request, "dossiers/mine.html", {"page": page})


def go_submit(request):
    """The "submit for procedure code …" box on "my dossiers"."""
    code = request.GET.get("procedure", "").strip()
    if not code:
        return redirect("dossiers:mine")
    try:
        return redirect("dossiers:submit", procedure_code=code)
    except NoReverseMatch:  # a code with "/" in it cannot be a procedure code
        raise Http404(f"Không có thủ tục hành chính mã “{code[:40]}”.") from None


# --- the dossier page (officers and the applicant) ------------------------------------------------------------
def _panel_context(request, dossier, *, error: str = "", field_errors=None) -> dict:
    kinds = workflow.actor_kinds(request.user, dossier)
    actions = workflow.available_transitions(dossier, kinds)
    officer_view = bool(kinds - {workflow.ActorKind.APPLICANT}) or (
        selectors.is_officer(request.user) and selectors.can_view(request.user, dossier))
    rating = selectors.dossier_rating(dossier=dossier)
    return {
        "dossier": dossier, "actions": actions, "officer_view": officer_view,
        "is_applicant": workflow.ActorKind.APPLICANT in kinds,
        "events": selectors.dossier_history(dossier=dossier),
        "attachments": selectors.dossier_attachments(dossier=dossier),
        "supplement_request": selectors.last_event(dossier=dossier, action="request_supplement"),
        "completion_request": _completion_request(dossier),
        "acceptance": acceptance_wait(dossier, now=timezone.now()),
        "hand_over_targets": selectors.hand_over_targets(dossier=dossier)
        if any(t.name == "hand_over" for t in actions) else [],
        "assign_targets": selectors.officers_by_agency(agencies=selectors.assign_targets(dossier=dossier))
        if any(t.picks_officer for t in actions) else [],
        "can_rate": workflow.ActorKind.APPLICANT in kinds and dossier.status == Status.RETURNED and rating is None,
        "rating": rating, "rating_form": RatingForm(), "error": error, "field_errors": field_errors or {},
        "now": timezone.now(),
    }


def _completion_request(dossier):
    """The form 02 given at reception (online: a transition; at the counter: the filing itself)."""
    if dossier.completion_requested_at is None:
        return None
    return (selectors.last_event(dossier=dossier, action="request_completion")
            or selectors.last_event(dossier=dossier, action="counter_completion"))


def detail(request, code):
    dossier = _get_dossier(request, code)
    return render(request, "dossiers/detail.html", _panel_context(request, dossier))


def act(request, code):
    """POST one action of the state machine; htmx gets the re-rendered panel, others a redirect."""
    if request.method != "POST":
        return redirect("dossiers:detail", code=code)
    _get_dossier(request, code)
    post = request.POST
    new_date = None
    error, field_errors, status = "", {}, 200
    try:
        chosen = workflow.TRANSITIONS.get(post.get("action", ""))
        if chosen is not None and chosen.needs_confirmation and post.get("confirmed") != "1":
            raise ValidationError.for_field("confirmed", "Hãy đánh dấu ô xác nhận trước khi thực hiện thao tác này.")
        if post.get("new_date"):
            try:
                new_date = date.fromisoformat(post["new_date"])
            except ValueError:
                raise ValidationError.for_field("new_date", "Ngày không hợp lệ.") from None
        services.dossier_transition(
            actor=request.user, dossier_code=code, action=post.get("action", ""), note=post.get("note", ""),
            agency_code=post.get("agency_code", ""), assignee=post.get("assignee", ""), new_date=new_date, files=request.FILES.getlist("files"),
            expected_status=post.get("expected_status", ""), ip_address=_ip(request))
    except DomainError as exc:
        error, field_errors, status = exc.message, exc.field_errors, exc.status_code
        if field_errors:
            error = " ".join(m for ms in field_errors.values() for m in ms)
    else:
        transition = workflow.TRANSITIONS[post.get("action", "")]
        if not request.htmx:
            messages.success(request, transition.done_message)
            return redirect("dossiers:detail", code=code)
        context = _panel_context(request, _get_dossier(request, code))
        context["done"] = transition.done_message
        return render(request, "dossiers/_panel.html", context)
    if not request.htmx:
        messages.error(request, error)
        return redirect("dossiers:detail", code=code)
    return render(request, "dossiers/_panel.html",
                  _panel_context(request, _get_dossier(request, code), error=error, field_errors=field_errors),
                  status=status)


def rate(request, code):
    if request.method != "POST":
        return redirect("dossiers:detail", code=code)
    _get_dossier(request, code)
    form = RatingForm(request.POST)
    error, status = "", 200
    if form.is_valid():
        try:
            services.dossier_rate(actor=request.user, dossier_code=code, score=form.cleaned_data["score"],
                                  comment=form.cleaned_data["comment"], ip_address=_ip(request))
        except DomainError as exc:
            error, status = exc.message, exc.status_code
    else:
        error, status = "Hãy chọn mức độ hài lòng từ 1 đến 5.", 422
    if not request.htmx:
        (messages.error if error else messages.success)(request, error or "Cảm ơn bạn đã đánh giá.")
        return redirect("dossiers:detail", code=code)
    context = _panel_context(request, _get_dossier(request, code), error=error)
    if not error:
        context["done"] = "Cảm ơn bạn đã đánh giá."
    return render(request, "dossiers/_panel.html", context, status=status)


def attachment(request, code, attachment_id):
    dossier = _get_dossier(request, code)
    try:
        item = selectors.attachment_get(dossier=dossier, attachment_id=attachment_id)
    except NotFound as exc:
        raise Http404(exc.message) from exc
    try:
        handle = item.file.open("rb")
    except (FileNotFoundError, OSError) as exc:
        raise Http404("Tệp không còn trên máy chủ.") from exc
    return attachment_response(handle, original_name=item.original_name, content_type=item.content_type)


# --- officers --------------------------------------------------------------------------------------------------
@login_required
def queue(request):
    if not selectors.is_officer(request.user):
        return redirect("dossiers:mine")
    filters = DossierFilter.from_mapping(request.GET)
    if "queue" not in request.GET:  # landing: today's work of the user's role ("Tất cả" sends queue=all)
        filters.queue = selectors.default_queue(request.user)
    if filters.queue and filters.queue not in Queue.values:
        filters.queue = ""
    if filters.status and filters.status not in Status.values:
        filters.status = ""
    if filters.channel and filters.channel not in Channel.values:
        filters.channel = ""
    page = paginate(selectors.dossier_list(user=request.user, filters=filters),
                    page=page_number(request.GET.get("page")))
    agencies = Agency.objects.filter(id__in=scoping.agency_ids_for(request.user)).order_by("identifier_code")[:300]
    context = {"page": page, "filters": filters, "queues": Queue.choices, "statuses": Status.choices,
               "counts": selectors.queue_counts(user=request.user, agency=filters.agency), "agencies": agencies,
               "is_clerk": bool(workflow.clerk_agency_ids(request.user)), "now": timezone.now()}
    template = "dossiers/_queue_results.html" if request.htmx and request.htmx.target == "queue-results" \
        else "dossiers/queue.html"
    return render(request, template, context)


@login_required
def counter(request):
    """Counter reception of a paper dossier (or one received by post), with its papers scanned (digitisation)."""
    if not workflow.clerk_agency_ids(request.user):
        raise Http404("Chỉ cán bộ bộ phận một cửa dùng được trang này.")
    code = (request.POST.get("procedure_code") or request.GET.get("procedure_code") or "").strip()
    channel = request.POST.get("channel") or request.GET.get("channel") or Channel.DIRECT
    procedures = Procedure.objects.filter(is_active=True).order_by("code")
    chooser = CounterForm(initial={"procedure_code": code, "channel": channel}, procedures=procedures)
    procedure = Procedure.objects.filter(code=code, is_active=True).first() if code else None
    if procedure is None:
        return render(request, "dossiers/counter.html", {"chooser": chooser, "form": None},
                      status=404 if code else 200)
    if request.method == "POST" and request.POST.get("lookup"):
        return _counter_lookup(request, procedure=procedure, chooser=chooser, channel=channel)
    form = ApplicantForm(request.POST or None, request.FILES or None, procedure=procedure, communes=_communes(),
                         counter=True)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                dossier = services.dossier_submit(actor=request.user, procedure_code=procedure.code,
                                                  channel=channel, ip_address=_ip(request),
                                                  **form.service_kwargs())
            except DomainError as exc:
                _place_errors(form, exc)
                status = exc.status_code
            else:
                messages.success(request, f"Đã tiếp nhận hồ sơ {dossier.code}.")
                return redirect("dossiers:receipt", code=dossier.code)
        else:
            status = 422
    return render(request, "dossiers/counter.html", {"chooser": chooser, "form": form, "procedure": procedure,
                                                     "channel": channel}, status=status)


def _counter_lookup(request, *, procedure, chooser, channel):
    """"Tìm theo số định danh": the form comes back with what was typed, completed from the applicant's latest
    dossier or verified account (lookup.applicant_lookup, audited)."""
    typed = {k: v for k, v in request.POST.items() if k not in ("csrfmiddlewaretoken", "lookup")}
    message, found, status = "", False, 200
    try:
        facts = lookup.applicant_lookup(actor=request.user, citizen_id=typed.get("applicant_citizen_id", ""),
                                        ip_address=_ip(request))
    except DomainError as exc:
        message, status = exc.message, exc.status_code
    else:
        if facts is None:
            message = "Chưa có hồ sơ hoặc tài khoản đã xác minh mang số định danh này: hãy nhập thông tin người nộp."
        else:
            found = True
            typed |= {k: v for k, v in facts.initial().items() if not typed.get(k)}
            source = f"hồ sơ {facts.from_dossier}" if facts.from_dossier else "tài khoản đã xác minh"
            message = f"Đã điền thông tin người nộp từ {source}; hãy đối chiếu với giấy tờ tùy thân."
    form = ApplicantForm(procedure=procedure, communes=_communes(), counter=True, initial=typed)
    return render(request, "dossiers/counter.html", {"chooser": chooser, "form": form, "procedure": procedure,
                                                     "channel": channel, "lookup_message": message,
                                                     "lookup_found": found}, status=status)
