"""Fixtures for the referral and authorization tests (imported by their test modules)."""

from __future__ import annotations

import datetime as dt

import pytest

from clinicdesk.core.permissions import Role
from clinicdesk.insurance.models import PayerRule
from clinicdesk.patients.models import Coverage, Payer
from clinicdesk.scheduling.models import ChecklistItem
from tests.factories import AppointmentFactory, AppointmentTypeFactory, PatientFactory

NPI = "1234567893"  # valid Luhn check digit (prefix 80840)
BAD_NPI = "1234567890"
TOMORROW = dt.date(2026, 11, 24)  # the clock fixture stands at 2026-11-23 15:00 UTC


@pytest.fixture
def mri_payer(db):
    return Payer.objects.create(name="Riverbend Health", payer_code="RBH01")


@pytest.fixture
def mri(db):
    return AppointmentTypeFactory(code="mri-knee", name="MRI knee", duration_minutes=30,
                                  checklist=[ChecklistItem.PRIOR_AUTH])


@pytest.fixture
def specialist_visit(db):
    return AppointmentTypeFactory(code="specialist", name="Specialist visit", duration_minutes=20)


@pytest.fixture
def ana(location, mri_payer):
    patient = PatientFactory(home_location=location, family_name="Garcia", given_name="Ana")
    Coverage.objects.create(patient=patient, payer=mri_payer, member_id="W123456789", start_date=dt.date(2026, 1, 1))
    return patient


@pytest.fixture
def rules(mri_payer, mri, specialist_visit):
    from clinicdesk.core import clock

    PayerRule.objects.create(payer=mri_payer, appointment_type=specialist_visit, needs_referral=True,
                             updated_at=clock.now())
    PayerRule.objects.create(payer=mri_payer, appointment_type=mri, needs_prior_auth=True, updated_at=clock.now())


@pytest.fixture
def visit(location, provider):
    def make(patient, kind, *, day=TOMORROW, hour=14):
        start = dt.datetime(day.year, day.month, day.day, hour, 0, tzinfo=dt.UTC)
        return AppointmentFactory(patient=patient, location=location, practitioner=provider, appointment_type=kind,
                                  start=start)
    return make


@pytest.fixture
def coordinator(make_user, location):
    return make_user(Role.PATIENT_COORDINATOR, at=location)


@pytest.fixture
def far_clerk(make_user, other_location):
    return make_user(Role.FRONT_DESK, at=other_location)
