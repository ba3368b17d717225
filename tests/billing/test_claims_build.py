# ruff: noqa: F811 (the fixtures are imported from claim_fixtures)
"""Claims as data and the scrubber (#19 item 3): built from a posted superbill, one live per visit, payer and
sequence, held with its edits in words when it fails, ready when it passes."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.db import IntegrityError, transaction
from django.utils import translation

from clinicdesk.billing.claim_words import edit_words
from clinicdesk.billing.models import Claim, ClaimStatus
from clinicdesk.billing.services import claim_build, claim_scrub, claim_void
from clinicdesk.core.exceptions import InvalidTransition, NotFound, PermissionDenied
from clinicdesk.core.permissions import Role
from clinicdesk.insurance.models import PayerRule
from clinicdesk.patients.models import SubscriberRelationship
from clinicdesk.practice.models import Organization
from tests.factories import UserFactory

from .claim_fixtures import clearwater, cover, fees, payer, posted_visit, practice, superbill, with_address  # noqa: F401


def _codes(claim):
    return [e["code"] for e in claim.edits]


def test_claim_build_makes_a_ready_claim_of_a_posted_superbill(biller, superbill, clearwater, clock):
    claim = claim_build(actor=biller, superbill_id=superbill.pk)
    assert claim.status == ClaimStatus.READY and claim.edits == []
    assert (claim.payer, claim.sequence, claim.frequency) == (clearwater, 1, "1")
    assert claim.total_charge == Decimal("145.00") and claim.diagnoses == ["E119", "I10"]
    assert [(line.code, line.pointers, line.units) for line in claim.lines.order_by("position")] == [
        ("99213", [1, 2], 1), ("J1885", [2], 2)]
    assert claim.claim_number == f"CD{claim.pk:08d}"
    assert [(e.from_status, e.to_status, e.source) for e in claim.events.all()] == [("", "ready", "build")]


def test_claim_build_twice_returns_the_live_claim(biller, superbill, clock):
    first = claim_build(actor=biller, superbill_id=superbill.pk)
    assert claim_build(actor=biller, superbill_id=superbill.pk) == first
    assert Claim.objects.count() == 1


def test_the_database_allows_one_live_claim_per_visit_payer_and_sequence(biller, superbill, clock):
    claim = claim_build(actor=biller, superbill_id=superbill.pk)
    with pytest.raises(IntegrityError), transaction.atomic():
        Claim.objects.create(**{f.attname: getattr(claim, f.attname) for f in Claim._meta.concrete_fields
                                if f.attname not in ("id", "claim_number")}, claim_number="OTHER")


def test_the_scrubber_holds_a_claim_with_bad_identifiers_and_says_why(biller, superbill, clock):
    Organization.objects.update(npi="1234567890", tax_id="00-1234567")
    claim = claim_build(actor=biller, superbill_id=superbill.pk)
    assert claim.status == ClaimStatus.HELD and _codes(claim) == ["billing-npi", "tax-id"]
    with translation.override("en"):
        assert "check digit is wrong" in edit_words(claim.edits[0])
    with translation.override("es"):
        assert "dígito" in edit_words(claim.edits[0])


def test_the_scrubber_wants_the_subscriber_and_the_address(biller, location, fees, practice, clearwater, clock):
    bill = posted_visit(biller, location)
    cover(bill.patient, clearwater, member_id=" ", relationship=SubscriberRelationship.CHILD)
    claim = claim_build(actor=biller, superbill_id=bill.pk)
    assert _codes(claim) == ["member-id-missing", "subscriber-missing", "address-missing"]


def test_the_scrubber_refuses_a_future_date_and_a_payer_off_the_clearinghouse(biller, superbill, clearwater, clock):
    clearwater.claim_channel, clearwater.payer_code = "paper-portal", ""
    clearwater.save()
    clock.advance(dt.timedelta(days=-10))  # the visit (Nov 20) is after "today" (Nov 13)
    claim = claim_build(actor=biller, superbill_id=superbill.pk)
    assert _codes(claim) == ["payer-id-missing", "payer-not-electronic", "future-date"]


def test_the_scrubber_wants_the_referral_and_authorization_the_payer_requires(biller, superbill, clearwater, clock):
    PayerRule.objects.create(payer=clearwater, procedure_code="99213", needs_referral=True, needs_prior_auth=True,
                             updated_at=clock.now() if hasattr(clock, "now") else dt.datetime.now(dt.UTC))
    claim = claim_build(actor=biller, superbill_id=superbill.pk)
    assert _codes(claim) == ["referral-required", "authorization-required"]
    with translation.override("es"):
        assert "Clearwater Health" in edit_words(claim.edits[0])


def test_the_scrubber_finds_a_duplicate_claim(biller, location, fees, practice, clearwater, superbill, clock):
    first = claim_build(actor=biller, superbill_id=superbill.pk)
    again = posted_visit(biller, location, patient=superbill.patient, hour=17)
    claim = claim_build(actor=biller, superbill_id=again.pk)
    assert _codes(claim) == ["duplicate-claim"] and claim.edits[0]["params"]["other"] == first.claim_number


def test_a_corrected_claim_passes_when_scrubbed_again(biller, superbill, clock):
    Organization.objects.update(npi="")
    claim = claim_build(actor=biller, superbill_id=superbill.pk)
    assert claim.status == ClaimStatus.HELD
    Organization.objects.update(npi="1234567893")
    assert claim_scrub(actor=biller, claim_id=claim.pk).status == ClaimStatus.READY


def test_a_voided_claim_frees_the_visit_for_a_new_one(biller, superbill, clock):
    claim = claim_void(actor=biller, claim_id=claim_build(actor=biller, superbill_id=superbill.pk).pk)
    assert claim.status == ClaimStatus.VOIDED
    assert claim_build(actor=biller, superbill_id=superbill.pk).pk != claim.pk
    with pytest.raises(InvalidTransition):
        claim_void(actor=biller, claim_id=claim.pk)


def test_a_draft_superbill_is_not_billed(biller, location, fees, practice, clearwater, clock):
    from clinicdesk.billing.services import superbill_open

    draft = superbill_open(actor=biller, appointment_id=posted_visit(biller, location).appointment_id)
    assert draft.status == "posted"  # the visit's superbill is the posted one
    other = posted_visit(biller, location, hour=18)
    cover(other.patient, clearwater)
    assert claim_build(actor=biller, superbill_id=other.pk).status == ClaimStatus.HELD  # no address


def test_only_billing_at_the_location_builds_claims(superbill, location, other_location, clock):
    with pytest.raises(PermissionDenied):
        claim_build(actor=UserFactory(role=Role.FRONT_DESK, location=location), superbill_id=superbill.pk)
    with pytest.raises(PermissionDenied) as hidden:
        claim_build(actor=UserFactory(role=Role.BILLING, location=other_location), superbill_id=superbill.pk)
    assert hidden.value.status == NotFound.status
    assert payer("Other", "OT1") and Claim.objects.count() == 0
