"""FHIR CoverageEligibilityRequest (create = verify now, through insurance.services.eligibility_verify, against
the local clearinghouse) and CoverageEligibilityResponse (read, search by patient: the stored 271 and its
benefits, through insurance selectors). #18 item 10."""

from __future__ import annotations

import datetime as dt

import pytest

from clinicdesk.core.permissions import Role
from clinicdesk.insurance.models import EligibilityResult
from clinicdesk.patients.models import Coverage, Payer
from tests.factories import OrganizationFactory
from tests.insurance.clearinghouse import PASSWORD, USERNAME, ClearinghouseHTTP

pytestmark = pytest.mark.django_db

SCOPES = "system/CoverageEligibilityRequest.cr system/CoverageEligibilityResponse.rs"


@pytest.fixture
def clearinghouse(settings, db):
    organization = OrganizationFactory()
    organization.npi = "1234567893"
    organization.save(update_fields=["npi"])
    with ClearinghouseHTTP() as server:
        settings.CLEARINGHOUSE_CORE_URL = server.url
        settings.CLEARINGHOUSE_USERNAME, settings.CLEARINGHOUSE_PASSWORD = USERNAME, PASSWORD
        settings.CLEARINGHOUSE_TIMEOUT_SECONDS = 2
        yield server


def _cover(patient, member="W123456789"):
    payer = Payer.objects.create(name="Clearwater Health Plan", payer_code="CWH01")
    return Coverage.objects.create(patient=patient, payer=payer, member_id=member, start_date=dt.date(2026, 1, 1))


def _request(patient, coverage=None):
    resource = {"resourceType": "CoverageEligibilityRequest", "status": "active", "purpose": ["benefits"],
                "patient": {"reference": f"Patient/{patient.pk}"}, "created": "2026-11-23",
                "insurer": {"display": "Clearwater Health Plan"}, "servicedDate": "2026-11-24"}
    if coverage is not None:
        resource["insurance"] = [{"focal": True, "coverage": {"reference": f"Coverage/{coverage.pk}"}}]
    return resource


def test_request_create_verifies_now_and_links_its_response(clinic, system_api, clearinghouse, clock):
    patient = clinic.patients[0]
    coverage = _cover(patient)
    api = system_api(SCOPES)
    created = api.post("CoverageEligibilityRequest", _request(patient, coverage))
    assert created.status_code == 201, created.content
    body = created.json()
    assert len(clearinghouse.requests) == 1 and EligibilityResult.objects.get().coverage == coverage
    link = body["extension"][0]["valueReference"]["reference"]
    assert link == f"CoverageEligibilityResponse/{body['id']}"
    assert body["insurance"][0]["coverage"]["reference"] == f"Coverage/{coverage.pk}"
    response = api.get(link).json()
    assert response["outcome"] == "complete" and response["insurance"][0]["inforce"] is True
    copays = [item for item in response["insurance"][0]["item"]
              if item["benefit"][0]["type"]["coding"][0]["code"] == "copay"]
    assert {(c["network"]["coding"][0]["code"], c["benefit"][0]["allowedMoney"]["value"]) for c in copays} == {
        ("in", 25.0), ("out", 60.0)}
    assert api.get(f"CoverageEligibilityRequest/{body['id']}").json()["id"] == body["id"]


def test_request_without_coverage_takes_the_patients_active_one(clinic, system_api, clearinghouse, clock):
    patient = clinic.patients[0]
    coverage = _cover(patient)
    created = system_api(SCOPES).post("CoverageEligibilityRequest", _request(patient))
    assert created.status_code == 201 and EligibilityResult.objects.get().coverage == coverage


def test_a_rejection_reads_as_an_error_outcome(clinic, system_api, clearinghouse, clock):
    patient = clinic.patients[0]
    coverage = _cover(patient, member="REJ300")
    api = system_api(SCOPES)
    ident = api.post("CoverageEligibilityRequest", _request(patient, coverage)).json()["id"]
    response = api.get(f"CoverageEligibilityResponse/{ident}").json()
    assert response["outcome"] == "error" and response["error"][0]["code"]["coding"][0]["code"]
    assert "insurance" not in response  # never taken as active


def test_responses_search_by_patient(clinic, system_api, clearinghouse, clock):
    first, second = clinic.patients[0], clinic.patients[1]
    api = system_api(SCOPES)
    api.post("CoverageEligibilityRequest", _request(first, _cover(first)))
    bundle = api.get("CoverageEligibilityResponse", {"patient": f"Patient/{first.pk}"}).json()
    assert bundle["total"] == 1 and bundle["entry"][0]["resource"]["patient"]["reference"] == f"Patient/{first.pk}"
    assert api.get("CoverageEligibilityResponse", {"patient": f"Patient/{second.pk}"}).json()["total"] == 0


def test_request_create_needs_insurance_write(clinic, user_api, staff, clearinghouse, clock):
    patient = clinic.patients[0]
    coverage = _cover(patient)
    nurse = user_api(staff(Role.NURSE), "user/CoverageEligibilityRequest.cr")
    assert nurse.post("CoverageEligibilityRequest", _request(patient, coverage)).status_code == 403
    assert not EligibilityResult.objects.exists() and not clearinghouse.requests


def test_request_create_needs_the_scope(clinic, system_api, clearinghouse, clock):
    patient = clinic.patients[0]
    api = system_api("system/CoverageEligibilityResponse.rs")
    assert api.post("CoverageEligibilityRequest", _request(patient, _cover(patient))).status_code == 403
    assert not EligibilityResult.objects.exists()


def test_another_locations_user_cannot_read_a_response(clinic, system_api, user_api, staff, other_location,
                                                       clearinghouse, clock):
    patient = clinic.patients[0]
    ident = system_api(SCOPES).post("CoverageEligibilityRequest", _request(patient, _cover(patient))).json()["id"]
    stranger = user_api(staff(Role.FRONT_DESK, at=other_location), "user/CoverageEligibilityResponse.rs")
    assert stranger.get(f"CoverageEligibilityResponse/{ident}").status_code == 404
    assert stranger.get("CoverageEligibilityResponse", {"patient": f"Patient/{patient.pk}"}).json()["total"] == 0
    desk = user_api(staff(Role.FRONT_DESK), "user/CoverageEligibilityResponse.rs")
    assert desk.get(f"CoverageEligibilityResponse/{ident}").status_code == 200


def test_a_coverage_of_another_patient_is_refused(clinic, system_api, clearinghouse, clock):
    first, second = clinic.patients[0], clinic.patients[1]
    coverage = _cover(first)
    response = system_api(SCOPES).post("CoverageEligibilityRequest", _request(second, coverage))
    assert response.status_code == 422
    assert not EligibilityResult.objects.exists() and not clearinghouse.requests  # nothing sent
