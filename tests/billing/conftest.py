from __future__ import annotations

import pytest

from clinicdesk.core.permissions import Role
from tests.factories import UserFactory


@pytest.fixture
def biller(location):
    return UserFactory(role=Role.BILLING, location=location)


@pytest.fixture
def stranger(location):
    """Works at the location but holds no billing or desk permission."""
    return UserFactory(role=Role.PROVIDER, location=location)
