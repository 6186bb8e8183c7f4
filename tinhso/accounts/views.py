from django.contrib import messages
from django.contrib.auth import update_session_auth_hash
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.shortcuts import redirect, render

from tinhso.core.exceptions import DomainError, NotFound, PermissionDenied, ValidationError
from tinhso.core.forms import add_domain_error

from . import scoping, selectors, services
from .choices import Role
from .forms import CitizenIdVerifyForm, LoginForm, PasswordChangeForm


class LoginView(auth_views.LoginView):
    template_name = "accounts/login.html"
    authentication_form = LoginForm
    redirect_authenticated_user = True


class LogoutView(auth_views.LogoutView):
    pass


def lockout_response(request, credentials=None, *args, **kwargs):
    """django-axes calls this once an account has too many failed logins."""
    return render(request, "accounts/locked.html", status=403)


@login_required
def password_change(request):
    form = PasswordChangeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.password_change(user=request.user, old_password=form.cleaned_data["old_password"],
                                     new_password=form.cleaned_data["new_password1"])
        except ValidationError as exc:
            add_domain_error(form, exc)
        else:
            update_session_auth_hash(request, request.user)
            messages.success(request, "Đã đổi mật khẩu.")
            return redirect("core:home")
    return render(request, "accounts/password_change.html", {"form": form})


@login_required
def citizen_id_verify(request):
    """A one-stop clerk records that they checked a person's CCCD card against the account's citizen ID."""
    if not scoping.has_role(request.user, Role.RECEIVING_OFFICER):
        raise DjangoPermissionDenied("Chỉ cán bộ bộ phận một cửa được xác minh số định danh cá nhân.")
    form = CitizenIdVerifyForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            user = selectors.user_for_verification(actor=request.user, username=form.cleaned_data["username"])
            services.citizen_id_verify(actor=request.user, user=user, citizen_id=form.cleaned_data["citizen_id"])
        except NotFound as exc:
            form.add_error("username", exc.message)
        except PermissionDenied as exc:
            raise DjangoPermissionDenied(exc.message) from exc
        except DomainError as exc:
            add_domain_error(form, exc)
        else:
            messages.success(request, f"Đã xác minh số định danh cá nhân của tài khoản {user.username}.")
            return redirect("accounts:citizen_id_verify")
    return render(request, "accounts/citizen_id_verify.html", {"form": form})
