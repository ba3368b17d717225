"""The edit-demographics form opens only for roles that may save it (patient.write at the patient's location):
the others get the same answer on GET as on POST, and the chart offers them no link to it."""

from __future__ import annotations

import pytest

from clinicdesk.core.permissions import ROLE_PERMISSIONS, Perm, Role

WRITERS = {role for role, perms in ROLE_PERMISSIONS.items() if Perm.PATIENT_WRITE in perms}


@pytest.mark.parametrize("role", list(Role), ids=[r.value for r in Role])
def test_the_edit_form_answers_each_role_as_saving_it_would(role, signed_in, location, patient):
    client = signed_in(role, at=location)
    page = client.get(f"/patients/{patient.pk}/edit/")
    saved = client.post(f"/patients/{patient.pk}/edit/", {"family_name": ""})  # invalid: never saved
    if role in WRITERS:
        assert page.status_code == 200 and b'name="family_name"' in page.content
        assert saved.status_code == 422
    else:
        assert page.status_code == 403 and b'name="family_name"' not in page.content
        assert saved.status_code == 403
    if Perm.PATIENT_READ in ROLE_PERMISSIONS[role]:
        chart = client.get(f"/patients/{patient.pk}/")
        assert chart.status_code == 200
        assert (f'/patients/{patient.pk}/edit/'.encode() in chart.content) == (role in WRITERS)


@pytest.mark.parametrize("role", sorted(WRITERS), ids=sorted(r.value for r in WRITERS))
def test_a_writer_of_another_location_gets_404_for_the_form_as_for_a_missing_patient(
        role, signed_in, other_location, patient):
    client = signed_in(role, at=other_location)
    if role == Role.PRACTICE_COORDINATOR:  # practice-wide: every location is theirs
        assert client.get(f"/patients/{patient.pk}/edit/").status_code == 200
        return
    assert client.get(f"/patients/{patient.pk}/edit/").status_code == 404
    assert client.get(f"/patients/{patient.pk + 1000}/edit/").status_code == 404
