"""Complaints and grievances. Any staff member logs a complaint (a call, the desk, a letter, an e-mail); the
practice coordinator or the compliance officer either records that staff present resolved it, or marks it a
grievance (CMS, State Operations Manual Appendix A, 42 CFR 482.13(a)(2): a written complaint; a verbal one that
staff present cannot resolve promptly; one about abuse, neglect, harm, a privacy breach or billing the patient
asks to have handled as a grievance). A grievance starts two clocks counted from the day the complaint was
received at the location: the written acknowledgement within 7 days and the written resolution within 30 days,
the resolution stating the steps taken to investigate, the results, the contact person and the date of
completion (DNV NIAHO PR.7, CMS 482.13(a)(2)(iii)).

Letters are rendered as PDF in the patient's language and stored on the chart; a letter sent after its
deadline is still recorded (and shows late). A high-level complaint is escalated to the practice coordinator
(flagged on the dashboard, and the escalation audited).

States (models.COMPLAINT_TRANSITIONS): open -> resolved | grievance -> acknowledged -> answered.
"""

from __future__ import annotations

import datetime as dt

from django.utils.translation import gettext as _

from clinicdesk.audit.services import atomic_service, record
from clinicdesk.core import clock
from clinicdesk.core.exceptions import Conflict, NotFound
from clinicdesk.core.permissions import Actor, Perm, require, staff_user
from clinicdesk.patients.models import Document
from clinicdesk.patients.services.documents import store_document

from ..models import (
    COMPLAINT_TRANSITIONS,
    GRIEVANCE_ACK_DAYS,
    GRIEVANCE_RESOLUTION_DAYS,
    Channel,
    Complaint,
    ComplaintStatus,
    ComplaintTopic,
    GrievanceBasis,
    GrievanceLetter,
    LetterKind,
)
from ..pdf import LETTER_LANGUAGES, grievance_letter_pdf
from ._common import Errors, choice, clean_text, location, move, patient_by_mrn, today_at

ABUSE_TOPICS = (ComplaintTopic.ABUSE,)


def _complaint(actor: Actor, complaint_id: int) -> Complaint:
    complaint = (Complaint.objects.select_for_update(of=("self",)).select_related("patient", "location")
                 .filter(pk=complaint_id).first())
    if complaint is None:
        raise NotFound()
    require(actor, Perm.COMPLIANCE_ADMIN, location=complaint.location_id, resource_type="complaint",
            resource_id=complaint_id, patient_id=complaint.patient_id, hide=True)
    return complaint


@atomic_service
def complaint_log(*, actor: Actor, location_id: int, patient_mrn: str, channel: str, topic: str, summary: str,
                  received_at: dt.datetime | None = None, high_level: bool = False,
                  idempotency_key: str = "") -> Complaint:
    """A complaint becomes a record. A high-level one (abuse or neglect, or marked so) is escalated at once."""
    require(actor, Perm.COMPLIANCE_REPORT, location=location_id, resource_type="complaint")
    if idempotency_key and (prior := Complaint.objects.filter(idempotency_key=idempotency_key).first()):
        return prior
    where = location(location_id)
    errors = Errors()
    patient = patient_by_mrn(actor, errors, patient_mrn, field="patient_mrn")
    channel = choice(errors, "channel", channel, Channel, label=_("How it was received"))
    topic = choice(errors, "topic", topic, ComplaintTopic, label=_("What it is about"))
    summary = clean_text(errors, "summary", summary, label=_("Summary"), max_length=4000, required=True,
                         multiline=True)
    now = clock.now()
    received_at = received_at or now
    if received_at > now:
        errors.add("received_at", _("When it was received cannot be in the future."))
    errors.raise_if_any("invalid-complaint")
    assert patient is not None
    high = bool(high_level) or topic in ABUSE_TOPICS
    complaint = Complaint.objects.create(
        location=where, patient=patient, channel=channel, topic=topic, summary=summary, received_at=received_at,
        high_level=high, escalated_at=now if high else None, logged_by=staff_user(actor),
        idempotency_key=idempotency_key or None)
    record(actor, "complaint.log", complaint, patient=patient, detail={"channel": channel, "topic": topic})
    if high:
        record(actor, "complaint.escalate", complaint, patient=patient, detail={"to": "practice_coordinator"})
    return complaint


@atomic_service
def complaint_escalate(*, actor: Actor, complaint_id: int) -> Complaint:
    complaint = _complaint(actor, complaint_id)
    if complaint.escalated_at:
        return complaint
    complaint.high_level = True
    complaint.escalated_at = clock.now()
    complaint.save(update_fields=["high_level", "escalated_at"])
    record(actor, "complaint.escalate", complaint, patient=complaint.patient_id,
           detail={"to": "practice_coordinator"})
    return complaint


@atomic_service
def complaint_resolve(*, actor: Actor, complaint_id: int, note: str) -> Complaint:
    """Staff present resolved a verbal complaint promptly: it stays a complaint (no grievance letters)."""
    complaint = _complaint(actor, complaint_id)
    errors = Errors()
    note = clean_text(errors, "note", note, label=_("How it was resolved"), max_length=500, required=True)
    errors.raise_if_any("invalid-resolution")
    if complaint.channel in (Channel.LETTER, Channel.EMAIL):
        raise Conflict("written-is-grievance", _("A written complaint is always a grievance: mark it a grievance "
                                                 "and answer it in writing."))
    move(complaint, ComplaintStatus.RESOLVED, COMPLAINT_TRANSITIONS, _("A complaint"), ComplaintStatus)
    complaint.resolution_note = note
    complaint.completed_on = today_at(complaint.location)
    complaint.save(update_fields=["status", "resolution_note", "completed_on"])
    record(actor, "complaint.resolve", complaint, patient=complaint.patient_id)
    return complaint


def grievance_clocks(received_on: dt.date) -> tuple[dt.date, dt.date]:
    """(acknowledgement due, resolution due) for a complaint received on that local date."""
    return (received_on + dt.timedelta(days=GRIEVANCE_ACK_DAYS),
            received_on + dt.timedelta(days=GRIEVANCE_RESOLUTION_DAYS))


@atomic_service
def grievance_mark(*, actor: Actor, complaint_id: int, basis: str) -> Complaint:
    """The complaint is a grievance: both clocks start, counted from the day it was received."""
    complaint = _complaint(actor, complaint_id)
    errors = Errors()
    basis = choice(errors, "basis", basis, GrievanceBasis, label=_("Why it is a grievance"))
    errors.raise_if_any("invalid-grievance")
    move(complaint, ComplaintStatus.GRIEVANCE, COMPLAINT_TRANSITIONS, _("A complaint"), ComplaintStatus)
    received_on = complaint.received_at.astimezone(complaint.location.tz).date()
    complaint.ack_due_on, complaint.resolution_due_on = grievance_clocks(received_on)
    complaint.grievance_basis = basis
    complaint.grievance_at = clock.now()
    complaint.save(update_fields=["status", "grievance_basis", "grievance_at", "ack_due_on", "resolution_due_on"])
    record(actor, "grievance.mark", complaint, patient=complaint.patient_id,
           detail={"basis": basis, "ack_due_on": complaint.ack_due_on.isoformat(),
                   "resolution_due_on": complaint.resolution_due_on.isoformat()})
    return complaint


def _language(complaint: Complaint, language: str) -> str:
    chosen = language or complaint.patient.preferred_language or "en"
    return chosen if chosen in LETTER_LANGUAGES else "en"


def _store(actor: Actor, complaint: Complaint, kind: str, language: str, due_on: dt.date) -> GrievanceLetter:
    today = today_at(complaint.location)
    data = grievance_letter_pdf(complaint, kind=kind, language=language, sent_on=today)
    label = LetterKind(kind).label
    document = store_document(actor=actor, patient=complaint.patient, kind=Document.Kind.OTHER, data=data,
                              content_type="application/pdf", document_date=today,
                              description=f"{complaint} {label}")
    letter = GrievanceLetter.objects.create(complaint=complaint, kind=kind, language=language, document=document,
                                            sent_on=today, due_on=due_on, sent_by=staff_user(actor))
    detail = {"letter": letter.pk, "document": document.pk, "language": language, "late": letter.late}
    if kind == LetterKind.ACKNOWLEDGEMENT:
        record(actor, "grievance.acknowledge", complaint, patient=complaint.patient_id, detail=detail)
    else:
        record(actor, "grievance.answer", complaint, patient=complaint.patient_id, detail=detail)
    return letter


@atomic_service
def grievance_acknowledge(*, actor: Actor, complaint_id: int, language: str = "") -> GrievanceLetter:
    """Send the written acknowledgement (PDF stored on the chart). Late is allowed, and shows late."""
    complaint = _complaint(actor, complaint_id)
    if complaint.status == ComplaintStatus.ANSWERED or complaint.ack_sent_on:
        raise Conflict("already-acknowledged", _("This grievance has already been acknowledged or answered."))
    move(complaint, ComplaintStatus.ACKNOWLEDGED, COMPLAINT_TRANSITIONS, _("A complaint"), ComplaintStatus)
    assert complaint.ack_due_on is not None
    letter = _store(actor, complaint, LetterKind.ACKNOWLEDGEMENT, _language(complaint, language),
                    complaint.ack_due_on)
    complaint.ack_sent_on = letter.sent_on
    complaint.save(update_fields=["status", "ack_sent_on"])
    return letter


@atomic_service
def grievance_answer(*, actor: Actor, complaint_id: int, steps_taken: str, results: str, contact_person: str,
                     completed_on: dt.date | None, language: str = "") -> GrievanceLetter:
    """Send the written resolution: steps taken, results, contact person, date of completion (all required)."""
    complaint = _complaint(actor, complaint_id)
    errors = Errors()
    steps_taken = clean_text(errors, "steps_taken", steps_taken, label=_("Steps taken to investigate"),
                             max_length=4000, required=True, multiline=True)
    results = clean_text(errors, "results", results, label=_("Results"), max_length=4000, required=True,
                         multiline=True)
    contact_person = clean_text(errors, "contact_person", contact_person, label=_("Contact person"),
                                max_length=160, required=True)
    today = today_at(complaint.location)
    if completed_on is None:
        errors.add("completed_on", _("Give the date of completion."))
    elif completed_on > today:
        errors.add("completed_on", _("The date of completion cannot be in the future."))
    errors.raise_if_any("invalid-resolution")
    move(complaint, ComplaintStatus.ANSWERED, COMPLAINT_TRANSITIONS, _("A complaint"), ComplaintStatus)
    complaint.steps_taken, complaint.results = steps_taken, results
    complaint.contact_person, complaint.completed_on = contact_person, completed_on
    assert complaint.resolution_due_on is not None
    letter = _store(actor, complaint, LetterKind.RESOLUTION, _language(complaint, language),
                    complaint.resolution_due_on)
    complaint.resolution_sent_on = letter.sent_on
    # answered before any acknowledgement: the written resolution is the written acknowledgement too
    complaint.ack_sent_on = complaint.ack_sent_on or letter.sent_on
    complaint.save(update_fields=["status", "steps_taken", "results", "contact_person", "completed_on",
                                  "resolution_sent_on", "ack_sent_on"])
    return letter
