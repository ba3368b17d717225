"""Writes of the patient portal (issue #23): sign-in by link or code, portal sessions, proxies, self-booking under
the practice's rules (through the desk's own search and `appointment_book`), secure messages.

Every write is audited with the patient (`PatientActor`, `patient:<id>`) or, before sign-in, with no actor.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import secrets
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.db import transaction
from django.urls import reverse
from django.utils.translation import gettext as _

from clinicdesk.audit.services import atomic_service, record
from clinicdesk.comms import services as comms
from clinicdesk.comms.models import Kind
from clinicdesk.core import clock, request_context
from clinicdesk.core.exceptions import DomainError, NotFound, ValidationFailed
from clinicdesk.core.permissions import Actor, Perm, SystemActor, require, staff_user
from clinicdesk.core.text import digits
from clinicdesk.frontdesk import services as frontdesk
from clinicdesk.patients.models import Patient
from clinicdesk.patients.selectors import require_patient_in_reach
from clinicdesk.practice.selectors import practice_settings
from clinicdesk.scheduling import selectors as scheduling_selectors
from clinicdesk.scheduling import services as scheduling
from clinicdesk.scheduling.models import Appointment, AppointmentStatus, AppointmentType
from clinicdesk.scheduling.search import Option, SearchQuery

from .actor import IDLE_MINUTES, PatientActor
from .models import (
    ContactChannel,
    MessageTopic,
    PortalBookingRule,
    PortalMessage,
    PortalSession,
    ProxyAuthorization,
    ProxyKind,
    SignInChallenge,
    WhoMayBook,
)

CHALLENGE_MINUTES = 15
WINDOW = dt.timedelta(minutes=15)
PER_CONTACT: int = getattr(settings, "PORTAL_SIGN_IN_PER_CONTACT", 3)  # requests per contact per 15 minutes
PER_IP: int = getattr(settings, "PORTAL_SIGN_IN_PER_IP", 20)  # requests per network address per 15 minutes
MAX_FAILURES = 5  # wrong codes or dates of birth before a challenge is dead
OPEN_STATUSES = (AppointmentStatus.BOOKED, AppointmentStatus.PENDING, AppointmentStatus.PROPOSED)
# The front desk's inbox takes the portal's messages as its own log entries and triage slips.
MESSAGE_INTAKE = SystemActor("portal-messages", frozenset({Perm.FRONTDESK}))
_REASONS = {MessageTopic.APPOINTMENT: "appointment", MessageTopic.BILLING: "billing", MessageTopic.REFILL: "refill",
            MessageTopic.CLINICAL: "clinical", MessageTopic.RECORDS: "records", MessageTopic.OTHER: "other"}


class TooManyRequests(DomainError):
    status = 429
    title = "Too many requests"


def _digest(value: str) -> str:
    return hmac.new(settings.SECRET_KEY.encode(), value.encode(), hashlib.sha256).hexdigest()


def _sha(value: str) -> str:
    return hashlib.sha256(value.encode()).hexdigest()


def contact_parse(contact: str) -> tuple[str, str]:
    """(channel, normalised contact) of what the patient typed: an e-mail address or a mobile number."""
    text = (contact or "").strip()
    if "@" in text:
        address = text.lower()
        local, _at, domain = address.partition("@")
        if local and "." in domain and len(address) <= 254 and " " not in address:
            return ContactChannel.EMAIL, address
    else:
        number = digits(text)
        if len(number) == 11 and number.startswith("1"):
            number = number[1:]
        if len(number) == 10:
            return ContactChannel.SMS, number
    raise ValidationFailed("bad-contact", _("Enter your e-mail address or your mobile phone number."),
                           fields={"contact": [_("Enter an e-mail address or a 10-digit phone number.")]})


def _match(channel: str, contact: str) -> Patient | None:
    patients = Patient.objects.filter(active=True, merged_into__isnull=True)
    if channel == ContactChannel.EMAIL:
        found = list(patients.filter(email__iexact=contact)[:2])
    else:
        found = list(patients.filter(phone_digits=contact)[:2])
    return found[0] if len(found) == 1 else None


def link_url(token: str) -> str:
    return f"{settings.PUBLIC_BASE_URL.rstrip('/')}{reverse('portal:link', args=[token])}"


# --- sign-in -----------------------------------------------------------------------------------
def portal_sign_in_request(*, contact: str, ip: str | None = None) -> str:
    """Send a one-time link (e-mail) or code (SMS) when `contact` is the contact of exactly one patient. The answer
    (the channel) is the same whether or not it matched; requests are counted per contact and per address."""
    channel, normalised = contact_parse(contact)
    ip = ip or request_context.current().ip or None
    now = clock.now()
    key = _digest(f"contact:{normalised}")
    with transaction.atomic():
        if ip and SignInChallenge.objects.filter(ip=ip, created_at__gte=now - WINDOW).count() >= PER_IP:
            record(None, "portal.sign_in_throttled", resource_type="signinchallenge", detail={"by": "ip"})
            throttled = True
        else:
            throttled = False
            recent = SignInChallenge.objects.filter(contact_key=key, created_at__gte=now - WINDOW).count()
            patient = _match(channel, normalised) if recent < PER_CONTACT else None
            challenge = SignInChallenge.objects.create(
                patient=patient, contact_key=key, channel=channel, ip=ip, created_at=now,
                expires_at=now + dt.timedelta(minutes=CHALLENGE_MINUTES))
            if recent >= PER_CONTACT:
                record(None, "portal.sign_in_throttled", challenge, detail={"by": "contact"})
            else:
                record(None, "portal.sign_in_request", challenge, patient=patient,
                       detail={"channel": channel, "matched": patient is not None})
            if patient is not None:
                _send_challenge(challenge, patient)
    if throttled:
        raise TooManyRequests("rate-limited", _("Too many sign-in requests. Please wait 15 minutes and try again."))
    return channel


def _send_challenge(challenge: SignInChallenge, patient: Patient) -> None:
    values: dict[str, Any]
    if challenge.channel == ContactChannel.EMAIL:
        token = secrets.token_urlsafe(32)
        challenge.token_hash = _sha(token)
        values = {"link": link_url(token)}
    else:
        code = f"{secrets.randbelow(10**6):06d}"
        challenge.code_hash = _digest(f"code:{challenge.pk}:{code}")
        values = {"code": code}
    challenge.save(update_fields=["token_hash", "code_hash"])
    comms.message_queue(patient=patient, kind=Kind.PORTAL_SIGN_IN, channel=challenge.channel, values=values,
                        dedupe_key=f"portal-sign-in:{challenge.pk}", requested=True)


def _refused(code: str) -> ValidationFailed:
    texts = {
        "link-invalid": _("This link or code is not valid. Ask for a new one."),
        "link-used": _("This link or code was already used. Ask for a new one."),
        "link-expired": _("This link or code has expired. Ask for a new one."),
        "birth-date": _("That date of birth does not match our records."),
    }
    return ValidationFailed(code, texts[code])


def _open_challenge(*, token: str, contact: str, code: str) -> tuple[SignInChallenge | None, str]:
    now = clock.now()
    challenge: SignInChallenge | None
    if token:
        challenge = (SignInChallenge.objects.select_for_update(of=("self",)).select_related("patient")
                     .filter(token_hash=_sha(token), channel=ContactChannel.EMAIL, patient__isnull=False).first())
    else:
        try:
            _channel, normalised = contact_parse(contact)
        except ValidationFailed:
            return None, "link-invalid"
        candidates = list(SignInChallenge.objects.select_for_update(of=("self",)).select_related("patient").filter(
            contact_key=_digest(f"contact:{normalised}"), channel=ContactChannel.SMS, patient__isnull=False,
            created_at__gte=now - dt.timedelta(hours=24)).order_by("-pk"))
        wanted = code.strip()
        challenge = next((c for c in candidates if hmac.compare_digest(
            c.code_hash, _digest(f"code:{c.pk}:{wanted}"))), None)
        if challenge is None:
            live = next((c for c in candidates if c.used_at is None and c.expires_at > now), None)
            if live is not None:  # a wrong code counts against the latest live code
                live.failed_attempts += 1
                live.save(update_fields=["failed_attempts"])
            return None, "link-invalid"
    if challenge is None:
        return None, "link-invalid"
    if challenge.used_at is not None:
        return challenge, "link-used"
    if challenge.expires_at <= now or challenge.failed_attempts >= MAX_FAILURES:
        return challenge, "link-expired"
    return challenge, ""


def portal_sign_in_check(*, token: str) -> bool:
    """Whether an e-mail link is still usable (the page asks for the date of birth only then). Writes nothing:
    a mail scanner opening the link does not use it up."""
    with transaction.atomic():
        _challenge, problem = _open_challenge(token=token, contact="", code="")
    return not problem


@dataclass(frozen=True)
class SignedIn:
    session: PortalSession
    key: str  # the cookie's value (only its digest is stored)


def portal_sign_in_confirm(*, birth_date: dt.date | None, token: str = "", contact: str = "", code: str = "",
                           language: str = "") -> SignedIn:
    """Finish a sign-in: the link (or the contact and code) and the patient's date of birth. Used once; a wrong
    code or date of birth counts towards MAX_FAILURES and is audited."""
    problem = ""
    with transaction.atomic():  # not atomic_service: a failure's count and audit entry commit
        challenge, problem = _open_challenge(token=token, contact=contact, code=code)
        patient = challenge.patient if challenge is not None else None
        if not problem and patient is not None and birth_date != patient.birth_date:
            assert challenge is not None
            challenge.failed_attempts += 1
            challenge.save(update_fields=["failed_attempts"])
            problem = "birth-date"
        if problem or challenge is None or patient is None:
            record(None, "portal.sign_in", challenge, patient=patient, outcome="denied",
                   resource_type="signinchallenge", detail={"reason": problem or "link-invalid"})
        else:
            now = clock.now()
            challenge.used_at = now
            challenge.save(update_fields=["used_at"])
            key = secrets.token_urlsafe(32)
            lang = language if language in ("en", "es") else (patient.preferred_language or "en")[:2]
            session = PortalSession.objects.create(
                key_hash=_sha(key), patient=patient, subject=patient, language=lang if lang in ("en", "es") else "en",
                created_at=now, last_seen_at=now, method=challenge.channel)
            actor = PatientActor(patient_id=patient.pk, session_id=session.pk, method=session.method)
            record(actor, "portal.sign_in", session, patient=patient, detail=actor.audit_detail(
                channel=challenge.channel))
            return SignedIn(session, key)
    raise _refused(problem or "link-invalid")


def dependents_of(patient_id: int, day: dt.date | None = None) -> frozenset[int]:
    day = day or clock.now().date()
    rows = ProxyAuthorization.objects.filter(proxy_id=patient_id, revoked_at__isnull=True, valid_from__lte=day,
                                             dependent__active=True, dependent__merged_into__isnull=True).exclude(
        valid_to__lt=day).values_list("dependent_id", flat=True)
    return frozenset(rows)


def portal_session_resume(*, key: str, activity: bool = True) -> tuple[PortalSession, PatientActor] | None:
    """The live session behind a cookie, and its actor; None when unknown, ended or idle too long (then ended)."""
    if not key:
        return None
    session = PortalSession.objects.filter(key_hash=_sha(key), ended_at__isnull=True).first()
    if session is None:
        return None
    now = clock.now()
    if now - session.last_seen_at > dt.timedelta(minutes=IDLE_MINUTES):
        PortalSession.objects.filter(pk=session.pk).update(ended_at=now)
        return None
    dependents = dependents_of(session.patient_id)
    subject_id = session.subject_id if session.subject_id in dependents | {session.patient_id} else session.patient_id
    updates: dict[str, Any] = {}
    if subject_id != session.subject_id:
        updates["subject_id"] = session.subject_id = subject_id
    if activity:
        updates["last_seen_at"] = session.last_seen_at = now
    if updates:
        PortalSession.objects.filter(pk=session.pk).update(**updates)
    actor = PatientActor(patient_id=session.patient_id, dependent_ids=dependents, subject_id=subject_id,
                         session_id=session.pk, method=session.method)
    return session, actor


@atomic_service
def portal_sign_out(*, actor: PatientActor) -> None:
    PortalSession.objects.filter(pk=actor.session_id or 0, ended_at__isnull=True).update(ended_at=clock.now())
    record(actor, "portal.sign_out", resource_type="portalsession", resource_id=actor.session_id or "",
           patient=actor.patient_id, detail=actor.audit_detail())


@atomic_service
def portal_subject_choose(*, actor: PatientActor, patient_id: int) -> int:
    """Look at (and act for) oneself or an authorized dependent."""
    pid = actor.reach(patient_id)
    PortalSession.objects.filter(pk=actor.session_id or 0).update(subject_id=pid)
    actor.subject_id = pid
    record(actor, "portal.subject_choose", resource_type="patient", resource_id=pid, patient=pid,
           detail=actor.audit_detail())
    return pid


@atomic_service
def portal_language_set(*, actor: PatientActor, language: str) -> str:
    if language not in ("en", "es"):
        raise ValidationFailed("bad-language", _("Choose English or Spanish."))
    PortalSession.objects.filter(pk=actor.session_id or 0).update(language=language)
    record(actor, "portal.language_set", resource_type="portalsession", resource_id=actor.session_id or "",
           patient=actor.patient_id, detail=actor.audit_detail(language=language))
    return language


# --- proxies (recorded by staff) -------------------------------------------------------------------
@atomic_service
def proxy_authorize(*, actor: Actor, proxy_id: int, dependent_id: int, kind: str, valid_from: dt.date,
                    valid_to: dt.date | None = None, note: str = "") -> ProxyAuthorization:
    require(actor, Perm.PATIENT_WRITE)
    patients = {p.pk: p for p in Patient.objects.filter(pk__in=[proxy_id, dependent_id], active=True)}
    dependent, proxy = patients.get(dependent_id), patients.get(proxy_id)
    if dependent is None or proxy is None:
        raise NotFound()
    require_patient_in_reach(actor, dependent, perm=Perm.PATIENT_WRITE)
    errors: dict[str, list[str]] = {}
    if proxy_id == dependent_id:
        errors["proxy"] = [_("A patient cannot be their own proxy.")]
    if kind not in ProxyKind.values:
        errors["kind"] = [_("Choose the kind of authorization.")]
    if valid_to is not None and valid_to < valid_from:
        errors["valid_to"] = [_("The end is before the start.")]
    if kind == ProxyKind.PARENT and dependent.age_on(valid_from) >= 18:
        errors["kind"] = [_("The dependent is not a minor: record a caregiver authorization.")]
    if errors:
        raise ValidationFailed("bad-proxy", " ".join(m for ms in errors.values() for m in ms), fields=errors)
    if kind == ProxyKind.PARENT and valid_to is None:  # it ends when the child comes of age
        eighteenth = dependent.birth_date.replace(year=dependent.birth_date.year + 18) if not (
            dependent.birth_date.month == 2 and dependent.birth_date.day == 29) else dt.date(
            dependent.birth_date.year + 18, 3, 1)
        valid_to = eighteenth - dt.timedelta(days=1)
    proxy_row = ProxyAuthorization.objects.create(
        proxy=proxy, dependent=dependent, kind=kind, valid_from=valid_from, valid_to=valid_to, note=note.strip()[:200],
        recorded_by=staff_user(actor), recorded_at=clock.now())
    record(actor, "portal.proxy_authorize", proxy_row, patient=dependent, detail={"proxy": proxy_id, "kind": kind})
    return proxy_row


@atomic_service
def proxy_revoke(*, actor: Actor, authorization_id: int) -> ProxyAuthorization:
    require(actor, Perm.PATIENT_WRITE)
    row = ProxyAuthorization.objects.select_for_update(of=("self",)).select_related("dependent").filter(
        pk=authorization_id).first()
    if row is None:
        raise NotFound()
    require_patient_in_reach(actor, row.dependent, perm=Perm.PATIENT_WRITE, resource_type="proxyauthorization",
                             resource_id=authorization_id)
    if row.revoked_at is None:
        row.revoked_at = clock.now()
        row.save(update_fields=["revoked_at"])
        record(actor, "portal.proxy_revoke", row, patient=row.dependent_id, detail={"proxy": row.proxy_id})
    return row


# --- self-booking rules (practice settings) -------------------------------------------------------------
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
    """The rule that lets this patient book the type online; NotFound (a type they cannot book) otherwise."""
    rule = (PortalBookingRule.objects.select_related("appointment_type")
            .filter(appointment_type_id=appointment_type_id, bookable=True, appointment_type__active=True).first())
    if rule is None:
        raise NotFound("not-bookable", _("This kind of visit cannot be booked online. Please call us."))
    if rule.who != WhoMayBook.ANYONE:
        established = _established(actor.subject_id)
        if (rule.who == WhoMayBook.ESTABLISHED) != established:
            raise NotFound("not-bookable", _("This kind of visit cannot be booked online. Please call us."))
    return rule


def _subject(actor: PatientActor) -> Patient:
    patient = Patient.objects.select_related("home_location").filter(
        pk=actor.reach(actor.subject_id), active=True).first()
    if patient is None:
        raise NotFound()
    return patient


def _window(rule: PortalBookingRule) -> tuple[dt.datetime, dt.datetime]:
    now = clock.now()
    return now + dt.timedelta(hours=rule.min_notice_hours), now + dt.timedelta(days=rule.max_days_ahead)


@atomic_service
def portal_options(*, actor: PatientActor, appointment_type_id: int, limit: int = 8) -> list[Option]:
    """First-available times the patient may book: the desk's own search, narrowed by the practice's rule."""
    rule = bookable_rule(actor, appointment_type_id)
    patient = _subject(actor)
    earliest, latest = _window(rule)
    tz = patient.home_location.tz
    query = SearchQuery(appointment_type_id=appointment_type_id, location_id=patient.home_location_id,
                        practitioner_ids=tuple(rule.practitioners.values_list("pk", flat=True)),
                        patient_id=patient.pk, first_day=earliest.astimezone(tz).date(),
                        last_day=latest.astimezone(tz).date(), limit=limit * 3)
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


@atomic_service
def portal_appointment_book(*, actor: PatientActor, appointment_type_id: int, option: str,
                            idempotency_key: str = "") -> Appointment:
    """Book a time the patient chose, through `appointment_book` (the same locks and constraint as the desk)."""
    rule = bookable_rule(actor, appointment_type_id)
    practitioner_id, start = _parse_option(option)
    patient = Patient.objects.select_for_update().filter(pk=actor.reach(actor.subject_id)).first()  # serialises
    if patient is None:  # one patient's concurrent bookings, so the count below holds
        raise NotFound()
    key = f"portal:{patient.pk}:{idempotency_key.strip()[:40]}" if idempotency_key.strip() else None
    if key and (prior := Appointment.objects.filter(idempotency_key=key).first()) is not None:
        return prior
    _check_rule(rule, practitioner_id, start)
    open_count = Appointment.objects.filter(patient=patient, appointment_type_id=appointment_type_id,
                                            status__in=OPEN_STATUSES, start__gt=clock.now()).count()
    if open_count >= rule.max_open_bookings:
        raise ValidationFailed("too-many-open", _("You already have %(count)d upcoming visits of this kind. "
                                                  "Cancel one first, or call us.") % {"count": open_count})
    appointment = scheduling.appointment_book(actor=actor, request=scheduling.BookingRequest(
        patient_id=patient.pk, practitioner_id=practitioner_id, location_id=patient.home_location_id,
        appointment_type_id=appointment_type_id, start=start, note=_("Booked by the patient online")),
        idempotency_key=key)
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


@atomic_service
def portal_appointment_cancel(*, actor: PatientActor, appointment_id: int) -> Appointment:
    appointment = _own_appointment(actor, appointment_id)
    _check_changeable(appointment)
    cancelled = scheduling.appointment_cancel(actor=actor, appointment_id=appointment.pk,
                                              reason="cancelled by the patient (portal)")
    record(actor, "portal.appointment_cancel", cancelled, patient=cancelled.patient_id, detail=actor.audit_detail())
    return cancelled


@atomic_service
def portal_appointment_reschedule(*, actor: PatientActor, appointment_id: int, option: str) -> Appointment:
    appointment = _own_appointment(actor, appointment_id)
    _check_changeable(appointment)
    rule = bookable_rule(actor, appointment.appointment_type_id)
    practitioner_id, start = _parse_option(option)
    _check_rule(rule, practitioner_id, start)
    moved = scheduling.appointment_reschedule(actor=actor, appointment_id=appointment.pk, start=start,
                                              practitioner_id=practitioner_id, reason="moved by the patient (portal)")
    record(actor, "portal.appointment_reschedule", moved, patient=moved.patient_id, detail=actor.audit_detail())
    return moved


@atomic_service
def portal_waitlist_join(*, actor: PatientActor, appointment_type_id: int) -> Any:
    rule = bookable_rule(actor, appointment_type_id)
    patient = _subject(actor)
    entry = scheduling.waitlist_add(actor=actor, patient_id=patient.pk, appointment_type_id=appointment_type_id,
                                    location_id=patient.home_location_id,
                                    practitioner_ids=list(rule.practitioners.values_list("pk", flat=True)),
                                    notice_hours=min(max(rule.min_notice_hours, 0), 24 * 14),
                                    note="joined from the patient portal")
    record(actor, "portal.waitlist_join", entry, patient=patient, detail=actor.audit_detail())
    return entry


# --- secure messages ---------------------------------------------------------------------------------
@atomic_service
def portal_message_send(*, actor: PatientActor, topic: str, body: str, idempotency_key: str = "") -> PortalMessage:
    """A patient writes to the practice. It lands in the front desk's log as a message; a health question
    becomes a triage slip for the nurses."""
    patient = _subject(actor)
    key = f"{actor.patient_id}:{idempotency_key.strip()[:60]}" if idempotency_key.strip() else None
    if key and (prior := PortalMessage.objects.filter(idempotency_key=key).first()) is not None:
        return prior
    errors: dict[str, list[str]] = {}
    if topic not in MessageTopic.values:
        errors["topic"] = [_("Choose what your message is about.")]
    if not body.strip():
        errors["body"] = [_("Write your message.")]
    elif len(body) > 4000:
        errors["body"] = [_("Keep your message under 4,000 characters.")]
    if errors:
        raise ValidationFailed("bad-message", " ".join(m for ms in errors.values() for m in ms), fields=errors)
    clinical = topic == MessageTopic.CLINICAL
    call = frontdesk.call_record(
        actor=MESSAGE_INTAKE, location_id=patient.home_location_id, caller_name=patient.display_name,
        reason=_REASONS[MessageTopic(topic)], disposition="triage" if clinical else "message", patient_id=patient.pk,
        kind="message", note="Patient portal message: read and answer it on the portal messages screen.",
        question=body.strip() if clinical else "", pool="nurse" if clinical else "")
    message = PortalMessage.objects.create(
        patient=patient, written_by_patient_id=actor.patient_id, topic=topic, body=body.strip(),
        created_at=clock.now(), call_log_id=call.pk, idempotency_key=key)
    record(actor, "portal.message_send", message, patient=patient, detail=actor.audit_detail(topic=topic))
    return message


def _notify(patient: Patient, message: PortalMessage) -> None:
    channel = "email" if patient.email else "sms"
    comms.message_queue(patient=patient, kind=Kind.PORTAL_NOTICE, channel=channel,
                        values={"link": f"{settings.PUBLIC_BASE_URL.rstrip('/')}{reverse('portal:start')}"},
                        dedupe_key=f"portal-notice:{message.pk}", requested=True)


@atomic_service
def portal_message_answer(*, actor: Actor, message_id: int, body: str) -> PortalMessage:
    """Staff answer a patient's message; the patient is told by e-mail or text that a message waits (no content)."""
    require(actor, Perm.FRONTDESK)
    original = (PortalMessage.objects.select_for_update(of=("self",)).select_related("patient")
                .filter(pk=message_id, written_by_staff__isnull=True).first())
    if original is None:
        raise NotFound()
    require_patient_in_reach(actor, original.patient, perm=Perm.FRONTDESK, resource_type="portalmessage",
                             resource_id=message_id)
    if not body.strip():
        raise ValidationFailed("bad-answer", _("Write your answer."), fields={"body": [_("Write your answer.")]})
    now = clock.now()
    answer = PortalMessage.objects.create(patient=original.patient, written_by_staff=staff_user(actor),
                                          reply_to=original, topic=original.topic, body=body.strip()[:4000],
                                          created_at=now)
    original.answered_at = now
    original.save(update_fields=["answered_at"])
    record(actor, "portal.message_answer", answer, patient=original.patient)
    _notify(original.patient, answer)
    return answer


@atomic_service
def portal_messages_mark_read(*, actor: PatientActor) -> int:
    return PortalMessage.objects.filter(patient_id=actor.reach(actor.subject_id), written_by_patient__isnull=True,
                                        read_at__isnull=True).update(read_at=clock.now())
