"""The demo practice's portal: follow-ups and new-patient visits bookable online (issue #23)."""

from __future__ import annotations

from clinicdesk.core import clock
from clinicdesk.patients.models import Patient
from clinicdesk.scheduling.models import AppointmentType

from .actor import PatientActor
from .models import IntakeSubmission, PortalBookingRule, WhoMayBook
from .services import intake


def portal_demo() -> int:
    """Let patients book the demo's follow-ups (established patients) and new-patient visits online."""
    made = 0
    for kind in AppointmentType.objects.filter(active=True).order_by("pk"):
        code = kind.code.lower()
        if "follow" not in code and not kind.new_patient:
            continue
        _rule, created = PortalBookingRule.objects.get_or_create(appointment_type=kind, defaults={
            "bookable": True, "who": WhoMayBook.NEW if kind.new_patient else WhoMayBook.ESTABLISHED,
            "max_days_ahead": 60, "min_notice_hours": 24, "max_open_bookings": 2, "updated_at": clock.now()})
        made += int(created)
    return made + portal_intake_demo()


def portal_intake_demo() -> int:
    """A pending intake on the desk's "Portal intake" queue: the first active patient's history and a new phone."""
    patient = Patient.objects.filter(active=True, merged_into__isnull=True).order_by("pk").first()
    if patient is None or IntakeSubmission.objects.filter(patient=patient).exists():
        return 0
    actor = PatientActor(patient_id=patient.pk, method="demo")
    intake.intake_history_submit(actor=actor, problems="High blood pressure\nAsthma",
                                 medications="Lisinopril 10 mg once a day", allergies="Penicillin")
    intake.intake_details_submit(actor=actor, values={
        "phone": "(413) 555-0188", "email": patient.email, "address_line": patient.address_line,
        "address_line2": patient.address_line2, "city": patient.city, "state": patient.state,
        "postal_code": patient.postal_code})
    return 2
