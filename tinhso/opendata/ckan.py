"""A CKAN-compatible Action API (read side) over the catalogue: /api/3/action/<name> and /api/action/<name>.

Clients such as ckanapi's RemoteCKAN POST a JSON object (or GET with query parameters) and read the envelope
{"help", "success", "result"}; errors keep CKAN's types and status codes ("Not Found Error" 404, "Validation
Error" 409, "Search Query Error" 400, "Authorization Error" 403, a bad request 400). Shapes follow CKAN 2.10's
package / resource / organization / group dictionaries and its datastore_search (paging by limit/offset with
`_links`, no 1,000-row cap on a resource: any row is reachable page by page).
"""

import json
from collections.abc import Callable
from urllib.parse import urlencode

from django.urls import reverse

from tinhso.core.exceptions import DomainError, NotFound, ValidationError

from . import resources, selectors
from .choices import FORMAT_MEDIA, LICENCE_URLS, Format
from .models import Dataset
from .search import DEFAULT_ROWS, MAX_ROWS, SearchQuery, parse_fq, parse_sort, split_q

CKAN_VERSION = "2.10.4"


class BadRequest(Exception):
    pass


class Links:
    """Absolute URLs of the portal's pages and downloads, from one reverse() per call (a search page builds
    dozens of them; opendata/urls.py defines the same paths)."""

    def __init__(self, absolute: Callable[[str], str]):
        self.portal = absolute(reverse("opendata:catalogue"))

    def dataset(self, slug: str) -> str:
        return f"{self.portal}{slug}/"

    def download(self, slug: str, fmt: str) -> str:
        return f"{self.portal}{slug}/tai-ve.{fmt}"


class Action:
    """One call: the parameters and a way to build absolute URLs."""

    def __init__(self, *, params: dict, absolute: Callable[[str], str], prefix: str):
        self.params = params
        self.absolute = absolute
        self.prefix = prefix  # "/api/3/action/" or "/api/action/"
        self._links = None

    @property
    def links(self) -> Links:
        if self._links is None:
            self._links = Links(self.absolute)
        return self._links

    def get(self, name: str, default=None):
        value = self.params.get(name, default)
        return default if value is None else value

    def require(self, name: str) -> str:
        value = self.params.get(name)
        if value in (None, ""):
            raise ValidationError.for_field(name, "Thiếu giá trị (Missing value).")
        if not isinstance(value, str | int):
            raise ValidationError.for_field(name, "Phải là chuỗi ký tự.")
        return str(value)

    def integer(self, name: str, default: int, *, minimum: int = 0, maximum: int | None = None) -> int:
        value = self.params.get(name)
        if value in (None, ""):
            return default
        try:
            number = int(value)
        except (TypeError, ValueError):
            raise ValidationError.for_field(name, "Phải là số tự nhiên (Must be a natural number).") from None
        if number < minimum:
            raise ValidationError.for_field(name, "Phải là số tự nhiên (Must be a natural number).")
        return min(number, maximum) if maximum is not None else number

    def boolean(self, name: str, default: bool = False) -> bool:
        value = self.params.get(name)
        if value in (None, ""):
            return default
        if isinstance(value, bool):
            return value
        text = str(value).strip().lower()
        if text in ("true", "1", "yes", "on"):
            return True
        if text in ("false", "0", "no", "off"):
            return False
        raise ValidationError.for_field(name, "Phải là true hoặc false.")

    def json_list(self, name: str) -> list[str]:
        value = self.params.get(name)
        if value in (None, ""):
            return []
        if isinstance(value, str):
            try:
                value = json.loads(value)
            except ValueError:
                value = [value]
        if isinstance(value, str):
            value = [value]
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            raise ValidationError.for_field(name, "Phải là danh sách tên trường dạng JSON, ví dụ [\"tags\"].")
        return value


# --- dictionaries -----------------------------------------------------------------------------------------------

def _time(value) -> str | None:
    return value.replace(tzinfo=None).isoformat() if value else None


def organization_dict(agency, *, package_count: int | None = None) -> dict:
    return {"id": agency.identifier_code, "name": selectors.org_name(agency.identifier_code),
            "title": agency.name, "display_name": agency.name, "description": agency.short_name or "",
            "type": "organization", "is_organization": True, "state": "active", "approval_status": "approved",
            "image_url": "", "image_display_url": "", "created": _time(agency.created_at),
            **({"package_count": package_count} if package_count is not None else {})}


def group_dict(theme, *, package_count: int | None = None) -> dict:
    label = theme.get_code_display()
    return {"id": theme.code.lower(), "name": theme.code.lower(), "title": label, "display_name": label,
            "description": "", "type": "group", "is_organization": False, "state": "active",
            "approval_status": "approved", "image_url": "", "image_display_url": "",
            **({"package_count": package_count} if package_count is not None else {})}


def resource_dict(dataset: Dataset, fmt: str, position: int, links: Links) -> dict:
    media, label = FORMAT_MEDIA[fmt][0], Format(fmt).label
    return {"id": selectors.resource_id(dataset, fmt), "package_id": str(dataset.uuid), "position": position,
            "name": f"{dataset.title} ({label})", "description": f"Toàn bộ dữ liệu, định dạng {label}.",
            "format": label, "mimetype": media, "url": links.download(dataset.slug, fmt),
            "url_type": None, "datastore_active": True, "state": "active", "resource_type": None,
            "created": _time(dataset.created_at), "last_modified": _time(dataset.updated_at),
            "metadata_modified": _time(dataset.updated_at), "size": None, "hash": "", "cache_url": None}


def package_dict(dataset: Dataset, links: Links) -> dict:
    deed, _ = LICENCE_URLS[dataset.licence]
    tags = list(dataset.tags.all())
    themes = list(dataset.themes.all())
    org = organization_dict(dataset.publisher) if dataset.publisher_id else None
    res = [resource_dict(dataset, fmt, i, links) for i, fmt in enumerate(selectors.FORMATS)]
    extras = {"frequency": dataset.frequency, "provenance": dataset.provenance,
              "temporal_start": dataset.temporal_start.isoformat() if dataset.temporal_start else "",
              "temporal_end": dataset.temporal_end.isoformat() if dataset.temporal_end else "",
              "spatial": dataset.spatial.name if dataset.spatial_id else "",
              "spatial_code": dataset.spatial.code if dataset.spatial_id else ""}
    return {
        "id": str(dataset.uuid), "name": dataset.slug, "title": dataset.title, "notes": dataset.description,
        "type": "dataset", "state": "active", "private": False, "isopen": True,
        "license_id": dataset.licence, "license_title": dataset.get_licence_display(), "license_url": deed,
        "owner_org": org["id"] if org else None, "organization": org,
        "author": dataset.publisher.name if dataset.publisher_id else "", "author_email": None,
        "maintainer": dataset.publisher.name if dataset.publisher_id else "", "maintainer_email": None,
        "url": links.dataset(dataset.slug), "version": None,
        "metadata_created": _time(dataset.created_at), "metadata_modified": _time(dataset.updated_at),
        "groups": [group_dict(t) for t in themes],
        "tags": [{"id": t.name, "name": t.name, "display_name": t.name, "state": "active", "vocabulary_id": None}
                 for t in tags],
        "num_tags": len(tags), "resources": res, "num_resources": len(res),
        "extras": [{"key": k, "value": v} for k, v in extras.items()], **extras,
        "relationships_as_object": [], "relationships_as_subject": [],
    }


# --- actions ----------------------------------------------------------------------------------------------------

def package_list(a: Action):
    limit = a.integer("limit", 0)
    offset = a.integer("offset", 0)
    names = selectors.dataset_list().values_list("slug", flat=True).order_by("slug")
    return list(names[offset:offset + limit] if limit else names[offset:])


def package_show(a: Action):
    return package_dict(selectors.dataset_get(key=a.require("id")), a.links)


def _search_query(a: Action) -> SearchQuery:
    q = a.get("q", "")
    fq = a.get("fq", "")
    if not isinstance(q, str) or not isinstance(fq, str):
        raise ValidationError.for_field("q" if not isinstance(q, str) else "fq", "Phải là chuỗi ký tự.")
    text, q_filters = split_q(q)
    filters = q_filters + parse_fq(fq)
    for name in a.json_list("fq_list"):
        filters += parse_fq(name, field_name="fq_list")
    sort = a.get("sort", "")
    if not isinstance(sort, str):
        raise ValidationError.for_field("sort", "Phải là chuỗi ký tự.")
    parse_sort(sort)
    facet_fields = a.json_list("facet.field")
    bad = [f for f in facet_fields if f not in selectors.FACET_FIELDS]
    if bad:
        raise ValidationError.for_field("facet.field", f"Không có trường tổng hợp “{bad[0][:40]}”; dùng: "
                                                       f"{', '.join(selectors.FACET_FIELDS)}.")
    if not a.boolean("facet", True):
        facet_fields = []
    return SearchQuery(text=text, filters=filters, rows=a.integer("rows", DEFAULT_ROWS, maximum=MAX_ROWS),
                       start=a.integer("start", 0), sort=sort, facet_fields=facet_fields,
                       facet_limit=a.integer("facet.limit", 50, minimum=-1),
                       facet_mincount=a.integer("facet.mincount", 1))


def package_search(a: Action):
    query = _search_query(a)
    result = selectors.dataset_search(query=query)
    return {
        "count": result.count, "sort": query.sort or "score desc, metadata_modified desc",
        "results": [package_dict(d, a.links) for d in result.datasets],
        "facets": {f: {name: n for name, _, n in items} for f, items in result.facets.items()},
        "search_facets": {f: {"title": f, "items": [{"name": name, "display_name": label, "count": n}
                                                    for name, label, n in items]}
                          for f, items in result.facets.items()},
    }


def organization_list(a: Action):
    all_fields = a.boolean("all_fields", False)
    limit, offset = a.integer("limit", 0), a.integer("offset", 0)
    agencies = list(selectors.publisher_list())
    agencies = agencies[offset:offset + limit] if limit else agencies[offset:]
    if not all_fields:
        return [selectors.org_name(ag.identifier_code) for ag in agencies]
    return [organization_dict(ag, package_count=ag.package_count) for ag in agencies]


def organization_show(a: Action):
    agency = selectors.publisher_get(key=a.require("id"))
    data = organization_dict(agency, package_count=agency.package_count)
    if a.boolean("include_datasets", False):
        datasets = selectors.dataset_list().filter(publisher=agency)[:1000]
        data["packages"] = [package_dict(d, a.links) for d in datasets]
    return data


def group_list(a: Action):
    all_fields = a.boolean("all_fields", False)
    themes = selectors.theme_list()
    limit, offset = a.integer("limit", 0), a.integer("offset", 0)
    themes = themes[offset:offset + limit] if limit else themes[offset:]
    if not all_fields:
        return [t.code.lower() for t, _ in themes]
    return [group_dict(t, package_count=n) for t, n in themes]


def group_show(a: Action):
    key = a.require("id").upper()
    for theme, n in selectors.theme_list():
        if theme.code == key:
            return group_dict(theme, package_count=n)
    raise NotFound(f"Không có nhóm (chủ đề) “{key[:40]}”.")


def tag_list(a: Action):
    query = a.get("query", "")
    if not isinstance(query, str):
        raise ValidationError.for_field("query", "Phải là chuỗi ký tự.")
    names = selectors.tag_list(query=query)
    if a.boolean("all_fields", False):
        return [{"id": n, "name": n, "display_name": n, "vocabulary_id": None} for n in names]
    return names


def resource_show(a: Action):
    dataset, fmt = selectors.resource_get(resource_id=a.require("id"))
    return resource_dict(dataset, fmt, selectors.FORMATS.index(fmt), a.links)


def datastore_search(a: Action):
    resource = a.require("resource_id")
    dataset, _ = selectors.resource_get(resource_id=resource)
    filters = a.get("filters")
    if isinstance(filters, str) and filters:
        try:
            filters = json.loads(filters)
        except ValueError:
            raise ValidationError.for_field("filters", "Bộ lọc phải là JSON {cột: giá trị}.") from None
    fields = a.get("fields")
    page = resources.datastore_search(dataset, limit=a.get("limit"), offset=a.get("offset"), q=a.get("q", ""),
                                      filters=filters, fields=fields)
    base = {"resource_id": resource}
    if page["limit"] != resources.DATASTORE_DEFAULT_LIMIT:
        base["limit"] = page["limit"]
    for name in ("q", "fields"):
        if a.get(name):
            base[name] = a.get(name) if isinstance(a.get(name), str) else json.dumps(a.get(name))
    if filters:
        base["filters"] = json.dumps(filters, ensure_ascii=False)
    path = a.prefix + "datastore_search"
    links = {"start": f"{path}?{urlencode(base)}"}
    if page["limit"] and page["offset"] + page["limit"] < page["total"]:
        links["next"] = f"{path}?{urlencode({**base, 'offset': page['offset'] + page['limit']})}"
    if page["offset"] > 0:
        links["prev"] = f"{path}?{urlencode({**base, 'offset': max(0, page['offset'] - page['limit'])})}"
    return {"resource_id": resource, "include_total": True, "records_format": "objects", **page, "_links": links}


def status_show(a: Action):
    return {"ckan_version": CKAN_VERSION, "site_title": "Cổng dữ liệu mở — Tỉnh Số",
            "site_description": "Dữ liệu mở của tỉnh, cập nhật trực tiếp từ nền tảng Tỉnh Số.",
            "site_url": a.absolute("/"), "locale_default": "vi", "extensions": ["datastore", "dcat"]}


ACTIONS: dict[str, Callable[[Action], object]] = {
    "package_list": package_list, "package_show": package_show, "package_search": package_search,
    "organization_list": organization_list, "organization_show": organization_show,
    "group_list": group_list, "group_show": group_show, "tag_list": tag_list, "resource_show": resource_show,
    "datastore_search": datastore_search, "status_show": status_show,
}


def error_body(exc: Exception) -> tuple[int, dict]:
    """CKAN's error type and HTTP status for a failure."""
    from .search import SearchQueryError

    if isinstance(exc, BadRequest):
        return 400, {"__type": "Bad Request", "message": f"Bad request - {exc}"}
    if isinstance(exc, SearchQueryError):
        return 400, {"__type": "Search Query Error", "message": f"Search Query is invalid: {exc.message}",
                     **exc.field_errors}
    if isinstance(exc, NotFound):
        return 404, {"__type": "Not Found Error", "message": f"Not found: {exc.message}"}
    if isinstance(exc, ValidationError):
        return 409, {"__type": "Validation Error", "message": exc.message, **exc.field_errors}
    if isinstance(exc, DomainError) and exc.status_code == 403:
        return 403, {"__type": "Authorization Error", "message": f"Access denied: {exc.message}"}
    if isinstance(exc, DomainError):
        return 409, {"__type": "Validation Error", "message": exc.message, **exc.field_errors}
    raise exc
