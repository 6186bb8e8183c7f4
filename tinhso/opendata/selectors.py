"""Every read of the open-data catalogue, for the pages, the CKAN Action API, DCAT and the Ninja API.

Visibility: published datasets are public; unpublished ones are seen only by a province administrator (the person
who publishes them). Rows are read live from the dataset's registered source (registry.py).
"""

import uuid
from collections import Counter
from dataclasses import dataclass

from django.db.models import Count, OuterRef, Prefetch, Q, QuerySet, Subquery

from tinhso.accounts import scoping
from tinhso.core.exceptions import NotFound, PermissionDenied
from tinhso.org.models import Agency

from . import registry
from .choices import Format
from .models import Dataset, DatasetTag, DatasetTheme
from .search import SearchQuery, catalogue_index, filter_entries, sort_entries

FORMATS = [Format.CSV, Format.JSON, Format.XLSX]


def can_manage(user) -> bool:
    """Publishing is the province administrator's decision (and a superuser's)."""
    return bool(getattr(user, "is_authenticated", False)) and (
        user.is_superuser or scoping.is_province_admin(user))


def require_manager(user) -> None:
    if not getattr(user, "is_authenticated", False):
        raise PermissionDenied("Cần đăng nhập với vai trò quản trị tỉnh.")
    if not can_manage(user):
        raise PermissionDenied("Chỉ quản trị viên cấp tỉnh được công bố và mô tả dữ liệu mở.")


def _base(user=None) -> QuerySet:
    qs = Dataset.objects.select_related("publisher", "spatial").prefetch_related(
        Prefetch("themes", queryset=DatasetTheme.objects.order_by("code")),
        Prefetch("tags", queryset=DatasetTag.objects.order_by("name")))
    if user is None or not can_manage(user):
        qs = qs.filter(is_published=True)
    return qs


def dataset_list(*, user=None, include_unpublished: bool = False) -> QuerySet:
    """Published datasets; with include_unpublished, every dataset (province administrators only)."""
    if include_unpublished:
        require_manager(user)
        return _base(user).order_by("title", "pk")
    return _base(None).order_by("title", "pk")


def dataset_get(*, key: str, user=None) -> Dataset:
    """By slug (CKAN name) or UUID (CKAN id). Unpublished datasets are hidden except from their managers."""
    key = (key or "").strip().replace("\x00", "")[:200]
    qs = _base(user)
    dataset = qs.filter(slug=key).first()
    if dataset is None and (parsed := _uuid(key)) is not None:
        dataset = qs.filter(uuid=parsed).first()
    if dataset is None:
        raise NotFound(f"Không có bộ dữ liệu “{key}”.")
    return dataset


def _uuid(text: str) -> uuid.UUID | None:
    try:
        return uuid.UUID(text) if len(text) == 36 else None
    except ValueError:
        return None


def system_dataset_get(*, key: str) -> Dataset:
    """Any dataset, published or not: for the system itself (demo, command line), never for a request."""
    dataset = Dataset.objects.select_related("publisher", "spatial").filter(slug=key).first()
    if dataset is None:
        raise NotFound(f"Không có bộ dữ liệu “{key}”.")
    return dataset


def resource_id(dataset: Dataset, fmt: str) -> str:
    return f"{dataset.uuid}-{fmt}"


def resource_get(*, resource_id: str, user=None) -> tuple[Dataset, str]:
    """A resource id is the dataset's UUID and the format: '<uuid>-csv'."""
    key = (resource_id or "").replace("\x00", "").strip()
    base, _, fmt = key.rpartition("-")
    if fmt not in FORMATS or len(base) != 36:
        raise NotFound(f"Không có tài nguyên “{key[:100]}”.")
    parsed = _uuid(base)
    dataset = _base(user).filter(uuid=parsed).first() if parsed is not None else None
    if dataset is None:
        raise NotFound(f"Không có tài nguyên “{key[:100]}”.")
    return dataset, fmt


def source_of(dataset: Dataset) -> registry.Source:
    source = registry.get(dataset.source_key)
    if source is None:
        raise NotFound(f"Nguồn dữ liệu “{dataset.source_key}” của bộ dữ liệu chưa được đăng ký.")
    return source


@dataclass
class SearchResult:
    count: int
    datasets: list[Dataset]
    facets: dict[str, list[tuple[str, str, int]]]  # field -> [(value, display name, count)]


FACET_FIELDS = ("organization", "groups", "tags", "res_format", "license_id")


def dataset_search(*, query: SearchQuery, user=None) -> SearchResult:
    """The catalogue search behind package_search and the catalogue page: text, filters, facets, sort, page.
    Answered from the in-memory index of the published catalogue (search.py); only the page is read here."""
    index = catalogue_index()
    matched = filter_entries(index.entries, query)
    facets = {f: _facet([e for _, e in matched], f, query.facet_limit, query.facet_mincount)
              for f in query.facet_fields}
    first = sort_entries(matched, query.sort, limit=query.start + query.rows) if query.rows else []
    page = [e.pk for e in first[query.start:]]
    by_pk = {d.pk: d for d in _base(None).filter(pk__in=page)}
    return SearchResult(count=len(matched), datasets=[by_pk[pk] for pk in page if pk in by_pk], facets=facets)


def _facet(entries: list, field: str, limit: int, mincount: int) -> list[tuple[str, str, int]]:
    counts: Counter = Counter()
    labels: dict[str, str] = {}
    if field == "organization":
        for e in entries:
            if e.publisher:
                counts[e.publisher] += 1
                labels[e.publisher] = e.publisher_name
        items = [(org_name(code), labels[code], n) for code, n in counts.items()]
    elif field == "groups":
        counts.update(code for e in entries for code in e.themes)
        items = [(code.lower(), DatasetTheme(code=code).get_code_display(), n) for code, n in counts.items()]
    elif field == "tags":
        counts.update(tag for e in entries for tag in e.tags)
        items = [(tag, tag, n) for tag, n in counts.items()]
    elif field == "res_format":
        items = [(f.label, f.label, len(entries)) for f in FORMATS] if entries else []
    else:  # license_id
        counts.update(e.licence for e in entries)
        items = [(code, Dataset(licence=code).get_licence_display(), n) for code, n in counts.items()]
    items = [i for i in items if i[2] >= mincount]
    items.sort(key=lambda i: (-i[2], i[1]))
    return items[:limit] if limit >= 0 else items


def org_name(identifier_code: str) -> str:
    """A CKAN organization name (lowercase, dashes) from an identifier code: 000.00.00.H56 → 000-00-00-h56."""
    return (identifier_code or "").lower().replace(".", "-")


def publisher_list() -> QuerySet:
    """Agencies that publish at least one published dataset, with their dataset counts."""
    published = Dataset.objects.filter(is_published=True)
    counts = (published.filter(publisher=OuterRef("pk")).order_by().values("publisher")
              .annotate(n=Count("pk")).values("n"))
    return (Agency.objects.filter(pk__in=published.values("publisher_id"))
            .annotate(package_count=Subquery(counts)).order_by("identifier_code"))


def publisher_get(*, key: str) -> Agency:
    key = (key or "").replace("\x00", "").strip()[:100]
    code = key.upper().replace("-", ".")
    agency = publisher_list().filter(Q(identifier_code=code) | Q(identifier_code=key.upper())).first()
    if agency is None:
        raise NotFound(f"Không có tổ chức công bố “{key}”.")
    return agency


def dataset_counts_by_publisher() -> dict[int, int]:
    return dict(Dataset.objects.filter(is_published=True).values_list("publisher_id")
                .annotate(n=Count("pk")).values_list("publisher_id", "n"))


def theme_list() -> list[tuple[DatasetTheme, int]]:
    """Themes with at least one published dataset, with their counts."""
    rows = (DatasetTheme.objects.filter(datasets__is_published=True)
            .annotate(n=Count("datasets", filter=Q(datasets__is_published=True))).order_by("code"))
    return [(t, t.n) for t in rows]


def tag_list(*, query: str = "") -> list[str]:
    qs = DatasetTag.objects.filter(datasets__is_published=True).distinct().order_by("name")
    names = list(qs.values_list("name", flat=True))
    if query:
        from tinhso.core.text import fold

        q = fold(query)
        names = [n for n in names if q in fold(n)]
    return names
