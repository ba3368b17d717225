"""JSON API of the scheduling set-up (#14): appointment types, weekly availability blocks, time away
(availability exceptions) and location holidays, declared once each (core.resources).

Appointment types are deactivated (`POST .../deactivate`): appointments refer to them. Weekly blocks, exceptions
and holidays are not referred to by anything, so they are removed with `DELETE` (204): a block already in use
ends today (it stays, effective until today, so the days it applied are still described), a block not started yet
is deleted; an exception or a holiday is deleted. In every case appointments already booked stay as they are."""

from __future__ import annotations

from clinicdesk.core.permissions import Perm
from clinicdesk.core.resources import ApiField, ApiResource, RemovableResource, members_named

from . import setup_selectors as read
from .models import AppointmentCategory, AvailabilityException, ChecklistItem
from .services import (
    EQUIPMENT_KIND_CHOICES,
    ROOM_KIND_CHOICES,
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

TAG = "scheduling-setup"


_TYPE_FIELDS = (
    ApiField.ident(),
    ApiField.text("code", required=True, max_length=40,
                  description="Unique; lower-case letters, digits, hyphens and underscores."),
    ApiField.text("name", required=True, max_length=80, description="The name staff read."),
    ApiField.text("nameEs", max_length=80, description="The name staff read in Spanish; empty: the English one."),
    ApiField.text("patientFacingName", required=True, max_length=80),
    ApiField.text("patientFacingNameEs", max_length=80),
    ApiField.integer("durationMinutes", required=True, minimum=5, maximum=480),
    ApiField.choice("category", AppointmentCategory.values),
    ApiField.flag("newPatient"),
    ApiField.integer("bufferBeforeMinutes", minimum=0, maximum=240),
    ApiField.integer("bufferAfterMinutes", minimum=0, maximum=240),
    ApiField.choice("roomKind", ["", *(value for value, _label in ROOM_KIND_CHOICES)],
                    description="The kind of room it needs; empty: none (telehealth, phone)."),
    ApiField.choices_list("equipmentKinds", [value for value, _label in EQUIPMENT_KIND_CHOICES]),
    ApiField.flag("telehealth"),
    ApiField.choices_list("checklist", ChecklistItem.values, description="The pre-visit checklist items."),
    ApiField.text("color", max_length=7, description="A colour as #rrggbb."),
    ApiField.refs("allowedPractitioners", attr="allowed_practitioner_ids",
                  get=lambda t: sorted(p.pk for p in t.allowed_practitioners.all()),
                  description="The providers who take it; empty: every provider."),
    ApiField.flag("active", read_only=True),
)

APPOINTMENT_TYPES = ApiResource(
    write_perm=Perm.PRACTICE_ADMIN,
    path="appointment-types", schema="AppointmentType", tag=TAG, noun="appointment type", fields=_TYPE_FIELDS,
    description="What can be booked. Deactivated, never deleted: appointments keep their type.",
    list=lambda actor, include: read.appointment_types_list(actor=actor, include_inactive=include),
    read=lambda actor, pk: read.appointment_type_detail(actor=actor, appointment_type_id=pk),
    create=lambda actor, values: members_named(_TYPE_FIELDS, lambda: appointment_type_create(actor=actor, **values)),
    update=lambda actor, pk, values: members_named(_TYPE_FIELDS, lambda: appointment_type_update(
        actor=actor, appointment_type_id=pk, **values)),
    deactivate=lambda actor, pk: appointment_type_deactivate(actor=actor, appointment_type_id=pk),
)

_TEMPLATE_FIELDS = (
    ApiField.ident(),
    ApiField.ref("practitioner", required=True, create_only=True),
    ApiField.ref("location", required=True, create_only=True),
    ApiField.integer("weekday", required=True, minimum=0, maximum=6, description="0 is Monday, 6 Sunday."),
    ApiField.time("startTime", required=True, description="Wall-clock time at the location."),
    ApiField.time("endTime", required=True),
    ApiField.date("effectiveFrom", required=True),
    ApiField.date("effectiveUntil", nullable=True, description="Inclusive; null: no end."),
    ApiField.refs("reservedTypes", attr="reserved_type_ids", get=lambda t: sorted(k.pk for k in t.reserved_types.all()),
                  description="Only these appointment types may be booked in the block; empty: any."),
    ApiField.text("label", max_length=60),
    ApiField.flag("active", read_only=True, get=lambda t: not read.template_ended(t),
                  description="False once the block has ended (effective until a past day)."),
)

AVAILABILITY_TEMPLATES = RemovableResource(
    write_perm=Perm.PRACTICE_ADMIN,
    path="availability-templates", schema="AvailabilityTemplate", tag=TAG, noun="weekly availability block",
    fields=_TEMPLATE_FIELDS,
    description="A weekly block a provider works at a location. Blocks of one provider never overlap.",
    list=lambda actor, include: read.availability_templates_list(actor=actor, include_inactive=include),
    read=lambda actor, pk: read.availability_template_detail(actor=actor, template_id=pk),
    create=lambda actor, values: members_named(_TEMPLATE_FIELDS, lambda: availability_template_add(
        actor=actor, **values)),
    update=lambda actor, pk, values: members_named(_TEMPLATE_FIELDS, lambda: availability_template_update(
        actor=actor, template_id=pk, **values)),
    remove=lambda actor, pk: availability_template_remove(actor=actor, template_id=pk),
    remove_summary="End a weekly block today (a block not started yet is deleted); booked appointments stay.",
)

_EXCEPTION_FIELDS = (
    ApiField.ident(),
    ApiField.ref("practitioner", required=True, create_only=True),
    ApiField.ref("location", create_only=True, nullable=True, description="Null: away from every location."),
    ApiField.choice("kind", AvailabilityException.Kind.values, create_only=True),
    ApiField.datetime("start", required=True, create_only=True),
    ApiField.datetime("end", required=True, create_only=True),
    ApiField.text("reason", max_length=200, create_only=True),
)

AVAILABILITY_EXCEPTIONS = RemovableResource(
    write_perm=Perm.PRACTICE_ADMIN,
    path="availability-exceptions", schema="AvailabilityException", tag=TAG, noun="availability exception",
    fields=_EXCEPTION_FIELDS,
    description="Time a provider is away (vacation, conference, meeting): not bookable then.",
    list=lambda actor, include: read.availability_exceptions_list(actor=actor, include_inactive=include),
    read=lambda actor, pk: read.availability_exception_detail(actor=actor, exception_id=pk),
    create=lambda actor, values: members_named(_EXCEPTION_FIELDS, lambda: availability_exception_add(
        actor=actor, **values)),
    remove=lambda actor, pk: availability_exception_remove(actor=actor, exception_id=pk),
    remove_summary="Remove an availability exception: the provider is bookable again then; booked appointments "
                   "stay.",
)

_HOLIDAY_FIELDS = (
    ApiField.ident(),
    ApiField.ref("location", required=True, create_only=True),
    ApiField.date("day", required=True, create_only=True),
    ApiField.text("name", required=True, max_length=100, create_only=True),
)

HOLIDAYS = RemovableResource(
    write_perm=Perm.PRACTICE_ADMIN,
    path="holidays", schema="LocationHoliday", tag=TAG, noun="location holiday", fields=_HOLIDAY_FIELDS,
    description="A day a location is closed: nobody can be booked there.",
    list=lambda actor, include: read.location_holidays_list(actor=actor, include_inactive=include),
    read=lambda actor, pk: read.location_holiday_detail(actor=actor, holiday_id=pk),
    create=lambda actor, values: members_named(_HOLIDAY_FIELDS, lambda: location_holiday_add(actor=actor, **values)),
    remove=lambda actor, pk: location_holiday_remove(actor=actor, holiday_id=pk),
    remove_summary="Open a closed day again (the holiday is deleted); booked appointments stay.",
)

RESOURCES = (APPOINTMENT_TYPES, AVAILABILITY_TEMPLATES, AVAILABILITY_EXCEPTIONS, HOLIDAYS)
