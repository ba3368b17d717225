"""Background work for statements (#19 item 8): a thin wrapper over the service, safe to run twice a day (one
statement per patient and day, a unique constraint)."""

from __future__ import annotations

from django_tasks import task

from .services import statements_run_due


@task(queue_name="default")
def run_statement_cycle() -> int:
    """On the practice's cycle day, make the statements that are due; other days, nothing."""
    return statements_run_due()
