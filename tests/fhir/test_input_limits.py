"""Size limits on every FHIR input (interop/fhir/validation.py: MAX_STRING per string element, MAX_BODY_BYTES
per body): an oversize element is refused before any work, with an OperationOutcome naming it."""

from __future__ import annotations

import json

from clinicdesk.interop.fhir.validation import MAX_BODY_BYTES, MAX_STRING
from clinicdesk.patients.models import Patient

from .test_patient import _patient

ONE_MB = "A" * 1_000_000


def _issue(response) -> dict:
    body = response.json()
    assert body["resourceType"] == "OperationOutcome"
    return body["issue"][0]


def test_match_refuses_a_one_megabyte_family_name_naming_it(clinic, system_api):
    api = system_api()
    probe = {"resourceType": "Parameters", "parameter": [{"name": "resource", "resource": {
        "resourceType": "Patient", "name": [{"family": ONE_MB, "given": ["Ana"]}], "birthDate": "1980-05-17"}}]}
    response = api.post("Patient/$match", probe)
    assert response.status_code == 422
    issue = _issue(response)
    assert issue["code"] == "too-long"
    assert issue["expression"] == ["Parameters.parameter[0].resource.name[0].family"]
    assert len(response.content) < 2000  # the value is not echoed back
    bare = api.post("Patient/$match", {"resourceType": "Patient", "name": [{"family": ONE_MB}]})
    assert bare.status_code == 422 and _issue(bare)["expression"] == ["Patient.name[0].family"]


def test_patient_create_refuses_an_oversize_given_name_and_writes_nothing(clinic, system_api):
    api = system_api()
    before = Patient.objects.count()
    response = api.post("Patient", _patient(given="B" * (MAX_STRING + 1)))
    assert response.status_code == 422
    assert _issue(response)["expression"] == ["Patient.name[0].given[0]"]
    assert Patient.objects.count() == before
    assert api.post("Patient", _patient(given="B" * 40)).status_code == 201  # an ordinary long name still goes


def test_patient_update_refuses_an_oversize_element(clinic, system_api):
    api = system_api()
    ana = clinic.patients[0]
    current = api.get(f"Patient/{ana.pk}").json()
    current["address"] = [{"line": ["C" * (MAX_STRING + 1)], "city": "Springfield"}]
    response = api.put(f"Patient/{ana.pk}", current)
    assert response.status_code == 422 and _issue(response)["expression"] == ["Patient.address[0].line[0]"]


def test_search_and_operation_parameters_are_limited(clinic, system_api):
    api = system_api()
    response = api.get("Patient", {"family": "D" * (MAX_STRING + 1)})
    assert response.status_code == 400 and _issue(response)["expression"] == ["family"]
    posted = api.post("Patient/_search", {"name": "D" * (MAX_STRING + 1)},
                      content_type="application/x-www-form-urlencoded")
    assert posted.status_code == 400 and _issue(posted)["expression"] == ["name"]
    long_key = api.get("Patient", {"x" * (MAX_STRING + 1): "1"})
    assert long_key.status_code == 400 and _issue(long_key)["expression"] == ["parameter name"]
    operation = api.get("Appointment/$find", {"reason": "E" * (MAX_STRING + 1)})
    assert operation.status_code == 400 and _issue(operation)["expression"] == ["$find.reason"]


def test_a_body_over_the_limit_is_refused_before_it_is_parsed(clinic, system_api):
    api = system_api()
    padding = " " * (MAX_BODY_BYTES + 1)
    response = api.post("Patient", json.dumps(_patient()) + padding)
    assert response.status_code == 413 and _issue(response)["code"] == "too-long"
