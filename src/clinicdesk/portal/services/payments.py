"""Paying online (issue #23, item 4): what the patient owes, a checkout at the payment provider, its webhook.

The patient (or their proxy) chooses what to pay (the balance or part of it, a visit's co-pay, the next instalment
of their saved plan); `portal_payment_start` asks the provider (gateway.py) for a hosted checkout and sends them
there. Card numbers never reach Clinicdesk. The provider's signed webhook (`payment_webhook_receive`) posts the
payment on the patient's ledger through billing's one path (`billing.services.payment_collect`, a card payment with
the provider's reference) and numbers the receipt; each event id is kept once, so a retry or replay posts nothing
twice. A forged, expired or malformed webhook is refused, writes nothing but its audit entry, and an address that
keeps sending them is refused for a while (`WebhookThrottled`).

A checkout the patient never finishes closes at the provider after PAYMENT_CHECKOUT_EXPIRY_MINUTES (sent with the
checkout as its expiry): the payment then becomes `expired` (`online_payments_expire`, run by the periodic task
"expire-online-payments" and, for one patient, whenever they open their payments). A late "completed" event for an
expired payment is still posted: the provider took the money, so the ledger must show it (a refusal would leave the
patient charged with nothing on their account); if they had paid the same thing again meanwhile, the second
payment is a credit on the account, as at the desk. A late "failed" event for an expired payment changes nothing.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import logging
import secrets
from decimal import ROUND_DOWN, Decimal
from typing import Any

from django.conf import settings
from django.db import transaction
from django.db.models import DecimalField, OuterRef, Q, Subquery, Sum, Value
from django.db.models.functions import Coalesce
from django.utils import translation
from django.utils.translation import gettext as _

from clinicdesk.audit.services import atomic_service, record
from clinicdesk.billing import selectors as billing_selectors
from clinicdesk.billing import services as billing
from clinicdesk.billing.money import parse_amount
from clinicdesk.core import clock
from clinicdesk.core.exceptions import DomainError, NotFound, ValidationFailed
from clinicdesk.core.permissions import Perm
from clinicdesk.frontdesk import services as frontdesk
from clinicdesk.patients.models import Patient
from clinicdesk.scheduling.models import Appointment, AppointmentStatus

from .. import gateway
from ..actor import PATIENT_PERMS, PatientActor
from ..models import (
    PAYMENT_TRANSITIONS,
    GatewayEvent,
    OnlinePayment,
    OnlinePaymentStatus,
    PaymentPlan,
    PaymentPurpose,
)
from . import refusals
from .common import TooManyRequests
from .common import subject_patient as _subject

COPAY_DAYS_AHEAD = 14  # co-pays shown for visits today and in the next two weeks
COPAY_STATUSES = (AppointmentStatus.BOOKED, AppointmentStatus.ARRIVED)
PLAN_CHOICES = (2, 3, 4, 6, 12)
logger = logging.getLogger(__name__)


class GatewayDown(DomainError):
    status = 503
    title = "Payment provider unavailable"


class WebhookRefused(DomainError):
    status = 400
    title = "Webhook refused"


class WebhookThrottled(TooManyRequests):
    pass


class OnlinePaymentActor(PatientActor):
    """The patient, when their payment reaches billing: besides a patient's own permissions it may post a card
    payment and read its receipt (billing's cashier check), only ever for the payment the webhook names."""

    def __init__(self, *, payment: OnlinePayment) -> None:
        super().__init__(patient_id=payment.paid_by_id, subject_id=payment.patient_id,
                         dependent_ids=frozenset({payment.patient_id}) - {payment.paid_by_id}, method="online")
        self.perms = PATIENT_PERMS | {Perm.BILLING_WRITE, Perm.BILLING_READ}


@dataclasses.dataclass
class CopayDue:
    appointment: Appointment
    amount: Decimal


@dataclasses.dataclass
class Instalment:
    number: int
    due: dt.date
    amount: Decimal
    paid: bool


@dataclasses.dataclass
class PlanView:
    plan: PaymentPlan
    schedule: list[Instalment]

    @property
    def next(self) -> Instalment | None:
        return next((i for i in self.schedule if not i.paid), None)


@dataclasses.dataclass
class AccountView:
    patient: Patient
    balance: Decimal
    copays: list[CopayDue]
    payments: list[OnlinePayment]
    plan: PlanView | None
    online: bool  # the practice takes payments online (the provider is configured)

    @property
    def owes(self) -> bool:
        return self.balance > 0 or bool(self.copays)


def _copays(patient: Patient) -> list[CopayDue]:
    now = clock.now()
    visits = (Appointment.objects.select_related("appointment_type", "practitioner", "location")
              .filter(patient=patient, status__in=COPAY_STATUSES, start__gte=now - dt.timedelta(hours=16),
                      start__lte=now + dt.timedelta(days=COPAY_DAYS_AHEAD)).order_by("start"))
    due = []
    for visit in visits:
        expected = frontdesk.expected_copay(patient, visit.practitioner, visit.start.astimezone(visit.location.tz)
                                            .date(), visit)
        if expected is None or expected <= 0:
            continue
        left = expected - billing.collected_for_appointment(visit.pk)
        if left > 0:
            due.append(CopayDue(visit, left.quantize(Decimal("0.01"))))
    return due


def paid_on_plan() -> Coalesce:
    """An annotation of plans: what was paid online on each, zero when nothing (for `_schedule`'s `paid`), read
    with the plans rather than one query a plan."""
    money = DecimalField(max_digits=12, decimal_places=2)
    paid = (OnlinePayment.objects.filter(plan=OuterRef("pk"), status=OnlinePaymentStatus.PAID).order_by()
            .values("plan").annotate(total=Sum("amount")).values("total"))
    return Coalesce(Subquery(paid, output_field=money), Value(Decimal("0.00")), output_field=money)


def _schedule(plan: PaymentPlan, *, paid: Decimal | None = None) -> list[Instalment]:
    """The plan's instalments, each paid or not; `paid` when already read (`paid_on_plan`), else it is read."""
    each = (plan.total / plan.instalments).quantize(Decimal("0.01"), rounding=ROUND_DOWN)
    if paid is None:
        paid = OnlinePayment.objects.filter(plan=plan, status=OnlinePaymentStatus.PAID).aggregate(
            total=Sum("amount"))["total"]
    paid = paid or Decimal("0")
    rows, cumulative = [], Decimal("0")
    for number in range(1, plan.instalments + 1):
        amount = each if number < plan.instalments else plan.total - each * (plan.instalments - 1)
        cumulative += amount
        month = plan.first_due.month - 1 + number - 1
        year = plan.first_due.year + month // 12
        day = min(plan.first_due.day, 28)
        rows.append(Instalment(number, dt.date(year, month % 12 + 1, day), amount, paid >= cumulative))
    return rows


def _plan(patient: Patient) -> PlanView | None:
    plan = PaymentPlan.objects.filter(patient=patient, ended_at__isnull=True).order_by("-pk").first()
    if plan is None:
        return None
    schedule = _schedule(plan)
    if all(i.paid for i in schedule):
        return None
    return PlanView(plan, schedule)


@atomic_service
def portal_account(*, actor: PatientActor) -> AccountView:
    """What the patient (or the dependent a proxy acts for) owes and has paid online; the read is audited. Their
    checkouts left open past their expiry are marked expired first."""
    patient = _subject(actor)
    online_payments_expire(patient_ids=actor.reachable_ids)
    payments = list(OnlinePayment.objects.filter(patient=patient).order_by("-created_at", "-pk")[:20])
    view = AccountView(patient, billing.balance_of(patient.pk), _copays(patient), payments, _plan(patient),
                       gateway.configured())
    record(actor, "portal.read", resource_type="patient", resource_id=patient.pk, patient=patient,
           detail=actor.audit_detail(page="payments"))
    return view


def _choose(actor: PatientActor, patient: Patient, choice: str, amount: str) -> dict[str, Any]:
    """What a checkout is for and how much, from the patient's choice; ValidationFailed when it is not owed."""
    balance = billing.balance_of(patient.pk)
    if choice == "balance":
        if balance <= 0:
            raise ValidationFailed("nothing-owed", _("There is no balance to pay."))
        value = balance
        if amount.strip():
            value = parse_amount(amount)
            if value > balance:
                raise ValidationFailed("more-than-owed", _("You can pay up to your balance of %(balance)s.")
                                       % {"balance": _money(balance)}, fields={"amount": [_("Too much.")]})
        return {"purpose": PaymentPurpose.BALANCE, "amount": value, "location_id": patient.home_location_id}
    if choice.startswith("copay:"):
        found = next((c for c in _copays(patient) if str(c.appointment.pk) == choice[6:]), None)
        if found is None:
            raise ValidationFailed("no-copay", _("There is no co-pay to pay for this visit."))
        return {"purpose": PaymentPurpose.COPAY, "amount": found.amount, "appointment_id": found.appointment.pk,
                "location_id": found.appointment.location_id}
    if choice == "instalment":
        view = _plan(patient)
        step = view.next if view else None
        if view is None or step is None:
            raise ValidationFailed("no-plan", _("You have no payment plan instalment to pay."))
        return {"purpose": PaymentPurpose.INSTALMENT, "amount": step.amount, "plan": view.plan,
                "location_id": patient.home_location_id}
    raise ValidationFailed("bad-choice", _("Choose what to pay."))


def _money(value: Decimal) -> str:
    from clinicdesk.billing.money import format_money

    return format_money(value)


def portal_payment_start(*, actor: PatientActor, choice: str, amount: str = "", base_url: str,
                         locale: str = "") -> tuple[OnlinePayment, str]:
    """Start paying: the checkout at the provider (its page in `locale`, by default the active language), and the
    page to send the patient to. The provider is asked first, outside the transaction; the payment is then recorded
    as pending (nothing is owed to it yet) until the checkout's expiry."""
    patient = _subject(actor)
    what = _choose(actor, patient, choice, amount)
    if not gateway.configured():
        raise GatewayDown("gateway-not-configured", _("Paying online is not available. Please call the office."))
    reference = f"CD{secrets.token_hex(8).upper()}"
    started = clock.now()
    expires = started + dt.timedelta(minutes=settings.PAYMENT_CHECKOUT_EXPIRY_MINUTES)
    base = base_url.rstrip("/")
    from django.urls import reverse

    try:
        checkout = gateway.checkout_create(
            amount=what["amount"], currency=settings.PAYMENT_CURRENCY, reference=reference,
            return_url=f"{base}{reverse('portal:pay-return', args=[reference])}",
            webhook_url=f"{base}{reverse('portal:pay-webhook')}", expires_at=int(expires.timestamp()),
            locale=locale or translation.get_language() or settings.LANGUAGE_CODE)
    except gateway.GatewayUnavailable as exc:
        raise GatewayDown("gateway-down", _("The payment service did not answer. Please try again in a few "
                                            "minutes.")) from exc
    with transaction.atomic():
        payment = OnlinePayment.objects.create(
            patient=patient, paid_by_id=actor.patient_id, currency=settings.PAYMENT_CURRENCY, reference=reference,
            session_id=checkout.session_id, created_at=started, expires_at=expires, **what)
        record(actor, "portal.payment_start", payment, patient=patient,
               detail=actor.audit_detail(amount=str(payment.amount), purpose=payment.purpose))
    return payment, checkout.url


@atomic_service
def portal_payment(*, actor: PatientActor, reference: str) -> OnlinePayment:
    """One of this patient's (or their dependents') online payments; another's looks missing."""
    payment = OnlinePayment.objects.filter(reference=reference[:40], patient_id__in=actor.reachable_ids).first()
    if payment is None:
        raise NotFound()
    if payment.status == OnlinePaymentStatus.PENDING and online_payments_expire(payment_ids=[payment.pk]):
        payment.refresh_from_db()
    record(actor, "portal.read", payment, patient=payment.patient_id, detail=actor.audit_detail())
    return payment


def portal_receipt_pdf(*, actor: PatientActor, reference: str) -> tuple[OnlinePayment, bytes]:
    """The receipt PDF of a paid online payment (billing's own receipt)."""
    from clinicdesk.billing.receipts import receipt_pdf

    payment = portal_payment(actor=actor, reference=reference)
    if payment.status != OnlinePaymentStatus.PAID or payment.ledger_entry_id is None:
        raise NotFound()
    entry = billing_selectors.ledger_entry(actor=OnlinePaymentActor(payment=payment), entry_id=payment.ledger_entry_id)
    return payment, receipt_pdf(entry, billing.balance_of(payment.patient_id))


@atomic_service
def portal_plan_agree(*, actor: PatientActor, instalments: int) -> PaymentPlan:
    """The patient agrees to pay today's balance in monthly instalments (the first is due today)."""
    patient = _subject(actor)
    if instalments not in PLAN_CHOICES:
        raise ValidationFailed("bad-instalments", _("Choose how many monthly payments."),
                               fields={"instalments": [_("Choose how many monthly payments.")]})
    if _plan(patient) is not None:
        raise ValidationFailed("plan-exists", _("You already have a payment plan."))
    balance = billing.balance_of(patient.pk)
    if balance < instalments:  # at least a dollar a month
        raise ValidationFailed("balance-too-small", _("Your balance is too small for a payment plan."))
    now = clock.now()
    plan = PaymentPlan.objects.create(patient=patient, agreed_by_id=actor.patient_id, total=balance,
                                      instalments=instalments, first_due=clock.today_in(patient.home_location.tz),
                                      created_at=now)
    record(actor, "portal.plan_agree", plan, patient=patient,
           detail=actor.audit_detail(total=str(balance), instalments=instalments))
    return plan


# --- checkouts never finished ----------------------------------------------------------------------------------
def _stale(now: dt.datetime) -> Q:
    """Pending payments whose checkout has closed (rows from before migration 0004 have no expiry: the setting)."""
    older = now - dt.timedelta(minutes=settings.PAYMENT_CHECKOUT_EXPIRY_MINUTES)
    return Q(status=OnlinePaymentStatus.PENDING) & (
        Q(expires_at__lte=now) | Q(expires_at__isnull=True, created_at__lte=older))


def stale_payments_exist() -> bool:
    """The periodic task's cheap check."""
    return OnlinePayment.objects.filter(_stale(clock.now())).exists()


@atomic_service
def online_payments_expire(*, patient_ids: Any = None, payment_ids: Any = None, limit: int = 500) -> int:
    """Mark pending payments whose checkout has closed as expired (all of them, or those of `patient_ids` or
    `payment_ids`); the number marked. Each row is locked and checked again, so a webhook posting it at the same
    moment wins; safe to run twice. Audited as the system, with the patient."""
    stale = OnlinePayment.objects.filter(_stale(clock.now()))
    if patient_ids is not None:
        stale = stale.filter(patient_id__in=list(patient_ids))
    if payment_ids is not None:
        stale = stale.filter(pk__in=list(payment_ids))
    ids = list(stale.order_by("pk").values_list("pk", flat=True)[:limit])
    marked = 0
    for payment in OnlinePayment.objects.select_for_update().filter(pk__in=ids).order_by("pk"):
        if payment.status != OnlinePaymentStatus.PENDING:
            continue  # settled by a webhook meanwhile
        payment.status = OnlinePaymentStatus.EXPIRED
        payment.save(update_fields=["status"])
        record(None, "portal.payment_expired", payment, patient=payment.patient_id,
               detail={"reference": payment.reference, "amount": str(payment.amount)})
        marked += 1
    return marked


# --- the provider's webhook ------------------------------------------------------------------------------------
def _refuse(ip: str, reason: str) -> None:
    refusals.note(refusals.WEBHOOK, ip, "portal.payment_webhook_refused", resource_type="onlinepayment",
                  detail={"reason": reason, "ip": ip})


def payment_webhook_receive(*, body: bytes, timestamp: str, signature: str, ip: str = "") -> str:
    """The provider's webhook: 'posted', 'failed', 'replay' (an event already taken). Refused (nothing written but
    the audit entry): WebhookRefused for a bad signature, time or body; WebhookThrottled after repeated refusals
    (services/refusals.py, the portal's one refusal limit)."""
    refusals.check(refusals.WEBHOOK, ip, error=WebhookThrottled, action="portal.payment_webhook_refused",
                   resource_type="onlinepayment", detail={"reason": "throttled", "ip": ip})
    if not gateway.configured():
        logger.error("A payment webhook arrived but PAYMENT_GATEWAY_URL, PAYMENT_GATEWAY_KEY and "
                     "PAYMENT_WEBHOOK_SECRET are not all set: it is refused.")
        _refuse(ip, "not-configured")
        raise WebhookRefused("webhook-refused", _("Webhook refused."))
    try:
        event = gateway.webhook_verify(body=body, timestamp=timestamp, signature=signature)
    except gateway.WebhookRefused as refused:
        _refuse(ip, refused.reason)
        raise WebhookRefused("webhook-refused", _("Webhook refused.")) from None
    try:
        return _apply(event)
    except WebhookRefused:
        _refuse(ip, "payment")
        raise


@atomic_service
def _apply(event: gateway.GatewayEvent) -> str:
    payment = OnlinePayment.objects.select_for_update().filter(session_id=event.session_id).first()
    if GatewayEvent.objects.filter(event_id=event.event_id).exists():
        return "replay"
    if payment is None or payment.reference != event.reference or payment.amount != event.amount \
            or payment.currency != event.currency:
        raise WebhookRefused("webhook-mismatch", _("The event does not match a checkout."))
    GatewayEvent.objects.create(event_id=event.event_id, kind=event.kind, payment=payment, received_at=clock.now())
    # An expired checkout paid at the provider after all is posted (the money was taken: see above); any other event
    # for a settled checkout (a second event, a late failure) is kept and changes nothing.
    late = payment.status == OnlinePaymentStatus.EXPIRED
    target = OnlinePaymentStatus.FAILED if event.kind == "checkout.failed" else OnlinePaymentStatus.PAID
    if target not in PAYMENT_TRANSITIONS[payment.status]:
        return "replay"
    actor = OnlinePaymentActor(payment=payment)
    if event.kind == "checkout.failed":
        payment.status = OnlinePaymentStatus.FAILED
        payment.save(update_fields=["status"])
        record(actor, "portal.payment_failed", payment, patient=payment.patient_id, detail=actor.audit_detail())
        return "failed"
    last4 = event.card_last4 if len(event.card_last4) == 4 and event.card_last4.isdigit() else "0000"
    words = {PaymentPurpose.BALANCE: _("Online payment (patient portal)"),
             PaymentPurpose.COPAY: _("Online co-pay (patient portal)"),
             PaymentPurpose.INSTALMENT: _("Online payment plan instalment (patient portal)")}
    entry = billing.payment_collect(
        actor=actor, patient_id=payment.patient_id, location_id=payment.location_id, amount=payment.amount,
        tender=billing.Tender("online", card_reference=f"{payment.session_id}"[:40], card_last4=last4),
        appointment_id=payment.appointment_id, description=str(words[PaymentPurpose(payment.purpose)]),
        idempotency_key=f"portal-online:{payment.reference}", copay=payment.purpose == PaymentPurpose.COPAY,
        confirm_second=True)
    payment.status = OnlinePaymentStatus.PAID
    payment.ledger_entry_id = entry.pk
    payment.receipt_number = entry.receipt_number or ""
    payment.card_last4 = last4
    payment.paid_at = clock.now()
    payment.save(update_fields=["status", "ledger_entry_id", "receipt_number", "card_last4", "paid_at"])
    record(actor, "portal.payment_paid", payment, patient=payment.patient_id,
           detail=actor.audit_detail(amount=str(payment.amount), entry=entry.pk, event=event.event_id,
                                     **({"after_expiry": True} if late else {})))
    return "posted"
