"""Desk-to-provider heads-up: a short note about a patient in today's visit ("the patient in room 3 is
agitated"), addressed to the user of the visit's provider. It reaches the provider's screens within seconds (the
pages poll `headsup_inbox` every 5 s) and stays there until the provider acknowledges it.

Who sends: desk staff (FRONTDESK) at the visit's location. Who reads: the recipient alone; anyone else asking
about a heads-up gets a 404, and the inbox answers each user with their own notes only. Sending, first delivery
and acknowledgement are audited (delivery once, not every poll).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.utils.translation import gettext as _

from clinicdesk.audit.services import atomic_service, record
from clinicdesk.core import clock
from clinicdesk.core.exceptions import NotFound, ValidationFailed
from clinicdesk.core.permissions import Actor, Perm, require, staff_user
from clinicdesk.patients.selectors import listed_rows, require_patient_in_reach
from clinicdesk.practice.models import Practitioner

from .models import OPEN_STATUSES, HeadsUp, Visit
from .services import local_today

MAX_MESSAGE = 200
INBOX_HOURS = 14  # a note not acknowledged by the end of the day stops showing


def _open_visit(actor: Actor, visit_id: Any, *, lock: bool = False) -> Visit:
    visits = Visit.objects.select_related("location", "patient", "practitioner__user", "room")
    if lock:
        visits = visits.select_for_update(of=("self",))
    visit = visits.filter(listed_rows(), pk=visit_id).first() if str(visit_id).isdigit() else None
    if visit is None:
        raise NotFound()
    require(actor, Perm.FRONTDESK, location=visit.location_id, hide=True, resource_type="visit",
            resource_id=visit.pk, patient_id=visit.patient_id)
    return visit


def _check_sendable(visit: Visit) -> None:
    if visit.day != local_today(visit.location) or visit.status not in OPEN_STATUSES:
        raise ValidationFailed("visit-not-open", _("A heads-up goes only about a visit in progress today."))
    provider = visit.practitioner
    if provider is None or provider.user is None or not provider.user.is_active:
        raise ValidationFailed("no-provider-user", _("This visit's provider has no user account to send to."))


@atomic_service
def headsup_send(*, actor: Actor, visit_id: int, message: str) -> HeadsUp:
    """Send the provider of a visit in progress today a short note about the patient."""
    require(actor, Perm.FRONTDESK, resource_type="visit", resource_id=visit_id)
    visit = _open_visit(actor, visit_id, lock=True)
    text = " ".join(str(message or "").split())
    if not text or "\x00" in text or len(text) > MAX_MESSAGE:
        problem = _("Write a short note (at most %(n)s characters).") % {"n": MAX_MESSAGE}
        raise ValidationFailed("invalid-headsup", problem, fields={"message": [problem]})
    _check_sendable(visit)
    assert visit.practitioner is not None and visit.practitioner.user is not None
    note = HeadsUp.objects.create(visit=visit, location=visit.location, patient=visit.patient,
                                  recipient=visit.practitioner.user, message=text, sent_by=staff_user(actor),
                                  sent_at=clock.now())
    record(actor, "headsup.send", note, patient=visit.patient_id,
           detail={"visit": visit.pk, "recipient": visit.practitioner.user.pk})
    return note


@atomic_service
def headsup_acknowledge(*, actor: Actor, headsup_id: int) -> HeadsUp:
    """The recipient has read the note; it leaves their screens. Anyone else: 404."""
    note = HeadsUp.objects.select_for_update().filter(pk=headsup_id).first() if str(headsup_id).isdigit() else None
    if note is None or note.recipient_id != getattr(actor, "pk", None):
        raise NotFound()
    if note.acknowledged_at is None:
        note.acknowledged_at = clock.now()
        note.delivered_at = note.delivered_at or note.acknowledged_at
        note.save(update_fields=["acknowledged_at", "delivered_at"])
        record(actor, "headsup.acknowledge", note, patient=note.patient_id)
    return note


def may_receive(actor: Actor) -> bool:
    """Whether the actor is a provider's user (the only ones heads-ups are addressed to)."""
    pk = getattr(actor, "pk", None)
    return pk is not None and Practitioner.objects.filter(user_id=pk).exists()


@atomic_service
def headsup_inbox(*, actor: Actor) -> list[HeadsUp]:
    """The actor's own unacknowledged notes of the last hours, oldest first (two queries; a write and an audit
    entry only the first time a note is shown)."""
    if getattr(actor, "pk", None) is None:
        return []
    since = clock.now() - dt.timedelta(hours=INBOX_HOURS)
    notes = list(HeadsUp.objects.filter(recipient_id=actor.pk, acknowledged_at__isnull=True, sent_at__gte=since)
                 .select_related("patient", "visit__room", "sent_by").order_by("sent_at", "pk"))
    fresh = [n.pk for n in notes if n.delivered_at is None]
    if fresh:
        now = clock.now()
        HeadsUp.objects.filter(pk__in=fresh).update(delivered_at=now)
        record(actor, "headsup.deliver", resource_type="headsup",
               detail={"headsups": fresh, "patients": sorted({n.patient_id for n in notes if n.pk in fresh})})
    return notes


@atomic_service
def headsup_visit_for_patient(*, actor: Actor, patient_id: int) -> Visit:
    """Today's visit in progress of a patient at one of the actor's locations (the chart's "heads-up" action)."""
    require(actor, Perm.FRONTDESK, resource_type="patient", resource_id=patient_id, patient_id=patient_id)
    visits = [v for v in Visit.objects.filter(listed_rows(), patient_id=patient_id, status__in=OPEN_STATUSES)
              .select_related("location", "patient", "practitioner__user", "room").order_by("-arrived_at", "-pk")
              if actor.works_at(v.location_id) and v.day == local_today(v.location)]
    if not visits:
        raise NotFound("no-visit-today", _("This patient has no visit in progress today at your locations."))
    require_patient_in_reach(actor, visits[0].patient, perm=Perm.FRONTDESK, location=visits[0].location_id)
    return visits[0]


def headsup_visit(*, actor: Actor, visit_id: int) -> Visit:
    """The visit a heads-up is about, for the send form (desk staff at its location)."""
    require(actor, Perm.FRONTDESK, resource_type="visit", resource_id=visit_id)
    return _open_visit(actor, visit_id)
