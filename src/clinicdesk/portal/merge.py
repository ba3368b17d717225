"""The portal's part of a patient merge (`patients.hooks.patient_merged`), inside the merge transaction.

- Sign-in: a merged-away chart must not stay signed in, nor be signed into later. Its portal sessions (as the
  signed-in patient, or as the record a proxy was looking at) end now, and its sign-in challenges not used yet
  expire now, so a pending e-mail link or SMS code no longer works. Both then move to the survivor: they are the
  same person's sign-in history, and the per-contact and per-address throttle still counts them.
- Secure messages (about the chart, or written by it) move to the survivor.
- Intake submissions (about the chart, or sent by it as a proxy) move to the survivor; one still pending is then
  reviewed against the survivor's chart.
- Proxy authorizations move to the survivor on either side. One between the two merged charts would become the
  survivor acting for itself (refused by `proxy_not_self`): it is removed, audited as proxy access ended.
- Online payments and payment plans move to the survivor on both sides: the account paid for (`patient`) and who
  paid or agreed (`paid_by`, `agreed_by`, the chart itself when the patient paid for themselves, or a proxy's
  chart). Amounts, references, statuses and the billing ledger entries they posted do not change (the ledger's
  balance moves by the billing app's own transfer pair).
"""

from __future__ import annotations

from typing import Any

from django.db.models import Q

from clinicdesk.audit.services import record
from clinicdesk.core import clock

from .models import (
    IntakeSubmission,
    OnlinePayment,
    PaymentPlan,
    PortalMessage,
    PortalSession,
    ProxyAuthorization,
    SignInChallenge,
)

MERGE_HANDLES = (
    "portal.SignInChallenge.patient",
    "portal.PortalSession.patient",
    "portal.PortalSession.subject",
    "portal.PortalMessage.patient",
    "portal.PortalMessage.written_by_patient",
    "portal.ProxyAuthorization.proxy",
    "portal.ProxyAuthorization.dependent",
    "portal.IntakeSubmission.patient",
    "portal.IntakeSubmission.submitted_by",
    "portal.OnlinePayment.patient",
    "portal.OnlinePayment.paid_by",
    "portal.PaymentPlan.patient",
    "portal.PaymentPlan.agreed_by",
)


def move_patient_rows(*, survivor: Any, merged: Any, actor: Any) -> dict[str, int]:
    now = clock.now()
    sessions = PortalSession.objects.filter(Q(patient=merged) | Q(subject=merged))
    ended = sessions.filter(ended_at__isnull=True).update(ended_at=now)
    SignInChallenge.objects.filter(patient=merged, used_at__isnull=True, expires_at__gt=now).update(expires_at=now)

    between = ProxyAuthorization.objects.filter(Q(proxy=merged, dependent=survivor)
                                                | Q(proxy=survivor, dependent=merged))
    removed = 0
    for row in between.select_for_update(of=("self",)).order_by("pk"):
        record(actor, "portal.proxy_revoke", row, patient=row.dependent_id,
               detail={"proxy": row.proxy_id, "dependent": row.dependent_id, "kind": row.kind,
                       "valid_from": row.valid_from.isoformat(),
                       "revoked_at": row.revoked_at.isoformat() if row.revoked_at else None,
                       "removed": "charts merged", "survivor": survivor.pk, "merged": merged.pk})
        row.delete()
        removed += 1

    return {
        "portal_sessions_ended": ended,
        "portal_sessions": (PortalSession.objects.filter(patient=merged).update(patient=survivor)
                            + PortalSession.objects.filter(subject=merged).update(subject=survivor)),
        "portal_sign_in_challenges": SignInChallenge.objects.filter(patient=merged).update(patient=survivor),
        "portal_messages": (PortalMessage.objects.filter(patient=merged).update(patient=survivor)
                            + PortalMessage.objects.filter(written_by_patient=merged)
                            .update(written_by_patient=survivor)),
        "portal_intake": (IntakeSubmission.objects.filter(patient=merged).update(patient=survivor)
                          + IntakeSubmission.objects.filter(submitted_by=merged).update(submitted_by=survivor)),
        "proxy_authorizations_removed": removed,
        "proxy_authorizations": (ProxyAuthorization.objects.filter(proxy=merged).update(proxy=survivor)
                                 + ProxyAuthorization.objects.filter(dependent=merged).update(dependent=survivor)),
        "online_payments": (OnlinePayment.objects.filter(patient=merged).update(patient=survivor)
                            + OnlinePayment.objects.filter(paid_by=merged).update(paid_by=survivor)),
        "payment_plans": (PaymentPlan.objects.filter(patient=merged).update(patient=survivor)
                          + PaymentPlan.objects.filter(agreed_by=merged).update(agreed_by=survivor)),
    }
