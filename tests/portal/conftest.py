from __future__ import annotations

import datetime as dt

import pytest

from clinicdesk.portal.models import PortalBookingRule
from clinicdesk.portal.services import kiosk
from tests.factories import (
    AppointmentFactory,
    AppointmentTypeFactory,
    PatientFactory,
    PractitionerFactory,
    weekly_availability,
)


@pytest.fixture
def provider(location):
    practitioner = PractitionerFactory(first_name="Grace", last_name="Hopper")
    weekly_availability(practitioner, location)
    return practitioner


@pytest.fixture
def kind(db, provider):
    visit = AppointmentTypeFactory(code="follow-up", duration_minutes=20, patient_facing_name="Follow-up visit",
                                   patient_facing_name_es="Consulta de seguimiento")
    return visit


@pytest.fixture
def rule(kind):
    return PortalBookingRule.objects.create(appointment_type=kind, bookable=True, max_days_ahead=30,
                                            min_notice_hours=24, max_open_bookings=2)


@pytest.fixture
def ana(location, clerk):  # a staff user exists: no first-run redirect
    return PatientFactory(home_location=location, email="ana@example.org", phone="(413) 555-0100",
                          birth_date=dt.date(1980, 5, 17), given_name="Ana", family_name="Lopez")


@pytest.fixture
def ben(location):
    return PatientFactory(home_location=location, email="ben@example.org", phone="(413) 555-0101",
                          birth_date=dt.date(1975, 1, 2), given_name="Ben", family_name="Ng")


# --- the waiting-room kiosk -------------------------------------------------------------------------------------

@pytest.fixture
def today_visit(ana, location, provider, kind, clock):
    """Ana's visit in half an hour at `location`: what the kiosk finds today."""
    return AppointmentFactory(location=location, patient=ana, practitioner=provider, appointment_type=kind,
                              start=clock.now() + dt.timedelta(minutes=30))


@pytest.fixture
def device(clerk, location):
    """A kiosk switched on at `location` by the desk."""
    key = kiosk.kiosk_enable(actor=clerk, location_id=location.pk)
    return kiosk.kiosk_device(key=key, location_id=location.pk)
