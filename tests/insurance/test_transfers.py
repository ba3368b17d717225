"""Admissions and transfers of care (#18 item 9): the facility directory (NPI check digit), a transfer's status
through the transitions table with its dates, follow-up tasks through the front desk, the packet as a PDF and as
a FHIR R4 Bundle (a pure function)."""

from __future__ import annotations

import datetime as dt

import pytest

from clinicdesk.audit.models import AuditEntry
from clinicdesk.core.exceptions import InvalidTransition, NotFound, PermissionDenied, ValidationFailed
from clinicdesk.core.permissions import Role
from clinicdesk.frontdesk.models import Task
from clinicdesk.insurance import care_selectors, services
from clinicdesk.insurance.models import Facility, Transfer
from clinicdesk.insurance.transfer_bundle import transfer_bundle
from clinicdesk.patients.models import Coverage, Payer
from tests.factories import PatientFactory

NPI = "1234567893"


@pytest.fixture
def coordinator(make_user, location):
    return make_user(Role.PATIENT_COORDINATOR, at=location)


@pytest.fixture
def payer(db):
    return Payer.objects.create(name="Clearwater Health Plan", payer_code="CWH01")


@pytest.fixture
def facility(clock, make_user, payer):
    return services.facility_save(actor=make_user(Role.PRACTICE_COORDINATOR), data=services.FacilityInput(
        name="Riverside Rehabilitation", kind="rehab", npi=NPI, phone="555-0100", payer_ids=[payer.pk]))


@pytest.fixture
def ana(location, payer):
    patient = PatientFactory(home_location=location, family_name="Garcia", given_name="Ana")
    Coverage.objects.create(patient=patient, payer=payer, member_id="W123456789", start_date=dt.date(2026, 1, 1))
    return patient


def _transfer(actor, patient, location, facility, **extra):
    return services.transfer_request(actor=actor, data=services.TransferInput(
        patient_id=patient.pk, location_id=location.pk, facility_id=facility.pk, kind="transfer",
        reason="Rehabilitation after a hip replacement", diagnosis_codes="Z96.641", **extra))


def test_facility_refuses_a_bad_npi_and_non_editors(clock, make_user, coordinator):
    editor = make_user(Role.PRACTICE_COORDINATOR)
    with pytest.raises(ValidationFailed) as refused:
        services.facility_save(actor=editor, data=services.FacilityInput(name="General", kind="hospital",
                                                                          npi="1234567890"))
    assert "check digit" in refused.value.detail
    with pytest.raises(PermissionDenied):
        services.facility_save(actor=coordinator, data=services.FacilityInput(name="General", kind="hospital"))
    assert not Facility.objects.exists()


def test_transfer_moves_through_the_table_with_its_dates(clock, coordinator, ana, location, facility):
    transfer = _transfer(coordinator, ana, location, facility)
    assert transfer.status == "requested"
    with pytest.raises(InvalidTransition):
        services.transfer_set_status(actor=coordinator, transfer_id=transfer.pk, status="completed")
    services.transfer_set_status(actor=coordinator, transfer_id=transfer.pk, status="accepted")
    with pytest.raises(ValidationFailed):  # scheduling needs the date
        services.transfer_set_status(actor=coordinator, transfer_id=transfer.pk, status="scheduled")
    services.transfer_set_status(actor=coordinator, transfer_id=transfer.pk, status="scheduled",
                                 planned_for="2026-11-30")
    done = services.transfer_set_status(actor=coordinator, transfer_id=transfer.pk, status="completed")
    assert (done.status, done.planned_for, done.accepted_at, done.completed_at) == (
        "completed", dt.date(2026, 11, 30), clock.now(), clock.now())
    assert AuditEntry.objects.filter(action="transfer.status").count() == 3


def test_transfer_is_hidden_from_another_location(clock, coordinator, ana, location, facility, make_user,
                                                  other_location):
    transfer = _transfer(coordinator, ana, location, facility)
    stranger = make_user(Role.PATIENT_COORDINATOR, at=other_location)
    with pytest.raises(NotFound):
        care_selectors.transfer_detail(actor=stranger, transfer_id=transfer.pk)
    with pytest.raises(NotFound):
        services.transfer_set_status(actor=stranger, transfer_id=transfer.pk, status="accepted")


def test_follow_up_is_a_front_desk_task_for_the_coordinators(clock, coordinator, ana, location, facility):
    transfer = _transfer(coordinator, ana, location, facility)
    services.transfer_follow_up(actor=coordinator, transfer_id=transfer.pk, title="Call the facility",
                                due_date="2026-11-25")
    task = Task.objects.get()
    assert (task.pool, task.patient_id, task.due_date) == ("patient_coordinator", ana.pk, dt.date(2026, 11, 25))
    assert Transfer.objects.get(pk=transfer.pk).follow_up_task_ids == [task.pk]


def test_the_follow_up_form_is_offered_only_to_who_may_create_desk_tasks(clock, coordinator, make_user, ana,
                                                                          location, facility):
    transfer = _transfer(coordinator, ana, location, facility)
    billing = make_user(Role.BILLING, at=location)  # records transfers (insurance.write), has no desk task rule
    assert care_selectors.transfer_detail(actor=coordinator, transfer_id=transfer.pk).can_follow_up
    assert not care_selectors.transfer_detail(actor=billing, transfer_id=transfer.pk).can_follow_up
    with pytest.raises(PermissionDenied):
        services.transfer_follow_up(actor=billing, transfer_id=transfer.pk, title="Call", due_date="2026-11-25")
    assert not Task.objects.exists()


def test_packet_is_a_pdf_and_a_fhir_bundle(clock, signed_in, ana, location, facility):
    client = signed_in(Role.PATIENT_COORDINATOR)
    transfer = _transfer(client.user, ana, location, facility)
    page = client.get(f"/insurance/transfers/{transfer.pk}/")
    assert page.status_code == 200 and "Riverside Rehabilitation" in page.content.decode()
    pdf = client.get(f"/insurance/transfers/{transfer.pk}/packet.pdf")
    assert pdf["Content-Type"] == "application/pdf" and pdf.content.startswith(b"%PDF")
    bundle = client.get(f"/insurance/transfers/{transfer.pk}/bundle.json").json()
    kinds = [e["resource"]["resourceType"] for e in bundle["entry"]]
    assert bundle["resourceType"] == "Bundle" and bundle["type"] == "collection"
    assert kinds[0] == "ServiceRequest" and {"Patient", "Coverage", "Organization"} <= set(kinds)
    request = bundle["entry"][0]["resource"]
    assert request["status"] == "active" and request["performer"][0]["display"] == "Riverside Rehabilitation"
    assert AuditEntry.objects.filter(action="transfer.packet").count() == 2


def test_bundle_is_a_pure_function_of_the_packet(clock, coordinator, ana, location, facility):
    transfer = _transfer(coordinator, ana, location, facility)
    packet = care_selectors.transfer_packet(actor=coordinator, transfer_id=transfer.pk)
    assert transfer_bundle(packet) == transfer_bundle(packet)
    urls = [e["fullUrl"] for e in transfer_bundle(packet)["entry"]]
    assert len(urls) == len(set(urls)) and all(u.startswith("urn:uuid:") for u in urls)


def test_transfer_api_creates_and_moves(clock, signed_in, ana, location, facility):
    client = signed_in(Role.FRONT_DESK)
    made = client.post("/api/v1/insurance/transfers", {
        "patient": ana.pk, "location": location.pk, "facility": facility.pk, "kind": "admission",
        "reason": "Chest pain"}, content_type="application/json")
    assert made.status_code == 201
    moved = client.post(f"/api/v1/insurance/transfers/{made.json()['id']}/status", {"status": "declined"},
                        content_type="application/json")
    assert moved.status_code == 200 and moved.json()["declinedAt"]
    bad = client.post("/api/v1/insurance/transfers", {"patient": ana.pk, "location": location.pk,
                                                     "facility": facility.pk, "kind": "admission", "reason": ""},
                      content_type="application/json")
    assert bad.status_code == 422 and Transfer.objects.count() == 1


def test_demo_builds_packets_and_transfers_in_every_state(clock, make_user, location, provider, payer):
    from clinicdesk.insurance.demo import care_demo
    from clinicdesk.insurance.models import ReadinessPacket
    from tests.factories import AppointmentFactory, AppointmentTypeFactory

    procedure = AppointmentTypeFactory(code="procedure", name="Procedure", duration_minutes=60)
    for index in range(5):
        patient = PatientFactory(home_location=location, email=f"p{index}@example.org", email_opt_in=True)
        Coverage.objects.create(patient=patient, payer=payer, member_id=f"W{index}", start_date=dt.date(2026, 1, 1))
        day = dt.date(2026, 11, 24) + dt.timedelta(days=index)
        AppointmentFactory(patient=patient, location=location, practitioner=provider, appointment_type=procedure,
                           start=dt.datetime(day.year, day.month, day.day, 15, tzinfo=dt.UTC))
    counts = care_demo(actor=make_user(Role.PRACTICE_COORDINATOR))
    assert counts["transfers"] == 5 and counts["facilities"] == 3
    assert set(Transfer.objects.values_list("status", flat=True)) == {"requested", "accepted", "scheduled",
                                                                      "completed", "declined"}
    assert ReadinessPacket.objects.filter(acknowledged_at__isnull=False).exists()


def test_bundle_of_a_full_packet_is_valid_fhir_r4(clock, coordinator, ana, location, facility, payer):
    """Everything the packet can carry (a group number, the referral letter with diagnoses, an approved and a
    requested authorization, a document, a planned date) validates against the R4 structures (fhir.resources)."""
    from clinicdesk.insurance.models import AuthorizationStatus
    from clinicdesk.patients.models import Document
    from tests.fhir.conformance import collect_resources, validate_all

    Coverage.objects.filter(patient=ana).update(group_number="G-100", end_date=dt.date(2027, 12, 31))
    referral = services.outgoing_referral_send(actor=coordinator, data=services.OutgoingInput(
        patient_id=ana.pk, location_id=location.pk, specialist_name="Dr. Ortho", reason="Hip", specialist_npi=NPI,
        diagnosis_codes="Z96.641", urgent=True))
    approved = services.authorization_request(actor=coordinator, data=services.AuthorizationInput(
        patient_id=ana.pk, procedure_codes="97110 97140", units_requested=12, requested_from="2026-11-25",
        requested_to="2027-01-31", clinical_reason="Rehabilitation", decision=services.Decision(
            status=AuthorizationStatus.APPROVED, auth_number="PA-77", units_approved=10, valid_from="2026-11-25",
            valid_to="2027-01-31")))
    services.authorization_request(actor=coordinator, data=services.AuthorizationInput(
        patient_id=ana.pk, procedure_codes="97530", units_requested=4, requested_from="2026-11-25",
        requested_to="2026-12-31", clinical_reason="Gait training"))
    document = Document.objects.create(patient=ana, kind="lab-report", document_date=dt.date(2026, 11, 20),
                                       description="Pre-operative labs", storage_name="x",
                                       content_type="application/pdf", size=10, sha256="0" * 64,
                                       uploaded_at=clock.now())
    transfer = _transfer(coordinator, ana, location, facility, referral_id=referral.pk, document_ids=[document.pk],
                         planned_for="2026-12-01")
    packet = care_selectors.transfer_packet(actor=coordinator, transfer_id=transfer.pk, form="fhir")
    bundle = transfer_bundle(packet)
    assert approved.pk and {e["resource"]["resourceType"] for e in bundle["entry"]} == {
        "ServiceRequest", "Patient", "Organization", "Coverage", "ClaimResponse", "DocumentReference"}
    seen: list[dict] = []
    collect_resources(bundle, seen)
    validate_all(seen)
    for status in ("accepted", "scheduled", "completed"):
        services.transfer_set_status(actor=coordinator, transfer_id=transfer.pk, status=status)
        seen = []
        collect_resources(transfer_bundle(care_selectors.transfer_packet(actor=coordinator, transfer_id=transfer.pk,
                                                                        form="fhir")), seen)
        validate_all(seen)
