"""The time clock screens (#20 item 7): the time clock (clock oneself in or out, the shared desk form by staff ID
and PIN, setting a PIN), the coordinator's attendance board of a location and day with corrections, the pay period
report with its CSV, and the clock settings. Thin over clock_services and clock_selectors."""

from __future__ import annotations

import csv
import datetime as dt
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.formats import time_format
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from clinicdesk.core import clock
from clinicdesk.core.exceptions import DomainError
from clinicdesk.core.forms import form_add_domain_error
from clinicdesk.core.permissions import Perm, has_perm, require

from . import clock_selectors, clock_services
from .clock_forms import ClockSettingsForm, CorrectionForm, DeskPunchForm, PinForm
from .views import FIXABLE, _actor, _location, _tabs

FIXABLE_CLOCK = (*FIXABLE, 429)


def _day(request: HttpRequest, location: Any) -> dt.date:
    raw = request.GET.get("day") or ""
    try:
        return dt.date.fromisoformat(raw)
    except ValueError:
        return clock.today_in(location.tz)


def _back(location: Any) -> HttpResponse:
    return redirect(f"{reverse('staffing:clock')}?location={location.pk}")


def _done(request: HttpRequest, punch: Any, action: str) -> None:
    when = punch.clock_in if action == clock_services.IN else punch.clock_out
    values = {"name": punch.staff.display_name, "time": time_format(when.astimezone(punch.location.tz))}
    if action == clock_services.IN:
        messages.success(request, _("%(name)s clocked in at %(time)s") % values)
    else:
        messages.success(request, _("%(name)s clocked out at %(time)s") % values)


def _try(request: HttpRequest, call: Any, action: str) -> None:
    try:
        punch = call()
    except DomainError as error:
        if error.status not in FIXABLE_CLOCK:
            raise
        messages.error(request, error.detail)
    else:
        _done(request, punch, action)


def _pin_people(request: HttpRequest, location: Any, mine: Any) -> list[tuple[int, str]]:
    actor = _actor(request)
    if has_perm(actor, Perm.STAFFING_ADMIN, location=location.pk):
        return clock_selectors.clock_staff_choices(actor=actor, location_id=location.pk)
    return [(mine.member.pk, mine.member.display_name)] if mine.member is not None else []


@login_required
@require_GET
def time_clock(request: HttpRequest) -> HttpResponse:
    actor = _actor(request)
    require(actor, Perm.STAFFING_READ, resource_type="punch")
    location = _location(request)
    mine = clock_selectors.my_clock(actor=actor)
    people = _pin_people(request, location, mine)
    return render(request, "staffing/clock.html", {
        "tabs": _tabs(request, "clock"), "location": location, "mine": mine,
        "manage": has_perm(actor, Perm.STAFFING_ADMIN, location=location.pk),
        "desk_form": DeskPunchForm(auto_id="desk_%s"), "pin_form": PinForm(people=people) if people else None,
        "tz": location.time_zone})


@login_required
@require_POST
def clock_punch(request: HttpRequest) -> HttpResponse:
    location = _location(request)
    action = request.POST.get("action", "")
    _try(request, lambda: clock_services.clock_punch_self(actor=_actor(request), action=action), action)
    return _back(location)


@login_required
@require_POST
def clock_desk(request: HttpRequest) -> HttpResponse:
    location = _location(request)
    form = DeskPunchForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Give a staff ID and a PIN. Nothing was recorded."))
        return _back(location)
    data = form.cleaned_data
    _try(request, lambda: clock_services.clock_punch_pin(actor=_actor(request), staff_id=data["staff_id"],
                                                         pin=data["pin"], action=data["action"]), data["action"])
    return _back(location)


@login_required
@require_POST
def clock_pin(request: HttpRequest) -> HttpResponse:
    actor = _actor(request)
    location = _location(request)
    mine = clock_selectors.my_clock(actor=actor)
    form = PinForm(request.POST, people=_pin_people(request, location, mine))
    if not form.is_valid():
        first = next(iter(form.errors.values()), [_("Check the PIN.")])
        messages.error(request, str(first[0]))
        return _back(location)
    try:
        clock_services.clock_pin_set(actor=actor, staff_member_id=form.cleaned_data["staff_member_id"],
                                     pin=form.cleaned_data["pin"])
    except DomainError as error:
        if error.status not in FIXABLE:
            raise
        messages.error(request, error.detail)
    else:
        messages.success(request, _("PIN saved."))
    return _back(location)


# --- the coordinator's screens -------------------------------------------------------------------------------------

@login_required
@require_GET
def attendance_board(request: HttpRequest) -> HttpResponse:
    actor = _actor(request)
    require(actor, Perm.STAFFING_ADMIN, resource_type="punch")
    location = _location(request)
    day = _day(request, location)
    rows = clock_selectors.attendance_board(actor=actor, location_id=location.pk, day=day, tz=location.tz)
    return render(request, "staffing/clock_board.html", {
        "tabs": _tabs(request, "clock"), "location": location, "day": day, "rows": rows,
        "previous": day - dt.timedelta(days=1), "next": day + dt.timedelta(days=1), "tz": location.time_zone,
        "rostered": sum(1 for r in rows if r.assignment is not None),
        "clocked": sum(1 for r in rows if r.punches), "late": sum(1 for r in rows if r.late),
        "missed": sum(1 for r in rows if r.missed), "open": sum(1 for r in rows if r.open),
        "grace": clock_services.clock_settings().grace_minutes})


@login_required
@require_http_methods(["GET", "POST"])
def punch_correct(request: HttpRequest, punch_id: int) -> HttpResponse:
    actor = _actor(request)
    punch = clock_selectors.punch_detail(actor=actor, punch_id=punch_id)
    tz = punch.location.tz
    initial = {"clock_in": punch.clock_in.astimezone(tz).replace(tzinfo=None),
               "clock_out": punch.clock_out.astimezone(tz).replace(tzinfo=None) if punch.clock_out else None}
    form = CorrectionForm(request.POST or None, initial=initial, tz=tz)
    day = punch.clock_in.astimezone(tz).date()
    board = f"{reverse('staffing:clock-board')}?location={punch.location_id}&day={day.isoformat()}"
    if request.method == "POST" and form.is_valid():
        try:
            times = form.times()
            clock_services.punch_correct(actor=actor, punch_id=punch_id, reason=form.cleaned_data["reason"],
                                         clock_in=times["clock_in"] or punch.clock_in, clock_out=times["clock_out"])
        except DomainError as error:
            if error.status not in FIXABLE:
                raise
            form_add_domain_error(form, error)
        else:
            messages.success(request, _("Punch corrected."))
            return redirect(board)
    status = 422 if request.method == "POST" and form.errors else 200
    return render(request, "config/form.html", {
        "form": form, "submit_label": _("Correct the punch"), "cancel_url": board,
        "title": _("Correct %(name)s's punch") % {"name": punch.staff.display_name},
        "intro": _("Times as the clock at %(location)s shows them. The old and new times and your reason are kept "
                   "in the audit trail.") % {"location": punch.location.name}}, status=status)


@login_required
@require_GET
def pay_period(request: HttpRequest) -> HttpResponse:
    actor = _actor(request)
    require(actor, Perm.STAFFING_ADMIN, resource_type="punch")
    location = _location(request)
    report = clock_selectors.pay_period_report(actor=actor, location_id=location.pk, tz=location.tz,
                                               day=_day(request, location))
    return render(request, "staffing/clock_hours.html", {
        "tabs": _tabs(request, "clock"), "location": location, "report": report,
        "settings": clock_services.clock_settings(),
        "previous": report.start - dt.timedelta(days=1), "next": report.end + dt.timedelta(days=1),
        "csv_url": f"{reverse('staffing:clock-hours-csv')}?location={location.pk}&day={report.start.isoformat()}"})


@login_required
@require_GET
def pay_period_csv(request: HttpRequest) -> HttpResponse:
    actor = _actor(request)
    require(actor, Perm.STAFFING_ADMIN, resource_type="punch")
    location = _location(request)
    report = clock_selectors.pay_period_report(actor=actor, location_id=location.pk, tz=location.tz,
                                               day=_day(request, location))
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="hours-{report.start.isoformat()}.csv"'
    writer = csv.writer(response)
    writer.writerow(clock_selectors.CSV_HEADER)
    writer.writerows(clock_selectors.pay_period_rows(report))
    return response


@login_required
@require_http_methods(["GET", "POST"])
def clock_settings(request: HttpRequest) -> HttpResponse:
    actor = _actor(request)
    require(actor, Perm.STAFFING_ADMIN, resource_type="clocksettings")
    found = clock_services.clock_settings()
    form = ClockSettingsForm(request.POST or None, initial={
        "pay_period": found.pay_period, "anchor": found.anchor, "grace_minutes": found.grace_minutes})
    if request.method == "POST" and form.is_valid():
        try:
            clock_services.clock_settings_update(actor=actor, **form.cleaned_data)
        except DomainError as error:
            if error.status not in FIXABLE:
                raise
            form_add_domain_error(form, error)
        else:
            messages.success(request, _("Time clock settings saved."))
            return redirect("staffing:clock-hours")
    status = 422 if request.method == "POST" and form.errors else 200
    return render(request, "config/form.html", {
        "form": form, "title": _("Time clock settings"), "submit_label": _("Save"),
        "cancel_url": reverse("staffing:clock-hours")}, status=status)
