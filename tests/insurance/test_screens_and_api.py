"""The coverage checks screen, the result page and the JSON API."""

from __future__ import annotations

import json

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from clinicdesk.core.permissions import Role
from clinicdesk.insurance.models import EligibilityResult
from clinicdesk.insurance.services import eligibility_verify
from tests.factories import PatientFactory

from .conftest import TOMORROW

pytestmark = pytest.mark.django_db


@pytest.fixture
def desk(signed_in, location):
    return signed_in(Role.FRONT_DESK, at=location)


def test_the_day_lists_tomorrows_patients_with_their_check(http_clearinghouse, desk, coverage, book, clock,
                                                           make_coverage, location):
    book(coverage.patient)
    other = make_coverage(member_id="REJ1", patient=PatientFactory(home_location=location, family_name="Lopez"))
    book(other.patient, hour=15)
    eligibility_verify(actor=desk.user, coverage_id=coverage.pk, service_date=TOMORROW)
    page = desk.get("/insurance/")
    assert page.status_code == 200
    text = page.content.decode()
    assert "Garcia" in text and "Lopez" in text and "Not checked yet" in text and 'data-kind="eligibility"' in text


def test_the_day_page_has_a_fixed_number_of_queries(http_clearinghouse, desk, make_coverage, book, clock, location,
                                                    organization):
    booked = []

    def add(n):
        for i in range(n):
            cov = make_coverage(member_id=f"W{i}{n}", patient=PatientFactory(home_location=location))
            slot = len(booked)  # one provider: 20-minute visits one after another (PostgreSQL refuses an overlap)
            booked.append(book(cov.patient, hour=8 + slot // 3, minute=(slot % 3) * 20))
            eligibility_verify(actor=desk.user, coverage_id=cov.pk, service_date=TOMORROW)

    add(2)
    with CaptureQueriesContext(connection) as few:
        desk.get("/insurance/")
    add(6)
    with CaptureQueriesContext(connection) as many:
        desk.get("/insurance/")
    assert len(many) == len(few)


def test_check_now_from_the_day_stores_a_result_and_flashes(http_clearinghouse, desk, coverage, book, clock):
    appointment = book(coverage.patient)
    answer = desk.post(f"/insurance/verify/{appointment.pk}", {"day": TOMORROW.isoformat()}, follow=True)
    assert answer.status_code == 200 and "Coverage checked." in answer.content.decode()
    assert EligibilityResult.objects.get().status == "active"


def test_the_result_page_shows_benefits_in_words(http_clearinghouse, desk, coverage, clock):
    result = eligibility_verify(actor=desk.user, coverage_id=coverage.pk, service_date=TOMORROW)
    text = desk.get(f"/insurance/results/{result.pk}").content.decode()
    for words in ("Co-payment", "Professional (physician) visit, office", "In network", "Deductible remaining",
                  "$612.45", "GOLD PPO 2000", "Primary care provider"):
        assert words in text, words
    assert "EB*" not in text


def test_the_result_page_explains_a_rejection(http_clearinghouse, desk, make_coverage, organization, clock):
    coverage = make_coverage(member_id="REJ9")
    result = eligibility_verify(actor=desk.user, coverage_id=coverage.pk, service_date=TOMORROW)
    text = desk.get(f"/insurance/results/{result.pk}").content.decode()
    assert "Subscriber or insured not found" in text and "Correct the request and send it again." in text


def test_the_result_page_in_spanish(http_clearinghouse, signed_in, location, coverage, clock):
    desk_es = signed_in(Role.FRONT_DESK, at=location, language="es")
    result = eligibility_verify(actor=desk_es.user, coverage_id=coverage.pk, service_date=TOMORROW)
    text = desk_es.get(f"/insurance/results/{result.pk}").content.decode()
    assert "Copago" in text and "Deducible pendiente" in text


def test_api_verify_and_read(http_clearinghouse, desk, coverage, clock):
    made = desk.post("/api/v1/eligibility/verify", json.dumps({"coverage": coverage.pk, "serviceDate": "2026-11-24"}),
                     content_type="application/json")
    assert made.status_code == 201, made.content
    body = made.json()
    assert body["status"] == "active" and body["deductibleRemaining"] == "612.45" and body["copay"] == "25.00"
    assert body["benefits"][1]["amount"] == "25.00" and body["benefits"][1]["inNetwork"] is True
    assert desk.get(f"/api/v1/eligibility/results/{body['id']}").json()["id"] == body["id"]
    assert desk.get(f"/api/v1/eligibility/coverages/{coverage.pk}/latest").json()["id"] == body["id"]


@pytest.mark.parametrize("payload, code", [({}, "missing-field"), ({"coverage": "5"}, "bad-field"),
                                           ({"coverage": 1, "channel": "fax"}, "bad-channel"),
                                           ({"coverage": 1, "serviceDate": "24/11/2026"}, "bad-date")])
def test_api_refuses_bad_input(desk, payload, code):
    answer = desk.post("/api/v1/eligibility/verify", json.dumps(payload), content_type="application/json")
    assert answer.status_code == 422 and answer.json()["code"] == code


def test_api_hides_another_locations_result(http_clearinghouse, coverage, coordinator, signed_in, other_location,
                                            clock):
    result = eligibility_verify(actor=coordinator, coverage_id=coverage.pk, service_date=TOMORROW)
    stranger = signed_in(Role.FRONT_DESK, at=other_location)
    assert stranger.get(f"/api/v1/eligibility/results/{result.pk}").status_code == 404
