"""Reads of workshops and events (#24 item 3). The event page names patients: that read is audited."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db.models import Count, Q, QuerySet

from clinicdesk.audit.services import record
from clinicdesk.core import clock
from clinicdesk.core.exceptions import NotFound
from clinicdesk.core.permissions import Actor, Perm, require

from .models import Event, EventStatus, Registration, RegistrationStatus


def _counted(events: QuerySet[Event]) -> QuerySet[Event]:
    return events.select_related("location").annotate(
        waiting=Count("registrations", filter=Q(registrations__status=RegistrationStatus.WAITLISTED)),
        present=Count("registrations", filter=Q(registrations__attended=True)))


def events_list(*, actor: Actor, location_id: int, past: bool = False) -> QuerySet[Event]:
    """The events of a location: upcoming ones (and those on today) first by date, or the past ones latest first."""
    require(actor, Perm.OUTREACH_USE, location=location_id)
    since = clock.now() - dt.timedelta(hours=12)
    events = _counted(Event.objects.filter(location_id=location_id))
    if past:
        return events.filter(start__lt=since).order_by("-start", "-pk")
    return events.filter(start__gte=since).order_by("start", "pk")


def events_for_api(*, actor: Actor, include_cancelled: bool = False) -> list[Event]:
    """Upcoming events at every location the actor works at."""
    require(actor, Perm.OUTREACH_USE)
    events = _counted(Event.objects.filter(start__gte=clock.now() - dt.timedelta(hours=12)))
    if not include_cancelled:
        events = events.filter(status=EventStatus.SCHEDULED)
    return [e for e in events.order_by("start", "pk") if actor.works_at(e.location_id)]


def event_detail(*, actor: Actor, event_id: int) -> Event:
    event = _counted(Event.objects.filter(pk=event_id)).first()
    if event is None:
        raise NotFound()
    require(actor, Perm.OUTREACH_USE, location=event.location_id, hide=True, resource_type="event",
            resource_id=event.pk)
    return event


def event_registrations(*, actor: Actor, event: Event) -> list[Registration]:
    """Everyone registered (cancelled last), the waitlist in its order. Audited: it names patients."""
    require(actor, Perm.OUTREACH_USE, location=event.location_id, hide=True, resource_type="event",
            resource_id=event.pk)
    rows = list(Registration.objects.filter(event=event).select_related("patient", "contact", "survey")
                .order_by("pk"))
    order = {RegistrationStatus.CONFIRMED: 0, RegistrationStatus.WAITLISTED: 1, RegistrationStatus.CANCELLED: 2}
    rows.sort(key=lambda r: (order.get(r.status, 3), r.pk))  # type: ignore[call-overload]
    patients = sorted({r.patient_id for r in rows if r.patient_id})
    if patients:
        record(actor, "event.registrations.read", event, detail={"patients": patients})
    return rows


def registration_detail(*, actor: Actor, registration_id: int) -> Registration:
    registration = (Registration.objects.select_related("event__location", "patient", "contact")
                    .filter(pk=registration_id).first())
    if registration is None:
        raise NotFound()
    require(actor, Perm.OUTREACH_USE, location=registration.event.location_id, hide=True,
            resource_type="event_registration", resource_id=registration.pk)
    if registration.patient_id:
        record(actor, "event_registration.read", registration, patient=registration.patient_id)
    return registration


def registrations_of_patient(*, patient_id: int) -> list[dict[str, Any]]:
    """A patient's registrations, for the portal (#23) to show later; the caller has proven the chart is theirs."""
    rows = (Registration.objects.filter(patient_id=patient_id).exclude(status=RegistrationStatus.CANCELLED)
            .values("pk", "event_id", "status", "event__start"))
    return [dict(row) for row in rows]
