"""The visit's expected co-pay (#18 leftover): a fresh, active 271's co-pay for the visit's service type is the
amount expected (check-in stores it on the visit); otherwise the coverage's own co-pay, as before. One rule:
insurance.selectors.copay_from_eligibility, used by frontdesk.services.expected_copay."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.conf import settings

from clinicdesk.core.permissions import Role
from clinicdesk.frontdesk.services import expected_copay, visit_check_in
from clinicdesk.insurance.models import EligibilityBenefit, EligibilityResult, ServiceTypeRule
from clinicdesk.insurance.services import coverage_fingerprint

pytestmark = pytest.mark.django_db

TODAY = dt.date(2026, 11, 23)  # the clock fixture's day


@pytest.fixture
def covered(make_coverage, organization):
    return make_coverage(copay_primary=Decimal("40.00"), copay_specialist=Decimal("70.00"))


def _answer(coverage, clock, *, status="active", benefits=(), copay=Decimal("25.00")):
    result = EligibilityResult.objects.create(
        coverage=coverage, payer_name=coverage.payer.name, member_id=coverage.member_id, patient=coverage.patient,
        status=status, channel="realtime", trace_number=f"CDT{EligibilityResult.objects.count():05d}",
        service_date=TODAY, coverage_fingerprint=coverage_fingerprint(coverage), request_x12="ISA",
        requested_at=clock.now(), answered_at=clock.now(), copay=copay if status == "active" else None)
    for i, (info, types, amount, in_network) in enumerate(benefits):
        EligibilityBenefit.objects.create(result=result, position=i, info=info, service_types=types, amount=amount,
                                          in_network=in_network)
    return result


BENEFITS = [("B", ["98"], Decimal("25.00"), True), ("B", ["98"], Decimal("60.00"), False),
            ("B", ["UC"], Decimal("75.00"), True), ("A", ["98"], None, True)]


def _asks(appointment, *codes):
    ServiceTypeRule.objects.create(appointment_type=appointment.appointment_type, service_types=list(codes))


def test_the_271_copay_for_the_visits_service_type_is_expected(covered, book, clock):
    appointment = book(covered.patient, day=TODAY, hour=18)
    _asks(appointment, "UC")
    _answer(covered, clock, benefits=BENEFITS)
    assert expected_copay(covered.patient, appointment.practitioner, TODAY, appointment) == Decimal("75.00")


def test_the_in_network_copay_comes_before_the_out_of_network_one(covered, book, clock):
    appointment = book(covered.patient, day=TODAY, hour=18)
    _asks(appointment, "98")
    _answer(covered, clock, benefits=list(reversed(BENEFITS)))
    assert expected_copay(covered.patient, appointment.practitioner, TODAY, appointment) == Decimal("25.00")


def test_a_plan_wide_copay_fits_any_service_type(covered, book, clock):
    appointment = book(covered.patient, day=TODAY, hour=18)
    _asks(appointment, "PT")
    _answer(covered, clock, benefits=[("B", ["30"], Decimal("15.00"), None), *BENEFITS])
    assert expected_copay(covered.patient, appointment.practitioner, TODAY, appointment) == Decimal("15.00")


def test_no_copay_for_the_service_type_leaves_the_coverage_copay(covered, book, clock):
    appointment = book(covered.patient, day=TODAY, hour=18)
    _asks(appointment, "PT")
    _answer(covered, clock, benefits=BENEFITS)
    assert expected_copay(covered.patient, appointment.practitioner, TODAY, appointment) == Decimal("40.00")


def test_a_general_visit_takes_the_answers_office_visit_copay(covered, book, clock):
    appointment = book(covered.patient, day=TODAY, hour=18)  # no rule: asked about 30, the plan as a whole
    _answer(covered, clock, benefits=BENEFITS)
    assert expected_copay(covered.patient, appointment.practitioner, TODAY, appointment) == Decimal("25.00")


@pytest.mark.parametrize("why", ["stale", "inactive", "changed coverage"])
def test_an_answer_not_fresh_and_active_leaves_the_coverage_copay(covered, book, clock, why):
    appointment = book(covered.patient, day=TODAY, hour=18)
    _asks(appointment, "UC")
    result = _answer(covered, clock, benefits=BENEFITS, status="inactive" if why == "inactive" else "active")
    if why == "stale":
        EligibilityResult.objects.filter(pk=result.pk).update(
            requested_at=clock.now() - dt.timedelta(days=settings.ELIGIBILITY_MAX_AGE_DAYS + 1))
    if why == "changed coverage":
        covered.member_id = "W999"
        covered.save(update_fields=["member_id"])
    assert expected_copay(covered.patient, appointment.practitioner, TODAY, appointment) == Decimal("40.00")


def test_check_in_stores_the_271_copay_on_the_visit(covered, book, clock, make_user, location):
    appointment = book(covered.patient, day=TODAY, hour=18)
    _asks(appointment, "UC")
    _answer(covered, clock, benefits=BENEFITS)
    visit = visit_check_in(actor=make_user(Role.FRONT_DESK, at=location), appointment_id=appointment.pk)
    assert visit.expected_copay == Decimal("75.00")


def test_check_in_page_prefills_the_same_amount(covered, book, clock, signed_in, location):
    appointment = book(covered.patient, day=TODAY, hour=18)
    _asks(appointment, "UC")
    _answer(covered, clock, benefits=BENEFITS)
    page = signed_in(Role.FRONT_DESK, at=location).get(f"/frontdesk/appointments/{appointment.pk}/check-in")
    assert page.status_code == 200
    assert page.context["s"].expected_copay == Decimal("75.00") and page.context["copay_from_payer"] is True
