"""The waitlist: a patient asks for an earlier or a first time (offers are made by comms)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

from django.utils.translation import gettext as _

from clinicdesk.audit.services import atomic_service, record
from clinicdesk.core import clock
from clinicdesk.core.exceptions import NotFound, ValidationFailed
from clinicdesk.core.permissions import Actor, Perm, require
from clinicdesk.patients import selectors as patient_selectors
from clinicdesk.practice.models import Location, Practitioner

from ..models import (
    AppointmentType,
    WaitlistEntry,
)
from .booking import _patient, staff_user


@atomic_service
def waitlist_add(*, actor: Actor, patient_id: int, appointment_type_id: int, location_id: int | None = None,
                 practitioner_ids: Sequence[int] = (), weekdays: Sequence[int] = (),
                 earliest_time: dt.time | None = None, latest_time: dt.time | None = None, notice_hours: int = 24,
                 current_appointment_id: int | None = None, priority: int = 0, note: str = "") -> WaitlistEntry:
    require(actor, Perm.SCHEDULE_WRITE, location=location_id)
    if location_id is not None and not Location.objects.filter(pk=location_id, active=True).exists():
        raise ValidationFailed("unknown-location", _("No such location."),
                               fields={"location": [_("Unknown location.")]})
    patient = _patient(actor, patient_id, location_id)
    if not AppointmentType.objects.filter(pk=appointment_type_id, active=True).exists():
        raise ValidationFailed("unknown-appointment-type", _("No such appointment type."))
    if any(d not in range(7) for d in weekdays):
        raise ValidationFailed("bad-weekday", _("Days are 0 (Monday) to 6 (Sunday)."))
    if earliest_time and latest_time and latest_time <= earliest_time:
        raise ValidationFailed("end-before-start", _("The latest time is not after the earliest time."))
    if not 0 <= notice_hours <= 24 * 14:
        raise ValidationFailed("bad-notice", _("Notice is 0 to 336 hours."))
    if not 0 <= priority <= 100:  # a small unsigned column: out of range it would fail in the database
        raise ValidationFailed("bad-priority", _("Priority is 0 to 100."), fields={"priority": [_("0 to 100.")]})
    entry = WaitlistEntry.objects.create(
        patient=patient, appointment_type_id=appointment_type_id, location_id=location_id,
        weekdays=sorted(set(weekdays)), earliest_time=earliest_time, latest_time=latest_time, notice_hours=notice_hours,
        current_appointment_id=current_appointment_id, priority=priority, note=note[:200],
        created_by=staff_user(actor),
        created_at=clock.now())
    if practitioner_ids:
        entry.practitioners.set(Practitioner.objects.filter(pk__in=practitioner_ids))
    record(actor, "waitlist.add", entry, patient=patient)
    return entry


@atomic_service
def waitlist_remove(*, actor: Actor, entry_id: int, booked: bool = False) -> WaitlistEntry:
    require(actor, Perm.SCHEDULE_WRITE)
    entry = WaitlistEntry.objects.select_for_update().select_related("patient").filter(pk=entry_id).first()
    if entry is None:
        raise NotFound()
    patient_selectors.require_patient_in_reach(actor, entry.patient, perm=Perm.SCHEDULE_WRITE,
                                               location=entry.location_id, resource_type="waitlistentry",
                                               resource_id=entry_id)
    entry.status = WaitlistEntry.Status.BOOKED if booked else WaitlistEntry.Status.REMOVED
    entry.save(update_fields=["status"])
    record(actor, "waitlist.remove", entry, patient=entry.patient_id, detail={"booked": booked})
    return entry
