"""Shared shapes of the compliance screens: the location a page works at, the section tabs, and the three page
shapes every screen is made of (a list at a location, a form that adds a record, a small POST from a detail page
that comes back as a flash message). A refusal the user can fix (409/422) comes back as a flash message or on the
form; anything else is raised to the error mapper."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from typing import Any, cast

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import formats
from django.utils.translation import gettext as _

from clinicdesk.core.exceptions import DomainError, NotFound
from clinicdesk.core.forms import form_add_domain_error
from clinicdesk.core.locations import current_location
from clinicdesk.core.permissions import Actor, Perm, has_perm
from clinicdesk.practice.selectors import locations_for

FIXABLE = (409, 422)


def _actor(request: HttpRequest) -> Actor:
    return cast(Actor, request.user)


def _locations(request: HttpRequest) -> tuple[Any, list[Any]]:
    locations = list(locations_for(_actor(request)))
    if not locations:
        raise NotFound("no-location", _("You are not assigned to any location."))
    chosen = current_location(request, locations)
    if chosen is None and (request.GET.get("location") or request.POST.get("location")):
        raise NotFound()  # a location the user does not work at looks like a missing one
    return (chosen if chosen is not None else locations[0]), locations


def _tabs(request: HttpRequest, current: str) -> list[dict[str, Any]]:
    if not has_perm(_actor(request), Perm.COMPLIANCE_ADMIN):
        tabs = [("report", _("Report"), "compliance:dashboard"),
                *([("clia", _("CLIA"), "compliance:clia")] if has_perm(_actor(request), Perm.LAB_TESTING) else []),
                ("mine", _("My policies"), "compliance:my-policies")]
    else:
        tabs = [("dashboard", _("Dashboard"), "compliance:dashboard"),
                ("calendar", _("Calendar"), "compliance:calendar"),
                ("incidents", _("Incidents"), "compliance:incidents"),
                ("complaints", _("Complaints and grievances"), "compliance:complaints"),
                ("requests", _("Rights requests"), "compliance:requests"),
                ("disclosures", _("Disclosures"), "compliance:disclosures"),
                ("breaches", _("Breaches"), "compliance:breaches"),
                ("osha", _("OSHA"), "compliance:osha"),
                ("clia", _("CLIA"), "compliance:clia"),
                ("hipaa", _("HIPAA program"), "compliance:hipaa"),
                ("policies", _("Policies"), "compliance:policies"),
                ("mine", _("My policies"), "compliance:my-policies")]
    return [{"label": label, "url": reverse(name), "current": key == current} for key, label, name in tabs]


def _page(request: HttpRequest, template: str, context: dict[str, Any], current: str,
          status: int = 200) -> HttpResponse:
    return render(request, template, {"tabs": _tabs(request, current), **context}, status=status)


Done = str | Callable[[Any], str]  # the success message, or one made from the result


def _try(request: HttpRequest, action: Callable[[], Any], done: Done) -> Any:
    try:
        result = action()
    except DomainError as error:
        if error.status not in FIXABLE:
            raise
        messages.error(request, error.detail)
        return None
    messages.success(request, done(result) if callable(done) else done)
    return result


def _form_try(request: HttpRequest, form: Any, action: Callable[[dict[str, Any]], Any], done: str) -> Any:
    if request.method != "POST" or not form.is_valid():
        return None
    try:
        result = action(form.cleaned_data)
    except DomainError as error:
        if error.status not in FIXABLE:
            raise
        form_add_domain_error(form, error)
        return None
    messages.success(request, done)
    return result


def _posted(request: HttpRequest, form: Any, action: Callable[[dict[str, Any]], Any], done: Done) -> Any:
    """A small form posted from a detail page: its errors come back as flash messages."""
    if not form.is_valid():
        for field, problems in form.errors.items():
            label = form.fields[field].label if field in form.fields else ""
            messages.error(request, f"{label}: {' '.join(problems)}" if label else " ".join(problems))
        return None
    return _try(request, lambda: action(form.cleaned_data), done)


def _form_page(request: HttpRequest, form: Any, context: dict[str, Any]) -> HttpResponse:
    status = 422 if request.method == "POST" and form.errors else 200
    template = "compliance/upload_form.html" if form.is_multipart() else "config/form.html"
    return render(request, template, {"form": form, **context}, status=status)


def _key() -> str:
    return uuid.uuid4().hex


def _day(value: Any) -> str:
    return formats.date_format(value, "SHORT_DATE_FORMAT") if value else "—"


# --- the page shapes --------------------------------------------------------------------------------------------
def list_page(request: HttpRequest, template: str, current: str, name: str,
              fetch: Callable[[Any, bool], Any]) -> HttpResponse:
    """A list at the chosen location; ?show=all includes closed records."""
    location, _all = _locations(request)
    show_all = request.GET.get("show") == "all"
    return _page(request, template, {"location": location, name: fetch(location, show_all),
                                     "show_all": show_all}, current)


def add_page(request: HttpRequest, form: Any, save: Callable[[dict[str, Any]], Any], *, done: str,
             then: Callable[[Any], str], title: str, intro: str, submit: str, cancel: str) -> HttpResponse:
    """A form that adds a record: valid and accepted, go to `then(record)`; otherwise the form (422 on errors)."""
    made = _form_try(request, form, save, done)
    if made:
        return redirect(then(made))
    return _form_page(request, form, {"title": title, "intro": intro, "submit_label": submit,
                                      "action": request.get_full_path(), "cancel_url": cancel})


def post_back(request: HttpRequest, to: str, action: Callable[[dict[str, Any]], Any], done: Done,
              form: Any = None) -> HttpResponse:
    """A POST from a detail page: do it (with the form's data, when a form is given), flash, go back to `to`."""
    if form is None:
        _try(request, lambda: action({}), done)
    else:
        _posted(request, form, action, done)
    return redirect(to)


def at(name: str, location: Any) -> str:
    return reverse(name) + f"?location={location.pk}"


STATE_WORDS = {"overdue": "danger", "soon": "warning", "ok": "success", "open": "neutral", "late": "danger"}


def _state_of(state: str) -> dict[str, str]:
    """A clock's state as a badge: tone and words."""
    words = {"overdue": _("Overdue"), "soon": _("Due soon"), "ok": _("On time"), "open": _("No deadline"),
             "late": _("Done late")}
    return {"tone": STATE_WORDS[state], "label": words[state]}
