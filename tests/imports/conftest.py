from __future__ import annotations

import pytest

from clinicdesk.core.identifiers import npi_complete
from clinicdesk.core.permissions import Role

from ..factories import LocationFactory, UserFactory

NPI_A, NPI_B = npi_complete("298765432"), npi_complete("287654321")


def csv_bytes(header: str, *rows: str, bom: bool = False) -> bytes:
    text = "\n".join([header, *rows]) + "\n"
    return ("\ufeff" if bom else "").encode() + text.encode()


@pytest.fixture
def downtown(db):
    return LocationFactory(code="downtown", name="Downtown", time_zone="America/New_York")


@pytest.fixture
def coordinator(downtown):
    return UserFactory(role=Role.PRACTICE_COORDINATOR, location=downtown)


@pytest.fixture
def sysadmin(downtown):
    return UserFactory(role=Role.SYSADMIN, location=downtown)
