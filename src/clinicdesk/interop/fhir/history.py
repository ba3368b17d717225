"""Patient and Appointment versions are stored when the resource CHANGES, whichever face changed it (web UI, JSON
API, FHIR, CLI import, tasks): the owning apps announce their changes and these handlers, registered in
apps.FhirConfig.ready(), store the new FHIR rendering as a version (versions.record: only when it differs).

- patients.hooks.patient_changed: inside the change's transaction, with the chart as it was before;
- scheduling.hooks.status_changed: inside a status move's transaction (the move's origin status is known, so
  an appointment with no version yet gets its version 1 as it was);
- scheduling.hooks.appointment_changed: after commit, for bookings and reschedules (and every other change:
  recording an unchanged rendering stores nothing);
- patients.hooks.patient_merged: inside the merge transaction (before the merge's last writes) the charts and
  the appointments moved to the survivor keep their version 1; after commit their new renderings are stored.
"""

from __future__ import annotations

import copy
from typing import Any

from django.db import transaction
from django.db.models import Q

from clinicdesk.patients.models import Patient
from clinicdesk.scheduling.hooks import AppointmentEvent, StatusChange
from clinicdesk.scheduling.models import Appointment, AppointmentHistory

from . import versions
from .mappers import appointment as appointment_mapper
from .mappers import patient as patient_mapper


def record_patient(patient: Patient, *, previous: Patient | None = None, new: bool = False) -> int:
    return versions.record("Patient", patient.pk, patient_mapper.to_fhir(patient), when=patient.updated_at,
                           previous=patient_mapper.to_fhir(previous) if previous is not None else None,
                           previous_when=previous.updated_at if previous is not None else None, new=new)


def record_appointment(appointment: Appointment, *, previous: Appointment | None = None, new: bool = False) -> int:
    return versions.record("Appointment", appointment.pk, appointment_mapper.to_fhir(appointment),
                           when=appointment.updated_at,
                           previous=appointment_mapper.to_fhir(previous) if previous is not None else None,
                           previous_when=previous.updated_at if previous is not None else None, new=new)


def on_patient_changed(patient: Any, *, previous: Any | None) -> None:
    record_patient(patient, previous=previous, new=previous is None)


def on_status_changed(change: StatusChange) -> None:
    previous = copy.copy(change.appointment)
    previous.status = change.from_status
    record_appointment(change.appointment, previous=previous)


def on_appointment_changed(event: AppointmentEvent) -> None:
    """After commit: the booking (version 1) or any change not recorded yet. `versions.record` is its own
    transaction; the appointment is read before it (it was committed).

    A booking lends the appointment as it wrote it (`event.written`): that is version 1, stored without reading
    anything when no version is stored yet. When one is (a change in the same transaction came first), the
    committed row is read and recorded on top, as for any other change."""
    booked = event.action == "booked"
    written = event.written
    if booked and written is not None and versions.record_first(
            "Appointment", written.pk, appointment_mapper.to_fhir(written), when=written.updated_at):
        return
    appointment = event.committed_appointment
    if appointment is not None:
        record_appointment(appointment, new=booked)


def on_patient_merged(*, survivor: Patient, merged: Patient, actor: Any) -> dict[str, int]:
    """Inside the merge: the scheduling app has moved the merged chart's appointments (one history row each);
    the charts themselves change after the subscribers run, so their new versions are stored after commit."""
    for chart in (survivor, merged):  # version 1 of a chart with none stored: as it is now, before the merge
        record_patient(chart, previous=chart)
    moved = [row.appointment_id for row in AppointmentHistory.objects.filter(
        action="patient-merged", appointment__patient=survivor).only("appointment_id", "detail")
        if (row.detail or {}).get("from_patient") == merged.pk]
    for appointment in Appointment.objects.select_related("practitioner", "location", "appointment_type") \
            .filter(pk__in=moved).order_by("pk"):
        previous = copy.copy(appointment)
        previous.patient_id = merged.pk
        record_appointment(appointment, previous=previous)
    ids = [survivor.pk, merged.pk]

    def after_commit() -> None:
        with transaction.atomic():
            # the two charts, and charts merged earlier into the merged one (now linked to the survivor)
            for chart in Patient.objects.filter(Q(pk__in=ids) | Q(merged_into_id__in=ids)).order_by("pk"):
                record_patient(chart)

    transaction.on_commit(after_commit)
    return {}
