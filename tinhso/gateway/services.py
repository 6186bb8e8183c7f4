"""Every state change of the gateway: client systems, their credentials and grants, access requests, webhook
subscriptions. Each is audited."""

import re
import secrets

from django.db import IntegrityError, transaction
from django.utils import timezone
from oauth2_provider.models import get_application_model

from tinhso.accounts.choices import Role
from tinhso.accounts.services import api_token_create, role_grant, user_create
from tinhso.audit.services import audit_record
from tinhso.core.exceptions import Conflict, NotFound, PermissionDenied, ValidationError
from tinhso.org.models import Agency

from . import catalogue
from .choices import ClientKind, EventType, RequestStatus, SubscriptionState
from .models import AccessRequest, Client, Grant, WebhookSubscription
from .selectors import can_manage_client, is_gateway_admin

CODE_RE = re.compile(r"^[a-z0-9][a-z0-9-]{1,58}[a-z0-9]$")


def _require_admin(actor, what: str) -> None:
    if not is_gateway_admin(actor):
        raise PermissionDenied(f"Chỉ quản trị cấp tỉnh được {what}.")


def _service(key: str, field: str = "service") -> catalogue.Service:
    service = catalogue.BY_KEY.get((key or "").strip())
    if service is None:
        raise ValidationError.for_field(field, "Không có dịch vụ này trong danh mục của trục liên thông.")
    return service


@transaction.atomic
def client_create(*, actor, code: str, name: str, kind: str, owner_agency_code: str, contact_name: str,
                  contact_email: str = "", contact_phone: str = "", rate_per_minute: int | None = None,
                  daily_quota: int | None = None) -> Client:
    """A new client system with its own service account (role “system client” on the owner agency and the
    agencies under it: what data the client sees follows that role, which services it calls follows its grants)."""
    _require_admin(actor, "đăng ký hệ thống kết nối")
    code, name = (code or "").strip().lower(), (name or "").strip()
    errors: dict[str, list[str]] = {}
    if not CODE_RE.match(code):
        errors["code"] = ["Mã hệ thống gồm 3–60 ký tự: chữ thường không dấu, số và dấu gạch ngang."]
    elif Client.objects.filter(code=code).exists():
        errors["code"] = [f"Mã “{code}” đã được dùng cho hệ thống khác."]
    if not name:
        errors["name"] = ["Hãy nhập tên hệ thống."]
    if kind not in ClientKind.values:
        errors["kind"] = ["Chọn hệ thống trong tỉnh hoặc ngoài tỉnh."]
    agency = Agency.objects.filter(identifier_code=(owner_agency_code or "").strip()).first()
    if agency is None:
        errors["owner_agency"] = ["Không có cơ quan có mã định danh này."]
    if not (contact_name or "").strip():
        errors["contact_name"] = ["Hãy nhập người liên hệ của hệ thống."]
    for field, value in (("rate_per_minute", rate_per_minute), ("daily_quota", daily_quota)):
        if value is not None and not (1 <= int(value) <= 10_000_000):
            errors[field] = ["Giới hạn phải từ 1 đến 10.000.000."]
    if errors:
        raise ValidationError("Thông tin hệ thống kết nối chưa hợp lệ.", field_errors=errors)
    user = user_create(actor=actor, username=f"lgsp.{code}"[:150], password=secrets.token_urlsafe(24),
                       full_name=f"Hệ thống kết nối: {name}"[:150])
    role_grant(actor=actor, user=user, role=Role.SYSTEM_CLIENT, agency_code=agency.identifier_code,
               include_subordinates=True)
    client = Client(code=code, name=name[:200], kind=kind, owner_agency=agency, contact_name=contact_name.strip(),
                    contact_email=(contact_email or "").strip(), contact_phone=(contact_phone or "").strip(),
                    service_user=user)
    if rate_per_minute is not None:
        client.rate_per_minute = int(rate_per_minute)
    if daily_quota is not None:
        client.daily_quota = int(daily_quota)
    client.save()
    audit_record(actor=actor, action="gateway.client.create", obj=client,
                 summary=f"Đăng ký hệ thống kết nối “{client.name}” ({client.get_kind_display().lower()}) "
                         f"của {agency.name}",
                 changes={"code": [None, code], "kind": [None, kind], "owner_agency": [None, agency.identifier_code],
                          "rate_per_minute": [None, client.rate_per_minute], "daily_quota": [None, client.daily_quota]})
    return client


@transaction.atomic
def client_update(*, actor, client: Client, active: bool | None = None, rate_per_minute: int | None = None,
                  daily_quota: int | None = None) -> Client:
    _require_admin(actor, "thay đổi hệ thống kết nối")
    client = Client.objects.select_for_update().get(pk=client.pk)
    before = {"active": client.active, "rate_per_minute": client.rate_per_minute, "daily_quota": client.daily_quota}
    for field, value in (("rate_per_minute", rate_per_minute), ("daily_quota", daily_quota)):
        if value is not None:
            if not (1 <= int(value) <= 10_000_000):
                raise ValidationError.for_field(field, "Giới hạn phải từ 1 đến 10.000.000.")
            setattr(client, field, int(value))
    if active is not None:
        client.active = bool(active)
    after = {"active": client.active, "rate_per_minute": client.rate_per_minute, "daily_quota": client.daily_quota}
    if before != after:
        client.save(update_fields=list(after))
        audit_record(actor=actor, action="gateway.client.update", obj=client,
                     summary=f"Cập nhật hệ thống kết nối “{client.name}”",
                     changes={k: [before[k], after[k]] for k in after if before[k] != after[k]})
    return client


@transaction.atomic
def client_oauth_issue(*, actor, client: Client) -> tuple[str, str]:
    """(client_id, client_secret) for the OAuth2 client-credentials grant; the secret is shown once (the
    library stores only its hash). Issuing again replaces the previous secret."""
    _require_admin(actor, "cấp thông tin xác thực OAuth2")
    client = Client.objects.select_for_update().get(pk=client.pk)
    Application = get_application_model()
    secret = secrets.token_urlsafe(36)
    if client.application_id:
        app = Application.objects.get(pk=client.application_id)
        app.client_secret = secret
        app.save()
        summary = f"Cấp lại khóa bí mật OAuth2 cho hệ thống “{client.name}”"
    else:
        app = Application.objects.create(
            name=f"LGSP: {client.name}"[:255], client_type=Application.CLIENT_CONFIDENTIAL,
            authorization_grant_type=Application.GRANT_CLIENT_CREDENTIALS, client_secret=secret,
            skip_authorization=True)
        client.application = app
        client.save(update_fields=["application"])
        summary = f"Cấp thông tin xác thực OAuth2 cho hệ thống “{client.name}”"
    audit_record(actor=actor, action="gateway.client.oauth_issue", obj=client, summary=summary,
                 changes={"client_id": [None, app.client_id]})
    return app.client_id, secret


def client_token_issue(*, actor, client: Client, name: str = "") -> str:
    """A bearer token (tso_…) of the client's service account, through the accounts app (audited there)."""
    _require_admin(actor, "cấp mã truy cập")
    _, raw = api_token_create(actor=actor, user=client.service_user, name=name or f"Trục liên thông: {client.name}")
    return raw


@transaction.atomic
def grant_add(*, actor, client: Client, service: str) -> Grant:
    _require_admin(actor, "cấp quyền dịch vụ")
    spec = _service(service)
    try:
        with transaction.atomic():
            grant = Grant.objects.create(client=client, service=spec.key, granted_by=actor)
    except IntegrityError as exc:
        raise Conflict(f"Hệ thống đã có quyền dịch vụ “{spec.name}”.") from exc
    audit_record(actor=actor, action="gateway.grant.add", obj=client,
                 summary=f"Cấp quyền dịch vụ “{spec.name}” cho hệ thống “{client.name}”",
                 changes={"service": [None, spec.key]})
    return grant


@transaction.atomic
def grant_remove(*, actor, client: Client, service: str) -> None:
    _require_admin(actor, "thu hồi quyền dịch vụ")
    spec = _service(service)
    deleted, _ = Grant.objects.filter(client=client, service=spec.key).delete()
    if not deleted:
        raise NotFound(f"Hệ thống chưa có quyền dịch vụ “{spec.name}”.")
    audit_record(actor=actor, action="gateway.grant.remove", obj=client,
                 summary=f"Thu hồi quyền dịch vụ “{spec.name}” của hệ thống “{client.name}”",
                 changes={"service": [spec.key, None]})


@transaction.atomic
def access_request_create(*, actor, client: Client, service: str, reason: str) -> AccessRequest:
    """The client's owner asks for a service."""
    if not can_manage_client(actor, client):
        raise NotFound("Không có hệ thống kết nối này trong phạm vi của bạn.")
    spec = _service(service)
    reason = (reason or "").strip()
    if len(reason) < 10:
        raise ValidationError.for_field("reason", "Hãy nêu mục đích sử dụng dịch vụ (ít nhất 10 ký tự).")
    if Grant.objects.filter(client=client, service=spec.key).exists():
        raise ValidationError.for_field("service", f"Hệ thống đã có quyền dịch vụ “{spec.name}”.")
    try:
        with transaction.atomic():
            request = AccessRequest.objects.create(client=client, service=spec.key, reason=reason[:2000],
                                                   requested_by=actor)
    except IntegrityError as exc:
        raise Conflict(f"Đã có một yêu cầu cấp quyền “{spec.name}” đang chờ duyệt.") from exc
    audit_record(actor=actor, action="gateway.access_request.create", obj=request,
                 summary=f"Yêu cầu cấp quyền dịch vụ “{spec.name}” cho hệ thống “{client.name}”",
                 changes={"service": [None, spec.key], "reason": [None, reason[:300]]})
    return request


@transaction.atomic
def access_request_decide(*, actor, request_id: int, approve: bool, note: str = "") -> AccessRequest:
    """A province administrator approves (the grant is added in the same transaction) or refuses."""
    _require_admin(actor, "duyệt yêu cầu cấp quyền")
    request = AccessRequest.objects.select_for_update().select_related("client").filter(pk=request_id).first()
    if request is None:
        raise NotFound("Không có yêu cầu cấp quyền này.")
    if request.status != RequestStatus.PENDING:
        raise Conflict("Yêu cầu này đã được xử lý.")
    note = (note or "").strip()
    if not approve and not note:
        raise ValidationError.for_field("note", "Hãy nêu lý do từ chối.")
    if request.requested_by_id == getattr(actor, "pk", None):
        raise PermissionDenied("Người gửi yêu cầu không tự duyệt yêu cầu của mình.")
    request.status = RequestStatus.APPROVED if approve else RequestStatus.REFUSED
    request.decided_by, request.decided_at, request.decision_note = actor, timezone.now(), note[:2000]
    request.save(update_fields=["status", "decided_by", "decided_at", "decision_note"])
    spec = catalogue.BY_KEY[request.service]
    verb = "Duyệt" if approve else "Từ chối"
    audit_record(actor=actor, action=f"gateway.access_request.{'approve' if approve else 'refuse'}", obj=request,
                 summary=f"{verb} yêu cầu cấp quyền “{spec.name}” của hệ thống “{request.client.name}”",
                 changes={"status": [RequestStatus.PENDING, request.status], "note": [None, note[:300]]})
    if approve and not Grant.objects.filter(client=request.client, service=request.service).exists():
        grant_add(actor=actor, client=request.client, service=request.service)
    return request


def _event_types(values, field: str = "event_types") -> list[str]:
    chosen = [values] if isinstance(values, str) else list(values or ())
    chosen = [str(v).strip() for v in chosen if str(v).strip()]
    unknown = [v for v in chosen if v not in EventType.values]
    if unknown:
        raise ValidationError.for_field(field, f"Không có loại sự kiện “{unknown[0][:60]}”.")
    if not chosen:
        raise ValidationError.for_field(field, "Hãy chọn ít nhất một loại sự kiện.")
    return [t for t in EventType.values if t in chosen]  # the catalogue's order, each once


@transaction.atomic
def webhook_subscribe(*, actor, client: Client, url: str,
                      event_types=(EventType.DOSSIER_STATUS,)) -> WebhookSubscription:
    """Subscribe a client's endpoint to the chosen event types (`EventType`); the signing secret is shown to its
    owners. What it then receives is limited to the records its client may see (`webhooks`)."""
    if not can_manage_client(actor, client):
        raise NotFound("Không có hệ thống kết nối này trong phạm vi của bạn.")
    url = (url or "").strip()
    if not re.match(r"^https?://[^\s/]+(/\S*)?$", url) or len(url) > 500:
        raise ValidationError.for_field("url", "Địa chỉ nhận phải là một URL http(s) đầy đủ.")
    types = _event_types(event_types)
    from .webhooks import EVENT_SERVICES

    granted = set(client.grants.values_list("service", flat=True))
    for event_type in types:
        service = EVENT_SERVICES.get(event_type)
        if service and service not in granted:
            raise ValidationError.for_field(
                "event_types", f"Hệ thống “{client.name}” chưa được cấp dịch vụ “{catalogue.service_name(service)}”, nên chưa "
                f"thể nhận sự kiện “{EventType(event_type).label}”. Hãy gửi yêu cầu cấp quyền dịch vụ này trước.")
    subscription = WebhookSubscription.objects.create(client=client, url=url, secret=secrets.token_hex(32),
                                                      event_types=types)
    names = ", ".join(EventType(t).label.lower() for t in types)
    audit_record(actor=actor, action="gateway.webhook.subscribe", obj=subscription,
                 summary=f"Đăng ký nhận sự kiện ({names}) cho hệ thống “{client.name}” tại {url}"[:500],
                 changes={"url": [None, url], "event_types": [None, types]})
    return subscription


@transaction.atomic
def webhook_set_state(*, actor, subscription: WebhookSubscription, state: str) -> WebhookSubscription:
    """Turn a subscription off, or back on (a suspended one resumes its queue, in order)."""
    if not can_manage_client(actor, subscription.client):
        raise NotFound("Không có đăng ký này trong phạm vi của bạn.")
    if state not in {SubscriptionState.ACTIVE, SubscriptionState.DISABLED}:
        raise ValidationError.for_field("state", "Trạng thái không hợp lệ.")
    old = subscription.state
    if old != state:
        WebhookSubscription.objects.filter(pk=subscription.pk).update(state=state, next_attempt_at=None)
        subscription.state = state
        audit_record(actor=actor, action="gateway.webhook.state", obj=subscription,
                     summary=f"Đổi trạng thái đăng ký nhận sự kiện của “{subscription.client.name}”",
                     changes={"state": [old, state]})
        from .webhooks import on_subscription_changed

        on_subscription_changed()  # a queryset update sends no post_save: the cached active set is renewed here
        if state == SubscriptionState.ACTIVE:
            from .webhooks import schedule

            transaction.on_commit(lambda: schedule(subscription.pk))
    return subscription
