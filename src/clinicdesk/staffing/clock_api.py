"""Time and attendance in the JSON API (/api/v1/clock/...): clock in or out (oneself, or by staff ID and PIN at a
shared desk), set a PIN, correct a punch (the coordinator, with a reason), the attendance of a location and day,
and the hours of a pay period. Described operations (api_urls.py); the services decide everything."""

from __future__ import annotations

import datetime as dt
from typing import Any, cast

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.views.decorators.http import require_GET, require_POST

from clinicdesk.core import clock
from clinicdesk.core.api import api_login_required, json_body
from clinicdesk.core.exceptions import NotFound, ValidationFailed
from clinicdesk.core.permissions import Actor
from clinicdesk.core.resources import ApiField, parse_members
from clinicdesk.practice.selectors import locations_for

from . import clock_selectors, clock_services
from .clock_selectors import Attendance
from .models_clock import Punch

_PUNCH_FIELDS = (ApiField.choice("action", ["in", "out"], required=True),
                 ApiField.integer("staffId", minimum=1),
                 ApiField.text("pin", max_length=8))
_PIN_FIELDS = (ApiField.ref("staffMember", required=True), ApiField.text("pin", required=True, max_length=8))
_CORRECT_FIELDS = (ApiField.datetime("clockIn", required=True), ApiField.datetime("clockOut"),
                   ApiField.text("reason", required=True, max_length=300))


def _actor(request: HttpRequest) -> Actor:
    return cast(Actor, request.user)


def _iso(value: dt.datetime | None) -> str | None:
    return value.isoformat() if value is not None else None


def punch_json(punch: Punch) -> dict[str, Any]:
    return {"id": punch.pk, "staffMember": punch.staff_id, "location": punch.location_id,
            "assignment": punch.assignment_id, "clockIn": punch.clock_in.isoformat(),
            "clockOut": _iso(punch.clock_out), "minutes": punch.minutes, "corrected": punch.corrected}


def attendance_json(row: Attendance) -> dict[str, Any]:
    return {"staffMember": row.member.pk, "name": row.member.display_name, "date": row.day.isoformat(),
            "assignment": row.assignment.pk if row.assignment else None,
            "shiftType": row.assignment.shift_type_id if row.assignment else None,
            "shiftStart": _iso(row.shift_start), "shiftEnd": _iso(row.shift_end),
            "lateMinutes": row.late_minutes, "earlyMinutes": row.early_minutes, "missed": row.missed,
            "open": row.open, "punches": [punch_json(p) for p in row.punches]}


def _location(request: HttpRequest) -> Any:
    raw = request.GET.get("location") or ""
    if not raw.isdigit():
        raise ValidationFailed("bad-location", "location must be a location id.",
                               fields={"location": ["a location id"]})
    found = next((loc for loc in locations_for(_actor(request)) if loc.pk == int(raw)), None)
    if found is None:
        raise NotFound()
    return found


def _date(request: HttpRequest, location: Any) -> dt.date:
    raw = request.GET.get("date")
    if raw is None:
        return clock.today_in(location.tz)
    try:
        return dt.date.fromisoformat(raw)
    except ValueError as error:
        raise ValidationFailed("bad-date", "date must be a date (YYYY-MM-DD).",
                               fields={"date": ["a date"]}) from error


@require_POST
@api_login_required
def punch_create(request: HttpRequest) -> HttpResponse:
    values = parse_members(_PUNCH_FIELDS, json_body(request, required=True))
    action = values["action"]
    if values.get("staff_id") is not None:
        made = clock_services.clock_punch_pin(actor=_actor(request), staff_id=values["staff_id"],
                                              pin=values.get("pin") or "", action=action)
    else:
        made = clock_services.clock_punch_self(actor=_actor(request), action=action)
    return JsonResponse(punch_json(made), status=201 if action == clock_services.IN else 200)


@require_POST
@api_login_required
def pin_set(request: HttpRequest) -> HttpResponse:
    values = parse_members(_PIN_FIELDS, json_body(request, required=True))
    clock_services.clock_pin_set(actor=_actor(request), staff_member_id=values["staff_member_id"],
                                 pin=values["pin"])
    return HttpResponse(status=204)


@require_POST
@api_login_required
def punch_correct(request: HttpRequest, pk: int) -> HttpResponse:
    values = parse_members(_CORRECT_FIELDS, json_body(request, required=True))
    done = clock_services.punch_correct(actor=_actor(request), punch_id=pk, clock_in=values["clock_in"],
                                        clock_out=values.get("clock_out"), reason=values["reason"])
    return JsonResponse(punch_json(done))


@require_GET
@api_login_required
def attendance(request: HttpRequest) -> HttpResponse:
    location = _location(request)
    day = _date(request, location)
    rows = clock_selectors.attendance_board(actor=_actor(request), location_id=location.pk, day=day,
                                            tz=location.tz)
    return JsonResponse({"location": location.pk, "date": day.isoformat(),
                         "items": [attendance_json(row) for row in rows]})


@require_GET
@api_login_required
def pay_period(request: HttpRequest) -> HttpResponse:
    location = _location(request)
    report = clock_selectors.pay_period_report(actor=_actor(request), location_id=location.pk, tz=location.tz,
                                               day=_date(request, location))
    return JsonResponse({"location": location.pk, "periodStart": report.start.isoformat(),
                         "periodEnd": report.end.isoformat(), "items": [{
                             "staffMember": line.member.pk, "name": line.member.display_name,
                             "regularHours": str(line.regular_hours), "overtimeHours": str(line.overtime_hours),
                             "lateShifts": line.late_shifts, "leftEarlyShifts": line.early_shifts,
                             "missedShifts": line.missed_shifts, "openPunches": line.open_punches}
                             for line in report.lines]})
