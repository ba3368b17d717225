"""Background work: thin wrappers that call services. Every one is safe to run twice (a coverage with a fresh
answer is not asked again)."""

from __future__ import annotations

from django_tasks import task

from . import services


@task()
def verify_tomorrow() -> int:
    """The evening batch: tomorrow's schedule (insurance.services.eligibility_tomorrow)."""
    return services.eligibility_tomorrow().asked
