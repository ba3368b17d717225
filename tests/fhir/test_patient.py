from __future__ import annotations

import datetime as dt

from clinicdesk.audit.models import AuditEntry
from clinicdesk.patients.models import Patient


def _patient(family="Lopez", given="Maria", birth="1985-03-04", **extra):
    resource = {
        "resourceType": "Patient",
        "identifier": [{"system": "urn:clinicdesk:mrn", "value": "X"}],
        "name": [{"use": "official", "family": family, "given": [given]}],
        "gender": "female", "birthDate": birth,
        "telecom": [{"system": "phone", "value": "(413) 555-0177", "use": "mobile"}],
        "extension": [
            {"url": "http://hl7.org/fhir/us/core/StructureDefinition/us-core-race", "extension": [
                {"url": "ombCategory", "valueCoding": {"system": "urn:oid:2.16.840.1.113883.6.238", "code": "2028-9"}},
                {"url": "text", "valueString": "Asian"}]},
            {"url": "http://hl7.org/fhir/us/core/StructureDefinition/us-core-ethnicity", "extension": [
                {"url": "ombCategory", "valueCoding": {"system": "urn:oid:2.16.840.1.113883.6.238", "code": "2186-5"}},
                {"url": "text", "valueString": "Not Hispanic or Latino"}]},
        ],
    }
    resource.update(extra)
    return resource


def test_patient_read_returns_us_core_fields_etag_and_is_audited(clinic, system_api):
    api = system_api()
    ana = clinic.patients[0]
    response = api.get(f"Patient/{ana.pk}")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/fhir+json")
    body = response.json()
    assert body["identifier"][0]["value"] == ana.mrn
    assert body["meta"]["versionId"] == "1"
    assert response["ETag"] == 'W/"1"'
    race = next(e for e in body["extension"] if e["url"].endswith("us-core-race"))
    assert race["extension"][0]["valueCoding"]["code"] == "2106-3"
    assert AuditEntry.objects.filter(action="fhir.read.Patient", patient_id=ana.pk).exists()


def test_patient_search_by_name_and_birthdate_prefixes(clinic, system_api):
    api = system_api()
    bundle = api.get("Patient", {"family": "garc", "birthdate": "ge1978-01-01"}).json()
    assert bundle["type"] == "searchset" and bundle["total"] == 1
    assert bundle["entry"][0]["resource"]["name"][0]["given"] == ["Ana"]
    assert api.get("Patient", {"birthdate": "1975"}).json()["total"] == 1
    assert api.get("Patient", {"birthdate": "lt1976-01-01"}).json()["total"] == 1
    assert api.get("Patient", {"birthdate": "ne1990-12-31", "name": "garcia"}).json()["total"] == 2
    assert api.get("Patient", {"name": "john smith"}).json()["total"] == 1
    assert api.get("Patient", {"identifier": f"urn:clinicdesk:mrn|{clinic.patients[1].mrn}"}).json()["total"] == 1
    assert api.get("Patient", {"phone": "413-555-0142"}).json()["total"] == 1
    assert api.get("Patient", {"email": "ANA@example.com"}).json()["total"] == 1
    assert api.get("Patient", {"address-postalcode": "011"}).json()["total"] == 1
    assert api.get("Patient", {"gender": "male"}).json()["total"] == 2


def test_patient_search_folds_apostrophes_and_spaces_in_names(clinic, system_api):
    from tests.factories import PatientFactory

    PatientFactory(family_name="O'Brien", given_name="Siobhán", home_location=clinic.patients[0].home_location)
    api = system_api()
    for params in ({"name": "O'Brien"}, {"name": "o brien"}, {"name": "Siobhan"}, {"family": "O\u2019Brien"},
                   {"family": "obrien"}, {"given": "siobhán"}, {"name": "siobhan o'brien"}):
        bundle = api.get("Patient", params).json()
        assert bundle["total"] == 1 and bundle["entry"][0]["resource"]["name"][0]["family"] == "O'Brien", params


def test_patient_search_post_search_gives_the_same_answer(clinic, system_api):
    api = system_api()
    response = api.post("Patient/_search", {"family": "garcia"}, content_type="application/x-www-form-urlencoded")
    assert response.status_code == 200, response.content
    assert response.json()["total"] == 2


def test_patient_search_pages_with_working_next_links(clinic, system_api):
    api = system_api()
    bundle = api.get("Patient", {"_count": "2"}).json()
    assert bundle["total"] == 3 and len(bundle["entry"]) == 2
    next_url = next(link["url"] for link in bundle["link"] if link["relation"] == "next")
    page_two = api.get(next_url.split("/fhir/r4/")[1].split("?")[0], dict(
        pair.split("=") for pair in next_url.split("?")[1].split("&"))).json()
    assert len(page_two["entry"]) == 1
    assert not any(link["relation"] == "next" for link in page_two["link"])
    ids = {e["resource"]["id"] for e in bundle["entry"] + page_two["entry"]}
    assert ids == {str(p.pk) for p in clinic.patients}


def test_patient_search_refuses_an_unknown_parameter(clinic, system_api):
    api = system_api()
    response = api.get("Patient", {"shoe-size": "9"})
    assert response.status_code == 400
    outcome = response.json()
    assert outcome["resourceType"] == "OperationOutcome"
    assert "shoe-size" in outcome["issue"][0]["diagnostics"]


def test_patient_create_then_conditional_create_returns_the_existing_one(clinic, system_api):
    api = system_api()
    response = api.post("Patient", _patient())
    assert response.status_code == 201, response.content
    created = response.json()
    patient = Patient.objects.get(pk=created["id"])
    assert patient.race == ["2028-9"] and patient.ethnicity == "2186-5"
    assert response["Location"].endswith(f"/Patient/{patient.pk}/_history/1")
    again = api.post("Patient", _patient(), **{"If-None-Exist": f"identifier=urn:clinicdesk:mrn|{patient.mrn}"})
    assert again.status_code == 200
    assert again.json()["id"] == created["id"]
    assert Patient.objects.count() == 4


def test_patient_create_refuses_invalid_resources_and_writes_nothing(clinic, system_api):
    api = system_api()
    before = Patient.objects.count()
    assert api.post("Patient", "{not json").status_code == 400
    wrong = api.post("Patient", {"resourceType": "Appointment", "status": "booked", "participant": []})
    assert wrong.status_code == 400 and "resourceType" in wrong.json()["issue"][0]["diagnostics"]
    unknown = api.post("Patient", _patient(shoeSize=9))
    assert unknown.status_code == 422
    assert "shoeSize" in unknown.json()["issue"][0]["diagnostics"]
    bad_date = api.post("Patient", _patient(birth="1985-13-40"))
    assert bad_date.status_code == 422 and "birthDate" in bad_date.json()["issue"][0]["diagnostics"]
    bad_gender = api.post("Patient", _patient(gender="robot"))
    assert bad_gender.status_code == 422
    no_gender = _patient()
    del no_gender["gender"]
    missing = api.post("Patient", no_gender)
    assert missing.status_code == 422
    assert missing.json()["issue"][0]["diagnostics"].startswith("Patient.gender is required")
    future = api.post("Patient", _patient(birth="2090-01-01"))
    assert future.status_code == 422
    assert Patient.objects.count() == before


def test_patient_update_makes_a_new_version_and_vread_returns_the_old(clinic, system_api):
    api = system_api()
    ana = clinic.patients[0]
    current = api.get(f"Patient/{ana.pk}").json()
    changed = dict(current)
    changed["name"] = [{"use": "official", "family": "Garcia-Lopez", "given": ["Ana"]}]
    response = api.put(f"Patient/{ana.pk}", changed, **{"If-Match": 'W/"1"'})
    assert response.status_code == 200, response.content
    assert response.json()["meta"]["versionId"] == "2"
    assert response["ETag"] == 'W/"2"'
    old = api.get(f"Patient/{ana.pk}/_history/1").json()
    assert old["name"][0]["family"] == "Garcia"
    assert old["meta"]["versionId"] == "1"
    stale = api.put(f"Patient/{ana.pk}", changed, **{"If-Match": 'W/"1"'})
    assert stale.status_code == 412
    assert stale.json()["resourceType"] == "OperationOutcome"


def test_patient_change_in_the_ui_shows_up_as_a_new_version(clinic, system_api):
    from clinicdesk.patients.services import patient_update

    api = system_api()
    ana = clinic.patients[0]
    assert api.get(f"Patient/{ana.pk}").json()["meta"]["versionId"] == "1"
    from clinicdesk.core.permissions import Perm, SystemActor

    patient_update(actor=SystemActor("t", frozenset({Perm.PATIENT_WRITE})), patient_id=ana.pk,
                   changes={"email": "new@example.com"})
    body = api.get(f"Patient/{ana.pk}").json()
    assert body["meta"]["versionId"] == "2"
    assert api.get(f"Patient/{ana.pk}/_history/1").json()["telecom"] != body["telecom"]


def test_patient_match_scores_likely_duplicates(clinic, system_api):
    api = system_api()
    probe = {"resourceType": "Parameters", "parameter": [{"name": "resource", "resource": {
        "resourceType": "Patient", "name": [{"family": "Garcia", "given": ["Ana"]}], "gender": "female",
        "birthDate": "1980-05-17"}}, {"name": "count", "valueInteger": 5}]}
    response = api.post("Patient/$match", probe)
    assert response.status_code == 200, response.content
    bundle = response.json()
    top = bundle["entry"][0]
    assert top["resource"]["id"] == str(clinic.patients[0].pk)
    assert 0 < top["search"]["score"] <= 1
    assert top["search"]["extension"][0]["valueCode"] in ("certain", "probable", "possible")


def test_patient_read_needs_a_token_and_the_scope(clinic, system_api):
    api = system_api("system/Appointment.rs")
    ana = clinic.patients[0]
    assert api.get(f"Patient/{ana.pk}").status_code == 403
    api.token = ""
    response = api.get(f"Patient/{ana.pk}")
    assert response.status_code == 401
    assert response.json()["resourceType"] == "OperationOutcome"
    api.token = "forged"
    assert api.get(f"Patient/{ana.pk}").status_code == 401


def test_user_token_is_limited_to_the_users_locations(clinic, staff, user_api, other_location):
    from tests.factories import PatientFactory

    elsewhere = PatientFactory(family_name="Far", given_name="Away", home_location=other_location,
                               birth_date=dt.date(1970, 1, 1))
    api = user_api(staff())
    assert api.get(f"Patient/{clinic.patients[0].pk}").status_code == 200
    assert api.get(f"Patient/{elsewhere.pk}").status_code == 404
    assert api.get("Patient", {"family": "far"}).json()["total"] == 0


def test_user_token_cannot_reach_past_the_users_role(clinic, staff, user_api):
    from clinicdesk.core.permissions import Role

    api = user_api(staff(Role.PROVIDER))
    assert api.get(f"Patient/{clinic.patients[0].pk}").status_code == 200
    response = api.post("Patient", _patient())
    assert response.status_code == 403
    assert AuditEntry.objects.filter(action="access.denied").exists()


def test_metadata_lists_what_is_served_and_the_token_endpoint(db, client):
    body = client.get("/fhir/r4/metadata").json()
    assert body["resourceType"] == "CapabilityStatement" and body["fhirVersion"] == "4.0.1"
    types = {r["type"]: r for r in body["rest"][0]["resource"]}
    assert set(types) >= {"Patient", "Appointment", "Slot", "Schedule", "Coverage", "AuditEvent"}
    assert {p["name"] for p in types["Patient"]["searchParam"]} >= {"birthdate", "identifier", "name"}
    oauth = body["rest"][0]["security"]["extension"][0]["extension"]
    assert any(u["url"] == "token" and u["valueUri"].endswith("/o/token/") for u in oauth)
    smart = client.get("/.well-known/smart-configuration").json()
    assert smart["token_endpoint"].endswith("/o/token/")
    assert "S256" in smart["code_challenge_methods_supported"]
    from fhir.resources.R4B.capabilitystatement import CapabilityStatement

    CapabilityStatement.model_validate(body)


def test_patient_create_of_a_likely_duplicate_is_a_409_naming_the_chart(clinic, system_api):
    api = system_api()
    ana = clinic.patients[0]
    response = api.post("Patient", _patient(family="Garcia", given="Ana", birth="1980-05-17"))
    assert response.status_code == 409
    assert ana.mrn in response.json()["issue"][0]["diagnostics"]


def test_search_and_vread_errors_name_the_problem(clinic, system_api):
    api = system_api()
    ana = clinic.patients[0]
    assert api.get(f"Patient/{ana.pk}/_history/9").status_code == 404
    modifier = api.get("Patient", {"birthdate:missing": "true"})
    assert modifier.status_code == 400 and ":missing" in modifier.json()["issue"][0]["diagnostics"]
    assert api.get("Patient", {"_count": "1000"}).status_code == 400
    assert api.get("Patient", {"birthdate": "xx1980"}).status_code == 400
    assert api.get("Patient", {"_include": "Patient:organization"}).status_code == 400
    assert api.get("Banana/1").status_code == 404
    assert api.get("Patient/999999").status_code == 404


def test_patient_with_a_bad_reference_is_refused_and_nothing_written(clinic, system_api):
    api = system_api()
    before = Patient.objects.count()
    response = api.post("Patient", _patient(generalPractitioner=[{"reference": "not a reference"}]))
    assert response.status_code == 422
    assert "Patient.generalPractitioner[0].reference" in response.json()["issue"][0]["diagnostics"]
    assert Patient.objects.count() == before
