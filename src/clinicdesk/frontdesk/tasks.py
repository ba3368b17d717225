"""Background work: thin wrappers that call services. Safe to run twice."""

from __future__ import annotations

from django_tasks import task

from . import services


@task()
def escalate_triage_slips() -> int:
    """Stamp open triage slips that waited past their priority's limit (the inbox also computes it on read)."""
    return services.slips_escalate_due()


@task()
def create_no_show_task(appointment_id: int) -> int | None:
    task_row = services.no_show_task_create(appointment_id=appointment_id)
    return task_row.pk if task_row else None
