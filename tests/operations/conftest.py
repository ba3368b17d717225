from __future__ import annotations

from decimal import Decimal

import pytest

from clinicdesk.accounts.models import User
from clinicdesk.core.permissions import Role
from clinicdesk.operations import services
from tests.factories import UserFactory


@pytest.fixture
def coordinator(location) -> User:
    return UserFactory(role=Role.PRACTICE_COORDINATOR, location=location, username="pat-coord",
                       first_name="Pat", last_name="Coordinator")


@pytest.fixture
def second_coordinator(location) -> User:
    return UserFactory(role=Role.PRACTICE_COORDINATOR, location=location, username="sam-coord")


@pytest.fixture
def nurse(location) -> User:
    return UserFactory(role=Role.NURSE, location=location, username="nina-nurse")


@pytest.fixture
def gloves(coordinator, location):
    item = services.item_create(actor=coordinator, name="Exam gloves, medium", unit="box", par_level=20,
                                reorder_point=8)
    services.stock_place_set(actor=coordinator, item_id=item.pk, location_id=location.pk, storage="Supply room A")
    return item


@pytest.fixture
def vaccine(coordinator, location):
    item = services.item_create(actor=coordinator, name="Flu vaccine", unit="vial", category="pharmacy",
                                tracks_lots=True, par_level=30, reorder_point=10)
    services.stock_place_set(actor=coordinator, item_id=item.pk, location_id=location.pk, storage="Fridge 1")
    return item


@pytest.fixture
def medline(coordinator):
    return services.supplier_create(actor=coordinator, name="Medline", account_number="AC-1001",
                                    contact_name="Jo Rep", email="orders@medline.example", phone="800-555-0100")


@pytest.fixture
def henry(coordinator):
    return services.supplier_create(actor=coordinator, name="Henry Schein", account_number="HS-77",
                                    email="po@henryschein.example")


def stock(actor, item, location, quantity, lot="", expires_on=None):
    return services.stock_adjust(actor=actor, item_id=item.pk, location_id=location.pk, quantity=quantity,
                                 reason="Opening stock", lot=lot, expires_on=expires_on)


PRICE = Decimal("12.50")
