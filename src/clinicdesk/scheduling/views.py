"""Schedule pages: day view (providers or rooms), week view, booking dialog, appointment panel,
printable day sheet, first-available search, waitlist, calendar feeds. Thin: parse, call, render."""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from clinicdesk.core import clock
from clinicdesk.core.dates import parse_day, parse_instant
from clinicdesk.core.exceptions import Conflict, DomainError, NotFound, PermissionDenied, ValidationFailed
from clinicdesk.core.forms import form_add_domain_error
from clinicdesk.core.locations import current_location
from clinicdesk.core.permissions import Perm, has_perm
from clinicdesk.core.timezones import utc_to_local
from clinicdesk.insurance.selectors import referral_warnings_for
from clinicdesk.patients.selectors import patient_chart, patient_search
from clinicdesk.practice.models import Location
from clinicdesk.practice.selectors import locations_for

from . import hooks
from .forms import (
    WEEKDAY_CHOICES,
    BookingForm,
    CancelForm,
    DropForm,
    MoveForm,
    PatientPickForm,
    SearchForm,
    SeriesForm,
    StatusForm,
    WaitlistForm,
)
from .grid import render_grid
from .ics import appointment_ics, feed_ics
from .models import MOVE_LABELS, AppointmentStatus, ChecklistItem
from .search import SearchQuery
from .selectors import (
    appointment_detail,
    appointments_for_day,
    booking_choices,
    calendar_day,
    calendar_feed,
    calendar_week,
    can_overbook,
    slots_search,
    waitlist_for,
    waitlist_matches,
)
from .services import (
    BookingRequest,
    appointment_book,
    appointment_cancel,
    appointment_checklist_mark,
    appointment_moves,
    appointment_reschedule,
    appointment_set_status,
    calendar_feed_issue,
    calendar_feed_revoke,
    readiness,
    readiness_prime,
    series_book,
    series_preview,
    waitlist_add,
    waitlist_remove,
)


def _location(request: HttpRequest, value: str | None = None) -> tuple[Location, list[Location]]:
    locations = list(locations_for(request.user))
    if not locations:
        raise NotFound("no-location", _("You are not assigned to any location."))
    wanted = value if value is not None else request.GET.get("location", "")
    chosen = current_location(request, locations, wanted)  # the top bar's switcher; remembered in the session
    if chosen is None:
        raise NotFound()
    return chosen, locations


def _day(value: str | None, location: Location) -> dt.date:
    return parse_day(value, default=clock.today_in(location.tz))


def _refresh() -> HttpResponse:
    response = HttpResponse(status=204)
    response["HX-Refresh"] = "true"
    return response


@login_required
@require_GET
def day(request: HttpRequest) -> HttpResponse:
    location, locations = _location(request)
    current = _day(request.GET.get("day"), location)
    view = "rooms" if request.GET.get("view") == "rooms" else "providers"
    calendar = calendar_day(actor=request.user, location=location, day=current, view=view)
    context = {"locations": locations, "location": location, "day": current, "cal": calendar, "view": view,
               "previous_day": current - dt.timedelta(days=1), "next_day": current + dt.timedelta(days=1),
               "today": clock.today_in(location.tz),
               "can_book": has_perm(request.user, Perm.SCHEDULE_WRITE, location=location)}
    shown = [p.appointment.pk for col in calendar.columns for p in col.appointments if p.appointment is not None]
    badges = hooks.collect_appointment_badges(request.user, location, shown)  # e.g. insight's no-show risk
    context["grid"] = render_grid(calendar, can_book=context["can_book"], path=request.get_full_path(),
                                  badges=badges)
    return render(request, "scheduling/day.html", context)


@login_required
@require_GET
def week(request: HttpRequest) -> HttpResponse:
    location, locations = _location(request)
    current = _day(request.GET.get("day"), location)
    monday = current - dt.timedelta(days=current.weekday())
    choices = list(location.practitioners.filter(active=True).order_by("last_name", "first_name"))
    if not choices:
        raise NotFound("no-provider", _("No provider works at this location."))
    wanted = request.GET.get("practitioner")
    practitioner = next((p for p in choices if str(p.pk) == wanted), choices[0])
    calendar = calendar_week(actor=request.user, location=location, practitioner_id=practitioner.pk,
                             week_start=monday)
    context = {"locations": locations, "location": location, "day": monday, "cal": calendar, "view": "week",
               "practitioners": choices, "practitioner": practitioner,
               "previous_day": monday - dt.timedelta(days=7), "next_day": monday + dt.timedelta(days=7),
               "can_book": has_perm(request.user, Perm.SCHEDULE_WRITE, location=location)}
    shown = [p.appointment.pk for col in calendar.columns for p in col.appointments if p.appointment is not None]
    badges = hooks.collect_appointment_badges(request.user, location, shown)  # the no-show risk, as on the day
    context["grid"] = render_grid(calendar, can_book=context["can_book"], path=request.get_full_path(),
                                  badges=badges)
    return render(request, "scheduling/week.html", context)


@login_required
@require_GET
def print_day(request: HttpRequest) -> HttpResponse:
    location, _locations = _location(request)
    current = _day(request.GET.get("day"), location)
    appointments = [a for a in appointments_for_day(actor=request.user, location=location, day=current)
                    if a.status not in (AppointmentStatus.CANCELLED, AppointmentStatus.ENTERED_IN_ERROR)]
    readiness_prime(appointments)  # the "ready" column: other apps asked once for the day
    by_provider: dict[Any, list[Any]] = {}
    for a in appointments:
        by_provider.setdefault(a.practitioner, []).append(a)
    return render(request, "scheduling/print.html", {"location": location, "day": current,
                                                     "groups": sorted(by_provider.items(),
                                                                      key=lambda item: item[0].last_name),
                                                     "printed_at": clock.now()})


# --- booking -------------------------------------------------------------------------------------

def _dialog(request: HttpRequest, location: Location, form: BookingForm, *, error: DomainError | None = None,
            status: int = 200) -> HttpResponse:
    choices = booking_choices(actor=request.user, location=location)
    context = {"form": form, "location": location, "error": error, "can_overbook": can_overbook(request.user, location),
               "chosen": _chosen_patient(request, form), "slot_error": isinstance(error, Conflict), **choices}
    if context["chosen"] is not None:  # the payer's referral / prior authorization needs (#18)
        context["insurance_warnings"] = _insurance_warnings(request, form, context["chosen"].pk)
    return render(request, "scheduling/_book_dialog.html", context, status=status)


def _insurance_warnings(request: HttpRequest, form: BookingForm, patient_id: int) -> list[Any]:
    kind = str(form["appointment_type"].value() or "")
    try:
        day = dt.date.fromisoformat(str(form["day"].value() or ""))
    except ValueError:
        return []
    if not kind.isdigit():
        return []
    return referral_warnings_for(actor=request.user, patient_id=patient_id, appointment_type_id=int(kind), day=day)


def _chosen_patient(request: HttpRequest, form: BookingForm) -> Any:
    """The patient already picked when the dialog comes back (a conflict, a field to correct): shown by name so
    the user keeps them and sees who it is, not an empty search box."""
    value = str(form["patient"].value() or "")
    if not value.isdigit():
        return None
    try:
        return patient_chart(actor=request.user, patient_id=int(value))
    except (NotFound, PermissionDenied):
        return None


@login_required
@require_GET
def book_dialog(request: HttpRequest) -> HttpResponse:
    location, _locations = _location(request)
    initial: dict[str, Any] = {"idempotency_key": uuid.uuid4().hex, "practitioner": request.GET.get("practitioner")}
    if start := parse_instant(request.GET.get("start")):
        local = utc_to_local(start, location.tz)
        initial.update(day=local.date(), time=local.time().replace(second=0, microsecond=0))
    else:
        initial.update(day=clock.today_in(location.tz))
    if request.GET.get("type"):
        initial["appointment_type"] = request.GET["type"]
    if request.GET.get("overbook") and can_overbook(request.user, location):  # a suggested overbooking (insight)
        initial.update(overbook=True, overbook_reason=(request.GET.get("overbook_reason") or "")[:200])
    return _dialog(request, location, BookingForm(initial=initial))


@login_required
@require_POST
def book(request: HttpRequest) -> HttpResponse:
    location, _locations = _location(request, request.POST.get("location", ""))
    form = BookingForm(request.POST)
    if not form.is_valid():
        return _dialog(request, location, form, status=422)
    data = form.cleaned_data
    booking = BookingRequest(
        patient_id=data["patient"], practitioner_id=data["practitioner"], location_id=location.pk,
        appointment_type_id=data["appointment_type"], start=form.moment(location), room_id=data.get("room"),
        overbook=bool(data.get("overbook")), overbook_reason=data.get("overbook_reason") or "",
        note=data.get("note") or "")
    try:
        appointment = appointment_book(actor=request.user, request=booking, idempotency_key=data["idempotency_key"])
    except (ValidationFailed, Conflict) as error:
        return _dialog(request, location, form, error=error, status=error.status)
    warnings = referral_warnings_for(actor=request.user, patient_id=appointment.patient_id,  # #18
                                     appointment_type_id=appointment.appointment_type_id,
                                     day=utc_to_local(appointment.start, location.tz).date(),
                                     appointment_id=appointment.pk)
    return _panel(request, appointment.pk, message=" ".join([_("Booked."), *(w.text for w in warnings)]),
                  refresh=True)


@login_required
@require_POST
def patient_pick(request: HttpRequest) -> HttpResponse:
    """Patient search inside the booking dialog; the terms travel in the POST body."""
    form = PatientPickForm(request.POST)
    results = patient_search(actor=request.user, query=form.cleaned_data["q"]) if form.is_valid() else []
    return render(request, "scheduling/_patient_choices.html", {"results": results, "searched": form.is_valid()})


# --- one appointment -----------------------------------------------------------------------------

def _panel(request: HttpRequest, appointment_id: int, *, message: str = "", error: DomainError | None = None,
           matches: Any = None, refresh: bool = False, status: int = 200) -> HttpResponse:
    appointment = appointment_detail(actor=request.user, appointment_id=appointment_id)
    local = utc_to_local(appointment.start, appointment.location.tz)
    allowed = appointment_moves(appointment)  # the transitions table plus the day / start-time rules
    needs = readiness(appointment)  # the type's checklist and other apps' rules (a payer's prior authorization)
    context = {
        "a": appointment, "message": message, "error": error, "matches": matches,
        "moves": [(s, MOVE_LABELS.get(s, AppointmentStatus(s).label)) for s in allowed
                  if s not in (AppointmentStatus.CANCELLED, AppointmentStatus.NOSHOW,
                               AppointmentStatus.ENTERED_IN_ERROR)],
        "can_cancel": AppointmentStatus.CANCELLED in allowed,
        "can_noshow": AppointmentStatus.NOSHOW in allowed,
        "move_form": MoveForm(initial={"day": local.date(), "time": local.time().replace(second=0)}),
        "checklist": [(item, ChecklistItem(item).label, item not in needs.missing, needs.reasons.get(item, []))
                      for item in needs.required],
        "ready": needs.ready,
        "practitioners": list(appointment.location.practitioners.filter(active=True).order_by("last_name")),
        "can_book": has_perm(request.user, Perm.SCHEDULE_WRITE, location=appointment.location),
    }
    response = render(request, "scheduling/_appointment_panel.html", context, status=status)
    if refresh:
        response["HX-Trigger"] = "schedule-changed"
    return response


@login_required
@require_GET
def appointment_panel(request: HttpRequest, appointment_id: int) -> HttpResponse:
    return _panel(request, appointment_id)


@login_required
@require_POST
def move(request: HttpRequest, appointment_id: int) -> HttpResponse:
    """From the panel's form (day + time at the location) or from drag and drop / keys (exact start)."""
    if "start" in request.POST:
        drop = DropForm(request.POST)
        if not drop.is_valid():
            raise ValidationFailed("bad-start", _("The new start time is not valid."))
        appointment_reschedule(actor=request.user, appointment_id=appointment_id, start=drop.cleaned_data["start"],
                               practitioner_id=drop.cleaned_data.get("practitioner"))
        return _panel(request, appointment_id, message=_("Moved."), refresh=True)
    current = appointment_detail(actor=request.user, appointment_id=appointment_id)
    form = MoveForm(request.POST)
    if not form.is_valid():
        raise ValidationFailed("bad-start", _("Give the new day and time."))
    try:
        appointment_reschedule(actor=request.user, appointment_id=appointment_id, start=form.moment(current.location),
                               practitioner_id=form.cleaned_data.get("practitioner"),
                               reason=form.cleaned_data.get("reason") or "")
    except (ValidationFailed, Conflict) as error:
        return _panel(request, appointment_id, error=error, status=error.status)
    return _panel(request, appointment_id, message=_("Moved."), refresh=True)


@login_required
@require_POST
def cancel(request: HttpRequest, appointment_id: int) -> HttpResponse:
    form = CancelForm(request.POST)
    if not form.is_valid():
        error = ValidationFailed("reason-required", _("Say why the appointment is cancelled."))
        return _panel(request, appointment_id, error=error, status=422)
    appointment = appointment_cancel(actor=request.user, appointment_id=appointment_id,
                                     reason=form.cleaned_data["reason"])
    matches = []
    if appointment.end > clock.now():
        matches = waitlist_matches(actor=request.user, location=appointment.location,
                                   practitioner_id=appointment.practitioner_id,
                                   appointment_type_id=appointment.appointment_type_id, start=appointment.start,
                                   end=appointment.end)
    return _panel(request, appointment_id, message=_("Cancelled."), matches=matches, refresh=True)


@login_required
@require_POST
def status(request: HttpRequest, appointment_id: int) -> HttpResponse:
    form = StatusForm(request.POST)
    if not form.is_valid():
        raise ValidationFailed("unknown-status", _("No status given."))
    appointment_set_status(actor=request.user, appointment_id=appointment_id, status=form.cleaned_data["status"])
    return _panel(request, appointment_id, message=_("Status changed."), refresh=True)


@login_required
@require_POST
def checklist(request: HttpRequest, appointment_id: int) -> HttpResponse:
    appointment_checklist_mark(actor=request.user, appointment_id=appointment_id, item=request.POST.get("item", ""),
                               done=request.POST.get("done") == "1")
    return _panel(request, appointment_id, message=_("Checklist updated."))


@login_required
@require_GET
def ics(request: HttpRequest, appointment_id: int) -> HttpResponse:
    appointment = appointment_detail(actor=request.user, appointment_id=appointment_id)
    sequence = sum(1 for h in appointment.history.all() if h.action in ("rescheduled", "cancel"))
    response = HttpResponse(appointment_ics(appointment, sequence=sequence), content_type="text/calendar")
    response["Content-Disposition"] = f'attachment; filename="appointment-{appointment.pk}.ics"'
    return response


# --- first available, waitlist, feeds ------------------------------------------------------------

@login_required
@require_http_methods(["GET", "POST"])
def first_available(request: HttpRequest) -> HttpResponse:
    location, locations = _location(request, request.POST.get("location") if request.method == "POST" else None)
    form = SearchForm(request.POST or None)
    options = None
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        options = slots_search(actor=request.user, query=SearchQuery(
            appointment_type_id=data["appointment_type"], location_id=location.pk,
            practitioner_ids=(data["practitioner"],) if data.get("practitioner") else (),
            first_day=data.get("first_day"), last_day=data.get("last_day"),
            weekdays=tuple(int(d) for d in data.get("weekdays") or ()), earliest=data.get("earliest"),
            latest=data.get("latest"), prefer=data.get("prefer") or ""))
    choices = booking_choices(actor=request.user, location=location)
    template = "scheduling/_options.html" if request.htmx else "scheduling/first_available.html"
    return render(request, template, {"form": form, "options": options, "location": location,
                                      "locations": locations, **choices})


@login_required
@require_GET
def waitlist(request: HttpRequest) -> HttpResponse:
    location, locations = _location(request)
    days = dict(WEEKDAY_CHOICES)
    entries = [(e, [days[str(d)] for d in e.weekdays if str(d) in days])
               for e in waitlist_for(actor=request.user, location=location)]
    return render(request, "scheduling/waitlist.html", {
        "entries": entries, "location": location, "locations": locations,
        "can_write": has_perm(request.user, Perm.SCHEDULE_WRITE, location=location)})


def _named_patient(request: HttpRequest, value: Any) -> Any:
    """The patient a form names by id, to show by name (None when there is none or it is out of reach)."""
    value = str(value or "")
    if not value.isdigit():
        return None
    try:
        return patient_chart(actor=request.user, patient_id=int(value))
    except (NotFound, PermissionDenied):
        return None


def _apply(form: Any, error: DomainError) -> None:
    form_add_domain_error(form, error)


def _waitlist_form(request: HttpRequest, location: Location, locations: list[Location], *, data: Any = None,
                   initial: Any = None) -> WaitlistForm:
    choices = booking_choices(actor=request.user, location=location)  # schedule.write at the location
    return WaitlistForm(data, initial=initial, types=choices["types"], locations=locations,
                        practitioners=choices["practitioners"])


def _waitlist_page(request: HttpRequest, location: Location, locations: list[Location], form: WaitlistForm,
                   status: int = 200) -> HttpResponse:
    template = "scheduling/_waitlist_form.html" if request.htmx else "scheduling/waitlist_form.html"
    return render(request, template, {"form": form, "location": location, "locations": locations,
                                      "chosen": _named_patient(request, form["patient"].value()),
                                      "dialog": bool(request.htmx)}, status=status)


@login_required
@require_http_methods(["GET", "POST"])
def waitlist_new(request: HttpRequest) -> HttpResponse:
    """Add a patient to the waitlist: from the waitlist page (search the patient), the chart (patient given) or
    the booking dialog (patient, type and provider carried over)."""
    if request.method == "GET":
        location, locations = _location(request)
        initial = {"location": location.pk, "notice_hours": 24, "priority": 0,
                   "patient": request.GET.get("patient"),
                   "appointment_type": request.GET.get("appointment_type") or request.GET.get("type"),
                   "practitioners": request.GET.getlist("practitioner")}
        form = _waitlist_form(request, location, locations, initial=initial)
        return _waitlist_page(request, location, locations, form)
    location, locations = _location(request, request.POST.get("at", ""))
    form = _waitlist_form(request, location, locations, data=request.POST)
    if not form.is_valid():
        return _waitlist_page(request, location, locations, form, status=422)
    try:
        entry = waitlist_add(actor=request.user, **form.arguments())
    except (ValidationFailed, Conflict) as error:
        _apply(form, error)
        return _waitlist_page(request, location, locations, form, status=error.status)
    done = _("%(patient)s is on the waitlist.") % {"patient": entry.patient.display_name}
    if request.htmx:
        return render(request, "scheduling/_waitlist_added.html", {"message": done, "location": location})
    messages.success(request, done)
    return redirect(f"{reverse('scheduling:waitlist')}?location={location.pk}")


@login_required
@require_POST
def waitlist_drop(request: HttpRequest, entry_id: int) -> HttpResponse:
    location, _locations = _location(request, request.POST.get("location", ""))
    entry = waitlist_remove(actor=request.user, entry_id=entry_id)
    messages.success(request, _("%(patient)s was taken off the waitlist.") % {"patient": entry.patient.display_name})
    return redirect(f"{reverse('scheduling:waitlist')}?location={location.pk}")


# --- recurring series ----------------------------------------------------------------------------

# Why a visit of a series does not fit, in words (the service's detail says the rest).
SERIES_REASONS = {
    "slot-taken": gettext_lazy("Time taken"), "patient-overlap": gettext_lazy("Patient already booked"),
    "location-closed": gettext_lazy("Holiday"), "outside-availability": gettext_lazy("Provider away or not working"),
    "reserved-block": gettext_lazy("Reserved for other types"), "room-taken": gettext_lazy("Room taken"),
    "no-room-free": gettext_lazy("No room free"), "equipment-taken": gettext_lazy("Equipment taken"),
    "no-equipment-free": gettext_lazy("No equipment free"), "in-the-past": gettext_lazy("In the past"),
}


def _series_request(form: SeriesForm, location: Location) -> BookingRequest:
    data = form.cleaned_data
    return BookingRequest(patient_id=data["patient"], practitioner_id=data["practitioner"], location_id=location.pk,
                          appointment_type_id=data["appointment_type"], start=form.moment(location),
                          room_id=data.get("room"), note=data.get("note") or "")


def _occurrence_rows(occurrences: Any, location: Location) -> list[dict[str, Any]]:
    return [{"number": o.index + 1, "start": utc_to_local(o.start, location.tz), "ok": o.ok,
             "reason": SERIES_REASONS.get(o.code, _("Does not fit")) if not o.ok else "", "detail": o.detail}
            for o in occurrences]


def _series_dialog(request: HttpRequest, location: Location, form: SeriesForm, *, preview: Any = None,
                   result: Any = None, error: DomainError | None = None, status: int = 200) -> HttpResponse:
    choices = booking_choices(actor=request.user, location=location)
    context = {"form": form, "location": location, "error": error, "preview": preview, "result": result,
               "chosen": _named_patient(request, form["patient"].value()), **choices}
    if preview is not None:
        context["fitting"] = sum(1 for row in preview if row["ok"])
    response = render(request, "scheduling/_series_dialog.html", context, status=status)
    if result is not None:
        response["HX-Trigger"] = "schedule-changed"
    return response


@login_required
@require_GET
def series_dialog(request: HttpRequest) -> HttpResponse:
    """The series form, filled from the booking dialog's choices or from an appointment (its next visits)."""
    q = request.GET
    initial: dict[str, Any] = {"idempotency_key": uuid.uuid4().hex, "every": 1, "unit": "weeks", "count": 6,
                               "on_conflict": "all"}
    if (q.get("appointment") or "").isdigit():
        a = appointment_detail(actor=request.user, appointment_id=int(q["appointment"]))
        location, _locations = _location(request, str(a.location_id))
        local = utc_to_local(a.start, location.tz)
        initial.update(patient=a.patient_id, practitioner=a.practitioner_id, appointment_type=a.appointment_type_id,
                       room=a.room_id, day=local.date() + dt.timedelta(days=7),
                       time=local.time().replace(second=0, microsecond=0))
    else:
        location, _locations = _location(request)
        initial.update({name: q.get(name) for name in ("patient", "practitioner", "appointment_type", "room", "time")
                        if q.get(name)})
        initial["day"] = q.get("day") or clock.today_in(location.tz)
    return _series_dialog(request, location, SeriesForm(initial=initial))


def _series_form(request: HttpRequest) -> tuple[Location, SeriesForm]:
    location, _locations = _location(request, request.POST.get("location", ""))
    return location, SeriesForm(request.POST)


@login_required
@require_POST
def series_check(request: HttpRequest) -> HttpResponse:
    """Every visit of the series checked before anything is booked: which fit, and why the others do not."""
    location, form = _series_form(request)
    if not form.is_valid():
        return _series_dialog(request, location, form, status=422)
    try:
        occurrences = series_preview(actor=request.user, request=_series_request(form, location),
                                     interval_days=form.cleaned_data["interval_days"],
                                     count=form.cleaned_data["count"])
    except (ValidationFailed, Conflict) as error:
        _apply(form, error)
        return _series_dialog(request, location, form, error=error, status=error.status)
    return _series_dialog(request, location, form, preview=_occurrence_rows(occurrences, location))


@login_required
@require_POST
def series_new(request: HttpRequest) -> HttpResponse:
    location, form = _series_form(request)
    if not form.is_valid():
        return _series_dialog(request, location, form, status=422)
    data = form.cleaned_data
    booking = _series_request(form, location)
    try:
        result = series_book(actor=request.user, request=booking, interval_days=data["interval_days"],
                             count=data["count"], all_or_nothing=data.get("on_conflict") != "fit",
                             idempotency_key=data.get("idempotency_key") or None)
    except (ValidationFailed, Conflict) as error:
        try:
            preview = _occurrence_rows(series_preview(actor=request.user, request=booking,
                                                      interval_days=data["interval_days"], count=data["count"]),
                                       location)
        except (ValidationFailed, Conflict):
            preview = None
        return _series_dialog(request, location, form, preview=preview, error=error, status=error.status)
    booked = [utc_to_local(a.start, location.tz) for a in result.booked]
    return _series_dialog(request, location, form, result={
        "booked": booked, "skipped": _occurrence_rows(result.skipped, location)})


@login_required
@require_POST
def feed_issue(request: HttpRequest, practitioner_id: int) -> HttpResponse:
    _feed, token = calendar_feed_issue(actor=request.user, practitioner_id=practitioner_id,
                                       include_patient_names=request.POST.get("names") == "1")
    url = request.build_absolute_uri(reverse("scheduling:feed", args=[token]))
    return render(request, "scheduling/_feed_issued.html", {"url": url})


@login_required
@require_POST
def feed_revoke(request: HttpRequest, practitioner_id: int) -> HttpResponse:
    calendar_feed_revoke(actor=request.user, practitioner_id=practitioner_id)
    return render(request, "scheduling/_feed_issued.html", {"url": "", "revoked": True})


@require_GET
def feed(request: HttpRequest, token: str) -> HttpResponse:
    """The private feed a calendar app subscribes to: the token in the URL is the credential."""
    data = calendar_feed(token=token)
    body = feed_ics(str(data.practitioner), data.appointments, patient_names=data.include_patient_names)
    response = HttpResponse(body, content_type="text/calendar; charset=utf-8")
    response["Cache-Control"] = "private, no-store"
    return response
