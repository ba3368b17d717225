"""The claim scrubber: what a payer would reject, found before the claim is sent. Each edit is a code with its
parameters (words in `billing.claim_words`, EN/ES); a claim with any edit is held, never sent.

Edits: no diagnosis or a non-billable one; a line pointing to no listed diagnosis; the practice's NPI or tax id,
or a rendering provider's NPI, failing its check; subscriber data missing (member id, name, birth date, sex,
address); the payer without an electronic id or not taking claims through the clearinghouse; a date of service
in the future; a referral or prior authorization number the payer's rules require (insurance's `rules_for`) and
missing; a duplicate (another live claim of the patient to the payer for the same date and the same codes).

`ScrubContext` loads what every claim of a run shares once (the organization, the payers' rules), so scrubbing
thousands of claims costs a few queries each."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from clinicdesk.insurance import services as insurance_services
from clinicdesk.insurance.services.claim_exchange import ein_is_valid, npi_is_valid
from clinicdesk.patients.models import PayerChannel, SubscriberRelationship
from clinicdesk.practice import selectors as practice_selectors

from ..claim_models import LIVE_EXCLUDED
from ..codesets import icd_dotted, icd_is_billable
from ..models import Claim, ClaimLine

ELECTRONIC = (PayerChannel.BATCH, PayerChannel.REALTIME)


def _edit(code: str, **params: Any) -> dict[str, Any]:
    return {"code": code, "params": {k: str(v) for k, v in params.items()}}


@dataclass
class ScrubContext:
    today: dt.date
    organization: Any = None
    needs: dict[tuple[int, int | None, tuple[str, ...]], Any] = field(default_factory=dict)
    org_edits: list[dict[str, Any]] | None = None
    npi_ok: dict[str, bool] = field(default_factory=dict)

    @classmethod
    def load(cls, today: dt.date) -> ScrubContext:
        return cls(today=today, organization=practice_selectors.organization_current())

    def practice_edits(self) -> list[dict[str, Any]]:
        if self.org_edits is None:
            org = self.organization
            npi, tax_id = (org.npi if org else ""), (org.tax_id if org else "")
            self.org_edits = []
            if not npi_is_valid(npi or ""):
                self.org_edits.append(_edit("billing-npi", value=npi or "-"))
            if not ein_is_valid(tax_id or ""):
                self.org_edits.append(_edit("tax-id", value=tax_id or "-"))
        return list(self.org_edits)

    def payer_needs(self, payer_id: int, appointment_type_id: int | None, codes: tuple[str, ...]) -> Any:
        key = (payer_id, appointment_type_id, codes)
        if key not in self.needs:
            self.needs[key] = insurance_services.rules_for(payer_id=payer_id, appointment_type_id=appointment_type_id,
                                                           procedure_codes=codes)
        return self.needs[key]


def _subscriber_edits(claim: Claim) -> list[dict[str, Any]]:
    coverage, patient = claim.coverage, claim.patient
    edits = []
    if not (coverage.member_id or "").strip():
        edits.append(_edit("member-id-missing"))
    if coverage.relationship != SubscriberRelationship.SELF:
        if not (coverage.subscriber_family_name and coverage.subscriber_given_name
                and coverage.subscriber_birth_date and coverage.subscriber_sex):
            edits.append(_edit("subscriber-missing"))
    elif not (patient.family_name and patient.given_name and patient.birth_date and patient.sex):
        edits.append(_edit("subscriber-missing"))
    if not (patient.address_line and patient.city and patient.state and patient.postal_code):
        edits.append(_edit("address-missing"))
    return edits


def scrub(claim: Claim, lines: list[ClaimLine], context: ScrubContext, *, appointment_type_id: int | None = None,
          duplicate_of: str | None = None) -> list[dict[str, Any]]:
    """Every edit the claim fails (empty: it may be sent). Pure over the loaded rows, except the payer rules."""
    edits = context.practice_edits()
    payer = claim.payer
    if not claim.diagnoses:
        edits.append(_edit("no-diagnosis"))
    for code in claim.diagnoses:
        if not icd_is_billable(code):
            edits.append(_edit("diagnosis-not-billable", code=icd_dotted(code)))
    if not lines:
        edits.append(_edit("no-lines"))
    seen_npis: set[str] = set()
    for line in lines:
        if not line.pointers or any(not isinstance(p, int) or not 1 <= p <= len(claim.diagnoses)
                                    for p in line.pointers):
            edits.append(_edit("pointer-to-no-diagnosis", line=line.position, procedure=line.code))
        rendering = line.rendering
        if rendering.npi not in seen_npis:
            seen_npis.add(rendering.npi)
            ok = context.npi_ok.setdefault(rendering.npi, npi_is_valid(rendering.npi))
            if not ok:
                edits.append(_edit("rendering-npi", name=f"{rendering.first_name} {rendering.last_name}",
                                   value=rendering.npi))
    edits += _subscriber_edits(claim)
    if not (payer.payer_code or "").strip():
        edits.append(_edit("payer-id-missing", payer=payer.name))
    if payer.claim_channel not in ELECTRONIC:
        edits.append(_edit("payer-not-electronic", payer=payer.name))
    if claim.date_of_service > context.today:
        edits.append(_edit("future-date", day=claim.date_of_service.isoformat()))
    codes = tuple(sorted({line.code for line in lines}))
    needs = context.payer_needs(payer.pk, appointment_type_id, codes)
    if needs.referral and not claim.referral_number:
        edits.append(_edit("referral-required", payer=payer.name))
    if needs.prior_auth and not claim.prior_authorization:
        edits.append(_edit("authorization-required", payer=payer.name))
    if claim.sequence > 1 and not claim.prior_payers:
        edits.append(_edit("earlier-payer-missing"))
    if duplicate_of:
        edits.append(_edit("duplicate-claim", other=duplicate_of))
    return edits


def find_duplicate(claim: Claim, codes: list[str]) -> str | None:
    """Another live claim (of another visit) of the patient to the payer, same date, same procedure codes."""
    others = (Claim.objects.filter(patient_id=claim.patient_id, payer_id=claim.payer_id,
                                   date_of_service=claim.date_of_service, sequence=claim.sequence)
              .exclude(pk=claim.pk).exclude(superbill_id=claim.superbill_id).exclude(status__in=LIVE_EXCLUDED)
              .prefetch_related("lines"))
    return duplicate_among(((other.claim_number, [line.code for line in other.lines.all()]) for other in others),
                           codes)


def duplicate_among(others: Iterable[tuple[str, list[str]]], codes: list[str]) -> str | None:
    """The claim number of the first of `others` (newest first) billing the same procedure codes."""
    wanted = sorted(codes)
    for number, other_codes in others:
        if sorted(other_codes) == wanted:
            return number
    return None
