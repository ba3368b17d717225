"""Sending the outbox: claim due messages, hand them to their channel, record what happened.

Exactly-once, as far as the far side allows:
- a worker claims a batch in one short transaction (row locks skipped by other workers on PostgreSQL,
  the write lock on SQLite) and holds a lease on each message;
- just before talking to the provider it commits `handed_to_provider_at` for a small chunk of them
  (COMMS_HANDOFF_CHUNK, 5 by default), and records the chunk's results together afterwards;
- a worker that dies leaves messages in `sending` with an expired lease. On recovery, those never
  handed over go back to the queue; those handed over (e-mail or SMS alike) are "in doubt": the provider
  may have sent them, and nothing here can tell, so they are failed onto the worklist for a person to
  check rather than sent twice. The SMS gateway's idempotency key is a second guard, not the rule: a
  gateway that ignores it would send the text again.
- a send that may have reached the provider before it failed (the SMS gateway took the request but no
  answer came back) is in doubt in the same way, and settled by the same rule.
"""

from __future__ import annotations

import datetime as dt
import logging
import time
from collections.abc import Callable, Iterable

from django.conf import settings
from django.db import connection, transaction
from django.db.models import F
from django.utils import translation
from django.utils.translation import gettext as _

from clinicdesk.core import clock
from clinicdesk.scheduling.models import AppointmentStatus

from . import quiet_hours
from .channels import DeliveryError, EmailSender, Outgoing, SmsGateway, sms_gateway
from .consent import consent_prefetch, contact_refusal
from .models import Channel, Kind, Message, MessageEvent, Status, plan_stamp
from .quiet_hours import next_sendable

logger = logging.getLogger(__name__)

LEASE = dt.timedelta(seconds=settings.COMMS_LEASE_SECONDS)
MAX_ATTEMPTS = 6
BACKOFF_MINUTES = (1, 5, 15, 60, 240)


def _event(message_id: int, status: str, detail: str = "") -> MessageEvent:
    return MessageEvent(message_id=message_id, at=clock.now(), status=status, detail=detail[:300])


# What the worklist shows for a message that may or may not have reached the patient.
IN_DOUBT = "in doubt: handed to the provider, but no result was recorded; check before resending"


def _settle_in_doubt(pks: list[int], detail: str) -> None:
    """The one rule for a message handed to the provider whose result is unknown: never resent by itself,
    failed onto the worklist for a person to check (call it inside a transaction)."""
    if not pks:
        return
    Message.objects.filter(pk__in=pks).update(status=Status.FAILED, lease_until=None, last_error=IN_DOUBT)
    MessageEvent.objects.bulk_create([_event(pk, Status.FAILED, f"{IN_DOUBT} ({detail})") for pk in pks])


def messages_recover_expired() -> int:
    """Settle messages whose worker died mid-send (see the module docstring)."""
    now = clock.now()
    with transaction.atomic():
        stuck = list(Message.objects.filter(status=Status.SENDING, lease_until__lt=now)
                     .values_list("pk", "handed_to_provider_at"))
        requeue = [pk for pk, handed in stuck if handed is None]
        Message.objects.filter(pk__in=requeue).update(status=Status.QUEUED, lease_until=None)
        MessageEvent.objects.bulk_create([_event(pk, Status.QUEUED, "lease expired; requeued") for pk in requeue])
        _settle_in_doubt([pk for pk, handed in stuck if handed is not None], "the sender stopped")
    return len(stuck)


def messages_due_exist() -> bool:
    """True when a queued message is due or a sending lease has expired: the ticker's cheap check."""
    now = clock.now()
    return (Message.objects.filter(status=Status.QUEUED, send_after__lte=now).exists()
            or Message.objects.filter(status=Status.SENDING, lease_until__lt=now).exists())


def messages_claim(*, limit: int) -> list[Message]:
    now = clock.now()
    with transaction.atomic():
        due = Message.objects.filter(status=Status.QUEUED, send_after__lte=now).order_by("send_after", "pk")
        if connection.features.has_select_for_update_skip_locked:
            due = due.select_for_update(skip_locked=True)
        ids = list(due.values_list("pk", flat=True)[:limit])
        Message.objects.filter(pk__in=ids).update(status=Status.SENDING, lease_until=now + LEASE,
                                                  attempts=F("attempts") + 1)
    return list(Message.objects.filter(pk__in=ids).select_related("patient__home_location", "appointment")
                .order_by("pk"))


def _set(message: Message, **fields: object) -> None:
    Message.objects.filter(pk=message.pk).update(**fields)
    for name, value in fields.items():
        setattr(message, name, value)


def _speaks_of_a_past_booking(message: Message) -> bool:
    """A confirmation or reminder names one booked time. Cancelling or moving the appointment withdraws it, by a
    job enqueued after the change commits; should that job be lost, this last look keeps the message from
    telling the patient about a visit that is no longer there (and has the moved one planned again)."""
    if message.kind not in (Kind.CONFIRMATION, Kind.REMINDER):
        return False
    appointment = message.appointment
    if appointment is None or appointment.status != AppointmentStatus.BOOKED:
        return True
    if message.dedupe_key.endswith(plan_stamp(appointment.start)):
        return False
    from .tasks import plan_reminders

    appointment_id = appointment.pk
    transaction.on_commit(lambda: plan_reminders.enqueue(appointment_id))
    return True


def _ready(message: Message, now: dt.datetime, quiet: tuple[int, int] | None = None) -> bool:
    """Checks made at the last moment: the appointment still as the message says, consent (an opt-out counts at
    once) and quiet hours."""
    if _speaks_of_a_past_booking(message):
        with transaction.atomic():
            _set(message, status=Status.SUPPRESSED, lease_until=None, last_error="appointment changed")
            _event(message.pk, Status.SUPPRESSED, "appointment changed").save()
        return False
    if contact_refusal(message.patient, message.channel, purpose=message.purpose):
        with transaction.atomic():
            _set(message, status=Status.SUPPRESSED, lease_until=None, last_error="patient opted out")
            _event(message.pk, Status.SUPPRESSED, "patient opted out").save()
        return False
    if (later := next_sendable(now, message.patient.home_location.tz, quiet)) > now:
        with transaction.atomic():
            _set(message, status=Status.QUEUED, send_after=later, lease_until=None, attempts=message.attempts - 1)
            _event(message.pk, Status.QUEUED, "quiet hours; held until morning").save()
        return False
    return True


# Messages sent to a patient who agreed to hear from the practice, not about their care or account: an e-mail
# carries an unsubscribe link (in the body and as the List-Unsubscribe header, one click), a text says STOP.
MARKETING_PURPOSES = ("outreach",)


def outgoing_for(message: Message) -> Outgoing:
    """What goes to the channel for one outbox message. An outreach e-mail gets its unsubscribe link (signed for
    the patient and the purpose, in the message's language) and the one-click headers; an outreach text message
    says how to reply STOP unless its wording already does. Appointment and billing messages go as written."""
    body, unsubscribe = message.body, ""
    if message.purpose in MARKETING_PURPOSES and message.patient_id:
        with translation.override(message.language or "en"):
            if message.channel == Channel.EMAIL:
                from .services import unsubscribe_url

                unsubscribe = unsubscribe_url(patient_id=message.patient_id, purpose=message.purpose)
                body = "{}\n\n--\n{}".format(body.rstrip(), _(
                    "You receive this because you agreed to hear from us about our programs and events. To stop "
                    "these e-mails: %(url)s") % {"url": unsubscribe})
            elif message.channel == Channel.SMS and "STOP" not in body.upper():
                body = "{} {}".format(body.rstrip(), _("Reply STOP to opt out."))
    return Outgoing(to=message.to_address, subject=message.subject, body=body,
                    idempotency_key=message.dedupe_key, message_id_header=message.message_id_header,
                    ics=message.ics, unsubscribe_url=unsubscribe)


def _deliver_chunk(chunk: list[Message], send: Callable[[Outgoing], str]) -> None:
    """Hand a few messages over: mark them handed (durably), send, then record the results together.
    A crash in between leaves at most this chunk in doubt (see the module docstring)."""
    now, quiet = clock.now(), quiet_hours.current()
    with consent_prefetch(m.patient for m in chunk):  # one query for the chunk's consent records
        ready = [m for m in chunk if _ready(m, now, quiet)]
    if not ready:
        return
    Message.objects.filter(pk__in=[m.pk for m in ready]).update(handed_to_provider_at=now)
    sent: list[Message] = []
    for message in ready:
        outgoing = outgoing_for(message)
        try:
            message.provider_id = send(outgoing)[:80]
        except DeliveryError as error:
            _failed(message, error)
            continue
        message.status, message.sent_at, message.lease_until, message.last_error = Status.SENT, clock.now(), None, ""
        sent.append(message)
    with transaction.atomic():
        Message.objects.bulk_update(sent, ["status", "provider_id", "sent_at", "lease_until", "last_error"])
        MessageEvent.objects.bulk_create([_event(m.pk, Status.SENT) for m in sent])


def _failed(message: Message, error: DeliveryError) -> None:
    with transaction.atomic():
        if error.in_doubt:
            _settle_in_doubt([message.pk], str(error))
            message.status, message.lease_until, message.last_error = Status.FAILED, None, IN_DOUBT
            return
        if error.permanent or message.attempts >= MAX_ATTEMPTS:
            _set(message, status=Status.FAILED, lease_until=None, last_error=str(error)[:300])
            _event(message.pk, Status.FAILED, str(error)).save()
            return
        wait = BACKOFF_MINUTES[min(message.attempts, len(BACKOFF_MINUTES)) - 1]
        _set(message, status=Status.QUEUED, lease_until=None, handed_to_provider_at=None,
             send_after=clock.now() + dt.timedelta(minutes=wait), last_error=str(error)[:300])
        _event(message.pk, Status.QUEUED, f"retry in {wait} min: {error}").save()


class Pacer:
    """At most `rate` sends a second on one channel (the provider's limit, COMMS_RATE_EMAIL / COMMS_RATE_SMS): each
    send waits for its slot. One per channel per worker process, so the pace holds across the worker's passes."""

    def __init__(self, rate: int) -> None:
        self.gap = 1.0 / rate if rate > 0 else 0.0
        self.next = 0.0

    def paced(self, send: Callable[[Outgoing], str]) -> Callable[[Outgoing], str]:
        def go(outgoing: Outgoing) -> str:
            if self.gap:
                now = monotonic()
                if self.next > now:
                    pause(self.next - now)
                self.next = max(now, self.next) + self.gap
            return send(outgoing)

        return go


pause, monotonic = time.sleep, time.monotonic  # a test counts the pauses on its own clock instead of sleeping
_PACERS: dict[tuple[str, int], Pacer] = {}


def pacer(channel: str) -> Pacer:
    rate = settings.COMMS_RATE_EMAIL if channel == Channel.EMAIL else settings.COMMS_RATE_SMS
    return _PACERS.setdefault((channel, rate), Pacer(rate))


def messages_send_due(*, limit: int = 200, gateway: SmsGateway | None = None) -> int:
    """One pass of the sender: recover, claim up to `limit` due messages, send them. Returns how many
    were claimed; the worker calls it again while there is work."""
    messages_recover_expired()
    claimed = messages_claim(limit=limit)
    if not claimed:
        return 0
    _send_batch(claimed, gateway or _lazy_gateway(claimed))
    return len(claimed)


def _lazy_gateway(messages: Iterable[Message]) -> SmsGateway | None:
    return sms_gateway() if any(m.channel == Channel.SMS for m in messages) else None


def _chunks(messages: list[Message]) -> Iterable[list[Message]]:
    size = settings.COMMS_HANDOFF_CHUNK
    for first in range(0, len(messages), size):
        yield messages[first:first + size]


def _send_batch(messages: list[Message], gateway: SmsGateway | None) -> None:
    emails = [m for m in messages if m.channel == Channel.EMAIL]
    texts = [m for m in messages if m.channel == Channel.SMS]
    if emails:
        try:
            with EmailSender() as sender:
                send = pacer(Channel.EMAIL).paced(sender.send)
                for chunk in _chunks(emails):
                    _deliver_chunk(chunk, send)
        except OSError as exc:  # the server could not be reached at all: retry those not handed over
            for message in Message.objects.filter(pk__in=[m.pk for m in emails], status=Status.SENDING,
                                                  handed_to_provider_at__isnull=True):
                _failed(message, DeliveryError(f"SMTP unreachable: {type(exc).__name__}"))
    if texts:
        assert gateway is not None
        send = pacer(Channel.SMS).paced(gateway.send)
        for chunk in _chunks(texts):
            _deliver_chunk(chunk, send)
