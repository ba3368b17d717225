import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from clinicdesk.audit.models import AuditEntry
from clinicdesk.core.exceptions import PermissionDenied
from clinicdesk.core.permissions import Role
from clinicdesk.patients.models import BreakGlassAccess
from clinicdesk.patients.selectors import BreakGlassRequired, patient_chart_full
from clinicdesk.patients.services import break_glass_open, coverage_add, patient_update
from tests.factories import AppointmentFactory, PatientFactory


def test_chart_shows_demographics_alerts_insurance_and_appointments(signed_in, location, aetna, clock):
    client = signed_in(at=location)
    patient = PatientFactory(home_location=location, family_name="Okafor", given_name="Chidi",
                             preferred_language="es")
    patient_update(actor=client.user, patient_id=patient.pk, changes={"interpreter_needed": True})  # the alert
    coverage_add(actor=client.user, patient_id=patient.pk, payer_id=aetna.pk, member_id="W1",
                 start_date=dt.date(2026, 1, 1))
    AppointmentFactory(location=location, patient=patient, start=dt.datetime(2026, 12, 1, 15, tzinfo=dt.UTC))
    AppointmentFactory(location=location, patient=patient, start=dt.datetime(2026, 10, 1, 15, tzinfo=dt.UTC))
    html = client.get(f"/patients/{patient.pk}/").content.decode()
    assert "Okafor, Chidi" in html and patient.mrn in html
    assert "Interpreter needed: Spanish" in html and "not signed" in html
    assert "Aetna" in html and "W1" in html
    assert "12/01/2026" in html and "10/01/2026" in html


def test_chart_query_count_does_not_grow_with_the_record(signed_in, location, aetna, clock):
    client = signed_in(at=location)
    patient = PatientFactory(home_location=location)
    client.get(f"/patients/{patient.pk}/")
    with CaptureQueriesContext(connection) as few:
        client.get(f"/patients/{patient.pk}/")
    for month in range(1, 6):
        coverage_add(actor=client.user, patient_id=patient.pk, payer_id=aetna.pk, member_id=f"M{month}",
                     start_date=dt.date(2020 + month, 1, 1), end_date=dt.date(2020 + month, 6, 1))
        AppointmentFactory(location=location, patient=patient,
                           start=dt.datetime(2026, 12, month, 15, tzinfo=dt.UTC))
    with CaptureQueriesContext(connection) as many:
        client.get(f"/patients/{patient.pk}/")
    assert len(many.captured_queries) == len(few.captured_queries)


def test_restricted_chart_needs_a_reason_that_is_audited(clerk, location, clock):
    patient = PatientFactory(home_location=location, restricted=True)
    with pytest.raises(BreakGlassRequired):
        patient_chart_full(actor=clerk, patient_id=patient.pk)
    break_glass_open(actor=clerk, patient_id=patient.pk, reason="Patient at the desk asking for records")
    assert patient_chart_full(actor=clerk, patient_id=patient.pk).patient == patient
    entry = AuditEntry.objects.get(action="patient.break_glass")
    assert entry.detail["reason"] == "Patient at the desk asking for records" and entry.patient_id == patient.pk


def test_break_the_glass_lasts_thirty_minutes(clerk, location, clock):
    patient = PatientFactory(home_location=location, restricted=True)
    break_glass_open(actor=clerk, patient_id=patient.pk, reason="Patient at the desk asking for records")
    clock.advance(dt.timedelta(minutes=31))
    with pytest.raises(BreakGlassRequired):
        patient_chart_full(actor=clerk, patient_id=patient.pk)


def test_break_the_glass_refuses_other_locations_and_outsiders(clerk_elsewhere, outsider, location, clock):
    patient = PatientFactory(home_location=location, restricted=True)
    for actor in (clerk_elsewhere, outsider):
        with pytest.raises(PermissionDenied):
            break_glass_open(actor=actor, patient_id=patient.pk, reason="I would like to look around")
    assert BreakGlassAccess.objects.count() == 0


def test_restricted_chart_page_asks_for_a_reason_then_opens(signed_in, location, clock):
    client = signed_in(at=location)
    patient = PatientFactory(home_location=location, restricted=True, family_name="Hidden")
    response = client.get(f"/patients/{patient.pk}/")
    assert response.status_code == 403 and b"Hidden" not in response.content and b"reason" in response.content
    assert client.post(f"/patients/{patient.pk}/unlock/", {"reason": "short"}).status_code == 422
    response = client.post(f"/patients/{patient.pk}/unlock/", {"reason": "Scheduling a follow-up call"})
    assert response.status_code == 302
    assert b"Hidden" in client.get(f"/patients/{patient.pk}/").content


def test_compliance_officer_sees_break_the_glass_openings(signed_in, clerk, location, clock):
    patient = PatientFactory(home_location=location, restricted=True, family_name="Hidden")
    break_glass_open(actor=clerk, patient_id=patient.pk, reason="Insurance verification call")
    officer = signed_in(Role.COMPLIANCE)
    html = officer.get("/patients/break-glass/").content.decode()
    assert "Insurance verification call" in html and clerk.username in html and patient.mrn in html
    assert signed_in(Role.FRONT_DESK, at=location).get("/patients/break-glass/").status_code == 403


def test_chart_page_hides_other_locations_and_refuses_outsiders(signed_in, location, other_location, clock):
    patient = PatientFactory(home_location=location)
    assert signed_in(at=other_location).get(f"/patients/{patient.pk}/").status_code == 404
    assert signed_in(Role.SYSADMIN, at=location).get(f"/patients/{patient.pk}/").status_code == 403
