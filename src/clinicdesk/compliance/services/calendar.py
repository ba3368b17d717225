"""The compliance calendar: recurring duties (the built-in eyewash and fire-extinguisher checks, and any the
practice adds), each with at most one open dated occurrence. Completing an occurrence with its evidence opens the
next one, one interval after the one completed. A periodic job escalates overdue occurrences to the practice
coordinator (a flag on the occurrence, shown on the dashboard, and an audit entry) and opens any missing ones."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.utils.translation import gettext as _

from clinicdesk.accounts.models import User
from clinicdesk.audit.services import atomic_service, record
from clinicdesk.core import clock
from clinicdesk.core.exceptions import Conflict, NotFound
from clinicdesk.core.permissions import Actor, Perm, Role, require, staff_user

from ..models import BUILT_IN_DUTIES, Duty, DutyKind, Occurrence, Recurrence, next_due
from ._common import Errors, choice, clean_text, location, not_future, today_at
from ._files import store_file


def _staff(errors: Errors, name: str, user_id: Any, location_id: int) -> User | None:
    from .. import selectors  # the same list the forms offer

    if not isinstance(user_id, int) or user_id not in {pk for pk, _name in selectors.staff_at(location_id)}:
        errors.add(name, _("Choose a staff member at this location."))
        return None
    return User.objects.get(pk=user_id)


@atomic_service
def duty_add(*, actor: Actor, location_id: int, title: str, owner_id: int | None, recurrence: str,
             starts_on: dt.date | None) -> Duty:
    """A recurring duty the practice adds; its first occurrence is due on `starts_on`."""
    require(actor, Perm.COMPLIANCE_ADMIN, location=location_id, resource_type="duty")
    where = location(location_id)
    errors = Errors()
    title = clean_text(errors, "title", title, label=_("Title"), max_length=160, required=True)
    owner = _staff(errors, "owner", owner_id, location_id)
    recurrence = choice(errors, "recurrence", recurrence, Recurrence, label=_("Recurrence"))
    if starts_on is None:
        errors.add("starts_on", _("Give the day it is first due."))
    elif starts_on < today_at(where) - dt.timedelta(days=366):
        errors.add("starts_on", _("The first due day may be at most a year ago."))
    errors.raise_if_any("invalid-duty")
    assert owner is not None and starts_on is not None
    duty = Duty.objects.create(location=where, kind=DutyKind.CUSTOM, title=title, owner=owner,
                               recurrence=recurrence, starts_on=starts_on, created_by=staff_user(actor))
    Occurrence.objects.create(duty=duty, due_on=starts_on, owner=owner)
    record(actor, "duty.add", duty, detail={"recurrence": recurrence, "starts_on": starts_on.isoformat()})
    return duty


@atomic_service
def builtin_duties_ensure(*, actor: Actor, location_id: int, owner_id: int) -> list[Duty]:
    """Give a location the built-in OSHA duties it lacks (first due today)."""
    require(actor, Perm.COMPLIANCE_ADMIN, location=location_id, resource_type="duty")
    where = location(location_id)
    made = []
    for kind, recurrence in BUILT_IN_DUTIES:
        if Duty.objects.filter(location=where, kind=kind).exists():
            continue
        duty = Duty.objects.create(location=where, kind=kind, title=str(DutyKind(kind).label), owner_id=owner_id,
                                   recurrence=recurrence, starts_on=today_at(where), created_by=staff_user(actor))
        Occurrence.objects.create(duty=duty, due_on=duty.starts_on, owner_id=owner_id)
        record(actor, "duty.add", duty, detail={"recurrence": recurrence, "built_in": True})
        made.append(duty)
    return made


@atomic_service
def occurrence_complete(*, actor: Actor, occurrence_id: int, done_on: dt.date | None, evidence_note: str = "",
                        evidence_file: Any = None) -> Occurrence:
    """Record a duty done, with its evidence (a note, a file or both); opens the next occurrence."""
    occurrence = (Occurrence.objects.select_for_update(of=("self",)).select_related("duty", "duty__location")
                  .filter(pk=occurrence_id).first())
    if occurrence is None:
        raise NotFound()
    duty = occurrence.duty
    require(actor, Perm.COMPLIANCE_ADMIN, location=duty.location_id, resource_type="occurrence",
            resource_id=occurrence_id, hide=True)
    if occurrence.done_on is not None:
        raise Conflict("occurrence-done", _("This duty is already recorded as done."))
    errors = Errors()
    note = clean_text(errors, "evidence_note", evidence_note, label=_("Evidence"), max_length=500)
    if done_on is None:
        errors.add("done_on", _("Give the day it was done."))
    not_future(errors, "done_on", done_on, today_at(duty.location), label=_("The day it was done"))
    if not note and evidence_file is None:
        errors.add("evidence_note", _("Give the evidence: a note of what was checked, a file, or both."))
    errors.raise_if_any("invalid-completion")
    assert done_on is not None
    occurrence.evidence_file = store_file(actor, evidence_file, field="evidence_file")
    occurrence.done_on, occurrence.done_by, occurrence.evidence_note = done_on, staff_user(actor), note
    occurrence.save(update_fields=["done_on", "done_by", "evidence_note", "evidence_file"])
    record(actor, "duty.complete", occurrence, detail={"duty": duty.pk, "due_on": occurrence.due_on.isoformat(),
                                                       "done_on": done_on.isoformat(),
                                                       "late": done_on > occurrence.due_on})
    if duty.active:
        Occurrence.objects.create(duty=duty, due_on=next_due(occurrence.due_on, duty.recurrence), owner=duty.owner)
    return occurrence


def _coordinator() -> User | None:
    return User.objects.filter(role=Role.PRACTICE_COORDINATOR, is_active=True).order_by("pk").first()


@atomic_service
def duties_escalate_overdue() -> int:
    """Run by the worker: flag every overdue, unflagged occurrence to the practice coordinator, and open an
    occurrence for any active duty that has none. Safe to run twice."""
    now = clock.now()
    coordinator = _coordinator()
    count = 0
    for occurrence in (Occurrence.objects.select_for_update(of=("self",)).select_related("duty__location")
                       .filter(done_on__isnull=True, escalated_at__isnull=True, duty__active=True)
                       .order_by("pk")):
        if occurrence.due_on >= clock.today_in(occurrence.duty.location.tz):
            continue
        occurrence.escalated_at, occurrence.escalated_to = now, coordinator
        occurrence.save(update_fields=["escalated_at", "escalated_to"])
        record(None, "duty.escalate", occurrence, detail={
            "duty": occurrence.duty_id, "due_on": occurrence.due_on.isoformat(),
            "to": coordinator.pk if coordinator else None})
        count += 1
    for duty in Duty.objects.filter(active=True).exclude(occurrences__done_on__isnull=True).order_by("pk"):
        last = duty.occurrences.order_by("-due_on").first()
        due = next_due(last.due_on, duty.recurrence) if last else duty.starts_on
        Occurrence.objects.get_or_create(duty=duty, due_on=due, defaults={"owner_id": duty.owner_id})
    return count
