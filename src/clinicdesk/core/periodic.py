"""Periodic housekeeping, registered by the apps and run by `clinicdesk tick`.

Core never imports an app: each app registers its jobs in AppConfig.ready(). A job *enqueues* a task (the
worker does the work), so the ticker is cheap, and every task it enqueues is safe to run twice: two tickers,
or a ticker restarted mid-interval, cost a duplicate no-op, never a duplicate message. The one exception is
the queue's own housekeeping (core.task_queue: two cheap statements), which cannot wait on a queue whose
worker may have died.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field


@dataclass
class PeriodicJob:
    name: str
    every_seconds: float
    enqueue: Callable[[], object]
    # A cheap check run before enqueueing (e.g. "is any message due?"); None: always enqueue.
    is_due: Callable[[], bool] | None = None
    last_run: float | None = field(default=None, compare=False)


JOBS: dict[str, PeriodicJob] = {}


def register(name: str, *, every_seconds: float, enqueue: Callable[[], object],
             is_due: Callable[[], bool] | None = None) -> None:
    """Add (or replace, so that a reloaded app does not register twice) a job."""
    JOBS[name] = PeriodicJob(name, every_seconds, enqueue, is_due)


def run_due(now: float) -> list[str]:
    """Enqueue every job whose interval has passed at monotonic time `now`; return their names."""
    ran = []
    for job in JOBS.values():
        if job.last_run is not None and now - job.last_run < job.every_seconds:
            continue
        job.last_run = now
        if job.is_due is None or job.is_due():
            job.enqueue()
            ran.append(job.name)
    return ran
