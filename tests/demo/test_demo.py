import time

import pytest
from django.core.management import call_command

from clinicdesk.accounts.models import User
from clinicdesk.audit.services import chain_verify
from clinicdesk.core.permissions import Role
from clinicdesk.insurance.models import EligibilityFailure, EligibilityResult, EligibilityStatus
from clinicdesk.operations.models import Item, OrderStatus, PurchaseOrder, StockBalance, VisitSupply
from clinicdesk.operations.selectors import StockStatus, stock_status
from clinicdesk.patients.models import Patient
from clinicdesk.practice.models import Location, Practitioner, Room
from clinicdesk.scheduling.models import Appointment
from clinicdesk.staffing.models import Roster


def _snapshot():
    return (
        list(Patient.objects.order_by("mrn").values_list("mrn", "family_name", "given_name", "birth_date", "phone")),
        list(Appointment.objects.order_by("start", "practitioner__npi").values_list("start", "patient__mrn")),
    )


def test_demo_builds_the_practice_the_brief_describes(db, clock, capsys):
    """One build (a demo build is the slow part of these tests), three sets of checks: the practice the brief
    describes, the desk at 10:00 in New York, and the back office (rosters, supplies, eligibility)."""
    started = time.perf_counter()
    call_command("demo", patients=400, weeks=2, seed=5, history_years=0, no_progress=True)
    with capsys.disabled():
        print(f"\ndemo build (400 patients, 2 weeks): {time.perf_counter() - started:.2f} s")
    _check_the_practice(patients=400)
    _check_the_desk_at_ten(clock)
    _check_the_back_office()
    _check_the_money()
    assert chain_verify().ok


def _check_the_practice(*, patients: int) -> None:
    assert Location.objects.count() == 2
    assert len(set(Location.objects.values_list("time_zone", flat=True))) == 2
    assert Practitioner.objects.count() == 8
    assert Room.objects.count() == 6
    staff = User.objects.exclude(role=Role.PROVIDER).count() + User.objects.filter(role=Role.PROVIDER).exclude(
        practitioner__isnull=False).count()
    assert staff == 30
    assert set(User.objects.values_list("role", flat=True)) == {r.value for r in Role}
    assert Patient.objects.count() == patients
    assert set(Patient.objects.values_list("preferred_language", flat=True)) == {"en", "es"}
    assert Appointment.objects.count() > 0
    logins = ["frontdesk1", "practicecoordinator1", "compliance1", "sysadmin1", "nurse1", "billing1"]
    assert User.objects.filter(username__in=logins).count() == len(logins)


@pytest.mark.django_db(transaction=True)
def test_demo_is_reproducible_from_its_seed(clock):
    """Under one frozen clock: the builder decides what has happened by `now` (a visit that has started is
    fulfilled, missed or cancelled, and draws more random numbers), so two builds a few seconds apart on either
    side of a visit's start would part ways from there."""
    from clinicdesk.patients.models import FormTemplate, Payer
    from clinicdesk.patients.seed import seed_reference_data

    seed_reference_data(Payer, FormTemplate)
    call_command("demo", patients=80, weeks=1, seed=11, history_years=0, no_progress=True)
    first = _snapshot()
    call_command("flush", interactive=False, verbosity=0)
    seed_reference_data(Payer, FormTemplate)
    call_command("demo", patients=80, weeks=1, seed=11, history_years=0, no_progress=True)
    assert _snapshot() == first


def test_demo_refuses_a_database_that_holds_a_practice(db):
    import pytest
    from django.core.management import CommandError

    call_command("demo", patients=10, weeks=0, seed=1, history_years=0, no_progress=True)
    with pytest.raises(CommandError):
        call_command("demo", patients=10, weeks=0, seed=1, history_years=0, no_progress=True)
    call_command("demo", patients=10, weeks=0, seed=1, history_years=0, no_progress=True, if_empty=True)
    assert Patient.objects.count() == 10


def _check_the_desk_at_ten(clock) -> None:
    """At 10:00 in New York the demo desk has patients waiting, in rooms or with a provider, and checked out."""
    from clinicdesk.billing.models import LedgerEntry
    from clinicdesk.frontdesk.models import Visit

    downtown = Location.objects.get(time_zone="America/New_York")
    statuses = set(Visit.objects.filter(location=downtown).values_list("status", flat=True))
    assert {"checked-in", "checked-out"} <= statuses and statuses & {"roomed", "with-provider"}, statuses
    checked_out = Visit.objects.filter(status="checked-out").first()
    assert checked_out.arrived_at < checked_out.roomed_at < checked_out.checked_out_at <= clock.now()
    # Today's desk: one payment for every visit past arrival (earlier visits' co-pays go with their charges).
    today = Visit.objects.filter(location=downtown)
    payments = LedgerEntry.objects.filter(kind="payment", location=downtown,
                                          appointment__in=today.values("appointment"))
    assert payments.count() == today.exclude(status="arrived").count()


def _check_the_back_office() -> None:
    """Rosters, the supply room and eligibility checks, built through their services."""
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


def _check_the_money() -> None:
    """Money is taken only for the visits the practice charged (today's desk aside: its visits are coded later),
    so the A/R report's collection rates are a practice's: the demo once took co-pays for every visit of two
    months and charged a few dozen, a collection rate of 518 %."""
    from clinicdesk.billing.models import LedgerEntry
    from clinicdesk.billing.report_filters import parse_filters, report_scope
    from clinicdesk.billing.report_selectors import period_totals
    from clinicdesk.frontdesk.models import Visit

    charged = LedgerEntry.objects.filter(kind="charge", appointment__isnull=False).values("appointment_id")
    copays = LedgerEntry.objects.filter(kind="payment", appointment__isnull=False)
    assert copays.filter(appointment_id__in=charged).exists()
    today = Visit.objects.values("appointment_id")
    assert not copays.exclude(appointment_id__in=charged).exclude(appointment_id__in=today).exists()
    coordinator = User.objects.get(username="practicecoordinator1")
    totals = period_totals(parse_filters({}, report_scope(actor=coordinator)))  # the last 90 days
    assert totals.insurance > 0 and totals.adjustments < 0, totals
    assert 50 <= totals.net_collection_rate <= 105, totals
    assert totals.collection_rate < totals.net_collection_rate, totals
