"""The practice set-up screens: organization, locations (with opening hours), providers, rooms, equipment.
Each is a list, an add form and an edit form with its history; the rules are the services'."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import NoReverseMatch, reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods, require_POST

from clinicdesk.audit.selectors import HistoryLine, change_history
from clinicdesk.core.exceptions import DomainError
from clinicdesk.core.forms import form_add_domain_error
from clinicdesk.core.permissions import Perm, require

from . import selectors, services
from .forms import (
    EquipmentForm,
    HoursFormSet,
    LocationEditForm,
    LocationForm,
    OrganizationForm,
    PractitionerEditForm,
    PractitionerForm,
    RoomForm,
    hours_from,
)
from .models import OpeningHours

Action = Callable[[dict[str, Any]], Any]


def _apply(form: Any, error: DomainError) -> None:
    form_add_domain_error(form, error, {"locations": "location_ids", "specialties": "specialty_codes",
                                        "location": "location_id"})


def _submit(request: HttpRequest, form: Any, action: Action, done: str) -> Any:
    """On a valid POST run `action(cleaned_data)`; a rule the service refuses lands on the form. The record
    saved, or None (show the form again)."""
    if request.method != "POST" or not form.is_valid():
        return None
    try:
        saved = action(form.cleaned_data)
    except DomainError as error:
        if error.status not in (409, 422):
            raise
        _apply(form, error)
        return None
    messages.success(request, done)
    return saved


def _form_page(request: HttpRequest, form: Any, context: dict[str, Any], template: str = "config/form.html",
               status: int | None = None) -> HttpResponse:
    if status is None:
        status = 422 if request.method == "POST" and form.errors else 200
    return render(request, template, {"form": form, **context}, status=status)


def _labels(*forms_: Any) -> dict[str, Any]:
    labels: dict[str, Any] = {}
    for form in forms_:
        labels |= {name: field.label for name, field in form.base_fields.items()}
    return labels | {"active": _("Active"), "locations": _("Works at"), "specialties": _("Specialties"),
                     "hours": _("Opening hours")}


def _list(request: HttpRequest, *, title: str, columns: list[str], rows: list[dict[str, Any]], new_url: str,
          new_label: str, empty: str, show_inactive: bool, list_url: str) -> HttpResponse:
    toggle = list_url if show_inactive else f"{list_url}?inactive=include"
    return render(request, "config/list.html", {
        "title": title, "columns": columns, "rows": rows, "new_url": new_url, "new_label": new_label,
        "empty": empty, "show_inactive": show_inactive, "toggle_url": toggle})


def _show_inactive(request: HttpRequest) -> bool:
    return request.GET.get("inactive") == "include"


# --- organization ------------------------------------------------------------------------------------------------

@login_required
@require_http_methods(["GET", "POST"])
def organization(request: HttpRequest) -> HttpResponse:
    require(request.user, Perm.PRACTICE_ADMIN)
    current = selectors.organization_current()
    initial = {name: getattr(current, name) for name in services.ORGANIZATION_FIELDS} if current else {}
    form = OrganizationForm(request.POST or None, initial=initial)
    if _submit(request, form, lambda data: services.organization_update(actor=request.user, **data),
               _("Organization saved.")):
        return redirect("practice:organization")
    history = change_history(actor=request.user, resource_type="organization", resource_id=current.pk,
                             field_labels=_labels(OrganizationForm)) if current else None
    return _form_page(request, form, {
        "title": _("Organization"), "submit_label": _("Save organization"), "history": history,
        "intro": _("The practice as a legal entity: the name, tax ID and group NPI that claims are billed under.")})


# --- locations ---------------------------------------------------------------------------------------------------

def _hours_text(value: Any) -> Any:
    """Opening hours as the trail keeps them ([[weekday, opens, closes], ...]) in words."""
    if not isinstance(value, list):
        return value
    if not value:
        return _("closed")
    return "; ".join(f"{OpeningHours.Weekday(day).label} {opens}\u2013{closes}" for day, opens, closes in value)


def _location_history(request: HttpRequest, location_id: int) -> list[HistoryLine]:
    return change_history(actor=request.user, resource_type="location", resource_id=location_id,
                          field_labels=_labels(LocationEditForm), formatters={"hours": _hours_text})


@login_required
def locations(request: HttpRequest) -> HttpResponse:
    show = _show_inactive(request)
    rows = [{"cells": [loc.name, loc.code, f"{loc.city}, {loc.state}", loc.time_zone,
                       len({h.weekday for h in loc.hours.all()})],
             "url": reverse("practice:location_edit", args=[loc.pk]), "inactive": not loc.active}
            for loc in selectors.locations_list(actor=request.user, include_inactive=show)]
    return _list(request, title=_("Locations"), rows=rows, show_inactive=show,
                 columns=[_("Name"), _("Code"), _("City"), _("Time zone"), _("Days open")],
                 new_url=reverse("practice:location_new"), new_label=_("Add a location"),
                 empty=_("No locations yet."), list_url=reverse("practice:locations"))


@login_required
@require_http_methods(["GET", "POST"])
def location_new(request: HttpRequest) -> HttpResponse:
    require(request.user, Perm.PRACTICE_ADMIN)
    form = LocationForm(request.POST or None, initial={"time_zone": "America/New_York"})
    saved = _submit(request, form, lambda data: services.location_create(actor=request.user, **data),
                    _("Location added. Now set its opening hours."))
    if saved:
        return redirect("practice:location_edit", saved.pk)
    return _form_page(request, form, {"title": _("Add a location"), "submit_label": _("Add location"),
                                      "cancel_url": reverse("practice:locations")})


def _location_page(request: HttpRequest, location: Any, form: Any, hours: Any, status: int | None = None
                   ) -> HttpResponse:
    return _form_page(request, form, {
        "title": location.name, "hours": hours, "location": location,
        "hours_url": reverse("practice:location_hours", args=[location.pk]),
        "cancel_url": reverse("practice:locations"),
        "deactivate_url": reverse("practice:location_deactivate", args=[location.pk]) if location.active else "",
        "history": _location_history(request, location.pk)}, "practice/location_form.html", status)


def _hours_initial(location: Any) -> list[dict[str, Any]]:
    return [{"weekday": h.weekday, "opens": h.opens, "closes": h.closes} for h in location.hours.all()]


@login_required
@require_http_methods(["GET", "POST"])
def location_edit(request: HttpRequest, pk: int) -> HttpResponse:
    location = selectors.location_detail(actor=request.user, location_id=pk)
    initial = {name: getattr(location, name) for name in services.LOCATION_FIELDS}
    form = LocationEditForm(request.POST or None, initial=initial)
    if _submit(request, form, lambda data: services.location_update(
            actor=request.user, location_id=pk, **{k: v for k, v in data.items() if initial.get(k) != v}),
            _("Location saved.")):
        return redirect("practice:location_edit", pk)
    return _location_page(request, location, form, HoursFormSet(initial=_hours_initial(location), prefix="hours"))


@login_required
@require_POST
def location_hours(request: HttpRequest, pk: int) -> HttpResponse:
    location = selectors.location_detail(actor=request.user, location_id=pk)
    hours = HoursFormSet(request.POST, initial=_hours_initial(location), prefix="hours")
    if hours.is_valid():
        try:
            services.location_hours_set(actor=request.user, location_id=pk, hours=hours_from(hours))
        except DomainError as error:
            if error.status not in (409, 422):
                raise
            hours._non_form_errors = hours.error_class([error.detail])  # shown above the table
        else:
            messages.success(request, _("Opening hours saved."))
            return redirect("practice:location_edit", pk)
    form = LocationEditForm(initial={name: getattr(location, name) for name in services.LOCATION_FIELDS})
    return _location_page(request, location, form, hours, status=422)


@login_required
@require_POST
def location_deactivate(request: HttpRequest, pk: int) -> HttpResponse:
    location = services.location_deactivate(actor=request.user, location_id=pk)
    messages.success(request, _("%(name)s is deactivated.") % {"name": location.name})
    return redirect("practice:locations")


# --- providers ---------------------------------------------------------------------------------------------------

def _provider_choices(request: HttpRequest) -> dict[str, Any]:
    return {"specialties": selectors.specialty_choices(), "locations": selectors.location_choices(actor=request.user)}


@login_required
def providers(request: HttpRequest) -> HttpResponse:
    show = _show_inactive(request)
    rows = [{"cells": [str(p), p.npi, ", ".join(s.name for s in p.specialties.all()) or p.specialty,
                       ", ".join(loc.name for loc in p.locations.all()), p.age_range_label or _("any age")],
             "url": reverse("practice:provider_edit", args=[p.pk]), "inactive": not p.active}
            for p in selectors.practitioners_list(actor=request.user, include_inactive=show)]
    return _list(request, title=_("Providers"), rows=rows, show_inactive=show,
                 columns=[_("Name"), _("NPI"), _("Specialties"), _("Works at"), _("Patients")],
                 new_url=reverse("practice:provider_new"), new_label=_("Add a provider"),
                 empty=_("No providers yet."), list_url=reverse("practice:providers"))


@login_required
@require_http_methods(["GET", "POST"])
def provider_new(request: HttpRequest) -> HttpResponse:
    require(request.user, Perm.PRACTICE_ADMIN)
    form = PractitionerForm(request.POST or None, **_provider_choices(request))
    saved = _submit(request, form, lambda data: services.practitioner_create(actor=request.user, **data),
                    _("Provider added."))
    if saved:
        return redirect("practice:provider_edit", saved.pk)
    return _form_page(request, form, {"title": _("Add a provider"), "submit_label": _("Add provider"),
                                      "cancel_url": reverse("practice:providers")})


def _scheduling_types_url() -> str:
    try:
        return reverse("scheduling:types")
    except NoReverseMatch:  # the appointment-type screens are not installed
        return ""


@login_required
@require_http_methods(["GET", "POST"])
def provider_edit(request: HttpRequest, pk: int) -> HttpResponse:
    provider = selectors.practitioner_detail(actor=request.user, practitioner_id=pk)
    initial = {"first_name": provider.first_name, "last_name": provider.last_name,
               "credentials": provider.credentials, "npi": provider.npi, "color": provider.color,
               "specialty_codes": [s.code for s in provider.specialties.all()],
               "location_ids": [loc.pk for loc in provider.locations.all()],
               "min_patient_age": provider.min_patient_age, "max_patient_age": provider.max_patient_age,
               "active": provider.active}
    form = PractitionerEditForm(request.POST or None, initial=initial, **_provider_choices(request))

    def save(data: dict[str, Any]) -> Any:
        changed = {k: v for k, v in data.items() if initial.get(k) != v}
        return services.practitioner_update(actor=request.user, practitioner_id=pk, **changed)

    if _submit(request, form, save, _("Provider saved.")):
        return redirect("practice:provider_edit", pk)
    return _form_page(request, form, {
        "title": str(provider), "provider": provider, "cancel_url": reverse("practice:providers"),
        "appointment_types": selectors.practitioner_appointment_types(actor=request.user, practitioner_id=pk),
        "types_url": _scheduling_types_url(),
        "deactivate_url": reverse("practice:provider_deactivate", args=[pk]) if provider.active else "",
        "history": change_history(actor=request.user, resource_type="practitioner", resource_id=pk,
                                  field_labels=_labels(PractitionerEditForm))},
        "practice/provider_form.html")


@login_required
@require_POST
def provider_deactivate(request: HttpRequest, pk: int) -> HttpResponse:
    provider = services.practitioner_deactivate(actor=request.user, practitioner_id=pk)
    messages.success(request, _("%(name)s is deactivated.") % {"name": provider})
    return redirect("practice:providers")


# --- rooms and equipment -----------------------------------------------------------------------------------------

@dataclasses.dataclass(frozen=True)
class _Kind:
    """What differs between the room and the equipment screens."""

    noun: str  # URL names: practice:<noun>_new ...
    list_name: str
    form: Any
    title: Any
    add: Any
    empty: Any
    added: Any
    saved: Any
    list_: Callable[..., Any]
    detail: Callable[..., Any]
    create: Callable[..., Any]
    update: Callable[..., Any]
    deactivate: Callable[..., Any]


ROOMS = _Kind("room", "rooms", RoomForm, gettext_lazy("Rooms"), gettext_lazy("Add a room"),
              gettext_lazy("No rooms yet."), gettext_lazy("Room added."), gettext_lazy("Room saved."),
              lambda actor, show: selectors.rooms_list(actor=actor, include_inactive=show),
              lambda actor, pk: selectors.room_detail(actor=actor, room_id=pk),
              services.room_create,
              lambda actor, pk, **c: services.room_update(actor=actor, room_id=pk, **c),
              lambda actor, pk: services.room_deactivate(actor=actor, room_id=pk))
EQUIPMENT = _Kind("equipment", "equipment", EquipmentForm, gettext_lazy("Equipment"), gettext_lazy("Add equipment"),
                  gettext_lazy("No equipment yet."), gettext_lazy("Equipment added."), gettext_lazy("Equipment saved."),
                  lambda actor, show: selectors.equipment_list(actor=actor, include_inactive=show),
                  lambda actor, pk: selectors.equipment_detail(actor=actor, equipment_id=pk),
                  services.equipment_create,
                  lambda actor, pk, **c: services.equipment_update(actor=actor, equipment_id=pk, **c),
                  lambda actor, pk: services.equipment_deactivate(actor=actor, equipment_id=pk))


def _resource_list(request: HttpRequest, kind: _Kind) -> HttpResponse:
    show = _show_inactive(request)
    rows = [{"cells": [item.name, item.get_kind_display(), item.location.name],
             "url": reverse(f"practice:{kind.noun}_edit", args=[item.pk]), "inactive": not item.active}
            for item in kind.list_(request.user, show)]
    return _list(request, title=str(kind.title), rows=rows, show_inactive=show,
                 columns=[_("Name"), _("Kind"), _("Location")], new_url=reverse(f"practice:{kind.noun}_new"),
                 new_label=str(kind.add), empty=str(kind.empty), list_url=reverse(f"practice:{kind.list_name}"))


def _resource_new(request: HttpRequest, kind: _Kind) -> HttpResponse:
    require(request.user, Perm.PRACTICE_ADMIN)
    form = kind.form(request.POST or None, locations=selectors.location_choices(actor=request.user))
    if _submit(request, form, lambda data: kind.create(actor=request.user, **data), str(kind.added)):
        return redirect(f"practice:{kind.list_name}")
    return _form_page(request, form, {"title": kind.add, "cancel_url": reverse(f"practice:{kind.list_name}")})


def _resource_edit(request: HttpRequest, kind: _Kind, pk: int) -> HttpResponse:
    item = kind.detail(request.user, pk)
    initial = {"name": item.name, "kind": item.kind, "active": item.active}
    form = kind.form(request.POST or None, initial=initial, editing=True)

    def save(data: dict[str, Any]) -> Any:
        return kind.update(request.user, pk, **{k: v for k, v in data.items() if initial.get(k) != v})

    if _submit(request, form, save, str(kind.saved)):
        return redirect(f"practice:{kind.noun}_edit", pk)
    return _form_page(request, form, {
        "title": f"{item.name} ({item.location.name})", "cancel_url": reverse(f"practice:{kind.list_name}"),
        "deactivate_url": reverse(f"practice:{kind.noun}_deactivate", args=[pk]) if item.active else "",
        "history": change_history(actor=request.user, resource_type=kind.noun, resource_id=pk,
                                  field_labels=_labels(kind.form) | {"kind": _("Kind"), "name": _("Name")})})


def _resource_deactivate(request: HttpRequest, kind: _Kind, pk: int) -> HttpResponse:
    item = kind.deactivate(request.user, pk)
    messages.success(request, _("%(name)s is deactivated.") % {"name": item.name})
    return redirect(f"practice:{kind.list_name}")


@login_required
def rooms(request: HttpRequest) -> HttpResponse:
    return _resource_list(request, ROOMS)


@login_required
@require_http_methods(["GET", "POST"])
def room_new(request: HttpRequest) -> HttpResponse:
    return _resource_new(request, ROOMS)


@login_required
@require_http_methods(["GET", "POST"])
def room_edit(request: HttpRequest, pk: int) -> HttpResponse:
    return _resource_edit(request, ROOMS, pk)


@login_required
@require_POST
def room_deactivate(request: HttpRequest, pk: int) -> HttpResponse:
    return _resource_deactivate(request, ROOMS, pk)


@login_required
def equipment(request: HttpRequest) -> HttpResponse:
    return _resource_list(request, EQUIPMENT)


@login_required
@require_http_methods(["GET", "POST"])
def equipment_new(request: HttpRequest) -> HttpResponse:
    return _resource_new(request, EQUIPMENT)


@login_required
@require_http_methods(["GET", "POST"])
def equipment_edit(request: HttpRequest, pk: int) -> HttpResponse:
    return _resource_edit(request, EQUIPMENT, pk)


@login_required
@require_POST
def equipment_deactivate(request: HttpRequest, pk: int) -> HttpResponse:
    return _resource_deactivate(request, EQUIPMENT, pk)
