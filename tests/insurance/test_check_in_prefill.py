"""#18 item 4: the newest eligibility answer on the check-in page (co-pay pre-filled from a fresh active 271,
"Verify now") and inactive or failed answers on the front desk's pre-visit worklist."""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal

import pytest
from django.conf import settings
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


@pytest.fixture
def covered(make_coverage, organization):
    """A coverage whose payer default co-pay (40.00) differs from the 271's (25.00 in network)."""
    return make_coverage(copay_primary=Decimal("40.00"))


def _check_in(client, appointment) -> str:
    page = client.get(f"/frontdesk/appointments/{appointment.pk}/check-in")
    assert page.status_code == 200
    return page.content.decode()


def _prefilled(text: str) -> str:
    found = re.search(r'id="pay-amount"[^>]*value="([^"]*)"', text)
    assert found, "no co-pay field"
    return found.group(1)


def test_a_fresh_active_answer_prefills_the_copay(http_clearinghouse, desk, covered, book, clock):
    appointment = book(covered.patient)
    result = eligibility_verify(actor=desk.user, coverage_id=covered.pk, appointment_id=appointment.pk,
                                service_date=TOMORROW)
    assert result.status == "active" and result.copay == Decimal("25.00")
    text = _check_in(desk, appointment)
    assert _prefilled(text) == "25.00"
    assert 'data-source="eligibility"' in text and "latest answer:" in text
    assert 'id="eligibility" data-status="active"' in text and 'data-stale="true"' not in text
    assert "checked today" in text and 'data-kind="eligibility"' in text
    assert "Deductible remaining" in text and "Co-insurance" in text
    assert 'id="verify-now"' in text


def test_a_stale_active_answer_leaves_the_payer_default(http_clearinghouse, desk, covered, book, clock):
    appointment = book(covered.patient)
    eligibility_verify(actor=desk.user, coverage_id=covered.pk, service_date=TOMORROW)
    old = settings.ELIGIBILITY_MAX_AGE_DAYS + 3
    EligibilityResult.objects.update(requested_at=clock.now() - dt.timedelta(days=old))
    text = _check_in(desk, appointment)
    assert _prefilled(text) == "40.00"
    assert 'data-source="eligibility"' not in text
    assert 'data-stale="true"' in text and f"checked {old} days ago" in text and "Out of date" in text


def test_an_inactive_answer_leaves_the_payer_default(http_clearinghouse, desk, make_coverage, organization, book,
                                                      clock):
    coverage = make_coverage(member_id="INACT42", copay_primary=Decimal("40.00"))
    appointment = book(coverage.patient)
    assert eligibility_verify(actor=desk.user, coverage_id=coverage.pk, service_date=TOMORROW).status == "inactive"
    text = _check_in(desk, appointment)
    assert _prefilled(text) == "40.00"
    assert 'data-status="inactive"' in text and "not active" in text


def test_no_answer_yet_shows_not_checked_and_the_payer_default(desk, covered, book, clock):
    appointment = book(covered.patient)
    text = _check_in(desk, appointment)
    assert _prefilled(text) == "40.00" and "Not checked yet" in text and 'id="verify-now"' in text


def test_a_clinician_sees_the_answer_without_the_verify_button(http_clearinghouse, signed_in, desk, location,
                                                                covered, book, clock):
    appointment = book(covered.patient)
    eligibility_verify(actor=desk.user, coverage_id=covered.pk, service_date=TOMORROW)
    nurse = signed_in(Role.NURSE, at=location)
    text = _check_in(nurse, appointment)  # a nurse reads coverage checks (insurance.read) but sends none
    assert 'data-status="active"' in text and 'id="verify-now"' not in text


def test_verify_now_comes_back_to_the_check_in_page_with_a_flash(http_clearinghouse, desk, covered, book, clock):
    appointment = book(covered.patient)
    check_in = f"/frontdesk/appointments/{appointment.pk}/check-in"
    answer = desk.post(f"/insurance/verify/{appointment.pk}", {"next": check_in})
    assert answer.status_code == 302 and answer["Location"] == check_in
    text = desk.get(check_in).content.decode()
    assert "Coverage checked." in text
    assert EligibilityResult.objects.get().appointment_id == appointment.pk
    assert _prefilled(text) == "25.00"


def test_verify_now_refuses_to_go_elsewhere(http_clearinghouse, desk, covered, book, clock):
    appointment = book(covered.patient)
    answer = desk.post(f"/insurance/verify/{appointment.pk}", {"next": "https://evil.example/"})
    assert answer.status_code == 302 and answer["Location"].startswith("/insurance/?day=")


def test_the_worklist_shows_an_inactive_coverage_with_the_reason(http_clearinghouse, desk, make_coverage,
                                                                  organization, book, clock, location):
    bad = make_coverage(member_id="INACT7")
    good = make_coverage(member_id="W555", patient=PatientFactory(home_location=location, family_name="Lopez"))
    bad_visit = book(bad.patient)
    good_visit = book(good.patient, hour=15)
    for coverage in (bad, good):
        eligibility_verify(actor=desk.user, coverage_id=coverage.pk, service_date=TOMORROW)
    text = desk.get("/frontdesk/worklist/").content.decode()
    assert 'id="eligibility-problems"' in text
    assert f'data-eligibility-appointment="{bad_visit.pk}"' in text
    assert f'data-eligibility-appointment="{good_visit.pk}"' not in text
    assert "Inactive" in text and "ask the patient for current insurance" in text


def test_the_worklist_shows_a_failed_check(http_clearinghouse, desk, make_coverage, organization, book, clock):
    coverage = make_coverage(member_id="BAD1")
    appointment = book(coverage.patient)
    assert eligibility_verify(actor=desk.user, coverage_id=coverage.pk, service_date=TOMORROW).status == "failed"
    text = desk.get("/frontdesk/worklist/").content.decode()
    assert f'data-eligibility-appointment="{appointment.pk}"' in text and "No usable answer" in text


def test_the_worklist_has_a_fixed_number_of_queries(http_clearinghouse, desk, make_coverage, organization, book,
                                                     clock, location):
    booked: list[object] = []

    def add(n: int) -> None:
        for i in range(n):
            coverage = make_coverage(member_id=f"INACT{n}{i}", patient=PatientFactory(home_location=location))
            slot = len(booked)  # one provider: 20-minute visits one after another (PostgreSQL refuses an overlap)
            booked.append(book(coverage.patient, hour=8 + slot // 3, minute=(slot % 3) * 20))
            eligibility_verify(actor=desk.user, coverage_id=coverage.pk, service_date=TOMORROW)

    add(2)
    with CaptureQueriesContext(connection) as few:
        desk.get("/frontdesk/worklist/")
    add(5)
    with CaptureQueriesContext(connection) as many:
        text = desk.get("/frontdesk/worklist/").content.decode()
    assert text.count("data-eligibility-appointment=") == 7
    assert len(many) == len(few)
