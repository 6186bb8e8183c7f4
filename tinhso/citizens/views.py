from django.contrib import messages
from django.contrib.auth import login
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from mozilla_django_oidc import views as oidc_views

from tinhso.core.exceptions import DomainError, Throttled

from . import services
from .oidc import eid_configured

SESSION_OTP = "citizens_registration_otp"


def _ip(request) -> str:
    return request.META.get("REMOTE_ADDR", "")


def _throttled(request, template, context, exc: Throttled):
    response = render(request, template, {**context, "error": exc.message}, status=429)
    response["Retry-After"] = str(exc.retry_after)
    return response


def register(request):
    data = {k: request.POST.get(k, "") for k in ("full_name", "contact")}
    context = {"data": data, "errors": {}}
    if request.method == "POST":
        password, password2 = request.POST.get("password", ""), request.POST.get("password2", "")
        try:
            if password != password2:
                from tinhso.core.exceptions import ValidationError

                raise ValidationError.for_field("password2", "Hai lần nhập mật khẩu không khớp.")
            otp = services.registration_start(full_name=data["full_name"], contact=data["contact"],
                                              password=password, ip_address=_ip(request))
        except Throttled as exc:
            return _throttled(request, "citizens/register.html", context, exc)
        except DomainError as exc:
            context["errors"] = exc.field_errors or {"contact": [exc.message]}
            context["error"] = exc.message
            return render(request, "citizens/register.html", context, status=422)
        request.session[SESSION_OTP] = otp.pk
        return redirect("citizens:register_confirm")
    return render(request, "citizens/register.html", context)


def register_confirm(request):
    otp_id = request.session.get(SESSION_OTP)
    if not otp_id:
        return redirect("citizens:register")
    context = {"errors": {}}
    if request.method == "POST":
        try:
            user = services.registration_confirm(otp_id=otp_id, code=request.POST.get("code", ""),
                                                 ip_address=_ip(request))
        except DomainError as exc:
            context["errors"] = exc.field_errors or {"code": [exc.message]}
            return render(request, "citizens/register_confirm.html", context, status=422)
        del request.session[SESSION_OTP]
        login(request, user, backend="django.contrib.auth.backends.ModelBackend")
        messages.success(request, "Đã tạo tài khoản. Bạn có thể nộp và theo dõi hồ sơ trực tuyến.")
        return redirect("dossiers:mine")
    return render(request, "citizens/register_confirm.html", context)


def reset(request):
    context = {"contact": request.POST.get("contact", "") or request.GET.get("contact", ""), "errors": {}}
    if request.method == "POST" and "code" not in request.POST:
        try:
            services.password_reset_start(contact=context["contact"], ip_address=_ip(request))
        except Throttled as exc:
            return _throttled(request, "citizens/reset.html", context, exc)
        except DomainError as exc:
            context["errors"] = exc.field_errors
            return render(request, "citizens/reset.html", context, status=422)
        context["sent"] = True
    elif request.method == "POST":
        context["sent"] = True
        try:
            services.password_reset_confirm(contact=context["contact"], code=request.POST.get("code", ""),
                                            new_password=request.POST.get("new_password", ""),
                                            ip_address=_ip(request))
        except Throttled as exc:
            return _throttled(request, "citizens/reset.html", context, exc)
        except DomainError as exc:
            context["errors"] = exc.field_errors or {"code": [exc.message]}
            return render(request, "citizens/reset.html", context, status=422)
        messages.success(request, "Đã đặt lại mật khẩu. Hãy đăng nhập bằng mật khẩu mới.")
        return redirect("accounts:login")
    return render(request, "citizens/reset.html", context)


def eid_start(request):
    if not eid_configured():
        raise Http404("Đăng nhập bằng định danh điện tử chưa được cấu hình.")
    return oidc_views.OIDCAuthenticationRequestView.as_view()(request)


class _Callback(oidc_views.OIDCAuthenticationCallbackView):
    @property
    def failure_url(self):
        return reverse("accounts:login") + "?eid=loi"


def eid_callback(request):
    if not eid_configured():
        raise Http404("Đăng nhập bằng định danh điện tử chưa được cấu hình.")
    return _Callback.as_view()(request)
