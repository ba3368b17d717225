"""A small, hand-checkable year for the budget tests (Downtown, New York time, the clock on 23 November 2026).

Budget 2026: payroll $120,000.00 a year at $30.00 an hour; supplies $100.00 in October and in November; rent
$36,000.00 a year; patient collections $1,200.00 a year. Actuals:
- supplies: 3 packs of flu vaccine received in October at $150.00, invoiced at $155.00 -> October $465.00;
  2 packs of gloves received in November at $12.50 -> November $25.00;
- equipment (not budgeted): an ECG machine received in November, $800.00;
- payroll: on the published roster two 7.5-hour shifts in November and one in October; a draft roster's shift
  does not count -> November 15.00 h = $450.00, October 7.50 h = $225.00;
- patient collections: $80.00 paid and $10.00 refunded in November, and $20.00 paid at 10 pm on 30 November in
  New York (already 1 December in UTC) -> November $90.00; insurance paid $500.00 in October;
- rent entered: $3,000.00 and a $250.00 late fee in November.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from clinicdesk.billing.models import EntryKind, LedgerEntry
from clinicdesk.core import clock as clock_module
from clinicdesk.operations import services
from clinicdesk.operations.services import InvoicedLine, OrderPick, ReceivedLine
from clinicdesk.operations.services import budgets as budget_services
from clinicdesk.staffing.models import Roster, RosterAssignment, ShiftType, StaffMember
from tests.factories import PatientFactory, UserFactory

YEAR = 2026


def _receive(coordinator, location, offer, packs, *, at, lot="", expires=None, invoice_price=None):
    with clock_module.frozen_at(at):
        [order] = services.orders_create(actor=coordinator, location_id=location.pk,
                                         picks=[OrderPick(offer.pk, packs)])
        services.order_submit(actor=coordinator, order_id=order.pk)
        services.order_send(actor=coordinator, order_id=order.pk)
        line = order.lines.get()
        services.order_receive(actor=coordinator, order_id=order.pk,
                               lines=[ReceivedLine(line.pk, packs, lot=lot, expires_on=expires)])
        if invoice_price is not None:
            services.invoice_record(actor=coordinator, order_id=order.pk, number=f"INV-{order.pk}",
                                    invoice_date=at.date(), lines=[InvoicedLine(line.pk, packs, invoice_price)])
    return order


def purchases(coordinator, location, settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    supplier = services.supplier_create(actor=coordinator, name="Medline", email="orders@medline.example")
    gloves = services.item_create(actor=coordinator, name="Exam gloves", unit="box", par_level=20, reorder_point=8)
    vaccine = services.item_create(actor=coordinator, name="Flu vaccine", unit="vial", category="pharmacy",
                                   tracks_lots=True, par_level=30, reorder_point=10)
    ecg = services.item_create(actor=coordinator, name="ECG machine", unit="each", category="equipment")
    offers = {name: services.supplier_item_set(actor=coordinator, supplier_id=supplier.pk, item_id=item.pk,
                                               price=price, pack_size=size)
              for name, item, price, size in (("gloves", gloves, Decimal("12.50"), 10),
                                              ("vaccine", vaccine, Decimal("150.00"), 10),
                                              ("ecg", ecg, Decimal("800.00"), 1))}
    _receive(coordinator, location, offers["vaccine"], 3, at=dt.datetime(2026, 10, 14, 15, tzinfo=dt.UTC),
             lot="FL-1", expires=dt.date(2027, 6, 1), invoice_price=Decimal("155.00"))
    _receive(coordinator, location, offers["gloves"], 2, at=dt.datetime(2026, 11, 20, 15, tzinfo=dt.UTC))
    _receive(coordinator, location, offers["ecg"], 1, at=dt.datetime(2026, 11, 21, 15, tzinfo=dt.UTC))


def rosters(location):
    shift = ShiftType.objects.create(location=location, code="D", name="Day", start=dt.time(8),
                                     end=dt.time(16), paid_minutes=450)
    staff = [StaffMember.objects.create(user=UserFactory(location=location), location=location) for _i in range(2)]
    published = Roster.objects.create(location=location, period_start=dt.date(2026, 10, 26),
                                      period_end=dt.date(2026, 11, 22), status="published")
    draft = Roster.objects.create(location=location, period_start=dt.date(2026, 11, 23),
                                  period_end=dt.date(2026, 12, 20), status="draft")
    for who, day, roster in ((staff[0], dt.date(2026, 10, 30), published), (staff[0], dt.date(2026, 11, 2), published),
                             (staff[1], dt.date(2026, 11, 2), published), (staff[1], dt.date(2026, 11, 24), draft)):
        RosterAssignment.objects.create(roster=roster, staff=who, date=day, shift_type=shift)


def ledger(location):
    patient = PatientFactory(home_location=location)

    def post(kind, amount, at, **extra):
        return LedgerEntry.objects.create(patient=patient, location=location, kind=kind, amount=Decimal(amount),
                                          created_at=at, **extra)

    paid = post(EntryKind.PAYMENT, "-80.00", dt.datetime(2026, 11, 5, 17, tzinfo=dt.UTC), method="cash")
    post(EntryKind.REFUND, "10.00", dt.datetime(2026, 11, 6, 17, tzinfo=dt.UTC), method="cash", refund_of=paid)
    post(EntryKind.PAYMENT, "-20.00", dt.datetime(2026, 12, 1, 3, tzinfo=dt.UTC), method="cash")
    post(EntryKind.INSURANCE, "-500.00", dt.datetime(2026, 10, 20, 17, tzinfo=dt.UTC))
    post(EntryKind.CHARGE, "300.00", dt.datetime(2026, 11, 5, 16, tzinfo=dt.UTC))  # a charge is not money in


def budget(coordinator, location):
    made = budget_services.budget_create(actor=coordinator, location_id=location.pk, year=YEAR)
    budget_services.budget_line_set(actor=coordinator, budget_id=made.pk, category="payroll",
                                    annual=Decimal("120000.00"), hourly_cost=Decimal("30.00"))
    supplies = [Decimal("0")] * 12
    supplies[9] = supplies[10] = Decimal("100.00")
    budget_services.budget_line_set(actor=coordinator, budget_id=made.pk, category="supplies", monthly=supplies)
    budget_services.budget_line_set(actor=coordinator, budget_id=made.pk, category="rent", annual="36000")
    budget_services.budget_line_set(actor=coordinator, budget_id=made.pk, category="patient-pay", annual="1200.00")
    for amount, note in (("3000.00", "November rent"), ("250.00", "Late fee")):
        budget_services.actual_entry_add(actor=coordinator, location_id=location.pk, year=YEAR, month=11,
                                         category="rent", amount=Decimal(amount), note=note)
    return made


def whole_year(coordinator, location, settings):
    purchases(coordinator, location, settings)
    rosters(location)
    ledger(location)
    return budget(coordinator, location)
