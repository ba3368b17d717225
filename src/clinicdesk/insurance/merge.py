"""Insurance's part of a patient merge (`patients.hooks.patient_merged`), inside the merge transaction: the
merged chart's eligibility history moves to the survivor (a result whose coverage the merge deletes keeps its
payer and member id)."""

from __future__ import annotations

from typing import Any

from .models import EligibilityResult

MERGE_HANDLES = ("insurance.EligibilityResult.patient",)


def move_patient_rows(*, survivor: Any, merged: Any, actor: Any) -> dict[str, int]:
    return {"eligibility_results": EligibilityResult.objects.filter(patient=merged).update(patient=survivor)}
