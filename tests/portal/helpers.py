"""Signing a patient into the portal in tests (also used by the access matrix's world)."""

from __future__ import annotations

import hashlib
import re
import secrets
from typing import Any

from clinicdesk.comms.models import Message
from clinicdesk.core import clock
from clinicdesk.portal.actor import COOKIE_NAME, PatientActor
from clinicdesk.portal.models import PortalSession
from clinicdesk.portal.services import dependents_of


def portal_session_key(patient: Any, *, language: str = "en") -> str:
    """A live portal session for `patient`; the value of the portal cookie."""
    key = secrets.token_urlsafe(32)
    now = clock.now()
    PortalSession.objects.create(key_hash=hashlib.sha256(key.encode()).hexdigest(), patient=patient, subject=patient,
                                 language=language, created_at=now, last_seen_at=now)
    return key


def portal_client(client: Any, patient: Any, **kwargs: Any) -> Any:
    client.cookies[COOKIE_NAME] = portal_session_key(patient, **kwargs)
    return client


def actor_for(patient: Any, subject: Any = None) -> PatientActor:
    session = PortalSession.objects.create(key_hash=secrets.token_hex(32), patient=patient,
                                           subject=subject or patient, created_at=clock.now(),
                                           last_seen_at=clock.now())
    return PatientActor(patient_id=patient.pk, dependent_ids=dependents_of(patient.pk),
                        subject_id=(subject or patient).pk, session_id=session.pk)


def sent_link(patient: Any) -> str:
    message = Message.objects.filter(patient=patient, kind="portal-sign-in", channel="email").latest("pk")
    found = re.search(r"/portal/sign-in/link/([^/\s]+)/", message.body)
    assert found, message.body
    return found.group(1)


def sent_code(patient: Any) -> str:
    message = Message.objects.filter(patient=patient, kind="portal-sign-in", channel="sms").latest("pk")
    found = re.search(r"\b(\d{6})\b", message.body)
    assert found, message.body
    return found.group(1)
