"""Access-matrix rows for workshops and events (#24 item 3). See matrix.py for what a row means.

Who: outreach.use (the front desk, patient and practice coordinators) sees the events of their own locations,
registers people, takes attendance at the door; outreach.admin (the practice coordinator) creates, edits and
cancels events. An event and its registrations are hidden (404) from anyone who may not register people for it;
someone who may register but not manage gets 403 on the edit form. The survey link is public: its signed token is
the credential (a wrong one is a 404)."""

from __future__ import annotations

from typing import Any

from .matrix import FD, PC, PRC, Row, api, page, public

USERS = frozenset({FD, PC, PRC})
ADMINS = frozenset({PRC})
OUT = "/outreach"
AT = "?location={home.pk}"
HIDDEN = {"denied": 404}
DESK_FORBIDDEN = {"denied": 404, "who": {FD: 403, PC: 403}}


def _event_form(w: Any, **changes: Any) -> dict[str, Any]:
    return {"location": str(w.home.pk), "kind": "asthma", "title_en": "Asthma at home", "title_es": "El asma en casa",
            "day": "2026-12-02", "time": "17:30", "duration_minutes": "60", "capacity": "10", "audience": "public",
            **changes}


ROWS: list[Row] = [
    page("GET", f"{OUT}/{AT}", 200, USERS, outsider=404),
    page("GET", f"{OUT}/events/new/{AT}", 200, ADMINS, outsider=404),
    page("POST", f"{OUT}/events/new/", 302, ADMINS, outsider=404, data=_event_form),
    page("GET", f"{OUT}/events/{{workshop.pk}}/", 200, USERS, **HIDDEN),
    page("GET", f"{OUT}/events/{{workshop.pk}}/edit/", 200, ADMINS, **DESK_FORBIDDEN),
    page("POST", f"{OUT}/events/{{workshop.pk}}/edit/", 302, ADMINS, **DESK_FORBIDDEN, data=_event_form),
    page("POST", f"{OUT}/events/{{workshop.pk}}/cancel/", 302, ADMINS, **HIDDEN),
    page("POST", f"{OUT}/events/{{workshop.pk}}/register/", 302, USERS, **HIDDEN,
         data=lambda w: {"patient": str(w.objects["ana"].pk)}),
    page("POST", f"{OUT}/events/{{workshop.pk}}/register-contact/", 302, USERS, **HIDDEN,
         data=lambda w: {"contact-given_name": "Rosa", "contact-family_name": "Delgado",
                         "contact-email": "rosa@example.org", "contact-language": "es", "contact-consent": "on"}),
    page("GET", f"{OUT}/events/{{workshop.pk}}/door/", 200, USERS, **HIDDEN),
    page("POST", f"{OUT}/registrations/{{workshop_registration.pk}}/attend/", 302, USERS, **HIDDEN,
         data=lambda w: {"present": "1"}),
    page("POST", f"{OUT}/registrations/{{workshop_registration.pk}}/cancel/", 302, USERS, **HIDDEN),
    public("GET", f"{OUT}/survey/not-a-real-token/", 404, case="a wrong link"),
    api("GET", "/api/v1/events", 200, USERS, elsewhere=None),
    api("POST", "/api/v1/events", 201, ADMINS, elsewhere=403,
        body=lambda w: {"location": w.home.pk, "kind": "prenatal", "titleEn": "Prenatal", "titleEs": "Prenatal",
                        "day": "2026-12-03", "time": "10:00", "capacity": 8}),
    api("GET", "/api/v1/events/{workshop.pk}", 200, USERS, **HIDDEN),
    api("PATCH", "/api/v1/events/{workshop.pk}", 200, ADMINS, body=lambda w: {"capacity": 30}),
    api("POST", "/api/v1/events/{workshop.pk}/deactivate", 200, ADMINS),
    api("GET", "/api/v1/events/{workshop.pk}/registrations", 200, USERS, **HIDDEN),
    api("POST", "/api/v1/events/{workshop.pk}/registrations", 201, USERS, **HIDDEN,
        body=lambda w: {"patient": w.objects["ana"].pk}),
    api("POST", "/api/v1/event-registrations/{workshop_registration.pk}/cancel", 200, USERS, **HIDDEN),
    api("POST", "/api/v1/event-registrations/{workshop_registration.pk}/attendance", 200, USERS, **HIDDEN,
        body=lambda w: {"present": True}),
]


def objects(world: Any) -> dict[str, Any]:
    """A public workshop next week at Downtown, with one patient registered."""
    import datetime as dt

    from clinicdesk.outreach.services import event_create, registration_add
    from tests.factories import PatientFactory

    coordinator = world.users[PRC]
    workshop = event_create(actor=coordinator, location_id=world.home.pk, kind="diabetes",
                            title_en="Matrix diabetes workshop", title_es="Taller de diabetes", capacity=20,
                            day=dt.date(2026, 11, 30), time=dt.time(18, 0))
    registered = PatientFactory(home_location=world.home, given_name="Workshop")
    registration = registration_add(actor=coordinator, event=workshop, patient=registered)
    return {"workshop": workshop, "workshop_registration": registration}
