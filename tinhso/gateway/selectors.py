"""Every read the gateway's pages and API expose, scoped to the acting person.

Province administrators see every client system and the whole access log; a client's owners (leaders of its
owner agency, or of an agency above it) see that client, its grants, requests, webhooks and usage.
"""

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from django.db.models import Count, F, Q, QuerySet, Sum
from django.utils import timezone

from tinhso.accounts import scoping
from tinhso.accounts.choices import Role
from tinhso.core.exceptions import NotFound

from .models import AccessLogEntry, AccessRequest, Client, OutboxItem, UsageCounter, WebhookSubscription

OWNER_ROLES = {Role.AGENCY_LEADER}


def is_gateway_admin(user) -> bool:
    return scoping.is_province_admin(user)


def owned_agency_ids(user) -> set[int]:
    return scoping.agency_ids_for(user, roles=OWNER_ROLES)


def can_manage_client(user, client: Client) -> bool:
    return is_gateway_admin(user) or client.owner_agency_id in owned_agency_ids(user)


def client_list(*, user, search: str = "") -> QuerySet:
    qs = Client.objects.select_related("owner_agency").prefetch_related("grants")
    if not is_gateway_admin(user):
        qs = qs.filter(owner_agency_id__in=owned_agency_ids(user))
    if search.strip():
        qs = qs.filter(Q(name__icontains=search.strip()) | Q(code__icontains=search.strip()))
    return qs


def client_get(*, user, client_id: int) -> Client:
    client = Client.objects.select_related("owner_agency", "service_user", "application").filter(pk=client_id).first()
    if client is None or not can_manage_client(user, client):
        raise NotFound("Không có hệ thống kết nối này trong phạm vi của bạn.")
    return client


def access_request_list(*, user, status: str = "") -> QuerySet:
    qs = AccessRequest.objects.select_related("client", "requested_by", "decided_by")
    if not is_gateway_admin(user):
        qs = qs.filter(client__owner_agency_id__in=owned_agency_ids(user))
    if status:
        qs = qs.filter(status=status)
    return qs


def webhook_list(*, user, client: Client) -> QuerySet:
    if not can_manage_client(user, client):
        return WebhookSubscription.objects.none()
    return WebhookSubscription.objects.filter(client=client).annotate(
        pending_count=Count("deliveries", filter=Q(deliveries__status="pending")))


@dataclass
class LogFilter:
    client: int | None = None
    service: str = ""
    status: str = ""  # "ok" (2xx), "denied" (401/403), "limited" (429), "error" (other) or a number
    date_from: date | None = None
    date_to: date | None = None
    purpose: str = ""


def _day_bounds(day: date) -> datetime:
    return timezone.make_aware(datetime.combine(day, time.min), timezone.get_current_timezone())


def access_log_list(*, user, filters: LogFilter | None = None) -> QuerySet:
    """The access log, newest first; province administrators see every client's calls, owners their clients'."""
    qs = AccessLogEntry.objects.all()
    if not is_gateway_admin(user):
        qs = qs.filter(client_id__in=list(client_list(user=user).values_list("pk", flat=True)))
    f = filters or LogFilter()
    if f.client:
        qs = qs.filter(client_id=f.client)
    if f.service:
        qs = qs.filter(service=f.service)
    if f.status == "ok":
        qs = qs.filter(status__gte=200, status__lt=300)
    elif f.status == "denied":
        qs = qs.filter(status__in=[401, 403])
    elif f.status == "limited":
        qs = qs.filter(status=429)
    elif f.status == "error":
        qs = qs.exclude(status__lt=300).exclude(status__in=[401, 403, 429])
    elif f.status.isdigit():
        qs = qs.filter(status=int(f.status))
    if f.date_from:
        qs = qs.filter(at__gte=_day_bounds(f.date_from))
    if f.date_to:
        qs = qs.filter(at__lt=_day_bounds(f.date_to + timedelta(days=1)))
    if f.purpose.strip():
        qs = qs.filter(purpose__icontains=f.purpose.strip())
    # newest first: the rows not sealed yet (no number) on top, in the order they were written
    return qs.order_by(F("seq").desc(nulls_first=True), "-id")


def daily_usage(*, user, days: int = 30, today: date | None = None, client_ids=None) -> dict:
    """Calls per client per local day over the last `days` days (from the daily counters): the chart's data."""
    today = today or timezone.localdate()
    first = today - timedelta(days=days - 1)
    qs = client_list(user=user)
    if client_ids is not None:
        qs = qs.filter(pk__in=list(client_ids))
    clients = {c.pk: c.name for c in qs}
    rows = (UsageCounter.objects.filter(period="day", client_id__in=list(clients), start__gte=_day_bounds(first))
            .values_list("client_id", "start", "count"))
    labels = [(first + timedelta(days=i)) for i in range(days)]
    series = {pk: [0] * days for pk in clients}
    for client_id, start, count in rows:
        index = (timezone.localtime(start).date() - first).days
        if 0 <= index < days:
            series[client_id][index] = count
    return {"days": [d.isoformat() for d in labels],
            "series": [{"client": clients[pk], "counts": counts, "total": sum(counts)}
                       for pk, counts in series.items()]}


def calls_by_owner_agency(*, agency_ids, start: date, end: date) -> dict[int, int]:
    """Gateway calls counted on each day of [start, end], per owner agency of the calling client (a measure
    the indicators engine reads; the gateway never computes indicators itself)."""
    rows = (UsageCounter.objects.filter(period="day", start__gte=_day_bounds(start),
                                        start__lt=_day_bounds(end + timedelta(days=1)),
                                        client__owner_agency_id__in=list(agency_ids))
            .values("client__owner_agency_id").annotate(n=Sum("count")).order_by())
    return {r["client__owner_agency_id"]: r["n"] for r in rows}


def outbox_list(*, user, connector: str = "") -> QuerySet:
    if not is_gateway_admin(user):
        return OutboxItem.objects.none()
    qs = OutboxItem.objects.all().order_by("-id")
    return qs.filter(connector=connector) if connector else qs


# --- the service catalogue, generated from the OpenAPI schema ----------------------------------------------------

_EXAMPLES = {"code": "000.01.01.H56-260105-0001", "identifier_code": "000.00.00.H56", "procedure_code": "2.000635"}


def _example_path(path: str, op: dict) -> str:
    out = path
    for param in op.get("parameters", []):
        if param.get("in") == "path":
            name = param["name"]
            out = out.replace("{" + name + "}", _EXAMPLES.get(name, "1" if "id" in name else "MA"))
    return out


def service_catalogue(*, base_url: str) -> list[dict]:
    """Each service with its operations as the OpenAPI schema describes them, and an example call."""
    from . import catalogue, routes

    by_id = {op.get("operationId"): (method, path, op) for (method, path), op in routes.operations().items()}
    services = []
    for service in catalogue.SERVICES:
        operations = []
        for op_id in service.operations:
            if op_id not in by_id:
                continue
            method, path, op = by_id[op_id]
            gateway_path = "/lien-thong/api/" + path.removeprefix("/api/v1/")
            params = [{"name": p["name"], "where": {"path": "đường dẫn", "query": "tham số"}.get(p["in"], p["in"]),
                       "required": p.get("required", False), "description": p.get("description", "")}
                      for p in op.get("parameters", [])]
            example = (f'curl -H "Authorization: Bearer $MA_TRUY_CAP" -H "X-Purpose: Dong%20bo%20trang%20thai" '
                       f'"{base_url}{_example_path(gateway_path, op)}"')
            if method != "GET":
                example = example.replace("curl ", f"curl -X {method} -H \"Content-Type: application/json\" "
                                                   "-d @du-lieu.json ", 1)
            operations.append({"method": method, "path": gateway_path, "summary": op.get("summary", ""),
                               "description": (op.get("description") or "").strip(), "params": params,
                               "example": example, "operation_id": op_id})
        services.append({"key": service.key, "name": service.name, "description": service.description,
                         "operations": operations})
    return services
