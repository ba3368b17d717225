"""A stored coverage check (insurance.EligibilityResult: the 270 sent and the 271 read) -> FHIR R4
CoverageEligibilityRequest and CoverageEligibilityResponse. Both share the result's id. Pure: no database
writes; the benefits must be prefetched by the selector."""

from __future__ import annotations

from typing import Any

from clinicdesk.insurance.models import EligibilityBenefit, EligibilityResult, EligibilityStatus

SERVICE_TYPE_SYSTEM = "https://x12.org/codes/service-type-codes"
BENEFIT_INFO_SYSTEM = "https://x12.org/codes/eligibility-or-benefit-information-codes"
TIME_PERIOD_SYSTEM = "https://x12.org/codes/time-period-qualifier"
REJECT_SYSTEM = "https://x12.org/codes/reject-reason-codes"
BENEFIT_TYPE_SYSTEM = "http://terminology.hl7.org/CodeSystem/benefit-type"
NETWORK_SYSTEM = "http://terminology.hl7.org/CodeSystem/benefit-network"
UNIT_SYSTEM = "http://terminology.hl7.org/CodeSystem/benefit-unit"
TERM_SYSTEM = "http://terminology.hl7.org/CodeSystem/benefit-term"
RESPONSE_LINK = "urn:clinicdesk:eligibility-response"  # extension on the request: where its answer is

# EB01 -> FHIR benefit-type (where one fits); the X12 code is always given as well.
_BENEFIT_TYPE = {"B": "copay", "A": "copay-percent", "C": "deductible", "G": "copay-maximum", "F": "visit",
                 "1": "benefit"}
_UNIT = {"IND": "individual", "FAM": "family"}
_TERM = {"23": "annual", "25": "annual", "27": "lifetime", "32": "lifetime", "29": "annual"}
# Our statuses -> CoverageEligibilityResponse.outcome (queued | complete | error | partial).
_OUTCOME: dict[str, str] = {EligibilityStatus.PENDING: "queued", EligibilityStatus.ACTIVE: "complete",
            EligibilityStatus.INACTIVE: "complete"}


def _created(result: EligibilityResult) -> str:
    return (result.answered_at or result.requested_at).isoformat()


def _services(codes: list[str]) -> list[dict[str, Any]]:
    return [{"system": SERVICE_TYPE_SYSTEM, "code": str(code)} for code in codes]


def request_to_fhir(result: EligibilityResult) -> dict[str, Any]:
    resource: dict[str, Any] = {
        "resourceType": "CoverageEligibilityRequest", "id": str(result.pk), "status": "active",
        "purpose": ["benefits", "validation"], "patient": {"reference": f"Patient/{result.patient_id}"},
        "servicedDate": result.service_date.isoformat(), "created": result.requested_at.isoformat(),
        "insurer": {"display": result.payer_name},
        "identifier": [{"system": "urn:clinicdesk:eligibility-trace", "value": result.trace_number}],
        "item": [{"category": {"coding": _services([code])}} for code in result.service_types or []],
        "extension": [{"url": RESPONSE_LINK,
                       "valueReference": {"reference": f"CoverageEligibilityResponse/{result.pk}"}}],
    }
    if result.coverage_id is not None:
        resource["insurance"] = [{"focal": True, "coverage": {"reference": f"Coverage/{result.coverage_id}"}}]
    return resource


def _benefit(item: EligibilityBenefit) -> dict[str, Any]:
    codings = [{"system": BENEFIT_INFO_SYSTEM, "code": item.info}]
    if item.info in _BENEFIT_TYPE:
        codings.insert(0, {"system": BENEFIT_TYPE_SYSTEM, "code": _BENEFIT_TYPE[item.info]})
    benefit: dict[str, Any] = {"type": {"coding": codings}}
    if item.amount is not None:
        key = "usedMoney" if item.period == "29" else "allowedMoney"  # 29: the amount remaining
        benefit[key] = {"value": float(item.amount), "currency": "USD"}
    elif item.percent is not None:
        benefit["allowedString"] = f"{(item.percent * 100).normalize():f}%"
    elif item.quantity is not None:
        benefit["allowedUnsignedInt"] = int(item.quantity)
    line: dict[str, Any] = {"benefit": [benefit]}
    if item.service_types:
        line["category"] = {"coding": _services(item.service_types)}
    if item.in_network is not None:
        line["network"] = {"coding": [{"system": NETWORK_SYSTEM, "code": "in" if item.in_network else "out"}]}
    if item.coverage_level in _UNIT:
        line["unit"] = {"coding": [{"system": UNIT_SYSTEM, "code": _UNIT[item.coverage_level]}]}
    if item.period:
        codings = [{"system": TIME_PERIOD_SYSTEM, "code": item.period}]
        if item.period in _TERM:
            codings.insert(0, {"system": TERM_SYSTEM, "code": _TERM[item.period]})
        line["term"] = {"coding": codings}
    if item.plan:
        line["name"] = item.plan
    if item.info == "6":  # inactive: nothing is covered
        line["excluded"] = True
    return line


def response_to_fhir(result: EligibilityResult) -> dict[str, Any]:
    resource: dict[str, Any] = {
        "resourceType": "CoverageEligibilityResponse", "id": str(result.pk), "status": "active",
        "purpose": ["benefits", "validation"], "patient": {"reference": f"Patient/{result.patient_id}"},
        "servicedDate": result.service_date.isoformat(), "created": _created(result),
        "request": {"reference": f"CoverageEligibilityRequest/{result.pk}"},
        "outcome": _OUTCOME.get(result.status, "error"),
        "disposition": str(result.get_status_display()) + (
            f": {result.failure_detail}" if result.failure_detail else ""),
        "insurer": {"display": result.payer_name},
    }
    if result.status in (EligibilityStatus.ACTIVE, EligibilityStatus.INACTIVE):
        insurance: dict[str, Any] = {"inforce": result.status == EligibilityStatus.ACTIVE}
        if result.coverage_id is not None:
            insurance["coverage"] = {"reference": f"Coverage/{result.coverage_id}"}
        if result.plan_begin or result.plan_end:
            insurance["benefitPeriod"] = {k: v.isoformat() for k, v in (("start", result.plan_begin),
                                                                      ("end", result.plan_end)) if v}
        items = [_benefit(b) for b in result.benefits.all()]
        if items:
            insurance["item"] = items
        resource["insurance"] = [insurance]
    if result.rejections:
        resource["error"] = [{"code": {"coding": [{"system": REJECT_SYSTEM, "code": r.get("code", "")}],
                                       "text": f"follow-up {r.get('action', '')}".strip()}}
                             for r in result.rejections]
    return resource
