"""Payment plans, the practice's side (#19 item 8). One plan model, the portal's `PaymentPlan` (the patient pays its
instalments through the portal's checkout); billing learns about plans through `billing.hooks` (registered in
apps.py), since billing never imports the portal.

- Staff see a patient's plans and set one up for a balance (billing write at the patient's home location): the
  total at most the balance, 2 to 12 monthly instalments, the first due today or later; one open plan at a time.
- Standing is computed, never stored apart from the plan: an instalment is missed when its due date has passed and
  the payments made on the plan do not cover it; a plan with a missed instalment is late; with
  `StatementSettings.plan_missed_limit` misses it defaults (ended, audited as such) and its balance returns to the
  statement cycle (the hook stops holding it).
- `plans_check_due` (the periodic task): a reminder `plan_reminder_days` before each instalment, a notice when an
  instalment is missed, a notice when the plan defaults, each through the outbox (consent purpose "billing"),
  each once (the outbox's dedupe key names the plan and the instalment).
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from clinicdesk.audit.services import atomic_service, record
from clinicdesk.billing import services as billing
from clinicdesk.comms.services import message_queue_text
from clinicdesk.core import clock
from clinicdesk.core.exceptions import Conflict, InvalidTransition, NotFound, ValidationFailed
from clinicdesk.core.l10n import day_text, in_language, known_language
from clinicdesk.core.permissions import Actor, Perm, SystemActor, require
from clinicdesk.patients import selectors as patient_selectors
from clinicdesk.patients.models import Patient

from ..models import PaymentPlan
from .payments import PLAN_CHOICES, Instalment, _schedule, paid_on_plan

PLAN_SYSTEM = SystemActor("payment-plans", frozenset({Perm.BILLING_READ, Perm.PATIENT_READ}))


@dataclasses.dataclass
class PlanStanding:
    plan: PaymentPlan
    schedule: list[Instalment]
    missed: list[Instalment]
    status: str  # active | late | defaulted | completed | ended

    @property
    def paid(self) -> Decimal:
        return sum((i.amount for i in self.schedule if i.paid), Decimal("0.00"))

    @property
    def next(self) -> Instalment | None:
        return next((i for i in self.schedule if not i.paid), None)

    @property
    def status_words(self) -> str:
        return str({"active": _("On track"), "late": _("Late: an instalment was missed"),
                    "defaulted": _("Defaulted: back on statements"), "completed": _("Paid in full"),
                    "ended": pgettext("payment plan", "Ended")}[self.status])


def standing(plan: PaymentPlan, today: dt.date, limit: int) -> PlanStanding:
    schedule = _schedule(plan)
    missed = [i for i in schedule if not i.paid and i.due < today]
    if all(i.paid for i in schedule):
        status = "completed"
    elif plan.ended_at is not None:
        status = "defaulted" if len(missed) >= limit else "ended"
    elif missed:
        status = "late"
    else:
        status = "active"
    return PlanStanding(plan, schedule, missed, status)


def _open_plans(patient_ids: set[int] | None = None) -> list[PaymentPlan]:
    plans = (PaymentPlan.objects.filter(ended_at__isnull=True).select_related("patient__home_location")
             .annotate(paid_online=paid_on_plan()))  # what was paid on each, read with it (`_schedule`'s `paid`)
    if patient_ids is not None:
        plans = plans.filter(patient_id__in=patient_ids)
    return list(plans.order_by("pk"))


# --- billing's hooks ------------------------------------------------------------------------------------------------

def plan_holds(patient_ids: set[int]) -> dict[int, str]:
    """billing.hooks.statement_holds: a balance paid through an open plan that is not paid off gets no statement."""
    return {plan.patient_id: "payment-plan" for plan in _open_plans(patient_ids)
            if not all(i.paid for i in _schedule(plan, paid=plan.paid_online))}  # type: ignore[attr-defined]


def plan_summaries(patient_id: int) -> list[dict[str, Any]]:
    limit = billing.statement_settings().plan_missed_limit
    plans = PaymentPlan.objects.filter(patient_id=patient_id).select_related("patient__home_location")
    rows = []
    for plan in plans.order_by("-pk")[:5]:
        s = standing(plan, clock.today_in(plan.patient.home_location.tz), limit)
        rows.append({"id": plan.pk, "total": plan.total, "instalments": plan.instalments, "status": s.status,
                     "status_words": s.status_words, "next_due": s.next.due if s.next else None,
                     "next_amount": s.next.amount if s.next else None, "missed": len(s.missed)})
    return rows


# --- staff ---------------------------------------------------------------------------------------------------------

def _patient(actor: Actor, patient_id: int, perm: Perm = Perm.BILLING_READ) -> Patient:
    require(actor, perm)
    return patient_selectors.patient_in_reach(actor, patient_id, perm=(perm,), related=("home_location",))


@atomic_service
def staff_plans(*, actor: Actor, patient_id: int) -> tuple[Patient, list[PlanStanding], Decimal]:
    """A patient's plans with their standing, and the balance; the read is audited."""
    patient = _patient(actor, patient_id)
    limit = billing.statement_settings().plan_missed_limit
    today = clock.today_in(patient.home_location.tz)
    plans = [standing(plan, today, limit) for plan in PaymentPlan.objects.filter(patient=patient).order_by("-pk")]
    record(actor, "plan.read", patient, patient=patient)
    return patient, plans, billing.balance_of(patient.pk)


@atomic_service
def staff_plan_create(*, actor: Actor, patient_id: int, instalments: int, first_due: dt.date,
                      total: Decimal | None = None) -> PaymentPlan:
    patient = _patient(actor, patient_id, Perm.BILLING_WRITE)
    Patient.objects.select_for_update().filter(pk=patient.pk).first()
    if plan_holds({patient.pk}):
        raise Conflict("plan-open", _("This patient already has a payment plan."))
    balance = billing.balance_of(patient.pk)
    errors: dict[str, list[str]] = {}
    if balance <= 0:
        raise ValidationFailed("nothing-owed", _("There is no balance to pay in instalments."))
    value = total if total is not None else balance
    if value <= 0 or value > balance:
        errors["total"] = [_("At most the balance of %(balance)s.") % {"balance": balance}]
    if instalments not in PLAN_CHOICES:
        errors["instalments"] = [_("Choose 2, 3, 4, 6 or 12 instalments.")]
    if first_due < clock.today_in(patient.home_location.tz):
        errors["first_due"] = [_("The first instalment cannot be due in the past.")]
    if errors:
        raise ValidationFailed("bad-plan", _("Check the payment plan."), fields=errors)
    plan = PaymentPlan.objects.create(patient=patient, agreed_by=patient, total=value, instalments=instalments,
                                      first_due=first_due, created_at=clock.now())
    record(actor, "plan.create", plan, patient=patient,
           detail={"total": str(value), "instalments": instalments, "first_due": first_due.isoformat()})
    return plan


@atomic_service
def staff_plan_end(*, actor: Actor, plan_id: int) -> PaymentPlan:
    require(actor, Perm.BILLING_WRITE)
    plan = PaymentPlan.objects.select_for_update().select_related("patient").filter(pk=plan_id).first()
    if plan is None:
        raise NotFound()
    patient_selectors.require_patient_in_reach(actor, plan.patient, perm=(Perm.BILLING_WRITE,),
                                               resource_type="paymentplan", resource_id=plan.pk)
    if plan.ended_at is not None:
        raise InvalidTransition("plan-ended", _("This payment plan has already ended."))
    plan.ended_at = clock.now()
    plan.save(update_fields=["ended_at"])
    record(actor, "plan.end", plan, patient=plan.patient_id)
    return plan


# --- the periodic check --------------------------------------------------------------------------------------------

def _notify(patient: Patient, key: str, subject: str, body: str) -> bool:
    for channel in ("email", "sms"):
        if message_queue_text(patient=patient, channel=channel, subject=subject, body=body,
                              dedupe_key=f"{key}:{channel}", purpose="billing") is not None:
            return True
    return False


def _pay_link() -> str:
    return f"{settings.PUBLIC_BASE_URL.rstrip('/')}{reverse('portal:pay')}"


@dataclasses.dataclass
class CheckReport:
    reminded: int = 0
    late: int = 0
    defaulted: int = 0


def plans_check_due(*, today: dt.date | None = None) -> CheckReport:
    """Reminders before instalments, notices of missed ones, defaults after the limit (each plan in its own
    transaction; every message once)."""
    config = billing.statement_settings()
    report = CheckReport()
    for plan in _open_plans():
        day = today or clock.today_in(plan.patient.home_location.tz)
        _check_one(plan.pk, day, config.plan_reminder_days, config.plan_missed_limit, report)
    return report


@atomic_service
def _check_one(plan_id: int, today: dt.date, reminder_days: int, limit: int, report: CheckReport) -> None:
    plan = PaymentPlan.objects.select_for_update().select_related("patient__home_location").filter(
        pk=plan_id, ended_at__isnull=True).first()
    if plan is None:
        return
    patient = plan.patient
    s = standing(plan, today, limit)
    language = known_language(patient.preferred_language)
    with in_language(language):
        if s.missed and len(s.missed) >= limit:
            plan.ended_at = clock.now()
            plan.save(update_fields=["ended_at"])
            record(PLAN_SYSTEM, "plan.default", plan, patient=patient.pk, detail={"missed": len(s.missed)})
            _notify(patient, f"plan-default:{plan.pk}", _("Your payment plan has ended"),
                    _("Your payment plan has ended because instalments were missed. The balance is back on your "
                      "statements. Please call us or pay online: %(link)s") % {"link": _pay_link()})
            report.defaulted += 1
            return
        if s.missed:
            last = s.missed[-1]
            if _notify(patient, f"plan-late:{plan.pk}:{last.number}", _("A payment plan instalment was missed"),
                       _("The instalment due on %(date)s has not been paid. Please pay online: %(link)s")
                       % {"date": day_text(last.due), "link": _pay_link()}):
                report.late += 1
        step = s.next
        if step is not None and today <= step.due <= today + dt.timedelta(days=reminder_days) \
                and _notify(patient, f"plan-reminder:{plan.pk}:{step.number}", _("Payment plan instalment due soon"),
                            _("Your next payment plan instalment is due on %(date)s. Pay online: %(link)s")
                            % {"date": day_text(step.due), "link": _pay_link()}):
            report.reminded += 1
