"""The coder's screens and the coding JSON API (#19): the worklist, the superbill form with its ICD-10 search,
the fee schedule, the account showing coded charges; who may open them."""

from __future__ import annotations

import json
from decimal import Decimal

import pytest
from django.test import Client

from clinicdesk.billing.models import EntryKind, LedgerEntry, Superbill, SuperbillStatus
from clinicdesk.billing.services import LineInput, superbill_open, superbill_post, superbill_save
from clinicdesk.core.permissions import Role
from tests.factories import UserFactory

from .factories import fee_schedule, fulfilled_visit


@pytest.fixture
def fees(biller):
    return fee_schedule(biller)


@pytest.fixture
def visit(location, biller, fees):
    return fulfilled_visit(location, usual=["99213"], biller=biller)


def _client(user):
    client = Client()
    client.force_login(user)
    return client


def _api(client, method, path, body=None):
    return client.generic(method, path, json.dumps(body) if body is not None else "",
                          content_type="application/json")


def test_the_worklist_lists_fulfilled_visits_not_yet_posted_in_few_queries(location, biller, fees,
                                                                           django_assert_max_num_queries):
    visits = [fulfilled_visit(location, hour=13 + n) for n in range(4)]
    posted = visits[0]
    superbill = superbill_open(actor=biller, appointment_id=posted.pk)
    superbill_save(actor=biller, superbill_id=superbill.pk, diagnoses=["I10"],
                   lines=[LineInput("99213", "", 1, (1,))])
    superbill_post(actor=biller, superbill_id=superbill.pk)
    client = _client(biller)
    with django_assert_max_num_queries(25):
        answer = client.get(f"/billing/coding/?location={location.pk}")
    assert answer.status_code == 200
    shown = answer.content.decode()
    assert all(f'data-appointment="{v.pk}"' in shown for v in visits[1:])
    assert f'data-appointment="{posted.pk}"' not in shown


def test_the_worklist_of_another_location_is_not_found(location, other_location, visit):
    client = _client(UserFactory(role=Role.BILLING, location=other_location))
    assert client.get(f"/billing/coding/?location={location.pk}").status_code == 404


def test_the_front_desk_may_not_open_the_worklist(location, visit):
    assert _client(UserFactory(role=Role.FRONT_DESK, location=location)).get("/billing/coding/").status_code == 403


def test_coding_a_visit_in_the_browser_posts_its_charges(location, biller, visit):
    client = _client(biller)
    answer = client.post(f"/billing/coding/visits/{visit.pk}/")
    superbill = Superbill.objects.get(appointment=visit)
    assert answer.status_code == 302 and answer["Location"] == f"/billing/superbills/{superbill.pk}/"
    page = client.get(answer["Location"])
    assert page.status_code == 200 and 'list="icd-options"' in page.content.decode()
    form = {"dx1": "E11.9", "dx2": "I10", "line1-code": "99213", "line1-modifiers": "25", "line1-units": "1",
            "line1-pointers": "1,2", "line1-place_of_service": "11", "line1-rendering": str(visit.practitioner_id),
            "post": "1"}
    answer = client.post(f"/billing/superbills/{superbill.pk}/", form)
    assert answer.status_code == 302
    superbill.refresh_from_db()
    assert superbill.status == SuperbillStatus.POSTED
    assert LedgerEntry.objects.get(kind=EntryKind.CHARGE).amount == Decimal("120.00")
    account = client.get(f"/billing/patients/{visit.patient_id}/").content.decode()
    assert "E11.9 Type 2 diabetes mellitus without complications" in account


def test_a_pointer_to_no_diagnosis_comes_back_on_the_form(location, biller, visit):
    client = _client(biller)
    superbill = superbill_open(actor=biller, appointment_id=visit.pk)
    answer = client.post(f"/billing/superbills/{superbill.pk}/", {
        "dx1": "I10", "line1-code": "99213", "line1-units": "1", "line1-pointers": "2",
        "line1-place_of_service": "11", "line1-rendering": str(visit.practitioner_id)})
    assert answer.status_code == 422 and "points to diagnosis 2" in answer.content.decode()
    assert not LedgerEntry.objects.exists()


def test_the_icd10_search_gives_options_in_words(biller):
    answer = _client(biller).get("/billing/coding/icd10/", {"dx1": "essential hypert"})
    assert answer.status_code == 200
    assert '<option value="I10">I10 Essential (primary) hypertension</option>' in answer.content.decode()


def test_the_fee_schedule_page_and_a_new_line(biller, fees):
    client = _client(biller)
    assert "Office visit, established, low" in client.get("/billing/fees/").content.decode()
    answer = client.post("/billing/fees/new/", {"code": "99215", "description": "Office visit, high",
                                                "price": "250.00", "effective_from": "2026-01-01"})
    assert answer.status_code == 302


def test_an_overlapping_period_is_refused_on_the_form(biller, fees):
    answer = _client(biller).post("/billing/fees/new/", {"code": "99214", "description": "Again",
                                                         "price": "200.00", "effective_from": "2026-06-01"})
    assert answer.status_code == 422 and "may not overlap" in answer.content.decode()


def test_api_codes_a_visit_end_to_end(location, biller, visit):
    client = _client(biller)
    opened = _api(client, "POST", f"/api/v1/appointments/{visit.pk}/superbill")
    assert opened.status_code == 201
    superbill_id = opened.json()["id"]
    saved = _api(client, "PUT", f"/api/v1/superbills/{superbill_id}", {
        "diagnoses": ["E11.9", "I10"],
        "lines": [{"code": "99213", "modifiers": ["25"], "units": 1, "pointers": [1, 2], "placeOfService": "11"},
                  {"code": "J1885", "units": 2, "pointers": [2]}]})
    assert saved.status_code == 200, saved.content
    posted = _api(client, "POST", f"/api/v1/superbills/{superbill_id}/post").json()
    assert posted["status"] == "posted" and posted["total"] == "145.00"
    assert [d["display"] for d in posted["diagnoses"]] == ["E11.9", "I10"]
    assert posted["lines"][0]["renderingNpi"] == visit.practitioner.npi
    again = _api(client, "POST", f"/api/v1/superbills/{superbill_id}/post")
    assert again.status_code == 200 and LedgerEntry.objects.filter(kind=EntryKind.CHARGE).count() == 2
    ledger = client.get(f"/api/v1/patients/{visit.patient_id}/ledger").json()
    assert ledger["balance"] == "145.00"


def test_api_refuses_a_thirteenth_diagnosis(biller, visit):
    client = _client(biller)
    superbill_id = _api(client, "POST", f"/api/v1/appointments/{visit.pk}/superbill").json()["id"]
    codes = ["E11.9", "I10", "J45.909", "E78.5", "R51.9", "M54.50", "K21.9", "F41.1", "G47.00", "N39.0",
             "R10.9", "J06.9", "Z00.00"]
    answer = _api(client, "PUT", f"/api/v1/superbills/{superbill_id}", {"diagnoses": codes, "lines": []})
    assert answer.status_code == 422 and answer.json()["code"] == "too-many-diagnoses"


def test_api_fee_schedule_create_and_list(biller):
    client = _client(biller)
    created = _api(client, "POST", "/api/v1/fee-schedule", {"code": "G0438", "description": "Annual wellness",
                                                            "price": "175.00", "effectiveFrom": "2026-01-01"})
    assert created.status_code == 201 and created.json()["code"] == "G0438"
    assert [i["code"] for i in client.get("/api/v1/fee-schedule").json()["items"]] == ["G0438"]


def test_api_icd10_search(biller):
    items = _Client_get(biller, "/api/v1/codes/icd10?q=E11.9")["items"]
    assert items[0] == {"code": "E119", "display": "E11.9",
                        "description": "Type 2 diabetes mellitus without complications"}


def _Client_get(user, path):
    return _client(user).get(path).json()


def test_api_front_desk_may_not_open_a_superbill(location, visit):
    client = _client(UserFactory(role=Role.FRONT_DESK, location=location))
    assert _api(client, "POST", f"/api/v1/appointments/{visit.pk}/superbill").status_code == 403
