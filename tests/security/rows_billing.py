"""Access-matrix rows for coding and the fee schedule (#19). See matrix.py for what a row means.

Who: charge capture (the provider and the biller) codes fulfilled visits at their locations; billing staff
(billing write) keep the fee schedule, contracted amounts and usual codes (practice-wide, so an Uptown biller
gets the same answer) and reverse posted superbills. Those who read accounts (billing read) or code visits see
the fee schedule, the ICD-10-CM search and a superbill. A visit or superbill of Downtown is missing (404) for a
coder of Uptown; the worklist of a location that is not the user's is a 404 before any permission."""

from __future__ import annotations

from typing import Any

from .matrix import BILL, BILLING_READERS, PROV, Row, api, page

CODERS = frozenset({BILL, PROV})  # charges.capture
BILLERS = frozenset({BILL})  # billing.write
FEE_READERS = BILLING_READERS | {PROV}  # billing.read or charges.capture
SHARED = {"elsewhere": None}  # practice-wide: an Uptown biller gets the same answer

_FEE = {"code": "99215", "description": "Office visit, high", "price": "250.00", "effective_from": "2026-01-01"}


def _superbill_form(w: Any) -> dict[str, str]:
    return {"dx1": "I10", "line1-code": "99213", "line1-units": "1", "line1-pointers": "1",
            "line1-place_of_service": "11", "line1-rendering": str(w.coding_doc.pk), "post": "1"}


ROWS: list[Row] = [
    # coding visits
    page("GET", "/billing/coding/?location={home.pk}", 200, CODERS, outsider=404),
    page("POST", "/billing/coding/visits/{code_visit.pk}/", 302, CODERS),
    page("GET", "/billing/coding/icd10/?q=hypert", 200, FEE_READERS, **SHARED),
    page("GET", "/billing/superbills/{draft_bill.pk}/", 200, FEE_READERS),
    page("POST", "/billing/superbills/{draft_bill.pk}/", 302, CODERS, data=_superbill_form),
    page("POST", "/billing/superbills/{posted_bill.pk}/reverse/", 302, BILLERS,
         data=lambda w: {"reason": "Wrong level of service"}),
    # the fee schedule and usual codes
    page("GET", "/billing/fees/", 200, FEE_READERS, **SHARED),
    page("GET", "/billing/fees/new/", 200, BILLERS, **SHARED),
    page("POST", "/billing/fees/new/", 302, BILLERS, data=lambda w: _FEE, **SHARED),
    page("GET", "/billing/fees/{fee.pk}/", 200, BILLERS, **SHARED),
    page("POST", "/billing/fees/{fee.pk}/contract/", 302, BILLERS, **SHARED,
         data=lambda w: {"payer": str(w.coverage.payer_id), "amount": "95.00"}),
    page("GET", "/billing/fees/usual/", 200, FEE_READERS, **SHARED),
    page("POST", "/billing/fees/usual/", 302, BILLERS, **SHARED,
         data=lambda w: {"appointment_type": str(w.kind.pk), "code": "99214", "units": "1"}),
    page("POST", "/billing/fees/usual/{usual.pk}/remove/", 302, BILLERS, **SHARED),
    # the JSON API
    api("GET", "/api/v1/fee-schedule", 200, FEE_READERS, **SHARED),
    api("POST", "/api/v1/fee-schedule", 201, BILLERS, **SHARED,
        body=lambda w: {"code": "99215", "description": "Office visit, high", "price": "250.00",
                        "effectiveFrom": "2026-01-01"}),
    api("POST", "/api/v1/fee-schedule/{fee.pk}/contracts", 200, BILLERS, **SHARED,
        body=lambda w: {"payer": w.coverage.payer_id, "amount": "95.00"}),
    api("GET", "/api/v1/codes/icd10?q=I10", 200, FEE_READERS, **SHARED),
    api("POST", "/api/v1/appointments/{code_visit.pk}/superbill", 201, CODERS),
    api("GET", "/api/v1/superbills/{draft_bill.pk}", 200, FEE_READERS),
    api("PUT", "/api/v1/superbills/{draft_bill.pk}", 200, CODERS,
        body=lambda w: {"diagnoses": ["I10"], "lines": [{"code": "99213", "pointers": [1]}]}),
    api("POST", "/api/v1/superbills/{draft_bill.pk}/post", 200, CODERS),
    api("POST", "/api/v1/superbills/{posted_bill.pk}/reverse", 200, BILLERS,
        body=lambda w: {"reason": "Wrong level of service"}),
    api("GET", "/api/v1/patients/{ana.pk}/ledger", 200, BILLING_READERS),
]


def objects(world: Any) -> dict[str, Any]:
    """A fee schedule (99213, 99214) with 99213 usual for the follow-up type, and three fulfilled Downtown visits
    of Ana: one not yet coded, one with a draft superbill (pointing to I10) and one posted."""
    import datetime as dt
    from decimal import Decimal

    from clinicdesk.billing import services
    from tests.factories import AppointmentFactory, PractitionerFactory

    biller = world.users[BILL]
    fee = services.fee_item_create(actor=biller, code="99213", description="Office visit, established",
                                   price=Decimal("120.00"), effective_from=dt.date(2026, 1, 1))
    services.fee_item_create(actor=biller, code="99214", description="Office visit, moderate",
                             price=Decimal("180.00"), effective_from=dt.date(2026, 1, 1))
    usual = services.usual_code_add(actor=biller, appointment_type_id=world.kind.pk, code="99213")
    doc = PractitionerFactory(first_name="Cody", last_name="Coder", location=world.home)

    def visit(day: int) -> Any:
        return AppointmentFactory(location=world.home, practitioner=doc, patient=world.ana,
                                  appointment_type=world.kind, status="fulfilled", bookings=False,
                                  start=dt.datetime(2026, 11, day, 15, 0, tzinfo=dt.UTC))

    code_visit, draft_visit, posted_visit = visit(16), visit(17), visit(18)
    draft = services.superbill_open(actor=biller, appointment_id=draft_visit.pk)
    services.superbill_save(actor=biller, superbill_id=draft.pk, diagnoses=["I10"],
                            lines=[services.LineInput("99213", "", 1, (1,))])
    posted = services.superbill_open(actor=biller, appointment_id=posted_visit.pk)
    services.superbill_save(actor=biller, superbill_id=posted.pk, diagnoses=["E11.9"],
                            lines=[services.LineInput("99214", "", 1, (1,))])
    services.superbill_post(actor=biller, superbill_id=posted.pk)
    return {"fee": fee, "usual": usual, "coding_doc": doc, "code_visit": code_visit, "draft_bill": draft,
            "posted_bill": posted}
