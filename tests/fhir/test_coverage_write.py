"""FHIR Coverage create and update (#18 item 10): the same patients coverage services as the insurance form
(one path: the same refusals, the payer's default co-pays, a plan of the payer), audited; the
CapabilityStatement declares them with the coverage-check resources."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from clinicdesk.audit.models import AuditEntry
from clinicdesk.core.permissions import Role
from clinicdesk.patients.models import Coverage, Payer, PayerPlan

pytestmark = pytest.mark.django_db

SCOPES = "system/Coverage.cruds system/Patient.rs"


@pytest.fixture
def aetna(db):
    payer = Payer.objects.get(name="Aetna")
    payer.default_copay_primary = Decimal("20.00")
    payer.save(update_fields=["default_copay_primary"])
    PayerPlan.objects.create(payer=payer, name="Choice POS II", plan_type="pos", network_id="AET-POS2")
    return payer


def _coverage(patient, **changes):
    resource = {
        "resourceType": "Coverage", "status": "active", "subscriberId": "W123456789",
        "beneficiary": {"reference": f"Patient/{patient.pk}"},
        "relationship": {"coding": [{"system": "http://terminology.hl7.org/CodeSystem/subscriber-relationship",
                                     "code": "self"}]},
        "period": {"start": "2026-01-01"},
        "payor": [{"identifier": {"system": "urn:clinicdesk:payer-id", "value": "60054"}}],
        "class": [{"type": {"coding": [{"system": "http://terminology.hl7.org/CodeSystem/coverage-class",
                                        "code": "plan"}]}, "value": "AET-POS2", "name": "Choice POS II"},
                  {"type": {"coding": [{"system": "http://terminology.hl7.org/CodeSystem/coverage-class",
                                        "code": "group"}]}, "value": "G-100"}],
        "costToBeneficiary": [{"type": {"coding": [{"system":
                                                    "http://terminology.hl7.org/CodeSystem/coverage-copay-type",
                                                    "code": "spvisit"}]},
                               "valueMoney": {"value": 45, "currency": "USD"}}],
    }
    resource.update(changes)
    return resource


def test_coverage_create_goes_through_the_coverage_service(clinic, system_api, aetna, clock):
    patient = clinic.patients[0]
    response = system_api(SCOPES).post("Coverage", _coverage(patient))
    assert response.status_code == 201, response.content
    body = response.json()
    coverage = Coverage.objects.get(pk=body["id"])
    assert (coverage.payer, coverage.plan.name, coverage.plan_name, coverage.group_number) == (
        aetna, "Choice POS II", "Choice POS II", "G-100")
    assert coverage.copay_specialist == Decimal("45.00")
    assert coverage.copay_primary == Decimal("20.00")  # the payer's default, as on the insurance form
    assert AuditEntry.objects.filter(action="coverage.create", resource_id=str(coverage.pk)).exists()
    assert body["payor"][0]["identifier"]["value"] == "60054" and body["subscriberId"] == "W123456789"
    assert response["Location"].endswith(f"/Coverage/{coverage.pk}")


def test_coverage_create_refuses_an_overlap_like_the_form(clinic, system_api, aetna, clock):
    api = system_api(SCOPES)
    patient = clinic.patients[0]
    assert api.post("Coverage", _coverage(patient)).status_code == 201
    again = api.post("Coverage", _coverage(patient, subscriberId="W2"))
    assert again.status_code == 409 and again.json()["resourceType"] == "OperationOutcome"
    assert Coverage.objects.filter(patient=patient).count() == 1


def test_coverage_create_refuses_an_unknown_payer(clinic, system_api, aetna, clock):
    response = system_api(SCOPES).post("Coverage", _coverage(clinic.patients[0], payor=[{"display": "Nobody Health"}]))
    assert response.status_code == 422 and "Nobody Health" in response.json()["issue"][0]["diagnostics"]
    assert not Coverage.objects.exists()


def test_coverage_create_needs_the_create_scope(clinic, system_api, aetna, clock):
    response = system_api("system/Coverage.rs").post("Coverage", _coverage(clinic.patients[0]))
    assert response.status_code == 403 and not Coverage.objects.exists()


def test_coverage_create_refuses_a_user_of_another_location(clinic, user_api, staff, other_location, aetna, clock):
    api = user_api(staff(Role.FRONT_DESK, at=other_location), "user/Coverage.cruds")
    assert api.post("Coverage", _coverage(clinic.patients[0])).status_code in (403, 404)
    assert not Coverage.objects.exists()


def test_coverage_create_by_the_desk_of_the_patients_location(clinic, user_api, staff, aetna, clock):
    api = user_api(staff(Role.FRONT_DESK), "user/Coverage.cruds")
    assert api.post("Coverage", _coverage(clinic.patients[0])).status_code == 201


def test_coverage_update_replaces_and_is_audited(clinic, system_api, aetna, clock):
    api = system_api(SCOPES)
    patient = clinic.patients[0]
    ident = api.post("Coverage", _coverage(patient)).json()["id"]
    changed = _coverage(patient, id=ident, subscriberId="W999", period={"start": "2026-01-01", "end": "2026-12-31"},
                        costToBeneficiary=[])
    response = api.put(f"Coverage/{ident}", changed)
    assert response.status_code == 200, response.content
    coverage = Coverage.objects.get(pk=ident)
    assert (coverage.member_id, coverage.end_date) == ("W999", dt.date(2026, 12, 31))
    assert coverage.copay_specialist is None  # left out: cleared
    entry = AuditEntry.objects.get(action="coverage.update", resource_id=ident)
    assert entry.detail["changes"]["member_id"] == ["W123456789", "W999"]


def test_coverage_update_cannot_move_it_to_another_patient(clinic, system_api, aetna, clock):
    api = system_api(SCOPES)
    ident = api.post("Coverage", _coverage(clinic.patients[0])).json()["id"]
    moved = _coverage(clinic.patients[1], id=ident, subscriberId="W777")
    response = api.put(f"Coverage/{ident}", moved)
    assert response.status_code == 422
    coverage = Coverage.objects.get(pk=ident)
    assert (coverage.patient_id, coverage.member_id) == (clinic.patients[0].pk, "W123456789")


def test_coverage_update_refuses_a_plan_of_another_payer(clinic, system_api, aetna, clock):
    api = system_api(SCOPES)
    ident = api.post("Coverage", _coverage(clinic.patients[0])).json()["id"]
    cigna = Payer.objects.get(name="Cigna")
    other = PayerPlan.objects.create(payer=cigna, name="Open Access Plus", plan_type="ppo")
    from clinicdesk.core.exceptions import ValidationFailed
    from clinicdesk.patients.services import coverage_update

    with pytest.raises(ValidationFailed):
        coverage_update(actor=api_actor(), coverage_id=int(ident), plan_id=other.pk)
    assert Coverage.objects.get(pk=ident).plan.name == "Choice POS II"


def api_actor():
    from clinicdesk.core.permissions import Perm, SystemActor

    return SystemActor("test", frozenset({Perm.PATIENT_WRITE, Perm.PATIENT_READ}))


def test_capability_statement_declares_coverage_writes_and_checks(system_api, db):
    statement = system_api().get("metadata").json()
    resources = {r["type"]: r for r in statement["rest"][0]["resource"]}
    assert {i["code"] for i in resources["Coverage"]["interaction"]} >= {"read", "search-type", "create", "update"}
    assert {i["code"] for i in resources["CoverageEligibilityRequest"]["interaction"]} == {"read", "create"}
    assert {i["code"] for i in resources["CoverageEligibilityResponse"]["interaction"]} == {"read", "search-type"}
    assert "patient" in {p["name"] for p in resources["CoverageEligibilityResponse"]["searchParam"]}
