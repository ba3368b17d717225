"""The claims worklist and a claim's page in a browser, in English and Spanish (#19 items 3-5): a held claim with
the scrubber's edits in words, a ready one sent from the worklist, a paid one with its payment. Screens
photographed under the test artifacts (and CLINICDESK_SHOTS, when set)."""

from __future__ import annotations

import os
from decimal import Decimal
from pathlib import Path

import pytest
from playwright.sync_api import expect

from clinicdesk.billing.models import ClaimStatus
from clinicdesk.billing.services import answer_file_read, claim_build, claims_submit
from clinicdesk.core.permissions import Role
from clinicdesk.insurance.x12 import fakeremit
from clinicdesk.practice.models import Organization
from tests.billing.claim_fixtures import cover, payer, posted_visit, with_address
from tests.billing.factories import fee_schedule
from tests.factories import LocationFactory, PatientFactory, UserFactory

pytestmark = pytest.mark.e2e

ARTIFACTS = Path(os.environ.get("CLINICDESK_SHOTS") or os.environ.get("CLINICDESK_TEST_ARTIFACTS") or
                 Path(__file__).resolve().parents[2] / "var" / "test-artifacts")
WORDS = {"en": "Claims", "es": "Reclamaciones"}


@pytest.mark.parametrize("lang", ["en", "es"])
def test_a_biller_works_the_claims_worklist(page, sign_in_as, lang, tmp_path, settings):
    settings.CLEARINGHOUSE_FOLDER_OUTBOUND, settings.CLEARINGHOUSE_SFTP_HOST = str(tmp_path), ""
    location = LocationFactory(name="Downtown", time_zone="America/New_York")
    Organization.objects.filter(pk=location.organization_id).update(npi="1234567893", tax_id="12-3456789")
    biller = UserFactory(role=Role.BILLING, location=location, first_name="Bea", last_name="Biller", language=lang)
    fee_schedule(biller)
    clearwater = payer()
    made = []
    for n, (family, given) in enumerate([("Quillfeather", "Ana"), ("Okafor", "Ben"), ("Lindqvist", "Cora")]):
        patient = PatientFactory(home_location=location, family_name=family, given_name=given)
        if n != 1:
            with_address(patient)
        cover(patient, clearwater, member_id=f"W10{n}")
        made.append(claim_build(actor=biller, superbill_id=posted_visit(biller, location, hour=14 + n,
                                                                         patient=patient).pk))
    paid = made[2]
    claims_submit(actor=biller, to_dir=tmp_path / "first")
    payment = fakeremit.paid_claim(paid.claim_number, Decimal("145.00"), Decimal("95.00"), patient=Decimal("20.00"))
    answer_file_read(actor=biller, name="era.x12", data=fakeremit.remittance([payment]).encode())
    title = WORDS[lang]
    sign_in_as(page, biller, wide=True)
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page.goto("/billing/claims/")
    expect(page.get_by_role("heading", level=1)).to_contain_text(title)
    page.screenshot(path=str(ARTIFACTS / f"claims-worklist-{lang}.png"), full_page=True)
    page.goto(f"/billing/claims/{made[1].pk}/")
    page.screenshot(path=str(ARTIFACTS / f"claims-held-claim-{lang}.png"), full_page=True)
    page.goto(f"/billing/claims/{paid.pk}/")
    page.screenshot(path=str(ARTIFACTS / f"claims-paid-claim-{lang}.png"), full_page=True)
    made[1].refresh_from_db()
    assert made[1].status == ClaimStatus.HELD
