"""Schedules and slots. A Schedule is one practitioner at one location; a Slot is a piece of computed
availability (never stored). Their ids carry what they stand for, so a Slot read recomputes it."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from typing import Any

from clinicdesk.practice.models import Location, Practitioner
from clinicdesk.scheduling.models import AppointmentType

from ..validation import MAX_ID
from . import instant
from .healthcareservice import service_type

_SCHEDULE_ID = re.compile(r"^([0-9]{1,19})-([0-9]{1,19})$")
_SLOT_ID = re.compile(r"^([0-9]{1,19})-([0-9]{1,19})-([0-9]{1,19})-([0-9]{1,9})-([0-9]{1,4})$")
EPOCH = dt.datetime(2000, 1, 1, tzinfo=dt.UTC)


def schedule_id(practitioner_id: int, location_id: int) -> str:
    return f"{practitioner_id}-{location_id}"


def parse_schedule_id(text: str) -> tuple[int, int] | None:
    """'<practitioner>-<location>' -> the two ids; None when it names no schedule (ids past the key range)."""
    match = _SCHEDULE_ID.match(text)
    if not match:
        return None
    ids = int(match.group(1)), int(match.group(2))
    return ids if max(ids) <= MAX_ID else None


@dataclass(frozen=True)
class SlotKey:
    practitioner_id: int
    location_id: int
    type_id: int  # 0: any type
    start: dt.datetime
    end: dt.datetime

    @property
    def id(self) -> str:
        minutes = int((self.start - EPOCH).total_seconds() // 60)
        length = int((self.end - self.start).total_seconds() // 60)
        return f"{self.practitioner_id}-{self.location_id}-{self.type_id}-{minutes}-{length}"

    @classmethod
    def parse(cls, text: str) -> SlotKey | None:
        match = _SLOT_ID.match(text)
        if not match:
            return None
        p_id, l_id, t_id, minutes, length = (int(g) for g in match.groups())
        if max(p_id, l_id, t_id) > MAX_ID:
            return None
        start = EPOCH + dt.timedelta(minutes=minutes)  # nine digits at most: before the year 4000
        return cls(p_id, l_id, t_id, start, start + dt.timedelta(minutes=length))


def schedule(practitioner: Practitioner, location: Location, types: list[AppointmentType], horizon_start: dt.date,
             horizon_end: dt.date) -> dict[str, Any]:
    resource: dict[str, Any] = {
        "resourceType": "Schedule", "id": schedule_id(practitioner.pk, location.pk),
        "active": practitioner.active and location.active,
        "actor": [{"reference": f"Practitioner/{practitioner.pk}", "display": str(practitioner)},
                  {"reference": f"Location/{location.pk}", "display": location.name}],
        "planningHorizon": {"start": horizon_start.isoformat(), "end": horizon_end.isoformat()},
        "comment": f"{practitioner} at {location.name}",
    }
    if types:
        resource["serviceType"] = [service_type(t) for t in types]
    return resource


def slot(key: SlotKey, status: str, kind: AppointmentType | None) -> dict[str, Any]:
    resource: dict[str, Any] = {
        "resourceType": "Slot", "id": key.id,
        "schedule": {"reference": f"Schedule/{schedule_id(key.practitioner_id, key.location_id)}"},
        "status": status, "start": instant(key.start), "end": instant(key.end),
    }
    if kind is not None:
        resource["serviceType"] = [service_type(kind)]
    return resource
