"""Coverage (insurance on file) <-> FHIR R4 Coverage. Pure: model -> dict, and dict -> the values the patients
coverage service takes (no lookups of patients here; the payer and plan are found by the handler)."""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import Any

from clinicdesk.patients.models import Coverage

from ..errors import FhirError
from ..validation import numeric_id, reference

CLASS_SYSTEM = "http://terminology.hl7.org/CodeSystem/coverage-class"
COPAY_SYSTEM = "http://terminology.hl7.org/CodeSystem/coverage-copay-type"
RELATIONSHIP_SYSTEM = "http://terminology.hl7.org/CodeSystem/subscriber-relationship"
PAYER_ID_SYSTEM = "urn:clinicdesk:payer-id"  # the payer's electronic id (clearinghouse)
PLAN_SYSTEM = "urn:clinicdesk:payer-plan"  # a plan on the payer's list, by its id
COPAYS = {"gpvisit": "copay_primary", "spvisit": "copay_specialist"}


def to_fhir(item: Coverage, today: Any) -> dict[str, Any]:
    active = item.is_active_on(today)
    payor: dict[str, Any] = {"display": item.payer.name}
    if item.payer.payer_code:
        payor["identifier"] = {"system": PAYER_ID_SYSTEM, "value": item.payer.payer_code}
    resource: dict[str, Any] = {
        "resourceType": "Coverage", "id": str(item.pk), "status": "active" if active else "cancelled",
        "identifier": [{"type": {"coding": [{"system": "http://terminology.hl7.org/CodeSystem/v2-0203",
                                             "code": "MB"}]}, "value": item.member_id}],
        "subscriberId": item.member_id,
        "beneficiary": {"reference": f"Patient/{item.patient_id}"},
        "relationship": {"coding": [{"system": RELATIONSHIP_SYSTEM, "code": item.relationship}]},
        "period": {"start": item.start_date.isoformat()},
        "payor": [payor],
        "order": item.order,
    }
    if item.end_date:
        resource["period"]["end"] = item.end_date.isoformat()
    classes: list[dict[str, Any]] = []
    if item.group_number:
        classes.append({"type": {"coding": [{"system": CLASS_SYSTEM, "code": "group"}]}, "value": item.group_number})
    if (plan := item.plan if item.plan_id is not None else None) is not None:
        classes.append({"type": {"coding": [{"system": CLASS_SYSTEM, "code": "plan"}]},
                        "value": plan.network_id or str(plan.pk), "name": item.plan_name or plan.name,
                        "extension": [{"url": PLAN_SYSTEM, "valueString": str(plan.pk)}]})
    elif item.plan_name:
        classes.append({"type": {"coding": [{"system": CLASS_SYSTEM, "code": "plan"}]}, "value": item.plan_name,
                        "name": item.plan_name})
    if classes:
        resource["class"] = classes
    costs = [{"type": {"coding": [{"system": COPAY_SYSTEM, "code": code}]},
              "valueMoney": {"value": float(amount), "currency": "USD"}}
             for code, name in COPAYS.items() if (amount := getattr(item, name)) is not None]
    if costs:
        resource["costToBeneficiary"] = costs
    if item.relationship == "self":
        resource["subscriber"] = {"reference": f"Patient/{item.patient_id}"}
    elif item.subscriber_family_name:
        resource["subscriber"] = {"display": f"{item.subscriber_family_name}, {item.subscriber_given_name}"}
    return resource


@dataclass
class CoverageInput:
    """What a Coverage resource says, as the coverage service's arguments (the payer still as given)."""

    patient_id: int | None
    payer_code: str
    payer_name: str
    plan_ref: str  # our plan id (extension) or the plan class's value
    values: dict[str, Any] = field(default_factory=dict)


def _money(cost: dict[str, Any], where: str) -> Decimal:
    try:
        return Decimal(str((cost.get("valueMoney") or {}).get("value"))).quantize(Decimal("0.01"))
    except (InvalidOperation, ValueError):
        raise FhirError(422, "value", f"{where}.valueMoney.value must be an amount in dollars.",
                        expression=[where]) from None


def from_fhir(resource: dict[str, Any]) -> CoverageInput:
    beneficiary = reference(resource.get("beneficiary"), "Patient", "Coverage.beneficiary")
    payors = resource.get("payor") or [{}]
    payor = payors[0] if isinstance(payors[0], dict) else {}
    identifier = payor.get("identifier") or {}
    member = resource.get("subscriberId") or next(
        (i.get("value", "") for i in resource.get("identifier") or []
         if any(c.get("code") == "MB" for c in (i.get("type") or {}).get("coding") or [])), "")
    relationship = next((c.get("code", "") for c in (resource.get("relationship") or {}).get("coding") or []), "")
    period = resource.get("period") or {}
    values: dict[str, Any] = {
        "member_id": member, "relationship": relationship or "self", "start_date": period.get("start"),
        "end_date": period.get("end"), "group_number": "", "plan_name": "",
    }
    if "order" in resource:
        values["order"] = resource["order"]
    plan_ref = ""
    for item in resource.get("class") or []:
        code = next((c.get("code") for c in (item.get("type") or {}).get("coding") or []), "")
        if code == "group":
            values["group_number"] = item.get("value", "")
        elif code == "plan":
            values["plan_name"] = item.get("name") or item.get("value", "")
            plan_ref = next((e.get("valueString", "") for e in item.get("extension") or []
                             if e.get("url") == PLAN_SYSTEM), "") or item.get("value", "")
    for i, cost in enumerate(resource.get("costToBeneficiary") or []):
        code = next((c.get("code") for c in (cost.get("type") or {}).get("coding") or []), "")
        if code in COPAYS:
            values[COPAYS[code]] = _money(cost, f"Coverage.costToBeneficiary[{i}]")
    subscriber = (resource.get("subscriber") or {}).get("display", "")
    if values["relationship"] != "self" and subscriber:
        family, _sep, given = subscriber.partition(",")
        values["subscriber_family_name"], values["subscriber_given_name"] = family.strip(), given.strip()
    return CoverageInput(patient_id=numeric_id(beneficiary), payer_code=str(identifier.get("value") or "").strip(),
                         payer_name=str(payor.get("display") or "").strip(), plan_ref=str(plan_ref).strip(),
                         values=values)
