# ruff: noqa: F811  (pytest fixtures imported from referral_fixtures, then named as arguments)
"""The referral and authorization screens and API (#18 items 1, 6, 7): pages render for the permitted user with
a pinned number of queries, forms write through the services, the letter is a PDF, the API answers JSON."""

from __future__ import annotations

import datetime as dt

from django.db import connection
from django.test.utils import CaptureQueriesContext

from clinicdesk.core.permissions import Role
from clinicdesk.insurance import services
from clinicdesk.insurance.models import PriorAuthorization, Referral
from clinicdesk.scheduling.models import Appointment

from .referral_fixtures import NPI, ana, mri, mri_payer, rules, specialist_visit, visit  # noqa: F401


def _seed(coordinator, patient, location, kind, visit_factory, n=3, first_hour=13):
    for index in range(n):
        appointment = visit_factory(patient, kind, hour=first_hour + index)
        services.referral_add(actor=coordinator, data=services.ReferralInput(
            patient_id=patient.pk, referring_name=f"Dr. {index}", referring_npi=NPI, reason="Knee",
            visits_authorized=1, valid_from="2026-11-01", valid_to="2026-12-01", appointment_ids=[appointment.pk]))
        services.authorization_request(actor=coordinator, data=services.AuthorizationInput(
            patient_id=patient.pk, procedure_codes="73721", units_requested=1, requested_from="2026-11-23",
            requested_to="2026-12-01", clinical_reason="Knee", appointment_ids=[appointment.pk],
            decision=services.Decision(status="approved", auth_number=f"PA{index}", units_approved=1,
                                       valid_from="2026-11-23", valid_to="2026-12-01")))
        services.outgoing_referral_send(actor=coordinator, data=services.OutgoingInput(
            patient_id=patient.pk, location_id=location.pk, specialist_name=f"Dr. S{index}", reason="Knee"))


def _count(client, url):
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200
    return len(queries)


def test_patient_page_query_count_does_not_grow(clock, signed_in, ana, location, mri, visit):
    client = signed_in(Role.PATIENT_COORDINATOR)
    _seed(client.user, ana, location, mri, visit, n=1)
    few = _count(client, f"/insurance/patients/{ana.pk}/")
    _seed(client.user, ana, location, mri, visit, n=3, first_hour=16)
    assert _count(client, f"/insurance/patients/{ana.pk}/") == few


def test_worklist_query_count_does_not_grow(clock, signed_in, ana, location, mri, visit):
    client = signed_in(Role.PATIENT_COORDINATOR)
    _seed(client.user, ana, location, mri, visit, n=1)
    few = _count(client, "/insurance/worklist/")
    _seed(client.user, ana, location, mri, visit, n=3, first_hour=16)
    assert _count(client, "/insurance/worklist/") == few


def test_authorization_form_makes_the_visit_ready(clock, signed_in, ana, mri, visit):
    client = signed_in(Role.PATIENT_COORDINATOR)
    appointment = visit(ana, mri)
    response = client.post(f"/insurance/patients/{ana.pk}/authorizations/new", {
        "procedure_codes": "73721", "units_requested": "1", "requested_from": "2026-11-23",
        "requested_to": "2026-12-31", "clinical_reason": "Knee", "appointments": [str(appointment.pk)],
        "status": "approved", "auth_number": "PA-1", "units_approved": "1", "valid_from": "2026-11-23",
        "valid_to": "2026-12-31", "idempotency_key": "k1"})
    assert response.status_code == 302
    assert Appointment.objects.get(pk=appointment.pk).ready_for_visit


def test_referral_form_refuses_a_bad_npi_in_words(clock, signed_in, ana):
    client = signed_in(Role.PATIENT_COORDINATOR)
    response = client.post(f"/insurance/patients/{ana.pk}/referrals/new", {
        "referring_name": "Dr. Lee", "referring_npi": "1234567890", "reason": "Knee", "visits_authorized": "2",
        "valid_from": "2026-11-01", "valid_to": "2027-01-31"}, follow=True)
    assert "check digit" in response.content.decode()
    assert Referral.objects.count() == 0


def test_letter_is_a_pdf(clock, signed_in, ana, location):
    client = signed_in(Role.PATIENT_COORDINATOR)
    sent = services.outgoing_referral_send(actor=client.user, data=services.OutgoingInput(
        patient_id=ana.pk, location_id=location.pk, specialist_name="Dr. Ortho", reason="Knee"))
    response = client.get(f"/insurance/outgoing/{sent.pk}/letter.pdf")
    assert response["Content-Type"] == "application/pdf" and response.content.startswith(b"%PDF")
    # The packet: the letter, then the coverage and the current authorizations the specialist checks.
    from tests.core.test_documents_l10n import pdf_text

    text = pdf_text(response.content)
    assert "Referral to Dr. Ortho" in text and "W123456789" in text and "Prior authorizations" in text
    assert text.count(ana.mrn) == 2  # on the letter and on the packet's page


def test_rules_page_lists_and_saves(clock, signed_in, mri_payer, mri):
    client = signed_in(Role.PRACTICE_COORDINATOR)
    response = client.post("/insurance/rules/save", {"payer": str(mri_payer.pk), "appointment_type": str(mri.pk),
                                                      "needs_prior_auth": "on"})
    assert response.status_code == 302
    assert "MRI knee" in client.get("/insurance/rules/").content.decode()


def test_api_creates_and_decides_an_authorization(clock, signed_in, ana):
    client = signed_in(Role.BILLING)
    response = client.post("/api/v1/insurance/authorizations", {
        "patient": ana.pk, "procedureCodes": ["73721"], "unitsRequested": 2, "requestedFrom": "2026-11-23",
        "requestedTo": "2026-12-31", "clinicalReason": "Knee"}, content_type="application/json",
        headers={"Idempotency-Key": "api-1"})
    assert response.status_code == 201, response.content
    found = response.json()
    response = client.post(f"/api/v1/insurance/authorizations/{found['id']}/decision", {
        "status": "partial", "authNumber": "PA-9", "unitsApproved": 1, "validFrom": "2026-12-01",
        "validTo": "2026-11-01"}, content_type="application/json")
    assert response.status_code == 422
    assert "before the start date" in response.json()["detail"]
    assert PriorAuthorization.objects.get().status == "requested"


def test_booking_warning_names_the_missing_referral(clock, signed_in, ana, rules, specialist_visit, location):
    from clinicdesk.insurance.selectors import referral_warnings_for

    client = signed_in(Role.FRONT_DESK)
    found = referral_warnings_for(actor=client.user, patient_id=ana.pk, appointment_type_id=specialist_visit.pk,
                                  day=dt.date(2026, 11, 24))
    assert found and "needs a referral" in found[0].text


def test_demo_builds_every_state(clock, make_user, ana, location, mri_payer, visit, provider):
    from clinicdesk.insurance.demo import referrals_demo
    from clinicdesk.insurance.models import OutgoingReferral
    from tests.factories import AppointmentTypeFactory, PatientFactory

    AppointmentTypeFactory(code="procedure", name="Minor procedure", duration_minutes=60)
    AppointmentTypeFactory(code="new-patient", name="New patient", duration_minutes=40)
    from clinicdesk.patients.models import Coverage

    for index in range(7):
        patient = PatientFactory(home_location=location)
        Coverage.objects.create(patient=patient, payer=mri_payer, member_id=f"M{index}", start_date="2026-01-01")
    counts = referrals_demo(actor=make_user(Role.PRACTICE_COORDINATOR))
    assert counts["referrals"] == 5 and counts["outgoing"] == 5 and counts["authorizations"] == 7
    assert set(OutgoingReferral.objects.values_list("status", flat=True)) == {"sent", "received", "scheduled",
                                                                                "seen", "closed"}
    assert set(PriorAuthorization.objects.values_list("status", flat=True)) == {"requested", "approved", "partial",
                                                                                  "denied", "expired"}
