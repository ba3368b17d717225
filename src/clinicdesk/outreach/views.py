"""The workshop and event screens (#24 item 3): the list, the event page (registrations, waitlist, survey
summary), the create/edit form, the door (attendance and walk-ins) and the public survey. Thin over services."""

from __future__ import annotations

from typing import Any, cast

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from clinicdesk.core.exceptions import DomainError, NotFound
from clinicdesk.core.forms import form_add_domain_error
from clinicdesk.core.locations import current_location
from clinicdesk.core.permissions import Actor, Perm, has_perm, require
from clinicdesk.patients.selectors import patient_search
from clinicdesk.practice.selectors import locations_for

from . import messaging, selectors, services
from .forms import ContactForm, EventForm, SurveyForm
from .models import Event, RegistrationStatus

FIXABLE = (409, 422)


def _actor(request: HttpRequest) -> Actor:
    return cast(Actor, request.user)


def _location(request: HttpRequest) -> Any:
    locations = list(locations_for(_actor(request)))
    if not locations:
        raise NotFound("no-location", _("You are not assigned to any location."))
    chosen = current_location(request, locations)
    if chosen is None and (request.GET.get("location") or request.POST.get("location")):
        raise NotFound()
    return chosen if chosen is not None else locations[0]


def _refused(request: HttpRequest, refusal: DomainError) -> None:
    if refusal.status not in FIXABLE:
        raise refusal
    messages.error(request, refusal.detail)


@login_required
@require_GET
def events_page(request: HttpRequest) -> HttpResponse:
    location = _location(request)
    past = request.GET.get("show") == "past"
    events = list(selectors.events_list(actor=_actor(request), location_id=location.pk, past=past))
    return render(request, "outreach/events.html", {
        "events": events, "location": location, "past": past, "language": (get_language() or "en")[:2],
        "may_create": has_perm(_actor(request), Perm.OUTREACH_ADMIN, location=location.pk),
        "new_url": f"{reverse('outreach:event_new')}?location={location.pk}"})


def _event_form_page(request: HttpRequest, form: EventForm, event: Event | None, location: Any,
                     status: int = 200) -> HttpResponse:
    return render(request, "outreach/event_form.html", {"form": form, "event": event, "location": location},
                  status=status)


@login_required
@require_http_methods(["GET", "POST"])
def event_new(request: HttpRequest) -> HttpResponse:
    location = _location(request)
    require(_actor(request), Perm.OUTREACH_ADMIN, location=location.pk)
    form = EventForm(request.POST or None)
    if request.method == "POST":
        if form.is_valid():
            try:
                event = services.event_create(actor=_actor(request), location_id=location.pk, **form.cleaned_data)
            except DomainError as refusal:
                if refusal.status not in FIXABLE:
                    raise
                form_add_domain_error(form, refusal)
            else:
                messages.success(request, _("Event saved."))
                return redirect("outreach:event", event_id=event.pk)
        return _event_form_page(request, form, None, location, 422)
    return _event_form_page(request, form, None, location)


@login_required
@require_http_methods(["GET", "POST"])
def event_edit(request: HttpRequest, event_id: int) -> HttpResponse:
    event = selectors.event_detail(actor=_actor(request), event_id=event_id)
    require(_actor(request), Perm.OUTREACH_ADMIN, location=event.location_id)
    local = event.start.astimezone(event.location.tz)
    initial = {name: getattr(event, name) for name in services.EDITABLE} | {"day": local.date(),
                                                                           "time": local.time()}
    form = EventForm(request.POST or None, initial=initial)
    if request.method == "POST":
        if form.is_valid():
            try:
                services.event_update(actor=_actor(request), event_id=event.pk, **form.cleaned_data)
            except DomainError as refusal:
                if refusal.status not in FIXABLE:
                    raise
                form_add_domain_error(form, refusal)
            else:
                messages.success(request, _("Event saved."))
                return redirect("outreach:event", event_id=event.pk)
        return _event_form_page(request, form, event, event.location, 422)
    return _event_form_page(request, form, event, event.location)


@login_required
@require_GET
def event_page(request: HttpRequest, event_id: int) -> HttpResponse:
    actor = _actor(request)
    event = selectors.event_detail(actor=actor, event_id=event_id)
    rows = selectors.event_registrations(actor=actor, event=event)
    query = request.GET.get("q", "").strip()
    registered = {r.patient_id for r in rows if r.status != RegistrationStatus.CANCELLED}
    found = [p for p in patient_search(actor=actor, query=query, limit=10) if p.pk not in registered] \
        if query else []
    return render(request, "outreach/event.html", {
        "event": event, "language": (get_language() or "en")[:2],
        "confirmed": [r for r in rows if r.status == RegistrationStatus.CONFIRMED],
        "waitlist": [r for r in rows if r.status == RegistrationStatus.WAITLISTED],
        "cancelled": [r for r in rows if r.status == RegistrationStatus.CANCELLED],
        "query": query, "found": found, "contact_form": ContactForm(),
        "survey": messaging.survey_summary(event), "may_manage": services.may_manage(actor, event),
        "local_start": event.start.astimezone(event.location.tz),
        "list_url": f"{reverse('outreach:events')}?location={event.location_id}"})


@login_required
@require_POST
def register(request: HttpRequest, event_id: int) -> HttpResponse:
    walk_in = request.POST.get("walk_in") == "1"
    patient = request.POST.get("patient", "")
    try:
        registration = services.registration_add(actor=_actor(request), event=event_id, walk_in=walk_in,
                                                 patient=int(patient) if patient.isdigit() else None)
    except DomainError as refusal:
        _refused(request, refusal)
    else:
        _registered_message(request, registration)
    return redirect("outreach:door" if walk_in else "outreach:event", event_id=event_id)


def _registered_message(request: HttpRequest, registration: Any) -> None:
    if registration.status == RegistrationStatus.CONFIRMED:
        messages.success(request, _("%(name)s has a place.") % {"name": registration.person_name})
    else:
        messages.warning(request, _("Every place is taken: %(name)s is on the waitlist.")
                         % {"name": registration.person_name})


@login_required
@require_POST
def register_contact(request: HttpRequest, event_id: int) -> HttpResponse:
    walk_in = request.POST.get("walk_in") == "1"
    form = ContactForm(request.POST)
    target = "outreach:door" if walk_in else "outreach:event"
    if not form.is_valid():
        for field, problems in form.errors.items():
            label = form.fields[field].label if field in form.fields else ""
            words = " ".join(str(p) for p in problems)
            messages.error(request, f"{label}: {words}" if label else words)
        return redirect(target, event_id=event_id)
    try:
        registration = services.contact_register(actor=_actor(request), event_id=event_id, walk_in=walk_in,
                                                 **form.cleaned_data)
    except DomainError as refusal:
        _refused(request, refusal)
    else:
        _registered_message(request, registration)
    return redirect(target, event_id=event_id)


@login_required
@require_POST
def registration_cancel(request: HttpRequest, registration_id: int) -> HttpResponse:
    registration = services.registration_cancel(actor=_actor(request), registration_id=registration_id)
    messages.success(request, _("Registration cancelled."))
    return redirect("outreach:event", event_id=registration.event_id)


@login_required
@require_POST
def event_cancel(request: HttpRequest, event_id: int) -> HttpResponse:
    services.event_cancel(actor=_actor(request), event_id=event_id)
    messages.success(request, _("Event cancelled."))
    return redirect("outreach:event", event_id=event_id)


@login_required
@require_GET
def door(request: HttpRequest, event_id: int) -> HttpResponse:
    actor = _actor(request)
    event = selectors.event_detail(actor=actor, event_id=event_id)
    rows = [r for r in selectors.event_registrations(actor=actor, event=event)
            if r.status == RegistrationStatus.CONFIRMED]
    query = request.GET.get("q", "").strip()
    registered = {r.patient_id for r in rows}
    found = [p for p in patient_search(actor=actor, query=query, limit=10) if p.pk not in registered] \
        if query else []
    return render(request, "outreach/door.html", {
        "event": event, "rows": rows, "language": (get_language() or "en")[:2], "query": query, "found": found,
        "contact_form": ContactForm(), "present": sum(1 for r in rows if r.attended)})


@login_required
@require_POST
def attend(request: HttpRequest, registration_id: int) -> HttpResponse:
    present = request.POST.get("present") == "1"
    try:
        registration = services.attendance_mark(actor=_actor(request), registration_id=registration_id,
                                                present=present)
    except DomainError as refusal:
        _refused(request, refusal)
        registration = selectors.registration_detail(actor=_actor(request), registration_id=registration_id)
    else:
        if present:
            messages.success(request, _("%(name)s is marked present.") % {"name": registration.person_name})
        else:
            messages.success(request, _("%(name)s is no longer marked present.")
                             % {"name": registration.person_name})
    return redirect(f"{reverse('outreach:door', args=[registration.event_id])}#r{registration.pk}")


# --- the public survey (the link sent after the event) -------------------------------------------
@require_http_methods(["GET", "POST"])
def survey(request: HttpRequest, token: str) -> HttpResponse:
    registration = messaging.survey_registration(token)
    language = (get_language() or "en")[:2]
    form = SurveyForm(request.POST or None)
    done = hasattr(registration, "survey")
    if request.method == "POST" and not done:
        if form.is_valid():
            try:
                messaging.survey_answer(token=token, **form.cleaned_data)
            except DomainError as refusal:
                if refusal.status not in FIXABLE:
                    raise
                form_add_domain_error(form, refusal)
            else:
                done = True
        if not done:
            return render(request, "outreach/survey.html", {"form": form, "event": registration.event,
                                                            "language": language}, status=422)
    return render(request, "outreach/survey.html", {"form": form, "event": registration.event, "done": done,
                                                    "language": language})
