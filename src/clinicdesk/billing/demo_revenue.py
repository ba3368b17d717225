"""The demo practice's revenue history (#19 item 12): the demo builder calls `revenue_demo` after `coding_demo`.

Insured visits of the last months are coded (diagnoses from the ICD-10-CM code set, lines from the fee schedule)
and posted (most patients paid their co-pay at the desk as they left: `demo.desk_copay`), billed, sent to the
clearinghouse (the folder channel) and answered as a payer would answer: a 999 per batch, a 277CA accepting most
claims and rejecting a few with their reasons, then an 835 per payer posted through the remittance service
(payments, CO contractual write-offs, PR patient shares, a denial with its CARC code, a partly paid claim, one PLB).
The latest claims are still waiting (sent, accepted, ready), and the scrubber holds what a payer would refuse (a
payer with no electronic claims). Every step runs at the moment a biller would have done it (the clock is set to
that moment), so the ledger's insurance payments fall month by month and the budget page's insurance collections
are the ledger's.

Only services and the made-up payer answers of `insurance.x12.fakeremit` are used: no row is written directly.
Deterministic from the seed (claim numbers come from the database's ids).
"""

from __future__ import annotations

import datetime as dt
import random
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal
from functools import partial
from pathlib import Path
from typing import Any

from clinicdesk.core import clock
from clinicdesk.core.exceptions import Conflict, InvalidTransition, ValidationFailed
from clinicdesk.core.permissions import Perm, SystemActor
from clinicdesk.insurance.x12 import fakeremit
from clinicdesk.insurance.x12.e835 import Adjustment, ClaimPayment, ProviderAdjustment, ServicePayment
from clinicdesk.patients.models import Coverage
from clinicdesk.practice.selectors import organization_current
from clinicdesk.practice.services import organization_update
from clinicdesk.scheduling.models import Appointment, AppointmentStatus

from . import services
from .demo import CASES, CODER, desk_copay
from .models import Claim, ClaimStatus, Superbill

BILLER = SystemActor("demo-biller", frozenset({Perm.BILLING_WRITE, Perm.BILLING_READ, Perm.CHARGE_CAPTURE,
                                               Perm.PATIENT_READ}))
ADMIN = SystemActor("demo", frozenset({Perm.PRACTICE_ADMIN}))
TAX_ID = "04-3187652"  # the practice's EIN, entered before the first claim (without it every claim is held)
CENT = Decimal("0.01")
ZERO = Decimal("0.00")
# CARC codes of the denials, with the remark the payer adds
DENIALS = (("50", "N115"), ("197", "N54"), ("29", ""), ("96", "N130"))


@dataclass
class RevenueReport:
    visits: int = 0
    claims: int = 0
    batches: int = 0
    remittances: int = 0
    statuses: dict[str, int] = field(default_factory=dict)
    patient_billing: dict[str, int] = field(default_factory=dict)


def _ascii(text: str) -> str:
    folded = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii")
    return "".join(c for c in folded if c not in "*~:^>").upper()[:35]


def _money(value: Decimal) -> Decimal:
    return value.quantize(CENT)


class _Timeline:
    """Steps run in the order of their moments, each with the clock at its moment."""

    def __init__(self) -> None:
        self.steps: list[tuple[dt.datetime, int, Callable[[], None]]] = []

    def at(self, moment: dt.datetime, step: Callable[[], None]) -> None:
        self.steps.append((moment, len(self.steps), step))

    def run(self) -> None:
        for moment, _n, step in sorted(self.steps, key=lambda s: (s[0], s[1])):
            with clock.frozen_at(moment):
                step()


def _insured_visits(rng: random.Random, now: dt.datetime, days: int,
                    limit: int) -> list[tuple[Appointment, Coverage]]:
    """(visit, primary coverage) for a sample of the fulfilled, not yet coded, insured visits."""
    visits = list(Appointment.objects.filter(status=AppointmentStatus.FULFILLED,
                                             start__gte=now - dt.timedelta(days=days),
                                             end__lte=now - dt.timedelta(hours=20))
                  .exclude(pk__in=Superbill.objects.values("appointment_id"))
                  .select_related("location", "practitioner").order_by("start", "pk"))
    coverages: dict[int, list[Coverage]] = {}
    for coverage in Coverage.objects.filter(patient_id__in={v.patient_id for v in visits}, order=1).order_by("pk"):
        coverages.setdefault(coverage.patient_id, []).append(coverage)
    insured = []
    for visit in visits:
        day = visit.start.astimezone(visit.location.tz).date()
        active = [c for c in coverages.get(visit.patient_id, []) if c.is_active_on(day)]
        if active:
            insured.append((visit, active[-1]))
    if len(insured) > limit:
        insured = sorted(rng.sample(insured, limit), key=lambda v: (v[0].start, v[0].pk))
    return insured


def _code(visit: Appointment, rng: random.Random, multi: bool) -> int | None:
    """Code and post the visit's superbill (as the coder, through the charge capture services)."""
    cases = [c for c in CASES if c[1]] if multi else CASES
    diagnoses, extra = rng.choice(cases)
    superbill = services.superbill_open(actor=CODER, appointment_id=visit.pk)
    pointers = tuple(range(1, len(diagnoses) + 1))[:4]
    lines = [services.LineInput(line.code, line.modifiers, line.units, pointers, line.place_of_service,
                                line.rendering_id) for line in superbill.lines.all()]
    place = lines[0].place_of_service if lines else "11"
    lines += [services.LineInput(code, "", 1, (1,), place, visit.practitioner_id) for code in extra]
    if not lines:
        return None
    services.superbill_save(actor=CODER, superbill_id=superbill.pk, diagnoses=list(diagnoses), lines=lines)
    services.superbill_post(actor=CODER, superbill_id=superbill.pk)
    return superbill.pk


def _patient(claim: Claim) -> dict[str, str]:
    return {"family_name": _ascii(claim.patient.family_name), "given_name": _ascii(claim.patient.given_name),
            "member_id": _ascii(claim.coverage.member_id) or "W1"}


def _payment(claim: Claim, fate: str, rng: random.Random) -> ClaimPayment:
    """The payer's answer to one claim: paid (CO 45 above the allowed amount, the patient's co-pay or
    co-insurance as PR), partly paid (a line bundled: CO 97) or denied (CLP02 4 with a CARC)."""
    lines = list(claim.lines.order_by("position"))
    number = f"{claim.payer.payer_code[:4]}{claim.pk:08d}"
    day = claim.date_of_service
    if fate == "denied":
        reason, remark = rng.choice(DENIALS)
        return ClaimPayment(claim_id=claim.claim_number, status="4", charge=claim.total_charge, paid=ZERO,
                            patient_responsibility=ZERO, payer_claim_number=number, patient=_patient(claim),
                            adjustments=[Adjustment("CO", reason, claim.total_charge)],
                            remarks=[remark] if remark else [])
    share = Decimal(str(rng.choice((0.62, 0.68, 0.72, 0.78, 0.8))))
    copay = Decimal(claim.coverage.copay_primary or 0)
    coinsurance = copay == 0 and rng.random() < 0.5
    services_paid: list[ServicePayment] = []
    for n, line in enumerate(lines):
        charge = line.charge
        if fate == "partly-paid" and n == len(lines) - 1 and n > 0:
            services_paid.append(ServicePayment(
                code=f"HC:{line.code}", procedure=line.code, modifiers=[], charge=charge, paid=ZERO, units=Decimal(1),
                service_date=day, allowed=ZERO, adjustments=[Adjustment("CO", "97", charge)], remarks=["M15"]))
            continue
        allowed = _money(charge * share)
        patient = ZERO
        group_reason = ("PR", "3")
        if n == 0 and copay:
            patient = min(copay, allowed)
        elif coinsurance:
            patient, group_reason = _money(allowed * Decimal("0.2")), ("PR", "2")
        adjustments = [Adjustment("CO", "45", charge - allowed)] if charge > allowed else []
        if patient:
            adjustments.append(Adjustment(*group_reason, patient))
        services_paid.append(ServicePayment(
            code=f"HC:{line.code}", procedure=line.code, modifiers=[], charge=charge, paid=allowed - patient,
            units=Decimal(line.units), service_date=day, allowed=allowed, adjustments=adjustments))
    paid = sum((s.paid for s in services_paid), ZERO)
    patient_share = sum((a.amount for s in services_paid for a in s.adjustments if a.group == "PR"), ZERO)
    return ClaimPayment(claim_id=claim.claim_number, status="1", charge=claim.total_charge, paid=paid,
                        patient_responsibility=patient_share, payer_claim_number=number, patient=_patient(claim),
                        services=services_paid)


class _Revenue:
    def __init__(self, seed: int, outbox: str | Path | None) -> None:
        self.rng = random.Random(seed * 104729 + 12)
        self.desk_rng = random.Random(seed * 7919 + 7)  # the co-pays' own draws: the payers answer as before
        self.outbox = outbox
        self.report = RevenueReport()
        self.control = 0
        self.plb_done = False
        self.denied = self.partly = 0

    def _control(self) -> int:
        self.control += 1
        return self.control

    def _read(self, name: str, text: str) -> None:
        services.answer_file_read(actor=BILLER, name=name, data=text.encode("ascii"))

    def copay(self, visit: Appointment, coverage: Coverage) -> None:
        desk_copay(visit, coverage.copay_primary, self.desk_rng)

    def code(self, visit: Appointment, out: list[int], multi: bool) -> None:
        made = _code(visit, self.rng, multi and self.rng.random() < 0.4)
        if made is not None:
            out.append(made)

    def build(self, superbill_ids: list[int]) -> None:
        claims = services.claims_build_posted(actor=BILLER, superbill_ids=superbill_ids, today=clock.now().date())
        self.report.claims += len(claims.built)

    def send_half(self, coded: list[int], rest: list[int], sent: list[int]) -> None:
        half = coded[: max(1, len(coded) // 2)]
        rest.extend(coded[len(half):])
        self.send(half, sent, resend=False)  # the latest rejections are still on the biller's worklist

    def send(self, superbill_ids: list[int], sent: list[int], *, resend: bool = True) -> None:
        """Bill the visits and send every ready claim in one batch; `resend`: with the claims the clearinghouse
        rejected since the last batch, corrected by the biller and scrubbed again."""
        if resend:
            for claim_id in Claim.objects.filter(status=ClaimStatus.REJECTED).order_by("pk").values_list("pk",
                                                                                                     flat=True):
                services.claim_scrub(actor=BILLER, claim_id=claim_id)
        self.build(superbill_ids)
        report = services.claims_submit(actor=BILLER, to_dir=self.outbox)
        if report.batch is not None:
            self.report.batches += 1
            sent.extend(c.pk for c in report.claims)

    def acknowledge(self, sent: list[int]) -> None:
        """The clearinghouse's 999 (every set accepted) and the payers' 277CA (most accepted, a few rejected)."""
        claims = list(Claim.objects.filter(pk__in=sent).select_related("batch", "patient", "coverage__payer", "payer")
                      .order_by("pk"))
        if not claims:
            return
        now = clock.now().astimezone(dt.UTC).replace(tzinfo=None)
        for batch in {c.batch for c in claims if c.batch is not None}:
            sets = sorted({c.batch_set for c in claims if c.batch_id == batch.pk})
            self._read(f"999-{batch.reference}.x12", fakeremit.acknowledgement_999(
                [fakeremit.SetAnswer(s) for s in sets], group_control_number=str(batch.control_number),
                control_number=self._control(), created=now))
        answers = []
        for n, claim in enumerate(claims):
            patient = _patient(claim)
            common: dict[str, Any] = {"family_name": patient["family_name"], "given_name": patient["given_name"],
                                      "member_id": patient["member_id"], "service_date": claim.date_of_service}
            if n == 1 or self.rng.random() < 0.05:
                category, status, entity = self.rng.choice((("A7", "164", "IL"), ("A6", "21", ""),
                                                             ("A7", "562", "85")))
                answers.append(fakeremit.ClaimAnswer(claim.claim_number, claim.total_charge, category=category,
                                                     status=status, entity=entity, **common))
            else:
                answers.append(fakeremit.ClaimAnswer(
                    claim.claim_number, claim.total_charge,
                    payer_claim_number=f"{claim.payer.payer_code[:4]}{claim.pk:08d}", **common))
        reference = claims[0].batch.reference if claims[0].batch else "000000001"
        self._read(f"277CA-{reference}.x12", fakeremit.claim_acknowledgement_277ca(
            answers, batch_reference=reference, control_number=self._control(), created=now))

    def remit(self, sent: list[int]) -> None:
        """One 835 per payer for the accepted claims: paid, partly paid or denied; the first carries a PLB."""
        claims = list(Claim.objects.filter(pk__in=sent, status=ClaimStatus.ACCEPTED)
                      .select_related("patient", "coverage", "payer").prefetch_related("lines").order_by("pk"))
        organization = organization_current()
        npi = organization.npi if organization else "1234567893"
        now = clock.now().astimezone(dt.UTC).replace(tzinfo=None)
        by_payer: dict[int, list[Claim]] = {}
        for claim in claims:
            by_payer.setdefault(claim.payer_id, []).append(claim)
        for payer_claims in by_payer.values():
            payer = payer_claims[0].payer
            payments = []
            for claim in payer_claims:
                several = claim.lines.count() > 1
                if not self.denied or self.rng.random() < 0.07:
                    fate = "denied"
                    self.denied += 1
                elif several and (not self.partly or self.rng.random() < 0.12):
                    fate = "partly-paid"
                    self.partly += 1
                else:
                    fate = "paid"
                payments.append(_payment(claim, fate, self.rng))
            plb: list[ProviderAdjustment] = []
            if not self.plb_done and any(p.paid for p in payments):
                plb = [ProviderAdjustment(npi, now.date(), "L6", f"INT{now:%m%d}", Decimal("-4.35"))]
                self.plb_done = True
            number = self._control()
            parties = fakeremit.Parties(payer_name=_ascii(payer.name), payer_id=payer.payer_code,
                                        payee_name=_ascii(organization.name if organization else "PRACTICE"),
                                        payee_npi=npi)
            text = fakeremit.remittance(payments, provider_adjustments=plb, check_number=f"EFT{now:%Y%m%d}{number:04d}",
                                        parties=parties, control_number=number, created=now)
            self._read(f"835-{payer.payer_code}-{now:%Y%m%d}.x12", text)
            self.report.remittances += 1


def _patient_billing(report: RevenueReport) -> None:
    """What the patients owe after their payers answered: statements for a few, a payment plan, a dispute (each
    through its service; one a patient, since a statement is refused while a plan or a dispute is open)."""
    from clinicdesk.portal.services.plans import staff_plan_create  # the portal's plans build on billing's services

    today = clock.now().date()
    owing = list(Claim.objects.filter(status__in=(ClaimStatus.PAID, ClaimStatus.PARTLY_PAID),
                                      patient_responsibility__gt=0)
                 .order_by("-patient_responsibility", "pk").values_list("patient_id", flat=True).distinct())
    patients = list(dict.fromkeys(owing))
    steps: list[tuple[str, Callable[[int], object]]] = [
        ("plan", lambda pk: staff_plan_create(actor=BILLER, patient_id=pk, instalments=3,
                                              first_due=today + dt.timedelta(days=14))),
        ("dispute", lambda pk: services.dispute_open(
            actor=BILLER, patient_id=pk, reason="The patient says the plan covers this visit in full.")),
    ] + [("statement", lambda pk: services.statement_create(actor=BILLER, patient_id=pk))] * 4
    for patient_id in patients:
        if not steps:
            break
        kind, step = steps[0]
        try:
            step(patient_id)
        except (ValidationFailed, Conflict, InvalidTransition):
            continue
        steps.pop(0)
        report.patient_billing[kind] = report.patient_billing.get(kind, 0) + 1


def revenue_demo(*, seed: int = 1, days: int = 90, visits: int = 36, chunks: int = 5,
                 outbox: str | Path | None = None) -> RevenueReport:
    """Code, bill, send and get paid for a sample of `visits` insured visits of the last `days` days. `outbox`:
    a folder for the 837P batches (default: the clearinghouse channel, the local drop folder)."""
    now = clock.now()
    state = _Revenue(seed, outbox)
    rng = state.rng
    organization = organization_current()
    if organization is not None and not organization.tax_id:
        organization_update(actor=ADMIN, tax_id=TAX_ID)
    chosen = _insured_visits(rng, now, days, visits)
    state.report.visits = len(chosen)
    if not chosen:
        return state.report
    chunks = max(1, min(chunks, len(chosen) // 4 or 1))
    size = -(-len(chosen) // chunks)
    groups = [chosen[i:i + size] for i in range(0, len(chosen), size)]
    timeline = _Timeline()
    latest = now - dt.timedelta(minutes=40)
    previous_send = now - dt.timedelta(days=days + 30)
    for index, group in enumerate(groups):
        coded: list[int] = []
        multi = index < len(groups) - 2  # the visits the payers answer: some with several lines
        for visit, coverage in group:
            timeline.at(min(visit.end, latest), partial(state.copay, visit, coverage))
            timeline.at(min(visit.end + dt.timedelta(hours=3), latest), partial(state.code, visit, coded, multi))
        last_visit = max(v.end for v, _p in group)
        send_at = max(min(last_visit + dt.timedelta(days=1, hours=2), latest), previous_send + dt.timedelta(minutes=1))
        previous_send = send_at
        sent: list[int] = []
        if index == len(groups) - 1:  # the latest visits: half sent (no answer yet), half billed after (ready)
            rest: list[int] = []
            timeline.at(send_at, partial(state.send_half, coded, rest, sent))
            timeline.at(now - dt.timedelta(minutes=5), partial(state.build, rest))
            continue
        timeline.at(send_at, partial(state.send, coded, sent))
        ack_at = min(send_at + dt.timedelta(days=1), now - dt.timedelta(minutes=30))
        timeline.at(ack_at, partial(state.acknowledge, sent))
        if index < len(groups) - 2:
            era_at = min(send_at + dt.timedelta(days=rng.randrange(7, 15)), now - dt.timedelta(minutes=20))
            timeline.at(era_at, partial(state.remit, sent))
    timeline.run()
    _patient_billing(state.report)
    counts: dict[str, int] = {}
    for status in Claim.objects.values_list("status", flat=True):
        counts[status] = counts.get(status, 0) + 1
    state.report.statuses = counts
    return state.report
