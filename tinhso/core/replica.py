"""Read replica: heavy read-only selectors read from a PostgreSQL streaming standby when one is configured.

`DATABASE_REPLICA_URL` adds the database alias `replica` (settings). Nothing reads from it unless asked:

- `with reading_from_replica(): ...` or the `@replica_reads` decorator marks a block of reads as allowed on the
  standby: statistics (Biểu II.06a), indicators, the dashboard, open data reads, exports of those;
- `ReplicaRouter` (settings.DATABASE_ROUTERS) sends reads inside such a block to `replica`, and every write, and
  every read outside such a block, to `default` (the primary).

Inside a block the primary is used all the same when
- the read runs inside a transaction on the primary (`transaction.atomic`): a write transaction sees its own rows;
- the acting context wrote recently (read-your-writes): a write through the ORM in this request, task or thread,
  a request whose browser carries the `tinhso_rw` cookie (set for TINHSO_REPLICA_PIN_SECONDS after any request that
  wrote, by `ReplicaPinMiddleware`), or a `@replica_reads` selector called with an `actor`/`user` who wrote within
  that time (kept in Django's cache: per process with the default local-memory cache, shared with a shared cache);
- the standby is down, or lags behind the primary by more than TINHSO_REPLICA_MAX_LAG seconds, measured on the
  standby as `now() - pg_last_xact_replay_timestamp()` while WAL it has received is not yet replayed (0 when
  caught up). The check is cached per process for TINHSO_REPLICA_CHECK_SECONDS.

A `@replica_reads` selector that fails on the standby (it went down mid-call) runs again on the primary: these
selectors only read, so a second run is safe.
"""

import functools
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar

from django.conf import settings
from django.core import signing
from django.core.cache import cache
from django.db import DEFAULT_DB_ALIAS, DatabaseError, connections

REPLICA = "replica"
PIN_COOKIE = "tinhso_rw"
_PIN_SALT = "tinhso.core.replica.pin"
_LAG_SQL = ("SELECT CASE WHEN NOT pg_is_in_recovery() OR pg_last_wal_receive_lsn() = pg_last_wal_replay_lsn() "
            "THEN 0 ELSE EXTRACT(EPOCH FROM clock_timestamp() - pg_last_xact_replay_timestamp()) END")

_reading: ContextVar[bool] = ContextVar("tinhso_replica_reading", default=False)
_pinned_until: ContextVar[float] = ContextVar("tinhso_replica_pinned_until", default=0.0)  # time.time()
_primary_forced: ContextVar[bool] = ContextVar("tinhso_replica_primary_forced", default=False)
_used: ContextVar[list | None] = ContextVar("tinhso_replica_used", default=None)


def max_lag() -> float:
    return float(getattr(settings, "TINHSO_REPLICA_MAX_LAG", 10.0))


def pin_seconds() -> float:
    """How long a writer reads from the primary: a write older than the lag limit is on an accepted standby."""
    return float(getattr(settings, "TINHSO_REPLICA_PIN_SECONDS", max_lag() + check_seconds()))


def check_seconds() -> float:
    return float(getattr(settings, "TINHSO_REPLICA_CHECK_SECONDS", 1.0))


def replica_configured() -> bool:
    return REPLICA in connections.settings


# --- the standby's health --------------------------------------------------------------------------------------

class _Health:
    lock = threading.Lock()
    checked_at = float("-inf")  # time.monotonic()
    lag: float | None = None  # None: down or unknown


def replica_lag(*, refresh: bool = False) -> float | None:
    """The standby's replay lag in seconds, or None when it cannot be reached (cached for check_seconds)."""
    now = time.monotonic()
    if not refresh and now - _Health.checked_at < check_seconds():
        return _Health.lag
    with _Health.lock:
        if not refresh and time.monotonic() - _Health.checked_at < check_seconds():
            return _Health.lag
        lag = None
        connection = connections[REPLICA]
        try:
            with connection.cursor() as cursor:
                cursor.execute(_LAG_SQL)
                value = cursor.fetchone()[0]
            lag = None if value is None else float(value)
        except DatabaseError:
            try:
                connection.close()
            except DatabaseError:
                pass
        _Health.lag, _Health.checked_at = lag, time.monotonic()
        return lag


def mark_replica_down() -> None:
    with _Health.lock:
        _Health.lag, _Health.checked_at = None, time.monotonic()


def forget_replica_health() -> None:
    """The next read checks the standby afresh (tests, and after an operator brought it back)."""
    with _Health.lock:
        _Health.checked_at = float("-inf")


def replica_usable() -> bool:
    if not replica_configured():
        return False
    lag = replica_lag()
    return lag is not None and lag <= max_lag()


# --- read-your-writes ------------------------------------------------------------------------------------------

def note_write() -> None:
    """This context wrote: its reads go to the primary for pin_seconds."""
    _pinned_until.set(time.time() + pin_seconds())


def pinned_to_primary() -> bool:
    return time.time() < _pinned_until.get()


def _user_pin_key(user_id) -> str:
    return f"tinhso:replica-pin:{user_id}"


def pin_user(user) -> None:
    if user is not None and getattr(user, "is_authenticated", False) and replica_configured():
        cache.set(_user_pin_key(user.pk), time.time() + pin_seconds(), timeout=pin_seconds())


def user_pinned(user) -> bool:
    if user is None or not getattr(user, "is_authenticated", False) or not replica_configured():
        return False
    return time.time() < (cache.get(_user_pin_key(user.pk)) or 0.0)


# --- the switch ------------------------------------------------------------------------------------------------

def _should_read_replica() -> bool:
    if not _reading.get() or _primary_forced.get() or pinned_to_primary():
        return False
    if connections[DEFAULT_DB_ALIAS].in_atomic_block:  # a transaction reads its own writes
        return False
    return replica_usable()


@contextmanager
def reading_from_replica():
    """Reads in this block may be answered by the standby (see the module's rules for when they are not)."""
    token = _reading.set(True)
    try:
        yield
    finally:
        _reading.reset(token)


@contextmanager
def reading_from_primary():
    """Reads in this block go to the primary, `reading_from_replica` blocks and `@replica_reads` included."""
    token = _primary_forced.set(True)
    try:
        yield
    finally:
        _primary_forced.reset(token)


def replica_reads(function: Callable) -> Callable:
    """Decorate a read-only selector: its reads may go to the standby, unless its `actor`/`user` just wrote.

    Falls back to the primary when the standby fails during the call."""

    @functools.wraps(function)
    def wrapper(*args, **kwargs):
        if _reading.get() or not replica_configured():  # nested, or nothing to route to
            return function(*args, **kwargs)
        who = kwargs.get("actor", kwargs.get("user"))
        if user_pinned(who):
            return function(*args, **kwargs)
        used: list = []
        token_used = _used.set(used)
        try:
            with reading_from_replica():
                return function(*args, **kwargs)
        except DatabaseError:
            if not used:
                raise
            mark_replica_down()
            connections[REPLICA].close()
        finally:
            _used.reset(token_used)
        return function(*args, **kwargs)

    return wrapper


def replica_stream(chunks: Callable[[], Iterator], *, user=None) -> Iterator:
    """A lazily read stream (a StreamingHttpResponse's chunks) whose reads may go to the standby, on the rules of
    `replica_reads`.

    A response body is read after the view and the middleware returned, outside any `reading_from_replica` block
    and past the request's read-your-writes pin: so whether the standby may answer is decided here, when the view
    makes the stream, and every step of the stream then runs inside its own block (set and reset within one
    `next()`, whatever thread or context the server iterates the body in). A standby failing before the first
    chunk leaves the whole stream to the primary; after bytes went out, an error ends the download as on the
    primary."""
    if not replica_configured() or _primary_forced.get() or pinned_to_primary() or user_pinned(user):
        return chunks()
    return _steps_on_replica(chunks)


def _steps_on_replica(chunks: Callable[[], Iterator]) -> Iterator:
    iterator, started, used = None, False, []
    while True:
        token, token_used = _reading.set(True), _used.set(used)
        try:
            if iterator is None:  # made inside the block too: making it may already read
                iterator = iter(chunks())
            chunk = next(iterator)
        except StopIteration:
            return
        except DatabaseError:
            if started or not used:
                raise
            mark_replica_down()
            connections[REPLICA].close()
            break
        finally:
            _used.reset(token_used)
            _reading.reset(token)
        started = True
        yield chunk
    yield from chunks()  # nothing was sent yet: the primary answers instead


class ReplicaRouter:
    """Reads inside `reading_from_replica` go to the standby when it may answer; everything else to the primary."""

    def db_for_read(self, model, **hints):
        if _should_read_replica():
            used = _used.get()
            if used is not None:
                used.append(True)
            return REPLICA
        return DEFAULT_DB_ALIAS

    def db_for_write(self, model, **hints):
        if replica_configured():
            note_write()
        return DEFAULT_DB_ALIAS

    def allow_relation(self, obj1, obj2, **hints):
        if {obj1._state.db, obj2._state.db} <= {DEFAULT_DB_ALIAS, REPLICA, None}:
            return True
        return None

    def allow_migrate(self, db, app_label, model_name=None, **hints):
        return db != REPLICA


class ReplicaPinMiddleware:
    """Read-your-writes across requests: after a request that wrote, the writer's next requests read the primary.

    The pin travels in a signed cookie (browsers, any process) and under the user's id in Django's cache (bearer
    clients too; across processes when the cache is shared)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if not replica_configured():
            return self.get_response(request)
        until = 0.0
        raw = request.COOKIES.get(PIN_COOKIE)
        if raw:
            try:
                until = float(signing.get_cookie_signer(salt=_PIN_SALT).unsign(raw))
            except (signing.BadSignature, ValueError):
                until = 0.0
        token = _pinned_until.set(until)
        try:
            response = self.get_response(request)
            wrote = _pinned_until.get() > until or request.method not in ("GET", "HEAD", "OPTIONS", "TRACE")
        finally:
            _pinned_until.reset(token)
        if wrote:
            expires = time.time() + pin_seconds()
            response.set_cookie(PIN_COOKIE, signing.get_cookie_signer(salt=_PIN_SALT).sign(f"{expires:.3f}"),
                                max_age=int(pin_seconds()) + 1, httponly=True, samesite="Lax",
                                secure=settings.SESSION_COOKIE_SECURE)
            pin_user(getattr(request, "user", None))
        return response
