"""Time and attendance (#20 item 7): clocking in and out (signed in as oneself, or by staff ID and PIN at the
desk's shared screen), setting a PIN, the coordinator's corrections of punches (with a reason, audited with the
old and new times) and the clock settings (pay period, grace minutes).

A wrong PIN writes nothing but its count: five wrong tries in 15 minutes lock the PIN for 15 minutes, and a desk
account trying many staff IDs is slowed the same way (counted in the cache). Staff data, not patient data.
"""

from __future__ import annotations

import datetime as dt
import logging
from typing import Any

from django.contrib.auth.hashers import check_password, make_password
from django.core.cache import cache
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils.formats import time_format
from django.utils.translation import gettext as _

from clinicdesk.audit.services import atomic_service, record
from clinicdesk.core import clock
from clinicdesk.core.exceptions import Conflict, DomainError, NotFound, ValidationFailed
from clinicdesk.core.permissions import Actor, Perm, has_perm, require, staff_user

from .models import RosterAssignment, RosterStatus, StaffMember
from .models_clock import ClockPin, ClockSettings, PayPeriod, Punch, PunchMethod

log = logging.getLogger(__name__)
PIN_TRIES = 5
LOCK = dt.timedelta(minutes=15)
DESK_TRIES = 20  # wrong (staff ID, PIN) pairs a desk account may send in LOCK
IN, OUT = "in", "out"


class TooManyTries(DomainError):
    status = 429
    title = "Too many requests"


def _invalid(field: str, message: str, code: str = "invalid") -> ValidationFailed:
    return ValidationFailed(code, message, fields={field: [message]})


def clock_settings() -> ClockSettings:
    found, _created = ClockSettings.objects.get_or_create(pk=1)
    return found


def _local(moment: dt.datetime, member: StaffMember) -> dt.datetime:
    return moment.astimezone(member.location.tz)


def _assignment_on(member: StaffMember, moment: dt.datetime) -> RosterAssignment | None:
    """The person's shift of the published roster on the punch's local day."""
    return (RosterAssignment.objects.filter(staff=member, date=_local(moment, member).date(),
                                            roster__status=RosterStatus.PUBLISHED)
            .select_related("shift_type").first())


def _time(moment: dt.datetime, member: StaffMember) -> str:
    return time_format(_local(moment, member))


def _punch(actor: Actor, member: StaffMember, action: str, method: str) -> Punch:
    """Clock `member` in or out now (the caller checked who may)."""
    now = clock.now()
    StaffMember.objects.select_for_update().filter(pk=member.pk).first()  # one punch at a time per person
    open_punch = Punch.objects.select_for_update().filter(staff=member, clock_out__isnull=True).first()
    if action == IN:
        if open_punch is not None:
            raise Conflict("already-clocked-in", _(
                "%(name)s is already clocked in since %(time)s: clock out first.") % {
                "name": member.display_name, "time": _time(open_punch.clock_in, member)})
        assignment = _assignment_on(member, now)
        try:
            with transaction.atomic():
                punch = Punch.objects.create(staff=member, location_id=member.location_id, assignment=assignment,
                                             clock_in=now, in_method=method)
        except IntegrityError as error:  # a second clock-in at the same moment
            raise Conflict("already-clocked-in", _("%(name)s is already clocked in: clock out first.") % {
                "name": member.display_name}) from error
        record(actor, "staffing.clock.in", punch, detail={
            "staff": member.pk, "method": method, "assignment": assignment.pk if assignment else None})
        return punch
    if open_punch is None:
        raise Conflict("not-clocked-in", _("%(name)s is not clocked in: clock in first.") % {
            "name": member.display_name})
    if now <= open_punch.clock_in:
        raise Conflict("too-soon", _("Clocked in a moment ago: wait a minute before clocking out."))
    open_punch.clock_out = now
    open_punch.out_method = method
    open_punch.save(update_fields=["clock_out", "out_method"])
    record(actor, "staffing.clock.out", open_punch, detail={"staff": member.pk, "method": method,
                                                            "minutes": open_punch.minutes})
    return open_punch


def _check_action(action: str) -> None:
    if action not in (IN, OUT):
        raise _invalid("action", _("Choose to clock in or to clock out."))


@atomic_service
def clock_punch_self(*, actor: Actor, action: str) -> Punch:
    """Clock oneself in or out (signed in). Refused without a staff contract."""
    require(actor, Perm.STAFFING_READ, resource_type="punch")
    _check_action(action)
    member = (StaffMember.objects.select_related("location", "user")
              .filter(user_id=getattr(actor, "pk", 0) or 0, active=True).first())
    if member is None:
        raise _invalid("staff", _("You have no staff contract, so there is nothing to clock: ask the practice "
                                  "coordinator."), code="no-contract")
    return _punch(actor, member, action, PunchMethod.SELF)


def _desk_key(actor: Actor) -> str:
    return f"staffing:clock:desk:{getattr(actor, 'pk', 0)}"


def _desk_failed(actor: Actor) -> None:
    try:
        if cache.add(_desk_key(actor), 1, int(LOCK.total_seconds())) is False:
            cache.incr(_desk_key(actor))
    except Exception:  # a cache down must not block the clock; the PIN's own count still holds
        log.warning("time clock desk counter not kept: the cache failed", exc_info=True)


def _desk_blocked(actor: Actor) -> bool:
    try:
        return int(cache.get(_desk_key(actor)) or 0) >= DESK_TRIES
    except Exception:
        log.warning("time clock desk counter not read: the cache failed", exc_info=True)
        return False


def _wrong(actor: Actor, pin_row: ClockPin | None, staff_id: int) -> ValidationFailed:
    """Count a wrong try (outside the caller's rollback: nothing else is written) and say so."""
    _desk_failed(actor)
    now = clock.now()
    if pin_row is not None:
        if pin_row.failures_since is None or now - pin_row.failures_since >= LOCK:
            ClockPin.objects.filter(pk=pin_row.pk).update(failures=1, failures_since=now)
        else:
            ClockPin.objects.filter(pk=pin_row.pk).update(failures=F("failures") + 1)
    with transaction.atomic():
        record(actor, "staffing.clock.pin_wrong", outcome="denied", resource_type="staffmember",
               resource_id=staff_id)
    return _invalid("pin", _("The staff ID or the PIN is wrong. Nothing was recorded."), code="wrong-pin")


def clock_punch_pin(*, actor: Actor, staff_id: int, pin: str, action: str) -> Punch:
    """Clock someone in or out at the shared desk screen by their staff ID and PIN. `actor` is the account the
    desk is signed in with (any staff of the location). A wrong ID or PIN writes nothing but the count."""
    require(actor, Perm.STAFFING_READ, resource_type="punch")
    _check_action(action)
    if _desk_blocked(actor):
        raise TooManyTries("clock-locked", _("Too many wrong PINs at this desk. Please wait 15 minutes."))
    member = StaffMember.objects.select_related("location", "user").filter(pk=staff_id, active=True).first()
    pin_row = ClockPin.objects.filter(user_id=member.user_id).first() if member is not None else None
    if member is None or pin_row is None or not has_perm(actor, Perm.STAFFING_READ, location=member.location_id):
        raise _wrong(actor, None, staff_id)
    now = clock.now()
    if (pin_row.failures >= PIN_TRIES and pin_row.failures_since is not None
            and now - pin_row.failures_since < LOCK):
        raise TooManyTries("pin-locked", _("This PIN is locked after too many wrong tries. Please wait 15 "
                                           "minutes or ask the practice coordinator."))
    if not check_password(pin or "", pin_row.pin_hash):
        raise _wrong(actor, pin_row, staff_id)
    return _punch_pin_ok(actor=actor, member=member, pin_row=pin_row, action=action)


@atomic_service
def _punch_pin_ok(*, actor: Actor, member: StaffMember, pin_row: ClockPin, action: str) -> Punch:
    if pin_row.failures:
        ClockPin.objects.filter(pk=pin_row.pk).update(failures=0, failures_since=None)
    return _punch(actor, member, action, PunchMethod.PIN)


# --- PINs ----------------------------------------------------------------------------------------------------------

@atomic_service
def clock_pin_set(*, actor: Actor, staff_member_id: int, pin: str) -> ClockPin:
    """Set the PIN of a staff member: one's own, or anyone's at a location the coordinator manages. 4 to 8
    digits, stored hashed; setting it clears any lock."""
    member = StaffMember.objects.filter(pk=staff_member_id).first()
    if member is None:
        raise NotFound()
    if member.user_id == getattr(actor, "pk", None):
        require(actor, Perm.STAFFING_READ, resource_type="clockpin")
    else:
        require(actor, Perm.STAFFING_ADMIN, location=member.location_id, resource_type="clockpin",
                resource_id=staff_member_id, hide=True)
    pin = (pin or "").strip()
    if not (pin.isdigit() and pin.isascii() and 4 <= len(pin) <= 8):
        raise _invalid("pin", _("A PIN is 4 to 8 digits."))
    if len(set(pin)) == 1 or pin in "0123456789" or pin in "9876543210":
        raise _invalid("pin", _("This PIN is too easy to guess: avoid repeated or consecutive digits."))
    found, _created = ClockPin.objects.select_for_update().get_or_create(
        user_id=member.user_id, defaults={"pin_hash": "", "set_at": clock.now()})
    found.pin_hash = make_password(pin)
    found.set_at = clock.now()
    found.set_by = staff_user(actor)
    found.failures, found.failures_since = 0, None
    found.save()
    record(actor, "staffing.clock.pin_set", member, detail={"staff": member.pk,
                                                            "own": member.user_id == getattr(actor, "pk", None)})
    return found


# --- corrections ---------------------------------------------------------------------------------------------------

def _iso(value: dt.datetime | None) -> str | None:
    return value.isoformat() if value is not None else None


@atomic_service
def punch_correct(*, actor: Actor, punch_id: int, clock_in: dt.datetime, clock_out: dt.datetime | None,
                  reason: str) -> Punch:
    """The coordinator corrects a punch's times (a forgotten clock-out, a wrong clock-in), saying why. The audit
    entry keeps the old and the new times."""
    punch = Punch.objects.select_for_update().select_related("staff__location").filter(pk=punch_id).first()
    if punch is None:
        raise NotFound()
    require(actor, Perm.STAFFING_ADMIN, location=punch.location_id, resource_type="punch", resource_id=punch_id,
            hide=True)
    reason = (reason or "").strip()
    if not reason:
        raise _invalid("reason", _("Say why the punch is corrected."))
    if len(reason) > 300:
        raise _invalid("reason", _("At most 300 characters."))
    now = clock.now()
    if clock_in > now or (clock_out is not None and clock_out > now):
        raise _invalid("clock_in" if clock_in > now else "clock_out", _("A punch cannot be in the future."))
    if clock_out is not None and clock_out <= clock_in:
        raise _invalid("clock_out", _("The clock-out must be after the clock-in."))
    if clock_out is not None and clock_out - clock_in > dt.timedelta(hours=24):
        raise _invalid("clock_out", _("A punch cannot last more than 24 hours."))
    end = clock_out or now
    overlap = (Punch.objects.filter(staff_id=punch.staff_id, clock_in__lt=end).exclude(pk=punch.pk)
               .exclude(clock_out__isnull=False, clock_out__lte=clock_in))
    if overlap.exists():
        raise _invalid("clock_in", _("These times overlap another punch of the same person."))
    old = {"clock_in": _iso(punch.clock_in), "clock_out": _iso(punch.clock_out)}
    new = {"clock_in": _iso(clock_in), "clock_out": _iso(clock_out)}
    if old == new:
        raise _invalid("clock_in", _("The times are unchanged."))
    punch.clock_in, punch.clock_out = clock_in, clock_out
    if clock_out is not None and old["clock_out"] is None:
        punch.out_method = PunchMethod.CORRECTION
    punch.assignment = _assignment_on(punch.staff, clock_in)
    punch.corrected = True
    punch.correction_reason = reason
    try:
        with transaction.atomic():
            punch.save()
    except IntegrityError as error:
        raise _invalid("clock_out", _("The person has another open punch: give a clock-out.")) from error
    record(actor, "staffing.clock.correct", punch, detail={"staff": punch.staff_id, "old": old, "new": new,
                                                           "reason": reason})
    return punch


# --- settings ------------------------------------------------------------------------------------------------------

@atomic_service
def clock_settings_update(*, actor: Actor, pay_period: str, anchor: dt.date, grace_minutes: int) -> ClockSettings:
    """The practice's pay period (weekly or every two weeks, from `anchor`) and the grace minutes before a
    clock-in is late."""
    require(actor, Perm.STAFFING_ADMIN, resource_type="clocksettings")
    if pay_period not in PayPeriod.values:
        raise _invalid("pay_period", _("Choose weekly or every two weeks."))
    if not 0 <= grace_minutes <= 120:
        raise _invalid("grace_minutes", _("Between 0 and 120 minutes."))
    found = ClockSettings.objects.select_for_update().filter(pk=1).first() or clock_settings()
    changes: dict[str, Any] = {}
    for name, value in (("pay_period", pay_period), ("anchor", anchor), ("grace_minutes", grace_minutes)):
        if getattr(found, name) != value:
            changes[name] = {"old": str(getattr(found, name)), "new": str(value)}
            setattr(found, name, value)
    if changes:
        found.save()
        record(actor, "staffing.clock.settings", found, detail={"changed": changes})
    return found


def may_correct(actor: Actor, location_id: int) -> bool:
    return has_perm(actor, Perm.STAFFING_ADMIN, location=location_id)
