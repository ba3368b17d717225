"""Keeping the embedded task queue healthy (TASK_BACKEND=database, the default).

A worker killed mid-task (SIGKILL, out of memory, a power cut) leaves its task RUNNING for ever: the database
backend never looks at it again, so, say, a waitlist offer for a freed slot would never go out. Every
Clinicdesk task is safe to run twice, so the ticker puts a task that has been running far longer than any of
them takes back in the queue. Finished results are kept a week, for looking into a problem, then deleted, so
that the table does not grow for ever. With Redis (RQ) the broker keeps its own registries; nothing here runs.
"""

from __future__ import annotations

import datetime as dt
import logging

from django.conf import settings

from . import clock

logger = logging.getLogger(__name__)

DATABASE_BACKEND = "django_tasks_db.DatabaseBackend"
STALLED_AFTER = dt.timedelta(minutes=15)  # the longest task budgets about a minute (comms.tasks)
KEEP_FINISHED = dt.timedelta(days=7)
PRUNE_BATCH = 5000


def uses_database_queue() -> bool:
    return bool(settings.TASKS["default"]["BACKEND"] == DATABASE_BACKEND)


def tasks_requeue_stalled(*, older_than: dt.timedelta = STALLED_AFTER) -> int:
    """Put tasks RUNNING for longer than `older_than` back in the queue; returns how many."""
    if not uses_database_queue():
        return 0
    from django_tasks_db.compat import TaskResultStatus
    from django_tasks_db.models import DBTaskResult

    requeued = DBTaskResult.objects.filter(status=TaskResultStatus.RUNNING,
                                           started_at__lt=clock.now() - older_than) \
        .update(status=TaskResultStatus.READY, started_at=None)
    if requeued:
        logger.warning("requeued %d background task(s) whose worker stopped mid-run", requeued)
    return requeued


def tasks_prune_finished(*, older_than: dt.timedelta = KEEP_FINISHED) -> int:
    """Delete results that finished (successfully or not) before `older_than` ago; returns how many."""
    if not uses_database_queue():
        return 0
    from django_tasks_db.compat import TaskResultStatus
    from django_tasks_db.models import DBTaskResult

    old = DBTaskResult.objects.filter(status__in=[TaskResultStatus.SUCCESSFUL, TaskResultStatus.FAILED],
                                      finished_at__lt=clock.now() - older_than)
    deleted = 0
    while ids := list(old.values_list("pk", flat=True)[:PRUNE_BATCH]):
        deleted += DBTaskResult.objects.filter(pk__in=ids).delete()[0]
    return deleted
