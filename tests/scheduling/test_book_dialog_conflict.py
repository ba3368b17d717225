"""A booking refused for a conflict keeps the chosen patient, by name, and says clearly why (#13 item 12):
before, the dialog came back with an empty search box and "Patient chosen." over nothing."""

from __future__ import annotations

from clinicdesk.core.permissions import Role
from clinicdesk.scheduling.models import Appointment
from tests.factories import AppointmentFactory, PatientFactory

from .conftest import TUESDAY, at


def test_a_conflict_keeps_the_chosen_patient_by_name_and_shows_the_conflict(db, clock, signed_in, location, provider,
                                                                          follow_up, patient):
    AppointmentFactory(location=location, practitioner=provider, appointment_type=follow_up,
                       patient=PatientFactory(home_location=location), start=at(TUESDAY, 9))
    clerk = signed_in(Role.FRONT_DESK, at=location)
    data = {"location": location.pk, "patient": patient.pk, "practitioner": provider.pk,
            "appointment_type": follow_up.pk, "day": TUESDAY.isoformat(), "time": "09:00", "idempotency_key": "c1"}
    answer = clerk.post("/schedule/book/new/", data, HTTP_HX_REQUEST="true")
    page = answer.content.decode()
    assert answer.status_code == 409
    assert "Patient chosen." not in page
    assert f'<input type="radio" name="patient" value="{patient.pk}" required checked>' in page
    assert patient.display_name in page and patient.mrn in page
    assert 'role="alert" id="book-error"><strong>Not booked: the time is not free.</strong>' in page
    assert 'value="09:00"' in page  # the other choices are kept too
    assert Appointment.objects.filter(patient=patient).count() == 0


def test_a_patient_of_another_location_is_not_named_when_the_dialog_comes_back(db, clock, signed_in, location,
                                                                               other_location, provider, follow_up):
    stranger_chart = PatientFactory(home_location=other_location, family_name="Hiddenname")
    clerk = signed_in(Role.FRONT_DESK, at=location)
    data = {"location": location.pk, "patient": stranger_chart.pk, "practitioner": provider.pk,
            "appointment_type": follow_up.pk, "day": TUESDAY.isoformat(), "time": "09:00", "idempotency_key": "c2"}
    answer = clerk.post("/schedule/book/new/", data, HTTP_HX_REQUEST="true")
    assert b"Hiddenname" not in answer.content
