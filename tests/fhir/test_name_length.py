"""A FHIR client's name over 80 characters is refused with an issue naming the element, never cut (#13 item 12)."""

from __future__ import annotations

from clinicdesk.patients.models import Patient

from .test_patient import _patient

LONG = "Montenegro-" + "a" * 70  # 81 characters


def test_patient_create_refuses_a_family_name_over_80_characters_and_saves_nothing(clinic, system_api):
    api = system_api()
    before = Patient.objects.count()
    response = api.post("Patient", _patient(family=LONG))
    assert response.status_code == 422
    named = [i for i in response.json()["issue"] if "80 characters at most" in i["diagnostics"]]
    assert any(i.get("expression") == ["family_name"] for i in named)  # an issue names the field
    assert Patient.objects.count() == before
    assert api.post("Patient", _patient(family=LONG[:80])).status_code == 201
    assert Patient.objects.filter(family_name=LONG[:80]).exists()
