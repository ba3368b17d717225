"""The scheduling app's background work, enqueued by the ticker."""

from __future__ import annotations

from django_tasks import task

from . import free_time


@task()
def prune_remembered_days() -> int:
    return free_time.remembered_days_prune()
