"""The Open311 GeoReport v2 endpoints. Thin: parse the spec's parameters → feedback selectors/services → the
spec's JSON or XML. Errors are the spec's list of {code, description} with HTTP 400/403/404 (429 when a key or
an address sends too much)."""

import json
from datetime import datetime, timedelta

from django.http import HttpResponse
from django.utils import timezone
from django.views.decorators.csrf import csrf_exempt

from tinhso.core.exceptions import DomainError, NotFound, PermissionDenied, Throttled, ValidationError
from tinhso.org.selectors import home_province

from . import open311, selectors, services
from .choices import Channel

MAX_REQUESTS = 1000
DEFAULT_DAYS = 90
CONTENT_TYPES = {"json": "application/json; charset=utf-8", "xml": "text/xml; charset=utf-8"}


def _base(request) -> str:
    return request.build_absolute_uri("/").rstrip("/")


def _respond(fmt: str, root: str, data, status: int = 200) -> HttpResponse:
    if fmt == "xml":
        body = open311.to_xml(root, data)
    else:
        body = json.dumps(data, ensure_ascii=False).encode()
    response = HttpResponse(body, status=status, content_type=CONTENT_TYPES[fmt])
    response["Access-Control-Allow-Origin"] = "*"
    return response


def _error(fmt: str, status: int, *descriptions: str) -> HttpResponse:
    return _respond(fmt, "errors", open311.errors(status, *descriptions), status=status)


def _domain_error(fmt: str, exc: DomainError) -> HttpResponse:
    if isinstance(exc, NotFound):
        status = 404
    elif isinstance(exc, PermissionDenied):
        status = 403
    elif isinstance(exc, Throttled):
        response = _error(fmt, 429, exc.message)
        response["Retry-After"] = str(exc.retry_after)
        return response
    else:
        status = 400
    messages = [f"{field}: {m}" for field, ms in exc.field_errors.items() for m in ms] or [exc.message]
    return _error(fmt, status, *messages)


def _jurisdiction_problem(request) -> str | None:
    wanted = (request.GET.get("jurisdiction_id") or request.POST.get("jurisdiction_id") or "").strip()
    province = home_province()
    if wanted and (province is None or wanted != province.code):
        return f"jurisdiction_id “{wanted}” không phải mã tỉnh của hệ thống này."
    return None


def _guard(view):
    def wrapped(request, fmt: str = "json", **kwargs):
        if request.method not in view.methods:
            return _error(fmt, 405, "Phương thức không được hỗ trợ.")
        if problem := _jurisdiction_problem(request):
            return _error(fmt, 404, problem)
        try:
            return view(request, fmt=fmt, **kwargs)
        except DomainError as exc:
            return _domain_error(fmt, exc)

    wrapped.__name__ = view.__name__
    return csrf_exempt(wrapped)


def methods(*names):
    def deco(view):
        view.methods = set(names)
        return _guard(view)

    return deco


@methods("GET")
def root(request, fmt="json"):
    return _respond(fmt, "discovery", open311.discovery(base_url=_base(request)))


discovery = root


@methods("GET")
def service_list(request, fmt):
    return _respond(fmt, "services", [open311.service_item(s) for s in selectors.service_list()])


@methods("GET")
def service_definition(request, fmt, code):
    return _respond(fmt, "service_definition", open311.service_definition(selectors.service_get(code=code)))


def _moment(value: str, field: str) -> datetime | None:
    if not value:
        return None
    try:
        moment = datetime.fromisoformat(value.strip().replace("Z", "+00:00"))
    except ValueError:
        raise ValidationError.for_field(field, "Ngày giờ phải theo ISO 8601 (ví dụ 2026-01-01T00:00:00+07:00).") \
            from None
    return moment if moment.tzinfo else timezone.make_aware(moment)


@methods("GET", "POST")
def requests(request, fmt):
    if request.method == "POST":
        return _create(request, fmt)
    q = request.GET
    ids = [i.strip() for i in q.get("service_request_id", "").split(",") if i.strip()]
    status = q.get("status", "").strip().lower()
    statuses = {s for s in status.split(",") if s}
    if statuses - {"open", "closed"}:
        raise ValidationError.for_field("status", "status phải là open hoặc closed.")
    start, end = _moment(q.get("start_date", ""), "start_date"), _moment(q.get("end_date", ""), "end_date")
    if ids:  # the spec: service_request_id overrides every other parameter
        qs = selectors.report_list(codes=ids[:MAX_REQUESTS])
    else:
        # The spec: without dates, the most recent 90 days; an end alone ends those 90 days. Either way the
        # read is a bounded window walked newest first on an index (at most MAX_REQUESTS rows).
        if start is None:
            start = (end or timezone.now()) - timedelta(days=DEFAULT_DAYS)
        qs = selectors.report_list(service_code=q.get("service_code", "")[:400], start=start, end=end,
                                   open_closed=status if len(statuses) == 1 else "")
    return _respond(fmt, "service_requests", open311.request_items(qs, base_url=_base(request), limit=MAX_REQUESTS))


def _create(request, fmt):
    p = request.POST
    api_key = services.api_key_require(key=p.get("api_key", ""))
    attributes = {k[10:-1]: p.getlist(k) for k in p if k.startswith("attribute[") and k.endswith("]")}
    name = " ".join(x for x in (p.get("first_name", ""), p.get("last_name", "")) if x)
    report, token = services.report_submit(
        actor=request.user, service_code=p.get("service_code", ""), description=p.get("description", ""),
        latitude=p.get("lat") or None, longitude=p.get("long") or None,
        commune_code=p.get("address_id", "") or p.get("commune_code", ""), address=p.get("address_string", ""),
        contact_name=name, contact_phone=p.get("phone", ""), contact_email=p.get("email", ""),
        attributes=attributes, photos=request.FILES.getlist("media"), channel=Channel.OPEN311, api_key=api_key,
        ip_address=request.META.get("REMOTE_ADDR", "")[:45])
    notice = f"Đã chuyển tới {report.agency.name}; hạn xử lý {timezone.localtime(report.due_at):%H:%M %d/%m/%Y}."
    return _respond(fmt, "service_requests", [{"service_request_id": report.code, "token": token,
                                               "service_notice": notice, "account_id": ""}], status=201)


@methods("GET")
def request_detail(request, fmt, code):
    report = selectors.report_public_get(code=code)
    return _respond(fmt, "service_requests", [open311.request_item(report, base_url=_base(request))])


@methods("GET", "POST")
def request_updates(request, fmt, code):
    """Extension: the public steps and comments of one report; POST (api_key + the report's token + description)
    adds the citizen's comment."""
    report = selectors.report_public_get(code=code)
    if request.method == "POST":
        p = request.POST
        services.api_key_require(key=p.get("api_key", ""))
        event = services.report_comment(actor=request.user, code=report.code, note=p.get("description", ""),
                                        token=p.get("token", ""), ip_address=request.META.get("REMOTE_ADDR", ""))
        return _respond(fmt, "service_request_updates", [open311.update_item(event)], status=201)
    events = selectors.public_events(report).select_related("report")
    return _respond(fmt, "service_request_updates", [open311.update_item(e) for e in events])


@methods("GET")
def token_detail(request, fmt, token):
    report = selectors.report_by_token(token=token)
    return _respond(fmt, "service_requests", [{"service_request_id": report.code, "token": token}])
