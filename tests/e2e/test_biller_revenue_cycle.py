"""The revenue cycle in a browser, end to end (#19, "Done when"): a biller codes a visit, sends the claim, reads
the 835, works a denial and prints a statement, all on the real screens and in one signed-in session.

The claim goes out through the clearinghouse's folder drop (the batch channel the suite uses, on this machine);
the 835 is written by the project's own fake payer (`fakeremit`) for the claim that was sent and uploaded through
the claims screen; the denial (CO 16, information missing) is worked to its next step, a replacement claim; the
statement's PDF is downloaded and read. Screens photographed under the test artifacts (and CLINICDESK_SHOTS)."""

from __future__ import annotations

import os
import re
from decimal import Decimal
from pathlib import Path

import pytest
from playwright.sync_api import expect

from clinicdesk.billing import codesets, services
from clinicdesk.billing.models import Claim, ClaimFrequency, ClaimStatus, EntryKind, LedgerEntry, Statement
from clinicdesk.core.permissions import Role
from clinicdesk.insurance.x12 import fakeremit
from clinicdesk.insurance.x12.e835 import Adjustment, ClaimPayment, ServicePayment
from clinicdesk.practice.models import Organization
from tests.billing.claim_fixtures import GROUP_NPI, TAX_ID, cover, payer, with_address
from tests.billing.factories import DOS, fee_schedule, fulfilled_visit
from tests.core.test_documents_l10n import pdf_text
from tests.factories import LocationFactory, PatientFactory, UserFactory

pytestmark = pytest.mark.e2e

ARTIFACTS = Path(os.environ.get("CLINICDESK_SHOTS") or os.environ.get("CLINICDESK_TEST_ARTIFACTS") or
                 Path(__file__).resolve().parents[2] / "var" / "test-artifacts")
CHARGE = Decimal("120.00")  # 99213 on the fee schedule on the date of service


def _shoot(page, name: str) -> None:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"revenue-cycle-{name}.png"), full_page=True)


def _denial(claim: Claim) -> str:
    """The payer's 835 for the claim that was sent: denied at claim level, CO 16 (information missing, N290)."""
    service = ServicePayment(code="HC:99213", procedure="99213", modifiers=[], charge=CHARGE, paid=Decimal("0"),
                             units=Decimal(1), service_date=DOS.date(),
                             adjustments=[Adjustment("CO", "16", CHARGE)], remarks=["N290"])
    payment = ClaimPayment(claim_id=claim.claim_number, status="4", charge=CHARGE, paid=Decimal("0"),
                           patient_responsibility=Decimal("0"), payer_claim_number="PCN-77001", services=[service])
    return fakeremit.remittance([payment], check_number="EFT77001", method="CHK")


def test_a_biller_codes_sends_reads_the_835_works_the_denial_and_prints_a_statement(
        page, page_problems, sign_in_as, settings, tmp_path):
    outbound = tmp_path / "outbound"
    settings.CLEARINGHOUSE_FOLDER_OUTBOUND, settings.CLEARINGHOUSE_SFTP_HOST = str(outbound), ""
    location = LocationFactory(name="Downtown", time_zone="America/New_York")
    Organization.objects.filter(pk=location.organization_id).update(npi=GROUP_NPI, tax_id=TAX_ID)
    biller = UserFactory(role=Role.BILLING, location=location, first_name="Bea", last_name="Biller", language="en")
    fee_schedule(biller)
    patient = with_address(PatientFactory(home_location=location, family_name="Quillfeather", given_name="Ana"))
    cover(patient, payer(), member_id="W7700123")
    visit = fulfilled_visit(location, usual=["99213"], biller=biller, patient=patient)
    codesets.icd_search("warm")  # the code set's index is built once per process, not inside the type-ahead's wait
    sign_in_as(page, biller, wide=True)

    # 1. Code the visit: the worklist, the superbill with the type's usual code, two diagnoses, posted.
    page.locator('#main-menu a[data-screen="coding"]').click()
    page.locator(f'tr[data-appointment="{visit.pk}"]').get_by_role("button", name="Code the visit").click()
    dx1 = page.locator("input[name=dx1]")
    dx1.fill("essential hypert")
    expect(page.locator("#icd-options option[value='I10']")).to_have_count(1)
    dx1.fill("I10")
    page.locator("input[name=dx2]").fill("E11.9")
    page.locator("input[name='line1-pointers']").fill("1,2")
    page.get_by_role("button", name="Save and post the charges").click()
    expect(page.locator("#diagnoses")).to_contain_text("Essential (primary) hypertension")
    assert LedgerEntry.objects.get(patient=patient, kind=EntryKind.CHARGE).amount == CHARGE

    # 2. Bill the payer from the posted superbill: the scrubber passes it, ready to send.
    page.get_by_role("button", name="Bill the primary insurance").click()
    expect(page.locator("h1")).to_contain_text("Ready to send")
    claim = Claim.objects.get(patient=patient)
    _shoot(page, "claim-ready")

    # 3. Send it: the claims worklist's button drops the 837P in the clearinghouse's outbound folder.
    page.locator('#main-menu a[data-screen="claims"]').click()
    page.get_by_role("button", name="Send 1 ready claim").click()
    expect(page.locator("#flashes")).to_contain_text("1 claim sent in file")
    sent = list(outbound.iterdir())
    assert len(sent) == 1 and f"CLM*{claim.claim_number}*120***11:B:1*" in sent[0].read_text()
    claim.refresh_from_db()
    assert claim.status == ClaimStatus.SUBMITTED

    # 4. Read the payer's 835 through the screen: the claim is denied, nothing written off yet.
    era = tmp_path / "era-77001.835"
    era.write_text(_denial(claim), encoding="ascii")
    page.locator("#answer-file").set_input_files(str(era))
    page.get_by_role("button", name="Read the file").click()
    expect(page.locator("#flashes")).to_contain_text("File read: 1 claim denied.")
    expect(page.locator(f'tr[data-claim="{claim.pk}"]')).to_contain_text("Denied")
    _shoot(page, "claims-after-835")
    claim.refresh_from_db()
    assert (claim.status, claim.payer_claim_number) == (ClaimStatus.DENIED, "PCN-77001")
    assert not LedgerEntry.objects.filter(patient=patient).exclude(kind=EntryKind.CHARGE).exists()

    # 5. Work the denial: the worklist groups it by reason with its next step; a replacement claim is made.
    page.locator('#main-menu a[data-screen="denials"]').click()
    expect(page.locator('table[data-denials="16"]')).to_contain_text(claim.claim_number)
    _shoot(page, "denials")
    page.locator('table[data-denials="16"]').get_by_role("link", name=claim.claim_number).click()
    expect(page.locator("#reasons")).to_contain_text("Correct the claim and send a replacement claim")
    page.get_by_role("button", name="Make the replacement claim").click()
    replacement = Claim.objects.get(replaces=claim)
    expect(page.locator("h1")).to_contain_text(replacement.claim_number)
    expect(page.locator("#claim")).to_contain_text("PCN-77001")
    assert (replacement.frequency, replacement.status) == (ClaimFrequency.REPLACEMENT, ClaimStatus.READY)
    claim.refresh_from_db()
    assert claim.status == ClaimStatus.REPLACED
    _shoot(page, "replacement-claim")

    # 6. Print a statement: from the patient's account to the balance page; the PDF is downloaded and read. The
    # visit is on the replacement claim, pending with insurance: not billed to the patient (no statement for it);
    # a fee of the patient's own is.
    page.goto(f"/billing/patients/{patient.pk}/")
    page.get_by_role("link", name="Balance and statements").click()
    expect(page.locator("#balance")).to_contain_text("120.00")
    expect(page.locator("[data-pending]")).to_contain_text("120.00")
    expect(page.get_by_role("button", name="Make a statement now")).to_have_count(0)
    services.charge_post(actor=biller, patient_id=patient.pk, location_id=location.pk, amount=Decimal("25.00"),
                         description="Missed appointment fee")
    page.reload()
    expect(page.locator("[data-due]")).to_contain_text("25.00")
    page.get_by_role("button", name="Make a statement now").click()
    expect(page.locator("#flashes")).to_contain_text("Statement made")
    statements = page.locator("table[data-statements] tbody tr")
    expect(statements).to_have_count(1)
    _shoot(page, "balance-with-statement")
    href = statements.get_by_role("link", name="PDF").get_attribute("href")
    answer = page.request.get(href)
    assert answer.ok and answer.headers["content-type"] == "application/pdf"
    text = pdf_text(answer.body())
    assert "Statement" in text and "Quillfeather" in text and "120.00" in text
    assert "Amount due: $25.00" in text and "Pending with insurance" in text
    assert re.search(r"Office visit|99213", text), text
    assert Statement.objects.filter(patient=patient).count() == 1
    page_problems.assert_none()
