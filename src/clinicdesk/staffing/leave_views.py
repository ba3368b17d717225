"""The leave screens (#20 item 4): everyone asks for leave and sees who is away; the coordinator decides, and for
a provider's approved leave reviews the proposed cover of each affected appointment and applies it in one step.
Thin over staffing.leave_services and leave_selectors."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from clinicdesk.core.exceptions import DomainError, ValidationFailed
from clinicdesk.core.forms import form_add_domain_error
from clinicdesk.core.permissions import Perm, has_perm, require

from . import leave_selectors, leave_services
from .forms import DecisionForm, LeaveForm
from .leave_services import CoverMove
from .models import LeaveStatus
from .views import FIXABLE, _actor, _location, _tabs

AWAY_DAYS = 28


@login_required
@require_GET
def leave_home(request: HttpRequest) -> HttpResponse:
    actor = _actor(request)
    require(actor, Perm.STAFFING_READ, resource_type="leave")
    location = _location(request)
    manage = has_perm(actor, Perm.STAFFING_ADMIN, location=location.pk)
    today = timezone.localdate()
    away = leave_selectors.away_calendar(actor=actor, location=location, first_day=today, days=AWAY_DAYS)
    return render(request, "staffing/leave.html", {
        "tabs": _tabs(request, "leave"), "location": location, "manage": manage,
        "pending": (leave_selectors.leave_list(actor=actor, location=location, status=LeaveStatus.REQUESTED)
                    if manage else []),
        "coming": (leave_selectors.leave_list(actor=actor, location=location, status=LeaveStatus.APPROVED,
                                              first_day=today) if manage else []),
        "mine": leave_selectors.my_leave(actor=actor),
        "away": [day for day in away if day.people], "away_days": AWAY_DAYS,
        "balances": (leave_selectors.leave_balances(actor=actor, location=location, year=today.year)
                     if manage else [])})


@login_required
@require_http_methods(["GET", "POST"])
def leave_new(request: HttpRequest) -> HttpResponse:
    actor = _actor(request)
    require(actor, Perm.STAFFING_READ, resource_type="leave")
    location = _location(request)
    manage = has_perm(actor, Perm.STAFFING_ADMIN, location=location.pk)
    people = leave_selectors.leave_people(actor=actor, location=location) if manage else None
    form = LeaveForm(request.POST or None, people=people)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            leave = leave_services.leave_request(
                actor=actor, kind=data["kind"], first_day=data["first_day"], last_day=data["last_day"],
                note=data["note"], location_id=location.pk if manage else None, **form.person_ids())
        except DomainError as error:
            if error.status not in FIXABLE and not isinstance(error, ValidationFailed):
                raise
            form_add_domain_error(form, error, aliases={"user": "person", "practitioner": "person"})
        else:
            messages.success(request, _("Leave requested."))
            return redirect("staffing:leave-detail", leave_id=leave.pk)
    status = 422 if request.method == "POST" and form.errors else 200
    return render(request, "config/form.html", {
        "form": form, "title": _("Ask for leave"), "submit_label": _("Ask for leave"),
        "intro": _("Whole days, from the first to the last. The practice coordinator approves it."),
        "cancel_url": reverse("staffing:leave")}, status=status)


def _proposal_rows(proposals: list[leave_selectors.Proposal]) -> list[dict[str, Any]]:
    rows = []
    for proposal in proposals:
        appointment, option = proposal.appointment, proposal.option
        tz = appointment.location.tz
        rows.append({
            "proposal": proposal, "when": appointment.start.astimezone(tz),
            "patient": appointment.patient, "type": appointment.appointment_type,
            "new_when": option.start.astimezone(tz) if option else None,
            "new_provider": option.practitioner if option else None,
            "value": (f"{appointment.pk}|{option.start.isoformat()}|{option.practitioner.pk}" if option else "")})
    return rows


@login_required
@require_GET
def leave_detail(request: HttpRequest, leave_id: int) -> HttpResponse:
    actor = _actor(request)
    leave = leave_selectors.leave_get(actor=actor, leave_id=leave_id)
    manage = has_perm(actor, Perm.STAFFING_ADMIN, location=leave.location_id)
    proposals = (leave_selectors.leave_cover_proposals(actor=actor, leave_id=leave.pk)
                 if manage and leave.status == LeaveStatus.APPROVED and leave.practitioner_id else [])
    person = leave.person_name
    facts = [(_("Person"), person), (_("Kind"), leave.get_kind_display()),
             (_("From"), leave.first_day), (_("To"), leave.last_day),
             (_("Days"), leave.days()), (_("Status"), leave.get_status_display())]
    if leave.note:
        facts.append((_("Note"), leave.note))
    if leave.decision_note:
        facts.append((_("Reason"), leave.decision_note))
    own = leave.user_id == actor.pk
    return render(request, "staffing/leave_detail.html", {
        "tabs": _tabs(request, "leave"), "leave": leave, "person": person, "facts": facts, "manage": manage,
        "may_cancel": leave.status in (LeaveStatus.REQUESTED, LeaveStatus.APPROVED) and (
            manage or (own and leave.status == LeaveStatus.REQUESTED)),
        "rows": _proposal_rows(proposals), "movable": any(p.option for p in proposals),
        "roster_days": leave_services.rostered_days(leave) if manage and leave.user_id else [],
        "decision_form": DecisionForm()})


def _after(request: HttpRequest, leave_id: int, action: Any, done: str) -> HttpResponse:
    try:
        action()
    except DomainError as error:
        if error.status not in FIXABLE and not isinstance(error, ValidationFailed):
            raise
        messages.error(request, error.detail)
    else:
        messages.success(request, done)
    return redirect("staffing:leave-detail", leave_id=leave_id)


@login_required
@require_POST
def leave_approve(request: HttpRequest, leave_id: int) -> HttpResponse:
    note = request.POST.get("note", "")
    return _after(request, leave_id, lambda: leave_services.leave_approve(
        actor=_actor(request), leave_id=leave_id, note=note), _("Leave approved."))


@login_required
@require_POST
def leave_decline(request: HttpRequest, leave_id: int) -> HttpResponse:
    note = request.POST.get("note", "")
    return _after(request, leave_id, lambda: leave_services.leave_decline(
        actor=_actor(request), leave_id=leave_id, note=note), _("Leave declined."))


@login_required
@require_POST
def leave_cancel(request: HttpRequest, leave_id: int) -> HttpResponse:
    return _after(request, leave_id, lambda: leave_services.leave_cancel(actor=_actor(request), leave_id=leave_id),
                  _("Leave cancelled."))


def parse_moves(values: list[str]) -> list[CoverMove]:
    """The chosen proposals: "appointment id|new start (ISO 8601)|practitioner id" each."""
    moves = []
    for value in values:
        try:
            appointment_id, start, practitioner_id = value.split("|")
            moves.append(CoverMove(int(appointment_id), dt.datetime.fromisoformat(start), int(practitioner_id)))
        except ValueError as error:
            raise ValidationFailed("bad-move", _("A chosen move could not be read.")) from error
    return moves


@login_required
@require_POST
def leave_cover(request: HttpRequest, leave_id: int) -> HttpResponse:
    try:
        report = leave_services.leave_cover_apply(actor=_actor(request), leave_id=leave_id,
                                                  moves=parse_moves(request.POST.getlist("move")))
    except DomainError as error:
        if error.status not in FIXABLE and not isinstance(error, ValidationFailed):
            raise
        messages.error(request, error.detail)
    else:
        messages.success(request, _("%(n)s appointments moved; each patient is sent the new time.")
                         % {"n": len(report.moved)})
    return redirect("staffing:leave-detail", leave_id=leave_id)
