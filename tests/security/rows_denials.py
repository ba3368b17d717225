"""Access-matrix rows for denials (#19 item 7). See matrix.py for what a row means.

Who: billing staff (billing write) at the claim's location work denials: the worklist, one denial, the
replacement claim, the appeal letter, asking for a write-off. The practice coordinator (billing approve) sees the
worklist and the denials and decides write-offs; billing staff may ask but not approve, the front desk neither.
A denial of Downtown is missing (404) for a biller of Uptown; the worklist and the rate cover only the user's own
locations (same answer)."""

from __future__ import annotations

from typing import Any

from .matrix import BILL, PRC, Row, api, page

WORKERS = frozenset({BILL})  # billing.write
READERS = frozenset({BILL, PRC})  # billing.write or billing.approve
APPROVERS = frozenset({PRC})  # billing.approve
SHARED = {"elsewhere": None}
D = "/billing/denials"

ROWS: list[Row] = [
    page("GET", f"{D}/", 200, READERS, **SHARED),
    page("GET", f"{D}/rate/?start=2025-11-01&end=2025-12-31", 200, READERS, **SHARED),
    page("GET", f"{D}/rate.csv?start=2025-11-01&end=2025-12-31", 200, READERS, **SHARED),
    page("GET", f"{D}/{{denied_claim.pk}}/", 200, READERS),
    page("POST", f"{D}/{{denied_claim.pk}}/resubmit/", 302, WORKERS),
    page("POST", f"{D}/{{denied_claim.pk}}/appeal/", 302, WORKERS, data=lambda w: {"language": "es"}),
    page("POST", f"{D}/{{denied_claim.pk}}/write-off/", 302, WORKERS, data=lambda w: {"amount": "10.00"}),
    page("POST", f"{D}/write-offs/{{asked_write_off.pk}}/approve/", 302, APPROVERS),
    page("POST", f"{D}/write-offs/{{asked_write_off.pk}}/refuse/", 302, APPROVERS),
    api("GET", "/api/v1/denials", 200, READERS, **SHARED),
    api("GET", "/api/v1/denials/{denied_claim.pk}", 200, READERS),
    api("POST", "/api/v1/denials/{denied_claim.pk}/resubmit", 201, WORKERS),
    api("POST", "/api/v1/denials/{denied_claim.pk}/appeal-letters", 201, WORKERS, body=lambda w: {"language": "en"}),
    api("POST", "/api/v1/denials/{denied_claim.pk}/write-offs", 201, WORKERS, body=lambda w: {"amount": "10.00"}),
    api("POST", "/api/v1/denial-write-offs/{asked_write_off.pk}/approve", 200, APPROVERS),
    api("POST", "/api/v1/denial-write-offs/{asked_write_off.pk}/refuse", 200, APPROVERS),
    api("GET", "/api/v1/denial-rate?start=2025-11-01&end=2025-12-31", 200, READERS, **SHARED),
]


def objects(world: Any) -> dict[str, Any]:
    """Two more visits of Ana at Downtown billed to the claims rows' payer (rows_claims.objects made the fee item
    and the coverage), their claims denied with the payer's claim number; the second one with a write-off a
    biller asked for."""
    import datetime as dt

    from clinicdesk.billing import services
    from clinicdesk.billing.models import Claim
    from tests.factories import AppointmentFactory, PractitionerFactory

    biller = world.users[BILL]
    doc = PractitionerFactory(first_name="Dora", last_name="Denials", location=world.home)

    def denied(day: int) -> Any:
        visit = AppointmentFactory(location=world.home, practitioner=doc, patient=world.ana,
                                   appointment_type=world.kind, status="fulfilled", bookings=False,
                                   start=dt.datetime(2025, 11, day, 16, 0, tzinfo=dt.UTC))
        bill = services.superbill_open(actor=biller, appointment_id=visit.pk)
        services.superbill_save(actor=biller, superbill_id=bill.pk, diagnoses=["E11.9"],
                                lines=[services.LineInput("99214", "", 1, (1,))])
        services.superbill_post(actor=biller, superbill_id=bill.pk)
        claim = services.claim_build(actor=biller, superbill_id=bill.pk)
        Claim.objects.filter(pk=claim.pk).update(status="denied", payer_claim_number=f"PCN-D{day}")
        claim.refresh_from_db()
        return claim

    first, second = denied(24), denied(25)
    asked = services.write_off_request(actor=biller, claim_id=second.pk, amount=second.total_charge)
    return {"denied_claim": first, "asked_write_off": asked}
