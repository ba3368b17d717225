"""Duplicate review and merge: one person, one chart.

A merge is an event: `patient_merge` locks both charts and announces `patient_merged(survivor, merged, actor)`
(patients/hooks.py) inside its transaction; each app moves its own rows (this module the patients app's:
coverages, documents, signed forms, contacts, history, break-glass records, charts merged into this one
earlier, open duplicate pairs). A subscriber that would break a rule (both charts booked at the same time)
raises Conflict and nothing is written. The merged-away chart stays (inactive) with an audited pointer to
the survivor and leaves search; the audit trail keeps naming it (history is not rewritten).
"""

from __future__ import annotations

from django.db.models import Q
from django.utils.translation import gettext as _

from clinicdesk.audit.services import atomic_service, record
from clinicdesk.core import clock
from clinicdesk.core.exceptions import Conflict, NotFound, ValidationFailed
from clinicdesk.core.permissions import Actor, Perm, require, staff_user

from .. import hooks
from ..keys import fill_search_keys
from ..matching import LIKELY, find_duplicate_pairs, person_from
from ..merge_scope import (
    require_charts_in_reach,
    require_duplicate_review,
    require_may_merge_away,
    require_pair_in_scope,
)
from ..models import (
    BreakGlassAccess,
    Coverage,
    Document,
    DuplicateCandidate,
    Patient,
    PatientAlert,
    PatientChange,
    RelatedPerson,
    SignedForm,
)
from ..visibility import location_filter
from .coverage import overlap_error, overlapping
from .registration import history_write

# Blank fields of the survivor that the merged-away chart may fill.
FILLABLE = ("middle_name", "preferred_name", "previous_family_name", "gender_identity", "pronouns", "ethnicity",
            "phone", "alt_phone", "email", "address_line", "address_line2", "city", "state", "postal_code",
            "employer", "primary_care_provider", "referring_provider")


def _visible(actor: Actor) -> Q:
    return location_filter(actor)  # patients.visibility: the charts at the actor's locations


@atomic_service
def duplicates_scan(*, actor: Actor, threshold: float = LIKELY) -> int:
    """Compare the patients the actor may see, block by block; add new suspected pairs to the worklist."""
    require(actor, Perm.PATIENT_MERGE)
    rows = (Patient.objects.filter(_visible(actor), merged_into__isnull=True)
            .only("pk", "family_name", "given_name", "middle_name", "previous_family_name", "birth_date", "sex",
                  "phone", "alt_phone", "email", "address_line", "postal_code").iterator(chunk_size=5000))
    persons = [person_from(p) for p in rows]
    pairs = find_duplicate_pairs(persons, threshold=threshold)
    known = set(DuplicateCandidate.objects.values_list("first_id", "second_id"))
    now = clock.now()
    new = [DuplicateCandidate(first_id=a, second_id=b, score=result.score, agreeing=result.agreeing,
                              source="scan", found_at=now)
           for a, b, result in pairs if (a, b) not in known]
    DuplicateCandidate.objects.bulk_create(new, batch_size=1000)
    record(actor, "duplicate.scan", resource_type="patient",
           detail={"compared": len(persons), "found": len(pairs), "new": len(new)})
    return len(new)


def _lock_candidate(actor: Actor, candidate_id: int) -> DuplicateCandidate:
    require_duplicate_review(actor)
    # Only the pair's row is locked (the charts are read, not locked): a merge locks the charts first, then the
    # pairs it closes, so locking the charts here too could deadlock with it.
    candidate = DuplicateCandidate.objects.select_for_update(of=("self",)).select_related("first", "second") \
        .filter(pk=candidate_id).first()
    if candidate is None:
        raise NotFound()
    require_charts_in_reach(actor, candidate.first, candidate.second)
    require_pair_in_scope(actor, candidate.first, candidate.second)
    return candidate


@atomic_service
def duplicate_dismiss(*, actor: Actor, candidate_id: int, reason: str) -> DuplicateCandidate:
    candidate = _lock_candidate(actor, candidate_id)
    reason = " ".join((reason or "").split())[:300]
    if not reason:
        raise ValidationFailed("reason-required", _("Say why these are different people."),
                               fields={"reason": [_("Say why these are different people.")]})
    if candidate.status != DuplicateCandidate.Status.OPEN:
        raise Conflict("already-reviewed", _("This pair was already reviewed."))
    candidate.status = DuplicateCandidate.Status.NOT_DUPLICATE
    candidate.reason, candidate.reviewed_by, candidate.reviewed_at = reason, staff_user(actor), clock.now()
    candidate.save()
    record(actor, "duplicate.dismiss", candidate, patient=candidate.first_id,
           detail={"pair": [candidate.first_id, candidate.second_id], "reason": reason})
    return candidate


def _move_coverages(survivor: Patient, merged: Patient, actor: Actor) -> dict[str, int]:
    """Move the merged chart's coverages; a card both charts carry is kept once (the survivor's). Rows of other
    apps naming a dropped copy are re-pointed to the kept one (`hooks.coverage_replaced`) before it is deleted."""
    moved = 0
    replaced: dict[int, int] = {}  # the merged chart's copy -> the survivor's coverage of the same card
    dropped: list[Coverage] = []
    for coverage in Coverage.objects.filter(patient=merged).select_related("payer").order_by("pk"):
        same = Coverage.objects.filter(patient=survivor, payer=coverage.payer_id, member_id=coverage.member_id,
                                       order=coverage.order).first()
        if same is not None:
            # The same card on both charts: keep the survivor's, keep the card images.
            if same.card_front_id is None and coverage.card_front_id:
                same.card_front_id = coverage.card_front_id
            if same.card_back_id is None and coverage.card_back_id:
                same.card_back_id = coverage.card_back_id
            same.save(update_fields=["card_front", "card_back"])
            replaced[coverage.pk] = same.pk
            dropped.append(coverage)
            continue
        if (clash := overlapping(survivor, coverage.order, coverage.start_date, coverage.end_date)) is not None:
            raise overlap_error(clash)
        coverage.patient = survivor
        coverage.save(update_fields=["patient"])
        moved += 1
    repointed = hooks.fire_coverage_replaced(replaced=replaced, actor=actor)
    for coverage in dropped:
        coverage.delete()
    return {"coverages": moved, "coverages_deduplicated": len(dropped), **repointed}


# The patients app's own relations to a patient (see hooks.py); registered in PatientsConfig.ready().
MERGE_HANDLES = (
    "patients.Patient.merged_into", "patients.RelatedPerson.patient", "patients.Coverage.patient",
    "patients.SignedForm.patient", "patients.Document.patient", "patients.PatientChange.patient",
    "patients.BreakGlassAccess.patient", "patients.DuplicateCandidate.first", "patients.DuplicateCandidate.second",
    "patients.PatientAlert.patient",  # alerts (#15): the person's, so the survivor's
)


def move_patient_rows(*, survivor: Patient, merged: Patient, actor: Actor) -> dict[str, int]:
    """The patients app's part of `patient_merged`. The merged chart's open duplicate pairs are closed as
    merged (reviewed pairs stay as they were reviewed); charts merged into it earlier now point at the survivor,
    so that `merged_into` is never a chain."""
    earlier = list(Patient.objects.select_for_update().filter(merged_into=merged).order_by("pk"))
    for chart in earlier:
        history_write(actor, chart, {"merged_into": merged}, {"merged_into": survivor})
    Patient.objects.filter(pk__in=[c.pk for c in earlier]).update(merged_into=survivor, updated_at=clock.now())
    DuplicateCandidate.objects.filter(Q(first=merged) | Q(second=merged), status=DuplicateCandidate.Status.OPEN) \
        .update(status=DuplicateCandidate.Status.MERGED, reviewed_by=staff_user(actor), reviewed_at=clock.now())
    return {
        **_move_coverages(survivor, merged, actor),
        "documents": Document.objects.filter(patient=merged).update(patient=survivor),
        "signed_forms": SignedForm.objects.filter(patient=merged).update(patient=survivor),
        "contacts": RelatedPerson.objects.filter(patient=merged).update(patient=survivor),
        "history": PatientChange.objects.filter(patient=merged).update(patient=survivor),
        "break_glass": BreakGlassAccess.objects.filter(patient=merged).update(patient=survivor),
        "alerts": PatientAlert.objects.filter(patient=merged).update(patient=survivor),
        "earlier_merges": len(earlier),
    }


@atomic_service
def patient_merge(*, actor: Actor, survivor_id: int, merged_id: int, reason: str = "",
                  candidate_id: int | None = None) -> Patient:
    """Merge chart `merged_id` into chart `survivor_id`."""
    require_duplicate_review(actor)
    if str(survivor_id) == str(merged_id):
        raise ValidationFailed("same-patient", _("Choose two different charts."),
                               fields={"merged": [_("Choose two different charts.")]})
    locked = {p.pk: p for p in Patient.objects.select_for_update().filter(pk__in=[survivor_id, merged_id])
              .order_by("pk")}
    survivor, merged = locked.get(int(survivor_id)), locked.get(int(merged_id))
    if survivor is None or merged is None:
        raise NotFound()
    require_charts_in_reach(actor, survivor, merged)
    require_may_merge_away(actor, merged)
    if survivor.merged_into_id or merged.merged_into_id:
        raise Conflict("already-merged", _("One of these charts was already merged."))
    # Every app moves its own rows (this app's first: move_patient_rows above), in this transaction.
    moved = hooks.fire_patient_merged(survivor=survivor, merged=merged, actor=actor)
    fill = {name: getattr(merged, name) for name in FILLABLE
            if not getattr(survivor, name) and getattr(merged, name)}
    if not survivor.previous_family_name and merged.family_name.lower() != survivor.family_name.lower():
        fill["previous_family_name"] = merged.family_name
    if merged.restricted and not survivor.restricted:
        fill["restricted"] = True
    if fill:
        before = {name: getattr(survivor, name) for name in fill}
        for name, value in fill.items():
            setattr(survivor, name, value)
        history_write(actor, survivor, before, fill)
        fill_search_keys(survivor)
        survivor.save()
    history_write(actor, merged, {"active": merged.active, "merged_into": None, "inactive_reason":
                                  merged.inactive_reason},
                  {"active": False, "merged_into": survivor, "inactive_reason": f"merged into MRN {survivor.mrn}"})
    merged.active, merged.merged_into, merged.inactive_reason = False, survivor, f"merged into MRN {survivor.mrn}"
    merged.save(update_fields=["active", "merged_into", "inactive_reason", "updated_at"])
    now = clock.now()
    pair = sorted((survivor.pk, merged.pk))
    if candidate_id is None and not DuplicateCandidate.objects.filter(first_id=pair[0], second_id=pair[1]).exists():
        DuplicateCandidate.objects.create(first_id=pair[0], second_id=pair[1], score=0.0, source="manual",
                                          status=DuplicateCandidate.Status.MERGED, reason=reason[:300],
                                          found_at=now, reviewed_by=staff_user(actor), reviewed_at=now)
    detail = {"survivor": survivor.pk, "merged": merged.pk, "merged_mrn": merged.mrn, "moved": moved,
              "filled": sorted(fill), "reason": " ".join((reason or "").split())[:300]}
    record(actor, "patient.merge", survivor, patient=survivor, detail=detail)
    record(actor, "patient.merged_away", merged, patient=merged, detail=detail)
    return survivor
