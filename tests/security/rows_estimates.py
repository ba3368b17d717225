"""Access-matrix rows for estimates and Good Faith Estimates, and the CMS-1500 paper claim form (#19 items 3 and
10). See matrix.py for what a row means.

Who: estimates are money talk at the desk: the desk (front desk, coordinators, nurses) and billing staff at the
patient's location make, read, sign and print them; a patient's estimates (and one estimate) of Downtown are
missing (404) for anyone at Uptown, and for a role that takes no money (hidden, as the patient's reach decides).
The CMS-1500 is claims work: billing."""

from __future__ import annotations

from typing import Any

from .matrix import BILL, CASHIERS, FD, Row, api, page

BILLERS = frozenset({BILL})


def _new(w: Any) -> dict[str, Any]:
    return {"appointment": w.tomorrow.pk, "idempotency_key": "matrix-estimate-page", "code_1": "99203"}


ROWS: list[Row] = [
    page("GET", "/billing/patients/{ana.pk}/estimates/", 200, CASHIERS, denied=404),
    page("POST", "/billing/patients/{ana.pk}/estimates/new/", 302, CASHIERS, data=_new, denied=404),
    page("GET", "/billing/estimates/{estimate.pk}/", 200, CASHIERS, denied=404),
    page("POST", "/billing/estimates/{estimate.pk}/sign/", 302, CASHIERS, denied=404,
         data=lambda w: {"method": "received"}),
    page("GET", "/billing/estimates/{estimate.pk}/estimate.pdf", 200, CASHIERS, denied=404),
    api("GET", "/api/v1/patients/{ana.pk}/estimates", 200, CASHIERS, denied=404),
    api("POST", "/api/v1/patients/{ana.pk}/estimates", 201, CASHIERS, denied=404,
        body=lambda w: {"appointment_id": w.tomorrow.pk, "lines": [{"code": "99203"}],
                        "idempotency_key": "matrix-estimate-api"}),
    api("GET", "/api/v1/estimates/{estimate.pk}", 200, CASHIERS, denied=404),
    api("POST", "/api/v1/estimates/{estimate.pk}/sign", 200, CASHIERS, denied=404,
        body=lambda w: {"method": "signed", "signed_name": "Ana Matrix"}),
    api("GET", "/api/v1/estimates/{estimate.pk}/pdf", 200, CASHIERS, denied=404),
    page("GET", "/billing/claims/{claim.pk}/cms1500.pdf", 200, BILLERS),
    api("GET", "/api/v1/claims/{claim.pk}/cms1500", 200, BILLERS),
]


def objects(world: Any) -> dict[str, Any]:
    """A fee for 99203 and a cost estimate of Ana's visit tomorrow at Downtown (she is covered by Aetna), not yet
    signed; the claim of rows_claims prints on the CMS-1500."""
    import datetime as dt
    from decimal import Decimal

    from clinicdesk.billing import services
    from clinicdesk.billing.services.estimates import EstimateLine, estimate_create
    biller, desk = world.users[BILL], world.users[FD]
    services.fee_item_create(actor=biller, code="99203", description="New patient visit, low",
                             price=Decimal("150.00"), effective_from=dt.date(2026, 1, 1))
    estimate = estimate_create(actor=desk, patient_id=world.ana.pk, appointment_id=world.tomorrow.pk,
                               lines=[EstimateLine("99203")], idempotency_key="matrix-estimate")
    return {"estimate": estimate}
