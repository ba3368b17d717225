"""Appointment types set-up (#14): the service's rules, the screens and the JSON API."""

from __future__ import annotations

import json

import pytest

from clinicdesk.audit.models import AuditEntry
from clinicdesk.core.exceptions import NotFound, PermissionDenied, ValidationFailed
from clinicdesk.core.permissions import Role
from clinicdesk.scheduling.models import AppointmentType
from clinicdesk.scheduling.services import (
    appointment_type_create,
    appointment_type_deactivate,
    appointment_type_update,
)
from tests.factories import AppointmentTypeFactory, PractitionerFactory, UserFactory

GOOD = {"code": "new-patient", "name": "New patient", "patient_facing_name": "First visit", "duration_minutes": 40}


@pytest.fixture
def coordinator(location):
    return UserFactory(role=Role.PRACTICE_COORDINATOR, location=location)


def _create(actor, **changes):
    return appointment_type_create(actor=actor, **{**GOOD, **changes})


# --- the service ------------------------------------------------------------------------------------------------

def test_appointment_type_create_saves_every_field_and_audits_it(coordinator, location):
    doc = PractitionerFactory(location=location)
    kind = _create(coordinator, category="procedure", buffer_before_minutes=5, buffer_after_minutes=10,
                   room_kind="procedure", equipment_kinds=["ultrasound", "ultrasound"], telehealth=False,
                   checklist=["photo_id", "referral"], color="#AABBCC", name_es="Paciente nuevo",
                   patient_facing_name_es="Primera visita", allowed_practitioner_ids=[doc.pk], new_patient=True)
    kind.refresh_from_db()
    assert (kind.code, kind.duration_minutes, kind.color, kind.equipment_kinds) == (
        "new-patient", 40, "#aabbcc", ["ultrasound"])
    assert kind.patient_name_in("es") == "Primera visita" and list(kind.allowed_practitioners.all()) == [doc]
    entry = AuditEntry.objects.get(action="appointment_type.create")
    assert entry.detail["changes"]["duration_minutes"] == [None, 40]


@pytest.mark.parametrize(("changes", "field"), [
    ({"code": "New Patient!"}, "code"),
    ({"duration_minutes": 4}, "duration_minutes"),
    ({"duration_minutes": 481}, "duration_minutes"),
    ({"buffer_before_minutes": -5}, "buffer_before_minutes"),
    ({"buffer_after_minutes": 241}, "buffer_after_minutes"),
    ({"checklist": ["blood_test"]}, "checklist"),
    ({"room_kind": "kitchen"}, "room_kind"),
    ({"equipment_kinds": ["toaster"]}, "equipment_kinds"),
    ({"color": "blue"}, "color"),
    ({"category": "party"}, "category"),
    ({"name": "  "}, "name"),
    ({"allowed_practitioner_ids": [999999]}, "allowed_practitioner_ids"),
])
def test_appointment_type_create_refuses_a_broken_rule_and_writes_nothing(coordinator, changes, field):
    with pytest.raises(ValidationFailed) as refused:
        _create(coordinator, **changes)
    assert field in refused.value.fields
    assert not AppointmentType.objects.exists() and not AuditEntry.objects.filter(
        action="appointment_type.create").exists()


def test_appointment_type_create_refuses_a_code_in_use(coordinator):
    AppointmentTypeFactory(code="new-patient")
    with pytest.raises(ValidationFailed) as refused:
        _create(coordinator)
    assert refused.value.code == "duplicate-code" and AppointmentType.objects.count() == 1


def test_appointment_type_create_refuses_an_inactive_provider(coordinator, location):
    gone = PractitionerFactory(location=location, active=False)
    with pytest.raises(ValidationFailed):
        _create(coordinator, allowed_practitioner_ids=[gone.pk])
    assert not AppointmentType.objects.exists()


@pytest.mark.parametrize("role", [Role.FRONT_DESK, Role.PATIENT_COORDINATOR, Role.BILLING, Role.PROVIDER])
def test_appointment_type_create_is_refused_to_staff_who_do_not_set_up_the_practice(make_user, role):
    with pytest.raises(PermissionDenied):
        _create(make_user(role))
    assert not AppointmentType.objects.exists()


def test_appointment_type_create_is_allowed_to_the_system_administrator(make_user):
    assert _create(make_user(Role.SYSADMIN)).pk


def test_appointment_type_update_changes_only_what_is_given_and_keeps_a_history(coordinator, location):
    kind = _create(coordinator)
    doc = PractitionerFactory(location=location)
    appointment_type_update(actor=coordinator, appointment_type_id=kind.pk, duration_minutes=30,
                            allowed_practitioner_ids=[doc.pk])
    kind.refresh_from_db()
    assert kind.duration_minutes == 30 and kind.name == "New patient"
    entry = AuditEntry.objects.get(action="appointment_type.update")
    assert entry.detail["changes"] == {"duration_minutes": [40, 30], "allowed_practitioners": [[], [doc.pk]]}


def test_appointment_type_update_refuses_a_bad_duration_and_keeps_the_old_one(coordinator):
    kind = _create(coordinator)
    with pytest.raises(ValidationFailed):
        appointment_type_update(actor=coordinator, appointment_type_id=kind.pk, duration_minutes=0, name="Other")
    kind.refresh_from_db()
    assert (kind.duration_minutes, kind.name) == (40, "New patient")


def test_appointment_type_update_refuses_an_unknown_field(coordinator):
    kind = _create(coordinator)
    with pytest.raises(ValidationFailed) as refused:
        appointment_type_update(actor=coordinator, appointment_type_id=kind.pk, price=10)
    assert "price" in refused.value.fields


def test_appointment_type_update_of_a_missing_type_is_not_found(coordinator):
    with pytest.raises(NotFound):
        appointment_type_update(actor=coordinator, appointment_type_id=424242, name="X")


def test_appointment_type_deactivate_keeps_the_row_and_reactivates_through_update(coordinator):
    kind = _create(coordinator)
    appointment_type_deactivate(actor=coordinator, appointment_type_id=kind.pk)
    kind.refresh_from_db()
    assert kind.active is False
    appointment_type_update(actor=coordinator, appointment_type_id=kind.pk, active=True)
    kind.refresh_from_db()
    assert kind.active is True
    assert AuditEntry.objects.filter(action="appointment_type.deactivate").count() == 1


def test_appointment_type_deactivate_is_refused_to_the_front_desk(clerk, coordinator):
    kind = _create(coordinator)
    with pytest.raises(PermissionDenied):
        appointment_type_deactivate(actor=clerk, appointment_type_id=kind.pk)
    kind.refresh_from_db()
    assert kind.active


# --- the screens ------------------------------------------------------------------------------------------------

FORM = {"code": "physical", "name": "Annual physical", "name_es": "Examen anual",
        "patient_facing_name": "Annual check-up", "patient_facing_name_es": "Chequeo anual", "category": "visit",
        "duration_minutes": "30", "buffer_before_minutes": "0", "buffer_after_minutes": "5", "room_kind": "exam",
        "checklist": ["photo_id", "insurance_card"], "color": "#336699"}


def test_types_screen_lists_types_with_words_not_codes(signed_in):
    AppointmentTypeFactory(code="surgery-consult", name="Surgery consult", category="surgery")
    answer = signed_in(Role.PRACTICE_COORDINATOR).get("/schedule/setup/types/")
    assert answer.status_code == 200
    assert "Surgery consult" in answer.text and "Surgery" in answer.text and "surgery-consult" not in answer.text


def test_types_screen_is_refused_to_the_front_desk(signed_in):
    assert signed_in(Role.FRONT_DESK).get("/schedule/setup/types/").status_code == 403


def test_type_new_screen_shows_words_for_choices(signed_in, location):
    PractitionerFactory(location=location, last_name="Okafor")
    answer = signed_in(Role.PRACTICE_COORDINATOR).get("/schedule/setup/types/new/")
    assert answer.status_code == 200
    for words in ("Prior authorization", "Exam room", "Ultrasound", "Okafor", "Name shown to patients, in Spanish"):
        assert words in answer.text


def test_type_new_screen_creates_the_type_and_redirects_with_a_message(signed_in, location):
    doc = PractitionerFactory(location=location)
    client = signed_in(Role.PRACTICE_COORDINATOR)
    answer = client.post("/schedule/setup/types/new/", {**FORM, "allowed_practitioner_ids": [str(doc.pk)]},
                         follow=True)
    assert answer.redirect_chain[-1][0] == "/schedule/setup/types/"
    assert "Annual physical" in answer.text and "added" in answer.text
    kind = AppointmentType.objects.get(code="physical")
    assert kind.checklist == ["photo_id", "insurance_card"] and list(kind.allowed_practitioners.all()) == [doc]


def test_type_new_screen_shows_the_service_refusal_on_its_field(signed_in):
    answer = signed_in(Role.PRACTICE_COORDINATOR).post("/schedule/setup/types/new/",
                                                        {**FORM, "duration_minutes": "500"})
    assert answer.status_code == 422
    assert "A duration from 5 to 480 minutes." in answer.text and not AppointmentType.objects.exists()


def test_type_edit_screen_saves_and_shows_the_history(signed_in):
    kind = AppointmentTypeFactory(code="physical", name="Annual physical", duration_minutes=30)
    client = signed_in(Role.PRACTICE_COORDINATOR)
    answer = client.post(f"/schedule/setup/types/{kind.pk}/", {**FORM, "duration_minutes": "45"})
    assert answer.status_code == 302
    page = client.get(f"/schedule/setup/types/{kind.pk}/")
    assert page.status_code == 200 and "History of changes" in page.text
    assert "Duration (minutes)" in page.text and "Appointment type changed" in page.text


def test_type_deactivate_screen_deactivates_and_redirects(signed_in):
    kind = AppointmentTypeFactory(code="physical")
    answer = signed_in(Role.SYSADMIN).post(f"/schedule/setup/types/{kind.pk}/deactivate/")
    kind.refresh_from_db()
    assert answer.status_code == 302 and kind.active is False


# --- the API ----------------------------------------------------------------------------------------------------

def _post(client, url, body):
    return client.post(url, json.dumps(body), content_type="application/json")


def test_api_creates_an_appointment_type(signed_in, location):
    doc = PractitionerFactory(location=location)
    answer = _post(signed_in(Role.PRACTICE_COORDINATOR), "/api/v1/appointment-types", {
        "code": "tele", "name": "Telehealth check", "patientFacingName": "Video visit", "durationMinutes": 15,
        "telehealth": True, "checklist": ["photo_id"], "allowedPractitioners": [doc.pk]})
    assert answer.status_code == 201
    body = answer.json()
    assert body["telehealth"] is True and body["allowedPractitioners"] == [doc.pk] and body["active"] is True


def test_api_patch_changes_only_the_members_sent(signed_in):
    kind = AppointmentTypeFactory(code="physical", duration_minutes=30)
    answer = signed_in(Role.PRACTICE_COORDINATOR).patch(
        f"/api/v1/appointment-types/{kind.pk}", json.dumps({"bufferAfterMinutes": 10}),
        content_type="application/json")
    assert answer.status_code == 200 and answer.json()["bufferAfterMinutes"] == 10
    assert answer.json()["durationMinutes"] == 30


def test_api_refusal_names_the_member(signed_in):
    AppointmentTypeFactory(code="physical")
    answer = _post(signed_in(Role.PRACTICE_COORDINATOR), "/api/v1/appointment-types", {
        "code": "physical", "name": "X", "patientFacingName": "X", "durationMinutes": 15, "color": "#zzzzzz"})
    assert answer.status_code == 422
    assert set(answer.json()["errors"]) == {"code", "color"}


def test_api_refuses_a_duration_in_quotes(signed_in):
    answer = _post(signed_in(Role.PRACTICE_COORDINATOR), "/api/v1/appointment-types", {
        "code": "x", "name": "X", "patientFacingName": "X", "durationMinutes": "15"})
    assert answer.status_code == 422 and "durationMinutes" in answer.json()["errors"]


def test_api_deactivates_an_appointment_type(signed_in):
    kind = AppointmentTypeFactory(code="physical")
    answer = signed_in(Role.SYSADMIN).post(f"/api/v1/appointment-types/{kind.pk}/deactivate")
    assert answer.status_code == 200 and answer.json()["active"] is False


def test_api_list_hides_inactive_types_unless_asked(signed_in):
    AppointmentTypeFactory(code="gone", active=False)
    client = signed_in(Role.PRACTICE_COORDINATOR)
    assert client.get("/api/v1/appointment-types").json()["items"] == []
    assert len(client.get("/api/v1/appointment-types?inactive=include").json()["items"]) == 1


def test_api_create_is_refused_to_the_front_desk(signed_in):
    answer = _post(signed_in(Role.FRONT_DESK), "/api/v1/appointment-types", {
        "code": "x", "name": "X", "patientFacingName": "X", "durationMinutes": 15})
    assert answer.status_code == 403 and not AppointmentType.objects.exists()
