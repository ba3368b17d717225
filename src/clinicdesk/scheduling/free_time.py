"""Full days remembered: the first-available search skips a practitioner's day it measured full before (ADR 0012).

On a calendar booked solid for weeks the search used to read every practitioner-day up to the first free one (their
bookings, merged in the database) and cut each into candidate times, on every search. Now, when it cuts a day and
finds the practitioner's longest free stretch there shorter than the appointment type, it remembers that
(`DayFreeTime`, written after the search's transaction commits), labelled with the practitioner's calendar version.
The next search reads the remembered days of its window in the same query as the versions, before the templates:
a day whose every working practitioner is remembered full at their current version is not read at all, and a
remembered practitioner is not cut.

Why it stays exact: the version (`CalendarVersion`) is counted by database triggers on every change that can
lengthen free time (a practitioner's booking deleted or changed; templates added, changed or removed; time off
changed or removed), whoever makes it. Changes that only take time away (a new booking, new time off) count
nothing, and a day that was full stays full under them. Holidays need nothing: the search never measures one.
The versions are read before the templates and the bookings, so a measure is never labelled newer than what it saw.
Past days are never searched again: the ticker has them forgotten daily (`prune-remembered-days`).
"""

from __future__ import annotations

import datetime as dt
import logging
from dataclasses import dataclass, field

from django.db import DatabaseError, transaction
from django.db.models import DateField, IntegerField, Value

from clinicdesk.core import clock
from clinicdesk.practice.models import Location

from .models import CalendarVersion, DayFreeTime

logger = logging.getLogger(__name__)


@dataclass
class RememberedDays:
    """What earlier searches measured in this window, for one appointment type's duration; `measured` collects
    the full days this search finds, to remember after it commits."""

    location: Location
    minutes: int  # the appointment type's duration: a day whose longest free stretch is shorter cannot take it
    versions: dict[int, int]
    full: set[tuple[int, dt.date]]
    measured: list[tuple[int, dt.date, int]] = field(default_factory=list)

    @classmethod
    def read(cls, *, location: Location, practitioner_ids: list[int], first_day: dt.date, last_day: dt.date,
             duration: dt.timedelta) -> RememberedDays:
        """The practitioners' calendar versions and the days remembered shorter than `duration`, in one query
        (one snapshot of both). Call it before reading templates or bookings."""
        minutes = int(duration.total_seconds() // 60)
        versions_rows = CalendarVersion.objects.filter(practitioner_id__in=practitioner_ids).values_list(
            "practitioner_id", Value(None, output_field=DateField()), "version",
            Value(None, output_field=IntegerField()))
        day_rows = DayFreeTime.objects.filter(
            location=location, practitioner_id__in=practitioner_ids, day__gte=first_day, day__lte=last_day,
            time_zone=location.time_zone, longest_free_minutes__lt=minutes,
        ).values_list("practitioner_id", "day", "version", "longest_free_minutes")
        versions: dict[int, int] = {}
        remembered: list[tuple[int, dt.date, int]] = []
        for practitioner_id, day, version, _longest in versions_rows.union(day_rows, all=True):
            if day is None:
                versions[practitioner_id] = version
            else:
                remembered.append((practitioner_id, day, version))
        full = {(p, day) for p, day, version in remembered if version == versions.get(p, 0)}
        return cls(location=location, minutes=minutes, versions=versions, full=full)

    def is_full(self, practitioner_id: int, day: dt.date) -> bool:
        return (practitioner_id, day) in self.full

    def measure(self, practitioner_id: int, day: dt.date, longest_free: dt.timedelta) -> None:
        """This search cut the practitioner's day: remember it if it cannot take the type."""
        minutes = int(longest_free.total_seconds() // 60)
        if minutes < self.minutes:
            self.measured.append((practitioner_id, day, minutes))

    def remember(self) -> None:
        """Write the full days found, after the search's transaction commits (at once outside one). A cache:
        a failure is logged, never the search's."""
        if not self.measured:
            return
        location_id, time_zone, versions = self.location.pk, self.location.time_zone, self.versions
        rows = [DayFreeTime(practitioner_id=p, location_id=location_id, day=day, time_zone=time_zone,
                            version=versions.get(p, 0), longest_free_minutes=minutes)
                for p, day, minutes in sorted(self.measured)]  # one order: concurrent writers lock rows alike

        def write() -> None:
            try:
                DayFreeTime.objects.bulk_create(rows, update_conflicts=True,
                                                unique_fields=["location", "practitioner", "day"],
                                                update_fields=["time_zone", "version", "longest_free_minutes"])
            except DatabaseError:
                logger.warning("The full days a search measured were not remembered.", exc_info=True)

        transaction.on_commit(write)


def remembered_days_prune(*, today: dt.date | None = None) -> int:
    """Forget the remembered days before yesterday (a day is local to its location: yesterday covers every time
    zone); no search reads them again. Returns how many rows went."""
    before = (today or clock.now().date()) - dt.timedelta(days=1)
    return DayFreeTime.objects.filter(day__lt=before).delete()[0]
