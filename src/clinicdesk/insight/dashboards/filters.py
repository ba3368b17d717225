"""The dashboards' filters (date range, location, provider, type) and who sees which locations.

A practice-wide role with reports.read (the practice coordinator, the compliance officer) sees every location and
the practice as a whole; everyone else with reports.read sees only the locations they work at (a location view).
A location, provider or type that is not in the user's reach answers like a missing one.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass, field

from django.utils.translation import gettext as _

from clinicdesk.core import clock
from clinicdesk.core.dates import parse_day
from clinicdesk.core.exceptions import NotFound, ValidationFailed
from clinicdesk.core.forms import pick_by_pk
from clinicdesk.core.permissions import Actor, Perm, require
from clinicdesk.practice.models import Location, Practitioner
from clinicdesk.practice.selectors import locations_reported, practitioners_at
from clinicdesk.scheduling.models import AppointmentType

DEFAULT_WEEKS = 12
MAX_DAYS = 3 * 366  # the longest range a dashboard reads


@dataclass
class Scope:
    """What the user may see: their locations (all for a practice-wide role), and the choices to filter by."""

    practice_wide: bool
    locations: list[Location]
    practitioners: list[Practitioner]
    types: list[AppointmentType]


@dataclass
class Filters:
    first_day: dt.date
    last_day: dt.date
    location_ids: list[int]  # the locations counted (one, or every one in reach)
    location: Location | None = None  # the one chosen, if any
    practitioner: Practitioner | None = None
    appointment_type: AppointmentType | None = None
    scope: Scope | None = field(default=None, repr=False)

    @property
    def days(self) -> int:
        return (self.last_day - self.first_day).days + 1

    def query(self) -> dict[str, str]:
        """The filters as query parameters (ids and dates only: no patient data), for links and the CSV."""
        params = {"from": self.first_day.isoformat(), "to": self.last_day.isoformat()}
        for name, chosen in (("location", self.location), ("provider", self.practitioner),
                             ("type", self.appointment_type)):
            if chosen is not None:
                params[name] = str(chosen.pk)
        return params


def dashboard_scope(*, actor: Actor) -> Scope:
    """The locations, providers and types the user can filter by (reports.read; 3 queries)."""
    require(actor, Perm.REPORTS_READ)
    wide = bool(getattr(actor, "practice_wide", False))
    location_list = locations_reported(actor, Perm.REPORTS_READ)
    practitioners = practitioners_at(location_list)
    types = list(AppointmentType.objects.order_by("name", "pk"))
    return Scope(wide, location_list, practitioners, types)


def parse_filters(params: Mapping[str, str], scope: Scope) -> Filters:
    """Read ?from=&to=&location=&provider=&type= (all optional: the last 12 weeks, every location in reach)."""
    if not scope.locations:
        raise NotFound("no-location", _("You are not assigned to any location."))
    today = clock.today_in(scope.locations[0].tz)
    last_day = parse_day(params.get("to") or None, name="to", default=today)
    first_day = parse_day(params.get("from") or None, name="from",
                          default=last_day - dt.timedelta(weeks=DEFAULT_WEEKS) + dt.timedelta(days=1))
    if last_day < first_day:
        raise ValidationFailed("end-before-start", _("The last day is before the first day."),
                               fields={"to": [_("Before the first day.")]})
    if (last_day - first_day).days >= MAX_DAYS:
        raise ValidationFailed("range-too-long", _("Choose at most three years."), fields={"from": [_("Too long.")]})
    location = pick_by_pk(params.get("location"), scope.locations)
    practitioner = pick_by_pk(params.get("provider"), scope.practitioners)
    kind = pick_by_pk(params.get("type"), scope.types)
    ids = [location.pk] if location is not None else [loc.pk for loc in scope.locations]
    return Filters(first_day, last_day, ids, location, practitioner, kind, scope)
