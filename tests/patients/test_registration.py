import datetime as dt

import pytest

from clinicdesk.audit.models import AuditEntry
from clinicdesk.core.exceptions import Conflict, PermissionDenied, ValidationFailed
from clinicdesk.core.identifiers import luhn_valid
from clinicdesk.patients.models import DuplicateCandidate, Patient, RelatedPerson
from clinicdesk.patients.services import patient_register
from tests.factories import PatientFactory

from .conftest import REGISTRATION


def test_patient_register_gives_a_short_mrn_with_a_check_digit(clerk, location, clock):
    patient = patient_register(actor=clerk, location=location, **REGISTRATION)
    assert len(patient.mrn) == 7 and luhn_valid(patient.mrn)
    assert patient.phone == "(413) 555-0147" and patient.family_sound and patient.given_sound
    assert AuditEntry.objects.filter(action="patient.create", patient_id=patient.pk).exists()


def test_patient_register_keeps_us_core_elements(clerk, location, clock):
    patient = patient_register(
        actor=clerk, location=location, **REGISTRATION, gender_identity="non-binary", pronouns="they/them",
        race=["2106-3", "2028-9"], ethnicity="2135-2", preferred_language="es", interpreter_needed=True,
        address_line="12 Elm St", city="Springfield", state="ma", postal_code="01103-1234", sms_opt_in=True,
        sms_opt_in_source="verbal", intake={"allergies": ["penicillin", " "], "medications": "metformin\nlisinopril"},
        employer="Acme", primary_care_provider="Dr. Lee", referring_provider="Dr. Ng",
        contacts=[{"kind": "emergency", "name": "Luis Quintero", "relationship": "brother", "phone": "4135550111"},
                  {"kind": "guarantor", "name": "Rosa Quintero", "relationship": "mother",
                   "phone": "413 555 0112", "birth_date": "1960-01-02"}])
    patient.refresh_from_db()
    assert patient.state == "MA" and patient.race == ["2106-3", "2028-9"]
    assert patient.sms_opt_in_date == clock.now().date() and patient.sms_opt_in_source == "verbal"
    assert patient.intake["allergies"] == ["penicillin"] and patient.intake["medications"] == ["metformin",
                                                                                                 "lisinopril"]
    assert not patient.guarantor_is_self
    assert set(RelatedPerson.objects.filter(patient=patient).values_list("kind", flat=True)) == {"emergency",
                                                                                                 "guarantor"}


@pytest.mark.parametrize(("field", "value", "message"), [
    ("birth_date", dt.date(2030, 1, 1), "cannot be in the future"),
    ("birth_date", "2021-02-30", "not a real date"),
    ("birth_date", dt.date(1850, 1, 1), "before 1900"),
    ("phone", "555-12", "valid phone"),
    ("email", "marisol@", "valid e-mail"),
    ("state", "XX", "not a US state"),
    ("postal_code", "1103", "ZIP code"),
    ("family_name", "Qu1ntero", "characters a name cannot have"),
    ("race", ["2106-3", "asked-declined"], "cannot be combined"),
])
def test_patient_register_names_the_bad_field(clerk, location, clock, field, value, message):
    with pytest.raises(ValidationFailed) as refused:
        patient_register(actor=clerk, location=location, **{**REGISTRATION, field: value})
    assert message in " ".join(refused.value.fields[field])
    assert Patient.objects.count() == 0


def test_patient_register_reports_every_bad_field_at_once(clerk, location, clock):
    with pytest.raises(ValidationFailed) as refused:
        patient_register(actor=clerk, location=location, **{**REGISTRATION, "phone": "1", "state": "ZZ",
                                                            "email": "x"})
    assert {"phone", "state", "email"} <= set(refused.value.fields)


def test_patient_register_saves_nothing_when_a_contact_is_bad(clerk, location, clock):
    with pytest.raises(ValidationFailed) as refused:
        patient_register(actor=clerk, location=location, **REGISTRATION,
                         contacts=[{"kind": "emergency", "name": "Luis", "relationship": "brother", "phone": "12"}])
    assert "emergency_phone" in refused.value.fields
    assert Patient.objects.count() == 0 and RelatedPerson.objects.count() == 0


def test_patient_register_refuses_a_likely_duplicate_without_a_reason(clerk, location, clock):
    existing = PatientFactory(family_name="Quintero", given_name="Marisol", birth_date=dt.date(1984, 3, 7),
                              phone="(413) 555-0147", home_location=location)
    with pytest.raises(Conflict) as refused:
        patient_register(actor=clerk, location=location,
                         **{**REGISTRATION, "family_name": "Quinteró", "given_name": "Marisool",
                            "birth_date": dt.date(1984, 7, 3)})
    assert refused.value.code == "possible-duplicate"
    assert refused.value.matches[0].patient == existing
    assert "date of birth (transposed)" in refused.value.matches[0].result.agreeing
    assert Patient.objects.count() == 1
    # The refusal rolled the work back, but showing the existing chart is a disclosure: it stays in the trail.
    shown = AuditEntry.objects.get(action="patient.match.shown")
    assert shown.patient_id == existing.pk and shown.actor_id == clerk.pk and shown.detail == {"source": "registration"}


def test_patient_register_anyway_needs_a_reason_that_is_audited(clerk, location, clock):
    existing = PatientFactory(family_name="Quintero", given_name="Marisol", birth_date=dt.date(1984, 3, 7),
                              phone="(413) 555-0147", home_location=location)
    patient = patient_register(actor=clerk, location=location, **REGISTRATION,
                               duplicate_reason="Twin sister, confirmed with photo ID")
    entry = AuditEntry.objects.get(action="patient.create.duplicate_override")
    assert entry.detail["reason"] == "Twin sister, confirmed with photo ID" and entry.detail["matches"] == [
        existing.pk]
    pair = DuplicateCandidate.objects.get()
    assert {pair.first_id, pair.second_id} == {existing.pk, patient.pk} and pair.source == "registration"


def test_patient_register_replays_a_double_click(clerk, location, clock):
    first = patient_register(actor=clerk, location=location, **REGISTRATION, idempotency_key="k-1")
    again = patient_register(actor=clerk, location=location, **REGISTRATION, idempotency_key="k-1")
    assert first.pk == again.pk and Patient.objects.count() == 1


def test_patient_register_refuses_a_user_of_another_location(clerk_elsewhere, location, clock):
    with pytest.raises(PermissionDenied):
        patient_register(actor=clerk_elsewhere, location=location, **REGISTRATION)
    assert AuditEntry.objects.filter(action="access.denied", actor=clerk_elsewhere).exists()


def test_patient_register_refuses_an_outsider(outsider, location, clock):
    with pytest.raises(PermissionDenied):
        patient_register(actor=outsider, location=location, **REGISTRATION)


def _form(location, **overrides):
    data = {"family_name": "Quintero", "given_name": "Marisol", "birth_date": "03/07/1984", "sex": "female",
            "phone": "413-555-0147", "phone_type": "mobile", "alt_phone_type": "home", "preferred_language": "en",
            "location": str(location.pk), "idempotency_key": "", "email": "", "state": "", "postal_code": ""}
    data.update(overrides)
    return data


def test_registration_screen_registers_and_opens_the_chart(signed_in, location, clock):
    client = signed_in(at=location)
    response = client.post("/patients/new/", _form(location))
    patient = Patient.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/patients/{patient.pk}/"


def test_registration_screen_shows_matches_before_saving(signed_in, location, clock):
    client = signed_in(at=location)
    existing = PatientFactory(family_name="Quintero", given_name="Marisol", birth_date=dt.date(1984, 3, 7),
                              home_location=location)
    response = client.post("/patients/new/", _form(location, given_name="Marysol", birth_date="07/03/1984"))
    assert response.status_code == 200
    html = response.content.decode()
    assert "may already have a chart" in html and existing.mrn in html and "day and month swapped" in html
    assert Patient.objects.count() == 1
    response = client.post("/patients/new/", _form(location, given_name="Marysol", birth_date="07/03/1984",
                                                   duplicate_reason="Different person, checked ID"))
    assert response.status_code == 302 and Patient.objects.count() == 2


def test_registration_screen_asks_for_the_reason_when_registering_anyway_without_one(signed_in, location, clock):
    client = signed_in(at=location)
    existing = PatientFactory(family_name="Quintero", given_name="Marisol", birth_date=dt.date(1984, 3, 7),
                              home_location=location)
    response = client.post("/patients/new/", _form(location, given_name="Marysol", birth_date="07/03/1984",
                                                   duplicate_reason="", register_anyway="1"))
    assert response.status_code == 422
    html = response.content.decode()
    assert "Give the reason" in html and existing.mrn in html  # the message, and the charts it refers to
    assert Patient.objects.count() == 1


def test_registration_screen_names_bad_fields(signed_in, location, clock):
    client = signed_in(at=location)
    response = client.post("/patients/new/", _form(location, birth_date="02/30/2020", state="QQ",
                                                   postal_code="ABCDE"))
    assert response.status_code == 422
    html = response.content.decode()
    assert "Enter a valid date" in html
    assert Patient.objects.count() == 0
    response = client.post("/patients/new/", _form(location, state="QQ", postal_code="ABCDE"))
    html = response.content.decode()
    assert response.status_code == 422 and "not a US state" in html and "ZIP code must be" in html


def test_registration_screen_is_refused_to_roles_without_write(signed_in):
    from clinicdesk.core.permissions import Role

    assert signed_in(Role.PROVIDER).get("/patients/new/").status_code == 403
