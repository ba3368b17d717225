"""Background work of the outreach app: thin wrappers over `messaging`. Each is safe to run twice."""

from __future__ import annotations

from django_tasks import task

from . import messaging


@task(queue_name="reminders")
def send_event_reminders() -> int:
    return messaging.event_reminders_send()


@task(queue_name="reminders")
def send_event_surveys() -> int:
    return messaging.event_surveys_send()
