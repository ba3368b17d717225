"""Scheduling set-up screens (#14): appointment types, weekly availability with the calendar it produces,
exceptions, and location holidays. Thin: parse with a form, call the service, show its refusal on the form."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from clinicdesk.audit.selectors import change_history
from clinicdesk.core import clock
from clinicdesk.core.dates import parse_day
from clinicdesk.core.exceptions import DomainError, NotFound
from clinicdesk.core.permissions import Perm, require
from clinicdesk.core.timezones import local_to_utc

from . import setup_selectors as read
from .models import AppointmentType, Weekday
from .services import (
    APPOINTMENT_TYPE_FIELDS,
    appointment_type_create,
    appointment_type_deactivate,
    appointment_type_update,
    availability_exception_add,
    availability_exception_remove,
    availability_template_add,
    availability_template_remove,
    availability_template_update,
    location_holiday_add,
    location_holiday_remove,
)
from .setup_forms import AppointmentTypeForm, ExceptionForm, HolidayForm, TemplateForm

CALENDAR_WEEKS = 4
KEEPS_BOOKINGS = gettext_lazy("Changes apply to what can be booked from now on: appointments already booked stay "
                              "where they are (move them from the schedule if needed).")
_LABELS = {f.name: f.verbose_name for f in AppointmentType._meta.get_fields() if hasattr(f, "verbose_name")}
TYPE_LABELS: dict[str, Any] = {**_LABELS, "code": gettext_lazy("code"), "color": gettext_lazy("colour"),
                               "allowed_practitioners": gettext_lazy("providers who take it"),
                               "active": gettext_lazy("active")}
TEMPLATE_LABELS: dict[str, Any] = {
    "practitioner": gettext_lazy("provider"), "location": gettext_lazy("location"),
    "weekday": gettext_lazy("day of the week"), "start_time": gettext_lazy("from"), "end_time": gettext_lazy("until"),
    "effective_from": gettext_lazy("effective from"), "effective_until": gettext_lazy("effective until"),
    "reserved_types": gettext_lazy("reserved for"), "label": gettext_lazy("label")}
EXCEPTION_LABELS: dict[str, Any] = {
    "practitioner": gettext_lazy("provider"), "location": gettext_lazy("location"), "kind": gettext_lazy("kind"),
    "start": gettext_lazy("from"), "end": gettext_lazy("until"), "reason": gettext_lazy("reason")}
HOLIDAY_LABELS: dict[str, Any] = {"location": gettext_lazy("location"), "day": gettext_lazy("day"),
                                  "name": gettext_lazy("name")}


def _refused(form: forms.Form, error: DomainError) -> None:
    """Put a service's refusal on the form: each named field under its field, the rest above the form."""
    placed = False
    for name, problems in error.fields.items():
        for problem in problems:
            if name in form.fields:
                form.add_error(name, problem)
                placed = True
    if not placed:
        form.add_error(None, error.detail)


def _form_page(request: HttpRequest, context: dict[str, Any], *, status: int = 200,
               template: str = "config/form.html") -> HttpResponse:
    return render(request, template, context, status=status)


def _include_inactive(request: HttpRequest) -> bool:
    return request.GET.get("inactive") == "include"


def _toggle(request: HttpRequest, url: str, **params: Any) -> str:
    query = "&".join(f"{k}={v}" for k, v in params.items() if v not in (None, ""))
    if not _include_inactive(request):
        query = "&".join(filter(None, [query, "inactive=include"]))
    return f"{url}?{query}" if query else url


def _yes(value: bool) -> str:
    return _("Yes") if value else _("No")


# --- appointment types ------------------------------------------------------------------------------------------

@login_required
@require_GET
def types(request: HttpRequest) -> HttpResponse:
    include = _include_inactive(request)
    rows = [{"cells": [t.local_name, t.get_category_display(), _("%(count)s min") % {"count": t.duration_minutes},
                       _("New patients") if t.new_patient else _("Established patients"),
                       _yes(t.telehealth),
                       ", ".join(str(p) for p in t.allowed_practitioners.all()) or _("Any provider")],
             "url": reverse("scheduling:type_edit", args=[t.pk]), "inactive": not t.active}
            for t in read.appointment_types_list(actor=request.user, include_inactive=include)]
    return render(request, "config/list.html", {
        "title": _("Appointment types"), "rows": rows,
        "intro": _("What can be booked: duration, buffers, the room and equipment it needs, who takes it."),
        "columns": [_("Name"), _("Category"), _("Duration"), _("Patients"), _("Telehealth"), _("Providers")],
        "new_url": reverse("scheduling:type_new"), "new_label": _("Add an appointment type"),
        "show_inactive": include, "toggle_url": _toggle(request, reverse("scheduling:types")),
        "empty": _("No appointment types yet.")})


def _type_values(form: AppointmentTypeForm) -> dict[str, Any]:
    return dict(form.cleaned_data)


@login_required
@require_http_methods(["GET", "POST"])
def type_new(request: HttpRequest) -> HttpResponse:
    practitioners = read.setup_practitioners(actor=request.user)
    form = AppointmentTypeForm(request.POST or None, practitioners=practitioners)
    context = {"title": _("Add an appointment type"), "form": form, "submit_label": _("Add"),
               "cancel_url": reverse("scheduling:types")}
    if request.method == "POST":
        if form.is_valid():
            try:
                kind = appointment_type_create(actor=request.user, **_type_values(form))
            except DomainError as error:
                _refused(form, error)
            else:
                messages.success(request, _("Appointment type “%(name)s” added.") % {"name": kind.local_name})
                return redirect("scheduling:types")
        return _form_page(request, context, status=422)
    return _form_page(request, context)


@login_required
@require_http_methods(["GET", "POST"])
def type_edit(request: HttpRequest, pk: int) -> HttpResponse:
    kind = read.appointment_type_detail(actor=request.user, appointment_type_id=pk)
    practitioners = read.setup_practitioners(actor=request.user)
    allowed = [p.pk for p in kind.allowed_practitioners.all()]
    # An inactive provider still ticked stays a choice, so that saving does not silently drop them.
    shown = practitioners + [p for p in kind.allowed_practitioners.all() if p.pk not in {q.pk for q in practitioners}]
    initial = {name: getattr(kind, name) for name in APPOINTMENT_TYPE_FIELDS
               if name not in ("allowed_practitioners", "active")}
    initial["allowed_practitioner_ids"] = allowed
    form = AppointmentTypeForm(request.POST or None, initial=initial, practitioners=shown)
    context = {"title": _("Appointment type: %(name)s") % {"name": kind.local_name}, "form": form,
               "cancel_url": reverse("scheduling:types"),
               "history": change_history(actor=request.user, resource_type="appointmenttype", resource_id=kind.pk,
                                         field_labels=TYPE_LABELS)}
    if kind.active:
        context |= {"deactivate_url": reverse("scheduling:type_deactivate", args=[kind.pk]),
                    "intro": _("Booked appointments keep what they were booked with.")}
    else:
        context["intro"] = _("This type is inactive: it cannot be booked. Save to re-activate it.")
    if request.method == "POST":
        if form.is_valid():
            try:
                appointment_type_update(actor=request.user, appointment_type_id=kind.pk, active=True,
                                        **_type_values(form))
            except DomainError as error:
                _refused(form, error)
            else:
                messages.success(request, _("Appointment type saved."))
                return redirect("scheduling:types")
        return _form_page(request, context, status=422)
    return _form_page(request, context)


@login_required
@require_POST
def type_deactivate(request: HttpRequest, pk: int) -> HttpResponse:
    kind = appointment_type_deactivate(actor=request.user, appointment_type_id=pk)
    messages.success(request, _("Appointment type “%(name)s” deactivated: it can no longer be booked; appointments "
                                "already booked keep it.") % {"name": kind.local_name})
    return redirect("scheduling:types")


# --- availability: the calendar, weekly blocks and exceptions ---------------------------------------------------

def _weekday(value: int) -> str:
    return str(Weekday(value).label)


@login_required
@require_GET
def availability(request: HttpRequest) -> HttpResponse:
    practitioners = read.setup_practitioners(actor=request.user)
    locations = read.setup_locations(actor=request.user)
    context: dict[str, Any] = {"title": _("Availability"), "intro": KEEPS_BOOKINGS, "practitioners": practitioners,
                               "columns": [_("Day"), _("Hours"), _("Location"), _("Effective"), _("Reserved for"),
                                           _("Label")],
                               "empty": _("No weekly blocks for this provider yet.")}
    if not practitioners:
        context["empty"] = _("Add a provider first: availability belongs to a provider.")
        return render(request, "scheduling/setup/availability.html", context)
    wanted = request.GET.get("practitioner")
    practitioner = next((p for p in practitioners if str(p.pk) == wanted), None)
    if wanted and practitioner is None:
        raise NotFound()
    practitioner = practitioner or practitioners[0]
    places = read.practitioner_locations(practitioner, locations)
    wanted_place = request.GET.get("location")
    location = next((loc for loc in places if str(loc.pk) == wanted_place), places[0] if places else None)
    include = _include_inactive(request)
    templates = read.availability_templates_list(actor=request.user, include_inactive=include,
                                                 practitioner_id=practitioner.pk)
    context["rows"] = [
        {"cells": [_weekday(t.weekday), f"{t.start_time:%H:%M}\u2013{t.end_time:%H:%M}", t.location.name,
                   _("from %(first)s") % {"first": t.effective_from.isoformat()} if t.effective_until is None
                   else _("%(first)s to %(last)s") % {"first": t.effective_from.isoformat(),
                                                       "last": t.effective_until.isoformat()},
                   ", ".join(str(k) for k in t.reserved_types.all()) or _("Any type"), t.label],
         "url": reverse("scheduling:template_edit", args=[t.pk]), "inactive": read.template_ended(t)}
        for t in templates]
    context |= {
        "practitioner": practitioner, "places": places, "location": location,
        "exceptions": read.availability_exceptions_list(actor=request.user, include_inactive=include,
                                                        practitioner_id=practitioner.pk),
        "new_url": f"{reverse('scheduling:template_new')}?practitioner={practitioner.pk}",
        "new_label": _("Add a weekly block"),
        "exception_url": f"{reverse('scheduling:exception_new')}?practitioner={practitioner.pk}",
        "show_inactive": include, "tz": (location or places[0] if places else locations[0]).time_zone,
        "toggle_url": _toggle(request, reverse("scheduling:availability"), practitioner=practitioner.pk,
                              location=location.pk if location else ""),
        "weekdays": [label for _value, label in Weekday.choices]}
    if location is not None:
        first = parse_day(request.GET.get("from"), default=clock.today_in(location.tz))
        context["weeks"] = read.availability_calendar(actor=request.user, practitioner_id=practitioner.pk,
                                                      location_id=location.pk, first_day=first,
                                                      weeks=CALENDAR_WEEKS)
        monday = context["weeks"][0][0].day
        context["earlier"] = (monday - dt.timedelta(days=7 * CALENDAR_WEEKS)).isoformat()
        context["later"] = (monday + dt.timedelta(days=7 * CALENDAR_WEEKS)).isoformat()
    return render(request, "scheduling/setup/availability.html", context)


def _template_form(request: HttpRequest, *, editing: bool, **kwargs: Any) -> TemplateForm:
    return TemplateForm(request.POST or None, practitioners=read.setup_practitioners(actor=request.user),
                        locations=read.setup_locations(actor=request.user),
                        types=read.appointment_types_list(actor=request.user), editing=editing, **kwargs)


def _back_to(practitioner_id: Any, location_id: Any = None) -> str:
    url = f"{reverse('scheduling:availability')}?practitioner={practitioner_id}"
    return f"{url}&location={location_id}" if location_id else url


@login_required
@require_http_methods(["GET", "POST"])
def template_new(request: HttpRequest) -> HttpResponse:
    require(request.user, Perm.PRACTICE_ADMIN)
    wanted = request.GET.get("practitioner", "")
    today = clock.now().date()
    form = _template_form(request, editing=False, initial={
        "practitioner_id": wanted, "effective_from": today, "start_time": dt.time(8), "end_time": dt.time(12)})
    context = {"title": _("Add a weekly block"), "form": form, "submit_label": _("Add"), "intro": KEEPS_BOOKINGS,
               "cancel_url": _back_to(wanted) if wanted.isdigit() else reverse("scheduling:availability")}
    if request.method == "POST":
        if form.is_valid():
            try:
                template = availability_template_add(actor=request.user, **form.cleaned_data)
            except DomainError as error:
                _refused(form, error)
            else:
                messages.success(request, _("Weekly block added."))
                return redirect(_back_to(template.practitioner_id, template.location_id))
        return _form_page(request, context, status=422)
    return _form_page(request, context)


@login_required
@require_http_methods(["GET", "POST"])
def template_edit(request: HttpRequest, pk: int) -> HttpResponse:
    template = read.availability_template_detail(actor=request.user, template_id=pk)
    initial = {name: getattr(template, name) for name in ("weekday", "start_time", "end_time", "effective_from",
                                                         "effective_until", "label")}
    initial["reserved_type_ids"] = [t.pk for t in template.reserved_types.all()]
    form = _template_form(request, editing=True, initial=initial)
    back = _back_to(template.practitioner_id, template.location_id)
    context = {"title": _("Weekly block: %(provider)s at %(location)s") % {
                   "provider": template.practitioner, "location": template.location},
               "form": form, "cancel_url": back,
               "intro": " ".join([str(KEEPS_BOOKINGS), _("To move the block to another provider or location, end "
                                                         "it and add a new one.")]),
               "history": change_history(actor=request.user, resource_type="availabilitytemplate",
                                         resource_id=template.pk, field_labels=TEMPLATE_LABELS)}
    if not read.template_ended(template):
        context |= {"deactivate_url": reverse("scheduling:template_remove", args=[template.pk]),
                    "deactivate_label": _("End this block today")}
    if request.method == "POST":
        if form.is_valid():
            try:
                availability_template_update(actor=request.user, template_id=template.pk, **form.cleaned_data)
            except DomainError as error:
                _refused(form, error)
            else:
                messages.success(request, _("Weekly block saved."))
                return redirect(back)
        return _form_page(request, context, status=422)
    return _form_page(request, context)


@login_required
@require_POST
def template_remove(request: HttpRequest, pk: int) -> HttpResponse:
    template = read.availability_template_detail(actor=request.user, template_id=pk)
    back = _back_to(template.practitioner_id, template.location_id)
    ended = availability_template_remove(actor=request.user, template_id=pk)
    if ended is None:
        messages.success(request, _("The block had not started yet: it was removed."))
    else:
        messages.success(request, _("The block ends today; appointments already booked in it stay."))
    return redirect(back)


@login_required
@require_http_methods(["GET", "POST"])
def exception_new(request: HttpRequest) -> HttpResponse:
    practitioners = read.setup_practitioners(actor=request.user)
    locations = read.setup_locations(actor=request.user)
    wanted = request.GET.get("practitioner", "")
    today = clock.now().date()
    form = ExceptionForm(request.POST or None, practitioners=practitioners, locations=locations,
                         initial={"practitioner_id": wanted, "first_day": today, "last_day": today})
    context = {"title": _("Add time away"), "form": form, "submit_label": _("Add"),
               "intro": _("The provider cannot be booked then. Appointments already booked in that time stay: "
                          "move them from the schedule."),
               "cancel_url": _back_to(wanted) if wanted.isdigit() else reverse("scheduling:availability")}
    if request.method == "POST":
        if form.is_valid():
            data = form.cleaned_data
            person = next(p for p in practitioners if p.pk == data["practitioner_id"])
            place = next((loc for loc in locations if loc.pk == data["location_id"]), None)
            place = place or next(iter(read.practitioner_locations(person, locations)), None) or locations[0]
            start = local_to_utc(data["first_day"], data["from_time"] or dt.time(0), place.tz)
            end = (local_to_utc(data["last_day"], data["until_time"], place.tz) if data["until_time"]
                   else local_to_utc(data["last_day"] + dt.timedelta(days=1), dt.time(0), place.tz))
            try:
                availability_exception_add(actor=request.user, practitioner_id=person.pk, start=start, end=end,
                                           kind=data["kind"], location_id=data["location_id"],
                                           reason=data["reason"])
            except DomainError as error:
                if "end" in error.fields:
                    error.fields = {"last_day": error.fields["end"]}
                _refused(form, error)
            else:
                messages.success(request, _("Time away added: %(provider)s cannot be booked then.")
                                 % {"provider": person})
                return redirect(_back_to(person.pk, data["location_id"]))
        return _form_page(request, context, status=422)
    return _form_page(request, context)


@login_required
@require_http_methods(["GET", "POST"])
def exception(request: HttpRequest, pk: int) -> HttpResponse:
    """One exception: what it is, its history, and the button that removes it (POST)."""
    found = read.availability_exception_detail(actor=request.user, exception_id=pk)
    back = _back_to(found.practitioner_id, found.location_id)
    if request.method == "POST":
        availability_exception_remove(actor=request.user, exception_id=pk)
        messages.success(request, _("Time away removed: the provider can be booked again then."))
        return redirect(back)
    return render(request, "scheduling/setup/exception.html", {
        "title": _("Time away: %(provider)s") % {"provider": found.practitioner}, "exception": found,
        "tz": (found.location or found.practitioner.locations.first() or _Default()).time_zone,
        "form": forms.Form(), "submit_label": _("Remove this time away"), "cancel_url": back,
        "intro": KEEPS_BOOKINGS,
        "history": change_history(actor=request.user, resource_type="availabilityexception", resource_id=pk,
                                  field_labels=EXCEPTION_LABELS)})


class _Default:
    time_zone = "UTC"


# --- holidays and closures -------------------------------------------------------------------------------------

@login_required
@require_GET
def holidays(request: HttpRequest) -> HttpResponse:
    include = _include_inactive(request)
    rows = [{"cells": [h.day.isoformat(), h.name, h.location.name], "url": reverse("scheduling:holiday", args=[h.pk]),
             "inactive": h.day < clock.today_in(h.location.tz)}
            for h in read.location_holidays_list(actor=request.user, include_inactive=include)]
    return render(request, "config/list.html", {
        "title": _("Holidays and closures"), "rows": rows, "columns": [_("Day"), _("Name"), _("Location")],
        "intro": _("Days a location is closed: nobody can be booked there. Appointments already booked that day "
                   "stay: move them from the schedule."),
        "new_url": reverse("scheduling:holiday_new"), "new_label": _("Add a closed day"),
        "show_inactive": include, "toggle_url": _toggle(request, reverse("scheduling:holidays")),
        "empty": _("No closed days ahead.")})


@login_required
@require_http_methods(["GET", "POST"])
def holiday_new(request: HttpRequest) -> HttpResponse:
    form = HolidayForm(request.POST or None, locations=read.setup_locations(actor=request.user))
    context = {"title": _("Add a closed day"), "form": form, "submit_label": _("Add"),
               "cancel_url": reverse("scheduling:holidays")}
    if request.method == "POST":
        if form.is_valid():
            try:
                location_holiday_add(actor=request.user, **form.cleaned_data)
            except DomainError as error:
                _refused(form, error)
            else:
                messages.success(request, _("Closed day added."))
                return redirect("scheduling:holidays")
        return _form_page(request, context, status=422)
    return _form_page(request, context)


@login_required
@require_http_methods(["GET", "POST"])
def holiday(request: HttpRequest, pk: int) -> HttpResponse:
    found = read.location_holiday_detail(actor=request.user, holiday_id=pk)
    if request.method == "POST":
        location_holiday_remove(actor=request.user, holiday_id=pk)
        messages.success(request, _("%(location)s is open again on %(day)s.")
                         % {"location": found.location, "day": found.day.isoformat()})
        return redirect("scheduling:holidays")
    return render(request, "scheduling/setup/holiday.html", {
        "title": _("Closed day: %(name)s") % {"name": found.name}, "holiday": found, "form": forms.Form(),
        "submit_label": _("Open this day again"), "cancel_url": reverse("scheduling:holidays"),
        "history": change_history(actor=request.user, resource_type="locationholiday", resource_id=pk,
                                  field_labels=HOLIDAY_LABELS)})

