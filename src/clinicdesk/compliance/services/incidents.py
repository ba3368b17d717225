"""Incidents: patient safety and workplace incidents reported by any staff member at their location, reviewed by
the practice coordinator or the compliance officer, with corrective actions (owner, due date) followed to closure.

States (models.INCIDENT_TRANSITIONS): reported -> under-review -> actions-open -> closed; a review that needs no
action closes the incident directly. An incident with an open corrective action cannot be closed.
"""

from __future__ import annotations

import datetime as dt

from django.utils.translation import gettext as _

from clinicdesk.accounts.models import User
from clinicdesk.audit.services import atomic_service, record
from clinicdesk.core import clock
from clinicdesk.core.exceptions import Conflict, NotFound
from clinicdesk.core.permissions import Actor, Perm, has_perm, require, staff_user

from ..models import INCIDENT_TRANSITIONS, CorrectiveAction, Incident, IncidentKind, IncidentStatus, Severity
from ._common import Errors, choice, clean_text, location, move, patient_by_mrn, today_at


def _incident(actor: Actor, incident_id: int) -> Incident:
    incident = Incident.objects.select_for_update(of=("self",)).filter(pk=incident_id).first()
    if incident is None:
        raise NotFound()
    require(actor, Perm.COMPLIANCE_ADMIN, location=incident.location_id, resource_type="incident",
            resource_id=incident_id, hide=True)
    return incident


@atomic_service
def incident_report(*, actor: Actor, location_id: int, kind: str, severity: str, what: str, place: str,
                    occurred_at: dt.datetime | None, staff_involved: str = "", patient_mrn: str = "",
                    idempotency_key: str = "") -> Incident:
    """Any staff member reports an incident at a location where they work."""
    require(actor, Perm.COMPLIANCE_REPORT, location=location_id, resource_type="incident")
    if idempotency_key and (prior := Incident.objects.filter(idempotency_key=idempotency_key).first()):
        return prior
    where = location(location_id)
    errors = Errors()
    kind = choice(errors, "kind", kind, IncidentKind, label=_("The kind of incident"))
    severity = choice(errors, "severity", severity, Severity, label=_("The severity"))
    what = clean_text(errors, "what", what, label=_("What happened"), max_length=2000, required=True,
                      multiline=True)
    place = clean_text(errors, "place", place, label=_("Where"), max_length=120, required=True)
    staff_involved = clean_text(errors, "staff_involved", staff_involved, label=_("Staff involved"),
                                max_length=300)
    if occurred_at is None:
        errors.add("occurred_at", _("Say when it happened."))
    elif occurred_at > clock.now():
        errors.add("occurred_at", _("When it happened cannot be in the future."))
    patient = patient_by_mrn(actor, errors, patient_mrn, field="patient_mrn", required=False)
    errors.raise_if_any("invalid-incident")
    assert occurred_at is not None
    incident = Incident.objects.create(
        location=where, kind=kind, severity=severity, what=what, place=place, occurred_at=occurred_at,
        staff_involved=staff_involved, patient=patient, reported_by=staff_user(actor), reported_at=clock.now(),
        idempotency_key=idempotency_key or None)
    record(actor, "incident.report", incident, patient=patient,
           detail={"kind": kind, "severity": severity, "location": where.pk})
    return incident


@atomic_service
def incident_review(*, actor: Actor, incident_id: int, notes: str) -> Incident:
    """The admin takes the incident under review and writes what was found."""
    incident = _incident(actor, incident_id)
    errors = Errors()
    notes = clean_text(errors, "notes", notes, label=_("Review"), max_length=4000, required=True, multiline=True)
    errors.raise_if_any("invalid-review")
    if incident.status == IncidentStatus.REPORTED or incident.status == IncidentStatus.CLOSED:
        move(incident, IncidentStatus.UNDER_REVIEW, INCIDENT_TRANSITIONS, _("An incident"), IncidentStatus)
    incident.review_notes = notes
    incident.reviewed_by = staff_user(actor)
    incident.save(update_fields=["status", "review_notes", "reviewed_by"])
    record(actor, "incident.review", incident, patient=incident.patient_id)
    return incident


@atomic_service
def corrective_action_add(*, actor: Actor, incident_id: int, description: str, owner_id: int | None,
                          due_on: dt.date | None) -> CorrectiveAction:
    incident = _incident(actor, incident_id)
    errors = Errors()
    description = clean_text(errors, "description", description, label=_("Action"), max_length=300, required=True)
    owner = User.objects.filter(pk=owner_id, is_active=True).first() if owner_id else None
    if owner is None or not has_perm(owner, Perm.COMPLIANCE_REPORT, location=incident.location_id):
        errors.add("owner", _("Choose a staff member who works at this location."))
    if due_on is None:
        errors.add("due_on", _("Give a due date."))
    elif due_on < today_at(incident.location):
        errors.add("due_on", _("The due date cannot be in the past."))
    errors.raise_if_any("invalid-action")
    if incident.status == IncidentStatus.REPORTED:
        raise Conflict("review-first", _("Review the incident before planning corrective actions."))
    if incident.status == IncidentStatus.UNDER_REVIEW:
        move(incident, IncidentStatus.ACTIONS_OPEN, INCIDENT_TRANSITIONS, _("An incident"), IncidentStatus)
        incident.save(update_fields=["status"])
    elif incident.status != IncidentStatus.ACTIONS_OPEN:
        raise Conflict("incident-closed", _("This incident is closed."))
    assert due_on is not None and owner is not None
    action = CorrectiveAction.objects.create(incident=incident, description=description, owner=owner, due_on=due_on)
    record(actor, "incident.action-add", action, patient=incident.patient_id,
           detail={"incident": incident.pk, "owner": owner_id, "due_on": due_on.isoformat()})
    return action


@atomic_service
def corrective_action_done(*, actor: Actor, action_id: int, note: str) -> CorrectiveAction:
    action = CorrectiveAction.objects.filter(pk=action_id).first()
    if action is None:
        raise NotFound()
    incident = _incident(actor, action.incident_id)
    errors = Errors()
    note = clean_text(errors, "note", note, label=_("What was done"), max_length=300, required=True)
    errors.raise_if_any("invalid-action")
    if action.done_on:
        raise Conflict("action-done", _("This action is already done."))
    action.done_on = today_at(incident.location)
    action.done_note = note
    action.save(update_fields=["done_on", "done_note"])
    record(actor, "incident.action-done", action, patient=incident.patient_id, detail={"incident": incident.pk})
    return action


@atomic_service
def incident_close(*, actor: Actor, incident_id: int) -> Incident:
    incident = _incident(actor, incident_id)
    if incident.actions.filter(done_on__isnull=True).exists():
        raise Conflict("actions-open", _("Finish every corrective action before closing the incident."))
    if not incident.review_notes:
        raise Conflict("review-first", _("Review the incident before closing it."))
    move(incident, IncidentStatus.CLOSED, INCIDENT_TRANSITIONS, _("An incident"), IncidentStatus)
    incident.closed_at = clock.now()
    incident.save(update_fields=["status", "closed_at"])
    record(actor, "incident.close", incident, patient=incident.patient_id)
    return incident
