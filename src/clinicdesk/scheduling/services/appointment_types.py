"""Appointment types: what can be booked (duration, buffers, the room and equipment it needs, who may take it,
the pre-visit checklist, the names staff and patients read). Deactivated, never deleted: appointments refer to
them. Every rule is checked here, every problem named by its field, and nothing is written when one fails."""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from typing import Any

from django.utils.translation import gettext as _

from clinicdesk.audit.services import atomic_service, record
from clinicdesk.core.changes import diff, snapshot
from clinicdesk.core.exceptions import NotFound, ValidationFailed
from clinicdesk.core.permissions import Actor, Perm, require
from clinicdesk.practice.models import Equipment, Practitioner, Room

from ..models import AppointmentCategory, AppointmentType, ChecklistItem

# The words for the kinds a type may need (the practice app's choices), for the forms of this app.
ROOM_KIND_CHOICES: list[tuple[str, Any]] = list(Room.Kind.choices)
EQUIPMENT_KIND_CHOICES: list[tuple[str, Any]] = list(Equipment.Kind.choices)

MIN_DURATION, MAX_DURATION = 5, 480
MAX_BUFFER = 240  # the database's check constraint (appt_type_buffers_max)
_SLUG = re.compile(r"^[-a-z0-9_]{1,40}$")
_COLOR = re.compile(r"^#[0-9a-f]{6}$")

# What the history keeps (core.changes): every field a coordinator can change.
APPOINTMENT_TYPE_FIELDS = (
    "code", "name", "patient_facing_name", "name_es", "patient_facing_name_es", "duration_minutes", "category",
    "new_patient", "buffer_before_minutes", "buffer_after_minutes", "room_kind", "equipment_kinds", "telehealth",
    "checklist", "color", "allowed_practitioners", "active",
)
_CHANGEABLE = frozenset(APPOINTMENT_TYPE_FIELDS) - {"allowed_practitioners"} | {"allowed_practitioner_ids"}


def _clean(values: dict[str, Any], *, current: AppointmentType | None) -> dict[str, Any]:
    """The values, normalised; every broken rule collected into one ValidationFailed naming its fields."""
    errors: dict[str, list[str]] = {}
    codes: list[str] = []

    def refuse(field: str, code: str, message: str) -> None:
        errors.setdefault(field, []).append(message)
        codes.append(code)

    clean = dict(values)
    if "code" in clean:
        code = str(clean["code"] or "").strip().lower()
        clean["code"] = code
        if not _SLUG.match(code):
            refuse("code", "bad-code", _("Use 1 to 40 lower-case letters, digits, hyphens or underscores."))
        elif AppointmentType.objects.filter(code=code).exclude(pk=current.pk if current else 0).exists():
            refuse("code", "duplicate-code", _("Another appointment type already has this code."))
    for name, required in (("name", True), ("patient_facing_name", True), ("name_es", False),
                           ("patient_facing_name_es", False)):
        if name not in clean:
            continue
        text = str(clean[name] or "").strip()
        clean[name] = text
        if required and not text:
            refuse(name, "missing-name", _("Required."))
        elif len(text) > 80:
            refuse(name, "name-too-long", _("At most 80 characters."))
    if "duration_minutes" in clean:
        duration = clean["duration_minutes"]
        if isinstance(duration, bool) or not isinstance(duration, int) or not MIN_DURATION <= duration <= MAX_DURATION:
            refuse("duration_minutes", "bad-duration", _("A duration from %(low)s to %(high)s minutes.")
                   % {"low": MIN_DURATION, "high": MAX_DURATION})
    for name in ("buffer_before_minutes", "buffer_after_minutes"):
        if name in clean:
            buffer = clean[name]
            if isinstance(buffer, bool) or not isinstance(buffer, int) or not 0 <= buffer <= MAX_BUFFER:
                refuse(name, "bad-buffer", _("From 0 to %(high)s minutes.") % {"high": MAX_BUFFER})
    if "category" in clean and clean["category"] not in AppointmentCategory.values:
        refuse("category", "bad-category", _("Not a category."))
    if "room_kind" in clean:
        clean["room_kind"] = clean["room_kind"] or ""
        if clean["room_kind"] and clean["room_kind"] not in Room.Kind.values:
            refuse("room_kind", "bad-room-kind", _("Not a kind of room."))
    if "equipment_kinds" in clean:
        kinds = list(dict.fromkeys(clean["equipment_kinds"] or ()))
        clean["equipment_kinds"] = kinds
        if any(kind not in Equipment.Kind.values for kind in kinds):
            refuse("equipment_kinds", "bad-equipment-kind", _("Not a kind of equipment."))
    if "checklist" in clean:
        items = list(dict.fromkeys(clean["checklist"] or ()))
        clean["checklist"] = items
        if any(item not in ChecklistItem.values for item in items):
            refuse("checklist", "bad-checklist-item", _("Not a pre-visit checklist item."))
    if "color" in clean:
        color = str(clean["color"] or "").strip().lower()
        clean["color"] = color
        if not _COLOR.match(color):
            refuse("color", "bad-color", _("A colour such as #5b8def."))
    for name in ("new_patient", "telehealth", "active"):
        if name in clean and not isinstance(clean[name], bool):
            refuse(name, "bad-flag", _("Yes or no."))
    if "allowed_practitioner_ids" in clean:
        wanted = list(dict.fromkeys(clean["allowed_practitioner_ids"] or ()))
        clean["allowed_practitioner_ids"] = wanted
        found = set(Practitioner.objects.filter(pk__in=wanted, active=True).values_list("pk", flat=True))
        if len(found) != len(wanted):
            refuse("allowed_practitioner_ids", "unknown-practitioner",
                   _("Choose active providers of the practice."))
    if errors:
        raise ValidationFailed(codes[0], _("The appointment type was not saved: %(problems)s")
                               % {"problems": " ".join(f"{name}: {' '.join(messages)}"
                                                       for name, messages in errors.items())}, fields=errors)
    return clean


@atomic_service
def appointment_type_create(*, actor: Actor, code: str, name: str, patient_facing_name: str, duration_minutes: int,
                            category: str = AppointmentCategory.VISIT, new_patient: bool = False,
                            buffer_before_minutes: int = 0, buffer_after_minutes: int = 0, room_kind: str = "",
                            equipment_kinds: Iterable[str] = (), telehealth: bool = False,
                            checklist: Iterable[str] = (), color: str = "#5b8def", name_es: str = "",
                            patient_facing_name_es: str = "",
                            allowed_practitioner_ids: Sequence[int] = ()) -> AppointmentType:
    require(actor, Perm.PRACTICE_ADMIN)
    values = _clean({
        "code": code, "name": name, "patient_facing_name": patient_facing_name, "name_es": name_es,
        "patient_facing_name_es": patient_facing_name_es, "duration_minutes": duration_minutes,
        "category": category, "new_patient": new_patient, "buffer_before_minutes": buffer_before_minutes,
        "buffer_after_minutes": buffer_after_minutes, "room_kind": room_kind,
        "equipment_kinds": list(equipment_kinds), "telehealth": telehealth, "checklist": list(checklist),
        "color": color, "allowed_practitioner_ids": list(allowed_practitioner_ids)}, current=None)
    practitioner_ids = values.pop("allowed_practitioner_ids")
    kind = AppointmentType.objects.create(**values)
    if practitioner_ids:
        kind.allowed_practitioners.set(practitioner_ids)
    record(actor, "appointment_type.create", kind,
           detail={"changes": diff({}, snapshot(kind, APPOINTMENT_TYPE_FIELDS))})
    return kind


def _locked(appointment_type_id: int) -> AppointmentType:
    kind = AppointmentType.objects.select_for_update().filter(pk=appointment_type_id).first()
    if kind is None:
        raise NotFound()
    return kind


@atomic_service
def appointment_type_update(*, actor: Actor, appointment_type_id: int, **changes: Any) -> AppointmentType:
    """Change the fields given (`allowed_practitioner_ids` for the providers; `active=True` re-activates).
    Booked appointments keep what they were booked with."""
    require(actor, Perm.PRACTICE_ADMIN)
    unknown = sorted(set(changes) - _CHANGEABLE)
    if unknown:
        raise ValidationFailed("unknown-field",
                               _("These cannot be changed: %(names)s.") % {"names": ", ".join(unknown)},
                               fields={name: [_("Not a field of an appointment type.")] for name in unknown})
    kind = _locked(appointment_type_id)
    values = _clean(changes, current=kind)
    before = snapshot(kind, APPOINTMENT_TYPE_FIELDS)
    practitioner_ids = values.pop("allowed_practitioner_ids", None)
    for name, value in values.items():
        setattr(kind, name, value)
    kind.save()
    if practitioner_ids is not None:
        kind.allowed_practitioners.set(practitioner_ids)
    changed = diff(before, snapshot(kind, APPOINTMENT_TYPE_FIELDS))
    if changed:
        record(actor, "appointment_type.update", kind, detail={"changes": changed})
    return kind


@atomic_service
def appointment_type_deactivate(*, actor: Actor, appointment_type_id: int) -> AppointmentType:
    """No new bookings of this type; appointments already booked keep it."""
    require(actor, Perm.PRACTICE_ADMIN)
    kind = _locked(appointment_type_id)
    if kind.active:
        kind.active = False
        kind.save(update_fields=["active"])
        record(actor, "appointment_type.deactivate", kind, detail={"changes": {"active": [True, False]}})
    return kind
