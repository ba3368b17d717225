"""The embedded task queue's housekeeping: a task left RUNNING by a killed worker runs again; old results go."""

import datetime as dt

import pytest
from django.core.management import call_command
from django_tasks_db.compat import TaskResultStatus
from django_tasks_db.models import DBTaskResult

from clinicdesk.core import task_queue
from clinicdesk.frontdesk.tasks import escalate_triage_slips

DATABASE_QUEUE = {"default": {"BACKEND": task_queue.DATABASE_BACKEND, "QUEUES": ["default", "reminders"]}}


@pytest.fixture
def database_queue(settings):
    settings.TASKS = DATABASE_QUEUE  # django_tasks rebuilds its backends when the setting changes


def _stalled(minutes_ago: int) -> DBTaskResult:
    result = escalate_triage_slips.enqueue()
    row = DBTaskResult.objects.get(pk=result.id)
    row.claim("killed-worker")
    DBTaskResult.objects.filter(pk=row.pk).update(started_at=row.started_at - dt.timedelta(minutes=minutes_ago))
    return row


def test_a_task_left_running_by_a_killed_worker_is_queued_again_and_run(database_queue, transactional_db):
    stalled, busy = _stalled(minutes_ago=40), _stalled(minutes_ago=2)
    assert task_queue.tasks_requeue_stalled() == 1
    stalled.refresh_from_db()
    busy.refresh_from_db()
    assert stalled.status == TaskResultStatus.READY and stalled.started_at is None
    assert busy.status == TaskResultStatus.RUNNING  # still within any task's time: left to its worker
    call_command("db_worker", "--batch", "--no-startup-delay", "--worker-id", "restarted", "--queue-name", "default")
    stalled.refresh_from_db()
    assert stalled.status == TaskResultStatus.SUCCESSFUL and stalled.worker_ids == ["killed-worker", "restarted"]


def test_results_finished_more_than_a_week_ago_are_pruned(database_queue, transactional_db):
    old, recent = (escalate_triage_slips.enqueue() for _ in range(2))
    call_command("db_worker", "--batch", "--no-startup-delay", "--queue-name", "default")
    DBTaskResult.objects.filter(pk=old.id).update(finished_at=dt.datetime(2020, 1, 1, tzinfo=dt.UTC))
    assert task_queue.tasks_prune_finished() == 1
    assert [str(pk) for pk in DBTaskResult.objects.values_list("pk", flat=True)] == [str(recent.id)]


def test_nothing_is_touched_when_another_backend_runs_the_work(settings):
    assert settings.TASKS["default"]["BACKEND"] != task_queue.DATABASE_BACKEND  # tests run work at once
    assert task_queue.tasks_requeue_stalled() == 0 and task_queue.tasks_prune_finished() == 0
