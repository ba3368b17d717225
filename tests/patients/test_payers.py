"""The payer list and its default co-pays (practice administrators), its screens and /api/v1/payers; the
defaults fill a new coverage's co-pays when the desk leaves them empty."""

import datetime as dt
import json
from decimal import Decimal

import pytest

from clinicdesk.audit.models import AuditEntry
from clinicdesk.core.exceptions import NotFound, PermissionDenied, ValidationFailed
from clinicdesk.core.permissions import Role
from clinicdesk.patients.models import Payer
from clinicdesk.patients.services import coverage_add, payer_create, payer_deactivate, payer_update
from tests.factories import PatientFactory

PAYERS = "/patients/payers/"


@pytest.fixture
def coordinator(make_user):
    return make_user(Role.PRACTICE_COORDINATOR)


def test_payer_create_keeps_code_kind_and_default_copays(coordinator):
    payer = payer_create(actor=coordinator, name="  Mesa   Health ", payer_code="mh-01", kind="medicaid",
                         default_copay_primary="15", default_copay_specialist=Decimal("35.50"))
    assert payer.name == "Mesa Health" and payer.payer_code == "MH-01" and payer.kind == "medicaid"
    assert payer.default_copay_primary == Decimal("15") and payer.default_copay_specialist == Decimal("35.50")
    assert AuditEntry.objects.get(action="payer.create").detail["changes"]["name"] == [None, "Mesa Health"]


@pytest.mark.parametrize(("values", "field"), [
    ({"name": ""}, "name"), ({"name": "Aetna"}, "name"), ({"name": "aetna"}, "name"),
    ({"kind": "hmo"}, "kind"), ({"payer_code": "a b"}, "payer_code"),
    ({"default_copay_primary": "-5"}, "default_copay_primary"),
    ({"default_copay_specialist": "12.345"}, "default_copay_specialist")])
def test_payer_create_refuses_bad_input_and_writes_nothing(coordinator, values, field):
    before = Payer.objects.count()
    with pytest.raises(ValidationFailed) as error:
        payer_create(actor=coordinator, **{"name": "Mesa Health", **values})
    assert field in error.value.fields and Payer.objects.count() == before


@pytest.mark.parametrize("role", [Role.FRONT_DESK, Role.PROVIDER, Role.COMPLIANCE])
def test_payers_are_managed_by_practice_administrators_only(make_user, role):
    """Coordinators and billing keep the payer list (#18); see test_payers_plans.py for billing."""
    other = make_user(role)
    aetna = Payer.objects.get(name="Aetna")
    with pytest.raises(PermissionDenied):
        payer_create(actor=other, name="Mesa Health")
    with pytest.raises(PermissionDenied):
        payer_deactivate(actor=other, payer_id=aetna.pk)
    assert not Payer.objects.filter(name="Mesa Health").exists() and Payer.objects.get(pk=aetna.pk).active


def test_system_administrator_manages_payers_too(make_user):
    assert payer_create(actor=make_user(Role.SYSADMIN), name="Mesa Health").active


def test_payer_update_records_what_changed(coordinator):
    aetna = Payer.objects.get(name="Aetna")
    payer_update(actor=coordinator, payer_id=aetna.pk, default_copay_primary="20", kind="commercial")
    entry = AuditEntry.objects.get(action="payer.update")
    assert entry.detail == {"changes": {"default_copay_primary": [None, "20.00"]}}


def test_payer_update_refuses_an_unknown_payer(coordinator):
    with pytest.raises(NotFound):
        payer_update(actor=coordinator, payer_id=999999, name="X")


def test_deactivated_payer_is_not_offered_but_coverage_keeps_it(coordinator, clerk, location):
    aetna = Payer.objects.get(name="Aetna")
    patient = PatientFactory(home_location=location)
    coverage = coverage_add(actor=clerk, patient_id=patient.pk, payer_id=aetna.pk, member_id="W1",
                            start_date=dt.date(2026, 1, 1))
    payer_deactivate(actor=coordinator, payer_id=aetna.pk)
    coverage.refresh_from_db()
    assert coverage.payer_id == aetna.pk
    with pytest.raises(ValidationFailed):
        coverage_add(actor=clerk, patient_id=patient.pk, payer_id=aetna.pk, member_id="W2", order=2,
                     start_date=dt.date(2026, 1, 1))
    payer_update(actor=coordinator, payer_id=aetna.pk, active=True)
    assert Payer.objects.get(pk=aetna.pk).active


def test_payer_default_copays_fill_a_new_coverage_when_left_empty(coordinator, clerk, location):
    mesa = payer_create(actor=coordinator, name="Mesa Health", default_copay_primary="15",
                        default_copay_specialist="40")
    patient = PatientFactory(home_location=location)
    coverage = coverage_add(actor=clerk, patient_id=patient.pk, payer_id=mesa.pk, member_id="W1",
                            start_date=dt.date(2026, 1, 1), copay_primary="", copay_specialist="55")
    assert coverage.copay_primary == Decimal("15.00") and coverage.copay_specialist == Decimal("55")


def test_insurance_form_fills_the_default_copays(coordinator, signed_in, location):
    mesa = payer_create(actor=coordinator, name="Mesa Health", default_copay_primary="15")
    desk = signed_in(Role.FRONT_DESK, at=location)
    patient = PatientFactory(home_location=location)
    response = desk.post(f"/patients/{patient.pk}/insurance/new/", {
        "payer": mesa.pk, "member_id": "Z9", "order": 1, "start_date": "03/01/2026", "relationship": "self"})
    assert response.status_code == 302
    coverage = patient.coverages.get()
    assert coverage.copay_primary == Decimal("15.00") and coverage.copay_specialist is None


# --- screens ----------------------------------------------------------------------------------------------------

def test_payer_list_shows_words_and_links(signed_in):
    admin = signed_in(Role.PRACTICE_COORDINATOR)
    aetna = Payer.objects.get(name="Aetna")
    page = admin.get(PAYERS)
    assert page.status_code == 200 and f"{PAYERS}{aetna.pk}/".encode() in page.content
    assert b"Medicare Advantage" in page.content and b"medicare-advantage" not in page.content
    assert b"/patients/payers/new/" in page.content


@pytest.mark.parametrize("role", [Role.FRONT_DESK, Role.NURSE])
def test_payer_screens_refuse_other_roles(signed_in, role):
    other = signed_in(role)
    aetna = Payer.objects.get(name="Aetna")
    assert other.get(PAYERS).status_code == 403
    assert other.post(PAYERS + "new/", {"name": "Mesa Health", "kind": "commercial"}).status_code == 403
    assert other.post(f"{PAYERS}{aetna.pk}/deactivate/").status_code == 403
    assert not Payer.objects.filter(name="Mesa Health").exists()


def test_payer_add_screen_saves_and_redirects_with_a_message(signed_in):
    admin = signed_in(Role.PRACTICE_COORDINATOR)
    assert admin.get(PAYERS + "new/").status_code == 200
    response = admin.post(PAYERS + "new/", {"name": "Mesa Health", "payer_code": "MH01", "kind": "commercial",
                                            "default_copay_primary": "15.00"}, follow=True)
    mesa = Payer.objects.get(name="Mesa Health")
    assert response.redirect_chain[-1][0] == f"{PAYERS}{mesa.pk}/" and b"Payer Mesa Health added." in response.content
    assert Payer.objects.get(name="Mesa Health").default_copay_primary == Decimal("15.00")


def test_payer_add_screen_shows_the_rule_on_the_field(signed_in):
    admin = signed_in(Role.PRACTICE_COORDINATOR)
    response = admin.post(PAYERS + "new/", {"name": "aetna", "kind": "commercial"})
    assert response.status_code == 422 and "name" in response.context["form"].errors
    response = admin.post(PAYERS + "new/", {"name": "Mesa", "kind": "commercial", "default_copay_primary": "-1"})
    assert response.status_code == 422 and "default_copay_primary" in response.context["form"].errors


def test_payer_edit_screen_saves_and_shows_the_history(signed_in):
    admin = signed_in(Role.PRACTICE_COORDINATOR)
    aetna = Payer.objects.get(name="Aetna")
    url = f"{PAYERS}{aetna.pk}/edit/"
    assert admin.get(url).status_code == 200
    admin.post(url, {"name": "Aetna", "payer_code": "60054", "kind": "medicaid", "default_copay_specialist": "40",
                     "active": "on"})
    history = admin.get(url).context["history"]
    assert history[0].action == "Payer changed"
    assert ("kind", "Commercial", "Medicaid") in history[0].changes
    assert Payer.objects.get(pk=aetna.pk).default_copay_specialist == Decimal("40")


def test_payer_deactivate_button(signed_in):
    admin = signed_in(Role.PRACTICE_COORDINATOR)
    aetna = Payer.objects.get(name="Aetna")
    response = admin.post(f"{PAYERS}{aetna.pk}/deactivate/", follow=True)
    assert b"deactivated" in response.content and not Payer.objects.get(pk=aetna.pk).active
    assert aetna.name.encode() in admin.get(PAYERS + "?inactive=include").content


# --- API --------------------------------------------------------------------------------------------------------

def _post(client, url, body=None):
    return client.post(url, json.dumps(body or {}), content_type="application/json")


def test_payers_api_shape_and_writes(signed_in):
    admin = signed_in(Role.PRACTICE_COORDINATOR)
    created = _post(admin, "/api/v1/payers", {"name": "Mesa Health", "payerCode": "MH01", "kind": "medicaid",
                                               "defaultCopayPrimary": "15.00"})
    assert created.status_code == 201
    assert created.json() == {"id": created.json()["id"], "name": "Mesa Health", "payerCode": "MH01",
                              "kind": "medicaid", "addressLine": "", "city": "", "state": "", "postalCode": "",
                              "phone": "", "claimChannel": "none", "eligibilityChannel": "none",
                              "defaultCopayPrimary": "15.00", "defaultCopaySpecialist": None, "active": True}
    pk = created.json()["id"]
    changed = admin.patch(f"/api/v1/payers/{pk}", json.dumps({"defaultCopayPrimary": None,
                                                               "defaultCopaySpecialist": "30.00"}),
                          content_type="application/json")
    assert changed.json()["defaultCopayPrimary"] is None and changed.json()["defaultCopaySpecialist"] == "30.00"
    assert _post(admin, f"/api/v1/payers/{pk}/deactivate").json()["active"] is False
    names = [item["name"] for item in admin.get("/api/v1/payers").json()["items"]]
    assert "Mesa Health" not in names and "Aetna" in names
    assert "Mesa Health" in [i["name"] for i in admin.get("/api/v1/payers?inactive=include").json()["items"]]


def test_payers_api_refuses_a_negative_copay_and_other_roles(signed_in):
    admin = signed_in(Role.PRACTICE_COORDINATOR)
    response = _post(admin, "/api/v1/payers", {"name": "Mesa Health", "defaultCopayPrimary": "-1.00"})
    assert response.status_code == 422 and not Payer.objects.filter(name="Mesa Health").exists()
    desk = signed_in(Role.FRONT_DESK)
    assert desk.get("/api/v1/payers").status_code == 403
    assert _post(desk, "/api/v1/payers", {"name": "Mesa Health"}).status_code == 403
