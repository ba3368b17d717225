"""Insurance's part of a patient merge (`patients.hooks.patient_merged`), inside the merge transaction: the
merged chart's eligibility history, referrals (incoming and outgoing), prior authorizations, readiness packets
and transfers move to the survivor (a result whose coverage the merge deletes keeps its payer and member id)."""

from __future__ import annotations

from typing import Any

from .models import EligibilityResult, OutgoingReferral, PriorAuthorization, ReadinessPacket, Referral, Transfer

MERGE_HANDLES = ("insurance.EligibilityResult.patient", "insurance.Referral.patient",
                 "insurance.OutgoingReferral.patient", "insurance.PriorAuthorization.patient",
                 "insurance.ReadinessPacket.patient", "insurance.Transfer.patient")


def move_patient_rows(*, survivor: Any, merged: Any, actor: Any) -> dict[str, int]:
    return {"eligibility_results": EligibilityResult.objects.filter(patient=merged).update(patient=survivor),
            "referrals": Referral.objects.filter(patient=merged).update(patient=survivor),
            "outgoing_referrals": OutgoingReferral.objects.filter(patient=merged).update(patient=survivor),
            "prior_authorizations": PriorAuthorization.objects.filter(patient=merged).update(patient=survivor),
            "readiness_packets": ReadinessPacket.objects.filter(patient=merged).update(patient=survivor),
            "transfers": Transfer.objects.filter(patient=merged).update(patient=survivor)}
