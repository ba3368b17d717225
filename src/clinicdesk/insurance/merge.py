"""Insurance's part of a patient merge (`patients.hooks.patient_merged`), inside the merge transaction: the
merged chart's eligibility history, referrals (incoming and outgoing), prior authorizations, readiness packets
and transfers move to the survivor. When the merge drops the merged chart's copy of a card both charts carried,
results and authorizations naming that copy are re-pointed to the survivor's (`repoint_coverages`)."""

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


COVERAGE_HANDLES = ("insurance.EligibilityResult.coverage", "insurance.PriorAuthorization.coverage")


def repoint_coverages(*, replaced: dict[int, int], actor: Any) -> dict[str, int]:
    """`patients.hooks.coverage_replaced`: eligibility answers and prior authorizations asked about the merged
    chart's copy of a card both charts carried now name the survivor's copy (the same payer, member id and order)
    instead of losing their coverage when the copy is deleted."""
    results = authorizations = 0
    for dropped, kept in sorted(replaced.items()):
        results += EligibilityResult.objects.filter(coverage_id=dropped).update(coverage_id=kept)
        authorizations += PriorAuthorization.objects.filter(coverage_id=dropped).update(coverage_id=kept)
    counts = {"eligibility_coverages": results, "prior_authorization_coverages": authorizations}
    return {name: count for name, count in counts.items() if count}
