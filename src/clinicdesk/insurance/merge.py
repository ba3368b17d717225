"""Insurance's part of a patient merge (`patients.hooks.patient_merged`), inside the merge transaction: the
merged chart's eligibility history, referrals (incoming and outgoing) and prior authorizations move to the
survivor (a result whose coverage the merge deletes keeps its payer and member id)."""

from __future__ import annotations

from typing import Any

from .models import EligibilityResult, OutgoingReferral, PriorAuthorization, Referral

MERGE_HANDLES = ("insurance.EligibilityResult.patient", "insurance.Referral.patient",
                 "insurance.OutgoingReferral.patient", "insurance.PriorAuthorization.patient")


def move_patient_rows(*, survivor: Any, merged: Any, actor: Any) -> dict[str, int]:
    return {"eligibility_results": EligibilityResult.objects.filter(patient=merged).update(patient=survivor),
            "referrals": Referral.objects.filter(patient=merged).update(patient=survivor),
            "outgoing_referrals": OutgoingReferral.objects.filter(patient=merged).update(patient=survivor),
            "prior_authorizations": PriorAuthorization.objects.filter(patient=merged).update(patient=survivor)}
