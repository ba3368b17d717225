"""Faces of the account's charges, adjustments and reversals (#14 item 3): forms on the account screen and the JSON
API, each through charge_post / adjustment_post / entry_reverse (billing write)."""

import json
from decimal import Decimal

import pytest
from django.test import Client

from clinicdesk.billing.models import EntryKind, LedgerEntry
from clinicdesk.billing.services import charge_post
from clinicdesk.core.permissions import Role
from tests.factories import UserFactory


def _client(user):
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def billing(biller):
    return _client(biller)


@pytest.fixture
def charge(clock, biller, patient, location):
    return charge_post(actor=biller, patient_id=patient.pk, location_id=location.pk, amount=Decimal("80.00"),
                       description="Office visit")


def test_charge_form_posts_a_charge_and_says_so(db, clock, billing, patient, location):
    answer = billing.post(f"/billing/patients/{patient.pk}/charge/",
                          {"location": location.pk, "amount": "$1,045.50", "description": "Procedure",
                           "idempotency_key": "c-1"}, follow=True)
    assert answer.status_code == 200 and "Charge of $1,045.50 posted." in answer.content.decode()
    entry = LedgerEntry.objects.get()
    assert (entry.kind, entry.amount, entry.description) == (EntryKind.CHARGE, Decimal("1045.50"), "Procedure")
    billing.post(f"/billing/patients/{patient.pk}/charge/",
                 {"location": location.pk, "amount": "1045.50", "description": "Procedure", "idempotency_key": "c-1"})
    assert LedgerEntry.objects.count() == 1  # a double click posts once


def test_charge_form_refuses_a_bad_amount_with_a_422_and_writes_nothing(db, clock, billing, patient, location):
    for amount in ("ten", "-5.00", "0"):
        answer = billing.post(f"/billing/patients/{patient.pk}/charge/",
                              {"location": location.pk, "amount": amount, "description": "Visit"})
        assert answer.status_code == 422, amount
    answer = billing.post(f"/billing/patients/{patient.pk}/charge/",
                          {"location": location.pk, "amount": "10.00", "description": "  "})
    assert answer.status_code == 422
    assert not LedgerEntry.objects.exists()


def test_charge_form_is_refused_to_the_front_desk(db, clock, clerk, patient, location):
    desk = _client(clerk)
    assert desk.get(f"/billing/patients/{patient.pk}/charge/").status_code == 403
    answer = desk.post(f"/billing/patients/{patient.pk}/charge/",
                       {"location": location.pk, "amount": "10.00", "description": "Visit"})
    assert answer.status_code == 403 and not LedgerEntry.objects.exists()


def test_charge_form_is_hidden_from_billing_of_another_location(db, clock, patient, location, other_location):
    uptown = _client(UserFactory(role=Role.BILLING, location=other_location))
    assert uptown.get(f"/billing/patients/{patient.pk}/charge/").status_code == 404
    answer = uptown.post(f"/billing/patients/{patient.pk}/charge/",
                         {"location": other_location.pk, "amount": "10.00", "description": "Visit"})
    assert answer.status_code == 404 and not LedgerEntry.objects.exists()


def test_adjustment_form_posts_a_write_off(db, clock, billing, patient, location, charge):
    answer = billing.post(f"/billing/patients/{patient.pk}/adjustment/",
                          {"location": location.pk, "amount": "-20.00", "reason": "Prompt-pay discount",
                           "idempotency_key": "a-1"}, follow=True)
    assert "Adjustment of -$20.00 posted." in answer.content.decode()
    adjustment = LedgerEntry.objects.get(kind=EntryKind.ADJUSTMENT)
    assert adjustment.amount == Decimal("-20.00") and adjustment.description == "Prompt-pay discount"
    assert billing.post(f"/billing/patients/{patient.pk}/adjustment/",
                        {"location": location.pk, "amount": "-20.00", "reason": ""}).status_code == 422
    assert LedgerEntry.objects.filter(kind=EntryKind.ADJUSTMENT).count() == 1


def test_reversal_asks_for_a_reason_and_a_confirmation(db, clock, billing, charge):
    page = billing.get(f"/billing/entries/{charge.pk}/reverse/").content.decode()
    assert "Office visit" in page and "-$80.00" in page
    unconfirmed = billing.post(f"/billing/entries/{charge.pk}/reverse/", {"reason": "Billed twice"})
    assert unconfirmed.status_code == 422 and "Tick the box" in unconfirmed.content.decode()
    assert not LedgerEntry.objects.filter(kind=EntryKind.REVERSAL).exists()
    done = billing.post(f"/billing/entries/{charge.pk}/reverse/", {"reason": "Billed twice", "confirm": "on"},
                        follow=True)
    assert "Charge of $80.00 reversed." in done.content.decode()
    reversal = LedgerEntry.objects.get(kind=EntryKind.REVERSAL)
    assert reversal.reverses == charge and reversal.amount == Decimal("-80.00")
    again = billing.post(f"/billing/entries/{charge.pk}/reverse/", {"reason": "Again", "confirm": "on"})
    assert again.status_code == 409 and "already reversed" in again.content.decode()


def test_reversal_is_refused_to_the_front_desk(db, clock, clerk, charge):
    assert _client(clerk).post(f"/billing/entries/{charge.pk}/reverse/",
                               {"reason": "No", "confirm": "on"}).status_code == 403
    assert not LedgerEntry.objects.filter(kind=EntryKind.REVERSAL).exists()


def test_reversal_is_hidden_from_billing_of_another_location(db, clock, charge, other_location):
    uptown = _client(UserFactory(role=Role.BILLING, location=other_location))
    assert uptown.post(f"/billing/entries/{charge.pk}/reverse/", {"reason": "No", "confirm": "on"}).status_code == 404
    assert not LedgerEntry.objects.filter(kind=EntryKind.REVERSAL).exists()


def test_account_shows_the_buttons_to_billing_only(db, clock, billing, clerk, patient, charge):
    mine = billing.get(f"/billing/patients/{patient.pk}/").content.decode()
    assert "Post a charge" in mine and f"/billing/entries/{charge.pk}/reverse/" in mine
    desk = _client(clerk).get(f"/billing/patients/{patient.pk}/").content.decode()
    assert "Post a charge" not in desk and "/reverse/" not in desk


# --- the JSON API ---------------------------------------------------------------------------------------------

def _post(client, url, data, **headers):
    return client.post(url, json.dumps(data), content_type="application/json", **headers)


def test_api_charge_is_posted_once_per_idempotency_key(db, clock, billing, patient, location):
    body = {"location": location.pk, "amount": "45.00", "description": "Office visit"}
    first = _post(billing, f"/api/v1/patients/{patient.pk}/charges", body, HTTP_IDEMPOTENCY_KEY="k-1")
    again = _post(billing, f"/api/v1/patients/{patient.pk}/charges", body, HTTP_IDEMPOTENCY_KEY="k-1")
    assert first.status_code == 201 and again.status_code == 201
    assert first.json() == again.json() and first.json()["amount"] == "45.00"
    assert LedgerEntry.objects.count() == 1


def test_api_adjustment_is_posted_once_per_idempotency_key(db, clock, billing, patient, location):
    body = {"location": location.pk, "amount": "-12.50", "reason": "Courtesy"}
    first = _post(billing, f"/api/v1/patients/{patient.pk}/adjustments", body, HTTP_IDEMPOTENCY_KEY="k-2")
    again = _post(billing, f"/api/v1/patients/{patient.pk}/adjustments", body, HTTP_IDEMPOTENCY_KEY="k-2")
    assert first.status_code == 201 and again.json()["id"] == first.json()["id"]
    assert first.json()["kind"] == "adjustment" and LedgerEntry.objects.count() == 1


def test_api_refuses_bad_members_with_a_422_naming_them(db, clock, billing, patient, location):
    url = f"/api/v1/patients/{patient.pk}/charges"
    for member, value in (("amount", 45.0), ("amount", "4.505"), ("location", "1"), ("description", 7)):
        body = {"location": location.pk, "amount": "45.00", "description": "Visit", member: value}
        answer = _post(billing, url, body)
        assert answer.status_code == 422, (member, value)
        assert member in answer.json()["errors"], member
    assert _post(billing, url, {"location": location.pk, "description": "Visit"}).json()["errors"].keys() == {"amount"}
    assert not LedgerEntry.objects.exists()


def test_api_reverse_then_again_is_a_409(db, clock, billing, charge):
    first = _post(billing, f"/api/v1/ledger-entries/{charge.pk}/reverse", {"reason": "Billed twice"})
    assert first.status_code == 201 and first.json()["reverses"] == charge.pk and first.json()["amount"] == "-80.00"
    again = _post(billing, f"/api/v1/ledger-entries/{charge.pk}/reverse", {"reason": "Billed twice"})
    assert again.status_code == 409 and again.json()["code"] == "already-reversed"


def test_api_is_refused_to_the_front_desk_and_to_another_location(db, clock, clerk, patient, location, charge,
                                                                  other_location):
    body = {"location": location.pk, "amount": "45.00", "description": "Visit"}
    assert _post(_client(clerk), f"/api/v1/patients/{patient.pk}/charges", body).status_code == 403
    uptown = _client(UserFactory(role=Role.BILLING, location=other_location))
    assert _post(uptown, f"/api/v1/patients/{patient.pk}/charges", body).status_code == 403
    assert _post(uptown, f"/api/v1/ledger-entries/{charge.pk}/reverse", {"reason": "x"}).status_code == 404
    assert LedgerEntry.objects.count() == 1
