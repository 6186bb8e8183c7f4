"""The one place that decides what a client system may do: who it is (OAuth2 access token or bearer token),
which service the requested route belongs to and whether the client holds it, and whether it is inside its
rate limit and daily quota. The middleware asks here and only carries out the answer."""

import hashlib
import math
import time
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import connection
from django.db.models.signals import post_save
from django.utils import timezone
from oauth2_provider.models import get_access_token_model

from tinhso.accounts.models import ApiToken
from tinhso.accounts.services import TOKEN_PREFIX, api_token_authenticate

from . import catalogue, routes
from .accesslog import day_of, minute_of
from .choices import Credential
from .models import AccessLogEntry, Client, Grant, UsageCounter

# A client system's service account is always created by `services.client_create` as `lgsp.<code>`: a token
# whose user is named otherwise is a person's, and passes the door with no query of its own.
SERVICE_USERNAME_PREFIX = "lgsp."


@dataclass
class Caller:
    """A client system and the state the door decides on, read in one query (`_client_state`)."""

    client: Client
    credential: str


class Refusal(Exception):
    """A gateway call refused before it reaches the API (answered as JSON, in Vietnamese)."""

    def __init__(self, status: int, code: str, message: str, retry_after: int | None = None):
        super().__init__(message)
        self.status, self.code, self.message, self.retry_after = status, code, message, retry_after


@dataclass
class Call:
    """What the door knows of a call, filled in as it decides (so a refused call is logged with the service it
    asked for). `route` is resolved first (no query), so the client's state can be read with its grant of the
    route's service in the same query."""

    method: str
    path: str
    caller: Caller | None = None
    operation: str = ""
    service: str = ""
    route_refusal: Refusal | None = field(default=None, repr=False)
    public: bool = False
    now: datetime = field(default_factory=timezone.now)

    def __post_init__(self):
        spec = routes.operation_spec(self.method, self.path) if self.path else None
        self.public = routes.is_public(spec)
        try:
            self.operation, self.service = _service_of(spec)
        except Refusal as refusal:
            self.route_refusal = refusal


def is_service_account(user) -> bool:
    return user is not None and user.username.startswith(SERVICE_USERNAME_PREFIX)


_client_tokens: dict = {"loaded": float("-inf"), "hashes": frozenset()}


def may_be_client_token(raw_token: str) -> bool:
    """Whether this `tso_…` token may be a client system's, from this process's set of the client tokens'
    hashes (reloaded every TINHSO_GATEWAY_TOKEN_SET_SECONDS). Used only on public routes, where a person's token
    is not even looked up by the API: there a token outside the set passes untouched with no query. A client
    token issued since the last reload is then served as the anonymous call anyone may make to that route, and
    logged once the set is reloaded; a token in the set always goes through the door, which checks it in the
    database (so a revoked token or a suspended client is refused at once). Every route that needs a credential
    authenticates the token in the database, on every call."""
    now = time.monotonic()
    if now - _client_tokens["loaded"] >= float(getattr(settings, "TINHSO_GATEWAY_TOKEN_SET_SECONDS", 30)):
        _client_tokens["hashes"] = frozenset(ApiToken.objects.filter(
            user__username__startswith=SERVICE_USERNAME_PREFIX, revoked_at__isnull=True,
        ).values_list("token_hash", flat=True))
        _client_tokens["loaded"] = now
    return hashlib.sha256(raw_token.encode("utf-8")).hexdigest() in _client_tokens["hashes"]


def forget_client_tokens(**_signal) -> None:
    """Reload the set on the next public call (this process at once; the others within their reload period)."""
    _client_tokens["loaded"] = float("-inf")


post_save.connect(forget_client_tokens, sender=ApiToken, dispatch_uid="gateway-client-tokens")


def _client_state(call: Call, *, user=None, application_id: int | None = None):
    """The client with everything the door decides on, in one query: its service account's activity, its limits,
    the calls counted in this minute and this day (sealed ones from the counters, the rest from the unsealed
    rows of the log: one statement, one snapshot, so a row being sealed meanwhile counts once) and whether it
    holds the route's service. Nothing is cached, so a suspended client or a removed grant counts at once.
    Written as SQL once (the ORM spent more time compiling this query than the database running it)."""
    minute, day = minute_of(call.now), day_of(call.now)
    adapt = connection.ops.adapt_datetimefield_value
    column, value = ("service_user_id", user.pk) if user is not None else ("application_id", application_id)
    sql = _STATE_SQL.format(
        client=Client._meta.db_table, user=get_user_model()._meta.db_table, counter=UsageCounter._meta.db_table,
        log=AccessLogEntry._meta.db_table, grant=Grant._meta.db_table, column=column)
    found = list(Client.objects.raw(sql, [adapt(minute), adapt(day), adapt(minute), adapt(day),
                                         call.service or "", value]))
    if not found:
        return None
    client = found[0]
    client.holds_service = bool(client.holds_service)
    if user is not None:
        client.service_user = user  # the same row the token's query just read
    return client


_STATE_SQL = """
SELECT c.*, u.is_active AS user_active,
  COALESCE((SELECT n.count FROM {counter} n WHERE n.client_id = c.id AND n.period = 'minute' AND n.start = %s), 0)
    AS sealed_minute,
  COALESCE((SELECT n.count FROM {counter} n WHERE n.client_id = c.id AND n.period = 'day' AND n.start = %s), 0)
    AS sealed_day,
  (SELECT COUNT(*) FROM {log} e WHERE e.client_id = c.id AND e.seq IS NULL AND e.at >= %s) AS unsealed_minute,
  (SELECT COUNT(*) FROM {log} e WHERE e.client_id = c.id AND e.seq IS NULL AND e.at >= %s) AS unsealed_day,
  EXISTS (SELECT 1 FROM {grant} g WHERE g.client_id = c.id AND g.service = %s) AS holds_service
FROM {client} c JOIN {user} u ON u.id = c.service_user_id
WHERE c.{column} = %s
"""


UNCHECKED = object()


def identify(raw_token: str | None, call: Call | None = None, *, user=UNCHECKED) -> Caller | None:
    """The client system whose credential this is, or None (not a client's credential, or not valid). `user`:
    the token's user (or None) when the caller has authenticated the `tso_…` token already."""
    if not raw_token:
        return None
    call = call or Call(method="GET", path="")
    if raw_token.startswith(TOKEN_PREFIX):
        if user is UNCHECKED:
            user = api_token_authenticate(raw_token=raw_token)
        if not is_service_account(user):
            return None
        client = _client_state(call, user=user)
        return Caller(client, Credential.TOKEN) if client else None
    checksum = hashlib.sha256(raw_token.encode("utf-8")).hexdigest()
    token = get_access_token_model().objects.filter(token_checksum=checksum).only("expires", "application_id").first()
    if token is None or token.is_expired() or token.application_id is None:
        return None
    client = _client_state(call, application_id=token.application_id)
    return Caller(client, Credential.OAUTH2) if client else None


def authenticate(raw_token: str | None, call: Call | None = None) -> Caller:
    if not raw_token:
        raise Refusal(401, "unauthenticated", "Cần mã truy cập của hệ thống kết nối: `Authorization: Bearer …` "
                                              "(OAuth2 client credentials tại /lien-thong/o/token/ hoặc mã tso_…).")
    caller = identify(raw_token, call)
    if caller is None:
        raise Refusal(401, "invalid_token", "Mã truy cập không hợp lệ, đã hết hạn, đã bị thu hồi hoặc không thuộc "
                                            "hệ thống kết nối nào.")
    return caller


def granted_services(client: Client) -> set[str]:
    return set(Grant.objects.filter(client=client).values_list("service", flat=True))


def route_service(method: str, path: str) -> tuple[str, str]:
    """(operation id, service key) of the route; raises 404 for no route, 403 for a route in no service."""
    return _service_of(routes.operation_spec(method, path))


def _service_of(spec: dict | None) -> tuple[str, str]:
    operation = spec.get("operationId") if spec else None
    if operation is None:
        raise Refusal(404, "not_found", "Không có dịch vụ nào ở địa chỉ này.")
    service = catalogue.service_of_operation(operation)
    if service is None:
        raise Refusal(403, "not_a_service", "Chức năng này không mở cho hệ thống kết nối qua trục liên thông.")
    return operation, service.key


def check_scope(client: Client, service_key: str) -> None:
    held = getattr(client, "holds_service", None)
    if held is None:
        held = service_key in granted_services(client)
    if not held:
        raise Refusal(403, "scope_missing", f"Hệ thống “{client.name}” chưa được cấp quyền dịch vụ "
                                            f"“{catalogue.service_name(service_key)}”. Hãy gửi yêu cầu cấp quyền "
                                            "tại trang Trục liên thông.")


def check_limits(client: Client, *, now: datetime | None = None) -> None:
    """Raise 429 with Retry-After once the calls counted in this minute or this day reach the client's limits.
    Every logged call of the client counts, refused ones too (a client hammering past its limit does not get in
    sooner). The counts are read, not locked: concurrent calls may pass a few over the limit, which keeps the
    gateway from serialising the calls of a client on one row."""
    now = now or timezone.now()
    minute, day = minute_of(now), day_of(now)
    if not hasattr(client, "sealed_day"):
        client = _client_state(Call(method="GET", path="", now=now), user=client.service_user)
    day_calls = client.sealed_day + client.unsealed_day
    minute_calls = client.sealed_minute + client.unsealed_minute
    if day_calls >= client.daily_quota:
        wait = math.ceil((day + timedelta(days=1) - now).total_seconds())
        raise Refusal(429, "quota_exceeded", f"Hệ thống “{client.name}” đã dùng hết hạn mức {client.daily_quota} "
                                             "lượt gọi trong ngày. Vui lòng thử lại vào ngày mai.", retry_after=wait)
    if minute_calls >= client.rate_per_minute:
        wait = max(1, math.ceil((minute + timedelta(minutes=1) - now).total_seconds()))
        raise Refusal(429, "rate_limited", f"Vượt giới hạn {client.rate_per_minute} lượt gọi mỗi phút. "
                                           f"Vui lòng thử lại sau {wait} giây.", retry_after=wait)


def admit(call: Call) -> None:
    """Decide from the state read with the caller; returns when the client may make the call, else raises
    Refusal (every call is counted once its log row is written)."""
    client = call.caller.client
    if not client.active or not getattr(client, "user_active", client.service_user.is_active):
        raise Refusal(403, "client_inactive", f"Hệ thống “{client.name}” đang bị tạm ngừng kết nối.")
    check_limits(client, now=call.now)
    if call.route_refusal is not None:
        raise call.route_refusal
    check_scope(client, call.service)


def record(call: Call, **entry) -> None:
    """Append the call to the access log: one INSERT, committed before the response leaves. Chaining it, and
    counting it in the usage counters, is the sealer's (`accesslog.access_log_seal`); until then the door counts
    it from the unsealed rows."""
    from .accesslog import access_log_append

    client = call.caller.client if call.caller else None
    access_log_append(client=client, credential=call.caller.credential if call.caller else "",
                      service=call.service, operation=call.operation, method=call.method, path=call.path, **entry)
