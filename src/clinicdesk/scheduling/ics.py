"""iCalendar (RFC 5545) with the `icalendar` package: a patient's confirmation and a provider's feed.

Pure functions: model objects in, bytes out. The confirmation is for the patient (their own visit);
the provider feed carries no patient names unless the feed was issued with them.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from icalendar import Calendar, Event, vText

from clinicdesk.core import clock

from .models import Appointment, AppointmentStatus

PRODID = "-//Clinicdesk//Scheduling//EN"


def _uid(appointment: Appointment) -> str:
    return f"appointment-{appointment.pk}@clinicdesk"


def _address(appointment: Appointment) -> str:
    loc = appointment.location
    return f"{loc.name}, {loc.address_line}, {loc.city}, {loc.state} {loc.postal_code}"


def _event(appointment: Appointment, *, summary: str, description: str, sequence: int = 0) -> Event:
    event = Event()
    event.add("uid", _uid(appointment))
    event.add("dtstamp", clock.now().astimezone(dt.UTC))
    event.add("dtstart", appointment.start.astimezone(dt.UTC))
    event.add("dtend", appointment.end.astimezone(dt.UTC))
    event.add("summary", summary)
    event.add("description", description)
    event.add("location", vText("Video visit" if appointment.telehealth else _address(appointment)))
    event.add("sequence", sequence)
    cancelled = appointment.status == AppointmentStatus.CANCELLED
    event.add("status", "CANCELLED" if cancelled else "CONFIRMED")
    return event


def appointment_ics(appointment: Appointment, *, sequence: int = 0) -> bytes:
    """The .ics a confirmation (or cancellation) e-mail carries. `sequence` grows with each change."""
    cal = Calendar()
    cal.add("prodid", PRODID)
    cal.add("version", "2.0")
    cal.add("method", "CANCEL" if appointment.status == AppointmentStatus.CANCELLED else "REQUEST")
    kind = appointment.appointment_type
    summary = f"{kind.patient_facing_name} with {appointment.practitioner}"
    description = (f"{kind.patient_facing_name} at {appointment.location.name}. "
                   f"Please arrive 10 minutes early. Phone: {appointment.location.phone}")
    cal.add_component(_event(appointment, summary=summary, description=description, sequence=sequence))
    return cal.to_ical()


def feed_ics(practitioner_name: str, appointments: Iterable[Appointment], *, patient_names: bool) -> bytes:
    cal = Calendar()
    cal.add("prodid", PRODID)
    cal.add("version", "2.0")
    cal.add("x-wr-calname", f"Clinicdesk: {practitioner_name}")
    for a in appointments:
        who = a.patient.display_name if patient_names else "Patient"
        summary = f"{a.appointment_type.name}: {who}"
        room = f" ({a.room.name})" if a.room_id and a.room else ""
        cal.add_component(_event(a, summary=summary, description=f"{a.location.name}{room}"))
    return cal.to_ical()
