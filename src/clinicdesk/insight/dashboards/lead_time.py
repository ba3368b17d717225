"""New-patient lead time: days from today to the third next available appointment of a location and type (the
standard access measure), from the schedule's first-available search (91 days ahead at most).

A measure of today, kept in the cache for 10 minutes per location, type, provider filter and day. The periodic
job `refresh-lead-times` (insight.tasks.refresh_lead_times, every 5 minutes) searches every active location's
new-patient types ahead of the dashboards, so a page without a provider filter finds them there and never runs
the searches itself; a page that misses (a provider filter, the worker behind) searches as before.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.cache import cache

from clinicdesk.core import clock
from clinicdesk.core.exceptions import DomainError
from clinicdesk.core.permissions import Perm, SystemActor
from clinicdesk.practice.models import Location
from clinicdesk.scheduling.models import AppointmentType
from clinicdesk.scheduling.selectors import SearchQuery, slots_search

LEAD_TIME_CACHE_SECONDS = 600  # a measure of today: the search runs at most every 10 minutes per location and type
REFRESH_SECONDS = 300  # the periodic refresh: inside the cache's 10 minutes, so the entries never lapse
MISSING = "missing"
_REFRESHER = SystemActor("lead-time", frozenset({Perm.SCHEDULE_READ}))


def _search(location: Location, kind: AppointmentType, practitioner_ids: tuple[int, ...], actor: Any,
            today: dt.date, key: str) -> float | None:
    query = SearchQuery(appointment_type_id=kind.pk, location_id=location.pk, first_day=today,
                        last_day=today + dt.timedelta(days=91), limit=10, practitioner_ids=practitioner_ids)
    options = slots_search(actor=actor, query=query)  # DomainError: not searchable (the caller skips it)
    starts = sorted(o.start for o in options)
    days = float((starts[2].astimezone(location.tz).date() - today).days) if len(starts) >= 3 else None
    cache.set(key, days, LEAD_TIME_CACHE_SECONDS)
    return days


def _key(location: Location, kind: AppointmentType, practitioner_ids: tuple[int, ...], today: dt.date) -> str:
    return f"insight:lead-time:{location.pk}:{kind.pk}:{practitioner_ids}:{today.isoformat()}"


def third_available_days(pairs: list[tuple[Location, AppointmentType]], practitioner_ids: tuple[int, ...], *,
                         actor: Any) -> list[float | str | None]:
    """For each (location, type), the days to the third next available slot (None: fewer than three free), from
    the cache (one read for all) or a search; MISSING when the search refuses (an inactive location or type, no
    permission)."""
    todays = [clock.today_in(location.tz) for location, _kind in pairs]
    keys = [_key(location, kind, practitioner_ids, today)
            for (location, kind), today in zip(pairs, todays, strict=True)]
    found = cache.get_many(keys)
    out: list[float | str | None] = []
    for (location, kind), today, key in zip(pairs, todays, keys, strict=True):
        if key in found:
            out.append(found[key])
            continue
        try:
            out.append(_search(location, kind, practitioner_ids, actor, today, key))
        except DomainError:
            out.append(MISSING)
    return out


def refresh_lead_times() -> int:
    """Search every active location's active new-patient types again and keep the answers (no provider filter);
    returns the number stored. Run by the periodic job so that the dashboards only read the cache."""
    kinds = list(AppointmentType.objects.filter(active=True, new_patient=True))
    stored = 0
    for location in Location.objects.filter(active=True).order_by("pk"):
        today = clock.today_in(location.tz)
        for kind in kinds:
            try:
                _search(location, kind, (), _REFRESHER, today, _key(location, kind, (), today))
            except DomainError:
                continue
            stored += 1
    return stored
