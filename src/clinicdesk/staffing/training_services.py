"""Training and certifications (#20 item 6): the practice's required trainings (seeded by migration 0003 and
editable), completion records with their evidence file, and the expiry reminders sent 60, 30 and 7 days ahead
to the person and to the practice coordinators.

An expired training a shift needs bars the person from it: the roster engine gets it as a hard rule
(training_selectors.certification_bars, rule "certification") and swaps are refused with it.
"""

from __future__ import annotations

import datetime as dt
import logging
import uuid
from collections.abc import Iterable
from typing import Any

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.core.mail import EmailMessage
from django.db import IntegrityError, transaction
from django.utils import translation
from django.utils.translation import gettext as _

from clinicdesk.audit.services import record
from clinicdesk.core import clock
from clinicdesk.core.exceptions import NotFound, ValidationFailed
from clinicdesk.core.permissions import Actor, Perm, Role, require, staff_user
from clinicdesk.patients.services.documents import read_upload

from .models import ShiftType, Skill, Training, TrainingRecord, TrainingReminder
from .training_selectors import may_manage_user

log = logging.getLogger(__name__)
REMINDER_DAYS = (60, 30, 7)
TRAINING_FIELDS = ("name", "valid_months", "roles", "active")


_EVERYONE = ("front_desk", "patient_coordinator", "practice_coordinator", "billing", "provider", "nurse",
             "compliance")
# (code, name, months valid, roles): the usual requirements of a US outpatient practice, which the practice edits.
# Migration 0003 seeds the same rows (its own frozen copy); trainings_seed puts back any that are missing.
SEED = (
    ("HIPAA", "HIPAA privacy and security", 12, _EVERYONE),
    ("OSHA-BBP", "OSHA bloodborne pathogens", 12, ("provider", "nurse")),
    ("CPR-BLS", "CPR / Basic Life Support", 24, ("provider", "nurse")),
    ("FIRE", "Fire safety", 12, _EVERYONE),
    ("CLIA", "CLIA waived testing competency", 12, ()),
)


def trainings_seed() -> int:
    """Make the seeded trainings that do not exist (by code); the practice's edits of existing ones are kept."""
    made = 0
    for code, name, months, roles in SEED:
        _training, created = Training.objects.get_or_create(
            code=code, defaults={"name": name, "valid_months": months, "roles": list(roles)})
        made += created
    return made


def _invalid(field: str, message: str, code: str = "invalid") -> ValidationFailed:
    return ValidationFailed(code, message, fields={field: [message]})


def add_months(day: dt.date, months: int) -> dt.date:
    """The same day `months` later (the month's last day when it is shorter)."""
    month = day.month - 1 + months
    year, month = day.year + month // 12, month % 12 + 1
    for last in (31, 30, 29, 28):
        try:
            return dt.date(year, month, min(day.day, last))
        except ValueError:
            continue
    raise ValueError(day)  # pragma: no cover


def _check_training(training: Training) -> None:
    if not (training.name or "").strip():
        raise _invalid("name", _("Give the training a name."))
    if not 1 <= int(training.valid_months) <= 120:
        raise _invalid("valid_months", _("A training is valid for 1 to 120 months."))
    roles = sorted(set(training.roles or []))
    if any(role not in Role._value2member_map_ for role in roles):
        raise _invalid("roles", _("Unknown role."))
    training.roles = roles


def _links(model: Any, ids: Iterable[int] | None, field: str) -> list[Any] | None:
    if ids is None:
        return None
    wanted = set(ids)
    found = list(model.objects.filter(pk__in=wanted))
    if len(found) != len(wanted):
        raise _invalid(field, _("Unknown choice."))
    return found


@transaction.atomic
def training_create(*, actor: Actor, code: str, name: str, valid_months: int, roles: Iterable[str] = (),
                    skill_ids: Iterable[int] = (), shift_type_ids: Iterable[int] = ()) -> Training:
    require(actor, Perm.STAFFING_ADMIN, resource_type="training")
    code = (code or "").strip().upper()
    if not code or len(code) > 20:
        raise _invalid("code", _("Give the training a short code of up to 20 characters."))
    if Training.objects.filter(code=code).exists():
        raise _invalid("code", _("There is already a training with this code."), code="duplicate")
    training = Training(code=code, name=name.strip(), valid_months=valid_months, roles=list(roles))
    _check_training(training)
    skills = _links(Skill, skill_ids, "skills") or []
    shifts = _links(ShiftType, shift_type_ids, "shift_types") or []
    training.save()
    training.skills.set(skills)
    training.shift_types.set(shifts)
    record(actor, "staffing.training.create", training, detail={"code": code})
    return training


@transaction.atomic
def training_update(*, actor: Actor, training_id: int, skill_ids: Iterable[int] | None = None,
                    shift_type_ids: Iterable[int] | None = None, **values: Any) -> Training:
    require(actor, Perm.STAFFING_ADMIN, resource_type="training", resource_id=training_id)
    training = Training.objects.select_for_update().filter(pk=training_id).first()
    if training is None:
        raise NotFound()
    changes: dict[str, str] = {}
    for name, value in values.items():
        if name in TRAINING_FIELDS and getattr(training, name) != value:
            setattr(training, name, value)
            changes[name] = str(value)
    _check_training(training)
    skills = _links(Skill, skill_ids, "skills")
    shifts = _links(ShiftType, shift_type_ids, "shift_types")
    if changes:
        training.save()
    if skills is not None and {s.pk for s in skills} != set(training.skills.values_list("pk", flat=True)):
        training.skills.set(skills)
        changes["skills"] = ",".join(str(s.pk) for s in skills)
    if shifts is not None and {s.pk for s in shifts} != set(training.shift_types.values_list("pk", flat=True)):
        training.shift_types.set(shifts)
        changes["shift_types"] = ",".join(str(s.pk) for s in shifts)
    if changes:
        record(actor, "staffing.training.update", training, detail={"changed": changes})
    return training


@transaction.atomic
def training_record_create(*, actor: Actor, user_id: int, training_id: int, completed_on: dt.date,
                           evidence: Any = None, evidence_name: str = "", note: str = "") -> TrainingRecord:
    """Record a completed training (one's own, or anyone's at a location the coordinator manages), valid for the
    training's months from `completed_on`; `evidence` is an uploaded PDF, JPEG or PNG (the certificate)."""
    require(actor, Perm.STAFFING_READ, resource_type="trainingrecord")
    if user_id != getattr(actor, "pk", None) and not may_manage_user(actor, user_id):
        require(actor, Perm.STAFFING_ADMIN, location=-1, resource_type="trainingrecord", hide=True)
        raise NotFound()
    training = Training.objects.filter(pk=training_id, active=True).first()
    if training is None:
        raise _invalid("training", _("Choose an active training."))
    if completed_on > clock.now().date():
        raise _invalid("completed_on", _("A training cannot be completed in the future."))
    if completed_on < clock.now().date() - dt.timedelta(days=366 * 10):
        raise _invalid("completed_on", _("That is more than ten years ago."))
    stored = ""
    content_type = ""
    if evidence is not None:
        data, content_type = read_upload(evidence, field="evidence")
        extension = {"application/pdf": "pdf", "image/jpeg": "jpg", "image/png": "png"}.get(content_type, "bin")
        stored = default_storage.save(f"staffing/training/{user_id}/{uuid.uuid4().hex}.{extension}",
                                      ContentFile(data))
    try:
        made = TrainingRecord.objects.create(
            user_id=user_id, training=training, completed_on=completed_on,
            valid_until=add_months(completed_on, training.valid_months) - dt.timedelta(days=1),
            evidence=stored, evidence_name=(evidence_name or getattr(evidence, "name", "") or "")[:200],
            evidence_type=content_type, note=(note or "").strip()[:300], recorded_by=staff_user(actor))
    except Exception:
        if stored:
            default_storage.delete(stored)
        raise
    record(actor, "staffing.training_record.create", made, detail={
        "user": user_id, "training": training.code, "evidence": bool(stored)})
    return made


# --- expiry reminders ---------------------------------------------------------------------------------------------

def _send(to: str, subject: str, body: str) -> None:
    message = EmailMessage(subject=subject, body=body, from_email=settings.DEFAULT_FROM_EMAIL, to=[to])
    try:
        message.send()
    except Exception:  # a mail server down: logged; the reminder row is kept (no retry storm)
        log.exception("training reminder to user failed")


def trainings_remind(*, today: dt.date | None = None) -> int:
    """E-mail the person and the practice coordinators about each training that runs out in 60, 30 or 7 days
    (or fewer, once per step, when a step was missed), unless a newer record already renews it. Returns how
    many records were reminded about. The periodic task calls this daily."""
    today = today or clock.now().date()
    horizon = today + dt.timedelta(days=max(REMINDER_DAYS))
    users = get_user_model()
    coordinators = list(users.objects.filter(is_active=True, role=Role.PRACTICE_COORDINATOR).exclude(email=""))
    sent = 0
    candidates = TrainingRecord.objects.filter(valid_until__range=(today, horizon), user__is_active=True,
                                               training__active=True).select_related("training", "user")
    for item in candidates:
        if TrainingRecord.objects.filter(user_id=item.user_id, training_id=item.training_id,
                                         valid_until__gt=item.valid_until).exists():
            continue
        left = (item.valid_until - today).days
        step = min(days for days in REMINDER_DAYS if left <= days)
        try:
            with transaction.atomic():
                TrainingReminder.objects.create(record=item, days_ahead=step)
        except IntegrityError:
            continue
        person = item.user
        recipients = [(person, True)] + [(c, False) for c in coordinators if c.pk != person.pk]
        for user, own in recipients:
            if not user.email:
                continue
            with translation.override(user.language or settings.LANGUAGE_CODE):
                values = {"training": item.training.name, "date": item.valid_until.isoformat(), "days": left,
                          "name": person.get_full_name() or person.get_username()}
                if own:
                    subject = _("Your %(training)s runs out in %(days)s days") % values
                    body = _("Your %(training)s is valid until %(date)s. Please renew it and give the practice "
                             "coordinator the certificate.") % values
                else:
                    subject = _("%(name)s: %(training)s runs out in %(days)s days") % values
                    body = _("%(name)s's %(training)s is valid until %(date)s. Shifts that need it cannot be "
                             "rostered after that date.") % values
            _send(user.email, subject, body)  # the reminder row is committed: sent once
        sent += 1
    return sent
