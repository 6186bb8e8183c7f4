"""The catalogue's search: CKAN's package_search parameters parsed into one query, applied to the Dataset table.

Text (`q`) matches every folded word at a word start of the title, name, description and tags, so a query typed
with or without diacritics finds the same datasets ("du lieu" = "dữ liệu"). Filters (`fq`) take the Solr subset
CKAN clients send: space- or AND-separated `field:value` clauses (a value may be "quoted"; a leading `-` excludes;
`+` is accepted), on the fields organization, owner_org, groups, tags, res_format, license_id, name, id and
frequency. Anything else in `fq` is a Search Query Error, never a silent partial filter.
"""

import re
import uuid
from dataclasses import dataclass, field

from django.db.models import Q, QuerySet

from tinhso.core.exceptions import ValidationError
from tinhso.core.text import fold
from tinhso.org.filters import word_prefix_search

from .choices import Format

MAX_ROWS = 1000  # CKAN's ckan.search.rows_max default; paging goes on with `start`
DEFAULT_ROWS = 10
FILTER_FIELDS = ("organization", "owner_org", "groups", "tags", "res_format", "license_id", "name", "id",
                 "frequency")
SORT_FIELDS = {"score": None, "name": "slug", "title_string": "title", "title": "title",
               "metadata_modified": "updated_at", "metadata_created": "created_at"}
_CLAUSE = re.compile(r'\s*(?P<sign>[+-]?)(?P<field>[A-Za-z_]+):(?P<value>"(?:[^"\\]|\\.)*"|[^\s"()]+)\s*')


class SearchQueryError(ValidationError):
    """A q / fq CKAN cannot parse either (CKAN answers "Search Query Error")."""

    code = "search_query_error"
    status_code = 400


@dataclass
class SearchQuery:
    text: str = ""
    filters: list[tuple[bool, str, str]] = field(default_factory=list)  # (exclude, field, value)
    rows: int = DEFAULT_ROWS
    start: int = 0
    sort: str = ""
    facet_fields: list[str] = field(default_factory=list)
    facet_limit: int = 50
    facet_mincount: int = 1


def parse_fq(fq: str, *, field_name: str = "fq") -> list[tuple[bool, str, str]]:
    """'organization:000-00-00-h56 +groups:gove -tags:"thủ tục"' → [(False, 'organization', ...), ...]."""
    text = (fq or "").strip()
    clauses, pos = [], 0
    while pos < len(text):
        if text.startswith("AND ", pos) or text.startswith("and ", pos):
            pos += 4
            continue
        match = _CLAUSE.match(text, pos)
        if match is None:
            raise SearchQueryError.for_field(field_name, f"Biểu thức lọc không hợp lệ ở vị trí {pos + 1}: "
                                                         f"“{text[pos:pos + 40]}”. Dùng dạng trường:giá_trị.")
        name = match["field"]
        if name not in FILTER_FIELDS:
            raise SearchQueryError.for_field(
                field_name, f"Không lọc được theo trường “{name}”; dùng: {', '.join(FILTER_FIELDS)}.")
        value = match["value"]
        if value.startswith('"'):
            value = re.sub(r"\\(.)", r"\1", value[1:-1])
        clauses.append((match["sign"] == "-", name, value))
        pos = match.end()
    return clauses


def split_q(q: str) -> tuple[str, list[tuple[bool, str, str]]]:
    """CKAN clients put `field:value` in q too (`q=tags:economy`); '*:*' means everything."""
    q = (q or "").strip()
    if q in ("*:*", "*"):
        return "", []
    words, filters = [], []
    for token in re.findall(r'[+-]?[A-Za-z_]+:(?:"[^"]*"|\S+)|\S+', q):
        head = token.lstrip("+-").split(":", 1)[0]
        if ":" in token and head in FILTER_FIELDS:
            filters.extend(parse_fq(token, field_name="q"))
        else:
            words.append(token)
    return " ".join(words), filters


def _condition(name: str, value: str) -> Q:
    if name in ("organization", "owner_org"):
        code = value.upper().replace("-", ".")
        return Q(publisher__identifier_code=code)
    if name == "groups":
        return Q(themes__code=value.upper())
    if name == "tags":
        return Q(tags__name=value) | Q(tags__name__iexact=value)
    if name == "res_format":
        return Q() if value.lower() in Format.values else Q(pk__in=[])
    if name == "license_id":
        return Q(licence=value)
    if name == "name":
        return Q(slug=value)
    if name == "id":
        try:
            return Q(uuid=uuid.UUID(value))
        except ValueError:
            return Q(pk__in=[])
    return Q(frequency=value.upper())  # frequency


def apply_filters(qs: QuerySet, query: SearchQuery) -> QuerySet:
    for exclude, name, value in query.filters:
        condition = _condition(name, value)
        if name in ("groups", "tags"):  # many-valued: filter through a subquery to keep one row per dataset
            matching = qs.model.objects.filter(condition).values("pk")
            qs = qs.exclude(pk__in=matching) if exclude else qs.filter(pk__in=matching)
        else:
            qs = qs.exclude(condition) if exclude else qs.filter(condition)
    return qs


def apply_text(qs: QuerySet, text: str) -> QuerySet:
    if not fold(text):
        return qs
    return word_prefix_search(qs, text)


def parse_sort(sort: str) -> list[str]:
    """'score desc, metadata_modified desc' → order_by fields; unknown fields are a validation error."""
    order: list[str] = []
    for part in (sort or "").split(","):
        bits = part.split()
        if not bits:
            continue
        name, direction = bits[0], (bits[1].lower() if len(bits) > 1 else "asc")
        if name not in SORT_FIELDS or direction not in ("asc", "desc") or len(bits) > 2:
            raise ValidationError.for_field(
                "sort", f"Không sắp xếp được theo “{part.strip()[:60]}”; dùng: {', '.join(SORT_FIELDS)} asc|desc.")
        column = SORT_FIELDS[name]
        if column is None:
            order.append("search_rank" if direction == "desc" else "-search_rank")
        else:
            order.append(column if direction == "asc" else f"-{column}")
    return order


def apply_sort(qs: QuerySet, sort: str) -> QuerySet:
    order = parse_sort(sort) or parse_sort("score desc, metadata_modified desc")
    if "search_rank" not in qs.query.annotations:
        order = [o for o in order if o.lstrip("-") != "search_rank"]
    return qs.order_by(*order, "title", "pk")
