"""Messages for the outreach app (#24 items 3 and 4): workshop reminders, waitlist promotions and survey links.

A patient's message goes through the outbox like any other (consent by `contact_refusal` for the purpose, quiet
hours by `next_sendable`, the patient's language chosen by the caller from `patient_language`). A non-patient
contact has no chart, so no outbox row: their message goes straight to the channel, only outside quiet hours
(the caller's periodic task tries again later), only when the caller has their recorded agreement, and only to an
address `address_refusal` allows for the purpose (a STOP or an unsubscribe from that address holds).
Purposes: "outreach" (marketing: needs a granted consent record for the channel) unless the caller says the
message is about something the person signed up for ("appointment": an event place, its reminder)."""

from __future__ import annotations

from typing import Any

from django.db import transaction

from clinicdesk.core import clock

from . import content
from .channels import DeliveryError, EmailSender, Outgoing, sms_gateway
from .consent import address_for, address_refusal, contact_refusal
from .models import Channel, Kind, Message, Status
from .quiet_hours import next_sendable


def patient_language(patient: Any) -> str:
    """'en' or 'es': the language the patient's messages are written in."""
    return content.language_for(patient)


def outreach_channel_for(patient: Any, *, purpose: str = "outreach") -> str | None:
    """E-mail, else a text message, whichever the patient may be reached by for `purpose`; None: neither."""
    for channel in (Channel.EMAIL, Channel.SMS):
        if not contact_refusal(patient, channel, purpose=purpose):
            return str(channel)
    return None


def outreach_message_queue(*, patient: Any, subject: str, body: str, dedupe_key: str,
                           purpose: str = "outreach") -> Message | None:
    """Queue one written message to a patient in the outbox (sent by the usual worker, held through quiet hours).
    None when the patient may not be contacted for `purpose` by any channel. Queued once per `dedupe_key`."""
    channel = outreach_channel_for(patient, purpose=purpose)
    if channel is None:
        return None
    now = clock.now()
    message, _created = Message.objects.get_or_create(dedupe_key=dedupe_key[:120], defaults={
        "patient": patient, "kind": Kind.MANUAL, "channel": channel, "to_address": address_for(patient, channel),
        "language": patient_language(patient), "subject": subject[:200],
        "body": body if channel == Channel.EMAIL else body[:480], "status": Status.QUEUED, "purpose": purpose,
        "send_after": next_sendable(now, patient.home_location.tz)})

    from .tasks import send_due_messages

    transaction.on_commit(lambda: send_due_messages.enqueue())
    return message


def outreach_contact_channel(*, email: str, phone: str, purpose: str = "outreach") -> tuple[str, str] | None:
    """(channel, address): e-mail if the contact may be written to there for `purpose`, else a text; None: neither."""
    for channel, address in ((Channel.EMAIL, email), (Channel.SMS, phone)):
        if address and not address_refusal(address, channel, purpose=purpose):
            return str(channel), address
    return None


def outreach_contact_send(*, email: str, phone: str, subject: str, body: str, key: str, tz: Any,
                          purpose: str = "outreach") -> bool:
    """Send one message to a non-patient contact now, by e-mail if they may be written to there for `purpose`, else
    by text. False when it is quiet hours at `tz`, no address is allowed, or the channel failed (try again later)."""
    now = clock.now()
    reach = outreach_contact_channel(email=email, phone=phone, purpose=purpose)
    if next_sendable(now, tz) > now or reach is None:
        return False
    channel, address = reach
    email = address if channel == Channel.EMAIL else ""
    outgoing = Outgoing(to=address, subject=subject[:200], body=body if email else body[:480],
                        idempotency_key=key[:120], message_id_header=f"<{key.replace(':', '.')}@clinicdesk.invalid>")
    try:
        if email:
            with EmailSender() as sender:
                sender.send(outgoing)
        else:
            sms_gateway().send(outgoing)
    except DeliveryError:
        return False
    return True
