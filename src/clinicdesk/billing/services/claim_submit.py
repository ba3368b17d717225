"""Sending claims (#19 item 4): every ready claim in one 837P (005010X222A1) interchange, through the
clearinghouse's batch channel (insurance's `claim_batch_send`: SFTP or the local drop folder) or written to a
folder given by the caller (`clinicdesk claims submit --to-dir DIR`). The batch row keeps the interchange's
control number, which the 999 names; each claim keeps the transaction set (ST02) it went in.

Only ready claims are sent: a held one (the scrubber found something) never is. The file is sent before the
transaction commits: when the transport fails nothing is marked sent."""

from __future__ import annotations

import dataclasses
import datetime as dt
from decimal import Decimal
from pathlib import Path
from typing import Any

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import Max
from django.utils.translation import gettext as _

from clinicdesk.audit.services import atomic_service, record, record_many
from clinicdesk.core import clock
from clinicdesk.core.exceptions import Conflict, ValidationFailed
from clinicdesk.core.permissions import Actor, Perm, has_perm, require, staff_user
from clinicdesk.insurance.services import claim_exchange
from clinicdesk.insurance.services.claim_exchange import X12Error, e837p
from clinicdesk.patients.models import Coverage, PayerKind, SubscriberRelationship
from clinicdesk.practice import selectors as practice_selectors

from ..models import Claim, ClaimBatch, ClaimEvent, ClaimStatus

_SEX = {"female": "F", "male": "M"}
_PAT = {SubscriberRelationship.SPOUSE: "01", SubscriberRelationship.CHILD: "19", SubscriberRelationship.OTHER: "G8"}
_FILING = {PayerKind.MEDICARE: "MB", PayerKind.MEDICAID: "MC", PayerKind.MILITARY: "CH",
           PayerKind.MEDICARE_ADVANTAGE: "16", PayerKind.COMMERCIAL: "CI"}
_RESPONSIBILITY = {1: "P", 2: "S", 3: "T"}


@dataclasses.dataclass
class SubmitReport:
    batch: ClaimBatch | None = None
    file_name: str = ""
    channel: str = ""
    claims: list[Claim] = dataclasses.field(default_factory=list)
    text: str = ""

    @property
    def total(self) -> Decimal:
        return sum((c.total_charge for c in self.claims), Decimal("0.00"))


def _address(owner: Any) -> e837p.Address | None:
    if not owner.address_line:
        return None
    return e837p.Address(owner.address_line, owner.city, owner.state, owner.postal_code,
                         getattr(owner, "address_line2", "") or "")


def _payer(payer: Any) -> e837p.Payer:
    return e837p.Payer(payer.name, payer.payer_code, _FILING.get(payer.kind, "ZZ"))


def _subscriber(coverage: Coverage, patient: Any, sequence: int) -> e837p.Subscriber:
    if coverage.relationship == SubscriberRelationship.SELF:
        person = e837p.Person(patient.family_name, patient.given_name, patient.birth_date,
                              _SEX.get(patient.sex, "U"), _address(patient), coverage.member_id)
    else:
        person = e837p.Person(coverage.subscriber_family_name, coverage.subscriber_given_name,
                              coverage.subscriber_birth_date, _SEX.get(coverage.subscriber_sex, "U"),
                              _address(patient), coverage.member_id)
    return e837p.Subscriber(person, _payer(coverage.payer), coverage.group_number,
                            _RESPONSIBILITY.get(sequence, "P"))


def _provider(practitioner: Any) -> e837p.Provider:
    return e837p.Provider(practitioner.last_name, practitioner.first_name, practitioner.npi)


def _billing_provider(location: Any, organization: Any) -> e837p.BillingProvider:
    return e837p.BillingProvider(organization.name, organization.npi, organization.tax_id,
                                 e837p.Address(location.address_line, location.city, location.state,
                                               location.postal_code))


def submitter(organization: Any, location: Any) -> e837p.Submitter:
    return e837p.Submitter(organization.name, settings.CLEARINGHOUSE_SENDER_ID, _("Billing office"),
                           organization.phone or location.phone, "CLEARINGHOUSE", settings.CLEARINGHOUSE_RECEIVER_ID,
                           usage=settings.CLEARINGHOUSE_USAGE)


def _to_x12(claim: Claim, organization: Any, coverages: dict[int, Coverage] | None = None) -> e837p.Claim:
    """The claim as the pure 837P writer takes it."""
    patient, coverage = claim.patient, claim.coverage
    subscriber = _subscriber(coverage, patient, claim.sequence)
    dependent = None
    if coverage.relationship != SubscriberRelationship.SELF:
        dependent = e837p.Person(patient.family_name, patient.given_name, patient.birth_date,
                                 _SEX.get(patient.sex, "U"), _address(patient))
    lines = list(claim.lines.all())
    rendering = _provider(lines[0].rendering) if lines else None
    x12_lines = [e837p.ClaimLine(line.code, line.charge, Decimal(line.units), line.modifier_list,
                                 tuple(line.pointers), place_of_service=line.place_of_service,
                                 rendering=None if rendering and line.rendering.npi == rendering.npi
                                 else _provider(line.rendering))
                 for line in lines]
    others = []
    for prior in claim.prior_payers:
        other_coverage = (coverages or {}).get(prior.get("coverage")) or \
            Coverage.objects.select_related("payer").filter(pk=prior.get("coverage")).first()
        if other_coverage is None:
            continue
        paid_date = dt.date.fromisoformat(prior["date"]) if prior.get("date") else None
        others.append(e837p.OtherPayer(
            subscriber=_subscriber(other_coverage, patient, int(prior.get("sequence", 1))),
            paid=Decimal(prior["paid"]), relationship="18" if other_coverage.relationship == "self" else "G8",
            adjustments=[e837p.Adjustment(a["group"], a["reason"], Decimal(a["amount"]))
                         for a in prior.get("adjustments", [])],
            paid_date=paid_date))
    return e837p.Claim(claim_id=claim.claim_number, subscriber=subscriber, diagnoses=list(claim.diagnoses),
                       lines=x12_lines, service_date=claim.date_of_service,
                       billing=_billing_provider(claim.location, organization), patient=dependent,
                       relationship=_PAT.get(coverage.relationship, "G8"), place_of_service=claim.place_of_service,
                       frequency=claim.frequency, payer_claim_number=claim.payer_claim_number, rendering=rendering,
                       referral_number=claim.referral_number, prior_authorization=claim.prior_authorization,
                       other_payers=others)


def _ready_claims(actor: Actor) -> list[Claim]:
    rows = (Claim.objects.filter(status=ClaimStatus.READY)
            .select_related("patient", "coverage__payer", "payer", "location")
            .prefetch_related("lines__rendering").order_by("pk"))
    claims = list(rows.select_for_update(of=("self",)))
    allowed: dict[int, bool] = {}
    return [c for c in claims
            if allowed.setdefault(c.location_id, has_perm(actor, Perm.BILLING_WRITE, location=c.location_id))]


@atomic_service
def claims_submit(*, actor: Actor, to_dir: str | Path | None = None) -> SubmitReport:
    """Send every ready claim the actor may bill (one interchange); returns what was sent (no claims: empty)."""
    require(actor, Perm.BILLING_WRITE)
    report = SubmitReport()
    claims = _ready_claims(actor)
    if not claims:
        return report
    organization = practice_selectors.organization_current()
    if organization is None:
        raise ValidationFailed("no-organization", _("Set up the practice before sending claims."))
    created = clock.now()
    number = ((ClaimBatch.objects.aggregate(m=Max("control_number"))["m"] or 0) + 1) % 10**9 or 1
    try:
        with transaction.atomic():
            batch = ClaimBatch.objects.create(control_number=number, reference=f"{number:09d}", file_name="",
                                              channel="", created_at=created, created_by=staff_user(actor))
    except IntegrityError as exc:
        raise Conflict("batch-running", _("Another submission is running: try again in a minute.")) from exc
    coverages = {c.pk: c for c in Coverage.objects.select_related("payer").filter(
        pk__in={p.get("coverage") for c in claims for p in c.prior_payers})}
    try:
        text = e837p.build([_to_x12(c, organization, coverages) for c in claims],
                           submitter=submitter(organization, claims[0].location), control_number=number,
                           created=created.replace(tzinfo=None), reference=batch.reference)
    except X12Error as error:
        raise ValidationFailed("claim-not-writable", str(error)) from error
    name = f"837P-{created.strftime('%Y%m%d%H%M%S')}-{number:09d}.x12"
    if to_dir is not None:
        folder = Path(to_dir)
        folder.mkdir(parents=True, exist_ok=True)
        (folder / name).write_text(text, encoding="ascii")
        channel = "directory"
    else:
        channel = claim_exchange.claim_batch_send(name, text)
    batch.file_name, batch.channel = name, channel
    batch.claim_count = len(claims)
    batch.total_charge = sum((c.total_charge for c in claims), Decimal("0.00"))
    batch.save(update_fields=["file_name", "channel", "claim_count", "total_charge"])
    per_set = e837p.MAX_CLAIMS_PER_TRANSACTION
    events = []
    sets: dict[str, list[int]] = {}
    for index, claim in enumerate(claims):
        claim.batch_set = f"{index // per_set + 1:04d}"
        sets.setdefault(claim.batch_set, []).append(claim.pk)
        events.append(ClaimEvent(claim=claim, from_status=claim.status, to_status=ClaimStatus.SUBMITTED,
                                 source="submit", note=name, at=created, by=staff_user(actor)))
        claim.status, claim.batch, claim.submitted_at, claim.updated_at = (ClaimStatus.SUBMITTED, batch, created,
                                                                           created)
    ClaimEvent.objects.bulk_create(events, batch_size=2000)
    for batch_set, ids in sets.items():  # every claim of a transaction set moves alike: one UPDATE a set
        for start in range(0, len(ids), 2000):
            Claim.objects.filter(pk__in=ids[start:start + 2000]).update(
                status=ClaimStatus.SUBMITTED, batch=batch, batch_set=batch_set, submitted_at=created,
                updated_at=created)
    record_many(actor, "claim.submit", [(claim, claim.patient_id, {"batch": batch.pk}) for claim in claims])
    record(actor, "claim.batch_send", batch, detail={"claims": len(claims), "channel": channel, "file": name})
    report.batch, report.file_name, report.channel, report.claims, report.text = batch, name, channel, claims, text
    return report
