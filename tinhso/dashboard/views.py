"""IOC dashboard pages (Vietnamese). Thin: parse → dashboard/indicators selectors → render the page's tables as
HTML, or the very same tables as CSV / XLSX (`?export=csv|xlsx`)."""

from functools import wraps

from django.contrib.auth.views import redirect_to_login
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import urlencode

from tinhso.core.exceptions import DomainError, ValidationError
from tinhso.core.periods import parse_period
from tinhso.indicators import selectors as indicators
from tinhso.org.choices import UnitLevel

from . import exports, selectors
from .fragments import overview_fragments

EXPORTS = {"csv": (exports.to_csv, exports.CSV_TYPE), "xlsx": (exports.to_xlsx, exports.XLSX_TYPE)}


def _domain_errors(view):
    """A domain error becomes a Vietnamese error page with its status (404, 403, 422), never a 500."""
    @wraps(view)
    def wrapper(request, *args, **kwargs):
        try:
            return view(request, *args, **kwargs)
        except DomainError as exc:
            return render(request, "core/error.html", {"message": exc.message}, status=exc.status_code)
    return wrapper


def _year(request) -> int | None:
    raw = request.GET.get("year", "").strip()[:10]
    if not raw:
        return None
    if not raw.isdigit() or not 2000 <= int(raw) <= 2100:
        raise ValidationError.for_field("year", "Năm phải là một số trong khoảng 2000–2100.")
    return int(raw)


def _export_links(request) -> dict[str, str]:
    params = {k: v for k, v in request.GET.items() if k != "export"}
    return {fmt: f"{request.path}?{urlencode({**params, 'export': fmt})}" for fmt in EXPORTS}


def _respond(request, template: str, context: dict):
    """The page, or its tables as a file when `export` asks for one."""
    export = request.GET.get("export", "")
    page = context["page"]
    if export:
        if export not in EXPORTS:
            raise ValidationError.for_field("export", "Định dạng xuất phải là csv hoặc xlsx.")
        render_file, content_type = EXPORTS[export]
        response = HttpResponse(render_file(page), content_type=content_type)
        response["Content-Disposition"] = f'attachment; filename="{page.filename}.{export}"'
        return response
    context.setdefault("export_links", _export_links(request))
    return render(request, template, context)


def _ancestors(unit) -> list:
    chain, parent = [], unit.parent
    while parent is not None:
        chain.insert(0, parent)
        parent = parent.parent
    return chain


@_domain_errors
def overview(request):
    code = request.GET.get("unit", "").strip()[:20]
    unit = indicators.unit_by_code(code) if code else indicators.default_unit()
    if unit.level != UnitLevel.PROVINCE:
        query = f"?{urlencode({'year': request.GET['year']})}" if request.GET.get("year") else ""
        return redirect(reverse("dashboard:unit", args=[unit.code]) + query)
    year = _year(request)
    data = selectors.overview(unit=unit, year=year)
    if request.GET.get("export"):
        return _respond(request, "dashboard/overview.html", {**data, "unit": unit, "year": year})
    scope = selectors.viewer_scope(request.user)
    map_code, map_by = request.GET.get("map", "")[:80], request.GET.get("map_by", "value")[:8]
    query = {k: v for k, v in (("unit", request.GET.get("unit", "")[:20]), ("year", year or ""), ("map", map_code),
                               ("map_by", map_by if "map_by" in request.GET else "")) if v}
    login_next = request.path + (f"?{urlencode(query)}" if query else "")  # a key's parameters only
    fragments = overview_fragments(data=data, unit=unit, year=year, scope=scope, user=request.user,
                                   map_code=map_code, map_by=map_by, login_next=login_next)
    return _respond(request, "dashboard/overview.html", {**data, "unit": unit, "year": year, "scope": scope,
                                                         "fragments": fragments})


@_domain_errors
def unit_detail(request, code):
    unit = indicators.unit_by_code(code[:20])
    if unit.level == UnitLevel.PROVINCE:
        return redirect(f"{reverse('dashboard:overview')}?{urlencode({'unit': unit.code, **request.GET.dict()})}")
    if not request.user.is_authenticated:
        return redirect_to_login(request.get_full_path())
    year = _year(request)
    visible = selectors.viewer_scope(request.user).visible
    selectors.check_detail(request.user, unit, visible)
    data = selectors.unit_page(unit=unit, user=request.user, year=year)
    return _respond(request, "dashboard/unit.html", {
        **data, "unit": unit, "year": year, "ancestors": _ancestors(unit),
        "drill": selectors.drill_down(unit=unit, user=request.user, visible=visible)})


@_domain_errors
def agency_detail(request, identifier_code):
    if not request.user.is_authenticated:
        return redirect_to_login(request.get_full_path())
    agency = selectors.agency_get(identifier_code=identifier_code[:20], user=request.user)
    year = _year(request)
    data = selectors.agency_page(agency=agency, year=year)
    return _respond(request, "dashboard/agency.html", {
        **data, "agency": agency, "unit": agency.unit, "year": year,
        "ancestors": [*_ancestors(agency.unit), agency.unit]})


@_domain_errors
def indicator_detail(request, code):
    indicator = indicators.indicator_get(code=code[:80])
    unit_code = request.GET.get("unit", "").strip()[:20]
    unit = indicators.unit_by_code(unit_code) if unit_code else indicators.default_unit()
    if unit.level != UnitLevel.PROVINCE and not request.user.is_authenticated:
        return redirect_to_login(request.get_full_path())
    spec = request.GET.get("period", "").strip()[:30]
    period = parse_period(spec) if spec else None
    data = selectors.indicator_page(indicator=indicator, unit=unit, user=request.user,
                                    kind=request.GET.get("kind", "")[:8], period=period)
    return _respond(request, "dashboard/indicator.html", {
        **data, "indicator": indicator, "unit": unit,
        "ancestors": _ancestors(unit) if unit.level != UnitLevel.PROVINCE else []})


@_domain_errors
def rankings(request):
    if not request.user.is_authenticated:
        return redirect_to_login(request.get_full_path())
    data = selectors.ranking_page(user=request.user, period_spec=request.GET.get("period", "").strip()[:30],
                                  sort=request.GET.get("sort", "rank")[:80])
    return _respond(request, "dashboard/rankings.html", data)


@_domain_errors
def agency_rankings(request):
    if not request.user.is_authenticated:
        return redirect_to_login(request.get_full_path())
    data = selectors.agency_ranking_page(user=request.user, period_spec=request.GET.get("period", "").strip()[:30],
                                         group=request.GET.get("group", "")[:20],
                                         sort=request.GET.get("sort", "rank")[:80])
    return _respond(request, "dashboard/agency_rankings.html", data)
