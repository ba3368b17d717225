"""Patient $match grades, onlyCertainMatches and count; create of a look-alike: 409 with the candidates,
If-None-Exist, and the audited override extension (issue #17)."""

import datetime as dt

from django.db import connection
from django.test.utils import CaptureQueriesContext

from clinicdesk.audit.models import AuditEntry
from clinicdesk.patients.models import DuplicateCandidate, Patient
from tests.factories import PatientFactory

OVERRIDE = "https://clinic.example/fhir/r4/StructureDefinition/clinicdesk-duplicate-override"


def _probe(*, phone=True, email=True, birth="1980-05-17", **params):
    patient = {"resourceType": "Patient", "name": [{"family": "Garcia", "given": ["Ana"]}], "gender": "female",
               "birthDate": birth, "telecom": []}
    if phone:
        patient["telecom"].append({"system": "phone", "value": "413-555-0199"})
    if email:
        patient["telecom"].append({"system": "email", "value": "ana@example.com"})
    parameters = [{"name": "resource", "resource": patient}]
    for name, value in params.items():
        key = "valueBoolean" if isinstance(value, bool) else "valueInteger"
        parameters.append({"name": name, key: value})
    return {"resourceType": "Parameters", "parameter": parameters}


def _grades(response):
    assert response.status_code == 200, response.content
    return [(e["resource"]["id"], e["search"]["extension"][0]["valueCode"]) for e in response.json().get("entry", [])]


def test_match_is_certain_only_when_nobody_needs_to_look(clinic, system_api):
    api = system_api()
    ana = str(clinic.patients[0].pk)
    assert _grades(api.post("Patient/$match", _probe()))[0] == (ana, "certain")
    # Name and birth date alone: someone should look.
    assert _grades(api.post("Patient/$match", _probe(phone=False, email=False)))[0] == (ana, "probable")


def test_only_certain_matches_and_count_are_honoured(clinic, system_api):
    api = system_api()
    assert _grades(api.post("Patient/$match", _probe(phone=False, email=False, onlyCertainMatches=True))) == []
    certain = _grades(api.post("Patient/$match", _probe(onlyCertainMatches=True)))
    assert certain == [(str(clinic.patients[0].pk), "certain")]
    assert len(_grades(api.post("Patient/$match", _probe(phone=False, email=False, count=1)))) == 1


def test_match_takes_a_partial_birth_date(clinic, system_api):
    api = system_api()
    grades = _grades(api.post("Patient/$match", _probe(birth="1980")))
    assert grades and grades[0][0] == str(clinic.patients[0].pk) and grades[0][1] != "certain"


def _lookalike(**extra):
    return {"resourceType": "Patient", "name": [{"family": "Garcia", "given": ["Ana"]}], "gender": "female",
            "birthDate": "1980-05-17", **extra}


def test_create_of_a_lookalike_is_409_with_the_candidates(clinic, system_api):
    api = system_api()
    before = Patient.objects.count()
    response = api.post("Patient", _lookalike())
    assert response.status_code == 409
    issues = response.json()["issue"]
    assert issues[0]["code"] == "duplicate" and "clinicdesk-duplicate-override" in issues[0]["diagnostics"]
    assert f"Patient/{clinic.patients[0].pk}" in [i.get("expression", [""])[0] for i in issues[1:]]
    assert Patient.objects.count() == before


def test_if_none_exist_answers_with_the_existing_chart(clinic, system_api):
    api = system_api()
    ana = clinic.patients[0]
    response = api.post("Patient", _lookalike(), **{"If-None-Exist": f"identifier=urn:clinicdesk:mrn|{ana.mrn}"})
    assert response.status_code == 200 and response.json()["id"] == str(ana.pk)


def test_override_registers_a_different_person_and_audits_the_reason(clinic, system_api):
    api = system_api()
    too_short = api.post("Patient", _lookalike(extension=[{"url": OVERRIDE, "valueString": "no"}]))
    assert too_short.status_code == 422
    reason = "Twin sister, same name by family custom"
    response = api.post("Patient", _lookalike(extension=[{"url": OVERRIDE, "valueString": reason}]))
    assert response.status_code == 201, response.content
    new_id = int(response.json()["id"])
    entry = AuditEntry.objects.filter(action="patient.create.duplicate_override").get()
    assert entry.patient_id == new_id
    pair = DuplicateCandidate.objects.get()
    assert {pair.first_id, pair.second_id} == {new_id, clinic.patients[0].pk} and pair.reason == reason


def test_capability_statement_documents_the_override(db, client):
    body = client.get("/fhir/r4/metadata").json()
    patient = next(r for r in body["rest"][0]["resource"] if r["type"] == "Patient")
    assert "clinicdesk-duplicate-override" in patient["documentation"] and patient["conditionalCreate"] is True


def test_match_query_count_does_not_grow_with_the_candidates(clinic, system_api):
    """One blocking query, one visibility query, one version read, one audit entry: the same whether the answer
    holds one chart or many (nothing is fetched per candidate)."""
    api = system_api()
    body = _probe(phone=False, email=False, count=50)

    def queries() -> tuple[int, int]:
        with CaptureQueriesContext(connection) as captured:
            entries = len(_grades(api.post("Patient/$match", body)))
        return len(captured.captured_queries), entries

    api.post("Patient/$match", body)  # the token's first use may store what it learns
    few, first = queries()
    for n in range(8):
        PatientFactory(family_name="Garcia", given_name="Ana", birth_date=dt.date(1980, 5, 17),
                       phone=f"(413) 555-02{n:02d}", home_location=clinic.location)
    many, second = queries()
    assert second >= first + 8
    assert many == few, (few, many)
    assert AuditEntry.objects.filter(action="fhir.operation.Patient.match").count() == 3  # one per request


def test_match_leaves_out_charts_the_caller_may_not_see(clinic, system_api):
    api = system_api()
    ana = clinic.patients[0]
    Patient.objects.filter(pk=ana.pk).update(restricted=True)
    assert str(ana.pk) not in [pk for pk, _grade in _grades(api.post("Patient/$match", _probe()))]
