from __future__ import annotations

from base64 import b32encode
from collections.abc import Callable
from functools import partial
from typing import Any
from urllib.parse import quote

import segno
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import login, logout, update_session_auth_hash
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods, require_POST
from django_otp import login as otp_login

from clinicdesk.audit.selectors import HistoryLine, change_history
from clinicdesk.core import clock
from clinicdesk.core.exceptions import Conflict, DomainError, ValidationFailed
from clinicdesk.core.forms import form_add_domain_error
from clinicdesk.core.permissions import MFA_REQUIRED_ROLES, Perm, Role, require
from clinicdesk.practice.selectors import locations_for

from . import selectors, services
from .forms import PasswordChangeForm, PreferencesForm, SignInForm, TokenForm, UserForm
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


def _locations_text(member: User) -> str:
    if member.practice_wide:
        return str(_("All"))
    return ", ".join(loc.name for loc in member.locations.all())


def _status_text(member: User) -> str:
    words = [str(_("Active")) if member.is_active else str(_("Inactive"))]
    if member.locked_until and member.locked_until > clock.now():
        words.append(str(_("locked")))
    if member.password_must_change:
        words.append(str(_("must change password")))
    if member.mfa_required or getattr(member, "has_device", False):
        words.append(str(_("two-factor on")) if getattr(member, "has_device", False)
                     else str(_("two-factor to set up")))
    return ", ".join(words)


@login_required
def users(request: HttpRequest) -> HttpResponse:
    show_inactive = request.GET.get("inactive") == "include"
    staff = selectors.users_list(actor=request.user, include_inactive=show_inactive)
    rows = [{"cells": [m.username, m.get_full_name(), m.role_label, _locations_text(m), _status_text(m)],
             "url": reverse("accounts:user_edit", args=[m.pk]), "inactive": not m.is_active} for m in staff]
    return render(request, "config/list.html", {
        "title": _("Staff accounts"), "rows": rows,
        "columns": [_("Username"), _("Name"), _("Role"), _("Locations"), _("Status")],
        "new_url": reverse("accounts:user_new"), "new_label": _("Add a staff account"),
        "show_inactive": show_inactive,
        "toggle_url": reverse("accounts:users") + ("" if show_inactive else "?inactive=include"),
        "empty": _("No staff accounts yet."),
    })


def _add_errors(form: Any, error: DomainError) -> None:
    form_add_domain_error(form, error)


def _temporary_password_page(request: HttpRequest, member: User, password: str, *, created: bool) -> HttpResponse:
    """The one time a temporary password is shown: never stored in clear, never cached, never in a message."""
    response = render(request, "accounts/temporary_password.html",
                      {"member": member, "password": password, "created": created})
    response["Cache-Control"] = "no-store"
    return response


@login_required
@require_http_methods(["GET", "POST"])
def user_new(request: HttpRequest) -> HttpResponse:
    require(request.user, Perm.USER_ADMIN)
    form = UserForm(request.POST or None, locations=locations_for(request.user))
    if request.method == "POST" and form.is_valid():
        password = services.temporary_password()
        try:
            member = services.user_create(actor=request.user, password=password, must_change_password=True,
                                          **form.cleaned_data)
        except (ValidationFailed, Conflict) as error:
            _add_errors(form, error)
        else:
            return _temporary_password_page(request, member, password, created=True)
    return render(request, "config/form.html", {
        "title": _("Add a staff account"), "form": form, "submit_label": _("Add the account"),
        "cancel_url": reverse("accounts:users"),
        "intro": _("The new user gets a temporary password, shown once on the next page, and chooses their own "
                   "at their first sign-in."),
    }, status=422 if form.errors else 200)


HISTORY_LABELS = {"first_name": gettext_lazy("first name"), "last_name": gettext_lazy("last name"),
                  "email": gettext_lazy("e-mail"), "role": gettext_lazy("role"), "language": gettext_lazy("language"),
                  "locations": gettext_lazy("locations"), "is_active": gettext_lazy("active"),
                  "two_factor_required": gettext_lazy("two-factor sign-in required")}


def _worded(value: Any, field: str, location_names: dict[Any, str]) -> Any:
    """A recorded value in words: role and language labels, location names, yes/no."""
    if isinstance(value, bool):
        return _("yes") if value else _("no")
    if field == "role" and value in {r.value for r in Role}:
        return Role(value).label
    if field == "language":
        return dict(settings.LANGUAGES).get(value, value)
    if field == "locations" and isinstance(value, list):
        return ", ".join(location_names.get(pk, str(pk)) for pk in value) or "—"
    return value


def _history(request: HttpRequest, member: User) -> list[HistoryLine]:
    names = {loc.pk: loc.name for loc in locations_for(request.user)}
    return change_history(actor=request.user, resource_type="user", resource_id=member.pk,
                          field_labels=HISTORY_LABELS,
                          formatters={field: partial(_worded, field=field, location_names=names)
                                      for field in ("role", "language", "locations")})


@login_required
@require_http_methods(["GET", "POST"])
def user_edit(request: HttpRequest, user_id: int) -> HttpResponse:
    member = selectors.user_detail(actor=request.user, user_id=user_id)
    initial = {"first_name": member.first_name, "last_name": member.last_name, "email": member.email,
               "role": member.role, "language": member.language,
               "locations": [str(loc.pk) for loc in member.locations.all()]}
    form = UserForm(request.POST or None, initial=initial, locations=locations_for(request.user), creating=False)
    if request.method == "POST" and form.is_valid():
        try:
            services.user_update(actor=request.user, user_id=member.pk, **form.cleaned_data)
        except (ValidationFailed, Conflict) as error:
            _add_errors(form, error)
        else:
            messages.success(request, _("Staff account %(name)s saved.") % {"name": member.username})
            return redirect("accounts:user_edit", user_id=member.pk)
    return render(request, "accounts/user_form.html", {
        "title": _("Staff account %(name)s") % {"name": member.username}, "form": form, "member": member,
        "cancel_url": reverse("accounts:users"), "history": _history(request, member),
        "locked": bool(member.locked_until and member.locked_until > clock.now()), "mfa_roles": MFA_REQUIRED_ROLES,
        "deactivate_url": reverse("accounts:user_deactivate", args=[member.pk]) if member.is_active else "",
        "deactivate_label": _("Deactivate the account"),
    }, status=422 if form.errors else 200)


def _back_to(request: HttpRequest, user_id: int, action: Callable[[], Any], done: str) -> HttpResponse:
    """Run a one-button action on a staff account; its refusal (a rule, not a permission) is shown as a message."""
    try:
        action()
    except (ValidationFailed, Conflict) as error:
        messages.error(request, error.detail)
    else:
        messages.success(request, done)
    return redirect("accounts:user_edit", user_id=user_id)


@login_required
@require_POST
def user_deactivate(request: HttpRequest, user_id: int) -> HttpResponse:
    return _back_to(request, user_id, lambda: services.user_deactivate(actor=request.user, user_id=user_id),
                    _("Account deactivated: the user can no longer sign in."))


@login_required
@require_POST
def user_reactivate(request: HttpRequest, user_id: int) -> HttpResponse:
    return _back_to(request, user_id, lambda: services.user_update(actor=request.user, user_id=user_id, active=True),
                    _("Account reactivated."))


@login_required
@require_POST
def user_two_factor_require(request: HttpRequest, user_id: int) -> HttpResponse:
    required = request.POST.get("required") == "1"
    done = (_("Two-factor sign-in is now required for this user.") if required
            else _("Two-factor sign-in is no longer required for this user (unless the role requires it)."))
    return _back_to(request, user_id, lambda: services.user_two_factor_require(
        actor=request.user, user_id=user_id, required=required), done)


@login_required
@require_POST
def user_password_reset(request: HttpRequest, user_id: int) -> HttpResponse:
    try:
        password = services.user_password_reset(actor=request.user, user_id=user_id)
    except (ValidationFailed, Conflict) as error:
        messages.error(request, error.detail)
        return redirect("accounts:user_edit", user_id=user_id)
    member = selectors.user_detail(actor=request.user, user_id=user_id)
    return _temporary_password_page(request, member, password, created=False)


@login_required
@require_POST
def user_unlock(request: HttpRequest, user_id: int) -> HttpResponse:
    services.user_unlock(actor=request.user, user_id=user_id)
    messages.success(request, _("Account unlocked."))
    return redirect("accounts:user_edit", user_id=user_id)


@login_required
@require_POST
def user_totp_reset(request: HttpRequest, user_id: int) -> HttpResponse:
    services.totp_device_reset(actor=request.user, user_id=user_id)
    messages.success(request, _("Two-factor sign-in was reset; the user will set up a new authenticator."))
    return redirect("accounts:user_edit", user_id=user_id)


@login_required
@require_http_methods(["GET", "POST"])
def password_change(request: HttpRequest) -> HttpResponse:
    """Choose a new password: after a sign-in with a temporary one (the middleware sends the user here), or any
    time from the preferences."""
    forced = request.user.password_must_change
    form = PasswordChangeForm(request.POST or None, ask_current=not forced)
    if request.method == "POST" and form.is_valid():
        try:
            user = services.user_password_change(actor=request.user, new_password=form.cleaned_data["new_password"],
                                                 current_password=form.cleaned_data.get("current_password", ""))
        except ValidationFailed as error:
            _add_errors(form, error)
        else:
            update_session_auth_hash(request, user)  # this session stays signed in; the others end
            messages.success(request, _("Your new password is set."))
            return redirect("home" if forced else "accounts:preferences")
    return render(request, "config/form.html", {
        "title": _("Choose a new password") if forced else _("Change password"), "form": form,
        "intro": _("You signed in with a temporary password. Choose your own password to continue.") if forced
        else "", "submit_label": _("Save the new password"),
        "cancel_url": "" if forced else reverse("accounts:preferences"),
    }, status=422 if form.errors else 200)
