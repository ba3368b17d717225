import datetime as dt

import pytest

from clinicdesk.core.exceptions import PermissionDenied, ValidationFailed
from clinicdesk.patients.models import PatientChange
from clinicdesk.patients.services import (
    patient_inactivate,
    patient_mark_deceased,
    patient_reactivate,
    patient_update,
)
from tests.factories import PatientFactory


@pytest.fixture
def patient(location):
    return PatientFactory(home_location=location, family_name="Lopez", given_name="Ana", phone="(413) 555-0199")


def test_patient_update_keeps_who_when_old_and_new(clerk, patient, clock):
    patient_update(actor=clerk, patient_id=patient.pk, changes={"family_name": "Lopez-Ruiz",
                                                                "phone": "413 555 0123", "email": ""})
    changes = {c.field: c for c in PatientChange.objects.filter(patient=patient)}
    assert set(changes) == {"family_name", "phone"}
    assert (changes["family_name"].old_value, changes["family_name"].new_value) == ("Lopez", "Lopez-Ruiz")
    assert changes["phone"].changed_by == clerk and changes["phone"].changed_at == clock.now()
    patient.refresh_from_db()
    assert patient.name_key.startswith("lopezruiz ") and patient.phone_digits == "4135550123"


def test_patient_update_refuses_bad_values_and_changes_nothing(clerk, patient, clock):
    with pytest.raises(ValidationFailed) as refused:
        patient_update(actor=clerk, patient_id=patient.pk, changes={"family_name": "New", "state": "ZZ"})
    assert "state" in refused.value.fields
    patient.refresh_from_db()
    assert patient.family_name == "Lopez" and not PatientChange.objects.exists()


def test_inactivate_and_reactivate_are_kept_in_history(clerk, patient, clock):
    patient_inactivate(actor=clerk, patient_id=patient.pk, reason="Moved out of state")
    patient.refresh_from_db()
    assert not patient.active and patient.inactive_reason == "Moved out of state"
    patient_reactivate(actor=clerk, patient_id=patient.pk)
    assert list(PatientChange.objects.filter(patient=patient, field="active").values_list("new_value", flat=True)) \
        == ["True", "False"]


def test_mark_deceased_checks_the_date(clerk, patient, clock):
    for day in ("2030-01-01", "1901-01-01", "2026-02-30"):
        with pytest.raises(ValidationFailed) as refused:
            patient_mark_deceased(actor=clerk, patient_id=patient.pk, deceased_date=day)
        assert "deceased_date" in refused.value.fields
    patient_mark_deceased(actor=clerk, patient_id=patient.pk, deceased_date=dt.date(2026, 11, 1))
    patient.refresh_from_db()
    assert patient.deceased_date == dt.date(2026, 11, 1)


def test_lifecycle_refuses_other_locations_and_outsiders(clerk_elsewhere, outsider, patient, clock):
    for actor in (clerk_elsewhere, outsider):
        with pytest.raises(PermissionDenied):
            patient_inactivate(actor=actor, patient_id=patient.pk, reason="x")
        with pytest.raises(PermissionDenied):
            patient_update(actor=actor, patient_id=patient.pk, changes={"family_name": "X"})


def test_edit_screen_changes_demographics_and_shows_history(signed_in, location, patient, clock):
    client = signed_in(at=location)
    form = client.get(f"/patients/{patient.pk}/edit/")
    assert form.status_code == 200
    data = {name: value for name, value in form.context["form"].initial.items() if value not in (None, False)}
    data.update(family_name="Lopez-Ruiz", birth_date="05/17/1980", race=[])
    response = client.post(f"/patients/{patient.pk}/edit/", data)
    assert response.status_code == 302
    html = client.get(f"/patients/{patient.pk}/").content.decode()
    history = html[html.index('id="change-history"'):]
    assert "Lopez-Ruiz" in history and "<td>Last name</td>" in history and "family_name" not in history  # words
