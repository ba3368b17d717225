"""CLIA waived testing in the JSON API (/api/v1/): the QC state of every test and kit lot at a location, recording a
QC run and its corrective action, recording a patient test, and the patient test log. The services decide."""

from __future__ import annotations

from typing import Any, cast

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from clinicdesk.core.api import api_login_required, json_body
from clinicdesk.core.exceptions import ValidationFailed
from clinicdesk.core.permissions import Actor
from clinicdesk.core.resources import ApiField

from . import selectors_clia, services
from .api import _parse
from .models_clia import PatientTest, QcCorrection, QcRun


def qc_run_json(run: QcRun) -> dict[str, Any]:
    return {"id": run.pk, "test": run.test_id, "lot": run.lot, "lotExpiresOn": run.lot_expires_on.isoformat(),
            "runOn": run.run_on.isoformat(), "performedAt": run.performed_at.isoformat(),
            "performedBy": run.performed_by_id, "passed": run.passed,
            "results": [{"level": r["level"], "value": r["value"], "inRange": r["in_range"]} for r in run.results]}


def patient_test_json(t: PatientTest) -> dict[str, Any]:
    return {"id": t.pk, "test": t.test_id, "patient": t.patient_id, "lot": t.lot,
            "value": str(t.value) if t.value is not None else None, "reading": t.reading or None,
            "performedAt": t.performed_at.isoformat(), "performedBy": t.performed_by_id, "qcRun": t.qc_run_id}


@require_GET
@api_login_required
def qc_state(request: HttpRequest, location_id: int) -> HttpResponse:
    board = selectors_clia.clia_overview(actor=cast(Actor, request.user), location_id=location_id)
    return JsonResponse({"location": location_id, "today": board.today.isoformat(),
                         "certificate": {"number": board.certificate.number, "kind": board.certificate.kind,
                                         "effectiveOn": board.certificate.effective_on.isoformat(),
                                         "expiresOn": board.certificate.expires_on.isoformat()}
                         if board.certificate else None,
                         "testingAllowed": not board.certificate_problem,
                         "problem": board.certificate_problem or None,
                         "lots": [{"test": lot.test.pk, "lot": lot.lot, "state": lot.state,
                                   "expiresOn": lot.expires_on.isoformat() if lot.expires_on else None,
                                   "onHand": lot.on_hand, "reason": lot.reason or None,
                                   "lastRun": lot.last_run.pk if lot.last_run else None}
                                  for row in board.tests for lot in row.lots]})


_RUN = (ApiField.ref("test", required=True), ApiField.text("lot", required=True, max_length=40))


@require_POST
@api_login_required
def qc_runs(request: HttpRequest) -> HttpResponse:
    data = json_body(request, required=True)
    values = _parse(_RUN, data)
    results = data.get("results")
    if not isinstance(results, dict) or not all(isinstance(v, str | int) and not isinstance(v, bool)
                                                for v in results.values()):
        raise ValidationFailed("bad-field", _("'results' must map each control level to its reading."),
                               fields={"results": [_("Must map each control level to its reading.")]})
    run = services.qc_run_record(actor=cast(Actor, request.user), test_id=values["test_id"], lot=values["lot"],
                                 results=results)
    return JsonResponse(qc_run_json(run), status=201)


@require_POST
@api_login_required
def qc_correct(request: HttpRequest, pk: int) -> HttpResponse:
    values = _parse((ApiField.text("action", required=True, max_length=500),), json_body(request, required=True))
    fix: QcCorrection = services.qc_correction_record(actor=cast(Actor, request.user), run_id=pk, **values)
    return JsonResponse({"run": fix.run_id, "action": fix.action, "recordedAt": fix.recorded_at.isoformat()},
                        status=201)


_TEST = (ApiField.ref("test", required=True), ApiField.text("lot", required=True, max_length=40),
         ApiField.text("patientMrn", required=True, max_length=12), ApiField.text("value", max_length=12),
         ApiField.text("reading", max_length=8), ApiField.text("idempotencyKey", max_length=64))


@require_POST
@api_login_required
def patient_tests(request: HttpRequest) -> HttpResponse:
    values = _parse(_TEST, json_body(request, required=True))
    key = values.pop("idempotency_key", "") or request.headers.get("Idempotency-Key", "")
    made = services.patient_test_record(actor=cast(Actor, request.user), idempotency_key=key[:64] or None,
                                        **values)
    return JsonResponse(patient_test_json(made), status=201)


_LOG = (ApiField.date("from"), ApiField.date("to"), ApiField.ref("test"))


@require_GET
@api_login_required
def log(request: HttpRequest, location_id: int) -> HttpResponse:
    query: dict[str, Any] = {k: v for k, v in request.GET.items() if k in ("from", "to")}
    if request.GET.get("test", "").isdigit():
        query["test"] = int(request.GET["test"])
    elif request.GET.get("test"):
        raise ValidationFailed("bad-field", _("'test' must be a record id."), fields={"test": [_("Must be a record "
                                                                                                 "id.")]})
    values = _parse(_LOG, query)
    rows = selectors_clia.patient_test_log(actor=cast(Actor, request.user), location_id=location_id,
                                           day_from=values.get("from"), day_to=values.get("to"),
                                           test_id=values.get("test_id"))
    return JsonResponse({"location": location_id, "tests": [patient_test_json(t) for t in rows]})
