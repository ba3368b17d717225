"""Access-matrix rows for statements, balances, credit refunds, payment plans and disputes (#19 items 8-9). See
matrix.py for what a row means.

Who: billing staff (billing write) run the statement cycle (for their own locations: same page elsewhere), make
statements, place and release collections holds, request and decline credit refunds (the practice
coordinator, billing approve, approves them, never the one who asked), set up and end
payment plans and answer disputes. Those who read accounts (billing read: the desk, coordinators, billing) see a
patient's balance page, statements, plans and disputes. The desk hears a dispute (front desk or billing write opens
it; nurses hold the desk permission too). A Downtown chart, statement, refund or dispute is missing (404) for a user
of Uptown."""

from __future__ import annotations

from typing import Any

from .matrix import BILL, BILLING_READERS, CASHIERS, PRC, Row, api, page
from .world import TOMORROW

BILLERS = frozenset({BILL})
APPROVERS = frozenset({PRC})  # billing.approve: a refund is approved by someone other than the biller who asked
DECIDERS = frozenset({BILL, PRC})  # declining: the approver, or billing staff withdrawing a request
SHARED = {"elsewhere": None}


def objects(world: Any) -> dict[str, Any]:
    """Charts at Downtown: one owing 120.00 with a statement of January, one in credit with a refund request, one
    on a collections hold, one with an answered dispute and an open one, one on a payment plan."""
    import datetime as dt
    from decimal import Decimal

    from clinicdesk.billing import services
    from clinicdesk.portal.services import plans
    from tests.factories import PatientFactory

    biller = world.users[BILL]

    def chart(name: str) -> Any:
        return PatientFactory(home_location=world.home, family_name=name, given_name="Bal",
                              email=f"{name.lower()}@example.org")

    def charge(patient: Any, amount: str) -> Any:
        return services.charge_post(actor=biller, patient_id=patient.pk, location_id=world.home.pk,
                                    amount=Decimal(amount), description="Office visit")

    owing, credit, held, disputer, planner = (chart(n) for n in ("Owing", "Credit", "Held", "Disputer", "Planner"))
    owing_charge = charge(owing, "120.00")
    statement = services.statement_create(actor=biller, patient_id=owing.pk, as_of=dt.date(2026, 1, 5))
    services.payment_collect(actor=biller, patient_id=credit.pk, location_id=world.home.pk, amount=Decimal("50.00"),
                             tender=services.Tender("cash"))
    refund = services.credit_refund_request(actor=biller, patient_id=credit.pk, amount=Decimal("20.00"),
                                            reason="Overpaid")
    charge(held, "60.00")
    hold = services.collections_hold_place(actor=biller, patient_id=held.pk, reason="At the agency")
    disputed = charge(disputer, "90.00")
    closed = services.dispute_open(actor=biller, patient_id=disputer.pk, reason="Never seen", entry_id=disputed.pk)
    services.dispute_close(actor=biller, dispute_id=closed.pk, outcome="upheld", response="The visit took place.")
    dispute = services.dispute_open(actor=biller, patient_id=disputer.pk, reason="Still disagree")
    charge(planner, "300.00")
    plan = plans.staff_plan_create(actor=biller, patient_id=planner.pk, instalments=3, first_due=TOMORROW)
    return {"st_owing": owing, "st_owing_charge": owing_charge, "st_statement": statement, "st_credit": credit,
            "st_refund": refund, "st_hold": hold, "st_dispute": dispute, "st_closed": closed, "st_planner": planner,
            "st_plan": plan}


_SETTINGS = {"cycle_day": "5", "interval_days": "30", "dispute_days": "30", "plan_reminder_days": "5",
             "plan_missed_limit": "2"}

ROWS: list[Row] = [
    # the statement cycle (the user's own locations)
    page("GET", "/billing/statements/", 200, BILLERS, **SHARED),
    page("POST", "/billing/statements/", 302, BILLERS, data=lambda w: {"as_of": "2026-11-20"}, **SHARED),
    page("POST", "/billing/statements/settings/", 302, BILLERS, data=lambda w: _SETTINGS, **SHARED,
         why="the cycle settings are the practice's"),
    page("GET", "/billing/statements/{st_statement.pk}/statement.pdf", 200, BILLING_READERS),
    page("POST", "/billing/statements/{st_statement.pk}/printed/", 302, BILLERS),
    # a patient's balance page and its actions
    page("GET", "/billing/patients/{st_owing.pk}/balance/", 200, BILLING_READERS),
    page("POST", "/billing/patients/{st_owing.pk}/statements/new/", 302, BILLERS),
    page("POST", "/billing/patients/{st_owing.pk}/hold/", 302, BILLERS, data=lambda w: {"reason": "Bankruptcy"}),
    page("POST", "/billing/holds/{st_hold.pk}/release/", 302, BILLERS),
    page("POST", "/billing/patients/{st_credit.pk}/refunds/", 302, BILLERS,
         data=lambda w: {"amount": "10.00", "reason": "Overpaid", "idempotency_key": ""}),
    page("GET", "/billing/refunds/", 200, APPROVERS, **SHARED,
         why="the approver's queue: another location's requests are not listed"),
    page("POST", "/billing/refunds/{st_refund.pk}/approve/", 302, APPROVERS),
    page("POST", "/billing/refunds/{st_refund.pk}/decline/", 302, DECIDERS),
    # disputes
    page("GET", "/billing/disputes/", 200, BILLING_READERS, **SHARED),
    page("POST", "/billing/patients/{st_owing.pk}/disputes/", 302, CASHIERS,
         data=lambda w: {"reason": "I was not there", "entry": str(w.st_owing_charge.pk), "amount": ""}),
    page("GET", "/billing/disputes/{st_dispute.pk}/", 200, BILLING_READERS),
    page("POST", "/billing/disputes/{st_dispute.pk}/", 302, BILLERS,
         data=lambda w: {"outcome": "upheld", "response": "We checked the visit.", "language": "en"},
         who={"front_desk@uptown": 404, "patient_coordinator@uptown": 404, "practice_coordinator@uptown": 404},
         why="billing readers open the page; answering needs billing write (403); another location's is missing"),
    page("GET", "/billing/disputes/{st_closed.pk}/letter.pdf", 200, BILLING_READERS),
    # payment plans, the practice's side (the portal's plan model)
    page("GET", "/portal/staff/plans/{st_owing.pk}/", 200, BILLING_READERS),
    page("POST", "/portal/staff/plans/{st_owing.pk}/", 302, BILLERS,
         data=lambda w: {"instalments": "3", "first_due": TOMORROW.isoformat(), "total": ""},
         why="billing readers see plans; setting one up needs billing write"),
    page("POST", "/portal/staff/plans/end/{st_plan.pk}/", 302, BILLERS),
    # the JSON API
    api("GET", "/api/v1/patients/{st_owing.pk}/statements", 200, BILLING_READERS),
    api("POST", "/api/v1/patients/{st_owing.pk}/statements", 201, BILLERS),
    api("GET", "/api/v1/disputes", 200, BILLING_READERS, **SHARED),
    api("POST", "/api/v1/patients/{st_owing.pk}/disputes", 201, CASHIERS, body=lambda w: {"reason": "Not me"}),
    api("GET", "/api/v1/disputes/{st_dispute.pk}", 200, BILLING_READERS),
    api("POST", "/api/v1/disputes/{st_dispute.pk}/close", 200, BILLERS,
        body=lambda w: {"outcome": "upheld", "response": "We checked the visit."}),
    api("POST", "/api/v1/patients/{st_credit.pk}/credit-refunds", 201, BILLERS,
        body=lambda w: {"amount": "5.00", "reason": "Overpaid"}),
    api("POST", "/api/v1/credit-refunds/{st_refund.pk}/approve", 200, APPROVERS),
    api("POST", "/api/v1/credit-refunds/{st_refund.pk}/decline", 200, DECIDERS),
]
