"""Background work of the compliance app: thin wrappers over services. Safe to run twice."""

from __future__ import annotations

from django_tasks import task

from . import services


@task()
def escalate_overdue_duties() -> int:
    """Flag overdue calendar occurrences to the practice coordinator; open any missing next occurrence."""
    return services.duties_escalate_overdue()


@task()
def remind_policy_acknowledgements() -> int:
    """Remind staff of policy versions they have not acknowledged (at most once a week each)."""
    return services.policy_reminders_due()
