from __future__ import annotations

import datetime as dt
import os

import pytest
from django.conf import settings as django_settings
from django.test import Client
from django.utils import translation
from hypothesis import HealthCheck
from hypothesis import settings as hypothesis_settings

from clinicdesk.core import clock as clock_module
from clinicdesk.core.permissions import Role

from . import fast_flush, migrated_template
from .factories import (
    PASSWORD,
    AppointmentTypeFactory,
    LocationFactory,
    PatientFactory,
    PractitionerFactory,
    UserFactory,
    weekly_availability,
)

# CI runs two passes side by side on a 2-core machine shared with other work: a property test fails on what its
# examples show, never because the machine was slow to run or generate them (a too-slow health check failed a
# date-parsing test under load 10). Tests that set their own settings inherit these.
hypothesis_settings.register_profile("clinicdesk", deadline=None, suppress_health_check=[HealthCheck.too_slow])
hypothesis_settings.load_profile("clinicdesk")


def pytest_configure(config):
    fast_flush.install()  # transactional tests empty only the tables they wrote to (tests/fast_flush.py)


_MIGRATED_TEMPLATE = pytest.StashKey[migrated_template.Template]()


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup, django_db_blocker, request, tmp_path_factory):
    """pytest-django's test database, and, when a selected test asks for `migrated_database`, the session's
    migrated template copied from it straight away, before any test writes to it (tests/migrated_template.py)."""
    config = request.config
    wanted = any(migrated_template.FIXTURE in getattr(item, "fixturenames", ()) for item in request.session.items)
    faithful = not config.getvalue("nomigrations") and not (config.getvalue("reuse_db")
                                                            and not config.getvalue("create_db"))
    with django_db_blocker.unblock():
        template = (migrated_template.capture(tmp_path_factory.getbasetemp()) if wanted and faithful
                    else migrated_template.empty())
    config.stash[_MIGRATED_TEMPLATE] = template
    yield
    migrated_template.release(template)


@pytest.fixture
def migrated_database(db, request, tmp_path):
    """Migrated databases of the suite's engine for processes a test starts, in about a second each instead of a
    fresh `migrate`: `.url("race")` is a DATABASE_URL; dropped when the test ends (tests/migrated_template.py)."""
    databases = migrated_template.MigratedDatabases(request.config.stash[_MIGRATED_TEMPLATE], tmp_path)
    yield databases
    databases.close()


@pytest.fixture(autouse=True)
def _audit_anchor_per_test(settings, tmp_path):
    """Each test anchors the audit chain in its own file: the test database is emptied between tests, so a
    shared anchor would make the next test's trail look shorter than its anchor (clinicdesk.audit.anchor)."""
    settings.AUDIT_ANCHOR_PATH = tmp_path / "audit-anchor.jsonl"


@pytest.fixture(autouse=True)
def _seal_after_every_commit(settings):
    """Every commit seals its audit entries at once, as tests that read the chain right after a commit expect: the
    coalescing window's last seal is shared by the whole process, so a test starting within it of the one before
    would otherwise skip its first seal. tests/audit/test_seal_coalescing.py opts in to the window (ADR 0007)."""
    settings.AUDIT_SEAL_COALESCE_MS = 0


@pytest.fixture(autouse=True)
def _matching_model_per_test(settings, tmp_path):
    """Matching scores with the shipped weights unless a test trains its own: a model that `make run` trained
    in var/ must not change what the suite expects."""
    settings.MATCHING_MODEL_PATH = tmp_path / "matching" / "model.json"


@pytest.fixture(autouse=True)
def _noshow_model_per_test(settings, tmp_path):
    """No test reads or writes the practice's no-show model in var/ (a `make run` demo trains one there; a test that
    builds a demo with history would otherwise train one that every later test's risk badges read)."""
    settings.INSIGHT_NOSHOW_MODEL = str(tmp_path / "insight" / "noshow.joblib")


@pytest.fixture(autouse=True)
def _default_language():
    """Each test starts in the default language: a service or a page that activates a user's or a patient's
    language must not leak it into the next test."""
    translation.activate(django_settings.LANGUAGE_CODE)
    yield
    translation.deactivate()


@pytest.fixture
def clock():
    """A frozen clock at a fixed instant; `clock.advance(timedelta)` moves it."""

    class FrozenClock:
        moment = dt.datetime(2026, 11, 23, 15, 0, tzinfo=dt.UTC)

        def advance(self, delta: dt.timedelta) -> None:
            clock_module.advance(delta)

        def now(self) -> dt.datetime:
            return clock_module.now()

    with clock_module.frozen_at(FrozenClock.moment):
        yield FrozenClock()


@pytest.fixture
def location(db):
    return LocationFactory(name="Downtown", time_zone="America/New_York")


@pytest.fixture
def other_location(db):
    return LocationFactory(name="Uptown", time_zone="America/Chicago")


@pytest.fixture
def provider(location):
    """A family physician who works 8:00-17:00 every day at `location`."""
    practitioner = PractitionerFactory(specialty="Family Medicine")
    weekly_availability(practitioner, location)
    return practitioner


@pytest.fixture
def follow_up(db):
    return AppointmentTypeFactory(code="follow-up", duration_minutes=20)


@pytest.fixture
def patient(location):
    return PatientFactory(home_location=location, email="ana@example.org")


@pytest.fixture
def clerk(location):
    """A front-desk user of `location`."""
    return UserFactory(role=Role.FRONT_DESK, location=location, first_name="Carla", last_name="Desk")


@pytest.fixture
def outsider(other_location):
    """A front-desk user of another location."""
    return UserFactory(role=Role.FRONT_DESK, location=other_location)


@pytest.fixture
def make_user(db, location):
    def make(role: Role = Role.FRONT_DESK, at=None, **kwargs):
        return UserFactory(role=role, location=at if at is not None else location, **kwargs)

    return make


@pytest.fixture
def signed_in(make_user):
    """A test client signed in as a fresh user of the given role (second factor satisfied)."""

    def sign_in(role: Role = Role.FRONT_DESK, at=None, **kwargs):
        user = make_user(role, at=at, **kwargs)
        client = Client()
        client.force_login(user)
        if user.mfa_required:
            from django_otp.plugins.otp_totp.models import TOTPDevice

            device = TOTPDevice.objects.create(user=user, name="test", confirmed=True)
            session = client.session
            session["otp_device_id"] = device.persistent_id
            session.save()
        client.user = user
        return client

    return sign_in


@pytest.fixture
def password():
    return PASSWORD


def pytest_report_header(config):
    return f"database: {os.environ.get('DATABASE_URL', 'sqlite (default)')}"
