"""Reads of training and certifications (#20 item 6): whether a person's certification is current on a day (for
the roster engine, the swap checks and other apps), the compliance matrix (staff x training), a person's own
records, and the evidence file of a record.

Staff data, not patient data. The matrix and anyone's records are for the practice coordinator
(Perm.STAFFING_ADMIN at the location); everyone reads their own.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import IO, Any

from django.contrib.auth import get_user_model
from django.core.files.storage import default_storage
from django.db.models import QuerySet

from clinicdesk.core.exceptions import NotFound
from clinicdesk.core.permissions import Actor, Perm, has_perm, require

from . import engine
from .models import ShiftType, StaffMember, Training, TrainingRecord

DUE_SOON_DAYS = 30
CERTIFICATION_RULE = "certification"  # the engine's rule name for a shift barred by an expired training


def certification_current(user_id: int, training_code: str, on_date: dt.date) -> bool:
    """Whether `user_id` holds a record of the training `training_code` valid on `on_date` (completed on or before
    it and valid until it or later). An unknown training code is never current."""
    return TrainingRecord.objects.filter(user_id=user_id, training__code=training_code,
                                         completed_on__lte=on_date, valid_until__gte=on_date).exists()


def _spans(user_ids: Iterable[int], training_ids: Iterable[int]) -> dict[tuple[int, int], list[tuple[dt.date,
                                                                                                     dt.date]]]:
    found: dict[tuple[int, int], list[tuple[dt.date, dt.date]]] = defaultdict(list)
    for user_id, training_id, start, stop in TrainingRecord.objects.filter(
            user_id__in=list(user_ids), training_id__in=list(training_ids)).values_list(
            "user_id", "training_id", "completed_on", "valid_until"):
        found[user_id, training_id].append((start, stop))
    return found


def _current(spans: list[tuple[dt.date, dt.date]], day: dt.date) -> bool:
    return any(start <= day <= stop for start, stop in spans)


def certification_bars(*, members: list[StaffMember], shifts: Mapping[str, ShiftType],
                       cover: Iterable[engine.Cover], period_start: dt.date, horizon: int,
                       staff_key: Callable[[int], str], skill_key: Callable[[int], str],
                       ) -> dict[str, dict[tuple[int, str], str]]:
    """For the engine: per staff key, the (day, shift code) pairs they may not work because a training the shift
    needs is not current that day. A shift type needs its own trainings; a shift whose cover need names a skill
    needs that skill's trainings of the skill's holders."""
    by_shift: dict[str, set[int]] = defaultdict(set)
    for training_id, shift_id in Training.shift_types.through.objects.filter(
            training__active=True, shifttype_id__in=[s.pk for s in shifts.values()]).values_list(
            "training_id", "shifttype_id"):
        code = next(c for c, s in shifts.items() if s.pk == shift_id)
        by_shift[code].add(training_id)
    by_skill: dict[str, set[int]] = defaultdict(set)
    for training_id, skill_id in Training.skills.through.objects.filter(training__active=True).values_list(
            "training_id", "skill_id"):
        by_skill[skill_key(skill_id)].add(training_id)
    if not by_shift and not by_skill:
        return {}
    skill_needs: dict[tuple[int, str], set[str]] = defaultdict(set)
    for need in cover:
        if need.skill and need.skill in by_skill:
            skill_needs[need.day, need.shift].add(need.skill)
    spans = _spans([m.user_id for m in members], set().union(*by_shift.values(), *by_skill.values()))
    barred: dict[str, dict[tuple[int, str], str]] = {}
    for member in members:
        held = {skill_key(s.pk) for s in member.skills.all()}
        own: dict[tuple[int, str], str] = {}
        for day in range(horizon):
            date = period_start + dt.timedelta(days=day)
            for code in shifts:
                needed = set(by_shift.get(code, ()))
                for skill in skill_needs.get((day, code), ()):
                    if skill in held:
                        needed |= by_skill[skill]
                if any(not _current(spans.get((member.user_id, t), []), date) for t in needed):
                    own[day, code] = CERTIFICATION_RULE
        if own:
            barred[staff_key(member.pk)] = own
    return barred


def trainings_list(*, actor: Actor, include_inactive: bool = False) -> QuerySet[Training]:
    require(actor, Perm.STAFFING_READ)
    found = Training.objects.prefetch_related("skills", "shift_types")
    return found if include_inactive else found.filter(active=True)


def training_detail(*, actor: Actor, training_id: int) -> Training:
    require(actor, Perm.STAFFING_READ, resource_type="training", resource_id=training_id)
    found = Training.objects.filter(pk=training_id).first()
    if found is None:
        raise NotFound()
    return found


def required_of(training: Training, role: str, skill_ids: set[int]) -> bool:
    """Whether a person of `role` holding `skill_ids` must hold `training`."""
    return role in (training.roles or []) or any(s.pk in skill_ids for s in training.skills.all())


@dataclass
class Cell:
    training: Training
    required: bool
    state: str  # current, due (within DUE_SOON_DAYS), expired, missing, none (not required, no record)
    valid_until: dt.date | None = None

    @property
    def tone(self) -> str:
        return {"current": "success", "due": "warning", "expired": "danger", "missing": "danger"}.get(
            self.state, "neutral")


@dataclass
class MatrixRow:
    user: Any
    cells: list[Cell] = field(default_factory=list)

    @property
    def name(self) -> str:
        return str(self.user.get_full_name() or self.user.get_username())


def _state(required: bool, until: dt.date | None, today: dt.date) -> str:
    if until is None:
        return "missing" if required else "none"
    if until < today:
        return "expired" if required else "none"
    if (until - today).days <= DUE_SOON_DAYS:
        return "due"
    return "current"


def compliance_matrix(*, actor: Actor, location_id: int, today: dt.date) -> tuple[list[Training], list[MatrixRow]]:
    """Every active staff user of the location x every active training: current, due within 30 days, expired or
    missing where required (by role, or by a skill of their contract)."""
    require(actor, Perm.STAFFING_ADMIN, location=location_id, resource_type="training")
    trainings = list(Training.objects.filter(active=True).prefetch_related("skills"))
    users = list(get_user_model().objects.filter(is_active=True, locations=location_id)
                 .exclude(role="sysadmin").order_by("last_name", "first_name", "username").distinct())
    skills: dict[int, set[int]] = defaultdict(set)
    for user_id, skill_id in StaffMember.skills.through.objects.filter(
            staffmember__user_id__in=[u.pk for u in users]).values_list("staffmember__user_id", "skill_id"):
        skills[user_id].add(skill_id)
    latest: dict[tuple[int, int], dt.date] = {}
    for user_id, training_id, until in TrainingRecord.objects.filter(
            user_id__in=[u.pk for u in users], completed_on__lte=today).values_list(
            "user_id", "training_id", "valid_until"):
        key = (user_id, training_id)
        if key not in latest or until > latest[key]:
            latest[key] = until
    rows = []
    for user in users:
        row = MatrixRow(user)
        for training in trainings:
            required = required_of(training, user.role, skills[user.pk])
            held_until = latest.get((user.pk, training.pk))
            row.cells.append(Cell(training, required, _state(required, held_until, today), held_until))
        rows.append(row)
    return trainings, rows


def my_trainings(*, actor: Actor, today: dt.date) -> list[Cell]:
    """The actor's own standing for every active training they must hold or have a record of."""
    require(actor, Perm.STAFFING_READ)
    user_id = getattr(actor, "pk", None) or 0
    held = set(StaffMember.skills.through.objects.filter(staffmember__user_id=user_id)
               .values_list("skill_id", flat=True))
    latest: dict[int, dt.date] = {}
    for training_id, until in TrainingRecord.objects.filter(user_id=user_id, completed_on__lte=today).values_list(
            "training_id", "valid_until"):
        latest[training_id] = max(until, latest.get(training_id, until))
    cells = []
    for training in Training.objects.filter(active=True).prefetch_related("skills"):
        required = required_of(training, getattr(actor, "role", ""), held)
        if required or training.pk in latest:
            cells.append(Cell(training, required, _state(required, latest.get(training.pk), today),
                              latest.get(training.pk)))
    return cells


def may_manage_user(actor: Actor, user_id: int) -> bool:
    """Whether the actor is a coordinator of a location `user_id` works at (a practice-wide one of everyone)."""
    user = get_user_model().objects.filter(pk=user_id).first()
    if user is None or not has_perm(actor, Perm.STAFFING_ADMIN):
        return False
    if getattr(actor, "practice_wide", False):
        return True
    return any(has_perm(actor, Perm.STAFFING_ADMIN, location=pk) for pk in user.location_ids())


def _require_person(actor: Actor, user_id: int) -> None:
    if user_id != getattr(actor, "pk", None) and not may_manage_user(actor, user_id):
        require(actor, Perm.STAFFING_ADMIN, location=-1, resource_type="trainingrecord", hide=True)
        raise NotFound()


def records_of(*, actor: Actor, user_id: int) -> QuerySet[TrainingRecord]:
    """A person's training records: one's own, or anyone's at a location the coordinator manages."""
    require(actor, Perm.STAFFING_READ, resource_type="trainingrecord")
    _require_person(actor, user_id)
    return TrainingRecord.objects.filter(user_id=user_id).select_related("training", "recorded_by")


def record_detail(*, actor: Actor, record_id: int) -> TrainingRecord:
    found = TrainingRecord.objects.select_related("training", "user").filter(pk=record_id).first()
    if found is None:
        raise NotFound()
    require(actor, Perm.STAFFING_READ, resource_type="trainingrecord", resource_id=record_id)
    _require_person(actor, found.user_id)
    return found


def record_evidence(*, actor: Actor, record_id: int) -> tuple[TrainingRecord, IO[bytes]]:
    record = record_detail(actor=actor, record_id=record_id)
    if not record.evidence:
        raise NotFound()
    return record, default_storage.open(record.evidence, "rb")
