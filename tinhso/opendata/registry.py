"""The registry of open-data sources: tables that code publishes live from the platform's own data.

A source names its columns and yields its rows lazily, page by page, from the live tables (through the owning
domain's selectors), so a dataset is always as fresh as the data it is read from and any size streams with flat
memory. A source never publishes personal data: aggregates, catalogues and registries only.

How a domain registers its datasets (feedback, documents, …):

1. Write a module at the sharing floor — `tinhso/opendata/sources/<domain>.py`, or a module of another app on
   this floor — that reads the domain through its selectors and calls `register(Source(...))` at import time
   (see `tinhso/opendata/sources/builtin.py`; `queryset_source` builds one from a queryset).
2. Name the module in `BUILTIN_MODULES` below, or in the setting `TINHSO_OPENDATA_SOURCES` (a list of dotted
   module paths) to add sources without touching this app. `OpendataConfig.ready()` imports them all.
3. `tinhso manage opendata_sync` (the demo runs it; a province administrator can press “Đồng bộ nguồn” on the
   administration page) creates a Dataset row, unpublished, for each new source; a province administrator then
   describes and publishes it.

The lower, operational apps never import this module (the measured never imports the sharer): the module that
registers their source lives up here and reads them.
"""

import importlib
import itertools
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from datetime import date

from django.conf import settings

from .choices import ColumnType, Frequency, Theme

BUILTIN_MODULES = ["tinhso.opendata.sources.builtin"]


@dataclass(frozen=True)
class Column:
    name: str
    title: str
    type: str = ColumnType.TEXT
    description: str = ""

    @property
    def numeric(self) -> bool:
        return self.type in (ColumnType.INTEGER, ColumnType.NUMBER)


@dataclass(frozen=True)
class Source:
    """A table published as a dataset.

    `fetch(offset, limit)` yields tuples in column order, in a stable order, starting at `offset` (limit None: to
    the end); `count()` is the number of rows. `temporal()` gives the (first, last) day the rows cover, live.
    The other fields are the dataset's defaults when its row is first created; the administrator may edit them.
    """

    key: str
    title: str
    description: str
    columns: tuple[Column, ...]
    fetch: Callable[[int, int | None], Iterable[tuple]]
    count: Callable[[], int]
    themes: tuple[str, ...] = (Theme.GOVE,)
    tags: tuple[str, ...] = ()
    frequency: str = Frequency.UPDATE_CONT
    provenance: str = ""
    temporal: Callable[[], tuple[date | None, date | None]] | None = None
    # Optional: the rows as one SQL SELECT (sql, params) in column order, for PostgreSQL to write the CSV itself
    # (core.exports.csv_copy_stream); only when its values are the rows' values as they are (no Python convert).
    select_sql: Callable[[], tuple[str, list]] | None = None
    spatial_is_province: bool = True
    slug: str = ""

    @property
    def dataset_slug(self) -> str:
        return self.slug or self.key

    def rows(self, offset: int = 0, limit: int | None = None) -> Iterator[tuple]:
        return iter(self.fetch(max(0, offset), limit))


_SOURCES: dict[str, Source] = {}
_loaded = {"done": False}


def register(source: Source) -> Source:
    """Add (or replace, on reload) a source. Keys are unique; a slug must be a valid URL slug."""
    _SOURCES[source.key] = source
    return source


def load_modules() -> None:
    """Import the built-in source modules and those named in settings.TINHSO_OPENDATA_SOURCES (once)."""
    if _loaded["done"]:
        return
    for path in [*BUILTIN_MODULES, *getattr(settings, "TINHSO_OPENDATA_SOURCES", [])]:
        importlib.import_module(path)
    _loaded["done"] = True


def sources() -> list[Source]:
    load_modules()
    return list(_SOURCES.values())


def get(key: str) -> Source | None:
    load_modules()
    return _SOURCES.get(key)


def slice_rows(rows: Iterable[tuple], offset: int, limit: int | None) -> Iterator[tuple]:
    """For sources computed in Python: the rows from `offset`, at most `limit`."""
    return itertools.islice(rows, offset, None if limit is None else offset + limit)


@dataclass
class queryset_source:  # noqa: N801 — used like a function: `register(queryset_source(...).source())`
    """A source over a queryset: `queryset()` (called per read, so it is always live) ordered stably, the values
    of `fields` in column order, optionally mapped by `convert(row) -> tuple`."""

    queryset: Callable
    fields: tuple[str, ...]
    convert: Callable[[tuple], tuple] | None = None
    chunk_size: int = 5000
    # Read the rows straight from a server-side cursor, without Django's per-value converters (about half the
    # cost of a big export). Only for columns whose database values are already what a reader wants: numbers,
    # text and dates (PostgreSQL returns dates, SQLite ISO text); not JSON or booleans (SQLite gives 0/1).
    raw_rows: bool = False
    # The row order (default: the queryset's own, then pk). A big source may prefer ("pk",): an index scan, no
    # sort of the whole table before the first row streams; any order ending in a unique key pages stably.
    order_by: tuple[str, ...] | None = None
    extra: dict = field(default_factory=dict)

    def _ordered(self, qs):
        if self.order_by is not None:
            return qs.order_by(*self.order_by)
        order = list(qs.query.order_by) or list(qs.model._meta.ordering)
        return qs.order_by(*order, "pk")

    def fetch(self, offset: int, limit: int | None) -> Iterator[tuple]:
        qs = self._ordered(self.queryset()).values_list(*self.fields)
        qs = qs[offset:offset + limit] if limit is not None else (qs[offset:] if offset else qs)
        rows = self._raw(qs) if self.raw_rows else qs.iterator(chunk_size=self.chunk_size)
        return map(self.convert, rows) if self.convert else rows

    def select_sql(self) -> tuple[str, list]:
        sql, params = self._ordered(self.queryset()).values_list(*self.fields).query.sql_with_params()
        return sql, list(params)

    def _raw(self, qs) -> Iterator[tuple]:
        from django.core.exceptions import EmptyResultSet
        from django.db import connections

        try:
            sql, params = qs.query.sql_with_params()
        except EmptyResultSet:
            return
        with connections[qs.db].chunked_cursor() as cursor:
            cursor.execute(sql, params)
            while batch := cursor.fetchmany(self.chunk_size):
                yield from batch

    def count(self) -> int:
        return self.queryset().order_by().count()
