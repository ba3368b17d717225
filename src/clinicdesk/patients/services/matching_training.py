"""Training the duplicate matcher on the practice's own charts (issue #17): `clinicdesk matching train`
and the weekly `train-matching-model` job call `matching_train`."""

from __future__ import annotations

from typing import Any

from clinicdesk.audit.services import atomic_service, record
from clinicdesk.core.permissions import Actor, Perm, SystemActor, require

from .. import matching_model
from ..matching import person_from
from ..matching_em import train
from ..models import Patient

# The weekly job: it reads every chart's demographics to count them, and writes no patient data.
TRAINER = SystemActor("matching-train", frozenset({Perm.PATIENT_MERGE}))
MIN_CHARTS = 200  # fewer charts than this: too few pairs to estimate from; the shipped defaults stay


@atomic_service
def matching_train(*, actor: Actor, save: bool = True) -> dict[str, Any]:
    """Estimate the matcher's m/u probabilities and name frequencies from every unmerged chart (EM over
    blocked pairs, `matching_em.train`) and store them in var/matching/model.json, which the online scorer
    picks up. Returns a summary; with fewer than MIN_CHARTS charts nothing is written."""
    require(actor, Perm.PATIENT_MERGE)
    rows = (Patient.objects.filter(merged_into__isnull=True)
            .only("pk", "family_name", "given_name", "middle_name", "previous_family_name", "birth_date", "sex",
                  "phone", "alt_phone", "email", "address_line", "postal_code").iterator(chunk_size=5000))
    persons = [person_from(p) for p in rows]
    summary: dict[str, Any] = {"charts": len(persons), "saved": False}
    if len(persons) >= MIN_CHARTS:
        model = train(persons)
        summary.update(pairs=model.pairs, prior=model.prior)
        if save:
            summary["path"] = str(matching_model.save(model))
            summary["saved"] = True
    record(actor, "matching.train", resource_type="patient", detail=summary)
    return summary
