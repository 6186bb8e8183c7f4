"""A dataset's rows: streamed downloads (CSV, JSON, XLSX through core.exports) and datastore-style pages."""

from collections.abc import Iterator
from dataclasses import dataclass

from django.core.exceptions import EmptyResultSet
from django.db import connection, connections, router

from tinhso.core import exports
from tinhso.core.exceptions import ValidationError
from tinhso.core.replica import replica_reads, replica_stream
from tinhso.core.text import fold

from .choices import FORMAT_MEDIA, ColumnType, Format
from .models import Dataset
from .registry import Source
from .selectors import source_of

DATASTORE_DEFAULT_LIMIT = 100
DATASTORE_MAX_LIMIT = 32_000  # CKAN's ckan.datastore.search.rows_max default; more rows come by paging
PREVIEW_ROWS = 20


@dataclass
class Download:
    content_type: str
    filename: str
    chunks: Iterator[bytes]


def download(dataset: Dataset, fmt: str, *, user=None) -> Download:
    """The file of a dataset, streamed; its rows may be read from the standby (`replica_stream`), as the preview and
    datastore_search are (published data: a few seconds' lag is acceptable)."""
    source = source_of(dataset)
    names = [c.name for c in source.columns]
    if fmt == Format.CSV:
        text = [i for i, c in enumerate(source.columns) if c.type in (ColumnType.TEXT, ColumnType.DATE)]
        if source.select_sql is not None and connection.vendor == "postgresql":
            def make():
                return _copy(source, names, text)
        else:
            def make():
                return exports.csv_stream(names, source.rows(), text_columns=text)
        content_type = "text/csv; charset=utf-8"
    elif fmt == Format.JSON:
        def make():
            return exports.json_stream(names, source.rows())
        content_type = "application/json; charset=utf-8"
    elif fmt == Format.XLSX:
        def make():
            return exports.xlsx_stream(names, source.rows(), sheet_title="Dữ liệu")
        content_type = FORMAT_MEDIA[Format.XLSX][0]
    else:
        raise ValidationError.for_field("format", "Định dạng tải về: csv, json hoặc xlsx.")
    return Download(content_type=content_type, filename=f"{dataset.slug}.{fmt}",
                    chunks=replica_stream(make, user=user))


def _copy(source: Source, names: list[str], text: list[int]):
    """PostgreSQL writes the CSV (COPY): the SQL is compiled when the response starts, so it reads live rows."""
    try:
        sql, params = source.select_sql()
    except EmptyResultSet:  # a queryset that can match nothing (e.g. no province configured)
        yield from exports.csv_stream(names, iter(()), text_columns=text)
        return
    # The connection the router reads from in this step of the stream: the standby inside `replica_stream`.
    database = connections[router.db_for_read(Dataset)]
    yield from exports.csv_copy_stream(database, names, sql, params, text_columns=text)


# Published rows are read-only and a few seconds' lag is acceptable for open data: the preview, the row count and
# datastore_search may be answered by the read replica (tinhso.core.replica), like the dossier statistics. Each
# materialises its rows inside the call, so every read happens within the replica block.
@replica_reads
def preview(dataset: Dataset, limit: int = PREVIEW_ROWS) -> tuple[Source, list[tuple]]:
    source = source_of(dataset)
    return source, list(source.rows(0, limit))


@replica_reads
def row_count(dataset: Dataset) -> int:
    return source_of(dataset).count()


# --- datastore_search -------------------------------------------------------------------------------------------

def _bounded(value, name: str, default: int, maximum: int | None = None) -> int:
    if value is None or value == "":
        return default
    try:
        number = int(value)
    except (TypeError, ValueError):
        raise ValidationError.for_field(name, "Phải là số nguyên không âm.") from None
    if number < 0:
        raise ValidationError.for_field(name, "Phải là số nguyên không âm.")
    return min(number, maximum) if maximum is not None else number


def _json_value(value):
    if hasattr(value, "isoformat"):
        return value.isoformat()
    if value.__class__.__name__ == "Decimal":
        return float(value)
    return value


@replica_reads
def datastore_search(dataset: Dataset, *, limit=None, offset=None, q="", filters=None, fields=None) -> dict:
    """One page of rows with the total, CKAN datastore style ('_id' is the row number, from 1)."""
    source = source_of(dataset)
    limit = _bounded(limit, "limit", DATASTORE_DEFAULT_LIMIT, DATASTORE_MAX_LIMIT)
    offset = _bounded(offset, "offset", 0)
    names = [c.name for c in source.columns]
    if filters in (None, ""):
        filters = {}
    if not isinstance(filters, dict):
        raise ValidationError.for_field("filters", "Bộ lọc phải là một đối tượng JSON {cột: giá trị}.")
    unknown = [k for k in filters if k not in names]
    if unknown:
        raise ValidationError.for_field("filters", f"Không có cột “{str(unknown[0])[:60]}”.")
    if fields in (None, ""):
        chosen = names
    else:
        chosen = [f.strip() for f in fields.split(",")] if isinstance(fields, str) else fields
        if not isinstance(chosen, list) or any(not isinstance(f, str) or f not in names for f in chosen):
            raise ValidationError.for_field("fields", "Danh sách cột không hợp lệ.")
    if not isinstance(q, str):
        raise ValidationError.for_field("q", "Phải là chuỗi ký tự.")
    positions = [names.index(f) for f in chosen]
    if filters or q.strip():
        matched = _matching(source, names, filters, q)
        total = None
        rows, n = [], 0
        for n, row in enumerate(matched, start=1):  # noqa: B007 — n is the total after the loop
            if offset < n <= offset + limit:
                rows.append((n, row))
        total = n
    else:
        total = source.count()
        rows = list(enumerate(source.rows(offset, limit), start=offset + 1))
    records = [{"_id": i, **{names[p]: _json_value(row[p]) for p in positions}} for i, row in rows]
    by_name = {c.name: c for c in source.columns}
    return {"fields": [{"id": "_id", "type": "int"}]
            + [{"id": f, "type": by_name[f].type, "info": {"label": by_name[f].title}} for f in chosen],
            "records": records, "total": total, "limit": limit, "offset": offset}


def _matching(source: Source, names: list[str], filters: dict, q: str) -> Iterator[tuple]:
    wanted = {}
    for key, value in filters.items():
        values = value if isinstance(value, list) else [value]
        wanted[names.index(key)] = {_comparable(v) for v in values}
    words = fold(q).split()
    for row in source.rows():
        if any(_comparable(row[i]) not in accepted for i, accepted in wanted.items()):
            continue
        if words:
            text = " " + fold(" ".join(str(v) for v in row if v is not None)) + " "
            if not all(f" {w}" in text for w in words):
                continue
        yield row


def _comparable(value) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(_json_value(value))
