"""FHIR ServiceRequest (#18 item 10): incoming referrals, outgoing referrals and prior authorizations, read and
searched through insurance selectors (insurance.read, the chart in reach, outgoing referrals of the caller's
locations), every answer audited and valid R4 (the `returned` fixture)."""

from __future__ import annotations

import datetime as dt

import pytest

from clinicdesk.audit.models import AuditEntry
from clinicdesk.core.permissions import Role
from clinicdesk.insurance import services
from clinicdesk.patients.models import Coverage, Payer
from tests.factories import LocationFactory

pytestmark = pytest.mark.django_db

SCOPES = "system/ServiceRequest.rs"
NPI = "1234567893"


@pytest.fixture
def records(clinic, staff, clock):
    """Ana: an incoming referral, an urgent outgoing one, an approved authorization on her coverage; Luis: a
    requested authorization."""
    coordinator = staff(Role.PATIENT_COORDINATOR)
    ana, luis = clinic.patients[0], clinic.patients[1]
    payer = Payer.objects.create(name="Clearwater Health Plan", payer_code="CWH01")
    coverage = Coverage.objects.create(patient=ana, payer=payer, member_id="W1", start_date=dt.date(2026, 1, 1))
    referral = services.referral_add(actor=coordinator, data=services.ReferralInput(
        patient_id=ana.pk, referring_name="Dr. Lee", referring_npi=NPI, reason="Knee pain", visits_authorized=3,
        valid_from="2026-11-01", valid_to="2027-01-31", payer_id=payer.pk, referral_number="RF-9",
        diagnosis_codes="M25.561"))
    outgoing = services.outgoing_referral_send(actor=coordinator, data=services.OutgoingInput(
        patient_id=ana.pk, location_id=clinic.location.pk, specialist_name="Dr. Ortho", reason="Meniscus tear",
        specialist_npi=NPI, specialty="Orthopaedics", urgent=True))
    approved = services.authorization_request(actor=coordinator, data=services.AuthorizationInput(
        patient_id=ana.pk, coverage_id=coverage.pk, procedure_codes="73721", units_requested=2,
        requested_from="2026-11-24", requested_to="2026-12-31", clinical_reason="MRI of the knee",
        decision=services.Decision(status="approved", auth_number="PA-77", units_approved=1,
                                   valid_from="2026-11-24", valid_to="2026-12-31")))
    requested = services.authorization_request(actor=coordinator, data=services.AuthorizationInput(
        patient_id=luis.pk, procedure_codes="97110", units_requested=6, requested_from="2026-11-24",
        requested_to="2026-12-31", clinical_reason="Therapy"))
    return {"ana": ana, "referral": referral, "outgoing": outgoing, "approved": approved, "requested": requested,
            "coverage": coverage}


def test_service_requests_read_search_and_are_audited(clinic, system_api, records, clock):
    api = system_api(SCOPES)
    ana = records["ana"]
    incoming = api.get(f"ServiceRequest/referral-{records['referral'].pk}").json()
    assert incoming["status"] == "active" and incoming["requester"]["identifier"]["value"] == NPI
    assert incoming["quantityQuantity"]["value"] == 3 and incoming["identifier"][0]["value"] == "RF-9"
    assert incoming["occurrencePeriod"] == {"start": "2026-11-01", "end": "2027-01-31"}
    outgoing = api.get(f"ServiceRequest/outgoing-{records['outgoing'].pk}").json()
    assert outgoing["priority"] == "urgent" and outgoing["performer"][0]["display"] == "Dr. Ortho"
    auth = api.get(f"ServiceRequest/authorization-{records['approved'].pk}").json()
    assert auth["status"] == "active" and auth["code"]["coding"][0]["code"] == "73721"
    assert auth["identifier"][0]["value"] == "PA-77" and auth["quantityQuantity"]["value"] == 1
    assert auth["insurance"] == [{"reference": f"Coverage/{records['coverage'].pk}"}]
    requested = api.get(f"ServiceRequest/authorization-{records['requested'].pk}").json()
    assert requested["status"] == "on-hold" and requested["quantityQuantity"]["value"] == 6

    found = api.get(f"ServiceRequest?patient=Patient/{ana.pk}").json()
    assert found["total"] == 3 and {e["resource"]["id"] for e in found["entry"]} == {
        f"referral-{records['referral'].pk}", f"outgoing-{records['outgoing'].pk}",
        f"authorization-{records['approved'].pk}"}
    only = api.get(f"ServiceRequest?subject={ana.pk}&category=prior-authorization").json()
    assert [e["resource"]["id"] for e in only["entry"]] == [f"authorization-{records['approved'].pk}"]
    referrals = api.get("ServiceRequest?category=http://snomed.info/sct|3457005").json()
    assert referrals["total"] == 2
    assert api.get(f"ServiceRequest?_id=authorization-{records['requested'].pk}").json()["total"] == 1
    assert api.get("ServiceRequest/referral-999999").status_code == 404
    assert api.get("ServiceRequest/12").status_code == 404
    reads = AuditEntry.objects.filter(action="fhir.read.ServiceRequest")
    assert reads.count() == 4 and reads.filter(patient_id=ana.pk).count() == 3
    assert AuditEntry.objects.filter(action="fhir.search.ServiceRequest").count() == 4

    statement = api.get("metadata").json()
    served = {r["type"]: r for r in statement["rest"][0]["resource"]}
    assert [i["code"] for i in served["ServiceRequest"]["interaction"]] == ["read", "search-type"]
    assert {"patient", "category", "_id"} <= {p["name"] for p in served["ServiceRequest"]["searchParam"]}
    writes = {i["code"] for i in served["Coverage"]["interaction"]}
    assert {"create", "update"} <= writes and {"create", "read"} <= {
        i["code"] for i in served["CoverageEligibilityRequest"]["interaction"]}


def test_service_requests_need_the_scope_the_role_and_the_location(clinic, system_api, user_api, staff, records):
    ident = f"ServiceRequest/authorization-{records['approved'].pk}"
    assert system_api("system/Coverage.rs").get(ident).status_code == 403  # no ServiceRequest scope
    user_scopes = "user/ServiceRequest.rs"
    assert user_api(staff(Role.BILLING), user_scopes).get(ident).status_code == 200
    elsewhere = staff(Role.PATIENT_COORDINATOR, at=LocationFactory())
    assert user_api(elsewhere, user_scopes).get(ident).status_code == 404
    assert user_api(elsewhere, user_scopes).get(f"ServiceRequest/outgoing-{records['outgoing'].pk}").status_code == 404
    assert user_api(elsewhere, user_scopes).get(f"ServiceRequest?patient={records['ana'].pk}").json()["total"] == 0
    assert user_api(staff(Role.COMPLIANCE), user_scopes).get(ident).status_code == 403  # no insurance.read
