"""Self-booking under the practice's rules, through the desk's own search and `appointment_book`.

The portal's pages and its JSON API call the same public functions here. A request outside the rules (a kind not
bookable online or not for this patient, a time too soon or too far ahead, a provider not allowed, too many open
bookings, a change inside the late-cancel window) is refused with a plain message and nothing written; the refusal
is audited as denied and counted against the patient, and after `refusals.BOOKING.count` of them the patient's
booking requests are refused outright for a while (services/refusals.py, the portal's one refusal limit)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.utils.translation import gettext as _

from clinicdesk.audit.services import atomic_service, record
from clinicdesk.core import clock
from clinicdesk.core.exceptions import NotFound, ValidationFailed
from clinicdesk.core.permissions import Actor, Perm, require, staff_user
from clinicdesk.patients.models import Patient
from clinicdesk.practice.selectors import practice_settings
from clinicdesk.scheduling import selectors as scheduling_selectors
from clinicdesk.scheduling import services as scheduling
from clinicdesk.scheduling.models import Appointment, AppointmentStatus, AppointmentType
from clinicdesk.scheduling.search import Option, SearchQuery

from ..actor import PatientActor
from ..models import PortalBookingRule, WhoMayBook
from . import refusals
from .common import OPEN_STATUSES
from .common import subject_patient as _subject


@atomic_service
def booking_rule_save(*, actor: Actor, appointment_type_id: int, bookable: bool, who: str, practitioner_ids: list[int],
                      max_days_ahead: int, min_notice_hours: int, max_open_bookings: int) -> PortalBookingRule:
    require(actor, Perm.PRACTICE_ADMIN)
    kind = AppointmentType.objects.filter(pk=appointment_type_id, active=True).first()
    if kind is None:
        raise NotFound()
    errors: dict[str, list[str]] = {}
    if who not in WhoMayBook.values:
        errors["who"] = [_("Choose who may book.")]
    if not 1 <= max_days_ahead <= 365:
        errors["max_days_ahead"] = [_("Between 1 and 365 days.")]
    if not 0 <= min_notice_hours <= 24 * 60:
        errors["min_notice_hours"] = [_("Between 0 and 1440 hours.")]
    if not 1 <= max_open_bookings <= 20:
        errors["max_open_bookings"] = [_("Between 1 and 20.")]
    if errors:
        raise ValidationFailed("bad-rule", " ".join(m for ms in errors.values() for m in ms), fields=errors)
    rule, _created = PortalBookingRule.objects.update_or_create(appointment_type=kind, defaults={
        "bookable": bookable, "who": who, "max_days_ahead": max_days_ahead, "min_notice_hours": min_notice_hours,
        "max_open_bookings": max_open_bookings, "updated_at": clock.now(), "updated_by": staff_user(actor)})
    rule.practitioners.set(practitioner_ids)
    record(actor, "portal.booking_rule_save", rule, detail={"appointment_type": kind.pk, "bookable": bookable,
                                                             "who": who, "days": max_days_ahead,
                                                             "notice": min_notice_hours, "open": max_open_bookings})
    return rule


# --- self-booking ------------------------------------------------------------------------------------
def _established(patient_id: int) -> bool:
    return Appointment.objects.filter(patient_id=patient_id, status=AppointmentStatus.FULFILLED).exists()


def bookable_rule(actor: PatientActor, appointment_type_id: int) -> PortalBookingRule:
    """The rule that lets this patient book the type online; NotFound (a type they cannot book) otherwise. Read
    once per request (the actor's memo)."""
    memo_key = f"rule:{actor.subject_id}:{appointment_type_id}"
    if (known := actor.memo.get(memo_key)) is not None:
        return known  # type: ignore[no-any-return]
    rule = (PortalBookingRule.objects.select_related("appointment_type")
            .filter(appointment_type_id=appointment_type_id, bookable=True, appointment_type__active=True).first())
    if rule is None:
        raise NotFound("not-bookable", _("This kind of visit cannot be booked online. Please call us."))
    if rule.who != WhoMayBook.ANYONE:
        established = _established(actor.subject_id)
        if (rule.who == WhoMayBook.ESTABLISHED) != established:
            raise NotFound("not-bookable", _("This kind of visit cannot be booked online. Please call us."))
    actor.memo[memo_key] = rule
    return rule


def _window(rule: PortalBookingRule) -> tuple[dt.datetime, dt.datetime]:
    now = clock.now()
    return now + dt.timedelta(hours=rule.min_notice_hours), now + dt.timedelta(days=rule.max_days_ahead)


# The refusals that are "outside the practice's rules" (a taken time is not one: another patient was quicker).
RULE_REFUSALS = frozenset({"not-bookable", "bad-option", "too-soon", "too-far", "provider-not-bookable",
                           "too-many-open", "not-changeable", "too-late"})


def _guarded(actor: PatientActor, action: str, work: Any, **audit: Any) -> Any:
    return refusals.counted(refusals.BOOKING, f"patient:{actor.patient_id}", action, RULE_REFUSALS, work,
                            actor=actor, patient=actor.subject_id, **audit)


def portal_options(*, actor: PatientActor, appointment_type_id: int, limit: int = 8) -> list[Option]:
    """First-available times the patient may book: the desk's own search, narrowed by the practice's rule."""
    options: list[Option] = _guarded(actor, "portal.options", lambda: _options(
        actor=actor, appointment_type_id=appointment_type_id, limit=limit), resource_type="appointmenttype",
        resource_id=appointment_type_id, detail=actor.audit_detail())
    return options


@atomic_service
def _options(*, actor: PatientActor, appointment_type_id: int, limit: int) -> list[Option]:
    rule = bookable_rule(actor, appointment_type_id)
    patient = _subject(actor)
    earliest, latest = _window(rule)
    tz = patient.home_location.tz
    query = SearchQuery(appointment_type_id=appointment_type_id, location_id=patient.home_location_id,
                        practitioner_ids=tuple(rule.practitioners.values_list("pk", flat=True)),
                        patient_id=patient.pk, first_day=earliest.astimezone(tz).date(),
                        last_day=latest.astimezone(tz).date(), not_before=earliest, limit=limit)
    options = [o for o in scheduling_selectors.slots_search(actor=actor, query=query)
               if earliest <= o.start <= latest]
    options.sort(key=lambda o: o.start)
    record(actor, "portal.options", resource_type="appointmenttype", resource_id=appointment_type_id,
           patient=patient, detail=actor.audit_detail(shown=len(options[:limit])))
    return options[:limit]


def option_value(option: Option) -> str:
    return f"{option.practitioner.pk}:{int(option.start.timestamp())}"


def _parse_option(value: str) -> tuple[int, dt.datetime]:
    try:
        practitioner, stamp = value.split(":")
        return int(practitioner), dt.datetime.fromtimestamp(int(stamp), tz=dt.UTC)
    except (ValueError, OverflowError, OSError):
        raise ValidationFailed("bad-option", _("Choose one of the times shown.")) from None


def _check_rule(rule: PortalBookingRule, practitioner_id: int, start: dt.datetime) -> None:
    earliest, latest = _window(rule)
    if start < earliest:
        raise ValidationFailed("too-soon", _("That time is too soon to book online. Choose a later time or call us."))
    if start > latest:
        raise ValidationFailed("too-far", _("That time is too far ahead to book online."))
    allowed = set(rule.practitioners.values_list("pk", flat=True))
    if allowed and practitioner_id not in allowed:
        raise ValidationFailed("provider-not-bookable", _("That provider cannot be booked online."))


def portal_appointment_book(*, actor: PatientActor, appointment_type_id: int, option: str,
                            idempotency_key: str = "") -> Appointment:
    """Book a time the patient chose, through `appointment_book` (the same locks and constraint as the desk)."""
    booked: Appointment = _guarded(actor, "portal.appointment_book", lambda: _book(
        actor=actor, appointment_type_id=appointment_type_id, option=option, idempotency_key=idempotency_key),
        resource_type="appointmenttype", resource_id=appointment_type_id, detail=actor.audit_detail())
    return booked


def _check_open_bookings(rule: PortalBookingRule, patient: Patient, *, booked: int = 0) -> None:
    """Refuse when the patient holds more open bookings of the rule's kind than it allows (`booked`: counted
    already, the one being made)."""
    open_count = Appointment.objects.filter(patient=patient, appointment_type_id=rule.appointment_type_id,
                                            status__in=OPEN_STATUSES, start__gt=clock.now()).count() - booked
    if open_count >= rule.max_open_bookings:
        raise ValidationFailed("too-many-open", _("You already have %(count)d upcoming visits of this kind. "
                                                  "Cancel one first, or call us.") % {"count": open_count})


@atomic_service
def _book(*, actor: PatientActor, appointment_type_id: int, option: str, idempotency_key: str) -> Appointment:
    rule = bookable_rule(actor, appointment_type_id)
    practitioner_id, start = _parse_option(option)
    patient = Patient.objects.filter(pk=actor.reach(actor.subject_id)).first()
    if patient is None:
        raise NotFound()
    key = f"portal:{patient.pk}:{idempotency_key.strip()[:40]}" if idempotency_key.strip() else None
    if key and (prior := Appointment.objects.filter(idempotency_key=key).first()) is not None:
        return prior
    _check_rule(rule, practitioner_id, start)
    _check_open_bookings(rule, patient)  # the common refusal, before any booking work
    appointment = scheduling.appointment_book(actor=actor, request=scheduling.BookingRequest(
        patient_id=patient.pk, practitioner_id=practitioner_id, location_id=patient.home_location_id,
        appointment_type_id=appointment_type_id, start=start, note=_("Booked by the patient online")),
        idempotency_key=key)
    # Counted again under the booking's lock on the patient's row (taken in the desk's fixed order, after the
    # provider's): two bookings of one patient at once serialize there, so the second sees the first and is rolled
    # back here. (Locking the patient before the booking, as this did, took the rows out of that order.)
    _check_open_bookings(rule, patient, booked=1)
    record(actor, "portal.appointment_book", appointment, patient=patient, detail=actor.audit_detail())
    return appointment


def _own_appointment(actor: PatientActor, appointment_id: int) -> Appointment:
    appointment = Appointment.objects.select_related("appointment_type").filter(
        pk=appointment_id, patient_id=actor.subject_id).first()
    if appointment is None or appointment.patient_id not in actor.reachable_ids:
        raise NotFound()
    return appointment


def _check_changeable(appointment: Appointment) -> None:
    hours = practice_settings().late_cancel_hours
    if appointment.status not in OPEN_STATUSES or appointment.start <= clock.now():
        raise ValidationFailed("not-changeable", _("This visit can no longer be changed online."))
    if appointment.start - clock.now() < dt.timedelta(hours=hours):
        raise ValidationFailed("too-late", _("Your visit is less than %(hours)d hours away. Please call us to "
                                             "change it.") % {"hours": hours})


def portal_appointment_cancel(*, actor: PatientActor, appointment_id: int) -> Appointment:
    cancelled: Appointment = _guarded(actor, "portal.appointment_cancel", lambda: _cancel(
        actor=actor, appointment_id=appointment_id), resource_type="appointment", resource_id=appointment_id,
        detail=actor.audit_detail())
    return cancelled


@atomic_service
def _cancel(*, actor: PatientActor, appointment_id: int) -> Appointment:
    appointment = _own_appointment(actor, appointment_id)
    _check_changeable(appointment)
    cancelled = scheduling.appointment_cancel(actor=actor, appointment_id=appointment.pk,
                                              reason="cancelled by the patient (portal)")
    record(actor, "portal.appointment_cancel", cancelled, patient=cancelled.patient_id, detail=actor.audit_detail())
    return cancelled


def portal_appointment_reschedule(*, actor: PatientActor, appointment_id: int, option: str) -> Appointment:
    moved: Appointment = _guarded(actor, "portal.appointment_reschedule", lambda: _reschedule(
        actor=actor, appointment_id=appointment_id, option=option), resource_type="appointment",
        resource_id=appointment_id, detail=actor.audit_detail())
    return moved


@atomic_service
def _reschedule(*, actor: PatientActor, appointment_id: int, option: str) -> Appointment:
    appointment = _own_appointment(actor, appointment_id)
    _check_changeable(appointment)
    rule = bookable_rule(actor, appointment.appointment_type_id)
    practitioner_id, start = _parse_option(option)
    _check_rule(rule, practitioner_id, start)
    moved = scheduling.appointment_reschedule(actor=actor, appointment_id=appointment.pk, start=start,
                                              practitioner_id=practitioner_id, reason="moved by the patient (portal)")
    record(actor, "portal.appointment_reschedule", moved, patient=moved.patient_id, detail=actor.audit_detail())
    return moved


def portal_waitlist_join(*, actor: PatientActor, appointment_type_id: int) -> Any:
    return _guarded(actor, "portal.waitlist_join", lambda: _waitlist_join(
        actor=actor, appointment_type_id=appointment_type_id), resource_type="appointmenttype",
        resource_id=appointment_type_id, detail=actor.audit_detail())


@atomic_service
def _waitlist_join(*, actor: PatientActor, appointment_type_id: int) -> Any:
    rule = bookable_rule(actor, appointment_type_id)
    patient = _subject(actor)
    entry = scheduling.waitlist_add(actor=actor, patient_id=patient.pk, appointment_type_id=appointment_type_id,
                                    location_id=patient.home_location_id,
                                    practitioner_ids=list(rule.practitioners.values_list("pk", flat=True)),
                                    notice_hours=min(max(rule.min_notice_hours, 0), 24 * 14),
                                    note="joined from the patient portal")
    record(actor, "portal.waitlist_join", entry, patient=patient, detail=actor.audit_detail())
    return entry
