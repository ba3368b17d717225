"""Compliance's part of a patient merge (`patients.hooks.patient_merged`), inside the merge transaction.

Incidents, complaints and grievances, rights requests and disclosures of the merged chart move to the survivor:
they are about the same person, whose accounting of disclosures (45 CFR 164.528) and open requests and
grievances must be found on the chart that stays. Nothing else in them changes (their clocks keep running).

The CLIA patient test log's entries (waived tests performed for the chart) move to the survivor too: a test result
belongs to the person, and the log still names the same test, kit lot, QC run and performer.
"""

from __future__ import annotations

from typing import Any

from .models import Complaint, Disclosure, Incident, PatientTest, RightsRequest

MERGE_HANDLES = (
    "compliance.Incident.patient",
    "compliance.Complaint.patient",
    "compliance.RightsRequest.patient",
    "compliance.Disclosure.patient",
    "compliance.PatientTest.patient",
)


def move_patient_rows(*, survivor: Any, merged: Any, actor: Any) -> dict[str, int]:
    return {
        "incidents": Incident.objects.filter(patient=merged).update(patient=survivor),
        "complaints": Complaint.objects.filter(patient=merged).update(patient=survivor),
        "rights_requests": RightsRequest.objects.filter(patient=merged).update(patient=survivor),
        "disclosures": Disclosure.objects.filter(patient=merged).update(patient=survivor),
        "clia_patient_tests": PatientTest.objects.filter(patient=merged).update(patient=survivor),
    }
