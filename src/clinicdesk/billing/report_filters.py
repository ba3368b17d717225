"""The payment reports' filters (date range or day, location, provider, payer) and who sees which locations.

Who: billing.read with reports.read (billers, practice coordinators). A practice-wide role sees every location;
everyone else only the locations they work at (the same location view as the insight dashboards). A location,
provider or payer outside the user's reach answers like a missing one.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from django.utils.translation import gettext as _

from clinicdesk.core import clock
from clinicdesk.core.dates import parse_day
from clinicdesk.core.exceptions import NotFound, ValidationFailed
from clinicdesk.core.forms import pick_by_pk
from clinicdesk.core.permissions import Actor, Perm, require
from clinicdesk.patients.models import Payer
from clinicdesk.practice.models import Location, Practitioner
from clinicdesk.practice.selectors import locations_reported, practitioners_at

DEFAULT_DAYS = 90
MAX_DAYS = 3 * 366
PATIENT_PAYER = "patient"  # the payer filter's value for what patients owe and pay themselves


@dataclass
class Scope:
    practice_wide: bool
    locations: list[Location]
    practitioners: list[Practitioner]
    payers: list[Payer]


@dataclass
class Filters:
    first_day: dt.date
    last_day: dt.date  # also the day of the day sheet and the "as of" day of the aging
    location_ids: list[int]
    location: Location | None = None
    practitioner: Practitioner | None = None
    payer: str = ""  # "", PATIENT_PAYER or a payer's id as text
    scope: Scope | None = field(default=None, repr=False)
    every_row: bool = False  # long tables in full (the CSV), not only the rows a page shows

    @property
    def days(self) -> int:
        return (self.last_day - self.first_day).days + 1

    @property
    def tz(self) -> Any:
        """The zone the report's days are counted in: the chosen location's, else the first in reach."""
        if self.location is not None:
            return self.location.tz
        return self.scope.locations[0].tz if self.scope and self.scope.locations else dt.UTC

    @property
    def payer_name(self) -> str:
        if not self.payer:
            return ""
        if self.payer == PATIENT_PAYER:
            return _("Patients")
        chosen = next((p for p in (self.scope.payers if self.scope else []) if str(p.pk) == self.payer), None)
        return chosen.name if chosen else ""

    def query(self) -> dict[str, str]:
        """The filters as query parameters (ids and dates only, never patient data)."""
        params = {"from": self.first_day.isoformat(), "to": self.last_day.isoformat()}
        if self.location is not None:
            params["location"] = str(self.location.pk)
        if self.practitioner is not None:
            params["provider"] = str(self.practitioner.pk)
        if self.payer:
            params["payer"] = self.payer
        return params


def require_report_reader(actor: Actor) -> None:
    require(actor, Perm.REPORTS_READ)
    require(actor, Perm.BILLING_READ)


def report_scope(*, actor: Actor) -> Scope:
    """The locations, providers and payers the user can filter by (3 queries)."""
    require_report_reader(actor)
    wide = bool(getattr(actor, "practice_wide", False))
    reach = locations_reported(actor, Perm.BILLING_READ, Perm.REPORTS_READ)
    practitioners = practitioners_at(reach)
    payers = list(Payer.objects.filter(active=True).order_by("name", "pk"))
    return Scope(wide, reach, practitioners, payers)


def parse_filters(params: Mapping[str, str], scope: Scope) -> Filters:
    """Read ?from=&to=&location=&provider=&payer= (all optional: the last 90 days to today, every location)."""
    if not scope.locations:
        raise NotFound("no-location", _("You are not assigned to any location."))
    today = clock.today_in(scope.locations[0].tz)
    last_day = parse_day(params.get("to") or None, name="to", default=today)
    first_day = parse_day(params.get("from") or None, name="from",
                          default=last_day - dt.timedelta(days=DEFAULT_DAYS - 1))
    if last_day < first_day:
        raise ValidationFailed("end-before-start", _("The last day is before the first day."),
                               fields={"to": [_("Before the first day.")]})
    if (last_day - first_day).days >= MAX_DAYS:
        raise ValidationFailed("range-too-long", _("Choose at most three years."), fields={"from": [_("Too long.")]})
    location = pick_by_pk(params.get("location"), scope.locations)
    practitioner = pick_by_pk(params.get("provider"), scope.practitioners)
    payer = params.get("payer") or ""
    if payer and payer != PATIENT_PAYER:
        payer = str(pick_by_pk(payer, scope.payers).pk)
    ids = [location.pk] if location is not None else [loc.pk for loc in scope.locations]
    return Filters(first_day, last_day, ids, location, practitioner, payer, scope)
