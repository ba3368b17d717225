"""Incidents: reported by any staff member, reviewed by the admin, corrective actions followed to closure."""

from __future__ import annotations

import datetime as dt

import pytest

from clinicdesk.compliance import services
from clinicdesk.compliance.models import Incident, IncidentStatus
from clinicdesk.core.exceptions import Conflict, InvalidTransition, PermissionDenied, ValidationFailed


def _report(actor, location, **changes):
    values = {"kind": "patient-safety", "severity": "minor", "what": "Patient slipped on a wet floor.",
              "place": "Waiting room", "occurred_at": dt.datetime(2026, 11, 23, 13, 0, tzinfo=dt.UTC)}
    values.update(changes)
    return services.incident_report(actor=actor, location_id=location.pk, **values)


def test_incident_report_by_a_desk_clerk(db, clock, desk, location, bob):
    incident = _report(desk, location, patient_mrn=bob.mrn, staff_involved="Fran Desk")
    assert incident.status == IncidentStatus.REPORTED and incident.patient == bob


def test_incident_report_refuses_a_future_time_and_missing_words(db, clock, desk, location):
    with pytest.raises(ValidationFailed) as error:
        _report(desk, location, what="", place="", occurred_at=clock.now() + dt.timedelta(hours=1))
    assert set(error.value.fields) == {"what", "place", "occurred_at"}
    assert not Incident.objects.exists()


def test_incident_report_refused_to_another_locations_user_and_to_the_sysadmin(db, clock, elsewhere_desk, sysadmin,
                                                                               location):
    for actor in (elsewhere_desk, sysadmin):
        with pytest.raises(PermissionDenied):
            _report(actor, location)


def test_incident_cannot_get_actions_before_review(db, clock, desk, coordinator, location):
    incident = _report(desk, location)
    with pytest.raises(Conflict):
        services.corrective_action_add(actor=coordinator, incident_id=incident.pk, description="Mop signs",
                                       owner_id=desk.pk, due_on=dt.date(2026, 11, 30))


def test_incident_followed_to_closure(db, clock, desk, coordinator, location):
    incident = _report(desk, location)
    services.incident_review(actor=coordinator, incident_id=incident.pk, notes="Floor cleaned without a sign.")
    action = services.corrective_action_add(actor=coordinator, incident_id=incident.pk,
                                            description="Wet-floor signs at the entrance", owner_id=desk.pk,
                                            due_on=dt.date(2026, 11, 30))
    with pytest.raises(Conflict):
        services.incident_close(actor=coordinator, incident_id=incident.pk)
    services.corrective_action_done(actor=coordinator, action_id=action.pk, note="Two signs bought")
    incident = services.incident_close(actor=coordinator, incident_id=incident.pk)
    assert incident.status == IncidentStatus.CLOSED and incident.closed_at == clock.now()
    with pytest.raises(InvalidTransition):
        services.incident_review(actor=coordinator, incident_id=incident.pk, notes="Again")


def test_corrective_action_owner_must_work_at_the_location(db, clock, desk, elsewhere_desk, coordinator, location):
    incident = _report(desk, location)
    services.incident_review(actor=coordinator, incident_id=incident.pk, notes="Looked at it")
    with pytest.raises(ValidationFailed):
        services.corrective_action_add(actor=coordinator, incident_id=incident.pk, description="Train",
                                       owner_id=elsewhere_desk.pk, due_on=dt.date(2026, 11, 20))


def test_incident_review_hidden_from_the_reporter(db, clock, desk, location):
    incident = _report(desk, location)
    with pytest.raises(PermissionDenied) as error:
        services.incident_review(actor=desk, incident_id=incident.pk, notes="Mine")
    assert error.value.status == 404
