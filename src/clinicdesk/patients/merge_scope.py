"""Who may merge which charts.

Patient and practice coordinators (patient.merge) review and merge any suspected pair they can see.
Front-desk staff (patient.merge_recent) put right the duplicate that was just made at the desk: they
may merge away a chart registered in the last 24 hours into the existing one, and review only pairs
that hold such a chart. An older chart has visits, bills and messages behind it, so merging it away
stays with a coordinator. Services and selectors both ask here; templates only mirror the answer.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db.models import Q
from django.utils.translation import gettext as _

from clinicdesk.core import clock
from clinicdesk.core.exceptions import PermissionDenied
from clinicdesk.core.permissions import Actor, Perm, has_perm, require

from .visibility import require_patient_in_reach

RECENT_CHART_WINDOW = dt.timedelta(hours=24)


def may_merge_any(actor: Actor) -> bool:
    return has_perm(actor, Perm.PATIENT_MERGE)


def may_review_duplicates(actor: Actor) -> bool:
    return may_merge_any(actor) or has_perm(actor, Perm.PATIENT_MERGE_RECENT)


def merge_permission(actor: Actor) -> Perm:
    """The permission the actor merges with (for location and object checks)."""
    return Perm.PATIENT_MERGE if may_merge_any(actor) else Perm.PATIENT_MERGE_RECENT


def require_duplicate_review(actor: Actor) -> None:
    require(actor, merge_permission(actor))


def require_charts_in_reach(actor: Actor, *patients: Any) -> None:
    """Each chart's home location is one where the actor may merge; one out of reach answers as if missing."""
    permission = merge_permission(actor)
    for patient in patients:
        require_patient_in_reach(actor, patient, perm=permission)


def recent_since() -> dt.datetime:
    return clock.now() - RECENT_CHART_WINDOW


def is_recent(patient: Any) -> bool:
    return patient.created_at >= recent_since()


def pairs_in_scope(actor: Actor) -> Q:
    """A filter on DuplicateCandidate: every pair for a coordinator, pairs holding a recent chart otherwise."""
    if may_merge_any(actor):
        return Q()
    since = recent_since()
    return Q(first__created_at__gte=since) | Q(second__created_at__gte=since)


def may_merge_away(actor: Actor, patient: Any) -> bool:
    return may_merge_any(actor) or is_recent(patient)


def _needs_coordinator(actor: Actor, patient: Any, detail: str) -> PermissionDenied:
    return PermissionDenied("merge-needs-coordinator", detail, actor=actor, permission=str(Perm.PATIENT_MERGE),
                            resource_type="patient", resource_id=str(patient.pk), patient_id=patient.pk)


def require_pair_in_scope(actor: Actor, first: Any, second: Any) -> None:
    if not (may_merge_any(actor) or is_recent(first) or is_recent(second)):
        raise _needs_coordinator(actor, first, _(
            "Both charts were registered more than 24 hours ago: ask a patient coordinator to review this pair."))


def require_may_merge_away(actor: Actor, merged: Any) -> None:
    if not may_merge_away(actor, merged):
        raise _needs_coordinator(actor, merged, _(
            "The front desk can merge away only a chart registered in the last 24 hours. Keep MRN %(mrn)s, "
            "or ask a patient coordinator to merge it.") % {"mrn": merged.mrn})


def survivor_choices(actor: Actor, first: Any, second: Any) -> list[Any]:
    """The charts the actor may keep: the other one must be one they may merge away."""
    return [keep for keep, away in ((first, second), (second, first)) if may_merge_away(actor, away)]
