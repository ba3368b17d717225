"""Patient alerts (behaviour, fall risk, interpreter needed, latex allergy, the practice's own kinds) -> FHIR R4
Flag. The kind is the code (system urn:clinicdesk:alert-kind, the kind's stable code, its English label as the
display); the detail (the interpreter's language) joins the text. An ended alert is `inactive` with its period
closed. The reason staff gave stays in the chart: a Flag has no element for it."""

from __future__ import annotations

from typing import Any

from clinicdesk.patients.models import PatientAlert

from . import instant

ALERT_KIND_SYSTEM = "urn:clinicdesk:alert-kind"
CATEGORY_SYSTEM = "http://terminology.hl7.org/CodeSystem/flag-category"
# The built-in kinds in FHIR's flag categories; a practice-defined kind carries no category.
_CATEGORIES = {"behaviour": ("behavioral", "Behavioral"), "fall-risk": ("safety", "Safety"),
               "latex-allergy": ("clinical", "Clinical"), "interpreter": ("admin", "Administrative")}


def to_fhir(alert: PatientAlert) -> dict[str, Any]:
    kind = alert.kind
    text = f"{kind.label_en}: {alert.detail}" if alert.detail else kind.label_en
    resource: dict[str, Any] = {
        "resourceType": "Flag", "id": str(alert.pk),
        "status": "active" if alert.ended_at is None else "inactive",
        "code": {"coding": [{"system": ALERT_KIND_SYSTEM, "code": kind.code, "display": kind.label_en}],
                 "text": text},
        "subject": {"reference": f"Patient/{alert.patient_id}"},
        "period": {"start": instant(alert.created_at)},
    }
    category = _CATEGORIES.get(kind.code)
    if category is not None:
        resource["category"] = [{"coding": [{"system": CATEGORY_SYSTEM, "code": category[0],
                                             "display": category[1]}]}]
    if alert.ended_at is not None:
        resource["period"]["end"] = instant(alert.ended_at)
    if alert.created_by is not None:
        resource["author"] = {"display": alert.created_by.get_full_name() or alert.created_by.get_username()}
    return resource
