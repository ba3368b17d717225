"""The demo practice's compliance work: the demo builder calls `compliance_demo` once the staff and patients exist.

At each location, through the services (so everything is audited and dated as if done then): incidents in each
state (one with a corrective action overdue), complaints (one escalated, one resolved at the desk), grievances on
time, overdue and answered late (the late letters show on the dashboard), rights requests (an overdue access
request, an amendment, a release sent on its authorization), a public-health disclosure, and a breach with the
individuals notified and HHS still due. The first location gets all of it, the others a lighter share. The
compliance program (calendar, OSHA, HIPAA program, policies) is built by `demo_program`, CLIA by `demo_clia`.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence
from typing import Any

from django.db import transaction

from clinicdesk.accounts.models import User
from clinicdesk.core import clock
from clinicdesk.core.permissions import Role
from clinicdesk.patients.models import Patient

from . import services
from .demo_clia import clia_location
from .demo_program import program_location, program_practice

_BASE: list[dt.datetime] = []  # "now" when the demo started: the past is counted from it, not from a frozen clock


def _past(days: int, hour: int = 15) -> dt.datetime:
    base = _BASE[-1] if _BASE else clock.now()
    return (base - dt.timedelta(days=days)).replace(hour=hour, minute=0, second=0, microsecond=0)


def _day(days: int) -> dt.date:
    """The day `days` ago (negative: ahead)."""
    return _past(days).date()


def _at(days: int, action: Callable[[], Any]) -> Any:
    """Do `action` as if `days` ago (the services read the clock)."""
    with clock.frozen_at(_past(days)):
        return action()


def compliance_demo(*, location_ids: Sequence[int]) -> dict[str, int]:
    """Build the compliance records; returns how many of each were made. Opens its own transaction."""
    _BASE.append(clock.now())
    try:
        return _build(location_ids)
    finally:
        _BASE.pop()


def _build(location_ids: Sequence[int]) -> dict[str, int]:
    with transaction.atomic():
        made = {"incidents": 0, "complaints": 0, "requests": 0, "breaches": 0, "program": 0, "clia": 0}
        coordinator = User.objects.filter(role=Role.PRACTICE_COORDINATOR, is_active=True).order_by("pk").first()
        officer = User.objects.filter(role=Role.COMPLIANCE, is_active=True).order_by("pk").first() or coordinator
        if coordinator is None or officer is None:
            return made
        for index, location_id in enumerate(location_ids):
            desk = (User.objects.filter(role=Role.FRONT_DESK, is_active=True, locations=location_id).order_by("pk")
                    .first() or coordinator)
            nurse = (User.objects.filter(role=Role.NURSE, is_active=True, locations=location_id).order_by("pk")
                     .first() or desk)
            patients = list(Patient.objects.filter(home_location_id=location_id, restricted=False,
                                                   merged_into__isnull=True).order_by("pk")[:10])
            if len(patients) < 6:
                continue
            _location(made, location_id, coordinator, officer, desk, nurse, patients, full=index == 0)
            program_location(_at, _day, location_id, coordinator, nurse)
            made["program"] += 1
            clia_location(_past, location_id, index, coordinator, nurse, patients)
            made["clia"] += 1
        if made["program"]:
            staff = list(User.objects.filter(is_active=True).order_by("pk"))
            program_practice(_day, coordinator, officer, staff)
        return made


def _location(made: dict[str, int], location_id: int, coordinator: User, officer: User, desk: User, nurse: User,
              patients: list[Patient], *, full: bool) -> None:
    # incidents
    fall = _at(20, lambda: services.incident_report(
        actor=nurse, location_id=location_id, kind="patient-safety", severity="minor", place="Exam room 2",
        what="An elderly patient slipped stepping down from the exam table; a bruise on the forearm.",
        occurred_at=_past(20, 14), staff_involved=f"{nurse.first_name} {nurse.last_name}",
        patient_mrn=patients[0].mrn))
    _at(19, lambda: services.incident_review(
        actor=coordinator, incident_id=fall.pk, notes="The step stool was missing from the room. Rooms are not "
        "checked for step stools at opening."))
    _at(19, lambda: services.corrective_action_add(
        actor=coordinator, incident_id=fall.pk, description="Add the step stool to the opening checklist",
        owner_id=desk.pk, due_on=_past(19).date() + dt.timedelta(days=7)))
    services.incident_report(actor=desk, location_id=location_id, kind="workplace", severity="near-miss",
                             place="Front desk", what="A box of paper fell from the top shelf; nobody was hurt.",
                             occurred_at=_past(1, 13))
    made["incidents"] += 2
    if full:
        stick = _at(40, lambda: services.incident_report(
            actor=nurse, location_id=location_id, kind="workplace", severity="minor", place="Lab",
            what="Needle-stick injury while recapping after a blood draw.", occurred_at=_past(40, 11)))
        _at(39, lambda: services.incident_review(actor=coordinator, incident_id=stick.pk,
                                                 notes="Recapping against policy; sharps container too far."))
        action = _at(39, lambda: services.corrective_action_add(
            actor=coordinator, incident_id=stick.pk, description="Mount a sharps container at the draw chair",
            owner_id=nurse.pk, due_on=_past(39).date() + dt.timedelta(days=10)))
        _at(30, lambda: services.corrective_action_done(actor=coordinator, action_id=action.pk,
                                                         note="Container mounted"))
        _at(30, lambda: services.incident_close(actor=coordinator, incident_id=stick.pk))
        made["incidents"] += 1

    # complaints and grievances
    def complaint(days: int, patient: Patient, channel: str, topic: str, summary: str, **extra: Any) -> Any:
        made["complaints"] += 1
        return _at(days, lambda: services.complaint_log(actor=desk, location_id=location_id, patient_mrn=patient.mrn,
                                                        channel=channel, topic=topic, summary=summary, **extra))

    complaint(0, patients[1], "phone", "access", "Could not get through on the phone for two days to book.")
    waited = complaint(2, patients[2], "desk", "access", "Waited 50 minutes past the appointment time.")
    _at(2, lambda: services.complaint_resolve(actor=coordinator, complaint_id=waited.pk,
                                              note="Apologised, explained the emergency; offered the first slot."))
    billing = complaint(4, patients[3], "letter", "billing", "Billed twice for the same visit in October.")
    _at(3, lambda: services.grievance_mark(actor=coordinator, complaint_id=billing.pk, basis="written"))
    _at(2, lambda: services.grievance_acknowledge(actor=coordinator, complaint_id=billing.pk))
    rude = complaint(12, patients[4], "phone", "staff", "Staff member was rude when the patient asked about a "
                                                       "referral.")
    _at(11, lambda: services.grievance_mark(actor=coordinator, complaint_id=rude.pk, basis="not-resolved"))
    if full:
        complaint(1, patients[5], "desk", "abuse", "The patient says her father was handled roughly while "
                                                  "being helped onto the scale.")
        late = complaint(45, patients[0], "email", "care", "Test results were never explained.")
        _at(44, lambda: services.grievance_mark(actor=coordinator, complaint_id=late.pk, basis="written"))
        _at(35, lambda: services.grievance_acknowledge(actor=coordinator, complaint_id=late.pk))
        _at(10, lambda: services.grievance_answer(
            actor=coordinator, complaint_id=late.pk, steps_taken="Reviewed the chart and the portal messages; "
            "spoke with the provider.", results="The result note was not released to the portal. The provider "
            "called the patient and explained the results.", contact_person=f"{coordinator.get_full_name()}",
            completed_on=_past(11).date()))

    # rights requests and disclosures
    def request(days: int, patient: Patient, kind: str, details: str, **extra: Any) -> Any:
        made["requests"] += 1
        return _at(days, lambda: services.rights_request_log(actor=officer, location_id=location_id,
                                                             patient_mrn=patient.mrn, kind=kind, details=details,
                                                             **extra))

    request(34, patients[6] if len(patients) > 6 else patients[1], "access", "A copy of the whole chart, on paper.")
    request(5, patients[2], "amendment", "The allergy list says penicillin; the patient says it was amoxicillin.")
    release = request(8, patients[3], "release", "Visit notes and labs to the new cardiologist.",
                      recipient="Harbor Heart Associates", recipient_address="200 Pier St, Boston, MA 02210",
                      authorization_signed_on=_past(8).date(), authorization_expires_on=_past(8).date()
                      + dt.timedelta(days=180), authorization_covers=["visits", "labs"])
    _at(3, lambda: services.rights_request_fulfil(actor=officer, request_id=release.pk, sent_parts=["visits", "labs"],
                                                  outcome="Faxed 14 pages"))
    if full:
        services.disclosure_record(actor=officer, location_id=location_id, patient_mrn=patients[4].mrn,
                                   disclosed_on=_past(30).date(), recipient="State immunization registry",
                                   purpose="public-health", parts=["immunizations"])
        breach = services.breach_log(actor=officer, location_id=location_id, discovered_on=_past(50).date(),
                                     individuals_affected=37, description="A statement run was mailed with the "
                                     "wrong patients' addresses on page two.")
        services.breach_notice_record(actor=officer, breach_id=breach.pk, audience="individuals",
                                      sent_on=_past(40).date(), note="First-class letters to 37 patients")
        made["breaches"] += 1
