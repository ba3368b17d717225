"""Input checks and lookups shared by the compliance services."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.utils.translation import gettext as _

from clinicdesk.core import clock
from clinicdesk.core.exceptions import InvalidTransition, NotFound, ValidationFailed
from clinicdesk.core.permissions import Actor
from clinicdesk.patients.models import Patient
from clinicdesk.patients.selectors import patient_record_check
from clinicdesk.practice.models import Location


class Errors:
    """Field errors gathered before anything is written; raised together as one ValidationFailed."""

    def __init__(self) -> None:
        self.fields: dict[str, list[str]] = {}

    def add(self, name: str, message: str) -> None:
        self.fields.setdefault(name, []).append(str(message))

    def raise_if_any(self, code: str) -> None:
        if self.fields:
            detail = " ".join(" ".join(msgs) for msgs in self.fields.values())
            raise ValidationFailed(code, detail, fields=self.fields)


def clean_text(errors: Errors, name: str, value: Any, *, label: str, max_length: int,
               required: bool = False, multiline: bool = False) -> str:
    raw = str(value or "")
    text = raw.strip() if multiline else " ".join(raw.split())
    if "\x00" in text:
        errors.add(name, _("This contains a NUL character, which cannot be stored."))
    elif required and not text:
        errors.add(name, _("%(label)s is required.") % {"label": label})
    elif len(text) > max_length:
        errors.add(name, _("%(label)s may hold at most %(n)s characters.") % {"label": label, "n": max_length})
    return text


def choice(errors: Errors, name: str, value: Any, choices: Any, *, label: str) -> str:
    if value not in choices.values:
        errors.add(name, _("Choose %(label)s.") % {"label": label.lower()})
        return ""
    return str(value)


def not_future(errors: Errors, name: str, day: dt.date | None, today: dt.date, *, label: str) -> None:
    if day is not None and day > today:
        errors.add(name, _("%(label)s cannot be in the future.") % {"label": label})


def location(location_id: int) -> Location:
    found = Location.objects.filter(pk=location_id).first()
    if found is None:
        raise NotFound()
    return found


def today_at(place: Location) -> dt.date:
    return clock.today_in(place.tz)


def patient_by_mrn(actor: Actor, errors: Errors, mrn: str, *, field: str = "mrn",
                   required: bool = True) -> Patient | None:
    """The patient with this MRN whom the actor may read (one the actor may not read looks missing)."""
    mrn = " ".join(str(mrn or "").split()).upper()
    if not mrn:
        if required:
            errors.add(field, _("Enter the patient's MRN."))
        return None
    found = Patient.objects.filter(mrn=mrn).only("pk").first()
    if found is None:
        errors.add(field, _("No patient has that MRN."))
        return None
    try:
        patient_record_check(actor=actor, patient_id=found.pk, resource_type="patient")
    except NotFound:
        errors.add(field, _("No patient has that MRN."))
        return None
    return Patient.objects.get(pk=found.pk)


def move(obj: Any, to: str, table: dict[str, frozenset[str]], noun: str, labels: Any) -> None:
    if to not in table[obj.status]:
        raise InvalidTransition("bad-transition", _("%(noun)s that is %(now)s cannot become %(to)s.")
                                % {"noun": noun, "now": str(labels(obj.status).label).lower(),
                                   "to": str(labels(to).label).lower()})
    obj.status = to
