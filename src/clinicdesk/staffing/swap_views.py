"""The swaps screen (#20 item 5): offer one of one's shifts, take a colleague's, claim an open shift, and for the
coordinator approve or decline; and the shift request screen (ask to work or not to work a shift). Thin over
swap_services and swap_selectors; a refusal (naming the rule broken) comes back as a flash message."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from clinicdesk.core.exceptions import DomainError
from clinicdesk.core.forms import form_add_domain_error
from clinicdesk.core.permissions import Perm, has_perm, require

from . import selectors, services, swap_selectors, swap_services
from .forms import DecisionNoteForm, ShiftRequestForm, SwapOfferForm
from .views import FIXABLE, _actor, _location, _tabs


def _shift_label(a: Any) -> str:
    return f"{date_format(a.date, 'D')} {date_format(a.date)} · {a.shift_type.code} {a.shift_type.name}"


def _offer_form(request: HttpRequest, location: Any, data: Any = None) -> SwapOfferForm:
    actor = _actor(request)
    shifts = [(a.pk, _shift_label(a)) for a in swap_selectors.my_assignments(actor=actor, location_id=location.pk)]
    people = [(m.pk, m.display_name) for m in swap_selectors.colleagues(actor=actor, location_id=location.pk)]
    return SwapOfferForm(data, shifts=shifts, colleagues=people)


@login_required
@require_GET
def swaps(request: HttpRequest) -> HttpResponse:
    actor = _actor(request)
    require(actor, Perm.STAFFING_READ, resource_type="shiftswap")
    location = _location(request)
    manage = has_perm(actor, Perm.STAFFING_ADMIN, location=location.pk)
    roster = swap_selectors.published_roster(actor=actor, location_id=location.pk, on=timezone.localdate())
    return render(request, "staffing/swaps.html", {
        "tabs": _tabs(request, "swaps"), "location": location, "manage": manage, "roster": roster,
        "offer_form": _offer_form(request, location),
        "to_take": swap_selectors.swaps_to_take(actor=actor, location_id=location.pk),
        "open": swap_selectors.open_shifts(roster) if roster is not None else [],
        "mine": swap_selectors.my_swaps(actor=actor),
        "awaiting": swap_selectors.swaps_awaiting(actor=actor, location_id=location.pk) if manage else [],
        "decision_form": DecisionNoteForm()})


def _act(request: HttpRequest, action: Callable[[], Any], done: str) -> HttpResponse:
    try:
        action()
    except DomainError as error:
        if error.status not in FIXABLE:
            raise
        messages.error(request, error.detail)
    else:
        messages.success(request, done)
    return redirect("staffing:swaps")


@login_required
@require_POST
def swap_offer(request: HttpRequest) -> HttpResponse:
    location = _location(request)
    form = _offer_form(request, location, request.POST)
    if not form.is_valid():
        messages.error(request, _("Choose one of your shifts."))
        return redirect("staffing:swaps")
    data = form.cleaned_data
    return _act(request, lambda: swap_services.swap_offer(
        actor=_actor(request), assignment_id=data["assignment_id"], offered_to_id=data["offered_to_id"],
        note=data["note"]), _("Your shift is on offer."))


@login_required
@require_POST
def swap_take(request: HttpRequest, swap_id: int) -> HttpResponse:
    return _act(request, lambda: swap_services.swap_take(actor=_actor(request), swap_id=swap_id),
                _("You took the shift. The practice coordinator will approve it."))


@login_required
@require_POST
def open_shift_claim(request: HttpRequest) -> HttpResponse:
    try:
        roster_id, shift_type_id = int(request.POST["roster"]), int(request.POST["shift_type"])
        skill_id = int(request.POST["skill"]) if request.POST.get("skill") else None
        date = dt.date.fromisoformat(request.POST["date"])
    except (KeyError, ValueError):
        messages.error(request, _("This shift is not open (its cover is complete)."))
        return redirect("staffing:swaps")
    return _act(request, lambda: swap_services.open_shift_claim(
        actor=_actor(request), roster_id=roster_id, date=date, shift_type_id=shift_type_id, skill_id=skill_id),
        _("You claimed the shift. The practice coordinator will approve it."))


@login_required
@require_POST
def swap_approve(request: HttpRequest, swap_id: int) -> HttpResponse:
    return _act(request, lambda: swap_services.swap_approve(actor=_actor(request), swap_id=swap_id),
                _("Swap approved: the roster is changed."))


@login_required
@require_POST
def swap_decline(request: HttpRequest, swap_id: int) -> HttpResponse:
    form = DecisionNoteForm(request.POST)
    note = form.cleaned_data["note"] if form.is_valid() else ""
    return _act(request, lambda: swap_services.swap_decline(actor=_actor(request), swap_id=swap_id, note=note),
                _("Swap declined."))


@login_required
@require_POST
def swap_cancel(request: HttpRequest, swap_id: int) -> HttpResponse:
    return _act(request, lambda: swap_services.swap_cancel(actor=_actor(request), swap_id=swap_id),
                _("Swap withdrawn."))


# --- shift requests -------------------------------------------------------------------------------------------------

@login_required
@require_http_methods(["GET", "POST"])
def shift_request_new(request: HttpRequest) -> HttpResponse:
    actor = _actor(request)
    require(actor, Perm.STAFFING_READ, resource_type="shiftrequest")
    location = _location(request)
    manage = selectors.may_manage(actor, location.pk)
    if manage:
        people = [(m.pk, m.display_name) for m in selectors.staff_members_list(actor=actor, location_id=location.pk)]
    else:
        own = swap_selectors.own_member(actor=actor, location_id=location.pk)
        people = [(own.pk, own.display_name)] if own is not None else []
    shifts = [(s.pk, str(s)) for s in selectors.shift_types_list(actor=actor, location_id=location.pk)]
    form = ShiftRequestForm(request.POST or None, people=people, shifts=shifts, manage=manage)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.shift_request_create(actor=actor, staff_member_id=data["staff_member_id"], date=data["date"],
                                          kind=data["kind"], shift_type_id=data["shift_type_id"],
                                          weight=data.get("weight") or 1)
        except DomainError as error:
            if error.status not in FIXABLE:
                raise
            form_add_domain_error(form, error, aliases={"shift_type": "shift_type_id"})
        else:
            messages.success(request, _("Request recorded: the next roster solve takes it into account."))
            return redirect("staffing:mine")
    status = 422 if request.method == "POST" and form.errors else 200
    return render(request, "config/form.html", {
        "form": form, "title": _("Ask to work or not to work a shift"), "submit_label": _("Send the request"),
        "intro": _("The roster tries to grant requests; cover and contracts come first."),
        "cancel_url": reverse("staffing:mine")}, status=status)
