"""Compliance's part of a patient merge (`patients.hooks.patient_merged`), inside the merge transaction.

Incidents, complaints and grievances, rights requests and disclosures of the merged chart move to the survivor:
they are about the same person, whose accounting of disclosures (45 CFR 164.528) and open requests and
grievances must be found on the chart that stays. Nothing else in them changes (their clocks keep running).
"""

from __future__ import annotations

from typing import Any

from .models import Complaint, Disclosure, Incident, RightsRequest

MERGE_HANDLES = (
    "compliance.Incident.patient",
    "compliance.Complaint.patient",
    "compliance.RightsRequest.patient",
    "compliance.Disclosure.patient",
)


def move_patient_rows(*, survivor: Any, merged: Any, actor: Any) -> dict[str, int]:
    return {
        "incidents": Incident.objects.filter(patient=merged).update(patient=survivor),
        "complaints": Complaint.objects.filter(patient=merged).update(patient=survivor),
        "rights_requests": RightsRequest.objects.filter(patient=merged).update(patient=survivor),
        "disclosures": Disclosure.objects.filter(patient=merged).update(patient=survivor),
    }
