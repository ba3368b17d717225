"""Background work: thin wrappers that call services. Every one is safe to run twice."""

from __future__ import annotations

import time

from django_tasks import task

from . import delivery, services

# A job stops claiming after this long and hands the rest of a burst to a fresh job, so that no job
# outlives a broker's job timeout (RQ kills a job after 180 s by default, leaving its claim to the lease).
SEND_JOB_BUDGET_SECONDS = 60.0


@task(queue_name="reminders")
def send_due_messages(limit: int = 500) -> int:
    """Send what is due, batch by batch, for up to SEND_JOB_BUDGET_SECONDS; then enqueue a successor."""
    started = time.monotonic()
    total = 0
    while (claimed := delivery.messages_send_due(limit=limit)) > 0:
        total += claimed
        if time.monotonic() - started > SEND_JOB_BUDGET_SECONDS:
            send_due_messages.enqueue(limit)
            break
    return total


@task(queue_name="reminders")
def notify_due_recalls() -> int:
    return services.recalls_notify_due()


@task(queue_name="reminders")
def plan_reminders(appointment_id: int) -> int:
    return services.reminders_plan(appointment_id=appointment_id)


@task(queue_name="reminders")
def plan_missed_reminders() -> int:
    return services.reminders_plan_missed()


@task(queue_name="reminders")
def offer_freed_slot(appointment_id: int, practitioner_id: int, location_id: int, appointment_type_id: int,
                     start: str, end: str) -> int | None:
    import datetime as dt

    from .offers import waitlist_offer_slot

    offer = waitlist_offer_slot(appointment_id=appointment_id, practitioner_id=practitioner_id,
                                location_id=location_id, appointment_type_id=appointment_type_id,
                                start=dt.datetime.fromisoformat(start), end=dt.datetime.fromisoformat(end))
    return offer.pk if offer else None


@task(queue_name="reminders")
def no_show_follow_up(appointment_id: int) -> int | None:
    message = services.no_show_follow_up(appointment_id=appointment_id)
    return message.pk if message else None


@task(queue_name="reminders")
def fetch_incoming_mail() -> int:
    from .incoming import mail_intake_fetch

    return mail_intake_fetch()
