"""Scheduled reports (#22 item 5): subscriptions to a dashboard, and sending them as a PDF by e-mail.

Who: anyone with reports.read, for the locations they report on (the practice coordinator for every location);
a subscription is read and changed by its owner or a practice-wide reports reader. The figures are read as the
owner (their reach, at send time), and are aggregates only: no patient's name or id is in the mail or the PDF.
Staff e-mail goes straight through Django's mail backend (as the purchase orders and training reminders do), not
the patients' outbox. One delivery row per subscription, period (the local send day) and recipient: a period
reaches a person once; a failed send is retried by the next rounds (up to MAX_ATTEMPTS) and shown on the screen.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.mail import EmailMessage
from django.db import IntegrityError, transaction
from django.db.models import Q, QuerySet
from django.utils import formats, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from clinicdesk.audit.services import atomic_service, record
from clinicdesk.core import clock
from clinicdesk.core.exceptions import DomainError, NotFound, ValidationFailed
from clinicdesk.core.permissions import Actor, Perm, has_perm, require
from clinicdesk.core.timezones import zone

from ..dashboard_selectors import dashboard_read
from ..dashboards.figures import FIGURES
from ..dashboards.filters import Scope, dashboard_scope
from .pdf import dashboard_pdf
from .schedule import next_send_at, period_of, report_range
from .tables import DeliveryStatus, ReportDelivery, ReportSubscription

log = logging.getLogger(__name__)
MAX_ATTEMPTS = 5
FIGURE_LABELS = {
    "volume": gettext_lazy("Appointments per week"), "volume-provider": gettext_lazy("Appointments by provider"),
    "volume-type": gettext_lazy("Appointments by type"), "utilisation": gettext_lazy("Provider utilisation"),
    "lead-time": gettext_lazy("New-patient lead time"), "noshow": gettext_lazy("No-show and late-cancellation rates"),
    "visit-times": gettext_lazy("Visit times"), "waitlist": gettext_lazy("Waitlist fills"),
    "reminders": gettext_lazy("Reminder confirmations"),
}


@dataclass
class SubscriptionInput:
    name: str
    figures: list[str]
    location_id: int | None
    practitioner_id: int | None
    appointment_type_id: int | None
    weeks: int
    weekday: int
    hour: int
    recipient_ids: list[int]
    active: bool = True


def _invalid(field: str, message: str) -> ValidationFailed:
    return ValidationFailed("bad-subscription", message, fields={field: [message]})


def recipients_choices(*, actor: Actor, scope: Scope | None = None) -> list[Any]:
    """The staff a subscription may be sent to: active accounts with an e-mail address who work at a location in
    the actor's reach (and the actor)."""
    scope = scope or dashboard_scope(actor=actor)
    users = get_user_model().objects.filter(is_active=True).exclude(email="")
    ids = [loc.pk for loc in scope.locations]
    return list(users.filter(Q(locations__in=ids) | Q(pk=actor.pk)).distinct()
                .order_by("last_name", "first_name", "username"))


def _check(actor: Actor, data: SubscriptionInput) -> tuple[str, list[int]]:
    """Validate against the actor's reach; returns the time zone and the recipients' ids."""
    scope = dashboard_scope(actor=actor)
    if not scope.locations:
        raise NotFound("no-location", _("You are not assigned to any location."))
    if not data.name.strip():
        raise _invalid("name", _("Give the report a name."))
    unknown = [key for key in data.figures if key not in FIGURES]
    if unknown:
        raise _invalid("figures", _("Choose figures from the list."))
    location = None
    if data.location_id is not None:
        location = next((loc for loc in scope.locations if loc.pk == data.location_id), None)
        if location is None:
            raise NotFound()
    if data.practitioner_id is not None and all(p.pk != data.practitioner_id for p in scope.practitioners):
        raise NotFound()
    if data.appointment_type_id is not None and all(t.pk != data.appointment_type_id for t in scope.types):
        raise NotFound()
    if not 1 <= data.weeks <= 52:
        raise _invalid("weeks", _("Choose between 1 and 52 weeks."))
    if not 0 <= data.weekday <= 6:
        raise _invalid("weekday", _("Choose a day of the week."))
    if not 0 <= data.hour <= 23:
        raise _invalid("hour", _("Choose an hour between 0 and 23."))
    allowed = {user.pk for user in recipients_choices(actor=actor, scope=scope)}
    chosen = sorted(set(data.recipient_ids))
    if not chosen:
        raise _invalid("recipients", _("Choose at least one person to send it to."))
    if any(pk not in allowed for pk in chosen):
        raise _invalid("recipients", _("Choose people from the list."))
    return (location or scope.locations[0]).time_zone, chosen


def subscriptions_list(*, actor: Actor) -> QuerySet[ReportSubscription]:
    """The actor's subscriptions (every one for a practice-wide reports reader), with their recent deliveries."""
    require(actor, Perm.REPORTS_READ)
    found = ReportSubscription.objects.select_related("owner").prefetch_related("recipients").order_by("name", "pk")
    if not getattr(actor, "practice_wide", False):
        found = found.filter(owner_id=actor.pk)
    return found


def subscription_get(*, actor: Actor, subscription_id: int) -> ReportSubscription:
    found = subscriptions_list(actor=actor).filter(pk=subscription_id).first()
    if found is None:
        raise NotFound()
    return found


def deliveries_recent(*, actor: Actor, limit: int = 50) -> list[ReportDelivery]:
    """The latest deliveries of the actor's subscriptions (failures first), for the screen."""
    ids = subscriptions_list(actor=actor).values("pk")
    return list(ReportDelivery.objects.filter(subscription_id__in=ids).select_related("subscription", "recipient")
                .order_by("-period", "status", "pk")[:limit])


def _apply(subscription: ReportSubscription, data: SubscriptionInput, tz_name: str) -> None:
    subscription.name = data.name.strip()[:120]
    subscription.figures = [key for key in FIGURES if key in set(data.figures)]
    subscription.location_id, subscription.practitioner_id = data.location_id, data.practitioner_id
    subscription.appointment_type_id = data.appointment_type_id
    subscription.weeks, subscription.weekday, subscription.hour = data.weeks, data.weekday, data.hour
    subscription.time_zone, subscription.active = tz_name, data.active
    subscription.next_send_at = next_send_at(weekday=data.weekday, hour=data.hour, tz=zone(tz_name),
                                             after=clock.now())


def _detail(subscription: ReportSubscription, recipients: Sequence[int]) -> dict[str, Any]:
    return {"figures": subscription.figures, "location": subscription.location_id, "weekday": subscription.weekday,
            "hour": subscription.hour, "weeks": subscription.weeks, "recipients": list(recipients)}


@atomic_service
def subscription_create(*, actor: Actor, data: SubscriptionInput) -> ReportSubscription:
    tz_name, recipients = _check(actor, data)
    subscription = ReportSubscription(owner_id=actor.pk or 0)
    _apply(subscription, data, tz_name)
    subscription.save()
    subscription.recipients.set(recipients)
    record(actor, "insight.report_subscription.create", subscription, detail=_detail(subscription, recipients))
    return subscription


@atomic_service
def subscription_update(*, actor: Actor, subscription_id: int, data: SubscriptionInput) -> ReportSubscription:
    subscription = subscription_get(actor=actor, subscription_id=subscription_id)
    tz_name, recipients = _check(actor, data)
    _apply(subscription, data, tz_name)
    subscription.save()
    subscription.recipients.set(recipients)
    record(actor, "insight.report_subscription.update", subscription, detail=_detail(subscription, recipients))
    return subscription


@atomic_service
def subscription_delete(*, actor: Actor, subscription_id: int) -> None:
    subscription = subscription_get(actor=actor, subscription_id=subscription_id)
    record(actor, "insight.report_subscription.delete", subscription, detail={"name": subscription.name})
    subscription.delete()


# --- rendering and sending ------------------------------------------------------------------------------------------

def _subscription_params(subscription: ReportSubscription, send_day: dt.date) -> dict[str, str]:
    first, last = report_range(send_day, subscription.weeks)
    params = {"from": first.isoformat(), "to": last.isoformat()}
    for name, value in (("location", subscription.location_id), ("provider", subscription.practitioner_id),
                        ("type", subscription.appointment_type_id)):
        if value is not None:
            params[name] = str(value)
    return params


def _subscription_render(subscription: ReportSubscription, *, send_day: dt.date) -> tuple[str, bytes]:
    """The subject and the PDF, as the owner sees the dashboard (in the active language)."""
    owner = subscription.owner
    keys = list(subscription.figures) or list(FIGURES)
    board = dashboard_read(actor=owner, params=_subscription_params(subscription, send_day), keys=keys)
    f = board.filters
    where = f.location.name if f.location is not None else _("Every location")
    facts = [(_("Period"), f"{formats.date_format(f.first_day, 'SHORT_DATE_FORMAT')} \u2013 "
                           f"{formats.date_format(f.last_day, 'SHORT_DATE_FORMAT')}"), (_("Location"), where)]
    if f.practitioner is not None:
        facts.append((_("Provider"), str(f.practitioner)))
    if f.appointment_type is not None:
        facts.append((_("Type"), f.appointment_type.local_name))
    title = f"{subscription.name} · {where}"
    return title, dashboard_pdf(title=title, facts=facts, figures=board.figures)


def _mail(subscription: ReportSubscription, recipient: Any, send_day: dt.date) -> None:
    with translation.override(getattr(recipient, "language", "") or settings.LANGUAGE_CODE):
        title, pdf = _subscription_render(subscription, send_day=send_day)
        body = _("The report %(name)s for the weeks before %(day)s is attached as a PDF. It holds totals and rates "
                 "only, no patient information.") % {"name": subscription.name,
                                                     "day": formats.date_format(send_day, "DATE_FORMAT")}
        message = EmailMessage(subject=title, body=body, from_email=settings.DEFAULT_FROM_EMAIL, to=[recipient.email])
        message.attach(f"report-{send_day.isoformat()}.pdf", pdf, "application/pdf")
        message.send()


def _attempt(delivery: ReportDelivery) -> bool:
    delivery.attempts += 1
    try:
        _mail(delivery.subscription, delivery.recipient, delivery.period)
    except Exception as error:  # a mail server down, the owner lost the reach: kept, retried, shown
        log.warning("scheduled report delivery %s failed: %s", delivery.pk, type(error).__name__)
        reason = "no-access" if isinstance(error, DomainError) else "mail-failed"
        delivery.status, delivery.error = DeliveryStatus.FAILED, reason
        delivery.save(update_fields=["status", "attempts", "error"])
        return False
    delivery.status, delivery.error, delivery.sent_at = DeliveryStatus.SENT, "", clock.now()
    delivery.save(update_fields=["status", "attempts", "error", "sent_at"])
    return True


def reports_send_due(*, now: dt.datetime | None = None) -> int:
    """The periodic round (insight.tasks.send_due_reports): each active subscription whose send time has come gets
    one delivery row per recipient for that period (created once: a second round finds them), then every pending or
    failed delivery under MAX_ATTEMPTS is sent. Returns how many e-mails went out."""
    now = now or clock.now()
    for subscription in ReportSubscription.objects.filter(active=True, next_send_at__lte=now).order_by("pk"):
        tz = zone(subscription.time_zone)
        period = period_of(subscription.next_send_at, tz)
        with transaction.atomic():
            for recipient_id in subscription.recipients.values_list("pk", flat=True):
                try:
                    with transaction.atomic():
                        ReportDelivery.objects.create(subscription=subscription, period=period,
                                                      recipient_id=recipient_id)
                except IntegrityError:  # this period already reached this person
                    continue
            subscription.next_send_at = next_send_at(weekday=subscription.weekday, hour=subscription.hour, tz=tz,
                                                     after=max(now, subscription.next_send_at))
            subscription.save(update_fields=["next_send_at"])
    sent = 0
    waiting = (ReportDelivery.objects.filter(status__in=[DeliveryStatus.PENDING, DeliveryStatus.FAILED],
                                             attempts__lt=MAX_ATTEMPTS, subscription__active=True)
               .select_related("subscription__owner", "recipient").order_by("pk"))
    for delivery in waiting:
        sent += _attempt(delivery)
    if sent:
        record(None, "insight.report_subscription.send", resource_type="report", detail={"sent": sent})
    return sent


@atomic_service
def subscription_send_now(*, actor: Actor, subscription_id: int) -> str:
    """A preview: the report as it would go out today, e-mailed to the actor only (no delivery row: the period's
    scheduled send is unaffected). Returns the address it went to."""
    subscription = subscription_get(actor=actor, subscription_id=subscription_id)
    email = getattr(actor, "email", "")
    if not email:
        raise ValidationFailed("no-email", _("Your account has no e-mail address."))
    if not has_perm(subscription.owner, Perm.REPORTS_READ):
        raise ValidationFailed("owner-cannot-read", _("The owner of this report can no longer read reports."))
    day = clock.today_in(zone(subscription.time_zone))
    with translation.override(getattr(actor, "language", "") or settings.LANGUAGE_CODE):
        title, pdf = _subscription_render(subscription, send_day=day)
    record(actor, "insight.report_subscription.preview", subscription, detail={"to": actor.pk})

    def send() -> None:
        message = EmailMessage(subject=title, body=_("A preview of the scheduled report %(name)s.") % {
            "name": subscription.name}, from_email=settings.DEFAULT_FROM_EMAIL, to=[email])
        message.attach(f"report-{day.isoformat()}.pdf", pdf, "application/pdf")
        message.send()

    transaction.on_commit(send)
    return email
