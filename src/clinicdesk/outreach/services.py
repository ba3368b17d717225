"""Workshops and events (#24 item 3): every write, its rules, its permission check and its audit entry.

Places: `Event.taken` counts confirmed registrations and moves only by a conditional UPDATE (`taken < capacity`)
in the registering transaction, backed by a check constraint: an event is never over-booked; whoever does not
get a place is put on the waitlist, and the first on it is promoted when a place frees.

`registration_add` is the one path for every face: the staff screen, the JSON API, and later the portal (a
`PatientActor` registering themselves or a dependent: its `reach` proves the chart is theirs)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils.translation import gettext as _

from clinicdesk.audit.services import atomic_service, record
from clinicdesk.comms import services as comms
from clinicdesk.core import clock
from clinicdesk.core.exceptions import Conflict, NotFound, ValidationFailed
from clinicdesk.core.permissions import Actor, Perm, has_perm, require, staff_user
from clinicdesk.core.text import digits
from clinicdesk.core.timezones import local_to_utc
from clinicdesk.patients.models import Patient
from clinicdesk.patients.selectors import require_current, require_patient_in_reach
from clinicdesk.practice.models import Location

from .models import Audience, Contact, Event, EventKind, EventStatus, Registration, RegistrationStatus

LANGUAGES = ("en", "es")
MAX_CAPACITY = 10_000
MAX_MINUTES = 24 * 60
MAX_DESCRIPTION = 4000
EDITABLE = ("kind", "title_en", "title_es", "description_en", "description_es", "place", "online_url",
            "duration_minutes", "capacity", "audience")


# --- events ------------------------------------------------------------------------------------
def _event_for_update(actor: Actor, event_id: int, perm: Perm = Perm.OUTREACH_ADMIN) -> Event:
    event = Event.objects.select_for_update().select_related("location").filter(pk=event_id).first()
    if event is None:
        raise NotFound()
    require(actor, perm, location=event.location_id, hide=True, resource_type="event", resource_id=event.pk)
    return event


def _checked(values: dict[str, Any]) -> dict[str, Any]:
    """Refuse bad event values, naming the field."""
    problems: dict[str, list[str]] = {}
    for name in ("title_en", "title_es"):
        if name in values:
            values[name] = (values[name] or "").strip()[:160]
            if not values[name]:
                problems[name] = [_("Write the title in English and in Spanish.")]
    if "kind" in values and values["kind"] not in EventKind.values:
        problems["kind"] = [_("Choose a kind of event.")]
    if "audience" in values and values["audience"] not in Audience.values:
        problems["audience"] = [_("Choose who may come.")]
    if "capacity" in values and not (1 <= int(values["capacity"]) <= MAX_CAPACITY):
        problems["capacity"] = [_("Between 1 and %(max)s places.") % {"max": MAX_CAPACITY}]
    if "duration_minutes" in values and not (1 <= int(values["duration_minutes"]) <= MAX_MINUTES):
        problems["duration_minutes"] = [_("Between 1 minute and 24 hours.")]
    url = (values.get("online_url") or "").strip()
    if url and not url.startswith(("https://", "http://")):
        problems["online_url"] = [_("A web address starting with https://")]
    for name in ("place", "online_url", "description_en", "description_es"):
        if name in values:
            values[name] = (values[name] or "").strip()
    for name in ("description_en", "description_es"):
        if len(values.get(name, "")) > MAX_DESCRIPTION:
            problems[name] = [_("At most %(max)s characters.") % {"max": MAX_DESCRIPTION}]
    if problems:
        raise ValidationFailed("invalid-event", _("Check the highlighted fields."), fields=problems)
    return values


def _start(location: Location, day: dt.date, time: dt.time) -> dt.datetime:
    start = local_to_utc(day, time, location.tz)
    if start <= clock.now():
        raise ValidationFailed("event-in-past", _("An event is planned for a time still to come."),
                               fields={"day": [_("Choose a date and time still to come.")]})
    return start


@atomic_service
def event_create(*, actor: Actor, location_id: int, kind: str, title_en: str, title_es: str, day: dt.date,
                 time: dt.time, capacity: int, duration_minutes: int = 60, audience: str = Audience.PUBLIC,
                 description_en: str = "", description_es: str = "", place: str = "", online_url: str = "") -> Event:
    location = Location.objects.filter(pk=location_id).first()
    if location is None:
        raise NotFound()
    require(actor, Perm.OUTREACH_ADMIN, location=location.pk)
    values = _checked({"kind": kind, "title_en": title_en, "title_es": title_es, "description_en": description_en,
                       "description_es": description_es, "place": place, "online_url": online_url,
                       "duration_minutes": duration_minutes, "capacity": capacity, "audience": audience})
    event = Event.objects.create(location=location, start=_start(location, day, time), created_at=clock.now(),
                                 created_by=staff_user(actor), **values)
    record(actor, "event.create", event, detail={"kind": kind, "capacity": capacity})
    return event


@atomic_service
def event_update(*, actor: Actor, event_id: int, day: dt.date | None = None, time: dt.time | None = None,
                 **changes: Any) -> Event:
    """Change the members given. Fewer places than are taken is refused; more places promote the waitlist."""
    event = _event_for_update(actor, event_id)
    if event.status == EventStatus.CANCELLED:
        raise Conflict("event-cancelled", _("This event was cancelled."))
    unknown = set(changes) - set(EDITABLE)
    if unknown:
        raise ValidationFailed("unknown-field", _("These cannot be changed: %(names)s") % {"names": ", ".join(
            sorted(unknown))})
    values = _checked({k: v for k, v in changes.items() if v is not None})
    if "capacity" in values and values["capacity"] < event.taken:
        raise Conflict("capacity-below-taken", _("%(taken)s people already have a place: cancel registrations "
                                                 "before lowering the places.") % {"taken": event.taken},
                       fields={"capacity": [_("At least %(taken)s.") % {"taken": event.taken}]})
    if day is not None or time is not None:
        local = event.start.astimezone(event.location.tz)
        event.start = _start(event.location, day or local.date(), time or local.time())
        values["start"] = event.start
    for name, value in values.items():
        setattr(event, name, value)
    event.save()
    record(actor, "event.update", event, detail={"changed": sorted(values)})
    _promote(actor, event)
    event.refresh_from_db()
    return event


@atomic_service
def event_cancel(*, actor: Actor, event_id: int) -> Event:
    event = _event_for_update(actor, event_id)
    if event.status == EventStatus.CANCELLED:
        return event
    event.status = EventStatus.CANCELLED
    event.save(update_fields=["status"])
    record(actor, "event.cancel", event, detail={"registered": event.taken})
    from .messaging import event_cancel_notify  # everyone with a place or waiting is told, once the cancel commits

    event_pk = event.pk
    transaction.on_commit(lambda: event_cancel_notify(event_id=event_pk))
    return event


# --- registrations -----------------------------------------------------------------------------
def _may_register(actor: Actor, event: Event, patient: Patient | None) -> None:
    reach = getattr(actor, "reach", None)
    if reach is not None and patient is not None:  # the portal (#23): the patient themselves or a dependent
        reach(patient.pk)
        return
    require(actor, Perm.OUTREACH_USE, location=event.location_id, hide=True, resource_type="event",
            resource_id=event.pk)
    if patient is not None:
        require_patient_in_reach(actor, patient, perm=Perm.OUTREACH_USE)


def _take_place(event: Event) -> bool:
    """One confirmed place, if one is free: a conditional UPDATE, so two racing registrations cannot both win."""
    return bool(Event.objects.filter(pk=event.pk, status=EventStatus.SCHEDULED, taken__lt=F("capacity"))
                .update(taken=F("taken") + 1))


def _open_event(event_id: int) -> Event:
    event = Event.objects.select_related("location").filter(pk=event_id).first()
    if event is None:
        raise NotFound()
    return event


def _refuse_closed(event: Event, *, at_the_door: bool = False) -> None:
    if event.status == EventStatus.CANCELLED:
        raise Conflict("event-cancelled", _("This event was cancelled."))
    end = event.start + dt.timedelta(minutes=event.duration_minutes)
    if clock.now() >= (end if at_the_door else event.start):
        raise Conflict("event-over", _("This event is over."))


@atomic_service
def registration_add(*, actor: Actor, event: Event | int, patient: Patient | int | None = None,
                     contact: Contact | None = None, walk_in: bool = False) -> Registration:
    """Register a patient or a contact. A place if one is free, else a waitlist place (never an over-booked
    event). A walk-in is registered at the door and marked present; with no place free it is refused."""
    event = _open_event(event if isinstance(event, int) else event.pk)
    if isinstance(patient, int):
        patient = Patient.objects.select_related("home_location").filter(pk=patient).first()
        if patient is None:
            raise NotFound()
    if (patient is None) == (contact is None):
        raise ValidationFailed("person-required", _("Register either a patient or a contact."),
                               fields={"patient": [_("Choose a patient or enter a contact.")]})
    _may_register(actor, event, patient)
    if walk_in:
        require(actor, Perm.OUTREACH_USE, location=event.location_id)
    _refuse_closed(event, at_the_door=walk_in)
    if patient is not None:
        require_current(patient)
    elif event.audience == Audience.PATIENTS:
        raise ValidationFailed("patients-only", _("This event is for patients only."),
                               fields={"patient": [_("Only patients may register for this event.")]})
    twin = Registration.objects.filter(event=event).exclude(status=RegistrationStatus.CANCELLED)
    if twin.filter(patient=patient).exists() if patient is not None else twin.filter(contact=contact).exists():
        raise Conflict("already-registered", _("Already registered for this event."))
    placed = _take_place(event)
    if walk_in and not placed:
        raise Conflict("event-full", _("Every place is taken: there is no room for a walk-in."))
    now = clock.now()
    try:
        with transaction.atomic():
            registration = Registration.objects.create(
                event=event, patient=patient, contact=contact, walk_in=walk_in, attended=walk_in,
                attended_at=now if walk_in else None, created_at=now, created_by=staff_user(actor),
                status=RegistrationStatus.CONFIRMED if placed else RegistrationStatus.WAITLISTED)
    except IntegrityError:
        raise Conflict("already-registered", _("Already registered for this event.")) from None
    detail = {"event": event.pk, "walk_in": walk_in, **(getattr(actor, "audit_detail", lambda: {})())}
    if placed:
        record(actor, "event_registration.add", registration, patient=patient, detail=detail)
    else:
        record(actor, "event_registration.waitlist", registration, patient=patient, detail=detail)
    return registration


@atomic_service
def contact_register(*, actor: Actor, event_id: int, given_name: str, family_name: str, phone: str = "",
                     email: str = "", language: str = "en", consent: bool = False,
                     walk_in: bool = False) -> Registration:
    """Keep a person who is not a patient as a contact (with whether they agreed to be contacted) and register
    them, in one step."""
    problems: dict[str, list[str]] = {}
    if not given_name.strip():
        problems["given_name"] = [_("Required.")]
    if not family_name.strip():
        problems["family_name"] = [_("Required.")]
    if not phone.strip() and not email.strip():
        problems["phone"] = [_("A phone number or an e-mail address.")]
    if language not in LANGUAGES:
        problems["language"] = [_("English or Spanish.")]
    if problems:
        raise ValidationFailed("invalid-contact", _("Check the highlighted fields."), fields=problems)
    now = clock.now()
    contact = Contact.objects.create(given_name=given_name.strip()[:80], family_name=family_name.strip()[:80],
                                     phone=phone.strip()[:20], email=email.strip()[:254], language=language,
                                     consent=consent, consent_at=now if consent else None,
                                     consent_by=staff_user(actor) if consent else None, created_at=now)
    registration = registration_add(actor=actor, event=event_id, contact=contact, walk_in=walk_in)
    record(actor, "event_contact.add", contact, detail={"consent": consent, "event": event_id})
    if consent:
        _contact_consent_record(actor, contact)
    return registration


def _contact_consent_record(actor: Actor, contact: Contact) -> None:
    """The tick "agrees to be contacted about this event and others", kept where every decision to contact reads
    it (comms consent records, one per address given): outreach by e-mail and by text message, granted at the desk.
    A STOP or an unsubscribe from that address later withdraws it there."""
    addresses = [("email", contact.email), ("sms", contact.phone if len(digits(contact.phone)) >= 10 else "")]
    for channel, address in addresses:
        if address:
            comms.consent_address_record(actor=actor, address=address, channel=channel, purpose="outreach",
                                         granted=True, source="desk",
                                         note=_("Event registration: %(name)s") % {"name": contact.display_name})


def _registration_for_update(actor: Actor, registration_id: int) -> Registration:
    registration = (Registration.objects.select_for_update(of=("self",)).select_related("event", "patient")
                    .filter(pk=registration_id).first())
    if registration is None:
        raise NotFound()
    reach = getattr(actor, "reach", None)
    if reach is not None and registration.patient_id is not None:
        reach(registration.patient_id)
    else:
        require(actor, Perm.OUTREACH_USE, location=registration.event.location_id, hide=True,
                resource_type="event_registration", resource_id=registration.pk)
    return registration


def _promote(actor: Actor, event: Event) -> list[Registration]:
    """Give freed places to the waitlist, first registered first."""
    promoted = []
    waiting = (Registration.objects.select_for_update().filter(event=event, status=RegistrationStatus.WAITLISTED)
               .order_by("pk"))
    for registration in waiting:
        if not _take_place(event):
            break
        registration.status = RegistrationStatus.CONFIRMED
        registration.save(update_fields=["status"])
        record(actor, "event_registration.promote", registration, patient=registration.patient_id,
               detail={"event": event.pk})
        promoted.append(registration)
    if promoted:
        from .messaging import promotions_notify

        ids = [r.pk for r in promoted]
        transaction.on_commit(lambda: promotions_notify(registration_ids=ids))
    return promoted


@atomic_service
def registration_cancel(*, actor: Actor, registration_id: int) -> Registration:
    """Cancel a registration; a confirmed place goes to the first on the waitlist."""
    registration = _registration_for_update(actor, registration_id)
    if registration.status == RegistrationStatus.CANCELLED:
        return registration
    had_place = registration.status == RegistrationStatus.CONFIRMED
    registration.status = RegistrationStatus.CANCELLED
    registration.save(update_fields=["status"])
    record(actor, "event_registration.cancel", registration, patient=registration.patient_id,
           detail={"event": registration.event_id, "had_place": had_place})
    if had_place:
        Event.objects.filter(pk=registration.event_id, taken__gt=0).update(taken=F("taken") - 1)
        if registration.event.status == EventStatus.SCHEDULED and clock.now() < registration.event.start:
            _promote(actor, registration.event)
    return registration


@atomic_service
def attendance_mark(*, actor: Actor, registration_id: int, present: bool) -> Registration:
    """Tick (or untick) a person at the door."""
    registration = _registration_for_update(actor, registration_id)
    require(actor, Perm.OUTREACH_USE, location=registration.event.location_id)
    if registration.status != RegistrationStatus.CONFIRMED:
        raise Conflict("no-place", _("Only someone with a place can be marked present."))
    if registration.attended == present:
        return registration
    registration.attended = present
    registration.attended_at = clock.now() if present else None
    registration.save(update_fields=["attended", "attended_at"])
    detail = {"event": registration.event_id}
    if present:
        record(actor, "event_registration.attend", registration, patient=registration.patient_id, detail=detail)
    else:
        record(actor, "event_registration.unattend", registration, patient=registration.patient_id, detail=detail)
    return registration


def may_manage(actor: Actor, event: Event) -> bool:
    return has_perm(actor, Perm.OUTREACH_ADMIN, location=event.location_id)
