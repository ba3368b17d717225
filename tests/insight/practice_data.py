"""A small practice history with a clear no-show pattern, for the insight tests and the browser test."""

from __future__ import annotations

import datetime as dt
import random
from typing import Any

from clinicdesk.scheduling.models import Appointment
from tests.factories import AppointmentFactory, PatientFactory, PractitionerFactory

TOMORROW_9 = dt.datetime(2026, 11, 24, 14, 0, tzinfo=dt.UTC)  # 09:00 in New York, the day after the test clock
GIVEN = ["Alma", "Bruno", "Carmen", "Dario", "Elena", "Fabio", "Gloria", "Hugo", "Inés", "Jorge", "Karen"]


def practice_history(location: Any, follow_up: Any, *, more_tomorrow: int = 0) -> dict[str, Any]:
    """20 weeks of visits: 8 patients who miss most of theirs, 22 who come; then, tomorrow, one of each."""
    rng = random.Random(3)
    doctor = PractitionerFactory()
    doctor.locations.add(location)
    unreliable = [PatientFactory(home_location=location, family_name="Skipper", given_name=GIVEN[i % 11],
                                 postal_code="01103", phone=f"(413) 555-01{i:02d}") for i in range(8)]
    reliable = [PatientFactory(home_location=location, family_name="Steady", given_name=GIVEN[i % 11],
                               postal_code="01104") for i in range(22)]
    rows, booked = [], []
    first = dt.datetime(2026, 7, 6, 13, 0, tzinfo=dt.UTC)
    for week in range(20):
        for patient in unreliable + reliable:
            if rng.random() < 0.35:
                continue
            start = first + dt.timedelta(days=7 * week + rng.randrange(5), hours=rng.randrange(7))
            missed = rng.random() < (0.7 if patient in unreliable else 0.04)
            rows.append(Appointment(patient=patient, practitioner=doctor, location=location,
                                    appointment_type=follow_up, start=start, end=start + dt.timedelta(minutes=20),
                                    status="noshow" if missed else "fulfilled"))
            booked.append(start - dt.timedelta(days=rng.randrange(1, 30)))
    created = Appointment.objects.bulk_create(rows)
    for appointment, when in zip(created, booked, strict=True):
        appointment.created_at = when  # booked that many days before (auto_now_add set it to now)
    Appointment.objects.bulk_update(created, ["created_at"])
    skip = AppointmentFactory(patient=unreliable[0], practitioner=doctor, location=location,
                              appointment_type=follow_up, start=TOMORROW_9)
    come = AppointmentFactory(patient=reliable[0], practitioner=doctor, location=location,
                              appointment_type=follow_up, start=TOMORROW_9 + dt.timedelta(hours=1))
    for i in range(more_tomorrow):  # more of both kinds, for a fuller screen
        patient = unreliable[1 + i] if i % 2 == 0 else reliable[1 + i]
        AppointmentFactory(patient=patient, practitioner=doctor, location=location, appointment_type=follow_up,
                           start=TOMORROW_9 + dt.timedelta(hours=2 + i))
    return {"skip": skip, "come": come, "rows": len(rows)}


