"""Statements on a cycle (#19 item 8).

The practice sets the cycle (StatementSettings: the day of the month the periodic task runs it, the days between
two statements of one patient). A cycle run takes every patient of the user's locations with a balance and skips:
- a zero or credit balance (nothing owed: a credit is refunded, see services/balances.py);
- a collections hold on the balance;
- an open dispute on the balance;
- a balance another app holds (`billing.hooks.statement_holds`: the portal's active payment plans);
- a balance wholly pending with insurance (claims not yet answered: pending_insurance.py);
- a statement sent fewer than `interval_days` ago.
A statement bills what the patient owes now: the balance less what is pending with insurance (shown apart, never in
the amount due; its charges are marked in the activity). Each statement ages that amount (report_aging's one query,
first in first out: 0-30 ... 120+, less the pending part: pending_insurance.split), lists the charges
and payments since the previous statement, is written as a PDF in the patient's language and stored on the chart;
it goes by e-mail through the outbox (consent purpose "billing"; the e-mail holds only a link to the portal's pay
page, no amounts, no names) or, without an address or consent, to the print queue. One statement per patient and
day (a unique constraint): running a cycle twice sends nothing twice.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from decimal import Decimal

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import Max, QuerySet, Sum
from django.urls import reverse
from django.utils.translation import gettext as _

from clinicdesk.audit.services import atomic_service, record
from clinicdesk.comms.services import message_queue_text
from clinicdesk.core import clock
from clinicdesk.core.exceptions import Conflict, NotFound, ValidationFailed
from clinicdesk.core.l10n import day_text, in_language, known_language
from clinicdesk.core.permissions import Actor, Perm, SystemActor, require, staff_user
from clinicdesk.patients import selectors as patient_selectors
from clinicdesk.patients.models import Document, Patient
from clinicdesk.patients.services.documents import store_document
from clinicdesk.patients.visibility import visible_patients
from clinicdesk.practice.models import Location
from clinicdesk.practice.selectors import practice_settings

from .. import hooks
from ..models import (
    CollectionsHold,
    Dispute,
    DisputeStatus,
    LedgerEntry,
    Statement,
    StatementDelivery,
    StatementSettings,
)
from ..pending_insurance import pending_claims, pending_entry_ids, split
from ..report_aging import aging_query
from ..statement_pdf import StatementContent, statement_pdf

SYSTEM_STATEMENTS = SystemActor("statements", frozenset({Perm.BILLING_READ, Perm.BILLING_WRITE, Perm.PATIENT_READ}))
ZERO = Decimal("0.00")

SKIP_WORDS = {
    "credit": lambda: _("Credit balance: refund it instead"),
    "hold": lambda: _("Collections hold"),
    "dispute": lambda: _("Open dispute"),
    "payment-plan": lambda: _("On a payment plan"),
    "recent": lambda: _("A statement was sent recently"),
    "insurance": lambda: _("Pending with insurance"),
}


def statement_settings() -> StatementSettings:
    found, _created = StatementSettings.objects.get_or_create(pk=1)
    return found


@atomic_service
def statement_settings_update(*, actor: Actor, cycle_day: int, interval_days: int, dispute_days: int,
                              plan_reminder_days: int, plan_missed_limit: int) -> StatementSettings:
    require(actor, Perm.BILLING_WRITE)
    limits = {"cycle_day": (cycle_day, 1, 28), "interval_days": (interval_days, 7, 120),
              "dispute_days": (dispute_days, 1, 180), "plan_reminder_days": (plan_reminder_days, 0, 30),
              "plan_missed_limit": (plan_missed_limit, 1, 6)}
    errors = {name: [_("Between %(low)s and %(high)s.") % {"low": low, "high": high}]
              for name, (value, low, high) in limits.items() if not low <= value <= high}
    if errors:
        raise ValidationFailed("bad-settings", _("Check the statement settings."), fields=errors)
    found = StatementSettings.objects.select_for_update().get_or_create(pk=1)[0]
    for name, (value, _low, _high) in limits.items():
        setattr(found, name, value)
    found.save()
    record(actor, "statement.settings", found, detail={name: v[0] for name, v in limits.items()})
    return found


def _check_day(day: dt.date) -> dt.date:
    """A statement date within a year back and two months ahead (a typo like 0001-01-01 is refused, not aged)."""
    today = clock.now().date()
    if not today - dt.timedelta(days=366) <= day <= today + dt.timedelta(days=62):
        message = _("Choose a statement date within the last year or the next two months.")
        raise ValidationFailed("bad-date", message, fields={"as_of": [message]})
    return day


# --- who is due ---------------------------------------------------------------------------------------------------


@dataclasses.dataclass
class Candidate:
    patient: Patient
    balance: Decimal  # what the patient owes now (the amount due)
    buckets: list[Decimal]
    last: dt.date | None = None
    pending: Decimal = ZERO  # pending with insurance: not billed


@dataclasses.dataclass
class Owed:
    """One account as a statement shows it: the ledger balance, the part pending with insurance, the amount due."""

    balance: Decimal
    pending: Decimal
    due: Decimal
    buckets: list[Decimal]  # the amount due by age


def owed(balance: Decimal, aged: list[Decimal] | None, pending: dict[int, list[Decimal]] | None) -> Owed:
    """The amount due of a balance, aged `aged` (None: all new), with `pending` per payer (pending_claims)."""
    balance = Decimal(balance).quantize(Decimal("0.01"))
    buckets = aged if aged is not None else [balance, ZERO, ZERO, ZERO, ZERO]
    if balance <= 0 or not pending:
        return Owed(balance, ZERO, balance, buckets)
    own, payers = split(buckets, pending)
    waiting = sum((sum(amounts, ZERO) for amounts in payers.values()), ZERO)
    return Owed(balance, waiting, balance - waiting, own)


@dataclasses.dataclass
class Skipped:
    patient: Patient
    balance: Decimal
    reason: str

    @property
    def words(self) -> str:
        return str(SKIP_WORDS[self.reason]())


@dataclasses.dataclass
class CyclePlan:
    as_of: dt.date
    due: list[Candidate]
    skipped: list[Skipped]

    @property
    def total(self) -> Decimal:
        return sum((c.balance for c in self.due), ZERO)


def _patients(actor: Actor, location_id: int | None) -> QuerySet[Patient]:
    """The charts whose balances the actor bills: their home is where the actor holds billing write (the location
    rule of patients.visibility), at one location when given (another's is missing)."""
    if location_id is not None:
        if not Location.objects.filter(pk=location_id, active=True).exists():
            raise NotFound()
        require(actor, Perm.BILLING_WRITE, location=location_id, hide=True)
    patients = visible_patients(actor, perm=Perm.BILLING_WRITE)
    return patients.filter(home_location_id=location_id) if location_id is not None else patients


def held_patients(patient_ids: set[int]) -> dict[int, str]:
    """Why each of these patients' balance gets no statement or collection step: a hold, a dispute, another app."""
    held: dict[int, str] = {}
    if not patient_ids:
        return held
    for pid in CollectionsHold.objects.filter(patient_id__in=patient_ids, released_at__isnull=True).values_list(
            "patient_id", flat=True):
        held[pid] = "hold"
    for pid in Dispute.objects.filter(patient_id__in=patient_ids, status=DisputeStatus.OPEN).values_list(
            "patient_id", flat=True):
        held.setdefault(pid, "dispute")
    for pid, reason in hooks.holds_from_other_apps(patient_ids - set(held)).items():
        held.setdefault(pid, reason)
    return held


def _cycle_plan(*, patients: QuerySet[Patient], as_of: dt.date) -> CyclePlan:
    """Every one of these patients with a non-zero balance, due or skipped with the reason."""
    interval = statement_settings().interval_days
    charts = {p.pk: p for p in patients.filter(pk__in=LedgerEntry.objects.values("patient_id"))
              .select_related("home_location")}
    balances = dict(LedgerEntry.objects.filter(patient_id__in=patients.values("pk")).values("patient_id")
                    .annotate(total=Sum("amount")).values_list("patient_id", "total"))
    owing = {pid for pid, total in balances.items() if total and total > 0}
    aged: dict[int, list[Decimal]] = {}
    pending: dict[int, dict[int, list[Decimal]]] = {}
    for tz in {p.home_location.tz for pid, p in charts.items() if pid in owing}:
        ids = sorted(pid for pid in owing if charts[pid].home_location.tz == tz)
        for row in aging_query(as_of=as_of, tz=tz, location_ids=None, patient_ids=ids).rows:
            aged[row.patient_id] = row.buckets
        pending.update(pending_claims(as_of=as_of, tz=tz, patient_ids=ids))
    held = held_patients(owing)
    last = dict(Statement.objects.filter(patient_id__in=owing).values("patient_id")
                .annotate(last=Max("statement_date")).values_list("patient_id", "last"))
    due, skipped = [], []
    for pid in sorted(balances, key=lambda p: (charts[p].display_name, p)):
        balance = Decimal(balances[pid] or 0).quantize(Decimal("0.01"))
        patient = charts[pid]
        if balance == 0:
            continue
        if balance < 0:
            skipped.append(Skipped(patient, balance, "credit"))
        elif pid in held:
            skipped.append(Skipped(patient, balance, held[pid]))
        elif (account := owed(balance, aged.get(pid), pending.get(pid))).due <= 0:
            skipped.append(Skipped(patient, balance, "insurance"))
        elif last.get(pid) and (as_of - last[pid]).days < interval:
            skipped.append(Skipped(patient, balance, "recent"))
        else:
            due.append(Candidate(patient, account.due, account.buckets, last.get(pid), account.pending))
    return CyclePlan(as_of, due, skipped)


@atomic_service
def statement_cycle_preview(*, actor: Actor, as_of: dt.date, location_id: int | None = None) -> CyclePlan:
    require(actor, Perm.BILLING_WRITE)
    plan = _cycle_plan(patients=_patients(actor, location_id), as_of=_check_day(as_of))
    record(actor, "statement.cycle_preview", resource_type="statement", resource_id="",
           detail={"as_of": as_of.isoformat(), "due": len(plan.due), "skipped": len(plan.skipped)})
    return plan


@dataclasses.dataclass
class CycleResult:
    plan: CyclePlan
    created: list[Statement]


def statement_cycle_run(*, actor: Actor, as_of: dt.date, location_id: int | None = None) -> CycleResult:
    """Make the statements due (one transaction per statement: one patient's trouble stops nobody else's)."""
    require(actor, Perm.BILLING_WRITE)
    plan = _cycle_plan(patients=_patients(actor, location_id), as_of=_check_day(as_of))
    created = []
    for candidate in plan.due:
        try:
            created.append(statement_create(actor=actor, patient_id=candidate.patient.pk, as_of=as_of))
        except Conflict:
            continue  # held or paid since the plan was read, or made by a concurrent run
    return CycleResult(plan, created)


def statements_run_due(*, today: dt.date | None = None) -> int:
    """The periodic task: on the practice's cycle day, the cycle for every location. Safe to run twice a day."""
    day = today or clock.now().date()
    if day.day != statement_settings().cycle_day:
        return 0
    return len(statement_cycle_run(actor=SYSTEM_STATEMENTS, as_of=day).created)


# --- one statement -------------------------------------------------------------------------------------------------


def pay_url() -> str:
    return f"{settings.PUBLIC_BASE_URL.rstrip('/')}{reverse('portal:pay')}"


def _email(patient: Patient, statement: Statement) -> int | None:
    """The e-mail: only that a statement is ready and the pay link (no amounts, no names: the PDF is in the portal
    and on paper). None when the patient has no address or no consent to billing e-mail."""
    if not patient.email:
        return None
    with in_language(statement.language):
        practice = practice_settings().short_name or statement.location.name
        subject = _("Your statement from %(practice)s") % {"practice": practice}
        body = _("Hello,\n\nA new statement for your account with %(practice)s is ready. You can see it and pay "
                 "online here:\n%(link)s\n\nQuestions? Call us at %(phone)s.") % {
            "practice": practice, "link": pay_url(), "phone": statement.location.phone}
    message = message_queue_text(patient=patient, channel="email", subject=subject, body=body,
                                 dedupe_key=f"statement:{statement.pk}", purpose="billing")
    return message.pk if message is not None else None


@atomic_service
def statement_create(*, actor: Actor, patient_id: int, as_of: dt.date | None = None) -> Statement:
    """One statement now (or for `as_of`): refused for a zero or credit balance, a hold, a dispute, a plan, or a
    balance wholly pending with insurance. It bills the amount due (the balance less what is pending)."""
    require(actor, Perm.BILLING_WRITE)
    patient = patient_selectors.patient_in_reach(actor, patient_id, perm=(Perm.BILLING_WRITE,), current=True,
                                                 related=("home_location",))
    Patient.objects.select_for_update().filter(pk=patient.pk).first()  # one statement at a time per patient
    location = patient.home_location
    day = _check_day(as_of) if as_of is not None else clock.today_in(location.tz)
    if Statement.objects.filter(patient=patient, statement_date=day).exists():
        raise Conflict("statement-exists", _("This patient already has a statement dated %(date)s.")
                       % {"date": day_text(day)})
    balance = (LedgerEntry.objects.filter(patient=patient).aggregate(t=Sum("amount"))["t"] or ZERO)
    if balance <= 0:
        raise Conflict("nothing-owed", _("There is no balance to bill (a credit is refunded, not billed)."))
    reason = held_patients({patient.pk}).get(patient.pk)
    if reason:
        raise Conflict("balance-held", _("No statement: %(reason)s.") % {"reason": SKIP_WORDS[reason]()})
    rows = aging_query(as_of=day, tz=location.tz, location_ids=None, patient_ids=[patient.pk]).rows
    account = owed(balance, rows[0].buckets if rows else None,
                   pending_claims(as_of=day, tz=location.tz, patient_ids=[patient.pk]).get(patient.pk))
    if account.due <= 0:
        raise Conflict("pending-insurance", _("No statement: the whole balance is pending with insurance."))
    buckets = account.buckets
    previous = Statement.objects.filter(patient=patient).order_by("-created_at", "-pk").first()
    since = previous.created_at if previous else None
    now = clock.now()
    activity = LedgerEntry.objects.filter(patient=patient, created_at__lte=now).order_by("created_at", "pk")
    if since is not None:
        activity = activity.filter(created_at__gt=since)
    activity = activity.filter(created_at__gte=now - dt.timedelta(days=366))
    language = known_language(patient.preferred_language)
    data = statement_pdf(StatementContent(patient, location, day, account.due, buckets, list(activity), pay_url(),
                                          language, pending=account.pending, account_balance=balance,
                                          pending_entries=pending_entry_ids(patient_id=patient.pk)))
    with in_language(language):
        description = _("Statement of %(date)s") % {"date": day_text(day)}
    document = store_document(actor=actor, patient=patient, kind=Document.Kind.OTHER, data=data,
                              content_type="application/pdf", document_date=min(day, now.date()),
                              description=description)
    try:
        with transaction.atomic():
            statement = Statement.objects.create(
                patient=patient, location=location, statement_date=day, since=since, balance=account.due,
                aged_0_30=buckets[0], aged_31_60=buckets[1], aged_61_90=buckets[2], aged_91_120=buckets[3],
                aged_over_120=buckets[4], language=language, delivery=StatementDelivery.PRINT, document=document,
                created_by=staff_user(actor), created_at=now)
    except IntegrityError as exc:
        raise Conflict("statement-exists", _("This patient already has a statement dated %(date)s.")
                       % {"date": day_text(day)}) from exc
    message_id = _email(patient, statement)
    if message_id is not None:
        statement.delivery, statement.message_id = StatementDelivery.EMAIL, message_id
        statement.save(update_fields=["delivery", "message_id"])
    record(actor, "statement.create", statement, patient=patient,
           detail={"balance": str(account.due), "pending": str(account.pending), "delivery": statement.delivery,
                   "language": language, "document": document.pk})
    return statement


@atomic_service
def statement_mark_printed(*, actor: Actor, statement_id: int) -> Statement:
    require(actor, Perm.BILLING_WRITE)
    statement = Statement.objects.select_for_update().filter(pk=statement_id).first()
    if statement is None:
        raise NotFound()
    require(actor, Perm.BILLING_WRITE, location=statement.location_id, hide=True, resource_type="statement",
            resource_id=statement.pk, patient_id=statement.patient_id)
    if statement.printed_at is None:
        statement.printed_at = clock.now()
        statement.save(update_fields=["printed_at"])
        record(actor, "statement.print", statement, patient=statement.patient_id)
    return statement
