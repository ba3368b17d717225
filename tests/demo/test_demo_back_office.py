"""The demo practice shows the newer apps: rosters, the supply room and eligibility checks, built through their
services."""

import time

from django.core.management import call_command

from clinicdesk.audit.services import chain_verify
from clinicdesk.insurance.models import EligibilityFailure, EligibilityResult, EligibilityStatus
from clinicdesk.operations.models import Item, OrderStatus, PurchaseOrder, StockBalance, VisitSupply
from clinicdesk.operations.selectors import StockStatus, stock_status
from clinicdesk.practice.models import Location
from clinicdesk.staffing.models import Roster


def test_demo_has_rosters_supplies_and_eligibility_results(db, clock, capsys):
    started = time.perf_counter()
    call_command("demo", patients=300, weeks=2, seed=3, history_years=0, no_progress=True)
    elapsed = time.perf_counter() - started
    with capsys.disabled():
        print(f"\ndemo build (300 patients, 2 weeks): {elapsed:.2f} s")

    locations = list(Location.objects.order_by("pk"))
    for location in locations:
        roster = Roster.objects.filter(location=location, status="published").first()
        assert roster is not None, location
        assert roster.assignments.exists()

    assert Item.objects.count() >= 20
    first = locations[0]
    on_hand: dict[int, int] = {}
    for balance in StockBalance.objects.filter(location=first):
        on_hand[balance.item_id] = on_hand.get(balance.item_id, 0) + balance.quantity
    low = [item for item in Item.objects.prefetch_related("places")
           if stock_status(on_hand.get(item.pk, 0), item.places.get(location=first).reorder_point) == StockStatus.LOW]
    assert len(low) >= 2, low
    statuses = set(PurchaseOrder.objects.values_list("status", flat=True))
    assert {OrderStatus.RECEIVED, OrderStatus.SENT, OrderStatus.PARTIAL} <= statuses
    assert StockBalance.objects.filter(quantity__gt=0, expires_on__isnull=False).exists()
    assert VisitSupply.objects.filter(appointment_type__code="annual").exists()

    results = EligibilityResult.objects.all()
    assert set(results.values_list("status", flat=True)) >= {
        EligibilityStatus.ACTIVE, EligibilityStatus.INACTIVE, EligibilityStatus.FAILED, EligibilityStatus.PENDING}
    active = results.filter(status=EligibilityStatus.ACTIVE).first()
    assert active.copay is not None and active.deductible_remaining is not None and active.response_x12
    assert results.filter(failure=EligibilityFailure.TIMEOUT).exists()
    assert chain_verify().ok
