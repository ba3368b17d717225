"""Faces of the waitlist (#14 item 3): the desk's form, the chart's action, the booking dialog's "instead", removal,
and the JSON API. Every write goes through waitlist_add / waitlist_remove."""

import json
import re

import pytest
from django.test import Client

from clinicdesk.core.permissions import Role
from clinicdesk.scheduling.models import WaitlistEntry
from clinicdesk.scheduling.services import waitlist_add
from tests.factories import PatientFactory


def _client(user):
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def desk(clerk):
    return _client(clerk)


def _form(location, patient, follow_up, **changes):
    data = {"at": location.pk, "patient": patient.pk, "appointment_type": follow_up.pk, "location": location.pk,
            "notice_hours": 12, "priority": 2, "weekdays": ["1", "3"], "earliest_time": "09:00",
            "latest_time": "12:00", "note": "Prefers mornings"}
    data.update(changes)
    return data


def test_waitlist_form_adds_the_patient_with_preferences(db, clock, desk, location, provider, follow_up, patient):
    answer = desk.post("/schedule/waitlist/new/", _form(location, patient, follow_up, practitioners=[provider.pk]),
                       follow=True)
    assert answer.status_code == 200
    entry = WaitlistEntry.objects.get()
    assert (entry.patient, entry.location, entry.weekdays, entry.priority) == (patient, location, [1, 3], 2)
    assert list(entry.practitioners.all()) == [provider]
    assert f"{patient.display_name} is on the waitlist." in answer.content.decode()
    assert "Tuesday, Thursday" in answer.content.decode()  # the days in words on the list


def test_waitlist_form_refuses_bad_input_with_a_422_and_writes_nothing(db, clock, desk, location, follow_up,
                                                                        patient):
    answer = desk.post("/schedule/waitlist/new/", _form(location, patient, follow_up, latest_time="08:00"))
    assert answer.status_code == 422
    assert "The latest time is not after the earliest time." in answer.content.decode()
    assert desk.post("/schedule/waitlist/new/", _form(location, patient, follow_up,
                                                      notice_hours="999")).status_code == 422
    assert not WaitlistEntry.objects.exists()


def test_waitlist_form_is_refused_to_a_role_without_schedule_write(db, clock, location, follow_up, patient,
                                                                   billing_user):
    biller = _client(billing_user)
    assert biller.get(f"/schedule/waitlist/new/?location={location.pk}").status_code == 403
    assert biller.post("/schedule/waitlist/new/", _form(location, patient, follow_up)).status_code == 403
    assert not WaitlistEntry.objects.exists()


def test_waitlist_form_is_hidden_from_a_user_of_another_location(db, clock, location, follow_up, patient, outsider):
    answer = _client(outsider).post("/schedule/waitlist/new/", _form(location, patient, follow_up))
    assert answer.status_code == 404
    assert not WaitlistEntry.objects.exists()


def test_waitlist_form_opens_from_the_chart_with_the_patient_filled_in(db, clock, desk, location, patient):
    chart = desk.get(f"/patients/{patient.pk}/").content.decode()
    assert f"/schedule/waitlist/new/?patient={patient.pk}" in chart
    page = desk.get(f"/schedule/waitlist/new/?patient={patient.pk}").content.decode()
    assert patient.display_name in page and f'value="{patient.pk}" required checked' in page


def test_booking_dialog_offers_the_waitlist_with_type_and_provider_carried_over(db, clock, desk, location, provider,
                                                                              follow_up, patient):
    dialog = desk.get(f"/schedule/book/?location={location.pk}").content.decode()
    assert "Add to waitlist instead" in dialog
    answer = desk.get(f"/schedule/waitlist/new/?location={location.pk}&patient={patient.pk}"
                      f"&appointment_type={follow_up.pk}&practitioner={provider.pk}", HTTP_HX_REQUEST="true")
    page = answer.content.decode()
    assert answer.status_code == 200 and "<html" not in page  # the dialog's partial
    assert f'value="{follow_up.pk}" selected' in page
    assert re.search(rf'name="practitioners" value="{provider.pk}"[^>]*checked', page)
    added = desk.post("/schedule/waitlist/new/", _form(location, patient, follow_up), HTTP_HX_REQUEST="true")
    assert added.status_code == 200 and "is on the waitlist" in added.content.decode()


def test_waitlist_remove_takes_the_patient_off(db, clock, desk, clerk, location, follow_up, patient):
    entry = waitlist_add(actor=clerk, patient_id=patient.pk, appointment_type_id=follow_up.pk,
                         location_id=location.pk)
    answer = desk.post(f"/schedule/waitlist/{entry.pk}/remove/", {"location": location.pk}, follow=True)
    assert answer.status_code == 200 and "was taken off the waitlist" in answer.content.decode()
    entry.refresh_from_db()
    assert entry.status == WaitlistEntry.Status.REMOVED


def test_waitlist_page_hides_the_buttons_from_readers(db, clock, clerk, location, follow_up, patient, make_user):
    waitlist_add(actor=clerk, patient_id=patient.pk, appointment_type_id=follow_up.pk, location_id=location.pk)
    page = _client(make_user(Role.PROVIDER)).get(f"/schedule/waitlist/?location={location.pk}").content.decode()
    assert "Add to waitlist" not in page and "/remove/" not in page


# --- the JSON API ---------------------------------------------------------------------------------------------

def _post(client, url, data):
    return client.post(url, json.dumps(data), content_type="application/json")


def test_api_waitlist_adds_lists_and_removes(db, clock, desk, location, provider, follow_up, patient):
    added = _post(desk, "/api/v1/waitlist", {"patient": patient.pk, "appointmentType": follow_up.pk,
                                             "location": location.pk, "practitioners": [provider.pk],
                                             "weekdays": [0, 4], "earliest": "08:30", "priority": 5})
    assert added.status_code == 201
    body = added.json()
    assert body["practitioners"] == [provider.pk] and body["earliest"] == "08:30" and body["status"] == "waiting"
    listed = desk.get(f"/api/v1/waitlist?location={location.pk}").json()["items"]
    assert [e["id"] for e in listed] == [body["id"]]
    removed = _post(desk, f"/api/v1/waitlist/{body['id']}/remove", {})
    assert removed.status_code == 200 and removed.json()["status"] == "removed"
    assert desk.get(f"/api/v1/waitlist?location={location.pk}").json()["items"] == []


def test_api_waitlist_refuses_bad_members_with_a_422_naming_them(db, clock, desk, location, follow_up, patient):
    for member, value in (("priority", 500), ("weekdays", [9]), ("earliest", "9am"), ("patient", "1")):
        data = {"patient": patient.pk, "appointmentType": follow_up.pk, "location": location.pk, member: value}
        answer = _post(desk, "/api/v1/waitlist", data)
        assert answer.status_code == 422, member
        assert member in answer.json()["errors"], member
    unknown = _post(desk, "/api/v1/waitlist", {"patient": patient.pk, "appointmentType": follow_up.pk,
                                               "location": 987654})
    assert unknown.status_code in (403, 422)
    assert not WaitlistEntry.objects.exists()


def test_api_waitlist_of_another_location_is_hidden(db, clock, location, follow_up, patient, outsider):
    other = _client(outsider)
    assert other.get(f"/api/v1/waitlist?location={location.pk}").status_code == 404
    answer = _post(other, "/api/v1/waitlist", {"patient": patient.pk, "appointmentType": follow_up.pk,
                                               "location": location.pk})
    assert answer.status_code == 403
    assert not WaitlistEntry.objects.exists()


def test_api_waitlist_add_is_refused_to_a_role_without_schedule_write(db, clock, location, follow_up, patient,
                                                                      billing_user):
    answer = _post(_client(billing_user), "/api/v1/waitlist",
                   {"patient": PatientFactory(home_location=location).pk, "appointmentType": follow_up.pk,
                    "location": location.pk})
    assert answer.status_code == 403
