"""'Interpreter needed' has one home, the interpreter alert: the registration and edit form's tick box, the CSV
import's column and the alert screens all set or end that alert; Patient.interpreter_needed only mirrors it."""

from __future__ import annotations

import re

from clinicdesk.audit.models import AuditEntry
from clinicdesk.patients.models import AlertKind, PatientAlert
from clinicdesk.patients.services import patient_alert_add, patient_alert_end, patient_register, patient_update

from .conftest import REGISTRATION


def _active(patient):
    return list(PatientAlert.objects.filter(patient=patient, kind__code="interpreter", ended_at__isnull=True))


def test_patient_register_with_interpreter_needed_sets_the_interpreter_alert(clerk, location, clock):
    patient = patient_register(actor=clerk, location=location, **REGISTRATION, preferred_language="es",
                               interpreter_needed=True)
    patient.refresh_from_db()
    [alert] = _active(patient)
    assert alert.detail == "Spanish" and alert.reason and alert.created_by == clerk
    assert patient.interpreter_needed
    assert AuditEntry.objects.filter(action="patient_alert.add", patient_id=patient.pk).exists()


def test_patient_register_without_interpreter_sets_no_alert(clerk, location, clock):
    patient = patient_register(actor=clerk, location=location, **REGISTRATION)
    assert _active(patient) == [] and not patient.interpreter_needed


def test_patient_update_unticking_interpreter_ends_the_alert_and_keeps_its_history(clerk, location, clock):
    patient = patient_register(actor=clerk, location=location, **REGISTRATION, interpreter_needed=True)
    patient_update(actor=clerk, patient_id=patient.pk, changes={"interpreter_needed": False})
    patient.refresh_from_db()
    assert _active(patient) == [] and not patient.interpreter_needed
    ended = PatientAlert.objects.get(patient=patient, kind__code="interpreter")
    assert ended.ended_at is not None and ended.ended_by == clerk and ended.end_reason


def test_patient_update_ticking_twice_keeps_one_alert(clerk, location, clock):
    patient = patient_register(actor=clerk, location=location, **REGISTRATION)
    patient_update(actor=clerk, patient_id=patient.pk, changes={"interpreter_needed": True})
    patient_update(actor=clerk, patient_id=patient.pk, changes={"interpreter_needed": True})
    assert len(_active(patient)) == 1


def test_alert_screens_keep_the_tick_box_in_step(clerk, location, clock):
    patient = patient_register(actor=clerk, location=location, **REGISTRATION)
    kind = AlertKind.objects.get(code="interpreter")
    alert = patient_alert_add(actor=clerk, patient_id=patient.pk, kind_id=kind.pk, reason="Asked", detail="Korean")
    patient.refresh_from_db()
    assert patient.interpreter_needed
    patient_alert_end(actor=clerk, alert_id=alert.pk, reason="Speaks English now")
    patient.refresh_from_db()
    assert not patient.interpreter_needed


def test_edit_form_shows_the_alert_as_the_tick_box(signed_in, location, clock):
    client = signed_in(at=location)
    patient = patient_register(actor=client.user, location=location, **REGISTRATION, interpreter_needed=True)
    html = client.get(f"/patients/{patient.pk}/edit/").content.decode()
    [box] = re.findall(r'<input[^>]*name="interpreter_needed"[^>]*>', html)
    assert "checked" in box
