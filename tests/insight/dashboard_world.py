"""A small hand-counted world for the dashboard tests (#22): two locations, two providers, two weeks.

Downtown (A), provider Ada works Mondays 08:00-12:00 (240 min); Monday 9 November Downtown is closed and Ada is
away on Monday 2 November 10:00-11:00, so she has 180 available minutes over 2-15 November 2026.
Her appointments (Downtown): 2 Nov 09:00 follow-up fulfilled (20 min), 09:20 follow-up no-show, 11:00 new patient
fulfilled (40 min), 3 Nov follow-up cancelled late, 10 Nov follow-up cancelled in time, 10 Nov 10:00 follow-up
entered in error (never counted). Uptown (B), provider Ben: 4 Nov follow-up fulfilled.

By hand: week of 2 Nov: Downtown 4, Uptown 1; week of 9 Nov: Downtown 1. No-show rate week 1 = 1 / (3 + 1) = 25 %;
late-cancel rate week 1 = 1 / 5 = 20 %, week 2 = 0 / 1 = 0 %. Ada's utilisation = (20 + 40) / 180 = 33.3 %, idle
2 hours. Flow board: rooming 10 and 20 minutes (mean 15), arrival to check-out 50 and 70 (mean 60).
Waitlist: week 1 two Downtown slots offered, one taken (50 %); week 2 one Uptown slot offered, none taken.
Reminders: week 1 two appointments reminded (delivered), one confirmed before the start (50 %); a failed reminder
does not count.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any
from zoneinfo import ZoneInfo

from clinicdesk.comms.models import Message, WaitlistOffer
from clinicdesk.core.permissions import Role
from clinicdesk.frontdesk.models import Visit
from clinicdesk.insight.dashboards import rollup
from tests.factories import (
    AppointmentFactory,
    AppointmentTypeFactory,
    AvailabilityExceptionFactory,
    AvailabilityTemplateFactory,
    LocationFactory,
    LocationHolidayFactory,
    PatientFactory,
    PractitionerFactory,
    UserFactory,
)

NY = ZoneInfo("America/New_York")
FIRST, LAST = dt.date(2026, 11, 2), dt.date(2026, 11, 15)
RANGE = {"from": FIRST.isoformat(), "to": LAST.isoformat()}


def at(day: int, hour: int, minute: int = 0) -> dt.datetime:
    return dt.datetime(2026, 11, day, hour, minute, tzinfo=NY)


@dataclass
class World:
    downtown: Any
    uptown: Any
    ada: Any
    ben: Any
    follow_up: Any
    new_patient: Any
    coordinator: Any
    uptown_biller: Any
    downtown_biller: Any
    front_desk: Any
    appointments: dict[str, Any]


def build() -> World:
    downtown = LocationFactory(name="Downtown", time_zone="America/New_York")
    uptown = LocationFactory(name="Uptown", time_zone="America/New_York")
    ada = PractitionerFactory(first_name="Ada", last_name="Lovelace", location=downtown)
    ben = PractitionerFactory(first_name="Ben", last_name="Franklin", location=uptown)
    follow_up = AppointmentTypeFactory(code="follow-up", name="Follow-up", name_es="Seguimiento", duration_minutes=20)
    new_patient = AppointmentTypeFactory(code="new-patient", name="New patient", name_es="Paciente nuevo",
                                         duration_minutes=40, new_patient=True)
    AvailabilityTemplateFactory(practitioner=ada, location=downtown, weekday=0, start_time=dt.time(8),
                                end_time=dt.time(12), effective_from=dt.date(2026, 1, 1))
    LocationHolidayFactory(location=downtown, day=dt.date(2026, 11, 9), name="Closed")
    AvailabilityExceptionFactory(practitioner=ada, start=at(2, 10), end=at(2, 11))
    patient = PatientFactory(home_location=downtown)

    def book(key: str, start: dt.datetime, kind: Any = follow_up, status: str = "fulfilled", who: Any = ada,
             where: Any = downtown, **extra: Any) -> Any:
        return AppointmentFactory(location=where, practitioner=who, appointment_type=kind, patient=patient,
                                  start=start, status=status, bookings=False, **extra)

    appointments = {
        "seen": book("seen", at(2, 9), confirmed_at=at(1, 12)),
        "noshow": book("noshow", at(2, 9, 20), status="noshow"),
        "new": book("new", at(2, 11), kind=new_patient),
        "late": book("late", at(3, 9), status="cancelled", cancel_reason="Sick", late_cancel=True),
        "cancelled": book("cancelled", at(10, 9), status="cancelled", cancel_reason="Moved away"),
        "error": book("error", at(10, 10), status="entered-in-error"),
        "uptown": book("uptown", at(4, 9), who=ben, where=uptown),
    }
    for key, arrived, checked_in, roomed, out in (("seen", at(2, 8, 50), at(2, 8, 55), at(2, 9, 5), at(2, 9, 40)),
                                                  ("new", at(2, 10, 50), at(2, 10, 52), at(2, 11, 12), at(2, 12))):
        a = appointments[key]
        Visit.objects.create(location=downtown, patient=patient, appointment=a, practitioner=ada,
                             service=a.appointment_type, day=arrived.date(), status="checked-out",
                             arrived_at=arrived, checked_in_at=checked_in, roomed_at=roomed, checked_out_at=out)
    for where, who, start, state in ((downtown, ada, at(5, 9), "taken"), (downtown, ada, at(6, 9), "withdrawn"),
                                     (uptown, ben, at(12, 9), "withdrawn")):
        WaitlistOffer.objects.create(practitioner=who, location=where, appointment_type=follow_up, start=start,
                                     end=start + dt.timedelta(minutes=20), state=state, created_at=start)
    for n, (key, status) in enumerate((("seen", "delivered"), ("noshow", "sent"), ("new", "failed"))):
        a = appointments[key]
        Message.objects.create(patient=patient, appointment=a, kind="reminder", channel="sms",
                               to_address="+14135550199", body="Reminder", status=status,
                               send_after=a.start - dt.timedelta(days=1), dedupe_key=f"reminder:{n}")
    coordinator = UserFactory(role=Role.PRACTICE_COORDINATOR, username="coordinator")
    uptown_biller = UserFactory(role=Role.BILLING, username="uptown-biller", location=uptown)
    downtown_biller = UserFactory(role=Role.BILLING, username="downtown-biller", location=downtown)
    front_desk = UserFactory(role=Role.FRONT_DESK, username="desk", location=downtown)
    rollup.rebuild()
    return World(downtown, uptown, ada, ben, follow_up, new_patient, coordinator, uptown_biller, downtown_biller,
                 front_desk, appointments)
