from __future__ import annotations

from base64 import b32encode
from urllib.parse import quote

import segno
from django.contrib import messages
from django.contrib.auth import login, logout
from django.contrib.auth.decorators import login_required
from django.db.models import Exists, OuterRef
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST
from django_otp import login as otp_login
from django_otp.plugins.otp_totp.models import TOTPDevice

from clinicdesk.core.exceptions import DomainError
from clinicdesk.core.permissions import Perm, require

from . import services
from .forms import PreferencesForm, SignInForm, TokenForm
from .models import User


def _next_url(request: HttpRequest) -> str:
    target = request.POST.get("next") or request.GET.get("next") or ""
    if url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}):
        return target
    return "/"


@require_http_methods(["GET", "POST"])
def sign_in(request: HttpRequest) -> HttpResponse:
    form = SignInForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            user = services.sign_in_check(request=request, **form.cleaned_data)
        except DomainError as error:
            form.add_error(None, error.detail)
        else:
            login(request, user, backend="django.contrib.auth.backends.ModelBackend")
            return redirect(_next_url(request))
    status = 401 if request.method == "POST" else 200
    return render(request, "accounts/sign_in.html", {"form": form, "next": _next_url(request)}, status=status)


@require_POST
def sign_out(request: HttpRequest) -> HttpResponse:
    logout(request)
    return redirect("accounts:login")


@login_required
@require_http_methods(["GET", "POST"])
def two_factor_verify(request: HttpRequest) -> HttpResponse:
    form = TokenForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            device = services.totp_verify(user=request.user, token=form.cleaned_data["token"])
        except DomainError as error:
            form.add_error("token", error.detail)
        else:
            otp_login(request, device)
            return redirect(_next_url(request))
    return render(request, "accounts/two_factor_verify.html", {"form": form},
                  status=422 if form.errors else 200)


def _provisioning_uri(user: User, key_hex: str) -> str:
    secret = b32encode(bytes.fromhex(key_hex)).decode().rstrip("=")
    label = quote(f"Clinicdesk:{user.username}")
    return f"otpauth://totp/{label}?secret={secret}&issuer=Clinicdesk&digits=6&period=30"


@login_required
@require_http_methods(["GET", "POST"])
def two_factor_setup(request: HttpRequest) -> HttpResponse:
    """GET shows a fresh secret; POST confirms it with a code (a wrong code keeps the same secret)."""
    form = TokenForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            device = services.totp_device_confirm(actor=request.user, token=form.cleaned_data["token"])
        except DomainError as error:
            form.add_error("token", error.detail)
        else:
            otp_login(request, device)
            messages.success(request, _("Two-factor sign-in is on for your account."))
            return redirect("home")
    pending = services.totp_device_pending(user=request.user)
    if request.method == "GET" or pending is None:
        pending = services.totp_device_start(actor=request.user)
    uri = _provisioning_uri(request.user, pending.key)
    context = {
        "form": form,
        "qr_svg": segno.make(uri, error="m").svg_inline(scale=4, title=_("Authenticator QR code")),
        "secret": uri.split("secret=")[1].split("&")[0],
    }
    return render(request, "accounts/two_factor_setup.html", context, status=422 if form.errors else 200)


@login_required
@require_http_methods(["GET", "POST"])
def preferences(request: HttpRequest) -> HttpResponse:
    form = PreferencesForm(request.POST or None, initial={"language": request.user.language})
    if request.method == "POST" and form.is_valid():
        services.user_language_set(actor=request.user, language=form.cleaned_data["language"])
        return redirect("accounts:preferences")
    has_device = services.confirmed_device(request.user) is not None
    return render(request, "accounts/preferences.html", {"form": form, "has_device": has_device})


@login_required
def users(request: HttpRequest) -> HttpResponse:
    require(request.user, Perm.USER_ADMIN)
    has_device = TOTPDevice.objects.filter(user=OuterRef("pk"))
    staff = (User.objects.prefetch_related("locations").annotate(has_device=Exists(has_device))
             .order_by("last_name", "first_name"))
    return render(request, "accounts/users.html", {"staff": staff})


@login_required
@require_POST
def user_unlock(request: HttpRequest, user_id: int) -> HttpResponse:
    services.user_unlock(actor=request.user, user_id=user_id)
    messages.success(request, _("Account unlocked."))
    return redirect("accounts:users")


@login_required
@require_POST
def user_totp_reset(request: HttpRequest, user_id: int) -> HttpResponse:
    services.totp_device_reset(actor=request.user, user_id=user_id)
    messages.success(request, _("Two-factor sign-in was reset; the user will set up a new authenticator."))
    return redirect("accounts:users")
