"""Reads of patient accounts and the end-of-day drawer. Account reads show patient data: audited."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.db.models import Exists, OuterRef, Prefetch, Q, Subquery, Sum

from clinicdesk.audit.services import atomic_service, record
from clinicdesk.core.exceptions import NotFound
from clinicdesk.core.permissions import Actor, Perm, has_perm, require
from clinicdesk.core.timezones import day_span_utc
from clinicdesk.patients import selectors as patient_selectors
from clinicdesk.patients.models import Patient
from clinicdesk.practice.models import Location

from .budget_selectors import collections_by_month  # noqa: F401 - budget actuals (#21), the operations app's way in
from .codesets import IcdCode, icd_search
from .models import (
    DESK_METHODS,
    ContractedAmount,
    EntryKind,
    FeeItem,
    LedgerEntry,
    PaymentMethod,
    Superbill,
    SuperbillDiagnosis,
    SuperbillLine,
    SuperbillStatus,
    UsualCode,
)

ZERO = Decimal("0.00")


def _may_read(actor: Actor, location: Location | int) -> bool:
    return has_perm(actor, Perm.BILLING_READ, location=location) or has_perm(actor, Perm.FRONTDESK,
                                                                              location=location)


@dataclass
class Line:
    entry: LedgerEntry
    balance: Decimal


@dataclass
class Account:
    patient: Patient
    lines: list[Line]
    balance: Decimal

    @property
    def newest_first(self) -> list[Line]:
        return list(reversed(self.lines))


@atomic_service
def patient_account(*, actor: Actor, patient_id: int) -> Account:
    """Every entry of the patient's account in order, with the running balance after each."""
    require(actor, Perm.BILLING_READ, resource_type="patient", resource_id=patient_id, patient_id=patient_id)
    # The ledger is part of the record: patients.visibility decides (a restricted one after breaking the glass).
    patient = patient_selectors.patient_in_reach(actor, patient_id, perm=(Perm.FRONTDESK, Perm.BILLING_READ),
                                                 record=True, related=("home_location",))
    entries = list(LedgerEntry.objects.filter(patient=patient).select_related(
        "created_by", "location", "reversed_by", "reverses").order_by("created_at", "pk"))
    running = ZERO
    lines = []
    for entry in entries:
        running += entry.amount
        lines.append(Line(entry, running))
    record(actor, "account.read", patient, patient=patient)
    return Account(patient, lines, running)


@atomic_service
def ledger_entry(*, actor: Actor, entry_id: int) -> LedgerEntry:
    entry = LedgerEntry.objects.select_related("patient", "location", "created_by").filter(pk=entry_id).first()
    if entry is None:
        raise NotFound()
    if not _may_read(actor, entry.location_id):
        require(actor, Perm.BILLING_READ, location=entry.location_id, hide=True, resource_type="ledgerentry",
                resource_id=entry_id, patient_id=entry.patient_id)
    record(actor, "ledger.read", entry, patient=entry.patient_id)
    return entry


def payments_for_appointment(appointment_id: int) -> list[LedgerEntry]:
    """Money taken for one appointment, oldest first (the caller checks permission and audits the read)."""
    return list(LedgerEntry.objects.filter(appointment_id=appointment_id, kind=EntryKind.PAYMENT)
                .order_by("created_at", "pk"))


@dataclass
class DrawerRow:
    user_id: int | None
    user_name: str
    collected: dict[str, Decimal] = field(default_factory=lambda: {str(m): ZERO for m in DESK_METHODS})
    refunded: dict[str, Decimal] = field(default_factory=lambda: {str(m): ZERO for m in DESK_METHODS})
    count: int = 0

    @property
    def net(self) -> dict[str, Decimal]:
        return {m: self.collected[m] - self.refunded[m] for m in self.collected}  # desk methods: online is not here

    @property
    def net_total(self) -> Decimal:
        return sum(self.net.values(), ZERO)

    @property
    def net_by_method(self) -> list[tuple[str, Decimal, Decimal, Decimal]]:
        labels = dict(PaymentMethod.choices)
        return [(str(labels[m]), self.collected[m], self.refunded[m], self.net[m]) for m in self.collected]


@dataclass
class DrawerReport:
    location: Location
    day: dt.date
    rows: list[DrawerRow]
    ledger_total: Decimal  # what the ledger says left patients' accounts as money, independently summed

    @property
    def total(self) -> Decimal:
        return sum((r.net_total for r in self.rows), ZERO)

    @property
    def balances(self) -> bool:
        return self.total == self.ledger_total


def _drawer_of(user_id: int) -> Q:
    return (Q(kind__in=[EntryKind.PAYMENT, EntryKind.REFUND], created_by_id=user_id)
            | Q(kind=EntryKind.REVERSAL, reverses__created_by_id=user_id))


@atomic_service
def drawer_report(*, actor: Actor, location: Location, day: dt.date, user_id: int | None = None) -> DrawerReport:
    """End-of-day cash drawer per user at a location: payments and refunds by method (reversed ones net
    out through their reversals), and the ledger's own sum of money entries to balance against."""
    require(actor, Perm.BILLING_READ, location=location)
    start, end = day_span_utc(day, location.tz)
    money_kinds = [EntryKind.PAYMENT, EntryKind.REFUND]
    entries = LedgerEntry.objects.filter(location=location, created_at__gte=start, created_at__lt=end).filter(
        kind__in=[*money_kinds, EntryKind.REVERSAL], method__in=DESK_METHODS).select_related(
        "created_by", "reverses__created_by")
    if user_id is not None:
        entries = entries.filter(_drawer_of(user_id))
    rows: dict[int | None, DrawerRow] = {}
    for entry in entries.order_by("pk"):
        kind, user = entry.kind, entry.created_by
        if kind == EntryKind.REVERSAL:
            # A reversed payment or refund leaves the drawer of whoever took or gave the money.
            if entry.reverses is None or entry.reverses.kind not in money_kinds:
                continue
            kind, user = entry.reverses.kind, entry.reverses.created_by
        key = user.pk if user else None
        row = rows.get(key)
        if row is None:
            name = (user.get_full_name() or user.get_username()) if user else "system"
            row = rows[key] = DrawerRow(key, name)
        row.count += 1
        if kind == EntryKind.PAYMENT:
            row.collected[entry.method] += -entry.amount
        else:
            row.refunded[entry.method] += entry.amount
    ledger = LedgerEntry.objects.filter(location=location, created_at__gte=start, created_at__lt=end,
                                        method__in=DESK_METHODS).exclude(
        kind__in=[EntryKind.CHARGE, EntryKind.ADJUSTMENT])
    if user_id is not None:
        ledger = ledger.filter(_drawer_of(user_id))
    ledger_total = -(ledger.aggregate(total=Sum("amount"))["total"] or ZERO)
    return DrawerReport(location, day, sorted(rows.values(), key=lambda r: r.user_name), ledger_total)


# --- the fee schedule and the coded visit (#19) -------------------------------------------------------------------


def _require_coder(actor: Actor, location: Location | int | None = None, **hidden: Any) -> None:
    """Those who code visits (charge capture) or read the accounts (billing read) see codes and fees."""
    if has_perm(actor, Perm.CHARGE_CAPTURE, location=location) or has_perm(actor, Perm.BILLING_READ,
                                                                            location=location):
        return
    require(actor, Perm.CHARGE_CAPTURE, location=location, **hidden)


@atomic_service
def fee_schedule_list(*, actor: Actor, on: dt.date | None = None) -> list[FeeItem]:
    """The fee schedule, every period (or only those in effect `on` a day), with payers' contracted amounts."""
    _require_coder(actor)
    rows = FeeItem.objects.prefetch_related(
        Prefetch("contracts", queryset=ContractedAmount.objects.select_related("payer").order_by("payer__name")))
    if on is not None:
        rows = rows.filter(effective_from__lte=on).filter(Q(effective_to__isnull=True) | Q(effective_to__gte=on))
    return list(rows.order_by("code", "modifiers", "effective_from"))


@atomic_service
def fee_item_detail(*, actor: Actor, item_id: int) -> FeeItem:
    _require_coder(actor)
    item = FeeItem.objects.prefetch_related(
        Prefetch("contracts", queryset=ContractedAmount.objects.select_related("payer"))).filter(pk=item_id).first()
    if item is None:
        raise NotFound()
    return item


@atomic_service
def usual_codes_list(*, actor: Actor) -> list[UsualCode]:
    """What each appointment type usually bills, by type."""
    _require_coder(actor)
    return list(UsualCode.objects.select_related("appointment_type").order_by(
        "appointment_type__name", "position", "pk"))


def usual_procedure_codes(type_ids: set[int] | list[int]) -> dict[int, list[str]]:
    """The procedure codes each appointment type usually bills (its superbill defaults), by type id: what a visit
    of that type is expected to be, before it is coded (insurance asks it for payers' per-code rules). No
    permission: practice set-up, no patient data."""
    codes: dict[int, list[str]] = {}
    for type_id, code in UsualCode.objects.filter(appointment_type_id__in=list(type_ids)).order_by(
            "appointment_type_id", "position", "pk").values_list("appointment_type_id", "code"):
        codes.setdefault(type_id, []).append(code)
    return codes


def appointment_type_choices() -> list[tuple[int, str]]:
    from clinicdesk.scheduling.models import AppointmentType

    return [(t.pk, t.local_name) for t in AppointmentType.objects.filter(active=True).order_by("name")]


@atomic_service
def icd10_search(*, actor: Actor, query: str, limit: int = 20) -> list[IcdCode]:
    """ICD-10-CM billable codes for the type-ahead (no patient data: not audited)."""
    _require_coder(actor)
    return icd_search(query[:100], limit=max(1, min(limit, 50)))


@dataclass
class CodingRow:
    appointment: Any
    superbill_id: int | None  # the draft being coded, if any


@atomic_service
def coding_worklist(*, actor: Actor, location: Location, since: dt.date | None = None,
                    limit: int = 200) -> list[CodingRow]:
    """Fulfilled visits at a location without a posted superbill (newest first), with the draft being coded."""
    from clinicdesk.scheduling.models import Appointment, AppointmentStatus

    require(actor, Perm.CHARGE_CAPTURE, location=location)
    live = Superbill.objects.filter(appointment=OuterRef("pk")).exclude(status=SuperbillStatus.REVERSED)
    rows = (Appointment.objects.filter(location=location, status=AppointmentStatus.FULFILLED)
            .exclude(Exists(live.filter(status=SuperbillStatus.POSTED)))
            .annotate(draft_id=Subquery(live.filter(status=SuperbillStatus.DRAFT).values("pk")[:1]))
            .select_related("patient", "practitioner", "appointment_type").order_by("-start", "pk"))
    if since is not None:
        start, _end = day_span_utc(since, location.tz)
        rows = rows.filter(start__gte=start)
    found = [CodingRow(a, a.draft_id) for a in rows[:limit]]
    if found:
        record(actor, "coding.worklist", resource_type="appointment",
               detail={"location": location.pk, "patients": sorted({r.appointment.patient_id for r in found})})
    return found


@atomic_service
def superbill_detail(*, actor: Actor, superbill_id: int) -> Superbill:
    """One superbill with its diagnoses and lines (coders at its location, or billing readers there)."""
    superbill = (Superbill.objects.select_related("patient", "location", "appointment__practitioner",
                                                  "appointment__appointment_type", "posted_by")
                 .prefetch_related(Prefetch("diagnoses", queryset=SuperbillDiagnosis.objects.order_by("position")),
                                   Prefetch("lines", queryset=SuperbillLine.objects.select_related(
                                       "rendering", "ledger_entry").order_by("position")))
                 .filter(pk=superbill_id).first())
    if superbill is None:
        raise NotFound()
    _require_coder(actor)
    _require_coder(actor, superbill.location_id, hide=True, resource_type="superbill", resource_id=superbill.pk,
                   patient_id=superbill.patient_id)
    record(actor, "superbill.read", superbill, patient=superbill.patient_id)
    return superbill


def coded_lines_for(entry_ids: list[int]) -> dict[int, SuperbillLine]:
    """The superbill line behind each charge (the caller has checked who may read the account)."""
    lines = SuperbillLine.objects.filter(ledger_entry_id__in=entry_ids).prefetch_related(
        Prefetch("superbill__diagnoses", queryset=SuperbillDiagnosis.objects.order_by("position")))
    return {line.ledger_entry_id: line for line in lines if line.ledger_entry_id is not None}


def providers_at(location_id: int) -> list[tuple[int, str]]:
    """The active practitioners of a location, as (id, name) choices for a rendering provider."""
    from clinicdesk.practice.models import Practitioner

    return [(p.pk, str(p)) for p in Practitioner.objects.filter(locations=location_id, active=True)
            .order_by("last_name", "first_name")]


def fee_code_choices(day: dt.date) -> list[tuple[str, str]]:
    """The codes priced on `day`, as (code, 'code - description') choices for a superbill line."""
    rows = FeeItem.objects.filter(effective_from__lte=day).filter(
        Q(effective_to__isnull=True) | Q(effective_to__gte=day)).order_by("code", "modifiers")
    seen: dict[str, str] = {}
    for item in rows:
        seen.setdefault(item.code, f"{item.code} - {item.description}")
    return list(seen.items())
