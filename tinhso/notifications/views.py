from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_POST

from tinhso.core.exceptions import DomainError, NotFound, PermissionDenied
from tinhso.core.pagination import page_number, paginate

from . import kinds as kind_registry
from . import selectors, services
from .choices import Channel, DeliveryStatus


@login_required
def inbox(request):
    page = paginate(selectors.inbox_for(request.user), page=page_number(request.GET.get("page")))
    return render(request, "notifications/inbox.html", {"page": page})


@login_required
@require_POST
def open_notification(request, pk: int):
    try:
        services.notification_mark_read(actor=request.user, notification_id=pk)
    except NotFound as exc:
        raise Http404(exc.message) from exc
    link = selectors.inbox_for(request.user).filter(pk=pk).values_list("link", flat=True).first() or ""
    if link and url_has_allowed_host_and_scheme(link, allowed_hosts={request.get_host()}):
        return redirect(link)
    return redirect("notifications:inbox")


@login_required
@require_POST
def mark_all_read(request):
    count = services.notification_mark_read(actor=request.user)
    messages.success(request, f"Đã đánh dấu {count} thông báo là đã đọc.")
    return redirect("notifications:inbox")


@login_required
def preferences(request):
    if request.method == "POST":
        for channel in (Channel.EMAIL, Channel.SMS):
            services.opt_out_set(actor=request.user, channel=channel, receive=request.POST.get(channel) == "on")
        messages.success(request, "Đã lưu cài đặt nhận thông báo.")
        return redirect("notifications:preferences")
    return render(request, "notifications/preferences.html", {
        "received": selectors.channels_received(request.user),
        "channels": [(Channel.EMAIL, Channel.EMAIL.label, request.user.email),
                     (Channel.SMS, Channel.SMS.label, request.user.phone)],
    })


def unsubscribe(request, token: str):
    try:
        channel, address = services.unsubscribe_read(token)
    except NotFound as exc:
        raise Http404(exc.message) from exc
    done = False
    if request.method == "POST":
        services.unsubscribe_address(token=token, ip_address=request.META.get("REMOTE_ADDR", ""))
        done = True
    return render(request, "notifications/unsubscribe.html", {
        "channel": Channel(channel).label, "address": services._mask(address), "done": done})


def _province_admin_only(request, fn, *args, **kwargs):
    try:
        return fn(*args, **kwargs)
    except PermissionDenied as exc:
        raise DjangoPermissionDenied(exc.message) from exc


@login_required
def template_list(request):
    from tinhso.accounts import scoping

    if not scoping.is_province_admin(request.user):
        raise DjangoPermissionDenied("Chỉ quản trị cấp tỉnh được sửa mẫu thông báo.")
    rows = []
    for spec in kind_registry.all_kinds():
        for channel in spec.wording:
            wording = services.wording_for(spec, channel)
            rows.append({"kind": spec, "channel": channel, "channel_label": Channel(channel).label,
                         "wording": wording, "customised": wording != spec.wording[channel]})
    return render(request, "notifications/template_list.html", {"rows": rows})


@login_required
def template_edit(request, kind: str, channel: str):
    from tinhso.accounts import scoping

    if not scoping.is_province_admin(request.user):
        raise DjangoPermissionDenied("Chỉ quản trị cấp tỉnh được sửa mẫu thông báo.")
    try:
        spec = kind_registry.get(kind)
    except DomainError as exc:
        raise Http404(exc.message) from exc
    if channel not in spec.wording:
        raise Http404("Loại thông báo này không gửi qua kênh đã chọn.")
    errors = {}
    wording = services.wording_for(spec, channel)
    subject, body = wording.subject, wording.body
    if request.method == "POST":
        subject, body = request.POST.get("subject", ""), request.POST.get("body", "")
        try:
            if request.POST.get("reset"):
                services.template_reset(actor=request.user, kind=kind, channel=channel)
                messages.success(request, "Đã khôi phục mẫu mặc định.")
            else:
                services.template_save(actor=request.user, kind=kind, channel=channel, subject=subject, body=body)
                messages.success(request, "Đã lưu mẫu thông báo.")
            return redirect("notifications:template_list")
        except DomainError as exc:
            errors = exc.field_errors or {"body": [exc.message]}
    return render(request, "notifications/template_edit.html", {
        "kind": spec, "channel": channel, "channel_label": Channel(channel).label, "subject": subject,
        "body": body, "errors": errors, "default": spec.wording[channel]})


@login_required
def delivery_log(request):
    channel = request.GET.get("channel", "")
    status = request.GET.get("status", "")
    q = request.GET.get("q", "")[:100]
    qs = _province_admin_only(request, selectors.delivery_log, actor=request.user,
                              channel=channel if channel in Channel.values else "",
                              status=status if status in DeliveryStatus.values else "", q=q)
    page = paginate(qs, page=page_number(request.GET.get("page")))
    return render(request, "notifications/delivery_log.html", {
        "page": page, "channel": channel, "status": status, "q": q,
        "channels": [(c, Channel(c).label) for c in (Channel.EMAIL, Channel.SMS)],
        "statuses": DeliveryStatus.choices})
