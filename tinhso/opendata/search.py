"""The catalogue's search: CKAN's package_search parameters parsed into one query, applied to the Dataset table.

Text (`q`) matches every folded word at a word start of the title, name, description and tags, so a query typed
with or without diacritics finds the same datasets ("du lieu" = "dữ liệu"). Filters (`fq`) take the Solr subset
CKAN clients send: space- or AND-separated `field:value` clauses (a value may be "quoted"; a leading `-` excludes;
`+` is accepted), on the fields organization, owner_org, groups, tags, res_format, license_id, name, id and
frequency. Anything else in `fq` is a Search Query Error, never a silent partial filter.
"""

import heapq
import re
import threading
from dataclasses import dataclass, field, replace

from django.db.models import Count, Max

from tinhso.core.exceptions import ValidationError
from tinhso.core.text import fold

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


# --- the in-memory index of the published catalogue ------------------------------------------------------------
#
# package_search answers from a per-process index of the published datasets (a few hundred bytes each), rebuilt
# only when one cheap signature query sees a change (count and last change of the published datasets, last change
# of an agency): the text match, the filters, the facets, the sort and the page are computed in Python, the same on
# PostgreSQL and SQLite, and only the page's datasets are then read from the database.

@dataclass(frozen=True)
class Entry:
    pk: int
    uuid: str
    slug: str
    title: str
    search_key: str
    name_key: str
    short_key: str
    publisher: str  # identifier code, "" when none
    publisher_name: str
    themes: tuple[str, ...]
    tags: tuple[str, ...]
    tags_folded: tuple[str, ...]
    licence: str
    frequency: str
    created: float
    updated: float
    title_rank: int = 0  # position in (title, pk) order: the final tie-break of every sort


@dataclass
class Index:
    signature: tuple
    entries: list[Entry]


_index_lock = threading.Lock()
_index: dict[str, Index] = {}


def _signature() -> tuple:
    from tinhso.org.models import Agency

    from .models import Dataset

    published = Dataset.objects.filter(is_published=True).aggregate(n=Count("pk"), last=Max("updated_at"))
    return published["n"], published["last"], Agency.objects.aggregate(last=Max("updated_at"))["last"]


def catalogue_index() -> Index:
    signature = _signature()
    current = _index.get("catalogue")
    if current is not None and current.signature == signature:
        return current
    with _index_lock:
        current = _index.get("catalogue")
        if current is None or current.signature != signature:
            current = _index["catalogue"] = _build(signature)
    return current


def _build(signature: tuple) -> Index:
    from .models import Dataset

    published = Dataset.objects.filter(is_published=True)
    tags, themes = {}, {}
    for dataset_id, name in Dataset.tags.through.objects.filter(dataset__is_published=True).values_list(
            "dataset_id", "datasettag__name").order_by("datasettag__name"):
        tags.setdefault(dataset_id, []).append(name)
    for dataset_id, code in Dataset.themes.through.objects.filter(dataset__is_published=True).values_list(
            "dataset_id", "datasettheme__code").order_by("datasettheme__code"):
        themes.setdefault(dataset_id, []).append(code)
    rows = published.values_list("pk", "uuid", "slug", "title", "search_key", "name_key", "short_key",
                                 "publisher__identifier_code", "publisher__name", "licence", "frequency",
                                 "created_at", "updated_at")
    entries = [Entry(pk=pk, uuid=str(uid), slug=slug, title=title, search_key=key, name_key=name_key,
                     short_key=short_key, publisher=code or "", publisher_name=pub_name or "",
                     themes=tuple(themes.get(pk, ())), tags=tuple(tags.get(pk, ())),
                     tags_folded=tuple(t.casefold() for t in tags.get(pk, ())), licence=licence,
                     frequency=frequency, created=created.timestamp(), updated=updated.timestamp())
               for (pk, uid, slug, title, key, name_key, short_key, code, pub_name, licence, frequency, created,
                    updated) in rows.iterator(chunk_size=5000)]
    ordered = sorted(entries, key=lambda e: (e.title, e.pk))
    ranked = [replace(e, title_rank=i) for i, e in enumerate(ordered)]
    return Index(signature=signature, entries=ranked)


def _matcher(name: str, value: str):
    if name in ("organization", "owner_org"):
        code = value.upper().replace("-", ".")
        return lambda e: e.publisher == code
    if name == "groups":
        code = value.upper()
        return lambda e: code in e.themes
    if name == "tags":
        folded = value.casefold()
        return lambda e: folded in e.tags_folded
    if name == "res_format":
        every = value.lower() in Format.values  # every dataset has every format
        return lambda e: every
    if name == "license_id":
        return lambda e: e.licence == value
    if name == "name":
        return lambda e: e.slug == value
    if name == "id":
        return lambda e: e.uuid == value.lower()
    frequency = value.upper()
    return lambda e: e.frequency == frequency


def filter_entries(entries: list[Entry], query: "SearchQuery") -> list[tuple[int, Entry]]:
    """(rank, entry) of the entries matching the filters and every text word at a word start (rank as
    org.filters.word_prefix_search: 0 exact name, 1 whole phrase as words, 2 phrase at a word start, 3 the rest)."""
    tests = [(exclude, _matcher(name, value)) for exclude, name, value in query.filters]
    words = fold(query.text).split()
    candidates = entries
    for word in words:  # substring tests run in C; each word narrows the list
        needle = f" {word}"
        candidates = [e for e in candidates if needle in e.search_key]
    for exclude, test in tests:
        candidates = [e for e in candidates if test(e) != exclude]
    if not words:
        return [(0, e) for e in candidates]
    phrase = " ".join(words)
    framed, starting = f" {phrase} ", f" {phrase}"
    return [(0 if phrase == e.name_key or phrase == e.short_key else
             1 if framed in e.search_key else 2 if starting in e.search_key else 3, e) for e in candidates]


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


_SORT_KEYS = {"search_rank": lambda m: m[0], "slug": lambda m: m[1].slug, "title": lambda m: m[1].title_rank,
              "updated_at": lambda m: m[1].updated, "created_at": lambda m: m[1].created}


def sort_entries(matched: list[tuple[int, Entry]], sort: str, *, limit: int | None = None) -> list[Entry]:
    """The entries in the requested order (ties by title, then id); with `limit`, only the first `limit`."""
    order = parse_sort(sort) or parse_sort("score desc, metadata_modified desc")
    keys = []
    for name in order:
        key, descending = _SORT_KEYS[name.lstrip("-")], name.startswith("-")
        if descending and name.lstrip("-") == "slug":
            keys = None  # text descending: no numeric negation; fall back to stable passes
            break
        keys.append((lambda k: (lambda m: -k(m)))(key) if descending else key)
    if keys is None:
        rows = sorted(matched, key=lambda m: m[1].title_rank)
        for name in reversed(order):
            rows.sort(key=_SORT_KEYS[name.lstrip("-")], reverse=name.startswith("-"))
        rows = rows[:limit] if limit is not None else rows
    else:
        def composite(m):
            return (*(k(m) for k in keys), m[1].title_rank)

        rows = heapq.nsmallest(limit, matched, key=composite) if limit is not None else sorted(matched, key=composite)
    return [entry for _, entry in rows]
