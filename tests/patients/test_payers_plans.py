"""Payers as managed data (#18 item 1): address, phone, claim and eligibility channels, and plans; kept by a
practice coordinator or a billing user (one rule: patients.services.may_edit_payers), every change audited;
screens (list, a payer's page with its plans, forms), /api/v1/payers and /api/v1/payer-plans; the insurance
form offers the payer's plans; the seeded list starts with sensible channels."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from clinicdesk.audit.models import AuditEntry
from clinicdesk.core.exceptions import PermissionDenied, ValidationFailed
from clinicdesk.core.permissions import Role
from clinicdesk.patients.models import Coverage, Payer, PayerPlan
from clinicdesk.patients.seed import default_channels
from clinicdesk.patients.services import (
    coverage_add,
    coverage_update,
    may_edit_payers,
    payer_create,
    payer_plan_create,
    payer_plan_deactivate,
    payer_plan_update,
    payer_update,
    plans_offered,
)
from tests.factories import PatientFactory

pytestmark = pytest.mark.django_db
PAYERS = "/patients/payers/"


@pytest.fixture
def billing(make_user):
    return make_user(Role.BILLING)


@pytest.fixture
def coordinator(make_user):
    return make_user(Role.PRACTICE_COORDINATOR)


@pytest.fixture
def aetna(db):
    return Payer.objects.get(name="Aetna")


# --- the rule ----------------------------------------------------------------------------------------------------

@pytest.mark.parametrize(("role", "may"), [(Role.PRACTICE_COORDINATOR, True), (Role.BILLING, True),
                                           (Role.SYSADMIN, True), (Role.FRONT_DESK, False),
                                           (Role.PATIENT_COORDINATOR, False), (Role.PROVIDER, False)])
def test_payers_are_kept_by_coordinators_and_billing(make_user, role, may):
    assert may_edit_payers(make_user(role)) is may


def test_billing_adds_a_payer_with_address_phone_and_channels(billing):
    payer = payer_create(actor=billing, name="Mesa Health", payer_code="MH01", address_line=" PO Box  981106 ",
                         city="El Paso", state="tx", postal_code="79998-1106", phone="800 555 0199",
                         claim_channel="clearinghouse-batch", eligibility_channel="clearinghouse-realtime")
    assert (payer.address_line, payer.state, payer.postal_code, payer.phone) == (
        "PO Box 981106", "TX", "79998-1106", "(800) 555-0199")
    assert payer.get_claim_channel_display() == "Clearinghouse, batch"
    changes = AuditEntry.objects.get(action="payer.create").detail["changes"]
    assert changes["eligibility_channel"] == [None, "clearinghouse-realtime"]


@pytest.mark.parametrize(("values", "field"), [
    ({"state": "XX"}, "state"), ({"postal_code": "1234"}, "postal_code"), ({"phone": "12"}, "phone"),
    ({"claim_channel": "fax"}, "claim_channel"), ({"eligibility_channel": ""}, "eligibility_channel")])
def test_payer_contact_and_channels_are_checked(coordinator, aetna, values, field):
    with pytest.raises(ValidationFailed) as error:
        payer_update(actor=coordinator, payer_id=aetna.pk, **values)
    assert field in error.value.fields
    assert Payer.objects.get(pk=aetna.pk).claim_channel == "clearinghouse-batch"


def test_the_front_desk_cannot_change_payers_or_plans(make_user, aetna):
    desk = make_user(Role.FRONT_DESK)
    with pytest.raises(PermissionDenied):
        payer_update(actor=desk, payer_id=aetna.pk, phone="800 555 0100")
    with pytest.raises(PermissionDenied):
        payer_plan_create(actor=desk, payer_id=aetna.pk, name="Choice POS II")
    assert not PayerPlan.objects.exists()


def test_seeded_payers_start_with_sensible_channels():
    assert (Payer.objects.get(name="Aetna").claim_channel, Payer.objects.get(name="Aetna").eligibility_channel) == (
        "clearinghouse-batch", "clearinghouse-realtime")
    self_pay = Payer.objects.get(name="Self-pay")
    assert (self_pay.claim_channel, self_pay.eligibility_channel) == ("none", "none")
    assert Payer.objects.get(name="Workers' compensation").claim_channel == "paper-portal"
    assert default_channels("Somewhere", "", "commercial") == ("paper-portal", "paper-portal")


# --- plans -------------------------------------------------------------------------------------------------------

def test_plan_create_update_deactivate_are_audited(billing, aetna):
    plan = payer_plan_create(actor=billing, payer_id=aetna.pk, name=" Choice  POS II ", plan_type="pos",
                             network_id="AET-POS2")
    assert plan.name == "Choice POS II" and plan.get_plan_type_display() == "POS"
    payer_plan_update(actor=billing, plan_id=plan.pk, plan_type="hmo")
    payer_plan_deactivate(actor=billing, plan_id=plan.pk)
    actions = list(AuditEntry.objects.filter(resource_type="payerplan").order_by("pk").values_list("action",
                                                                                                   flat=True))
    assert actions == ["payer_plan.create", "payer_plan.update", "payer_plan.deactivate"]
    assert AuditEntry.objects.get(action="payer_plan.update").detail["changes"] == {"plan_type": ["pos", "hmo"]}


@pytest.mark.parametrize(("values", "field"), [({"name": ""}, "name"), ({"plan_type": "hdhp"}, "plan_type"),
                                               ({"name": "choice pos ii"}, "name")])
def test_plan_create_refuses_bad_input(billing, aetna, values, field):
    payer_plan_create(actor=billing, payer_id=aetna.pk, name="Choice POS II")
    with pytest.raises(ValidationFailed) as error:
        payer_plan_create(actor=billing, payer_id=aetna.pk, **{"name": "Open Access", **values})
    assert field in error.value.fields and PayerPlan.objects.count() == 1


def test_two_payers_may_have_plans_of_the_same_name(billing, aetna):
    payer_plan_create(actor=billing, payer_id=aetna.pk, name="Gold PPO")
    cigna = Payer.objects.get(name="Cigna")
    assert payer_plan_create(actor=billing, payer_id=cigna.pk, name="Gold PPO").payer == cigna


def test_coverage_names_a_plan_of_its_payer(billing, aetna, make_user, location):
    plan = payer_plan_create(actor=billing, payer_id=aetna.pk, name="Choice POS II", plan_type="pos")
    desk = make_user(Role.FRONT_DESK, at=location)
    patient = PatientFactory(home_location=location)
    coverage = coverage_add(actor=desk, patient_id=patient.pk, payer_id=aetna.pk, plan_id=plan.pk, member_id="W1",
                            start_date=dt.date(2026, 1, 1))
    assert coverage.plan == plan and coverage.plan_name == "Choice POS II"  # the words filled from the plan
    other = payer_plan_create(actor=billing, payer_id=Payer.objects.get(name="Cigna").pk, name="Open Access")
    with pytest.raises(ValidationFailed) as error:
        coverage_add(actor=desk, patient_id=patient.pk, payer_id=aetna.pk, plan_id=other.pk, member_id="W2",
                     start_date=dt.date(2026, 1, 1), order=2)
    assert "plan" in error.value.fields and Coverage.objects.count() == 1


def test_a_deactivated_plan_stays_on_its_coverage_but_is_not_offered(billing, aetna, make_user, location):
    plan = payer_plan_create(actor=billing, payer_id=aetna.pk, name="Choice POS II")
    desk = make_user(Role.FRONT_DESK, at=location)
    coverage = coverage_add(actor=desk, patient_id=PatientFactory(home_location=location).pk, payer_id=aetna.pk,
                            plan_id=plan.pk, member_id="W1", start_date=dt.date(2026, 1, 1))
    payer_plan_deactivate(actor=billing, plan_id=plan.pk)
    assert aetna.pk not in plans_offered()
    kept = coverage_update(actor=desk, coverage_id=coverage.pk, member_id="W2")
    assert kept.plan == plan and kept.member_id == "W2"


def test_insurance_form_offers_the_payers_plans_grouped(billing, aetna, signed_in, location):
    payer_plan_create(actor=billing, payer_id=aetna.pk, name="Choice POS II", plan_type="pos")
    desk = signed_in(Role.FRONT_DESK, at=location)
    patient = PatientFactory(home_location=location)
    page = desk.get(f"/patients/{patient.pk}/insurance/new/")
    assert page.status_code == 200
    assert b'<optgroup label="Aetna">' in page.content and b"Choice POS II (POS)" in page.content
    plan = PayerPlan.objects.get()
    response = desk.post(f"/patients/{patient.pk}/insurance/new/", {
        "payer": aetna.pk, "plan": plan.pk, "member_id": "Z9", "order": 1, "start_date": "03/01/2026",
        "relationship": "self"})
    assert response.status_code == 302 and patient.coverages.get().plan == plan


# --- screens -----------------------------------------------------------------------------------------------------

def test_billing_opens_the_payer_list_with_channels_in_words(signed_in, aetna):
    page = signed_in(Role.BILLING).get(PAYERS)
    assert page.status_code == 200
    assert b"Clearinghouse, real time" in page.content and b"clearinghouse-realtime" not in page.content
    assert f"{PAYERS}{aetna.pk}/".encode() in page.content


def test_payer_list_query_count_does_not_grow_with_plans(signed_in, billing):
    client = signed_in(Role.BILLING)
    client.get(PAYERS)
    with CaptureQueriesContext(connection) as few:
        client.get(PAYERS)
    for payer in Payer.objects.all()[:8]:
        payer_plan_create(actor=billing, payer_id=payer.pk, name="Gold PPO")
        payer_plan_create(actor=billing, payer_id=payer.pk, name="Silver HMO", plan_type="hmo")
    with CaptureQueriesContext(connection) as many:
        client.get(PAYERS)
    assert len(many) == len(few)


def test_payer_page_shows_contact_channels_and_plans(signed_in, billing, aetna):
    payer_update(actor=billing, payer_id=aetna.pk, phone="800 872 3862", city="Hartford", state="CT")
    payer_plan_create(actor=billing, payer_id=aetna.pk, name="Choice POS II", plan_type="pos", network_id="AP2")
    page = signed_in(Role.BILLING).get(f"{PAYERS}{aetna.pk}/")
    assert page.status_code == 200
    text = page.content.decode()
    assert "(800) 872-3862" in text and "Hartford, CT" in text and "Choice POS II" in text and "AP2" in text
    assert "Clearinghouse, batch" in text
    assert page.context["history"] is None  # billing keeps payers but does not read configuration history


def test_coordinator_edits_a_payer_and_sees_the_history_in_words(signed_in, aetna):
    client = signed_in(Role.PRACTICE_COORDINATOR)
    url = f"{PAYERS}{aetna.pk}/edit/"
    response = client.post(url, {"name": "Aetna", "payer_code": "60054", "kind": "commercial",
                                 "claim_channel": "paper-portal", "eligibility_channel": "clearinghouse-batch",
                                 "phone": "800 872 3862", "active": "on"})
    assert response.status_code == 302 and response["Location"] == f"{PAYERS}{aetna.pk}/"
    history = client.get(f"{PAYERS}{aetna.pk}/").context["history"]
    assert ("claim channel", "Clearinghouse, batch", "Paper or payer portal") in history[0].changes


def test_plan_screens_add_edit_and_deactivate(signed_in, aetna):
    client = signed_in(Role.BILLING)
    assert client.get(f"{PAYERS}{aetna.pk}/plans/new/").status_code == 200
    response = client.post(f"{PAYERS}{aetna.pk}/plans/new/", {"name": "Choice POS II", "plan_type": "pos"})
    assert response.status_code == 302
    plan = PayerPlan.objects.get()
    bad = client.post(f"{PAYERS}plans/{plan.pk}/", {"name": "", "plan_type": "pos", "active": "on"})
    assert bad.status_code == 422
    client.post(f"{PAYERS}plans/{plan.pk}/", {"name": "Choice POS II", "plan_type": "hmo", "active": "on"})
    assert PayerPlan.objects.get().plan_type == "hmo"
    client.post(f"{PAYERS}plans/{plan.pk}/deactivate/")
    assert not PayerPlan.objects.get().active


def test_payer_screens_refuse_the_front_desk(signed_in, aetna):
    desk = signed_in(Role.FRONT_DESK)
    assert desk.get(f"{PAYERS}{aetna.pk}/").status_code == 403
    assert desk.post(f"{PAYERS}{aetna.pk}/plans/new/", {"name": "X", "plan_type": "pos"}).status_code == 403
    assert not PayerPlan.objects.exists()


# --- API ---------------------------------------------------------------------------------------------------------

def _json(client, method, url, body=None):
    return getattr(client, method)(url, json.dumps(body or {}), content_type="application/json")


def test_payer_plans_api(signed_in, aetna):
    client = signed_in(Role.BILLING)
    created = _json(client, "post", "/api/v1/payer-plans", {"payer": aetna.pk, "name": "Choice POS II",
                                                            "planType": "pos", "networkId": "AP2"})
    assert created.status_code == 201, created.content
    assert created.json() == {"id": created.json()["id"], "payer": aetna.pk, "name": "Choice POS II",
                              "planType": "pos", "networkId": "AP2", "active": True}
    pk = created.json()["id"]
    assert _json(client, "patch", f"/api/v1/payer-plans/{pk}", {"planType": "hmo"}).json()["planType"] == "hmo"
    assert _json(client, "post", f"/api/v1/payer-plans/{pk}/deactivate").json()["active"] is False
    assert client.get("/api/v1/payer-plans?inactive=include").json()["items"][0]["id"] == pk
    bad = _json(client, "post", "/api/v1/payer-plans", {"payer": aetna.pk, "name": "X", "planType": "hdhp"})
    assert bad.status_code == 422


def test_payers_api_takes_channels_and_contact(signed_in, aetna):
    client = signed_in(Role.BILLING)
    changed = _json(client, "patch", f"/api/v1/payers/{aetna.pk}", {"eligibilityChannel": "paper-portal",
                                                                     "phone": "800 872 3862"})
    assert changed.status_code == 200
    assert (changed.json()["eligibilityChannel"], changed.json()["phone"]) == ("paper-portal", "(800) 872-3862")
    desk = signed_in(Role.FRONT_DESK)
    assert _json(desk, "post", "/api/v1/payer-plans", {"payer": aetna.pk, "name": "X"}).status_code == 403
