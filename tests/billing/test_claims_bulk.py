# ruff: noqa: F811 (the fixtures are imported from claim_fixtures)
"""The set-based `claims_build_posted` (#19: 10,000 claims in under a minute) makes exactly the claims the
single-visit `claim_build` makes, one by one: the same claims, lines, statuses, events, scrubber edits (a duplicate
naming the same earlier claim) and audit records, over a mixed set: good claims, claims failing several edits,
a duplicate, a superbill without coverage, one not posted, and the secondary payer's claims."""

from __future__ import annotations

import pytest
from django.db import transaction

from clinicdesk.audit.models import AuditEntry
from clinicdesk.billing.models import Claim, ClaimStatus, Superbill
from clinicdesk.billing.services import claim_build, claims_build_posted
from clinicdesk.billing.services import claims_bulk as bulk
from clinicdesk.core.exceptions import InvalidTransition, ValidationFailed
from clinicdesk.insurance.models import PayerRule
from clinicdesk.patients.models import PayerChannel

from .claim_fixtures import clearwater, cover, fees, payer, posted_visit, practice, with_address  # noqa: F401


@pytest.fixture
def mixed(biller, location, fees, practice, clearwater, clock):
    """Superbill ids: two good visits, a duplicate of the first, one failing several edits (no address, a payer
    off the clearinghouse wanting a referral), one without coverage, one not posted; secondary coverages."""
    paper = payer("Paper Mutual", "PM001", channel=PayerChannel.PAPER)
    PayerRule.objects.create(payer=paper, procedure_code="99213", needs_referral=True, updated_at=clock.now())
    first = posted_visit(biller, location)
    with_address(first.patient)
    cover(first.patient, clearwater)
    cover(first.patient, paper, order=2, member_id="P1")
    second = posted_visit(biller, location, hour=16)
    with_address(second.patient)
    cover(second.patient, clearwater, member_id="")
    again = posted_visit(biller, location, patient=first.patient, hour=17)
    failing = posted_visit(biller, location, hour=18)
    cover(failing.patient, paper)
    cover(failing.patient, clearwater, order=2)
    bare = posted_visit(biller, location, hour=19)
    unposted = posted_visit(biller, location, hour=20)
    with_address(unposted.patient)
    cover(unposted.patient, clearwater)
    Superbill.objects.filter(pk=unposted.pk).update(status="draft")
    return [first.pk, second.pk, again.pk, failing.pk, bare.pk, unposted.pk]


def _one_by_one(actor, ids, sequence):
    built, skipped = [], []
    for superbill_id in ids:
        try:
            built.append(claim_build(actor=actor, superbill_id=superbill_id, sequence=sequence))
        except (ValidationFailed, InvalidTransition) as error:
            skipped.append((superbill_id, str(error.detail)))
    return built, skipped


def _snapshot(ids, built, skipped):
    """Everything about the claims made, with ids turned into what they stand for (claim numbers into the
    superbill of the claim they name)."""
    visit_of = dict(Claim.objects.values_list("claim_number", "superbill_id"))
    claims = []
    for claim in Claim.objects.filter(superbill_id__in=ids).order_by("superbill_id", "sequence"):
        assert claim.claim_number == f"CD{claim.pk:08d}"
        edits = [{"code": e["code"], "params": {k: (visit_of[v] if k == "other" else v)
                                                for k, v in e["params"].items()}} for e in claim.edits]
        claims.append({
            "superbill": claim.superbill_id, "sequence": claim.sequence, "payer": claim.payer_id,
            "coverage": claim.coverage_id, "patient": claim.patient_id, "status": claim.status, "edits": edits,
            "diagnoses": claim.diagnoses, "total": claim.total_charge, "place": claim.place_of_service,
            "referral": claim.referral_number, "authorization": claim.prior_authorization,
            "prior": (claim.prior_payers, claim.prior_paid), "frequency": claim.frequency,
            "times": (claim.created_at, claim.updated_at),
            "lines": list(claim.lines.order_by("position").values_list(
                "position", "code", "modifiers", "units", "pointers", "place_of_service", "rendering_id", "charge",
                "superbill_line_id")),
            "events": list(claim.events.order_by("pk").values_list("from_status", "to_status", "source", "note", "at",
                                                                   "by_id")),
        })
    audit = sorted((e.patient_id, e.actor_id, e.detail["superbill"], e.detail["sequence"], e.detail["payer"],
                    tuple(e.detail["edits"]))
                   for e in AuditEntry.objects.filter(action="claim.build"))
    return {"claims": claims, "built": [c.superbill_id for c in built], "skipped": skipped, "audit": audit}


@pytest.mark.parametrize("chunk", [500, 2])
def test_the_set_based_build_makes_exactly_the_claims_of_the_one_by_one_build(biller, mixed, chunk, monkeypatch):
    monkeypatch.setattr(bulk, "CHUNK", chunk)
    for sequence in (1, 2):
        with transaction.atomic():
            built, skipped = _one_by_one(biller, mixed, sequence)
            expected = _snapshot(mixed, built, skipped)
            transaction.set_rollback(True)
        report = claims_build_posted(actor=biller, superbill_ids=mixed, sequence=sequence)
        assert _snapshot(mixed, report.built, report.skipped) == expected
    statuses = {(c.superbill_id, c.sequence): c.status for c in Claim.objects.all()}
    assert statuses[(mixed[0], 1)] == ClaimStatus.READY and statuses[(mixed[2], 1)] == ClaimStatus.HELD
    held = Claim.objects.get(superbill_id=mixed[3], sequence=1)
    assert {"address-missing", "payer-not-electronic", "referral-required"} <= {e["code"] for e in held.edits}
    assert [s for s, _why in report.skipped] == [mixed[1], mixed[4], mixed[5]]  # no secondary coverage; draft


def test_building_again_returns_the_live_claims_and_makes_none(biller, mixed):
    first = claims_build_posted(actor=biller, superbill_ids=mixed)
    count = Claim.objects.count()
    again = claims_build_posted(actor=biller, superbill_ids=mixed)
    assert [c.pk for c in again.built] == [c.pk for c in first.built] and Claim.objects.count() == count
    assert again.skipped == first.skipped


def test_a_chunk_that_fails_as_a_whole_is_built_claim_by_claim(biller, mixed, monkeypatch):
    from django.db import IntegrityError

    def broken(*args, **kwargs):
        raise IntegrityError("another run built one")

    monkeypatch.setattr(bulk, "_make", broken)
    report = claims_build_posted(actor=biller, superbill_ids=mixed)
    assert [c.superbill_id for c in report.built] == mixed[:4]
    assert [s for s, _why in report.skipped] == mixed[4:]
