"""The schedule's part of a patient merge (`patients.hooks.patient_merged`), inside the merge transaction.

The merged chart's appointments, their patient bookings, series and waitlist entries move to the survivor.
Both charts are locked by the merge (FOR UPDATE), so no booking for either can slip in meanwhile (a booking
locks its patient first).

Double bookings are refused, not resolved: if the two charts hold active appointments whose times overlap, the
merge stops with Conflict "merge-double-booked" naming each overlap, and nothing is written. Which one to keep
(often both are the same visit booked twice) is a decision for the desk: cancel or move one (which frees the
slot and offers it to the waitlist the usual way), then merge. On PostgreSQL the exclusion constraint
`booking_no_overlap` backs the check up.

Waitlist: a merged chart's entry still waiting (no offer out) for the same appointment type and location as an
entry of the survivor would be offered twice; it moves, marked removed.
"""

from __future__ import annotations

from typing import Any

from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from clinicdesk.core import clock
from clinicdesk.core.exceptions import Conflict
from clinicdesk.core.permissions import staff_user

from .models import Appointment, AppointmentHistory, ResourceBooking, ResourceKind, Series, WaitlistEntry

MERGE_HANDLES = (
    "scheduling.Appointment.patient",
    "scheduling.ResourceBooking.resource_id[resource_kind=patient]",
    "scheduling.Series.patient",
    "scheduling.WaitlistEntry.patient",
)

WAITING = (WaitlistEntry.Status.WAITING, WaitlistEntry.Status.OFFERED)


def _patient_bookings(patient_id: int) -> list[ResourceBooking]:
    return list(ResourceBooking.objects.filter(resource_kind=ResourceKind.PATIENT, resource_id=patient_id)
                .select_related("appointment__location").order_by("start", "pk"))


def _when(booking: ResourceBooking) -> str:
    location = booking.appointment.location
    return f"{booking.start.astimezone(location.tz):%Y-%m-%d %H:%M} ({location.name})"


def _refuse_double_bookings(survivor: Any, merged: Any) -> None:
    """Bookings exist only for active appointments, so cancelled and no-show ones never count."""
    kept = _patient_bookings(survivor.pk)
    overlaps = [(mine, theirs) for theirs in _patient_bookings(merged.pk) for mine in kept
                if mine.start < theirs.end and theirs.start < mine.end]
    if overlaps:
        pairs = "; ".join(_("MRN %(survivor)s at %(kept)s and MRN %(merged)s at %(moved)s") % {
            "survivor": survivor.mrn, "kept": _when(mine), "merged": merged.mrn, "moved": _when(theirs)}
            for mine, theirs in overlaps)
        raise Conflict("merge-double-booked", _(
            "Both charts are booked at the same time: %(pairs)s. Cancel or move one of these appointments, "
            "then merge.") % {"pairs": pairs})


def move_patient_rows(*, survivor: Any, merged: Any, actor: Any) -> dict[str, int]:
    _refuse_double_bookings(survivor, merged)
    now = clock.now()
    appointment_ids = list(Appointment.objects.filter(patient=merged).order_by("pk").values_list("pk", flat=True))
    try:
        with transaction.atomic():
            bookings = ResourceBooking.objects.filter(resource_kind=ResourceKind.PATIENT, resource_id=merged.pk) \
                .update(resource_id=survivor.pk)
    except IntegrityError as exc:  # booking_no_overlap caught what the check above could not see
        raise Conflict("merge-double-booked", _("Both charts are booked at the same time.")) from exc
    Appointment.objects.filter(pk__in=appointment_ids).update(patient=survivor, updated_at=now)
    AppointmentHistory.objects.bulk_create([
        AppointmentHistory(appointment_id=pk, at=now, actor=staff_user(actor), action="patient-merged",
                           detail={"from_patient": merged.pk, "to_patient": survivor.pk})
        for pk in appointment_ids])
    duplicates = [entry.pk for entry in WaitlistEntry.objects.filter(patient=merged,
                                                                  status=WaitlistEntry.Status.WAITING)
                  if WaitlistEntry.objects.filter(patient=survivor, status__in=WAITING,
                                                  appointment_type_id=entry.appointment_type_id,
                                                  location=entry.location_id).exists()]
    WaitlistEntry.objects.filter(pk__in=duplicates).update(status=WaitlistEntry.Status.REMOVED)
    return {
        "appointments": len(appointment_ids),
        "patient_bookings": bookings,
        "series": Series.objects.filter(patient=merged).update(patient=survivor),
        "waitlist_entries": WaitlistEntry.objects.filter(patient=merged).update(patient=survivor),
    }
