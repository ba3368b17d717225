"""Background work of the staffing app: thin wrappers that call services."""

from __future__ import annotations

from django_tasks import task

from clinicdesk.core.permissions import Perm, SystemActor


@task()
def resolve_rosters_for_leave(leave_id: int) -> int:
    """Approved leave took shifts out of published rosters: re-solve them into drafts for the coordinator."""
    from .leave_services import leave_rosters_resolve

    actor = SystemActor("leave-roster", frozenset({Perm.STAFFING_ADMIN}))
    return len(leave_rosters_resolve(actor=actor, leave_id=leave_id))


@task()
def remind_expiring_trainings() -> int:
    """Daily: e-mail people and coordinators about trainings running out in 60, 30 and 7 days."""
    from .training_services import trainings_remind

    return trainings_remind()
