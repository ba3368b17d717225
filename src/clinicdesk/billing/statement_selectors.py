"""Reads for statements, holds, credit refunds and disputes (#19 items 8-9); patient data reads are audited."""

from __future__ import annotations

import dataclasses
from decimal import Decimal
from typing import Any

from django.db.models import Sum

from clinicdesk.audit.services import atomic_service, record
from clinicdesk.core import clock
from clinicdesk.core.exceptions import NotFound
from clinicdesk.core.permissions import Actor, Perm, require
from clinicdesk.patients import selectors as patient_selectors
from clinicdesk.patients.models import Patient
from clinicdesk.patients.visibility import location_filter

from . import hooks
from .models import (
    CollectionsHold,
    CreditRefund,
    Dispute,
    DisputeStatus,
    EntryKind,
    LedgerEntry,
    RefundStatus,
    Statement,
    StatementDelivery,
)
from .pending_insurance import pending_claims, split

ZERO = Decimal("0.00")


@dataclasses.dataclass
class BalancePage:
    patient: Patient
    balance: Decimal
    statements: list[Statement]
    hold: CollectionsHold | None
    holds: list[CollectionsHold]
    refunds: list[CreditRefund]
    disputes: list[Dispute]
    charges: list[LedgerEntry]  # charges that stand, to dispute
    plans: list[dict[str, Any]]
    pending: Decimal = ZERO  # of the balance, pending with insurance (claims not yet answered): not due now

    @property
    def due(self) -> Decimal:
        """What the patient owes now: the balance less what is pending with insurance."""
        return max(self.balance - self.pending, ZERO) if self.balance > 0 else self.balance

    @property
    def credit(self) -> Decimal:
        return max(-self.balance, ZERO)

    @property
    def refundable(self) -> Decimal:
        """The credit not yet asked for (refunds waiting for approval already hold part of it)."""
        waiting = sum((r.amount for r in self.refunds if r.status == "requested"), ZERO)
        return max(self.credit - waiting, ZERO)

    @property
    def open_dispute(self) -> Dispute | None:
        return next((d for d in self.disputes if d.status == DisputeStatus.OPEN), None)


def _patient(actor: Actor, patient_id: int) -> Patient:
    require(actor, Perm.BILLING_READ, resource_type="patient", resource_id=patient_id, patient_id=patient_id)
    return patient_selectors.patient_in_reach(actor, patient_id, perm=(Perm.FRONTDESK, Perm.BILLING_READ),
                                              record=True, related=("home_location",))


@atomic_service
def balance_page(*, actor: Actor, patient_id: int) -> BalancePage:
    """A patient's balance, statements, hold, refunds, disputes and payment plans."""
    patient = _patient(actor, patient_id)
    balance = (LedgerEntry.objects.filter(patient=patient).aggregate(t=Sum("amount"))["t"] or ZERO)
    holds = list(CollectionsHold.objects.filter(patient=patient).select_related("placed_by", "released_by"))
    charges = list(LedgerEntry.objects.filter(patient=patient, kind=EntryKind.CHARGE, reversed_by__isnull=True)
                   .order_by("-created_at", "-pk")[:50])
    page = BalancePage(
        patient, Decimal(balance).quantize(Decimal("0.01")),
        list(Statement.objects.filter(patient=patient).select_related("created_by")[:24]),
        next((h for h in holds if h.released_at is None), None), holds,
        list(CreditRefund.objects.filter(patient=patient).select_related("requested_by", "decided_by")[:20]),
        list(Dispute.objects.filter(patient=patient).select_related("entry").order_by("-opened_at", "-pk")[:20]),
        charges, hooks.plans_of(patient.pk))
    if page.balance > 0:
        tz = patient.home_location.tz
        waiting = pending_claims(as_of=clock.today_in(tz), tz=tz, patient_ids=[patient.pk]).get(patient.pk)
        if waiting:
            page.pending = sum((sum(amounts, ZERO) for amounts in split([page.balance], waiting)[1].values()), ZERO)
    record(actor, "balance.read", patient, patient=patient)
    return page


@atomic_service
def statement_file(*, actor: Actor, statement_id: int) -> tuple[Statement, Any]:
    require(actor, Perm.BILLING_READ)
    statement = Statement.objects.filter(pk=statement_id).first()
    if statement is None:
        raise NotFound()
    require(actor, Perm.BILLING_READ, location=statement.location_id, hide=True, resource_type="statement",
            resource_id=statement.pk, patient_id=statement.patient_id)
    _document, handle = patient_selectors.document_open(actor=actor, document_id=statement.document_id)
    return statement, handle


@atomic_service
def dispute_letter_file(*, actor: Actor, dispute_id: int) -> tuple[Dispute, Any]:
    require(actor, Perm.BILLING_READ)
    dispute = Dispute.objects.filter(pk=dispute_id, document__isnull=False).first()
    if dispute is None or dispute.document_id is None:
        raise NotFound()
    require(actor, Perm.BILLING_READ, location=dispute.location_id, hide=True, resource_type="dispute",
            resource_id=dispute.pk, patient_id=dispute.patient_id)
    _document, handle = patient_selectors.document_open(actor=actor, document_id=dispute.document_id)
    return dispute, handle


@atomic_service
def print_queue(*, actor: Actor, limit: int = 200) -> list[Statement]:
    """Statements to print and mail (no e-mail address or consent), not yet marked printed."""
    require(actor, Perm.BILLING_READ)
    rows = list(Statement.objects.filter(location_filter(actor, prefix="patient__"),
                                         delivery=StatementDelivery.PRINT, printed_at__isnull=True)
                .select_related("patient").order_by("statement_date", "pk")[:limit])
    if rows:
        record(actor, "statement.list", resource_type="statement", resource_id="", detail={"count": len(rows)})
    return rows


@atomic_service
def disputes_worklist(*, actor: Actor, status: str = DisputeStatus.OPEN, limit: int = 200) -> list[Dispute]:
    require(actor, Perm.BILLING_READ)
    rows = Dispute.objects.filter(location_filter(actor, prefix="patient__")).select_related("patient", "entry")
    if status:
        rows = rows.filter(status=status)
    found = list(rows.order_by("due_on", "pk")[:limit])
    if found:
        record(actor, "dispute.list", resource_type="dispute", resource_id="", detail={"count": len(found)})
    return found


@atomic_service
def dispute_detail(*, actor: Actor, dispute_id: int) -> Dispute:
    require(actor, Perm.BILLING_READ)
    dispute = Dispute.objects.select_related("patient", "entry", "location", "opened_by", "closed_by").filter(
        pk=dispute_id).first()
    if dispute is None:
        raise NotFound()
    require(actor, Perm.BILLING_READ, location=dispute.location_id, hide=True, resource_type="dispute",
            resource_id=dispute.pk, patient_id=dispute.patient_id)
    record(actor, "dispute.read", dispute, patient=dispute.patient_id)
    return dispute


@atomic_service
def refunds_waiting(*, actor: Actor, limit: int = 200) -> list[CreditRefund]:
    require(actor, Perm.BILLING_READ)
    found = list(CreditRefund.objects.filter(location_filter(actor, prefix="patient__"),
                                             status=RefundStatus.REQUESTED)
                 .select_related("patient", "requested_by").order_by("requested_at", "pk")[:limit])
    if found:
        record(actor, "refund.list", resource_type="creditrefund", resource_id="", detail={"count": len(found)})
    return found


@dataclasses.dataclass
class RefundRequest:
    """A credit refund waiting for approval, with the patient's credit now (less the other requests waiting)."""

    refund: CreditRefund
    credit: Decimal  # what the practice owes the patient back now

    @property
    def fits(self) -> bool:
        return self.refund.amount <= self.credit


@atomic_service
def refund_approval_queue(*, actor: Actor, limit: int = 200) -> list[RefundRequest]:
    """The approver's queue (billing approve): the credit refunds waiting at the approver's locations, oldest
    first, each with who asked, when and why, and the patient's credit now (a refund larger than it cannot be
    approved). Names of patients: the read is recorded."""
    require(actor, Perm.BILLING_APPROVE)
    found = list(CreditRefund.objects.filter(location_filter(actor, prefix="patient__"),
                                             status=RefundStatus.REQUESTED)
                 .select_related("patient", "requested_by", "location").order_by("requested_at", "pk")[:limit])
    if not found:
        return []
    balances = dict(LedgerEntry.objects.filter(patient_id__in={r.patient_id for r in found}).values("patient_id")
                    .annotate(total=Sum("amount")).values_list("patient_id", "total").order_by())
    record(actor, "refund.list", resource_type="creditrefund", resource_id="",
           detail={"count": len(found), "refunds": [r.pk for r in found],
                   "patients": sorted({r.patient_id for r in found})})
    return [RefundRequest(r, max(-Decimal(balances.get(r.patient_id) or 0), ZERO).quantize(Decimal("0.01")))
            for r in found]


def patient_statements(*, actor: Actor, patient_id: int) -> list[Statement]:
    """The API's list: through the audited page read."""
    return balance_page(actor=actor, patient_id=patient_id).statements
