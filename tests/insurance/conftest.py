from __future__ import annotations

import datetime as dt

import pytest

from clinicdesk.core.permissions import Role
from clinicdesk.patients.models import Coverage, Payer
from tests.factories import AppointmentFactory, AppointmentTypeFactory, OrganizationFactory, PatientFactory

from .clearinghouse import PASSWORD, USERNAME, ClearinghouseHTTP, ClearinghouseSFTP

NPI = "1234567893"
TOMORROW = dt.date(2026, 11, 24)  # the clock fixture stands at 2026-11-23 15:00 UTC


@pytest.fixture
def organization(db):
    org = OrganizationFactory()
    org.npi = NPI
    org.save(update_fields=["npi"])
    return org


@pytest.fixture
def payer(db):
    return Payer.objects.create(name="Clearwater Health Plan", payer_code="CWH01")


@pytest.fixture
def make_coverage(payer, location):
    def make(member_id="W123456789", patient=None, **extra):
        patient = patient or PatientFactory(home_location=location, family_name="Garcia", given_name="Ana")
        return Coverage.objects.create(patient=patient, payer=payer, member_id=member_id,
                                       start_date=dt.date(2026, 1, 1), **extra)
    return make


@pytest.fixture
def coverage(make_coverage, organization):
    return make_coverage()


@pytest.fixture
def book(location, provider):
    kind = AppointmentTypeFactory(code="follow-up", duration_minutes=20)

    def make(patient, *, day=TOMORROW, hour=14, minute=0):
        start = dt.datetime(day.year, day.month, day.day, hour, minute, tzinfo=dt.UTC)
        return AppointmentFactory(patient=patient, location=location, practitioner=provider, appointment_type=kind,
                                  start=start)
    return make


@pytest.fixture
def coordinator(make_user, location):
    return make_user(Role.FRONT_DESK, at=location)


@pytest.fixture
def http_clearinghouse(settings):
    with ClearinghouseHTTP() as server:
        settings.CLEARINGHOUSE_CORE_URL = server.url
        settings.CLEARINGHOUSE_USERNAME = USERNAME
        settings.CLEARINGHOUSE_PASSWORD = PASSWORD
        settings.CLEARINGHOUSE_TIMEOUT_SECONDS = 1
        server.slow_seconds = 2.0
        yield server


@pytest.fixture
def sftp_clearinghouse(settings, tmp_path):
    with ClearinghouseSFTP(tmp_path / "sftp-root", tmp_path / "keys") as server:
        settings.CLEARINGHOUSE_SFTP_HOST = "127.0.0.1"
        settings.CLEARINGHOUSE_SFTP_PORT = server.port
        settings.CLEARINGHOUSE_SFTP_USERNAME = USERNAME
        settings.CLEARINGHOUSE_SFTP_PASSWORD = PASSWORD
        settings.CLEARINGHOUSE_SFTP_KNOWN_HOSTS = str(server.known_hosts)
        settings.CLEARINGHOUSE_SFTP_OUTBOUND = "/outbound"
        settings.CLEARINGHOUSE_SFTP_INBOUND = "/inbound"
        settings.CLEARINGHOUSE_TIMEOUT_SECONDS = 5
        yield server
