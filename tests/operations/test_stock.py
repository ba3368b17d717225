"""The stock ledger: use, over-use (refused or exception), lots (FEFO), waste, transfer, counts, visit use."""

from __future__ import annotations

import datetime as dt

import pytest

from clinicdesk.core.exceptions import AppendOnlyError, Conflict, PermissionDenied, ValidationFailed
from clinicdesk.core.permissions import Role
from clinicdesk.operations import selectors, services
from clinicdesk.operations.models import MovementKind, OverUse, StockBalance, StockMovement
from tests.factories import AppointmentFactory, AppointmentTypeFactory, UserFactory

from .conftest import stock


def _on_hand(actor, item, location):
    return selectors.stock_on_hand(actor=actor, location_id=location.pk).get(item.pk, 0)


def test_stock_use_lowers_the_balance_and_writes_the_ledger(coordinator, nurse, gloves, location):
    stock(coordinator, gloves, location, 10)
    services.stock_use(actor=nurse, item_id=gloves.pk, location_id=location.pk, quantity=3)
    assert _on_hand(nurse, gloves, location) == 7
    assert selectors.stock_on_hand_from_ledger(actor=nurse, location_id=location.pk)[gloves.pk] == 7
    assert list(StockMovement.objects.values_list("kind", "quantity").order_by("pk")) == [
        (MovementKind.ADJUST, 10), (MovementKind.USE, -3)]


def test_stock_use_of_more_than_on_hand_is_refused_and_writes_nothing(coordinator, nurse, gloves, location):
    stock(coordinator, gloves, location, 2)
    with pytest.raises(Conflict, match="Only 2 box of Exam gloves, medium on hand"):
        services.stock_use(actor=nurse, item_id=gloves.pk, location_id=location.pk, quantity=5)
    assert _on_hand(nurse, gloves, location) == 2
    assert StockMovement.objects.count() == 1


def test_stock_over_use_is_a_negative_exception_when_the_item_allows_it(coordinator, nurse, gloves, location):
    services.item_update(actor=coordinator, item_id=gloves.pk, over_use=OverUse.EXCEPTION)
    stock(coordinator, gloves, location, 2)
    [movement] = services.stock_use(actor=nurse, item_id=gloves.pk, location_id=location.pk, quantity=5)
    assert movement.negative_exception
    assert _on_hand(nurse, gloves, location) == -3


def test_stock_use_needs_supplies_use_at_the_location(coordinator, gloves, location, other_location):
    stock(coordinator, gloves, location, 5)
    billing = UserFactory(role=Role.BILLING, location=location)
    elsewhere = UserFactory(role=Role.NURSE, location=other_location)
    for actor in (billing, elsewhere):
        with pytest.raises(PermissionDenied):
            services.stock_use(actor=actor, item_id=gloves.pk, location_id=location.pk, quantity=1)


def test_stock_movements_are_append_only(coordinator, gloves, location):
    [movement] = stock(coordinator, gloves, location, 5)
    with pytest.raises(AppendOnlyError):
        movement.save()
    with pytest.raises(AppendOnlyError):
        StockMovement.objects.all().delete()


def test_lot_tracked_use_takes_the_earliest_expiry_first(coordinator, nurse, vaccine, location, clock):
    stock(coordinator, vaccine, location, 5, lot="LATE", expires_on=dt.date(2027, 6, 1))
    stock(coordinator, vaccine, location, 3, lot="SOON", expires_on=dt.date(2026, 12, 10))
    moves = services.stock_use(actor=nurse, item_id=vaccine.pk, location_id=location.pk, quantity=4)
    assert [(m.lot, m.quantity) for m in moves] == [("SOON", -3), ("LATE", -1)]
    lots = {b.lot: b.quantity for b in selectors.item_lots(actor=nurse, item_id=vaccine.pk, location_id=location.pk)}
    assert lots == {"LATE": 4}


def test_a_new_lot_needs_its_expiry(coordinator, vaccine, location):
    with pytest.raises(ValidationFailed, match="expiry"):
        stock(coordinator, vaccine, location, 5, lot="L1")


def test_waste_needs_a_reason_and_never_goes_negative(coordinator, gloves, location):
    services.item_update(actor=coordinator, item_id=gloves.pk, over_use=OverUse.EXCEPTION)
    stock(coordinator, gloves, location, 2)
    with pytest.raises(ValidationFailed):
        services.stock_waste(actor=coordinator, item_id=gloves.pk, location_id=location.pk, quantity=1, reason="")
    with pytest.raises(Conflict):
        services.stock_waste(actor=coordinator, item_id=gloves.pk, location_id=location.pk, quantity=3,
                             reason="Torn")


def test_transfer_moves_stock_between_locations(coordinator, gloves, location, other_location):
    stock(coordinator, gloves, location, 10)
    services.stock_transfer(actor=coordinator, item_id=gloves.pk, from_location_id=location.pk,
                            to_location_id=other_location.pk, quantity=4)
    assert _on_hand(coordinator, gloves, location) == 6
    assert _on_hand(coordinator, gloves, other_location) == 4


def test_cycle_count_posts_the_variance(coordinator, nurse, gloves, location):
    stock(coordinator, gloves, location, 10)
    count = services.count_start(actor=coordinator, location_id=location.pk)
    _count, [line] = selectors.count_detail(actor=coordinator, count_id=count.pk)
    assert line.expected == 10
    services.stock_use(actor=nurse, item_id=gloves.pk, location_id=location.pk, quantity=1)  # during the count
    services.count_enter(actor=coordinator, count_id=count.pk, counted={line.pk: 7})
    services.count_post(actor=coordinator, count_id=count.pk)
    _count, [line] = selectors.count_detail(actor=coordinator, count_id=count.pk)
    assert (line.expected, line.counted, line.variance) == (9, 7, -2)
    assert _on_hand(coordinator, gloves, location) == 7
    with pytest.raises(Conflict):
        services.count_enter(actor=coordinator, count_id=count.pk, counted={line.pk: 8})


def test_a_fulfilled_visit_posts_its_supplies_once(coordinator, gloves, location, clock):
    from clinicdesk.scheduling.services import appointment_set_status

    kind = AppointmentTypeFactory(code="physical", name="Physical")
    services.visit_supply_set(actor=coordinator, appointment_type_id=kind.pk, item_id=gloves.pk, quantity=2)
    stock(coordinator, gloves, location, 1)  # refuse-policy item: the visit still goes through
    start = clock.now() - dt.timedelta(minutes=30)
    appointment = AppointmentFactory(location=location, appointment_type=kind, status="checked-in", start=start)
    appointment_set_status(actor=coordinator, appointment_id=appointment.pk, status="fulfilled")
    uses = StockMovement.objects.filter(appointment_id=appointment.pk)
    assert [(m.kind, m.quantity, m.negative_exception) for m in uses] == [(MovementKind.USE, -2, True)]
    assert StockBalance.objects.get(item=gloves, location=location, lot="").quantity == -1
    services.visit_supplies_post(appointment_id=appointment.pk, appointment_type_id=kind.pk,
                                 location_id=location.pk, actor=coordinator)
    assert StockMovement.objects.filter(appointment_id=appointment.pk).count() == 1
