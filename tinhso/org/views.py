from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render

from tinhso.core.exceptions import DomainError, ImportFailed, NotFound
from tinhso.core.forms import add_domain_error
from tinhso.core.pagination import page_number, paginate

from . import selectors, services
from .choices import UnitLevel
from .forms import AgencyForm, ImportForm


def _get_or_404(fn, **kwargs):
    try:
        return fn(**kwargs)
    except NotFound as exc:
        raise Http404(exc.message) from exc


def unit_search(request):
    q = request.GET.get("q", "").strip()
    level = request.GET.get("level", "")
    historical = request.GET.get("historical") == "1"
    try:
        qs = selectors.unit_list(search=q, level=level, include_historical=historical)
    except DomainError as exc:
        messages.error(request, exc.message)
        qs = selectors.unit_list(search=q)
    page = paginate(qs, page=page_number(request.GET.get("page")))
    template = "org/_unit_results.html" if request.htmx else "org/unit_search.html"
    return render(request, template, {"page": page, "q": q, "level": level, "historical": historical,
                                      "levels": UnitLevel.choices})


def unit_tree(request):
    provinces = selectors.unit_list(level=UnitLevel.PROVINCE)
    home = selectors.home_province()
    return render(request, "org/unit_tree.html", {"provinces": provinces, "home": home})


def unit_detail(request, code):
    unit = _get_or_404(selectors.unit_get, code=code)
    children = selectors.unit_children(unit=unit)
    context = {
        "unit": unit, "children": children, "predecessors": selectors.unit_predecessors(unit=unit),
        "agencies": selectors.agency_list(unit=unit.code)[:200] if unit.is_current else [],
        "coverage": selectors.digital_team_coverage(unit=unit) if unit.is_current else None,
    }
    return render(request, "org/unit_detail.html", context)


def agency_list(request):
    q = request.GET.get("q", "").strip()
    unit = request.GET.get("unit", "").strip()
    try:
        qs = selectors.agency_list(search=q, unit=unit)
    except NotFound as exc:
        messages.error(request, exc.message)
        qs = selectors.agency_list(search=q)
    page = paginate(qs, page=page_number(request.GET.get("page")))
    return render(request, "org/agency_list.html", {"page": page, "q": q, "unit": unit})


def agency_detail(request, identifier_code):
    agency = _get_or_404(selectors.agency_get, identifier_code=identifier_code)
    children = selectors.agency_list(parent=agency.identifier_code)
    return render(request, "org/agency_detail.html", {"agency": agency, "children": children})


def agency_export(request):
    content = services.agencies_export_csv(agencies=selectors.agency_list(unit=request.GET.get("unit", "")))
    response = HttpResponse(content, content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="co-quan.csv"'
    return response


@login_required
def agency_create(request):
    form = AgencyForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            agency = services.agency_create(actor=request.user, data=form.cleaned_data)
        except DomainError as exc:
            add_domain_error(form, exc)
        else:
            messages.success(request, f"Đã thêm {agency.name}.")
            return redirect("org:agency_detail", identifier_code=agency.identifier_code)
    return render(request, "org/agency_form.html", {"form": form}, status=422 if form.errors else 200)


@login_required
def agency_import(request):
    form = ImportForm(request.POST or None, request.FILES or None)
    line_errors = []
    if request.method == "POST" and form.is_valid():
        try:
            counts = services.agencies_import_csv(actor=request.user, content=form.cleaned_data["file"].read())
        except ImportFailed as exc:
            form.add_error(None, exc.message)
            line_errors = exc.line_errors
        except DomainError as exc:
            add_domain_error(form, exc)
        else:
            messages.success(request, f"Đã nhập {counts['created']} cơ quan mới, cập nhật {counts['updated']}.")
            return redirect("org:agency_list")
    return render(request, "org/agency_import.html", {"form": form, "line_errors": line_errors},
                  status=422 if form.errors else 200)
