"""Appointment types, availability templates and future appointments: each row through `scheduling.services`
(appointments through `appointment_book`, the one booking path: a taken slot is a problem on its line, never
written). Undone by deactivating types, removing templates, and marking appointments entered in error."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db.models import Model
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from clinicdesk.core.permissions import Actor, Perm
from clinicdesk.core.timezones import local_to_utc
from clinicdesk.practice.models import Equipment, Room
from clinicdesk.scheduling import services as scheduling_services
from clinicdesk.scheduling.models import (
    ACTIVE_STATUSES,
    Appointment,
    AppointmentCategory,
    AppointmentStatus,
    AvailabilityTemplate,
    ChecklistItem,
    Weekday,
)

from . import lookups
from .base import CellError, Kind, boolean, choice, clock_time, day, echo, integer, listed, text

# --- appointment types -----------------------------------------------------------------------------------------


def _codes(cells: dict[str, str], column: str, choices: list[tuple[str, Any]]) -> list[str]:
    return [choice({column: value}, column, choices) for value in listed(cells, column)]


def _type_row(actor: Actor, cells: dict[str, str]) -> list[Model]:
    name = text(cells, "name", required=True)
    providers = [lookups.practitioner(npi, "providers").pk for npi in listed(cells, "providers")]
    room_kind = choice(cells, "room_kind", Room.Kind.choices, default="-")
    return [scheduling_services.appointment_type_create(
        actor=actor, code=text(cells, "code", required=True), name=name,
        patient_facing_name=text(cells, "patient_facing_name") or name,
        duration_minutes=integer(cells, "duration_minutes", required=True) or 0,
        category=choice(cells, "category", AppointmentCategory.choices, default=AppointmentCategory.VISIT),
        new_patient=boolean(cells, "new_patient"),
        buffer_before_minutes=integer(cells, "buffer_before_minutes") or 0,
        buffer_after_minutes=integer(cells, "buffer_after_minutes") or 0,
        room_kind="" if room_kind == "-" else room_kind,
        equipment_kinds=tuple(_codes(cells, "equipment_kinds", Equipment.Kind.choices)),
        telehealth=boolean(cells, "telehealth"),
        checklist=tuple(_codes(cells, "checklist", ChecklistItem.choices)),
        color=text(cells, "color") or "#5b8def", name_es=text(cells, "name_es"),
        patient_facing_name_es=text(cells, "patient_facing_name_es"), allowed_practitioner_ids=tuple(providers))]


def _type_used(model: str, ids: list[int]) -> str:
    if Appointment.objects.filter(appointment_type_id__in=ids).exclude(
            status=AppointmentStatus.ENTERED_IN_ERROR).exists():
        return _("An imported appointment type has appointments now.")
    return ""


def _type_undo(actor: Actor, model: str, ids: list[int]) -> None:
    for pk in ids:
        scheduling_services.appointment_type_deactivate(actor=actor, appointment_type_id=pk)


APPOINTMENT_TYPES = Kind(
    code="appointment_types", label=gettext_lazy("Appointment types"), perms=(Perm.PRACTICE_ADMIN,),
    columns=("code", "name", "patient_facing_name", "duration_minutes", "category", "new_patient",
             "buffer_before_minutes", "buffer_after_minutes", "room_kind", "equipment_kinds", "telehealth",
             "checklist", "color", "name_es", "patient_facing_name_es", "providers"),
    required=("code", "name", "duration_minutes"),
    import_row=_type_row,
    field_columns={"allowed_practitioner_ids": "providers", "allowed_practitioners": "providers"},
    used=_type_used, undo=_type_undo)


# --- availability templates ------------------------------------------------------------------------------------

_WEEKDAYS_EN = ["monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday"]


def _weekday(cells: dict[str, str]) -> int:
    value = cells.get("weekday", "").strip().lower()
    if not value:
        raise CellError("weekday", _("Required."))
    if value.isdigit() and int(value) in range(7):
        return int(value)
    for number, label in Weekday.choices:
        english = _WEEKDAYS_EN[number]
        if value in (english, english[:3], str(label).lower(), str(label).lower()[:3]):
            return number
    raise CellError("weekday", _("Not a day of the week: '%(value)s'. Write Monday to Sunday (or 0 to 6).")
                    % {"value": echo(value)})


def _template_row(actor: Actor, cells: dict[str, str]) -> list[Model]:
    practitioner = lookups.practitioner(text(cells, "provider_npi"))
    where = lookups.location(text(cells, "location"))
    reserved = [lookups.appointment_type(code, "reserved_types").pk for code in listed(cells, "reserved_types")]
    effective_from = day(cells, "effective_from", required=True)
    assert effective_from is not None
    return [scheduling_services.availability_template_add(
        actor=actor, practitioner_id=practitioner.pk, location_id=where.pk, weekday=_weekday(cells),
        start_time=clock_time(cells, "start_time"), end_time=clock_time(cells, "end_time"),
        effective_from=effective_from, effective_until=day(cells, "effective_until"),
        reserved_type_ids=reserved, label=text(cells, "label"))]


def _inside(appointment: Appointment, template: AvailabilityTemplate) -> bool:
    local = appointment.start.astimezone(template.location.tz)
    return template.applies_on(local.date()) and template.start_time <= local.time() < template.end_time


def _template_used(model: str, ids: list[int]) -> str:
    for template in AvailabilityTemplate.objects.filter(pk__in=ids).select_related("location"):
        booked = Appointment.objects.filter(
            practitioner_id=template.practitioner_id, location_id=template.location_id, status__in=ACTIVE_STATUSES,
            start__date__gte=template.effective_from - dt.timedelta(days=1))
        if template.effective_until is not None:
            booked = booked.filter(start__date__lte=template.effective_until + dt.timedelta(days=1))
        if any(_inside(appointment, template) for appointment in booked.only("start")):
            return _("Appointments are booked in an imported availability block now.")
    return ""


def _template_undo(actor: Actor, model: str, ids: list[int]) -> None:
    for pk in ids:
        scheduling_services.availability_template_remove(actor=actor, template_id=pk)


AVAILABILITY = Kind(
    code="availability", label=gettext_lazy("Availability templates"), perms=(Perm.PRACTICE_ADMIN,),
    columns=("provider_npi", "location", "weekday", "start_time", "end_time", "effective_from", "effective_until",
             "reserved_types", "label"),
    required=("provider_npi", "location", "weekday", "start_time", "end_time", "effective_from"),
    import_row=_template_row, field_columns={}, used=_template_used, undo=_template_undo)


# --- future appointments ---------------------------------------------------------------------------------------

def _room(cells: dict[str, str], location_id: int) -> int | None:
    name = text(cells, "room")
    if not name:
        return None
    found = Room.objects.filter(location_id=location_id, name__iexact=name, active=True).values_list(
        "pk", flat=True).first()
    if found is None:
        raise CellError("room", _("No active room '%(name)s' at that location.") % {"name": echo(name)})
    return int(found)


def _appointment_row(actor: Actor, cells: dict[str, str]) -> list[Model]:
    patient_id = lookups.patient_id(text(cells, "mrn"))
    practitioner = lookups.practitioner(text(cells, "provider_npi"))
    kind = lookups.appointment_type(text(cells, "appointment_type"))
    where = lookups.location(text(cells, "location"))
    on = day(cells, "date", required=True)
    assert on is not None
    start = local_to_utc(on, clock_time(cells, "time"), where.tz)
    request = scheduling_services.BookingRequest(
        patient_id=patient_id, practitioner_id=practitioner.pk, location_id=where.pk, appointment_type_id=kind.pk,
        start=start, room_id=_room(cells, where.pk), note=text(cells, "note"))
    return [scheduling_services.appointment_book(actor=actor, request=request)]


# Moves that mean the appointment has been used (the patient came, or did not): an undo would erase a visit.
_USED_STATUSES = frozenset({AppointmentStatus.ARRIVED, AppointmentStatus.CHECKED_IN, AppointmentStatus.FULFILLED,
                            AppointmentStatus.NOSHOW})


def _appointment_used(model: str, ids: list[int]) -> str:
    if Appointment.objects.filter(pk__in=ids, status__in=_USED_STATUSES).exists():
        return _("An imported appointment has since been arrived, checked in, completed or marked no-show.")
    return ""


def _appointment_undo(actor: Actor, model: str, ids: list[int]) -> None:
    for pk in Appointment.objects.filter(pk__in=ids).exclude(
            status=AppointmentStatus.ENTERED_IN_ERROR).order_by("pk").values_list("pk", flat=True):
        scheduling_services.appointment_set_status(actor=actor, appointment_id=pk,
                                                   status=AppointmentStatus.ENTERED_IN_ERROR,
                                                   note=_("Import undone"))


APPOINTMENTS = Kind(
    code="appointments", label=gettext_lazy("Future appointments"), perms=(Perm.PRACTICE_ADMIN, Perm.SCHEDULE_WRITE),
    columns=("mrn", "provider_npi", "appointment_type", "location", "date", "time", "room", "note"),
    required=("mrn", "provider_npi", "appointment_type", "location", "date", "time"),
    import_row=_appointment_row,
    field_columns={"patient": "mrn", "practitioner": "provider_npi", "appointment_type": "appointment_type",
                   "location": "location", "start": "time", "end": "time", "room": "room", "equipment": "",
                   "overbook_reason": ""},
    used=_appointment_used, undo=_appointment_undo)
