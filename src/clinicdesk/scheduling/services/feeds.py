"""Private calendar feeds of a practitioner (ICS): issued and revoked here, the token shown once."""

from __future__ import annotations

import hashlib
import secrets

from clinicdesk.audit.services import atomic_service, record
from clinicdesk.core import clock
from clinicdesk.core.exceptions import NotFound
from clinicdesk.core.permissions import Actor, Perm, has_perm, require
from clinicdesk.practice.models import Practitioner

from ..models import (
    CalendarFeed,
)
from .booking import staff_user


def feed_token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def _may_manage_feed(actor: Actor, practitioner: Practitioner) -> bool:
    own = getattr(practitioner, "user_id", None) is not None and practitioner.user_id == getattr(actor, "pk", None)
    return (own and has_perm(actor, Perm.SCHEDULE_READ)) or any(
        has_perm(actor, Perm.PRACTICE_ADMIN, location=loc.pk) for loc in practitioner.locations.all())


def _feed_practitioner(actor: Actor, practitioner_id: int) -> Practitioner:
    practitioner = Practitioner.objects.prefetch_related("locations").filter(pk=practitioner_id).first()
    if practitioner is None:
        raise NotFound()
    if not _may_manage_feed(actor, practitioner):
        first = next(iter(practitioner.locations.all()), None)
        require(actor, Perm.PRACTICE_ADMIN, location=first.pk if first else -1, resource_type="practitioner",
                resource_id=practitioner_id, hide=True)
    return practitioner


@atomic_service
def calendar_feed_issue(*, actor: Actor, practitioner_id: int, include_patient_names: bool = False
                        ) -> tuple[CalendarFeed, str]:
    """A new private feed URL token for a practitioner (their own, or by a practice administrator).
    The token is shown once; only its hash is kept. Earlier feeds of the practitioner are revoked."""
    require(actor, Perm.SCHEDULE_READ)
    practitioner = _feed_practitioner(actor, practitioner_id)
    now = clock.now()
    CalendarFeed.objects.filter(practitioner=practitioner, revoked_at__isnull=True).update(revoked_at=now)
    token = secrets.token_urlsafe(32)
    feed = CalendarFeed.objects.create(practitioner=practitioner, token_hash=feed_token_hash(token),
                                       include_patient_names=include_patient_names, created_by=staff_user(actor),
                                       created_at=now)
    record(actor, "calendar.feed.issue", feed, detail={"practitioner": practitioner.pk,
                                                       "patient_names": include_patient_names})
    return feed, token


@atomic_service
def calendar_feed_revoke(*, actor: Actor, practitioner_id: int) -> int:
    require(actor, Perm.SCHEDULE_READ)
    practitioner = _feed_practitioner(actor, practitioner_id)
    revoked = CalendarFeed.objects.filter(practitioner=practitioner, revoked_at__isnull=True).update(
        revoked_at=clock.now())
    record(actor, "calendar.feed.revoke", resource_type="calendarfeed", detail={"practitioner": practitioner.pk})
    return revoked
