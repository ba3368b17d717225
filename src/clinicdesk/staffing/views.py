"""The staff roster screens: the roster of a location and 4-week period (grid staff x days, cover short or over per
day, the cost explained rule by rule, Solve and Publish for the coordinator), "My shifts" for every staff user,
and the configuration lists and forms (shift types, skills, staff contracts, cover needs). Thin over the services;
a refusal the user can fix comes back as a flash message or on the form."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any, cast

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import time_format
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from clinicdesk.core.exceptions import DomainError, NotFound
from clinicdesk.core.forms import form_add_domain_error
from clinicdesk.core.locations import current_location
from clinicdesk.core.permissions import Actor, Perm, has_perm, require
from clinicdesk.practice.selectors import locations_for

from . import selectors, services
from .forms import ContractForm, CoverNeedForm, ShiftTypeForm, SkillForm, weekday_choices
from .models import PERIOD_DAYS, RosterStatus

FIXABLE = (409, 422)


def _actor(request: HttpRequest) -> Actor:
    return cast(Actor, request.user)


def _location(request: HttpRequest) -> Any:
    locations = list(locations_for(_actor(request)))
    if not locations:
        raise NotFound("no-location", _("You are not assigned to any location."))
    chosen = current_location(request, locations)
    if chosen is None:
        raise NotFound()  # a location the user does not work at looks like a missing one
    return chosen


def _tabs(request: HttpRequest, current: str) -> list[dict[str, Any]]:
    tabs = [("roster", _("Roster"), "staffing:roster"), ("mine", _("My shifts"), "staffing:mine"),
            ("leave", _("Leave"), "staffing:leave"), ("swaps", _("Swaps"), "staffing:swaps"),
            ("training", _("Training"), "staffing:training"), ("clock", _("Time clock"), "staffing:clock")]
    if has_perm(_actor(request), Perm.STAFFING_ADMIN):
        tabs += [("shift-types", _("Shift types"), "staffing:shift-types"), ("skills", _("Skills"), "staffing:skills"),
                 ("staff", _("Staff contracts"), "staffing:staff"), ("cover", _("Cover needs"), "staffing:cover")]
    return [{"label": label, "url": reverse(name), "current": key == current} for key, label, name in tabs]


def _form_try(request: HttpRequest, form: Any, action: Callable[[dict[str, Any]], Any], done: str) -> Any:
    if request.method != "POST" or not form.is_valid():
        return None
    try:
        result = action(form.cleaned_data)
    except DomainError as error:
        if error.status not in FIXABLE:
            raise
        form_add_domain_error(form, error, aliases={"shift_type": "shift_type_id", "skill": "skill_id",
                                                    "user": "user_id", "skills": "skill_ids"})
        return None
    messages.success(request, done)
    return result


def _form_page(request: HttpRequest, form: Any, context: dict[str, Any]) -> HttpResponse:
    status = 422 if request.method == "POST" and form.errors else 200
    return render(request, "config/form.html", {"form": form, **context}, status=status)


def _list(request: HttpRequest, current: str, context: dict[str, Any]) -> HttpResponse:
    return render(request, "staffing/config_list.html", {"tabs": _tabs(request, current), **context})


def _start(request: HttpRequest) -> dt.date:
    raw = request.GET.get("start") or request.POST.get("start") or ""
    try:
        day = dt.date.fromisoformat(raw) if raw else timezone.localdate()
    except ValueError:
        day = timezone.localdate()
    return services.period_of(day)


def _minutes(value: int) -> str:
    return f"{value // 60}:{value % 60:02d}"


# --- the roster -------------------------------------------------------------------------------------------------

@login_required
@require_GET
def roster(request: HttpRequest) -> HttpResponse:
    actor = _actor(request)
    require(actor, Perm.STAFFING_READ)
    location = _location(request)
    start = _start(request)
    found = selectors.rosters_for_period(actor=actor, location_id=location.pk, period_start=start)
    manage = selectors.may_manage(actor, location.pk)
    wanted = request.GET.get("show")
    shown = found["draft"] if (wanted != "published" and found["draft"] is not None) else found["published"]
    grid = selectors.roster_grid(shown) if shown is not None else None
    return render(request, "staffing/roster.html", {
        "tabs": _tabs(request, "roster"), "location": location, "locations": list(locations_for(actor)),
        "start": start, "end": start + dt.timedelta(days=PERIOD_DAYS - 1),
        "previous": start - dt.timedelta(days=PERIOD_DAYS), "next": start + dt.timedelta(days=PERIOD_DAYS),
        "published": found["published"], "draft": found["draft"], "shown": shown, "grid": grid, "manage": manage,
        "is_draft": shown is not None and shown.status == RosterStatus.DRAFT,
        "explained": selectors.explain(shown) if shown is not None else [],
        "outlook": selectors.demand_outlook(actor=actor, location_id=location.pk, period_start=start),
        "seconds": int(services.DEFAULT_SECONDS)})


@login_required
@require_POST
def roster_solve(request: HttpRequest) -> HttpResponse:
    actor = _actor(request)
    require(actor, Perm.STAFFING_ADMIN)
    location = _location(request)
    start = _start(request)
    try:
        seconds = float(request.POST.get("seconds") or services.DEFAULT_SECONDS)
    except ValueError:
        seconds = services.DEFAULT_SECONDS
    try:
        made = services.roster_solve(actor=actor, location_id=location.pk, period_start=start, seconds=seconds)
    except DomainError as error:
        if error.status not in FIXABLE:
            raise
        messages.error(request, error.detail)
    else:
        if made.changes is not None:
            messages.success(request, _("Draft roster solved: %(n)s changes from the published roster.")
                             % {"n": made.changes})
        else:
            messages.success(request, _("Draft roster solved. Review it, then publish it."))
    return redirect(f"{reverse('staffing:roster')}?location={location.pk}&start={start.isoformat()}")


@login_required
@require_POST
def roster_publish(request: HttpRequest, roster_id: int) -> HttpResponse:
    try:
        done = services.roster_publish(actor=_actor(request), roster_id=roster_id)
    except DomainError as error:
        if error.status not in FIXABLE:
            raise
        messages.error(request, error.detail)
        return redirect("staffing:roster")
    messages.success(request, _("Roster published: every staff member now sees their shifts."))
    return redirect(f"{reverse('staffing:roster')}?location={done.location_id}&start={done.period_start.isoformat()}")


@login_required
@require_GET
def mine(request: HttpRequest) -> HttpResponse:
    start = timezone.localdate()
    shifts = selectors.my_shifts(actor=_actor(request), start=start)
    return render(request, "staffing/mine.html", {"tabs": _tabs(request, "mine"), "shifts": shifts,
                                                  "start": start, "end": start + dt.timedelta(days=27)})


# --- shift types ------------------------------------------------------------------------------------------------

@login_required
@require_GET
def shift_types(request: HttpRequest) -> HttpResponse:
    require(_actor(request), Perm.STAFFING_ADMIN)
    location = _location(request)
    show_inactive = request.GET.get("inactive") == "include"
    found = selectors.shift_types_list(actor=_actor(request), location_id=location.pk, include_inactive=show_inactive)
    rows = [{"cells": [s.code, s.name, f"{time_format(s.start)}\u2013{time_format(s.end)}"
                       + (" (+1)" if s.crosses_midnight else ""), _minutes(s.paid_minutes)],
             "url": reverse("staffing:shift-type", args=[s.pk]), "inactive": not s.active} for s in found]
    url = f"{reverse('staffing:shift-types')}?location={location.pk}"
    return _list(request, "shift-types", {
        "title": _("Shift types"), "location": location, "rows": rows,
        "columns": [_("Code"), _("Name"), _("Hours"), _("Paid time")],
        "new_url": f"{reverse('staffing:shift-type-new')}?location={location.pk}", "new_label": _("Add a shift type"),
        "empty": _("No shift types yet."), "show_inactive": show_inactive,
        "toggle_url": url if show_inactive else f"{url}&inactive=include",
        "intro": _("The shifts worked at this location; (+1) marks a shift that ends the next day.")})


@login_required
@require_http_methods(["GET", "POST"])
def shift_type_new(request: HttpRequest) -> HttpResponse:
    require(_actor(request), Perm.STAFFING_ADMIN, resource_type="shifttype")
    location = _location(request)
    form = ShiftTypeForm(request.POST or None)
    made = _form_try(request, form, lambda data: services.shift_type_create(
        actor=_actor(request), location_id=location.pk, **data), _("Shift type added."))
    if made:
        return redirect(f"{reverse('staffing:shift-types')}?location={location.pk}")
    return _form_page(request, form, {
        "title": _("New shift type at %(location)s") % {"location": location.name},
        "action": f"{reverse('staffing:shift-type-new')}?location={location.pk}",
        "submit_label": _("Add shift type"), "cancel_url": reverse("staffing:shift-types")})


@login_required
@require_http_methods(["GET", "POST"])
def shift_type(request: HttpRequest, shift_type_id: int) -> HttpResponse:
    require(_actor(request), Perm.STAFFING_ADMIN, resource_type="shifttype")
    found = selectors.shift_type_detail(actor=_actor(request), shift_type_id=shift_type_id)
    initial = {name: getattr(found, name) for name in services.SHIFT_FIELDS}
    form = ShiftTypeForm(request.POST or None, initial=initial)
    done = _form_try(request, form, lambda data: services.shift_type_update(
        actor=_actor(request), shift_type_id=shift_type_id, **data), _("Shift type saved."))
    if done:
        return redirect(f"{reverse('staffing:shift-types')}?location={found.location_id}")
    return _form_page(request, form, {"title": str(found), "submit_label": _("Save"),
                                      "cancel_url": reverse("staffing:shift-types")})


# --- skills -----------------------------------------------------------------------------------------------------

@login_required
@require_GET
def skills(request: HttpRequest) -> HttpResponse:
    require(_actor(request), Perm.STAFFING_ADMIN)
    show_inactive = request.GET.get("inactive") == "include"
    found = selectors.skills_list(actor=_actor(request), include_inactive=show_inactive)
    rows = [{"cells": [s.name], "url": reverse("staffing:skill", args=[s.pk]), "inactive": not s.active}
            for s in found]
    url = reverse("staffing:skills")
    return _list(request, "skills", {
        "title": _("Skills"), "rows": rows, "columns": [_("Name")],
        "new_url": reverse("staffing:skill-new"), "new_label": _("Add a skill"), "empty": _("No skills yet."),
        "show_inactive": show_inactive, "toggle_url": url if show_inactive else f"{url}?inactive=include",
        "intro": _("What staff can do (front desk, phlebotomy, X-ray, Spanish speaker...), for cover needs.")})


@login_required
@require_http_methods(["GET", "POST"])
def skill_new(request: HttpRequest) -> HttpResponse:
    require(_actor(request), Perm.STAFFING_ADMIN, resource_type="skill")
    form = SkillForm(request.POST or None)
    if _form_try(request, form, lambda data: services.skill_create(actor=_actor(request), **data),
                 _("Skill added.")):
        return redirect("staffing:skills")
    return _form_page(request, form, {"title": _("New skill"), "submit_label": _("Add skill"),
                                      "cancel_url": reverse("staffing:skills")})


@login_required
@require_http_methods(["GET", "POST"])
def skill(request: HttpRequest, skill_id: int) -> HttpResponse:
    require(_actor(request), Perm.STAFFING_ADMIN, resource_type="skill")
    found = selectors.skill_detail(actor=_actor(request), skill_id=skill_id)
    form = SkillForm(request.POST or None, initial={"name": found.name, "active": found.active})
    if _form_try(request, form, lambda data: services.skill_update(actor=_actor(request), skill_id=skill_id,
                                                                   **data), _("Skill saved.")):
        return redirect("staffing:skills")
    return _form_page(request, form, {"title": found.name, "cancel_url": reverse("staffing:skills")})


# --- staff contracts --------------------------------------------------------------------------------------------

def _skill_choices(request: HttpRequest) -> list[tuple[int, str]]:
    return [(s.pk, s.name) for s in selectors.skills_list(actor=_actor(request))]


@login_required
@require_GET
def staff(request: HttpRequest) -> HttpResponse:
    require(_actor(request), Perm.STAFFING_ADMIN)
    location = _location(request)
    show_inactive = request.GET.get("inactive") == "include"
    found = selectors.staff_members_list(actor=_actor(request), location_id=location.pk,
                                         include_inactive=show_inactive)
    days = dict(weekday_choices())
    rows = [{"cells": [m.display_name, ", ".join(s.name for s in m.skills.all()) or "—",
                       _("%(min)s to %(max)s h") % {"min": m.min_hours_week, "max": m.max_hours_week},
                       ", ".join(str(days[d]) for d in m.unavailable_weekdays) or "—",
                       m.max_consecutive_shifts, _minutes(m.min_rest_minutes), m.max_weekends],
             "url": reverse("staffing:staff-member", args=[m.pk]), "inactive": not m.active} for m in found]
    url = f"{reverse('staffing:staff')}?location={location.pk}"
    return _list(request, "staff", {
        "title": _("Staff contracts"), "location": location, "rows": rows,
        "columns": [_("Name"), _("Skills"), _("Hours a week"), _("Cannot work"), _("Shifts in a row"),
                    _("Rest between shifts"), _("Weekends in 4 weeks")],
        "new_url": f"{reverse('staffing:staff-new')}?location={location.pk}", "new_label": _("Add a contract"),
        "empty": _("No contracts yet."), "show_inactive": show_inactive,
        "toggle_url": url if show_inactive else f"{url}&inactive=include",
        "intro": _("What the roster may ask of each person at this location.")})


@login_required
@require_http_methods(["GET", "POST"])
def staff_new(request: HttpRequest) -> HttpResponse:
    require(_actor(request), Perm.STAFFING_ADMIN, resource_type="staffmember")
    location = _location(request)
    users = selectors.contract_user_choices(actor=_actor(request), location_id=location.pk)
    form = ContractForm(request.POST or None, skills=_skill_choices(request), users=users)
    if _form_try(request, form, lambda data: services.staff_member_create(
            actor=_actor(request), location_id=location.pk, **data), _("Contract added.")):
        return redirect(f"{reverse('staffing:staff')}?location={location.pk}")
    return _form_page(request, form, {
        "title": _("New contract at %(location)s") % {"location": location.name},
        "action": f"{reverse('staffing:staff-new')}?location={location.pk}",
        "submit_label": _("Add contract"), "cancel_url": reverse("staffing:staff")})


@login_required
@require_http_methods(["GET", "POST"])
def staff_member(request: HttpRequest, staff_member_id: int) -> HttpResponse:
    found = selectors.staff_member_detail(actor=_actor(request), staff_member_id=staff_member_id)
    initial = {name: getattr(found, name) for name in services.CONTRACT_FIELDS}
    initial["skill_ids"] = [s.pk for s in found.skills.all()]
    form = ContractForm(request.POST or None, initial=initial, skills=_skill_choices(request))
    if _form_try(request, form, lambda data: services.staff_member_update(
            actor=_actor(request), staff_member_id=staff_member_id, **data), _("Contract saved.")):
        return redirect(f"{reverse('staffing:staff')}?location={found.location_id}")
    return _form_page(request, form, {"title": found.display_name, "cancel_url": reverse("staffing:staff")})


# --- cover needs ------------------------------------------------------------------------------------------------

@login_required
@require_GET
def cover(request: HttpRequest) -> HttpResponse:
    require(_actor(request), Perm.STAFFING_ADMIN)
    location = _location(request)
    days = dict(weekday_choices())
    rows = [{"cells": [str(days[n.weekday]) if n.weekday is not None else n.date,
                       str(n.shift_type), n.skill.name if n.skill else _("Anyone"), n.count,
                       n.under_weight, n.over_weight], "delete_url": reverse("staffing:cover-delete", args=[n.pk])}
            for n in selectors.cover_needs_list(actor=_actor(request), location_id=location.pk)]
    return render(request, "staffing/cover.html", {
        "tabs": _tabs(request, "cover"), "title": _("Cover needs"), "location": location, "rows": rows,
        "columns": [_("Day"), _("Shift"), _("Skill"), _("How many"), _("Cost of each one short"),
                    _("Cost of each one over")],
        "new_url": f"{reverse('staffing:cover-new')}?location={location.pk}", "new_label": _("Add a cover need"),
        "empty": _("No cover needs yet."),
        "intro": _("How many staff each shift needs, of which skill. A need naming a skill counts only those who "
                   "hold it; a need for anyone counts everybody on the shift.")})


@login_required
@require_http_methods(["GET", "POST"])
def cover_new(request: HttpRequest) -> HttpResponse:
    require(_actor(request), Perm.STAFFING_ADMIN, resource_type="coverneed")
    location = _location(request)
    shifts = [(s.pk, str(s)) for s in selectors.shift_types_list(actor=_actor(request), location_id=location.pk)]
    form = CoverNeedForm(request.POST or None, shifts=shifts, skills=_skill_choices(request))
    if _form_try(request, form, lambda data: services.cover_need_create(
            actor=_actor(request), location_id=location.pk, **data), _("Cover need added.")):
        return redirect(f"{reverse('staffing:cover')}?location={location.pk}")
    return _form_page(request, form, {
        "title": _("New cover need at %(location)s") % {"location": location.name},
        "action": f"{reverse('staffing:cover-new')}?location={location.pk}",
        "submit_label": _("Add cover need"), "cancel_url": reverse("staffing:cover")})


@login_required
@require_POST
def cover_delete(request: HttpRequest, cover_need_id: int) -> HttpResponse:
    services.cover_need_delete(actor=_actor(request), cover_need_id=cover_need_id)
    messages.success(request, _("Cover need removed."))
    return redirect("staffing:cover")
