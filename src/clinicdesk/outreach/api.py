"""The JSON API of workshops and events (/api/v1/events...; #24 item 3): the events as a resource, and the
registrations of an event (register a patient or a contact, cancel, attendance), over the same services as the
screens."""

from __future__ import annotations

from typing import Any, cast

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.views.decorators.http import require_http_methods, require_POST

from clinicdesk.core.api import api_login_required, json_body
from clinicdesk.core.permissions import Actor, Perm
from clinicdesk.core.resources import ApiField, ApiResource, members_named, parse_members

from . import selectors, services
from .models import Audience, Event, EventKind, EventStatus, Registration, RegistrationStatus

EVENTS = ApiResource(
    write_perm=Perm.OUTREACH_ADMIN,
    path="events", schema="Event", tag="outreach", noun="workshop or event",
    description="A health-education workshop or community event. `day` and `time` are the location's wall clock; "
                "`start` is the same moment as an instant. Over `capacity`, registrations go to the waitlist. "
                "Deactivating cancels the event.",
    fields=(
        ApiField.ident(),
        ApiField.ref("location", create_only=True, required=True, description="The organizing location."),
        ApiField.choice("kind", EventKind.values, required=True),
        ApiField.text("titleEn", required=True, max_length=160),
        ApiField.text("titleEs", required=True, max_length=160),
        ApiField.text("descriptionEn", max_length=services.MAX_DESCRIPTION),
        ApiField.text("descriptionEs", max_length=services.MAX_DESCRIPTION),
        ApiField.text("place", max_length=240, description="A room or street address; empty: at the location."),
        ApiField.text("onlineUrl", max_length=400, description="https:// link of an online event."),
        ApiField.date("day", required=True, get=lambda e: e.start.astimezone(e.location.tz).date(),
                      description="The date at the location."),
        ApiField.time("time", required=True, get=lambda e: e.start.astimezone(e.location.tz).time(),
                      description="The start time at the location (HH:MM)."),
        ApiField.datetime("start", read_only=True),
        ApiField.integer("durationMinutes", minimum=1, maximum=services.MAX_MINUTES),
        ApiField.integer("capacity", required=True, minimum=1, maximum=services.MAX_CAPACITY),
        ApiField.integer("taken", read_only=True, description="Places taken."),
        ApiField.choice("audience", Audience.values),
        ApiField.choice("status", EventStatus.values, read_only=True),
    ),
    list=lambda actor, include_inactive: selectors.events_for_api(actor=actor, include_cancelled=include_inactive),
    read=lambda actor, pk: selectors.event_detail(actor=actor, event_id=pk),
    create=lambda actor, values: services.event_create(actor=actor, **values),
    update=lambda actor, pk, values: services.event_update(actor=actor, event_id=pk, **values),
    deactivate=lambda actor, pk: services.event_cancel(actor=actor, event_id=pk),
)

REGISTER_FIELDS = (
    ApiField.ref("patient", description="A patient to register; or leave it out and give a contact."),
    ApiField.text("givenName", max_length=80, description="A contact who is not a patient: first name."),
    ApiField.text("familyName", max_length=80),
    ApiField.text("phone", max_length=20),
    ApiField.text("email", max_length=254),
    ApiField.choice("language", ("en", "es")),
    ApiField.flag("consent", description="The contact agreed to be contacted."),
    ApiField.flag("walkIn", description="Registered at the door: marked present; refused when the event is full."),
)
ATTENDANCE_FIELDS = (ApiField.flag("present", required=True),)


def registration_json(registration: Registration) -> dict[str, Any]:
    contact = registration.contact
    return {"id": registration.pk, "event": registration.event_id, "status": registration.status,
            "patient": registration.patient_id,
            "contact": {"givenName": contact.given_name, "familyName": contact.family_name,
                        "consent": contact.consent} if contact is not None else None,
            "walkIn": registration.walk_in, "attended": registration.attended}


def _actor(request: HttpRequest) -> Actor:
    return cast(Actor, request.user)


@require_http_methods(["GET", "POST"])
@api_login_required
def registrations(request: HttpRequest, pk: int) -> HttpResponse:
    """GET the registrations of an event (the waitlist in order); POST registers a patient or a contact."""
    actor = _actor(request)
    if request.method == "POST":
        values = parse_members(REGISTER_FIELDS, json_body(request, required=True))
        walk_in = values.pop("walk_in", False)
        patient = values.pop("patient_id", None)
        if patient is not None:
            registration = members_named(REGISTER_FIELDS, lambda: services.registration_add(
                actor=actor, event=pk, patient=patient, walk_in=walk_in))
        else:
            registration = members_named(REGISTER_FIELDS, lambda: services.contact_register(
                actor=actor, event_id=pk, walk_in=walk_in, given_name=values.get("given_name", ""),
                family_name=values.get("family_name", ""), phone=values.get("phone", ""),
                email=values.get("email", ""), language=values.get("language", "en"),
                consent=values.get("consent", False)))
        return JsonResponse(registration_json(registration), status=201)
    event: Event = selectors.event_detail(actor=actor, event_id=pk)
    return JsonResponse({"items": [registration_json(r) for r in selectors.event_registrations(actor=actor,
                                                                                              event=event)]})


@require_POST
@api_login_required
def registration_cancel(request: HttpRequest, pk: int) -> HttpResponse:
    return JsonResponse(registration_json(services.registration_cancel(actor=_actor(request), registration_id=pk)))


@require_POST
@api_login_required
def attendance(request: HttpRequest, pk: int) -> HttpResponse:
    values = parse_members(ATTENDANCE_FIELDS, json_body(request, required=True))
    return JsonResponse(registration_json(services.attendance_mark(actor=_actor(request), registration_id=pk,
                                                                   present=values["present"])))


REGISTRATION_STATUSES = RegistrationStatus.values
