"""The open-data portal's pages (Vietnamese): catalogue, dataset, downloads, DCAT, and the administration pages.
Thin: every read is a selector, every change a service."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.http import Http404, HttpResponse, StreamingHttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from tinhso.core.exceptions import DomainError, NotFound, PermissionDenied
from tinhso.core.forms import add_domain_error
from tinhso.core.pagination import page_number

from . import dcat, resources, selectors, services
from .choices import Format, Theme
from .forms import DatasetForm
from .search import SearchQuery

PAGE_SIZE = 20
CHART_ROWS = 50
CHART_SERIES = 4


def _dataset_or_404(request, slug):
    try:
        return selectors.dataset_get(key=slug, user=request.user)
    except NotFound as exc:
        raise Http404(exc.message) from exc


def catalogue(request):
    q = request.GET.get("q", "").strip()[:200]
    publisher = request.GET.get("publisher", "").strip()[:40]
    theme = request.GET.get("theme", "").strip().upper()[:12]
    fmt = request.GET.get("format", "").strip().lower()[:8]
    filters = []
    if publisher:
        filters.append((False, "organization", publisher))
    if theme in Theme.values:
        filters.append((False, "groups", theme))
    if fmt in Format.values:
        filters.append((False, "res_format", fmt))
    page = page_number(request.GET.get("page"))
    query = SearchQuery(text=q, filters=filters, rows=PAGE_SIZE, start=(page - 1) * PAGE_SIZE,
                        facet_fields=["organization", "groups", "res_format"])
    result = selectors.dataset_search(query=query)
    pages = max(1, -(-result.count // PAGE_SIZE))
    context = {"q": q, "publisher": publisher, "theme": theme, "format": fmt, "result": result,
               "facets": result.facets, "page": page, "pages": pages,
               "can_manage": selectors.can_manage(request.user),
               "api_example": request.build_absolute_uri("/api/3/action/package_search") + "?q=" + (q or "dữ liệu")}
    return render(request, "opendata/catalogue.html", context)


def _chart(source, rows) -> dict | None:
    numeric = [i for i, c in enumerate(source.columns) if c.numeric][:CHART_SERIES]
    if not numeric or not rows:
        return None
    labels_from = [i for i, c in enumerate(source.columns) if not c.numeric][:2]
    rows = rows[:CHART_ROWS]
    labels = [" · ".join(str(r[i]) for i in labels_from if r[i] not in (None, "")) or str(n + 1)
              for n, r in enumerate(rows)]
    series = [{"name": source.columns[i].title,
               "data": [float(r[i]) if isinstance(r[i], int | float) and not isinstance(r[i], bool) else None
                        for r in rows]} for i in numeric]
    return {"labels": labels, "series": series}


def dataset_detail(request, slug):
    dataset = _dataset_or_404(request, slug)
    try:
        source, rows = resources.preview(dataset)
        total = resources.row_count(dataset)
    except NotFound as exc:
        raise Http404(exc.message) from exc
    csv_id = selectors.resource_id(dataset, Format.CSV)
    api = request.build_absolute_uri("/api/3/action/")
    context = {
        "dataset": dataset, "source": source, "rows": rows, "total": total, "chart": _chart(source, rows),
        "downloads": [(f.label, reverse("opendata:download", args=[dataset.slug, f.value])) for f in selectors.FORMATS],
        "api_calls": [f"{api}package_show?id={dataset.slug}",
                      f"{api}datastore_search?resource_id={csv_id}&limit=100&offset=0"],
        "python_example": (f'from ckanapi import RemoteCKAN\nportal = RemoteCKAN("{request.build_absolute_uri("/")[:-1]}")\n'
                           f'page = portal.action.datastore_search(resource_id="{csv_id}", limit=1000, offset=0)'),
        "can_manage": selectors.can_manage(request.user),
    }
    return render(request, "opendata/dataset.html", context)


def download(request, slug, fmt):
    dataset = _dataset_or_404(request, slug)
    if fmt not in Format.values:
        raise Http404("Định dạng tải về: csv, json hoặc xlsx.")
    try:
        result = resources.download(dataset, fmt, user=request.user)
    except NotFound as exc:
        raise Http404(exc.message) from exc
    response = StreamingHttpResponse(result.chunks, content_type=result.content_type)
    response["Content-Disposition"] = f'attachment; filename="{result.filename}"'
    response["Access-Control-Allow-Origin"] = "*"
    return response


def _rdf(graph, fmt: str) -> HttpResponse:
    if fmt not in dcat.FORMATS_RDF:
        raise Http404("Định dạng DCAT: jsonld hoặc ttl.")
    body, content_type = dcat.serialize(graph, fmt)
    response = HttpResponse(body, content_type=content_type)
    response["Access-Control-Allow-Origin"] = "*"
    return response


def catalogue_rdf(request, fmt):
    return _rdf(dcat.catalogue_graph(request.build_absolute_uri), fmt)


def dataset_rdf(request, slug, fmt):
    return _rdf(dcat.dataset_graph(_dataset_or_404(request, slug), request.build_absolute_uri), fmt)


# --- administration ---------------------------------------------------------------------------------------------

def _require_manager(request):
    if not selectors.can_manage(request.user):
        raise DjangoPermissionDenied("Chỉ quản trị viên cấp tỉnh được quản lý dữ liệu mở.")


@login_required
def manage(request):
    _require_manager(request)
    datasets = selectors.dataset_list(user=request.user, include_unpublished=True)
    return render(request, "opendata/manage.html", {"datasets": datasets})


@login_required
@require_POST
def manage_sync(request):
    _require_manager(request)
    counts = services.datasets_sync(actor=request.user)
    messages.success(request, f"Đã đồng bộ {counts['sources']} nguồn dữ liệu: {counts['created']} bộ dữ liệu mới "
                              f"(chưa công bố).")
    return redirect("opendata:manage")


@login_required
@require_POST
def manage_publish(request, slug):
    _require_manager(request)
    published = request.POST.get("published") == "1"
    try:
        dataset = services.dataset_publish(actor=request.user, key=slug, published=published)
    except NotFound as exc:
        raise Http404(exc.message) from exc
    except PermissionDenied as exc:
        raise DjangoPermissionDenied(exc.message) from exc
    messages.success(request, f"{'Đã công bố' if published else 'Đã ngừng công bố'} “{dataset.title}”.")
    return redirect("opendata:manage")


@login_required
def manage_edit(request, slug):
    _require_manager(request)
    dataset = _dataset_or_404(request, slug)
    initial = {"title": dataset.title, "description": dataset.description, "licence": dataset.licence,
               "frequency": dataset.frequency, "provenance": dataset.provenance,
               "publisher": dataset.publisher.identifier_code if dataset.publisher_id else "",
               "themes": [t.code for t in dataset.themes.all()], "tags": ", ".join(t.name for t in dataset.tags.all())}
    form = DatasetForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            dataset = services.dataset_update(actor=request.user, key=dataset.slug, data=form.service_data())
        except DomainError as exc:
            add_domain_error(form, exc)
        else:
            messages.success(request, f"Đã lưu mô tả “{dataset.title}”.")
            return redirect("opendata:dataset", slug=dataset.slug)
    return render(request, "opendata/edit.html", {"form": form, "dataset": dataset},
                  status=422 if form.errors else 200)
