"""Today at the demo front desk: patients at every stage of the flow board, co-pays in the drawer.

The appointments around "now" at each location are walked through the same front-desk and billing services
the desk uses, each step at the moment it would have happened (the clock is held there), so that the flow
board, the wait-time report and the cash drawer have something true to show the moment `make run` serves.
"""

from __future__ import annotations

import datetime as dt
import random
from collections.abc import Callable
from decimal import Decimal
from typing import Any

from clinicdesk.accounts.models import User
from clinicdesk.billing.services import Tender, payment_collect
from clinicdesk.core import clock
from clinicdesk.core.permissions import Role
from clinicdesk.frontdesk import services as desk
from clinicdesk.practice.models import Location, Room
from clinicdesk.scheduling.models import Appointment, AppointmentStatus

EARLIEST_START = dt.timedelta(minutes=100)  # appointments that began longer ago stay as built (fulfilled)
LATEST_START = dt.timedelta(minutes=20)  # the next patients are already in the waiting room


def _timeline(rng: random.Random) -> list[int]:
    """Minutes from the appointment's start at which each step happens: arrive, check in, room, provider,
    ready for check-out, check out. Patients come early or late, rooms and providers run behind."""
    arrive = rng.randint(-20, 5)
    check_in = arrive + rng.randint(1, 4)
    room = max(check_in + 1, rng.randint(-5, 15))
    provider = room + rng.randint(3, 12)
    ready = provider + rng.randint(10, 25)
    return [arrive, check_in, room, provider, ready, ready + rng.randint(2, 8)]


def _staff(location: Location, role: Role) -> Any:
    return User.objects.filter(role=role, locations=location, is_active=True).order_by("pk").first()


def _steps(appointment: Appointment, desk_user: Any, nurse: Any, rooms: list[Room], rng: random.Random
           ) -> list[tuple[int, Callable[[Any], Any]]]:
    """Each step gets the visit made by the steps before it (None before arrival)."""

    def check_in(_visit: Any) -> Any:
        visit = desk.visit_check_in(actor=desk_user, appointment_id=appointment.pk, demographics=True,
                                    insurance=True, photo_id=True)
        copay = visit.expected_copay or Decimal("25.00")
        tender = rng.choice([Tender("card", card_reference=f"T{rng.randrange(10**6):06d}",
                                    card_last4=f"{rng.randrange(10**4):04d}"), Tender("cash")])
        payment_collect(actor=desk_user, patient_id=visit.patient_id, location_id=visit.location_id, amount=copay,
                        tender=tender, appointment_id=appointment.pk, description="Co-pay")
        return visit

    room = rooms[appointment.pk % len(rooms)]
    return list(zip(_timeline(rng), [
        lambda _v: desk.visit_arrive(actor=desk_user, appointment_id=appointment.pk),
        check_in,
        lambda v: desk.visit_room(actor=nurse, visit_id=v.pk, room_id=room.pk, assistant_id=nurse.pk),
        lambda v: desk.visit_provider_start(actor=nurse, visit_id=v.pk),
        lambda v: desk.visit_ready_for_checkout(actor=nurse, visit_id=v.pk),
        lambda v: desk.visit_check_out(actor=desk_user, visit_id=v.pk),
    ], strict=True))


def build_front_desk_day(*, seed: int, now: dt.datetime | None = None) -> int:
    """Walk today's appointments around `now` through the flow; returns how many visits were made."""
    rng = random.Random(seed)
    now = now or clock.now()
    visits = 0
    for location in Location.objects.order_by("pk"):
        desk_user, nurse = _staff(location, Role.FRONT_DESK), _staff(location, Role.NURSE)
        rooms = list(Room.objects.filter(location=location, active=True).order_by("pk"))
        if desk_user is None or nurse is None or not rooms:
            continue
        nearby = Appointment.objects.filter(
            location=location, start__gte=now - EARLIEST_START, start__lte=now + LATEST_START,
            status__in=[AppointmentStatus.BOOKED, AppointmentStatus.FULFILLED]).order_by("start", "pk")
        # The builder settled past appointments as fulfilled; these ones are still in the building.
        nearby.update(status=AppointmentStatus.BOOKED)
        rooms_in_use: set[int] = set()
        for appointment in nearby:
            steps = _steps(appointment, desk_user, nurse, [r for r in rooms if r.pk not in rooms_in_use] or rooms,
                           rng)
            visit = None
            for minutes, step in steps:
                moment = appointment.start + dt.timedelta(minutes=minutes)
                if moment > now:
                    break
                with clock.frozen_at(moment):
                    visit = step(visit)
            if visit is not None:
                visits += 1
                if visit.room_id and visit.status in ("roomed", "with-provider"):
                    rooms_in_use.add(visit.room_id)
    return visits
