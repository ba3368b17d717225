from __future__ import annotations

import pytest

from clinicdesk.accounts.models import User
from clinicdesk.core.permissions import Role
from tests.factories import PatientFactory, UserFactory


@pytest.fixture
def coordinator(location) -> User:
    return UserFactory(role=Role.PRACTICE_COORDINATOR, location=location, username="pat-coord",
                       first_name="Pat", last_name="Coordinator")


@pytest.fixture
def officer(location) -> User:
    return UserFactory(role=Role.COMPLIANCE, location=location, username="cora-officer", first_name="Cora",
                       last_name="Officer")


@pytest.fixture
def desk(location) -> User:
    return UserFactory(role=Role.FRONT_DESK, location=location, username="fran-desk", first_name="Fran",
                       last_name="Desk")


@pytest.fixture
def elsewhere_desk(other_location) -> User:
    return UserFactory(role=Role.FRONT_DESK, location=other_location, username="otto-uptown")


@pytest.fixture
def sysadmin(location) -> User:
    return UserFactory(role=Role.SYSADMIN, location=location, username="sid-admin")


@pytest.fixture
def ana(location):
    return PatientFactory(home_location=location, given_name="Ana", family_name="Garcia",
                          preferred_language="es", address_line="12 Elm St", city="Springfield", state="MA",
                          postal_code="01103")


@pytest.fixture
def bob(location):
    return PatientFactory(home_location=location, given_name="Bob", family_name="Baker", preferred_language="en")
