"""FHIR faces of insurance on file and coverage checks (#18): Coverage create and update through the same
patients coverage services as the insurance form; CoverageEligibilityRequest create = verify now
(insurance.services.eligibility_verify) and read; CoverageEligibilityResponse read and search, mapped from the
stored results through insurance selectors. Registered in handlers.HANDLERS."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db.models import Q

from clinicdesk.core import clock
from clinicdesk.core.exceptions import NotFound
from clinicdesk.insurance import selectors as insurance_selectors
from clinicdesk.insurance import services as insurance_services
from clinicdesk.patients import services as patient_services
from clinicdesk.patients.models import Coverage, Payer, PayerPlan

from .auth import Caller
from .errors import FhirError
from .mappers import coverage as coverage_mapper
from .mappers import eligibility as eligibility_mapper
from .search import Query
from .selectors import _ids
from .validation import numeric_id, reference


def Result(*args: Any, **kwargs: Any) -> Any:  # handlers.Result (handlers imports this module: no cycle)
    from .handlers import Result as HandlerResult

    return HandlerResult(*args, **kwargs)


def _pk(text: str) -> int:
    number = numeric_id(text)
    if number is None:
        raise NotFound()
    return number


# --- Coverage ------------------------------------------------------------------------------------------------

def _payer(data: coverage_mapper.CoverageInput, *, keep: int | None = None) -> Payer:
    """The payer a Coverage names: by electronic payer id (system urn:clinicdesk:payer-id), else by name."""
    payers = Payer.objects.filter(Q(active=True) | Q(pk=keep or -1))
    if data.payer_code:
        found = list(payers.filter(payer_code__iexact=data.payer_code)[:2])
    elif data.payer_name:
        found = list(payers.filter(name__iexact=data.payer_name)[:2])
    else:
        raise FhirError(422, "required", "Coverage.payor: name the payer (identifier with system "
                        f"{coverage_mapper.PAYER_ID_SYSTEM}, or display: the payer's name).",
                        expression=["Coverage.payor"])
    if len(found) != 1:
        what = data.payer_code or data.payer_name
        problem = "several payers have" if found else "no active payer has"
        raise FhirError(422, "code-invalid", f"Coverage.payor: {problem} '{what}'.", expression=["Coverage.payor"])
    return found[0]


def _plan(payer: Payer, ref: str) -> int | None:
    """The payer's plan the plan class names (our plan id, its network id or its name); None: free text only."""
    if not ref:
        return None
    plans = PayerPlan.objects.filter(payer=payer)
    match = Q(network_id__iexact=ref) | Q(name__iexact=ref)
    if (number := numeric_id(ref)) is not None:
        match |= Q(pk=number)
    plan = plans.filter(match).order_by("-active", "pk").first()
    return plan.pk if plan is not None else None


def _render_coverage(pk: int) -> dict[str, Any]:
    item = Coverage.objects.select_related("payer", "plan").get(pk=pk)
    return coverage_mapper.to_fhir(item, clock.now().date())


def coverage_create(caller: Caller, resource: dict[str, Any], headers: dict[str, str]) -> Any:
    data = coverage_mapper.from_fhir(resource)
    if data.patient_id is None:
        raise NotFound()
    payer = _payer(data)
    coverage = patient_services.coverage_add(actor=caller.actor, patient_id=data.patient_id, payer_id=payer.pk,
                                             plan_id=_plan(payer, data.plan_ref), **data.values)
    return Result([_render_coverage(coverage.pk)], patient_ids={coverage.patient_id}, status=201)


def coverage_update(caller: Caller, ident: str, resource: dict[str, Any]) -> Any:
    """PUT replaces the coverage as the resource states it (a co-pay left out is cleared); the beneficiary
    cannot change."""
    pk = _pk(ident)
    if resource.get("id") != ident:
        raise FhirError(400, "invalid", f"Coverage.id must be '{ident}', the id in the URL.",
                        expression=["Coverage.id"])
    data = coverage_mapper.from_fhir(resource)
    kept = Coverage.objects.filter(pk=pk).values_list("payer_id", flat=True).first()
    payer = _payer(data, keep=kept)
    values = {"copay_primary": None, "copay_specialist": None, "order": 1, **data.values}
    coverage = patient_services.coverage_update(actor=caller.actor, coverage_id=pk, payer_id=payer.pk,
                                                plan_id=_plan(payer, data.plan_ref), **values)
    if coverage.patient_id != data.patient_id:  # refused after the permission checks; the view rolls back
        raise FhirError(422, "business-rule", "Coverage.beneficiary cannot change: add a Coverage for the other "
                        "patient instead.", expression=["Coverage.beneficiary"])
    return Result([_render_coverage(coverage.pk)], patient_ids={coverage.patient_id})


# --- CoverageEligibilityRequest / Response ---------------------------------------------------------------------

def _service_date(resource: dict[str, Any]) -> dt.date | None:
    text = resource.get("servicedDate")
    if not text:
        return None
    try:
        return dt.date.fromisoformat(str(text))
    except ValueError:
        raise FhirError(422, "value", "CoverageEligibilityRequest.servicedDate must be a full date.",
                        expression=["CoverageEligibilityRequest.servicedDate"]) from None


def eligibility_request_create(caller: Caller, resource: dict[str, Any], headers: dict[str, str]) -> Any:
    """Ask the payer now, on the practice's channel (real time when set up: the answer is there on return; a
    batch channel: the response stays queued until the answers are collected)."""
    patient = numeric_id(reference(resource.get("patient"), "Patient", "CoverageEligibilityRequest.patient"))
    insurances = [i for i in resource.get("insurance") or [] if isinstance(i, dict)]
    chosen = next((i for i in insurances if i.get("focal")), insurances[0] if insurances else None)
    coverage_id = None
    if chosen is not None and chosen.get("coverage"):
        coverage_id = numeric_id(reference(chosen["coverage"], "Coverage",
                                           "CoverageEligibilityRequest.insurance.coverage")) or -1
    if coverage_id is not None and Coverage.objects.filter(pk=coverage_id).exclude(patient_id=patient or -1).exists():
        raise FhirError(422, "business-rule", "CoverageEligibilityRequest.insurance.coverage is not the patient's.",
                        expression=["CoverageEligibilityRequest.insurance"])  # checked before anything is sent
    result = insurance_services.eligibility_verify(
        actor=caller.actor, coverage_id=coverage_id, patient_id=None if coverage_id else (patient or -1),
        channel=insurance_services.default_channel(), service_date=_service_date(resource))
    return Result([eligibility_mapper.request_to_fhir(result)], patient_ids={result.patient_id}, status=201)


def eligibility_request_read(caller: Caller, ident: str) -> Any:
    result = insurance_selectors.eligibility_result_detail(actor=caller.actor, result_id=_pk(ident))
    return Result([eligibility_mapper.request_to_fhir(result)], patient_ids={result.patient_id})


def eligibility_response_read(caller: Caller, ident: str) -> Any:
    result = insurance_selectors.eligibility_result_detail(actor=caller.actor, result_id=_pk(ident))
    return Result([eligibility_mapper.response_to_fhir(result)], patient_ids={result.patient_id})


def eligibility_response_search(caller: Caller, query: Query) -> Any:
    patients = _ids(query, "patient", "Patient") if query.all("patient") else None
    ids = _ids(query, "_id", "CoverageEligibilityResponse") if query.all("_id") else None
    items, total = insurance_selectors.eligibility_results_search(
        actor=caller.actor, patient_ids=patients, result_ids=ids, offset=query.offset, count=query.count)
    return Result([eligibility_mapper.response_to_fhir(r) for r in items], total,
                  patient_ids={r.patient_id for r in items})
