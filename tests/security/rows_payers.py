"""Access-matrix rows for payers and their plans (#18 item 1: moved here from rows_accounts_comms.py when billing
joined the practice coordinators in keeping them). See matrix.py for what a row means.

Payers are practice-wide reference data: a billing user of either location keeps the same list."""

from __future__ import annotations

import json
from typing import Any

from .matrix import ADMIN, BILL, PRC, Row, api, page

PAYER_EDITORS = frozenset({PRC, BILL, ADMIN})  # patients.services.may_edit_payers
_PAYER = "/patients/payers/{coverage.payer_id}/"
_PLAN = "/patients/payers/plans/{payer_plan.pk}/"
_SAME = "payers are practice-wide: a billing user of the other location keeps the same list"


def _patch(path: str, body: Any, **kw: Any) -> Row:
    return Row("PATCH", path, 200, PAYER_EDITORS, data=lambda w: json.dumps(body(w)), anon=401,
               content_type="application/json", elsewhere=None, why=_SAME, **kw)


def _page(method: str, path: str, ok: int, **kw: Any) -> Row:
    return page(method, path, ok, PAYER_EDITORS, elsewhere=None, why=_SAME, **kw)


def _api(method: str, path: str, ok: int, **kw: Any) -> Row:
    return api(method, path, ok, PAYER_EDITORS, elsewhere=None, why=_SAME, **kw)


ROWS: list[Row] = [
    _page("GET", "/patients/payers/", 200),
    _page("GET", "/patients/payers/new/", 200),
    _page("POST", "/patients/payers/new/", 302,
          data=lambda w: {"name": "Matrix Health", "payer_code": "MTX01", "kind": "commercial",
                          "claim_channel": "clearinghouse-batch", "eligibility_channel": "clearinghouse-realtime",
                          "default_copay_primary": "25.00"}),
    _page("GET", _PAYER, 200),
    _page("GET", _PAYER + "edit/", 200),
    _page("POST", _PAYER + "edit/", 302,
          data=lambda w: {"name": "Aetna", "payer_code": "60054", "kind": "commercial", "phone": "800 872 3862",
                          "claim_channel": "clearinghouse-batch", "eligibility_channel": "clearinghouse-realtime",
                          "default_copay_specialist": "40", "active": "on"}),
    _page("POST", _PAYER + "deactivate/", 302),
    _page("GET", _PAYER + "plans/new/", 200),
    _page("POST", _PAYER + "plans/new/", 302, data=lambda w: {"name": "Matrix Gold", "plan_type": "ppo"}),
    _page("GET", _PLAN, 200),
    _page("POST", _PLAN, 302, data=lambda w: {"name": "Choice POS II", "plan_type": "hmo", "active": "on"}),
    _page("POST", _PLAN + "deactivate/", 302),
    _api("GET", "/api/v1/payers", 200),
    _api("POST", "/api/v1/payers", 201, body=lambda w: {"name": "Matrix Health API"}),
    _api("GET", "/api/v1/payers/{coverage.payer_id}", 200),
    _patch("/api/v1/payers/{coverage.payer_id}", lambda w: {"defaultCopayPrimary": "20.00",
                                                            "claimChannel": "paper-portal"}),
    _api("POST", "/api/v1/payers/{coverage.payer_id}/deactivate", 200),
    _api("GET", "/api/v1/payer-plans", 200),
    _api("POST", "/api/v1/payer-plans", 201,
         body=lambda w: {"payer": w.coverage.payer_id, "name": "Matrix Gold API", "planType": "epo"}),
    _api("GET", "/api/v1/payer-plans/{payer_plan.pk}", 200),
    _patch("/api/v1/payer-plans/{payer_plan.pk}", lambda w: {"networkId": "AP2"}),
    _api("POST", "/api/v1/payer-plans/{payer_plan.pk}/deactivate", 200),
]


def objects(world: Any) -> dict[str, Any]:
    """A plan on Aetna's list (the payer of Ana's coverage)."""
    from clinicdesk.patients.models import PayerPlan

    return {"payer_plan": PayerPlan.objects.create(payer_id=world.coverage.payer_id, name="Choice POS II",
                                                   plan_type="pos", network_id="AET-POS2")}
