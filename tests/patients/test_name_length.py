"""Names longer than the 80 characters a chart holds are refused with a field error naming the field, on every
way a name comes in: the registration form (no `maxlength` that cuts a pasted name silently in the browser),
the service the JSON and FHIR faces call, the FHIR API and the CSV import (#13 item 12)."""

from __future__ import annotations

import io
import re

import pytest
from django.core.management import call_command

from clinicdesk.core.exceptions import ValidationFailed
from clinicdesk.patients.models import Patient
from clinicdesk.patients.services import patient_register

from .conftest import REGISTRATION

LONG = "Montenegro-" + "a" * 70  # 81 characters: one more than a name holds
NAME_FIELDS = ["family_name", "given_name", "middle_name", "preferred_name", "previous_family_name"]


@pytest.mark.parametrize("field", NAME_FIELDS)
def test_the_service_refuses_a_name_over_80_characters_naming_the_field(clerk, location, clock, field):
    assert len(LONG) == 81
    with pytest.raises(ValidationFailed) as refused:
        patient_register(actor=clerk, location=location, **{**REGISTRATION, field: LONG})
    assert "80 characters at most" in " ".join(refused.value.fields[field])
    assert Patient.objects.count() == 0


def test_a_name_of_exactly_80_characters_is_kept_whole(clerk, location, clock):
    patient = patient_register(actor=clerk, location=location, **{**REGISTRATION, "family_name": LONG[:80]})
    assert Patient.objects.get(pk=patient.pk).family_name == LONG[:80]


def test_a_suffix_over_10_characters_is_refused_not_cut(clerk, location, clock):
    with pytest.raises(ValidationFailed) as refused:
        patient_register(actor=clerk, location=location, **{**REGISTRATION, "suffix": "Junior the Third"})
    assert "10 characters at most" in " ".join(refused.value.fields["suffix"])


def test_the_emergency_contact_name_is_refused_over_80_characters(clerk, location, clock):
    with pytest.raises(ValidationFailed) as refused:
        patient_register(actor=clerk, location=location, **REGISTRATION,
                         contacts=[{"kind": "emergency", "name": LONG, "relationship": "brother",
                                    "phone": "413-555-0111"}])
    assert "80 characters at most" in " ".join(refused.value.fields["emergency_name"])


def _form(location, **overrides):
    data = {"family_name": "Quintero", "given_name": "Marisol", "birth_date": "03/07/1984", "sex": "female",
            "phone": "413-555-0147", "phone_type": "mobile", "alt_phone_type": "home", "preferred_language": "en",
            "location": str(location.pk), "idempotency_key": "", "email": "", "state": "", "postal_code": ""}
    data.update(overrides)
    return data


def test_the_registration_form_does_not_cut_a_long_name_and_says_what_is_wrong(signed_in, location, clock):
    client = signed_in(at=location)
    blank = client.get("/patients/new/").content.decode()
    for field in [*NAME_FIELDS, "emergency_name", "guarantor_name", "suffix"]:
        tag = re.search(rf'<input[^>]*name="{field}"[^>]*>', blank).group(0)
        assert "maxlength" not in tag, tag  # the browser would cut a pasted name without a word
    for field in ["family_name", "emergency_name"]:
        response = client.post("/patients/new/", _form(location, **{field: LONG, "emergency_relationship": "brother",
                                                                     "emergency_phone": "413-555-0111"}))
        assert response.status_code == 422
        assert "too long (80 characters at most)" in response.content.decode()
    assert Patient.objects.count() == 0


def test_the_csv_import_refuses_a_long_name_on_its_line(tmp_path, location, clock):
    path = tmp_path / "patients.csv"
    path.write_text("family_name,given_name,birth_date,sex,location\n"
                    f"{LONG},Marisol,03/07/1984,F,{location.code}\n")
    out, err = io.StringIO(), io.StringIO()
    with pytest.raises(Exception):  # noqa: B017 - the command fails: nothing saved (all or nothing)
        call_command("import", "patients", str(path), "--no-progress", stdout=out, stderr=err)
    report = out.getvalue() + err.getvalue()
    assert "80 characters at most" in report and "Last name" in report
    assert Patient.objects.count() == 0
