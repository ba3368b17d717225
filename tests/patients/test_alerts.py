"""Patient alerts: set by desk and clinical staff with a reason, ended (never deleted), audited; shown on the
chart, the flow board and the schedule; alert kinds managed by practice administrators."""

from __future__ import annotations

import json

import pytest
from django.test import Client

from clinicdesk.audit.models import AuditEntry
from clinicdesk.core.exceptions import Conflict, NotFound, PermissionDenied, ValidationFailed
from clinicdesk.core.permissions import Role
from clinicdesk.patients.models import AlertKind, PatientAlert
from clinicdesk.patients.selectors import alerts_for_patients, patient_alerts
from clinicdesk.patients.services import (
    alert_kind_create,
    alert_kind_deactivate,
    alert_kind_update,
    patient_alert_add,
    patient_alert_end,
)
from tests.factories import PatientFactory, UserFactory


@pytest.fixture
def latex(db):
    return AlertKind.objects.get(code="latex-allergy")


@pytest.fixture
def interpreter(db):
    return AlertKind.objects.get(code="interpreter")


@pytest.fixture
def nurse(location):
    return UserFactory(role=Role.NURSE, location=location)


@pytest.fixture
def admin(location):
    return UserFactory(role=Role.PRACTICE_COORDINATOR, location=location)


def _client(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_alert_kinds_seeded_with_the_four_standard_kinds(db):
    assert set(AlertKind.objects.values_list("code", flat=True)) >= {"behaviour", "fall-risk", "interpreter",
                                                                     "latex-allergy"}


def test_patient_alert_add_by_the_desk_records_reason_and_audit(clerk, patient, latex, clock):
    alert = patient_alert_add(actor=clerk, patient_id=patient.pk, kind_id=latex.pk, reason="Reacted in 2024")
    assert alert.active and alert.reason == "Reacted in 2024" and alert.created_by == clerk
    entry = AuditEntry.objects.filter(action="patient_alert.add").get()
    assert entry.patient_id == patient.pk


def test_patient_alert_add_by_a_nurse_is_allowed(nurse, patient, latex, clock):
    assert patient_alert_add(actor=nurse, patient_id=patient.pk, kind_id=latex.pk, reason="Told us").pk


def test_patient_alert_add_refuses_a_user_of_another_location(clerk_elsewhere, patient, latex, clock):
    with pytest.raises((NotFound, PermissionDenied)) as error:
        patient_alert_add(actor=clerk_elsewhere, patient_id=patient.pk, kind_id=latex.pk, reason="x")
    assert error.value.status == 404
    assert not PatientAlert.objects.exists()


def test_patient_alert_add_refuses_billing(location, patient, latex, clock):
    billing = UserFactory(role=Role.BILLING, location=location)
    with pytest.raises(PermissionDenied) as error:
        patient_alert_add(actor=billing, patient_id=patient.pk, kind_id=latex.pk, reason="x")
    assert error.value.status == 403
    assert not PatientAlert.objects.exists()


@pytest.mark.parametrize("reason", ["", "   ", "x" * 301, "bad\x00"])
def test_patient_alert_add_without_a_good_reason_writes_nothing(clerk, patient, latex, clock, reason):
    with pytest.raises(ValidationFailed) as error:
        patient_alert_add(actor=clerk, patient_id=patient.pk, kind_id=latex.pk, reason=reason)
    assert "reason" in error.value.fields
    assert not PatientAlert.objects.exists()


def test_patient_alert_add_interpreter_needs_the_language(clerk, patient, interpreter, clock):
    with pytest.raises(ValidationFailed) as error:
        patient_alert_add(actor=clerk, patient_id=patient.pk, kind_id=interpreter.pk, reason="Asked")
    assert "detail" in error.value.fields
    alert = patient_alert_add(actor=clerk, patient_id=patient.pk, kind_id=interpreter.pk, reason="Asked",
                              detail="Vietnamese")
    assert alert.label == "Interpreter needed: Vietnamese"


def test_patient_alert_add_refuses_an_inactive_kind(clerk, admin, patient, latex, clock):
    alert_kind_deactivate(actor=admin, kind_id=latex.pk)
    with pytest.raises(ValidationFailed):
        patient_alert_add(actor=clerk, patient_id=patient.pk, kind_id=latex.pk, reason="x")


def test_patient_alert_add_refuses_the_same_alert_twice(clerk, patient, latex, clock):
    patient_alert_add(actor=clerk, patient_id=patient.pk, kind_id=latex.pk, reason="x")
    with pytest.raises(Conflict):
        patient_alert_add(actor=clerk, patient_id=patient.pk, kind_id=latex.pk, reason="again")
    assert PatientAlert.objects.count() == 1


def test_patient_alert_end_keeps_it_in_the_history(clerk, patient, latex, clock):
    alert = patient_alert_add(actor=clerk, patient_id=patient.pk, kind_id=latex.pk, reason="x")
    patient_alert_end(actor=clerk, alert_id=alert.pk, reason="Tested negative")
    assert alerts_for_patients(clerk, [patient.pk]) == {}
    history = patient_alerts(actor=clerk, patient_id=patient.pk)
    assert [a.pk for a in history] == [alert.pk] and history[0].end_reason == "Tested negative"
    assert AuditEntry.objects.filter(action="patient_alert.end").count() == 1
    with pytest.raises(Conflict):
        patient_alert_end(actor=clerk, alert_id=alert.pk)


def test_patient_alert_end_refuses_another_location(clerk, clerk_elsewhere, patient, latex, clock):
    alert = patient_alert_add(actor=clerk, patient_id=patient.pk, kind_id=latex.pk, reason="x")
    with pytest.raises((NotFound, PermissionDenied)) as error:
        patient_alert_end(actor=clerk_elsewhere, alert_id=alert.pk)
    assert error.value.status == 404
    alert.refresh_from_db()
    assert alert.active


def test_alerts_for_patients_hides_a_restricted_charts_alerts(clerk, location, latex, clock):
    patient = PatientFactory(home_location=location)
    patient_alert_add(actor=clerk, patient_id=patient.pk, kind_id=latex.pk, reason="x")
    assert alerts_for_patients(clerk, [patient.pk])[patient.pk][0].kind == latex
    type(patient).objects.filter(pk=patient.pk).update(restricted=True)
    assert alerts_for_patients(clerk, [patient.pk]) == {}


# --- screens --------------------------------------------------------------------------------------------------

def test_chart_shows_the_alert_badge_with_its_label(clerk, patient, latex, clock):
    patient_alert_add(actor=clerk, patient_id=patient.pk, kind_id=latex.pk, reason="Reacted in 2024")
    page = _client(clerk).get(f"/patients/{patient.pk}/").content.decode()
    assert "Latex allergy" in page and "Reacted in 2024" in page and "alert-danger" in page


def test_alert_new_screen_sets_the_alert(clerk, patient, latex, clock):
    response = _client(clerk).post(f"/patients/{patient.pk}/alerts/new/", {"kind": latex.pk, "reason": "Said so"})
    assert response.status_code == 302
    assert PatientAlert.objects.get().reason == "Said so"


def test_alert_new_screen_shows_a_missing_reason(clerk, patient, latex, clock):
    response = _client(clerk).post(f"/patients/{patient.pk}/alerts/new/", {"kind": latex.pk, "reason": ""})
    assert response.status_code == 422
    assert not PatientAlert.objects.exists()


def test_alert_new_screen_is_hidden_from_another_location(clerk_elsewhere, patient, clock):
    assert _client(clerk_elsewhere).get(f"/patients/{patient.pk}/alerts/new/").status_code == 404


def test_alert_end_screen_ends_the_alert(clerk, patient, latex, clock):
    alert = patient_alert_add(actor=clerk, patient_id=patient.pk, kind_id=latex.pk, reason="x")
    response = _client(clerk).post(f"/patients/alerts/{alert.pk}/end/", {"reason": "Wrong chart"})
    assert response.status_code == 302
    alert.refresh_from_db()
    assert not alert.active and alert.end_reason == "Wrong chart"


# --- alert kinds ------------------------------------------------------------------------------------------------

def test_alert_kind_create_update_and_deactivate_are_audited(admin, db):
    kind = alert_kind_create(actor=admin, code="wheelchair", label_en="Wheelchair", label_es="Silla de ruedas",
                             severity="info")
    alert_kind_update(actor=admin, kind_id=kind.pk, label_en="Uses a wheelchair")
    alert_kind_deactivate(actor=admin, kind_id=kind.pk)
    kind.refresh_from_db()
    assert kind.label_en == "Uses a wheelchair" and not kind.active
    assert {"alert_kind.create", "alert_kind.update", "alert_kind.deactivate"} <= set(
        AuditEntry.objects.values_list("action", flat=True))


def test_alert_kind_create_refuses_the_desk(clerk):
    with pytest.raises(PermissionDenied):
        alert_kind_create(actor=clerk, code="x", label_en="X", label_es="X")


@pytest.mark.parametrize("values", [{"code": "Bad Code"}, {"label_en": ""}, {"severity": "purple"},
                                    {"code": "latex-allergy"}])
def test_alert_kind_create_refuses_bad_input_and_writes_nothing(admin, values):
    before = AlertKind.objects.count()
    with pytest.raises(ValidationFailed):
        alert_kind_create(actor=admin, **({"code": "new-kind", "label_en": "New", "label_es": "Nuevo"} | values))
    assert AlertKind.objects.count() == before


def test_alert_kinds_screen_lists_and_adds(admin, db):
    client = _client(admin)
    assert "Latex allergy" in client.get("/patients/alert-kinds/").content.decode()
    response = client.post("/patients/alert-kinds/new/", {"code": "wheelchair", "label_en": "Wheelchair",
                                                          "label_es": "Silla de ruedas", "severity": "info"})
    assert response.status_code == 302 and AlertKind.objects.filter(code="wheelchair").exists()


def test_alert_kinds_screen_is_refused_to_the_desk(clerk):
    assert _client(clerk).get("/patients/alert-kinds/").status_code == 403


# --- JSON API ---------------------------------------------------------------------------------------------------

def _api(user) -> Client:
    client = Client(enforce_csrf_checks=False)
    client.force_login(user)
    return client


def test_api_patient_alerts_post_list_and_end(clerk, patient, latex, clock):
    client = _api(clerk)
    created = client.post(f"/api/v1/patients/{patient.pk}/alerts", json.dumps({"kind": latex.pk, "reason": "x"}),
                          content_type="application/json")
    assert created.status_code == 201, created.content
    alert_id = created.json()["id"]
    listed = client.get(f"/api/v1/patients/{patient.pk}/alerts").json()["items"]
    assert [a["id"] for a in listed] == [alert_id] and listed[0]["active"]
    ended = client.post(f"/api/v1/patient-alerts/{alert_id}/end", json.dumps({"reason": "gone"}),
                        content_type="application/json")
    assert ended.status_code == 200 and ended.json()["active"] is False


def test_api_patient_alerts_post_refuses_bad_input(clerk, patient, latex, clock):
    response = _api(clerk).post(f"/api/v1/patients/{patient.pk}/alerts", json.dumps({"kind": "latex"}),
                                content_type="application/json")
    assert response.status_code == 422
    assert not PatientAlert.objects.exists()


def test_api_patient_alerts_hidden_from_another_location(clerk_elsewhere, patient, clock):
    assert _api(clerk_elsewhere).get(f"/api/v1/patients/{patient.pk}/alerts").status_code == 404


def test_api_alert_kinds_create_by_an_admin(admin, db):
    response = _api(admin).post("/api/v1/alert-kinds", json.dumps(
        {"code": "wheelchair", "labelEn": "Wheelchair", "labelEs": "Silla de ruedas", "severity": "info"}),
        content_type="application/json")
    assert response.status_code == 201, response.content
    assert response.json()["code"] == "wheelchair"
