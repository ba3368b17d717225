"""The front desk's part of a patient merge (`patients.hooks.patient_merged`), inside the merge transaction.

Visits, calls, triage slips and tasks of the merged chart move to the survivor. Two visits in progress at once
(both charts on the flow board) are refused with Conflict "merge-visits-in-progress": check one out or mark it
left first, then merge. Nothing is written when refused.
"""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext as _

from clinicdesk.core.exceptions import Conflict

from .models import OPEN_STATUSES, CallLog, HeadsUp, Task, TriageSlip, Visit

MERGE_HANDLES = (
    "frontdesk.Visit.patient",
    "frontdesk.CallLog.patient",
    "frontdesk.TriageSlip.patient",
    "frontdesk.Task.patient",
    "frontdesk.HeadsUp.patient",  # desk-to-provider notes (#15), with their visit
)


def move_patient_rows(*, survivor: Any, merged: Any, actor: Any) -> dict[str, int]:
    open_visits = Visit.objects.filter(status__in=OPEN_STATUSES)
    if open_visits.filter(patient=survivor).exists() and open_visits.filter(patient=merged).exists():
        raise Conflict("merge-visits-in-progress", _(
            "Both charts have a visit in progress (MRN %(survivor)s and MRN %(merged)s). Check one out or mark it "
            "left, then merge.") % {"survivor": survivor.mrn, "merged": merged.mrn})
    return {
        "visits": Visit.objects.filter(patient=merged).update(patient=survivor),
        "calls": CallLog.objects.filter(patient=merged).update(patient=survivor),
        "triage_slips": TriageSlip.objects.filter(patient=merged).update(patient=survivor),
        "tasks": Task.objects.filter(patient=merged).update(patient=survivor),
        "headsups": HeadsUp.objects.filter(patient=merged).update(patient=survivor),
    }
