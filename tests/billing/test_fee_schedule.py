"""The fee schedule: codes checked, periods never overlapping, contracted amounts, usual codes (#19 item 1)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from clinicdesk.audit.models import AuditEntry
from clinicdesk.billing.models import FeeItem
from clinicdesk.billing.services import (
    contract_set,
    fee_in_effect,
    fee_item_create,
    fee_item_update,
    usual_code_add,
)
from clinicdesk.core.exceptions import PermissionDenied, ValidationFailed
from clinicdesk.core.permissions import Role
from clinicdesk.patients.models import Payer
from tests.factories import AppointmentTypeFactory, UserFactory

JAN, DEC = dt.date(2026, 1, 1), dt.date(2026, 12, 1)


def _fee(biller, **changes):
    values = {"code": "99213", "description": "Office visit", "price": Decimal("120.00"), "effective_from": JAN}
    values.update(changes)
    return fee_item_create(actor=biller, **values)


def test_fee_item_create_writes_the_line_and_audits_it(biller):
    item = _fee(biller, modifiers="25")
    assert (item.code, item.modifiers, item.price) == ("99213", "25", Decimal("120.00"))
    assert AuditEntry.objects.filter(action="fee.create", resource_id=str(item.pk)).exists()


@pytest.mark.parametrize("code", ["9921", "W1234", "ABCDE", ""])
def test_fee_item_create_refuses_a_code_of_the_wrong_shape(biller, code):
    with pytest.raises(ValidationFailed) as error:
        _fee(biller, code=code)
    assert error.value.code == "bad-procedure-code" and not FeeItem.objects.exists()


def test_fee_item_create_takes_hcpcs_codes(biller):
    assert _fee(biller, code="g0438").code == "G0438"


def test_fee_item_create_refuses_five_modifiers(biller):
    with pytest.raises(ValidationFailed) as error:
        _fee(biller, modifiers="25 59 LT RT GT")
    assert error.value.code == "too-many-modifiers"


def test_fee_periods_of_one_code_may_not_overlap(biller):
    _fee(biller, effective_to=dt.date(2026, 11, 30))
    with pytest.raises(ValidationFailed) as error:
        _fee(biller, effective_from=dt.date(2026, 11, 30), price=Decimal("130.00"))
    assert error.value.code == "fee-period-overlap" and FeeItem.objects.count() == 1


def test_an_open_ended_period_blocks_any_later_one(biller):
    _fee(biller)
    with pytest.raises(ValidationFailed):
        _fee(biller, effective_from=dt.date(2030, 1, 1))


def test_adjacent_periods_and_other_modifiers_are_fine(biller):
    _fee(biller, effective_to=dt.date(2026, 11, 30))
    _fee(biller, effective_from=DEC, price=Decimal("130.00"))
    _fee(biller, modifiers="25")
    assert FeeItem.objects.count() == 3


def test_fee_item_update_refuses_to_stretch_into_the_next_period(biller):
    first = _fee(biller, effective_to=dt.date(2026, 11, 30))
    _fee(biller, effective_from=DEC)
    with pytest.raises(ValidationFailed):
        fee_item_update(actor=biller, item_id=first.pk, effective_to=None)
    first.refresh_from_db()
    assert first.effective_to == dt.date(2026, 11, 30)


def test_fee_in_effect_picks_the_price_of_the_day(biller):
    _fee(biller, effective_to=dt.date(2026, 11, 30))
    _fee(biller, effective_from=DEC, price=Decimal("130.00"))
    assert fee_in_effect("99213", "", dt.date(2026, 11, 30)).price == Decimal("120.00")
    assert fee_in_effect("99213", "25", dt.date(2026, 12, 2)).price == Decimal("130.00")
    assert fee_in_effect("99213", "", dt.date(2025, 12, 31)) is None


def test_contract_set_and_remove(biller):
    item = _fee(biller)
    payer = Payer.objects.create(name="Matrix Health")
    contract = contract_set(actor=biller, item_id=item.pk, payer_id=payer.pk, amount=Decimal("95.10"))
    assert contract.amount == Decimal("95.10")
    contract_set(actor=biller, item_id=item.pk, payer_id=payer.pk, amount=Decimal("96.00"))
    assert item.contracts.get().amount == Decimal("96.00")
    contract_set(actor=biller, item_id=item.pk, payer_id=payer.pk, amount=None)
    assert not item.contracts.exists()


def test_usual_code_must_be_on_the_fee_schedule(biller):
    kind = AppointmentTypeFactory()
    with pytest.raises(ValidationFailed) as error:
        usual_code_add(actor=biller, appointment_type_id=kind.pk, code="99215")
    assert error.value.code == "code-not-on-fee-schedule"


@pytest.mark.parametrize("role", [Role.FRONT_DESK, Role.PROVIDER, Role.PRACTICE_COORDINATOR])
def test_only_billing_keeps_the_fee_schedule(location, role):
    with pytest.raises(PermissionDenied):
        _fee(UserFactory(role=role, location=location))
