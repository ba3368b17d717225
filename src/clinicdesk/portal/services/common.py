"""What the portal's services share: the throttle error, digests, the signed-in patient's own chart."""

from __future__ import annotations

import hashlib
import hmac

from django.conf import settings

from clinicdesk.core.exceptions import DomainError, NotFound
from clinicdesk.patients.models import Patient
from clinicdesk.scheduling.models import AppointmentStatus

from ..actor import PatientActor

OPEN_STATUSES = (AppointmentStatus.BOOKED, AppointmentStatus.PENDING, AppointmentStatus.PROPOSED)


class TooManyRequests(DomainError):
    status = 429
    title = "Too many requests"


def digest(value: str) -> str:
    return hmac.new(settings.SECRET_KEY.encode(), value.encode(), hashlib.sha256).hexdigest()


def sha(value: str) -> str:
    return hashlib.sha256(value.encode()).hexdigest()


def subject_patient(actor: PatientActor) -> Patient:
    patient = Patient.objects.select_related("home_location").filter(
        pk=actor.reach(actor.subject_id), active=True).first()
    if patient is None:
        raise NotFound()
    return patient

