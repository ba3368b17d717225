from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from clinicdesk.billing.models import LedgerEntry
from clinicdesk.billing.selectors import drawer_report
from clinicdesk.billing.services import Tender, entry_reverse, payment_collect, refund_issue
from clinicdesk.core.exceptions import PermissionDenied
from clinicdesk.core.permissions import Role
from tests.factories import PatientFactory, UserFactory

DAY = dt.date(2026, 11, 23)


def test_drawer_balances_to_the_ledger_with_mixed_methods_and_a_refund(clerk, biller, patient, location, clock):
    second_clerk = UserFactory(role=Role.FRONT_DESK, location=location)
    other = PatientFactory(home_location=location)
    pay = lambda actor, who, amount, tender: payment_collect(  # noqa: E731
        actor=actor, patient_id=who.pk, location_id=location.pk, amount=Decimal(amount), tender=tender)
    cash = pay(clerk, patient, "25.00", Tender("cash"))
    pay(clerk, other, "40.00", Tender("check", check_number="1042"))
    card = pay(clerk, patient, "110.35", Tender("card", card_reference="T-88", card_last4="4242"))
    pay(second_clerk, other, "15.00", Tender("cash"))
    mistaken = pay(second_clerk, patient, "9.99", Tender("cash"))
    refund_issue(actor=clerk, payment_id=card.pk, amount=Decimal("10.35"), reason="Over-collected")
    refund_issue(actor=clerk, payment_id=cash.pk, amount=Decimal("5.00"), reason="Change", tender=Tender("cash"))
    entry_reverse(actor=biller, entry_id=mistaken.pk, reason="Keyed twice")

    report = drawer_report(actor=biller, location=location, day=DAY)
    rows = {r.user_id: r for r in report.rows}
    assert rows[clerk.pk].net == {"cash": Decimal("20.00"), "check": Decimal("40.00"), "card": Decimal("100.00")}
    assert rows[clerk.pk].refunded["card"] == Decimal("10.35")
    assert rows[second_clerk.pk].net["cash"] == Decimal("15.00")  # the reversed 9.99 nets out (reversal by biller)
    # An independent sum straight from the ledger: every entry that moved money at the location that day.
    independent = -sum((e.amount for e in LedgerEntry.objects.all() if e.method), Decimal("0"))
    assert report.ledger_total == independent == Decimal("175.00")
    assert report.total == Decimal("175.00")
    assert report.balances


def test_drawer_for_one_user(clerk, patient, location, clock):
    payment_collect(actor=clerk, patient_id=patient.pk, location_id=location.pk, amount=Decimal("12"),
                    tender=Tender("cash"))
    report = drawer_report(actor=clerk, location=location, day=DAY, user_id=clerk.pk)
    assert report.total == Decimal("12.00") and report.balances


def test_drawer_is_refused_at_another_location_and_to_outsiders(outsider, stranger, location, clock):
    with pytest.raises(PermissionDenied):
        drawer_report(actor=outsider, location=location, day=DAY)
    with pytest.raises(PermissionDenied):
        drawer_report(actor=stranger, location=location, day=DAY)
