"""A walk-in goes to a provider who sees patients of that age (#13 item 12): a 58-year-old was given to the
paediatric PA. The practitioner holds the age range; the desk refuses a provider outside it and the queue
fits a walk-in for a service only into the gaps of providers who see the patient's age."""

from __future__ import annotations

import datetime as dt

import pytest

from clinicdesk.core.exceptions import ValidationFailed
from clinicdesk.core.permissions import Role
from clinicdesk.frontdesk.models import Visit
from clinicdesk.frontdesk.selectors import walk_in_queue
from clinicdesk.frontdesk.services import walk_in_add
from clinicdesk.practice.services import practitioner_create
from tests.factories import AppointmentFactory, PatientFactory, PractitionerFactory, UserFactory, weekly_availability

from .conftest import at


@pytest.fixture
def paediatric_pa(location):
    pa = PractitionerFactory(first_name="Pia", last_name="Peds", credentials="PA", specialty="Pediatrics",
                             min_patient_age=0, max_patient_age=17)
    weekly_availability(pa, location)
    return pa


@pytest.fixture
def adult(location):
    return PatientFactory(home_location=location, birth_date=dt.date(1968, 5, 17))  # 58 on 23 November 2026


def test_a_provider_outside_the_patients_age_is_refused_with_a_field_error(clerk, location, paediatric_pa, adult,
                                                                          clock):
    with pytest.raises(ValidationFailed) as refused:
        walk_in_add(actor=clerk, location_id=location.pk, patient_id=adult.pk, practitioner_id=paediatric_pa.pk)
    assert refused.value.code == "provider-age-range"
    assert "patients aged 0 to 17; this patient is 58" in refused.value.fields["practitioner"][0]
    assert not Visit.objects.exists()
    child = PatientFactory(home_location=location, birth_date=dt.date(2019, 1, 2))
    assert walk_in_add(actor=clerk, location_id=location.pk, patient_id=child.pk, practitioner_id=paediatric_pa.pk)


def test_a_walk_in_for_a_service_is_fitted_only_to_providers_who_see_that_age(clerk, location, provider, paediatric_pa,
                                                                             adult, follow_up_type, clock):
    # The family physician is booked until noon; the paediatric PA is free now. The adult waits for the physician.
    for hour in (10, 11):
        for minute in (0, 20, 40):
            AppointmentFactory(location=location, practitioner=provider, appointment_type=follow_up_type,
                               start=at(hour, minute))
    child = PatientFactory(home_location=location, birth_date=dt.date(2019, 1, 2))
    walk_in_add(actor=clerk, location_id=location.pk, patient_id=adult.pk, service_id=follow_up_type.pk)
    walk_in_add(actor=clerk, location_id=location.pk, patient_id=child.pk, service_id=follow_up_type.pk)
    queue = {q.visit.patient_id: q for q in walk_in_queue(actor=clerk, location=location)}
    assert queue[adult.pk].practitioner == provider and queue[adult.pk].estimated_start == at(12)
    assert queue[child.pk].practitioner == paediatric_pa


def test_the_walk_in_page_shows_each_providers_age_range(clerk, location, paediatric_pa, adult, clock):
    from django.test import Client

    client = Client()
    client.force_login(clerk)
    page = client.post(f"/frontdesk/walk-ins/?location={location.pk}", {"q": adult.family_name,
                                                                        "location": location.pk}).content.decode()
    assert "Pia Peds, PA (patients aged 0 to 17)" in page


def test_an_age_range_runs_from_low_to_high(location, clock):
    admin = UserFactory(role=Role.SYSADMIN, location=location)
    with pytest.raises(ValidationFailed) as refused:
        practitioner_create(actor=admin, first_name="A", last_name="B", npi="1234567893", location_ids=[location.pk],
                            min_patient_age=18, max_patient_age=17)
    assert refused.value.code == "bad-age-range"
    pa = practitioner_create(actor=admin, first_name="A", last_name="B", npi="1234567893", location_ids=[location.pk],
                             min_patient_age=0, max_patient_age=17)
    assert pa.sees_age(17) and not pa.sees_age(18) and pa.age_range_label == "patients aged 0 to 17"
