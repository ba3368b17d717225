"""Locations: address, telephone, IANA time zone, opening hours; deactivated, never deleted."""

from __future__ import annotations

import datetime as dt
import itertools
import re
from collections.abc import Iterable, Sequence
from typing import Any

from django.utils.translation import gettext as _

from clinicdesk.audit.services import atomic_service, record
from clinicdesk.core.changes import diff, snapshot
from clinicdesk.core.exceptions import Conflict, NotFound, ValidationFailed
from clinicdesk.core.permissions import Actor, Perm, require
from clinicdesk.core.timezones import is_valid_zone

from ..models import Location, OpeningHours
from . import _common
from .organization import organization_for_new_location

LOCATION_FIELDS = ("code", "name", "address_line", "city", "state", "postal_code", "phone", "time_zone", "active")
_CODE = re.compile(r"^[-a-zA-Z0-9_]+$")
_STATE = re.compile(r"^[A-Z]{2}$")
_ZIP = re.compile(r"^\d{5}(-\d{4})?$")

Hours = Sequence[tuple[int, dt.time, dt.time]]


def _clean(field: str, value: Any) -> Any:
    """One location value, checked and normalised (the same rules on create and update)."""
    if field == "code":
        code = _common.text(value, "code", max_length=20).lower()
        if not _CODE.match(code):
            raise ValidationFailed("bad-code", _("A code is letters, digits and hyphens only."),
                                   fields={"code": [_("Letters, digits and hyphens only.")]})
        return code
    if field == "name":
        return _common.text(value, "name", max_length=120)
    if field == "address_line":
        return _common.text(value, "address_line", max_length=200)
    if field == "city":
        return _common.text(value, "city", max_length=80)
    if field == "state":
        state = _common.text(value, "state", max_length=2).upper()
        if not _STATE.match(state):
            raise ValidationFailed("bad-state", _("A state is its two-letter code, e.g. MA."),
                                   fields={"state": [_("Two letters, e.g. MA.")]})
        return state
    if field == "postal_code":
        postal = _common.text(value, "postal_code", max_length=10)
        if not _ZIP.match(postal):
            raise ValidationFailed("bad-postal-code", _("'%(value)s' is not a ZIP code.") % {"value": postal},
                                   fields={"postal_code": [_("Five digits, or ZIP+4 (01103-1234).")]})
        return postal
    if field == "phone":
        return _common.phone(value)
    if field == "time_zone":
        zone = _common.text(value, "time_zone", max_length=64)
        if not is_valid_zone(zone):
            raise ValidationFailed("bad-time-zone", _("'%(zone)s' is not an IANA time zone (e.g. America/New_York).")
                                   % {"zone": zone}, fields={"time_zone": [_("Not a known time zone.")]})
        return zone
    if field == "active":
        return _common.flag(value)
    raise AssertionError(field)  # pragma: no cover - refuse_unknown ran first


def _refuse_duplicate_code(code: str, *, exclude: int | None = None) -> None:
    if Location.objects.filter(code=code).exclude(pk=exclude or 0).exists():
        raise Conflict("duplicate-location-code", _("A location with the code '%(code)s' exists already.")
                       % {"code": code}, fields={"code": [_("This code is taken.")]})


def _locked(location_id: int) -> Location:
    location = Location.objects.select_for_update().filter(pk=location_id).first()
    if location is None:
        raise NotFound()
    return location


@atomic_service
def location_create(*, actor: Actor, code: str, name: str, address_line: str, city: str, state: str,
                    postal_code: str, phone: str, time_zone: str) -> Location:
    """Add a location. The code is unique (a Conflict otherwise); the time zone an IANA name."""
    require(actor, Perm.PRACTICE_ADMIN)
    values = {field: _clean(field, value) for field, value in (
        ("code", code), ("name", name), ("address_line", address_line), ("city", city), ("state", state),
        ("postal_code", postal_code), ("phone", phone), ("time_zone", time_zone))}
    _refuse_duplicate_code(values["code"])
    organization, made = organization_for_new_location(values["name"])
    if made:
        record(actor, "organization.create", organization, detail={"changes": {"name": [None, organization.name]}})
    location = Location.objects.create(organization=organization, **values)
    record(actor, "location.create", location,
           detail={"changes": diff({}, snapshot(location, LOCATION_FIELDS))})
    return location


@atomic_service
def location_update(*, actor: Actor, location_id: int, **changes: Any) -> Location:
    """Change a location's code, name, address, phone, time zone or `active` (True reactivates it)."""
    require(actor, Perm.PRACTICE_ADMIN, location=location_id)
    _common.refuse_unknown(changes, LOCATION_FIELDS)
    location = _locked(location_id)
    before = snapshot(location, LOCATION_FIELDS)
    for field, value in changes.items():
        setattr(location, field, _clean(field, value))
    if "code" in changes:
        _refuse_duplicate_code(location.code, exclude=location.pk)
    location.save()
    detail = diff(before, snapshot(location, LOCATION_FIELDS))
    if detail:
        record(actor, "location.update", location, detail={"changes": detail})
    return location


@atomic_service
def location_deactivate(*, actor: Actor, location_id: int) -> Location:
    """Take a location out of use: lists and booking no longer offer it; what refers to it keeps it."""
    require(actor, Perm.PRACTICE_ADMIN, location=location_id)
    location = _locked(location_id)
    if location.active:
        location.active = False
        location.save(update_fields=["active"])
        record(actor, "location.deactivate", location, detail={"changes": {"active": [True, False]}})
    return location


def hours_snapshot(rows: Iterable[OpeningHours | tuple[int, dt.time, dt.time]]) -> list[list[Any]]:
    """Opening hours as the audit trail keeps them: [[weekday, "HH:MM", "HH:MM"], ...] in order."""
    plain: list[tuple[int, dt.time, dt.time]] = [
        (r.weekday, r.opens, r.closes) if isinstance(r, OpeningHours) else r for r in rows]
    return [[day, opens.strftime("%H:%M"), closes.strftime("%H:%M")] for day, opens, closes in sorted(plain)]


def _check_hours(hours: Hours) -> list[tuple[int, dt.time, dt.time]]:
    rows: list[tuple[int, dt.time, dt.time]] = []
    for index, row in enumerate(hours):
        try:
            weekday, opens, closes = row
        except (TypeError, ValueError) as exc:
            raise ValidationFailed("bad-hours", _("Each row of opening hours is a weekday, an opening and a "
                                                  "closing time.")) from exc
        if isinstance(weekday, bool) or not isinstance(weekday, int) or not 0 <= weekday <= 6:
            raise ValidationFailed("bad-weekday", _("A weekday is 0 (Monday) to 6 (Sunday)."),
                                   fields={f"hours[{index}].weekday": [_("0 (Monday) to 6 (Sunday).")]})
        if not isinstance(opens, dt.time) or not isinstance(closes, dt.time):
            raise ValidationFailed("bad-hours", _("Opening and closing are times of day."),
                                   fields={f"hours[{index}].opens": [_("A time of day.")]})
        if closes <= opens:
            raise ValidationFailed("closes-before-opens", _("A period closes after it opens (%(opens)s to %(closes)s).")
                                   % {"opens": opens.strftime("%H:%M"), "closes": closes.strftime("%H:%M")},
                                   fields={f"hours[{index}].closes": [_("Closes after it opens.")]})
        rows.append((weekday, opens.replace(second=0, microsecond=0), closes.replace(second=0, microsecond=0)))
    rows.sort()
    for (day, _opens, closes), (next_day, next_opens, _closes) in itertools.pairwise(rows):
        if day == next_day and next_opens < closes:
            raise ValidationFailed("hours-overlap", _("Two periods on the same day overlap (%(day)s).")
                                   % {"day": OpeningHours.Weekday(day).label},
                                   fields={"hours": [_("Periods on the same day may not overlap.")]})
    return rows


@atomic_service
def location_hours_set(*, actor: Actor, location_id: int, hours: Hours) -> list[OpeningHours]:
    """Replace the location's weekly opening hours: any number of periods per weekday (a lunch break is two),
    each closing after it opens, none overlapping another on the same day. An empty list: closed all week."""
    require(actor, Perm.PRACTICE_ADMIN, location=location_id)
    location = _locked(location_id)
    rows = _check_hours(hours)
    before = hours_snapshot(location.hours.all())
    location.hours.all().delete()
    created = OpeningHours.objects.bulk_create(
        OpeningHours(location=location, weekday=day, opens=opens, closes=closes) for day, opens, closes in rows)
    after = hours_snapshot(rows)
    if before != after:
        record(actor, "location.hours", location, detail={"changes": {"hours": [before, after]}})
    return created
