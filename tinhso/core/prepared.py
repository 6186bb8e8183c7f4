"""A hot lookup's queryset compiled to SQL once per process, then only its parameters bound on each call.

Building and compiling a queryset (joins, select_related columns, ordering) costs the ORM more CPU than the
database spends answering a lookup by a unique key; on a request that does little else it is the largest cost.
`Prepared(model, build, **sentinels)` calls `build(**sentinels)` once per database alias, compiles it with Django's own
compiler, and keeps the SQL, the positions of the sentinel values among its parameters and the row-to-model
mapping (the same steps as Django's ModelIterable: `from_db`, select_related populators, annotations, converters).
`first(**values)` then sends that SQL with the values in place of the sentinels, through the alias's connection
(debug logging, query counting and routing hints are the usual ones) and returns a model instance or None.

Only the values named as sentinels may vary: anything else `build` reads is frozen at the first call, so `build`
must depend on nothing but its arguments (no `now()`, no settings that change at run time).

On PostgreSQL the statement is also prepared on the server, once per connection (psycopg's prepared statements,
through a server-binding cursor): parsing and planning a statement of several joins costs PostgreSQL more than
running it by a unique index, and on persistent connections (TINHSO_DB_CONN_MAX_AGE) that cost is paid once.
Only these statements are prepared; Django's own cursors keep client-side binding. psycopg forgets its prepared
statements on a rollback or a DROP/ALTER and prepares them again. A pooler in transaction mode (PgBouncer before
1.21) cannot follow prepared statements: set TINHSO_DB_PREPARED_STATEMENTS=0 there.
"""

import functools
import sys
import threading
from collections.abc import Callable

from django.conf import settings
from django.db import connections, router
from django.db.models import QuerySet
from django.db.models.query import get_related_populators


class _Compiled:
    def __init__(self, queryset: QuerySet, sentinels: dict):
        compiler = queryset.query.get_compiler(using=queryset.db)
        self.alias = queryset.db
        self.sql, params = compiler.as_sql()
        self.params = tuple(params)
        self.slots: dict[str, list[int]] = {}
        for name, value in sentinels.items():
            self.slots[name] = [i for i, p in enumerate(self.params) if type(p) is type(value) and p == value]
            if not self.slots[name]:
                raise ValueError(f"Prepared query: the sentinel of {name!r} is not among the SQL parameters.")
        klass_info = compiler.klass_info
        self.model = klass_info["model"]
        start, end = klass_info["select_fields"][0], klass_info["select_fields"][-1] + 1
        self.model_slice = slice(start, end)
        self.init_list = [f[0].target.attname for f in compiler.select[start:end]]
        self.populators = get_related_populators(klass_info, compiler.select, queryset.db)
        self.annotations = dict(compiler.annotation_col_map or {})
        # {position: (converters, expression)}, applied with the calling thread's connection
        self.converters = compiler.get_converters([s[0] for s in compiler.select[0:compiler.col_count]])

    def bind(self, values: dict) -> list:
        params = list(self.params)
        for name, positions in self.slots.items():
            for i in positions:
                params[i] = values[name]
        return params

    def instance(self, row, connection):
        if self.converters:
            row = list(row)
            for position, (converters, expression) in self.converters.items():
                value = row[position]
                for converter in converters:
                    value = converter(value, expression, connection)
                row[position] = value
        obj = self.model.from_db(self.alias, self.init_list, row[self.model_slice])
        for populator in self.populators:
            populator.populate(row, obj)
        for name, position in self.annotations.items():
            setattr(obj, name, row[position])
        return obj


@functools.cache
def _preparing_cursor_class():
    from django.db.backends.postgresql.base import ServerBindingCursor

    class PreparingCursor(ServerBindingCursor):
        def execute(self, query, params=None, *, prepare=None, binary=None):
            return super().execute(query, params, prepare=True, binary=binary)

    return PreparingCursor


def _cursor(connection):
    """Django's cursor for `connection`; on PostgreSQL one whose statements psycopg prepares on the server.

    The steps of BaseDatabaseWrapper.cursor() with the cursor class swapped: health check, connect, then the debug
    or plain CursorWrapper (query logging, execute wrappers and error translation as for any statement)."""
    if connection.vendor != "postgresql" or not settings.TINHSO_DB_PREPARED_STATEMENTS:
        return connection.cursor()
    connection.close_if_health_check_failed()
    connection.ensure_connection()
    with connection.wrap_database_errors:
        raw = connection.connection
        if raw.prepare_threshold is None:
            # Django turns psycopg's automatic preparation off (None); a threshold no statement reaches keeps it
            # off for every other cursor while `prepare=True` still prepares these.
            raw.prepare_threshold = sys.maxsize
        connection.validate_thread_sharing()
        cursor = _preparing_cursor_class()(raw)
        return connection.make_debug_cursor(cursor) if connection.queries_logged else connection.make_cursor(cursor)


class Prepared:
    def __init__(self, model, build: Callable[..., QuerySet], **sentinels):
        self.model = model
        self.build = build
        self.sentinels = sentinels
        self._compiled: dict[str, _Compiled] = {}
        self._lock = threading.Lock()

    def _for(self, alias: str) -> _Compiled:
        compiled = self._compiled.get(alias)
        if compiled is None:
            with self._lock:
                compiled = self._compiled.get(alias)
                if compiled is None:
                    compiled = _Compiled(self.build(**self.sentinels).using(alias)[:1], self.sentinels)
                    self._compiled[alias] = compiled
        return compiled

    def first(self, **values):
        """The first row as a model instance (with its select_related objects and annotations), or None."""
        if values.keys() != self.sentinels.keys():
            raise TypeError(f"Prepared query: expected {sorted(self.sentinels)}, got {sorted(values)}.")
        compiled = self._for(router.db_for_read(self.model))
        connection = connections[compiled.alias]
        with _cursor(connection) as cursor:
            cursor.execute(compiled.sql, compiled.bind(values))
            row = cursor.fetchone()
        return None if row is None else compiled.instance(row, connection)
