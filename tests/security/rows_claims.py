"""Access-matrix rows for claims, their answers and remittances (#19 items 3-5). See matrix.py for what a row means.

Who: billing staff (billing write) at the claim's location work claims: the worklist, one claim, scrubbing again,
voiding, billing the next payer of a paid claim, sending the ready claims and reading a 999, 277CA or 835. A
claim of Downtown is missing (404) for a biller of Uptown; the worklist, sending and reading answers cover only
the user's own locations (same answer)."""

from __future__ import annotations

from typing import Any

from .matrix import BILL, Row, api, page

BILLERS = frozenset({BILL})
SHARED = {"elsewhere": None}


def _upload(w: Any) -> dict[str, Any]:
    from django.core.files.uploadedfile import SimpleUploadedFile

    return {"file": SimpleUploadedFile("ack.x12", _answer(w)["content"].encode())}


def _answer(w: Any) -> dict[str, str]:
    from decimal import Decimal

    from clinicdesk.insurance.x12 import fakeremit

    return {"name": "ack.x12", "content": fakeremit.claim_acknowledgement_277ca(
        [fakeremit.ClaimAnswer(w.claim.claim_number, Decimal("180"))])}


ROWS: list[Row] = [
    page("GET", "/billing/claims/", 200, BILLERS, **SHARED),
    page("GET", "/billing/claims/?status=held", 200, BILLERS, **SHARED),
    page("POST", "/billing/claims/submit/", 302, BILLERS, flash_ok=False, **SHARED,
         why="with no claim ready at the biller's locations, sending nothing is a plain message"),
    page("POST", "/billing/claims/answers/", 302, BILLERS, data=_upload, **SHARED),
    page("GET", "/billing/claims/{claim.pk}/", 200, BILLERS),
    page("POST", "/billing/claims/{claim.pk}/scrub/", 302, BILLERS),
    page("POST", "/billing/claims/{claim.pk}/void/", 302, BILLERS),
    page("POST", "/billing/claims/{paid_claim.pk}/replace/", 302, BILLERS),
    page("POST", "/billing/claims/{paid_claim.pk}/next-payer/", 302, BILLERS),
    page("POST", "/billing/superbills/{claim_bill.pk}/claim/", 302, BILLERS),
    api("GET", "/api/v1/claims", 200, BILLERS, **SHARED),
    api("GET", "/api/v1/claims/{claim.pk}", 200, BILLERS),
    api("POST", "/api/v1/superbills/{claim_bill.pk}/claims", 201, BILLERS, body=lambda w: {"sequence": 1}),
    api("POST", "/api/v1/claims/{claim.pk}/scrub", 200, BILLERS),
    api("POST", "/api/v1/claims/submit", 200, BILLERS, **SHARED),
    api("POST", "/api/v1/claim-answers", 201, BILLERS, body=_answer, **SHARED),
]


def objects(world: Any) -> dict[str, Any]:
    """Two posted superbills of Ana at Downtown (99214 for E11.9) covered by a payer on the clearinghouse, and
    their claims: one held or ready (as the world's practice data decide), one paid with the payer's number."""
    import datetime as dt
    from decimal import Decimal

    from clinicdesk.billing import services
    from clinicdesk.billing.models import Claim
    from clinicdesk.patients.models import Coverage, Payer
    from tests.factories import AppointmentFactory, PractitionerFactory

    biller = world.users[BILL]
    services.fee_item_create(actor=biller, code="99214", description="Office visit, moderate",
                             price=Decimal("180.00"), effective_from=dt.date(2025, 1, 1),
                             effective_to=dt.date(2025, 12, 31))
    doc = PractitionerFactory(first_name="Clara", last_name="Claims", location=world.home)
    def visit(day: int) -> Any:
        return AppointmentFactory(location=world.home, practitioner=doc, patient=world.ana,
                                  appointment_type=world.kind, status="fulfilled", bookings=False,
                                  start=dt.datetime(2025, 11, day, 15, 0, tzinfo=dt.UTC))

    payer = Payer.objects.create(name="Claims Test Health", payer_code="CTH01", claim_channel="clearinghouse-batch")
    Coverage.objects.create(patient=world.ana, payer=payer, member_id="CT123", order=1,
                            start_date=dt.date(2025, 11, 1), end_date=dt.date(2025, 12, 31))

    def posted(day: int) -> Any:
        bill = services.superbill_open(actor=biller, appointment_id=visit(day).pk)
        services.superbill_save(actor=biller, superbill_id=bill.pk, diagnoses=["E11.9"],
                                lines=[services.LineInput("99214", "", 1, (1,))])
        return services.superbill_post(actor=biller, superbill_id=bill.pk)

    bill = posted(19)
    claim = services.claim_build(actor=biller, superbill_id=bill.pk)
    paid = services.claim_build(actor=biller, superbill_id=posted(20).pk)
    Claim.objects.filter(pk=paid.pk).update(status="paid", payer_claim_number="PCN-1")  # as if an 835 paid it
    Coverage.objects.create(patient=world.ana, payer=Payer.objects.create(  # the next payer, billed after it
        name="Claims Second Health", payer_code="CSH01", claim_channel="clearinghouse-batch"),
        member_id="CS456", order=2, start_date=dt.date(2025, 11, 1), end_date=dt.date(2025, 12, 31))
    return {"claim_bill": bill, "claim": claim, "paid_claim": paid}
