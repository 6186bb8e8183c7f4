"""The one place that decides what a client system may do: who it is (OAuth2 access token or bearer token),
which service the requested route belongs to and whether the client holds it, and whether it is inside its
rate limit and daily quota. The middleware asks here and only carries out the answer."""

import hashlib
import math
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.db import IntegrityError, transaction
from django.db.models import F, Q
from django.utils import timezone
from oauth2_provider.models import get_access_token_model

from tinhso.accounts.services import TOKEN_PREFIX, api_token_authenticate

from . import catalogue, routes
from .choices import Credential
from .models import Client, Grant, UsageCounter


@dataclass
class Caller:
    client: Client
    credential: str


class Refusal(Exception):
    """A gateway call refused before it reaches the API (answered as JSON, in Vietnamese)."""

    def __init__(self, status: int, code: str, message: str, retry_after: int | None = None):
        super().__init__(message)
        self.status, self.code, self.message, self.retry_after = status, code, message, retry_after


def identify(raw_token: str | None) -> Caller | None:
    """The client system whose credential this is, or None (not a client's credential, or not valid)."""
    if not raw_token:
        return None
    if raw_token.startswith(TOKEN_PREFIX):
        user = api_token_authenticate(raw_token=raw_token)
        if user is None:
            return None
        client = Client.objects.select_related("owner_agency", "service_user").filter(service_user=user).first()
        return Caller(client, Credential.TOKEN) if client else None
    checksum = hashlib.sha256(raw_token.encode("utf-8")).hexdigest()
    token = get_access_token_model().objects.filter(token_checksum=checksum).only("expires", "application_id").first()
    if token is None or token.is_expired() or token.application_id is None:
        return None
    client = Client.objects.select_related("owner_agency", "service_user").filter(application_id=token.application_id).first()
    return Caller(client, Credential.OAUTH2) if client else None


def authenticate(raw_token: str | None) -> Caller:
    if not raw_token:
        raise Refusal(401, "unauthenticated", "Cần mã truy cập của hệ thống kết nối: `Authorization: Bearer …` "
                                              "(OAuth2 client credentials tại /lien-thong/o/token/ hoặc mã tso_…).")
    caller = identify(raw_token)
    if caller is None:
        raise Refusal(401, "invalid_token", "Mã truy cập không hợp lệ, đã hết hạn, đã bị thu hồi hoặc không thuộc "
                                            "hệ thống kết nối nào.")
    return caller


def granted_services(client: Client) -> set[str]:
    return set(Grant.objects.filter(client=client).values_list("service", flat=True))


def route_service(method: str, path: str) -> tuple[str, str]:
    """(operation id, service key) of the route; raises 404 for no route, 403 for a route in no service."""
    operation = routes.operation_for(method, path)
    if operation is None:
        raise Refusal(404, "not_found", "Không có dịch vụ nào ở địa chỉ này.")
    service = catalogue.service_of_operation(operation)
    if service is None:
        raise Refusal(403, "not_a_service", "Chức năng này không mở cho hệ thống kết nối qua trục liên thông.")
    return operation, service.key


def check_scope(client: Client, service_key: str) -> None:
    if service_key not in granted_services(client):
        raise Refusal(403, "scope_missing", f"Hệ thống “{client.name}” chưa được cấp quyền dịch vụ "
                                            f"“{catalogue.service_name(service_key)}”. Hãy gửi yêu cầu cấp quyền "
                                            "tại trang Trục liên thông.")


def _day_start(now: datetime) -> datetime:
    local = timezone.localtime(now)
    return local.replace(hour=0, minute=0, second=0, microsecond=0)


def _bump(client: Client, period: str, start: datetime) -> None:
    updated = UsageCounter.objects.filter(client=client, period=period, start=start).update(count=F("count") + 1)
    if not updated:
        try:
            with transaction.atomic():
                UsageCounter.objects.create(client=client, period=period, start=start, count=1)
        except IntegrityError:  # another process opened the window meanwhile
            UsageCounter.objects.filter(client=client, period=period, start=start).update(count=F("count") + 1)


def _windows(now: datetime) -> tuple[datetime, datetime]:
    return now.replace(second=0, microsecond=0), _day_start(now)


def count_call(client: Client, *, now: datetime | None = None) -> None:
    """Count one call in the client's minute and day (every call of a known client, refused ones too: a client
    hammering past its limit does not get in sooner). Called inside the access-log transaction, so a call costs
    one commit."""
    minute, day = _windows(now or timezone.now())
    _bump(client, "minute", minute)
    _bump(client, "day", day)


def check_limits(client: Client, *, now: datetime | None = None) -> None:
    """Raise 429 with Retry-After once the calls counted in this minute or this day reach the client's limits.
    The counters are read, not locked: concurrent calls may pass a few over the limit, which keeps the gateway
    from serialising every call of a client on one row."""
    now = now or timezone.now()
    minute, day = _windows(now)
    counts = dict(UsageCounter.objects.filter(Q(period="minute", start=minute) | Q(period="day", start=day),
                                              client=client).values_list("period", "count"))
    if counts.get("day", 0) >= client.daily_quota:
        wait = math.ceil((day + timedelta(days=1) - now).total_seconds())
        raise Refusal(429, "quota_exceeded", f"Hệ thống “{client.name}” đã dùng hết hạn mức {client.daily_quota} "
                                             "lượt gọi trong ngày. Vui lòng thử lại vào ngày mai.", retry_after=wait)
    if counts.get("minute", 0) >= client.rate_per_minute:
        wait = max(1, math.ceil((minute + timedelta(minutes=1) - now).total_seconds()))
        raise Refusal(429, "rate_limited", f"Vượt giới hạn {client.rate_per_minute} lượt gọi mỗi phút. "
                                           f"Vui lòng thử lại sau {wait} giây.", retry_after=wait)


@dataclass
class Call:
    """What the log records of a call, filled in as the door decides (so a refused call is logged with the
    service it asked for)."""

    method: str
    path: str
    caller: Caller | None = None
    operation: str = ""
    service: str = ""


def admit(call: Call) -> None:
    """Decide; returns when the client may make it, else raises Refusal (the call is counted when logged)."""
    client = call.caller.client
    if not client.active or not client.service_user.is_active:
        raise Refusal(403, "client_inactive", f"Hệ thống “{client.name}” đang bị tạm ngừng kết nối.")
    check_limits(client)
    call.operation, call.service = route_service(call.method, call.path)
    check_scope(client, call.service)


def record(call: Call, **entry) -> None:
    """Count the call against its client's limits and append it to the access log: one transaction, one commit.
    Locks are taken in one order (the client's counters, then the log's head), so concurrent calls cannot
    deadlock."""
    from .accesslog import access_log_append

    client = call.caller.client if call.caller else None
    with transaction.atomic():
        if client is not None:
            count_call(client)
        access_log_append(client=client, credential=call.caller.credential if call.caller else "",
                          service=call.service, operation=call.operation, method=call.method, path=call.path,
                          **entry)
