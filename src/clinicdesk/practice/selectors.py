from __future__ import annotations

from django.db.models import Prefetch, QuerySet

from clinicdesk.core.permissions import Actor

from .models import Location, OpeningHours


def locations_for(actor: Actor) -> QuerySet[Location]:
    """The active locations a staff user works at (all of them for practice-wide roles)."""
    locations = Location.objects.filter(active=True).prefetch_related(
        Prefetch("hours", queryset=OpeningHours.objects.order_by("weekday", "opens"))
    )
    if getattr(actor, "practice_wide", False):
        return locations
    return locations.filter(pk__in=actor.location_ids())
