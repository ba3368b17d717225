"""The demo practice's workshops (#24 item 3): the demo builder calls `workshops_demo` once patients exist.

At the first location the practice coordinator has planned two upcoming workshops (a bilingual diabetes
workshop open to the public, a prenatal class for patients only); patients and one community contact who agreed
to be contacted are registered, and the prenatal class is full with a waitlist. Everything goes through the
services, so it is audited like the coordinator's own work."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import NamedTuple

from clinicdesk.accounts.models import User
from clinicdesk.core import clock
from clinicdesk.core.permissions import Role
from clinicdesk.patients.models import Patient

from .demo_campaigns import campaigns_demo
from .models import Event
from .services import contact_register, event_create, registration_add


class Workshop(NamedTuple):
    kind: str
    title_en: str
    title_es: str
    description_en: str
    description_es: str
    days: int  # from today
    hour: dt.time
    capacity: int
    audience: str
    place: str
    registrations: int


WORKSHOPS = (
    Workshop("diabetes", "Living well with diabetes", "Vivir bien con diabetes",
             "Meal planning, blood sugar checks and questions answered by our diabetes educator.",
             "Planificación de comidas, control del azúcar y preguntas con nuestra educadora en diabetes.",
             6, dt.time(18, 0), 12, "public", "Community room, ground floor", 5),
    Workshop("prenatal", "Prenatal class: preparing for birth", "Clase prenatal: preparándose para el parto",
             "For expecting parents: labour, breastfeeding and the first weeks.",
             "Para futuros padres: el parto, la lactancia y las primeras semanas.",
             10, dt.time(10, 0), 4, "patients", "", 6),
)


def workshops_demo(*, location_ids: Sequence[int]) -> int:
    """Two upcoming workshops with registrations at the first location; returns how many registrations."""
    if not location_ids or Event.objects.exists():
        return 0
    location_id = location_ids[0]
    coordinator = User.objects.filter(role=Role.PRACTICE_COORDINATOR, is_active=True).order_by("pk").first()
    desk = User.objects.filter(locations=location_id, role=Role.FRONT_DESK, is_active=True).order_by("pk").first()
    if coordinator is None:
        return 0
    desk = desk or coordinator
    patients = list(Patient.objects.filter(home_location_id=location_id, active=True, restricted=False,
                                           deceased_date__isnull=True, merged_into__isnull=True).order_by("pk")[:20])
    made, used = 0, 0
    today = clock.now().date()
    for spec in WORKSHOPS:
        event = event_create(actor=coordinator, location_id=location_id, kind=spec.kind, title_en=spec.title_en,
                             title_es=spec.title_es, description_en=spec.description_en,
                             description_es=spec.description_es, day=today + dt.timedelta(days=spec.days),
                             time=spec.hour, capacity=spec.capacity, audience=spec.audience, place=spec.place)
        for patient in patients[used:used + spec.registrations]:
            registration_add(actor=desk, event=event, patient=patient)
            made += 1
        used += spec.registrations
        if spec.audience == "public":
            contact_register(actor=desk, event_id=event.pk, given_name="Rosa", family_name="Delgado",
                             phone="+12125550187", language="es", consent=True)
            made += 1
    campaigns_demo(location_ids=location_ids)  # one finished outreach campaign (#24 item 4)
    return made
