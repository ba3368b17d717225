"""Front-desk pages and htmx partials: parse, call a service or selector, render. Rules live in services."""

from __future__ import annotations

import datetime as dt
import secrets
from collections.abc import Callable
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from clinicdesk.comms.services import recall_add
from clinicdesk.core import clock
from clinicdesk.core.dates import parse_day
from clinicdesk.core.exceptions import DomainError, NotFound, PermissionDenied, ValidationFailed
from clinicdesk.core.locations import current_location
from clinicdesk.core.permissions import ROLE_CHOICES, Perm, has_perm, require
from clinicdesk.insurance import selectors as insurance_selectors
from clinicdesk.patients.selectors import patient_search
from clinicdesk.practice.models import Location
from clinicdesk.practice.selectors import locations_for
from clinicdesk.scheduling.models import AppointmentType

from . import selectors, services
from .models import CallDisposition, CallLog, CallReason, Priority, TaskStatus, Visitor


def _location(request: HttpRequest) -> tuple[Location, list[Location]]:
    locations = list(locations_for(request.user))
    if not locations:
        raise NotFound("no-location", _("You are not assigned to any location."))
    chosen = current_location(request, locations)  # the top bar's switcher; remembered in the session
    return chosen if chosen is not None else locations[0], locations


def _back(request: HttpRequest, default: str) -> HttpResponse:
    from django.utils.http import url_has_allowed_host_and_scheme

    target = request.POST.get("next") or ""
    if not url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}):
        target = default
    return redirect(target)


def _attempt(request: HttpRequest, action: Callable[[], Any], success: str = "") -> Any:
    """Run a service; a refused input becomes a clear message on the page (nothing was written). A refusal and a
    missing record are not input problems: both propagate, so a record of another location (hidden, 404) and
    one that does not exist answer alike."""
    try:
        result = action()
    except (PermissionDenied, NotFound):
        raise
    except DomainError as error:
        messages.error(request, error.detail)
        return None
    if success:
        messages.success(request, success)
    return result


def _day(text: str, default: dt.date, name: str = "day") -> dt.date:
    return parse_day(text, name=name, default=default)


def _key(request: HttpRequest) -> str:
    return request.POST.get("idempotency_key", "")


# --- arrivals and check-in -----------------------------------------------------------------------------

@login_required
def arrivals(request: HttpRequest) -> HttpResponse:
    location, locations = _location(request)
    context = {"location": location, "locations": locations,
               "arrivals": selectors.arrivals_today(actor=request.user, location=location),
               "queue": selectors.walk_in_queue(actor=request.user, location=location),
               "now": clock.now()}
    return render(request, "frontdesk/arrivals.html", context)


@login_required
@require_POST
def arrive(request: HttpRequest, appointment_id: int) -> HttpResponse:
    _attempt(request, lambda: services.visit_arrive(actor=request.user, appointment_id=appointment_id),
             _("Marked arrived."))
    return _back(request, reverse("frontdesk:arrivals"))


@login_required
def check_in(request: HttpRequest, appointment_id: int) -> HttpResponse:
    if request.method == "POST":
        visit = _attempt(request, lambda: services.visit_check_in(
            actor=request.user, appointment_id=appointment_id,
            demographics=request.POST.get("demographics") == "on", insurance=request.POST.get("insurance") == "on",
            photo_id=request.POST.get("photo_id") == "on"), _("Checked in."))
        if visit is None:
            return redirect("frontdesk:check_in", appointment_id=appointment_id)
        return redirect("frontdesk:check_in", appointment_id=appointment_id)
    summary = selectors.check_in_summary(actor=request.user, appointment_id=appointment_id)
    # The primary coverage's newest eligibility answer (#18): the summary's expected co-pay already comes from an
    # active, fresh 271 for the visit's service type when there is one (frontdesk.services.expected_copay).
    eligibility = insurance_selectors.eligibility_for_coverage(
        actor=request.user, coverage_id=summary.coverages[0].pk if summary.coverages else None)
    copay_from_payer = eligibility is not None and summary.copay_from_payer
    return render(request, "frontdesk/check_in.html", {
        "s": summary, "idempotency_key": secrets.token_urlsafe(16), "methods": _methods(),
        "today": clock.today_in(summary.appointment.location.tz), "eligibility": eligibility,
        "copay_from_payer": copay_from_payer,
        "can_verify": has_perm(request.user, Perm.INSURANCE_WRITE, location=summary.appointment.location_id)})


def _methods() -> list[tuple[str, str]]:
    from clinicdesk.billing.models import PaymentMethod

    return [(value, str(label)) for value, label in PaymentMethod.choices if value != PaymentMethod.ONLINE]


# --- the flow board ------------------------------------------------------------------------------------

@login_required
def board(request: HttpRequest) -> HttpResponse:
    location, locations = _location(request)
    columns = selectors.flow_board(actor=request.user, location=location)
    return render(request, "frontdesk/board.html", {
        "location": location, "locations": locations, "columns": columns,
        "choices": selectors.board_choices(location), "can_desk": has_perm(request.user, Perm.FRONTDESK)})


@login_required
def board_rows(request: HttpRequest) -> HttpResponse:
    location, _locations = _location(request)
    columns = selectors.flow_board(actor=request.user, location=location)
    return render(request, "frontdesk/_board.html", {
        "location": location, "columns": columns, "choices": selectors.board_choices(location),
        "can_desk": has_perm(request.user, Perm.FRONTDESK)})


_MOVES: dict[str, Callable[..., Any]] = {
    "checkin": services.visit_check_in,  # walk-ins (scheduled patients check in on their own page)
    "provider": services.visit_provider_start,
    "ready": services.visit_ready_for_checkout,
    "checkout": services.visit_check_out,
}
# The confirmation after each move of a visit (a flash on the page the move returns to).
_MOVE_DONE: dict[str, Any] = {
    "room": gettext_lazy("Roomed."), "leave": gettext_lazy("Marked as left."),
    "checkin": gettext_lazy("Checked in."), "provider": gettext_lazy("With the provider now."),
    "ready": gettext_lazy("Ready for check-out."), "checkout": gettext_lazy("Checked out."),
}


@login_required
@require_POST
def visit_move(request: HttpRequest, visit_id: int, action: str) -> HttpResponse:
    if action == "room":
        _attempt(request, lambda: services.visit_room(actor=request.user, visit_id=visit_id,
                                                      room_id=request.POST.get("room") or None,
                                                      assistant_id=request.POST.get("assistant") or None),
                 _MOVE_DONE["room"])
    elif action == "leave":
        _attempt(request, lambda: services.visit_leave(actor=request.user, visit_id=visit_id,
                                                       reason=request.POST.get("reason", "")), _MOVE_DONE["leave"])
    elif action in _MOVES:
        _attempt(request, lambda: _MOVES[action](actor=request.user, visit_id=visit_id), _MOVE_DONE[action])
    else:
        raise NotFound()
    return _back(request, reverse("frontdesk:board"))


# --- walk-ins -----------------------------------------------------------------------------------------

@login_required
def walk_in(request: HttpRequest) -> HttpResponse:
    location, locations = _location(request)
    require(request.user, Perm.FRONTDESK, location=location)  # desk work, like the arrivals it feeds
    found: list[Any] = []
    if request.method == "POST" and request.POST.get("action") == "add":
        visit = _attempt(request, lambda: services.walk_in_add(
            actor=request.user, location_id=location.pk, patient_id=request.POST.get("patient") or None,
            practitioner_id=request.POST.get("practitioner") or None,
            service_id=request.POST.get("service") or None, note=request.POST.get("note", ""),
            idempotency_key=_key(request)), _("Added to the walk-in queue."))
        if visit is not None:
            return redirect(f"{reverse('frontdesk:arrivals')}?location={location.pk}")
    elif request.method == "POST":
        found = patient_search(actor=request.user, query=request.POST.get("q", ""), limit=10)
    return render(request, "frontdesk/walk_in.html", {
        "location": location, "locations": locations, "found": found, "query": request.POST.get("q", ""),
        "practitioners": list(location.practitioners.filter(active=True).order_by("last_name")),
        "services": list(AppointmentType.objects.filter(active=True).order_by("name")),
        "idempotency_key": secrets.token_urlsafe(16)})


# --- check-out ---------------------------------------------------------------------------------------

@login_required
def check_out(request: HttpRequest, visit_id: int) -> HttpResponse:
    from clinicdesk.billing.services import balance_of

    visit = selectors.visit_detail(actor=request.user, visit_id=visit_id)
    return render(request, "frontdesk/check_out.html", {
        "visit": visit, "balance": balance_of(visit.patient_id), "methods": _methods(),
        "types": list(AppointmentType.objects.filter(active=True).order_by("name")),
        "idempotency_key": secrets.token_urlsafe(16),
        "recall_default": clock.today_in(visit.location.tz) + dt.timedelta(days=365)})


@login_required
@require_POST
def follow_up(request: HttpRequest, visit_id: int) -> HttpResponse:
    def book() -> Any:
        try:
            weeks = int(request.POST.get("weeks") or 0)
            type_id = int(request.POST.get("appointment_type") or 0)
        except ValueError as exc:
            raise ValidationFailed("bad-input", _("Choose the visit type and how many weeks out.")) from exc
        return services.follow_up_book(actor=request.user, visit_id=visit_id, appointment_type_id=type_id,
                                       weeks=weeks, idempotency_key=_key(request))

    appointment = _attempt(request, book)
    if appointment is not None:
        local = appointment.start.astimezone(appointment.location.tz)
        messages.success(request, _("Follow-up booked: %(when)s with %(who)s.") % {
            "when": local.strftime("%a %m/%d/%Y %H:%M"), "who": appointment.practitioner})
    return redirect("frontdesk:check_out", visit_id=visit_id)


@login_required
@require_POST
def recall(request: HttpRequest, visit_id: int) -> HttpResponse:
    visit = selectors.visit_detail(actor=request.user, visit_id=visit_id)

    def add() -> Any:
        try:
            due = dt.date.fromisoformat(request.POST.get("due_date", ""))
            type_id = int(request.POST.get("appointment_type") or 0)
        except ValueError as exc:
            raise ValidationFailed("bad-input", _("Choose the visit type and the due date.")) from exc
        return recall_add(actor=request.user, patient_id=visit.patient_id, appointment_type_id=type_id,
                          due_date=due, note=request.POST.get("note", ""))

    _attempt(request, add, _("Added to the recall list."))
    return redirect("frontdesk:check_out", visit_id=visit_id)


@login_required
def summary(request: HttpRequest, visit_id: int) -> HttpResponse:
    from clinicdesk.billing.services import balance_of

    visit = selectors.visit_detail(actor=request.user, visit_id=visit_id)
    return render(request, "frontdesk/summary.html", {"visit": visit, "balance": balance_of(visit.patient_id)})


# --- wait-time report ---------------------------------------------------------------------------------

@login_required
def wait_times(request: HttpRequest) -> HttpResponse:
    location, locations = _location(request)
    today = clock.today_in(location.tz)
    first = _day(request.GET.get("from", ""), today, "from")
    last = _day(request.GET.get("to", ""), today, "to")
    report = selectors.wait_time_report(actor=request.user, location=location, first_day=first, last_day=last)
    return render(request, "frontdesk/wait_times.html", {"location": location, "locations": locations,
                                                         "report": report})


# --- visitors -------------------------------------------------------------------------------------------

@login_required
def visitors(request: HttpRequest) -> HttpResponse:
    location, locations = _location(request)
    if request.method == "POST":
        _attempt(request, lambda: services.visitor_sign_in(
            actor=request.user, location_id=location.pk, name=request.POST.get("name", ""),
            visiting=request.POST.get("visiting", ""), id_type=request.POST.get("id_type", ""),
            id_last4=request.POST.get("id_last4", ""), badge=request.POST.get("badge", "")), _("Visitor signed in."))
        return redirect(f"{reverse('frontdesk:visitors')}?location={location.pk}")
    day = _day(request.GET.get("day", ""), clock.today_in(location.tz))
    return render(request, "frontdesk/visitors.html", {
        "location": location, "locations": locations, "day": day, "id_types": Visitor.IdType.choices,
        "open": selectors.visitors_open(actor=request.user, location=location),
        "report": selectors.visitors_on(actor=request.user, location=location, day=day)})


@login_required
@require_POST
def visitor_out(request: HttpRequest, visitor_id: int) -> HttpResponse:
    _attempt(request, lambda: services.visitor_sign_out(actor=request.user, visitor_id=visitor_id),
             _("Visitor signed out."))
    return _back(request, reverse("frontdesk:visitors"))


# --- calls and triage slips ------------------------------------------------------------------------------

@login_required
def calls(request: HttpRequest) -> HttpResponse:
    location, locations = _location(request)
    if request.method == "POST":
        p = request.POST
        _attempt(request, lambda: services.call_record(
            actor=request.user, location_id=location.pk, caller_name=p.get("caller_name", ""),
            caller_phone=p.get("caller_phone", ""), patient_id=_patient_by_mrn(request, p.get("patient", "")),
            reason=p.get("reason", ""),
            disposition=p.get("disposition", ""), note=p.get("note", ""), kind=p.get("kind", "call"),
            question=p.get("question", ""), priority=p.get("priority", Priority.ROUTINE),
            assignee_id=p.get("assignee") or None, pool=p.get("pool", "")), _("Call recorded."))
        return redirect(f"{reverse('frontdesk:calls')}?location={location.pk}")
    from clinicdesk.accounts.models import User

    day = _day(request.GET.get("day", ""), clock.today_in(location.tz))
    return render(request, "frontdesk/calls.html", {
        "location": location, "locations": locations, "day": day,
        "calls": selectors.calls_on(actor=request.user, location=location, day=day),
        "reasons": CallReason.choices, "dispositions": CallDisposition.choices, "priorities": Priority.choices,
        "kinds": CallLog.Kind.choices, "pools": ROLE_CHOICES,
        "clinicians": list(User.objects.filter(is_active=True, locations=location, role__in=["provider", "nurse"])
                           .order_by("last_name"))})


def _patient_by_mrn(request: HttpRequest, mrn: str) -> int | None:
    """The chart number typed at the desk, as the patient's id (an exact-key search, audited there)."""
    mrn = mrn.strip()
    if not mrn:
        return None
    found = [p for p in patient_search(actor=request.user, query=mrn, limit=5) if p.mrn == mrn]
    if not found:
        raise ValidationFailed("unknown-patient", _("No patient with chart number %(mrn)s.") % {"mrn": mrn[:12]},
                               fields={"patient": [_("Unknown patient.")]})
    return int(found[0].pk)


@login_required
@require_POST
def slip_answer(request: HttpRequest, slip_id: int) -> HttpResponse:
    _attempt(request, lambda: services.slip_answer(actor=request.user, slip_id=slip_id,
                                                   response=request.POST.get("response", "")), _("Answer recorded."))
    return _back(request, reverse("frontdesk:inbox"))


@login_required
@require_POST
def slip_close(request: HttpRequest, slip_id: int) -> HttpResponse:
    _attempt(request, lambda: services.slip_close(actor=request.user, slip_id=slip_id), _("Slip closed."))
    return _back(request, reverse("frontdesk:inbox"))


# --- tasks and the inbox ----------------------------------------------------------------------------------

@login_required
def inbox(request: HttpRequest) -> HttpResponse:
    location, locations = _location(request)
    if request.method == "POST":
        p = request.POST
        _attempt(request, lambda: services.task_create(
            actor=request.user, location_id=location.pk, title=p.get("title", ""),
            due_date=_day(p.get("due_date", ""), None),  # type: ignore[arg-type]
            priority=p.get("priority", Priority.ROUTINE), assignee_id=p.get("assignee") or None,
            pool=p.get("pool", ""), patient_id=p.get("patient") or None), _("Task created."))
        return redirect("frontdesk:inbox")
    return render(request, "frontdesk/inbox.html", {
        "location": location, "locations": locations, "inbox": selectors.inbox_for(actor=request.user),
        "priorities": Priority.choices, "pools": ROLE_CHOICES, "today": clock.today_in(location.tz)})


@login_required
@require_POST
def task_status(request: HttpRequest, task_id: int) -> HttpResponse:
    status = request.POST.get("status", "")
    if status not in TaskStatus.values:
        raise ValidationFailed("bad-status", _("Unknown status."))
    _attempt(request, lambda: services.task_set_status(actor=request.user, task_id=task_id, status=status),
             _("Task marked: %(status)s.") % {"status": TaskStatus(status).label})
    return _back(request, reverse("frontdesk:inbox"))


# --- pre-visit worklist -------------------------------------------------------------------------------------

@login_required
def worklist(request: HttpRequest) -> HttpResponse:
    location, locations = _location(request)
    rows = selectors.previsit_worklist(actor=request.user, location=location)
    # Coverage checks that came back inactive or failed, and visits missing a referral or an authorization (#18),
    # one selector call each for the worklist's days.
    days = _worklist_days(location)
    return render(request, "frontdesk/worklist.html", {
        "location": location, "locations": locations, "rows": rows,
        "problems": insurance_selectors.eligibility_problems(actor=request.user, location=location, days=days),
        "referral_problems": insurance_selectors.referral_problems(actor=request.user, location_id=location.pk,
                                                                   days=days)})


def _worklist_days(location: Location) -> list[dt.date]:
    """The worklist's business days (the same rule as selectors.previsit_worklist: holidays skipped)."""
    return selectors.worklist_days(location, 3)


@login_required
@require_POST
def chase(request: HttpRequest, appointment_id: int) -> HttpResponse:
    _attempt(request, lambda: services.chase_task_create(actor=request.user, appointment_id=appointment_id,
                                                         item=request.POST.get("item", "")), _("Task created."))
    return _back(request, reverse("frontdesk:worklist"))
