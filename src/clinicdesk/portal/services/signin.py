"""Signing in by link or code, the portal session, the patient's language and the chart they act for."""

from __future__ import annotations

import datetime as dt
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
from clinicdesk.core.exceptions import ValidationFailed
from clinicdesk.core.text import digits
from clinicdesk.patients.models import Patient

from ..actor import IDLE_MINUTES, PatientActor
from ..models import ContactChannel, PortalSession, ProxyAuthorization, SignInChallenge
from . import refusals
from .common import TooManyRequests
from .common import digest as _digest
from .common import sha as _sha

CHALLENGE_MINUTES = 15
WINDOW = dt.timedelta(minutes=15)
PER_CONTACT: int = getattr(settings, "PORTAL_SIGN_IN_PER_CONTACT", 3)  # requests per contact per 15 minutes
PER_IP: int = getattr(settings, "PORTAL_SIGN_IN_PER_IP", 20)  # requests per network address per 15 minutes
MAX_FAILURES = 5  # wrong codes or dates of birth before a challenge is dead


def _contact_parse(contact: str) -> tuple[str, str]:
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


def _link_url(token: str) -> str:
    return f"{settings.PUBLIC_BASE_URL.rstrip('/')}{reverse('portal:link', args=[token])}"


# --- sign-in -----------------------------------------------------------------------------------
def portal_sign_in_request(*, contact: str, ip: str | None = None) -> str:
    """Send a one-time link (e-mail) or code (SMS) when `contact` is the contact of exactly one patient. The answer
    (the channel) is the same whether or not it matched; requests are counted per contact and per address."""
    channel, normalised = _contact_parse(contact)
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
        values = {"link": _link_url(token)}
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
            _channel, normalised = _contact_parse(contact)
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
    a mail scanner opening the link does not use it up. A wrong or dead link is audited and counts against the
    network address (services/refusals.py); past the limit every link from there is refused for a while."""
    ip = request_context.current().ip or ""
    refusals.check(refusals.SIGN_IN, ip, resource_type="signinchallenge", detail={"by": "link"})
    with transaction.atomic():
        challenge, problem = _open_challenge(token=token, contact="", code="")
        if problem:
            refusals.note(refusals.SIGN_IN, ip, "portal.sign_in", obj=challenge, resource_type="signinchallenge",
                          detail={"reason": problem, "by": "link"})
    return not problem


@dataclass(frozen=True)
class SignedIn:
    session: PortalSession
    key: str  # the cookie's value (only its digest is stored)


def portal_sign_in_confirm(*, birth_date: dt.date | None, token: str = "", contact: str = "", code: str = "",
                           language: str = "") -> SignedIn:
    """Finish a sign-in: the link (or the contact and code) and the patient's date of birth. Used once; a wrong
    code or date of birth counts towards MAX_FAILURES and is audited; refused attempts from one network address
    count towards refusals.SIGN_IN, past which its attempts are refused (429) for a while."""
    problem = ""
    ip = request_context.current().ip or ""
    refusals.check(refusals.SIGN_IN, ip, resource_type="signinchallenge", detail={"by": "link" if token else "code"})
    with transaction.atomic():  # not atomic_service: a failure's count and audit entry commit
        challenge, problem = _open_challenge(token=token, contact=contact, code=code)
        patient = challenge.patient if challenge is not None else None
        if not problem and patient is not None and birth_date != patient.birth_date:
            assert challenge is not None
            challenge.failed_attempts += 1
            challenge.save(update_fields=["failed_attempts"])
            problem = "birth-date"
        if problem or challenge is None or patient is None:
            refusals.note(refusals.SIGN_IN, ip, "portal.sign_in", obj=challenge, patient=patient,
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


# The time of a patient's last request is written at most this often, as on the staff side
# (accounts.middleware.LAST_SEEN_RESOLUTION_SECONDS): an UPDATE and a commit on every portal page were a fixed cost
# of every request (issue #16). A patient can be signed out up to this much before IDLE_MINUTES of real idleness,
# never after.
LAST_SEEN_RESOLUTION = dt.timedelta(seconds=60)


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
    if activity and now - session.last_seen_at >= LAST_SEEN_RESOLUTION:
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
