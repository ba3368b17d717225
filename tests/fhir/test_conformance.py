"""Every resource type served, read and searched once, each response validated against R4 by the
`returned` fixture (tests/fhir/conformance.py); every other test in this folder feeds the same check."""

from __future__ import annotations

import datetime as dt

import pytest

from clinicdesk.core.permissions import Role

from .conformance import validate_all

TYPES = ["Patient", "Practitioner", "PractitionerRole", "Organization", "Location", "HealthcareService", "Schedule",
         "Slot", "Appointment", "Coverage"]


def test_every_served_type_reads_and_searches_as_valid_r4(clinic, system_api, staff, user_api, clock, returned):
    from clinicdesk.patients.models import Coverage, Payer

    Coverage.objects.create(patient=clinic.patients[0], payer=Payer.objects.create(name="Acme"), member_id="Z1",
                            start_date=dt.date(2026, 1, 1))
    api = system_api()
    api.post("Appointment", {
        "resourceType": "Appointment", "status": "booked", "start": "2026-11-24T15:00:00Z",
        "serviceType": [{"coding": [{"code": "follow-up"}]}],
        "participant": [{"actor": {"reference": f"Patient/{clinic.patients[0].pk}"}, "status": "accepted"},
                        {"actor": {"reference": f"Practitioner/{clinic.practitioner.pk}"}, "status": "accepted"},
                        {"actor": {"reference": f"Location/{clinic.location.pk}"}, "status": "accepted"}]})
    for resource_type in TYPES:
        bundle = api.get(resource_type, {"_count": "3"})
        assert bundle.status_code == 200, (resource_type, bundle.content)
        entries = bundle.json().get("entry", [])
        assert entries, resource_type
        ident = entries[0]["resource"]["id"]
        assert api.get(f"{resource_type}/{ident}").status_code == 200, resource_type
    compliance = user_api(staff(Role.COMPLIANCE))
    events = compliance.get("AuditEvent", {"_count": "50"}).json()
    assert events["total"] > 0
    assert len(returned) > 20


def test_the_conformance_check_catches_an_invalid_resource():
    with pytest.raises(AssertionError, match="Patient/1"):
        validate_all([{"resourceType": "Patient", "id": "1", "birthDate": "yesterday"}])
