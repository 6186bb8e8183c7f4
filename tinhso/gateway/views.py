"""Pages of the gateway (Vietnamese): the service catalogue, client systems, access requests, the access log and
the outbound connectors. Thin: parse → gateway services/selectors → render."""

from functools import wraps

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import StreamingHttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import urlencode
from django.views.decorators.http import require_POST

from tinhso.core import exports
from tinhso.core.exceptions import DomainError, NotFound, PermissionDenied, ValidationError
from tinhso.core.forms import add_domain_error
from tinhso.core.pagination import page_number, paginate

from . import catalogue, connectors, selectors, services, webhooks
from .choices import RequestStatus
from .filters import STATUS_CHOICES, log_filter_from
from .forms import AccessRequestForm, ClientForm, DecisionForm, LimitsForm, ServiceForm, WebhookForm
from .models import WebhookSubscription


def _domain_errors(view):
    """A domain error becomes a Vietnamese error page with its status, never a 500."""
    @wraps(view)
    def wrapper(request, *args, **kwargs):
        try:
            return view(request, *args, **kwargs)
        except DomainError as exc:
            return render(request, "core/error.html", {"message": exc.message}, status=exc.status_code)
    return wrapper


def home(request):
    base = settings.TINHSO_PUBLIC_URL.rstrip("/")
    return render(request, "gateway/catalogue.html", {
        "services": selectors.service_catalogue(base_url=base), "token_url": f"{base}{reverse('gateway:oauth2-token')}",
        "webhook_events": webhooks.event_catalogue(), "webhook_document_note": webhooks.DOCUMENT_NOTE,
        "webhook_start_seconds": int(webhooks.MEMO_SECONDS),
    })


@login_required
@_domain_errors
def client_list(request):
    admin = selectors.is_gateway_admin(request.user)
    form = ClientForm(request.POST or None) if admin else None
    if request.method == "POST":
        if not admin:
            raise PermissionDenied("Chỉ quản trị cấp tỉnh được đăng ký hệ thống kết nối.")
        if form.is_valid():
            try:
                client = services.client_create(actor=request.user, **form.cleaned_data)
            except DomainError as exc:
                add_domain_error(form, exc)
            else:
                messages.success(request, f"Đã đăng ký hệ thống “{client.name}”.")
                return redirect("gateway:client_detail", client.pk)
    clients = list(selectors.client_list(user=request.user, search=request.GET.get("q", "")[:100]))
    return render(request, "gateway/client_list.html", {
        "clients": clients, "form": form, "admin": admin, "q": request.GET.get("q", ""),
        "usage": selectors.daily_usage(user=request.user, days=30),
    })


@login_required
@_domain_errors
def client_detail(request, pk: int):
    client = selectors.client_get(user=request.user, client_id=pk)
    admin = selectors.is_gateway_admin(request.user)
    granted = {g.service for g in client.grants.all()}
    return render(request, "gateway/client_detail.html", {
        "client": client, "admin": admin,
        "grants": [s for s in catalogue.SERVICES if s.key in granted],
        "grant_form": ServiceForm(), "request_form": AccessRequestForm(), "webhook_form": WebhookForm(),
        "limits_form": LimitsForm(initial={"rate_per_minute": client.rate_per_minute,
                                           "daily_quota": client.daily_quota, "active": client.active}),
        "requests": selectors.access_request_list(user=request.user).filter(client=client)[:20],
        "webhooks": selectors.webhook_list(user=request.user, client=client),
        "usage": selectors.daily_usage(user=request.user, days=30, client_ids=[client.pk]),
    })


def _act(request, pk: int, action):
    """Run one POST action of the client page; show its error there."""
    client = selectors.client_get(user=request.user, client_id=pk)
    try:
        result = action(client)
    except DomainError as exc:
        messages.error(request, exc.message + "".join(f" {m}" for ms in exc.field_errors.values() for m in ms))
        return redirect("gateway:client_detail", client.pk)
    return result or redirect("gateway:client_detail", client.pk)


@login_required
@require_POST
@_domain_errors
def client_limits(request, pk: int):
    form = LimitsForm(request.POST)

    def action(client):
        if not form.is_valid():
            raise ValidationError("Giới hạn chưa hợp lệ.", field_errors={k: list(v) for k, v in form.errors.items()})
        services.client_update(actor=request.user, client=client, **form.cleaned_data)
        messages.success(request, "Đã lưu giới hạn của hệ thống.")
    return _act(request, pk, action)


@login_required
@require_POST
@_domain_errors
def client_grant(request, pk: int):
    form = ServiceForm(request.POST)

    def action(client):
        if not form.is_valid():
            raise ValidationError.for_field("service", "Hãy chọn một dịch vụ.")
        if request.POST.get("remove"):
            services.grant_remove(actor=request.user, client=client, service=form.cleaned_data["service"])
            messages.success(request, "Đã thu hồi quyền dịch vụ.")
        else:
            services.grant_add(actor=request.user, client=client, service=form.cleaned_data["service"])
            messages.success(request, "Đã cấp quyền dịch vụ.")
    return _act(request, pk, action)


@login_required
@require_POST
@_domain_errors
def client_credentials(request, pk: int):
    def action(client):
        if request.POST.get("kind") == "token":
            secret = {"token": services.client_token_issue(actor=request.user, client=client)}
        else:
            client_id, client_secret = services.client_oauth_issue(actor=request.user, client=client)
            secret = {"client_id": client_id, "client_secret": client_secret}
        base = settings.TINHSO_PUBLIC_URL.rstrip("/")
        return render(request, "gateway/secret.html", {"client": client, **secret,
                                                        "token_url": f"{base}{reverse('gateway:oauth2-token')}"})
    return _act(request, pk, action)


@login_required
@require_POST
@_domain_errors
def client_request_access(request, pk: int):
    form = AccessRequestForm(request.POST)

    def action(client):
        if not form.is_valid():
            raise ValidationError("Yêu cầu chưa hợp lệ.", field_errors={k: list(v) for k, v in form.errors.items()})
        services.access_request_create(actor=request.user, client=client, **form.cleaned_data)
        messages.success(request, "Đã gửi yêu cầu cấp quyền; quản trị cấp tỉnh sẽ xem xét.")
    return _act(request, pk, action)


@login_required
@require_POST
@_domain_errors
def client_webhook(request, pk: int):
    form = WebhookForm(request.POST)

    def action(client):
        if request.POST.get("subscription"):
            sub = WebhookSubscription.objects.filter(client=client, pk=request.POST["subscription"][:18]).first() \
                if request.POST["subscription"].isdigit() else None
            if sub is None:
                raise ValidationError.for_field("subscription", "Không có đăng ký này.")
            services.webhook_set_state(actor=request.user, subscription=sub, state=request.POST.get("state", ""))
            messages.success(request, "Đã đổi trạng thái đăng ký.")
            return None
        if not form.is_valid():
            field = next(iter(form.errors), "url")
            raise ValidationError.for_field(field, "Hãy nhập địa chỉ nhận sự kiện." if field == "url"
                                            else "Hãy chọn ít nhất một loại sự kiện trong danh sách.")
        services.webhook_subscribe(actor=request.user, client=client, url=form.cleaned_data["url"],
                                   event_types=form.cleaned_data["event_types"])
        messages.success(request, "Đã đăng ký nhận sự kiện.")
    return _act(request, pk, action)


@login_required
@_domain_errors
def request_list(request):
    status = request.GET.get("status", RequestStatus.PENDING)
    status = status if status in RequestStatus.values or status == "" else RequestStatus.PENDING
    page = paginate(selectors.access_request_list(user=request.user, status=status),
                    page=page_number(request.GET.get("page")))
    return render(request, "gateway/request_list.html", {
        "page": page, "status": status, "statuses": RequestStatus.choices,
        "admin": selectors.is_gateway_admin(request.user), "service_names": dict(catalogue.SERVICE_CHOICES),
    })


@login_required
@require_POST
@_domain_errors
def request_decide(request, pk: int):
    form = DecisionForm(request.POST)
    if not form.is_valid():
        messages.error(request, "Hãy chọn duyệt hoặc từ chối.")
        return redirect("gateway:request_list")
    try:
        services.access_request_decide(actor=request.user, request_id=pk,
                                       approve=form.cleaned_data["decision"] == "approve",
                                       note=form.cleaned_data["note"])
    except DomainError as exc:
        messages.error(request, exc.message + "".join(f" {m}" for ms in exc.field_errors.values() for m in ms))
    else:
        messages.success(request, "Đã ghi quyết định.")
    return redirect("gateway:request_list")


LOG_HEADER = ["Số", "Thời điểm", "Hệ thống", "Xác thực", "Dịch vụ", "Phương thức", "Đường dẫn", "Mục đích",
              "Mã kết quả", "Số byte", "Thời gian xử lý (ms)", "Địa chỉ IP", "Mã băm"]


def _log_rows(qs):
    names = dict(catalogue.SERVICE_CHOICES)
    for e in qs.iterator(chunk_size=2000):
        yield [e.seq, timezone.localtime(e.at).strftime("%d/%m/%Y %H:%M:%S"), e.client_label, e.credential,
               names.get(e.service, e.service), e.method, e.path, e.purpose, e.status, e.bytes, e.duration_ms,
               e.ip_address, e.hash]


@login_required
@_domain_errors
def access_log(request):
    if not selectors.is_gateway_admin(request.user):
        raise PermissionDenied("Chỉ quản trị cấp tỉnh được xem nhật ký truy cập của trục liên thông.")
    filters = log_filter_from(request.GET)
    qs = selectors.access_log_list(user=request.user, filters=filters)
    export = request.GET.get("export", "")
    if export:
        if export not in {"csv", "xlsx"}:
            raise ValidationError.for_field("export", "Định dạng xuất phải là csv hoặc xlsx.")
        stamp = timezone.localdate().isoformat()
        if export == "csv":
            response = StreamingHttpResponse(exports.csv_stream(LOG_HEADER, _log_rows(qs)),
                                             content_type="text/csv; charset=utf-8")
        else:
            response = StreamingHttpResponse(
                exports.xlsx_stream(LOG_HEADER, _log_rows(qs), sheet_title="Nhật ký truy cập"),
                content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
        response["Content-Disposition"] = f'attachment; filename="nhat-ky-truy-cap-lgsp-{stamp}.{export}"'
        return response
    page = paginate(qs, page=page_number(request.GET.get("page")))
    params = {k: v for k, v in request.GET.items() if k not in {"page", "export"}}
    return render(request, "gateway/access_log.html", {
        "page": page, "f": filters, "clients": selectors.client_list(user=request.user),
        "services": catalogue.SERVICES, "statuses": STATUS_CHOICES, "service_names": dict(catalogue.SERVICE_CHOICES),
        "export_csv": f"?{urlencode({**params, 'export': 'csv'})}",
        "export_xlsx": f"?{urlencode({**params, 'export': 'xlsx'})}",
    })


@login_required
@_domain_errors
def outbox(request):
    if not selectors.is_gateway_admin(request.user):
        raise PermissionDenied("Chỉ quản trị cấp tỉnh được xem hàng đợi kết nối ra ngoài.")
    if request.method == "POST":
        try:
            queued = connectors.catalogue_sync_all(actor=request.user)
        except DomainError as exc:
            messages.error(request, exc.message + "".join(f" {m}" for ms in exc.field_errors.values() for m in ms))
        else:
            messages.success(request, f"Đã đưa {queued} mã định danh cơ quan vào hàng đợi.")
        return redirect("gateway:outbox")
    connector = request.GET.get("connector", "")
    connector = connector if connector in connectors.CONNECTORS else ""
    status = request.GET.get("status", "")
    qs = selectors.outbox_list(user=request.user, connector=connector).prefetch_related("attempt_log")
    if status in {"pending", "delivered", "failed"}:
        qs = qs.filter(status=status)
    page = paginate(qs, page=page_number(request.GET.get("page")))
    return render(request, "gateway/outbox.html", {
        "page": page, "connector": connector, "status": status,
        "connectors": [(c, bool(c.url())) for c in connectors.CONNECTORS.values()],
        "names": {k: c.name for k, c in connectors.CONNECTORS.items()},
    })


@login_required
@_domain_errors
def webhook_log(request, pk: int):
    subscription = WebhookSubscription.objects.select_related("client").filter(pk=pk).first()
    if subscription is None or not selectors.can_manage_client(request.user, subscription.client):
        raise NotFound("Không có đăng ký này trong phạm vi của bạn.")
    page = paginate(subscription.deliveries.order_by("-id").prefetch_related("attempt_log"),
                    page=page_number(request.GET.get("page")))
    return render(request, "gateway/webhook_log.html", {"subscription": subscription, "page": page})
