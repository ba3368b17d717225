"""The stock ledger under concurrent use: threads with their own database connections use the same item at once;
no update is lost and the refuse rule holds (PostgreSQL: row locks on the balance)."""

from __future__ import annotations

import threading
from collections.abc import Callable

import pytest
from django.db import connection, connections

from clinicdesk.core.exceptions import Conflict
from clinicdesk.operations import selectors, services
from clinicdesk.operations.models import StockBalance, StockMovement

from .conftest import stock

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(connection.vendor != "postgresql",
                       reason="SQLite has one writer at a time and no row locks: the race needs PostgreSQL"),
]


def _run(workers: int, work: Callable[[int], None]) -> list[BaseException]:
    errors: list[BaseException] = []
    start = threading.Barrier(workers)

    def run(index: int) -> None:
        try:
            start.wait()
            work(index)
        except BaseException as error:
            errors.append(error)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run, args=(i,)) for i in range(workers)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    return errors


def test_concurrent_use_loses_no_update(coordinator, nurse, gloves, location):
    stock(coordinator, gloves, location, 500)

    def use(_index: int) -> None:
        for _ in range(5):
            services.stock_use(actor=nurse, item_id=gloves.pk, location_id=location.pk, quantity=2)

    assert _run(8, use) == []
    balance = StockBalance.objects.get(item=gloves, location=location, lot="")
    assert balance.quantity == 500 - 8 * 5 * 2
    assert selectors.stock_on_hand_from_ledger(actor=nurse, location_id=location.pk)[gloves.pk] == balance.quantity
    assert StockMovement.objects.filter(kind="use").count() == 40


def test_concurrent_use_of_the_last_units_refuses_the_rest(coordinator, nurse, gloves, location):
    stock(coordinator, gloves, location, 5)
    errors = _run(10, lambda _i: services.stock_use(actor=nurse, item_id=gloves.pk, location_id=location.pk,
                                                    quantity=1))
    assert len(errors) == 5 and all(isinstance(e, Conflict) for e in errors)
    assert StockBalance.objects.get(item=gloves, location=location, lot="").quantity == 0
    assert StockMovement.objects.filter(kind="use").count() == 5


def test_concurrent_first_use_at_a_new_location_creates_one_balance(coordinator, nurse, gloves, location):
    services.item_update(actor=coordinator, item_id=gloves.pk, over_use="exception")
    errors = _run(6, lambda _i: services.stock_use(actor=nurse, item_id=gloves.pk, location_id=location.pk,
                                                   quantity=1))
    assert errors == []
    assert StockBalance.objects.get(item=gloves, location=location, lot="").quantity == -6
