"""The portal's JSON API (/api/v1/portal/...; issue #23): what the portal's pages show and do, for a phone app or a
script, over the SAME services and selectors. It is authenticated by the portal's own session cookie (never the
staff session); writes need the CSRF token, as the pages do. Every route names the patient: the signed-in patient
or a dependent they hold an authorization for; any other id answers 404 (`PatientActor.reach`). Every call is
audited with the patient (or proxy) as the actor, by the services and selectors it calls."""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from clinicdesk.core.api import idempotency_key, json_body
from clinicdesk.core.exceptions import ValidationFailed
from clinicdesk.core.problems import problem_response

from . import selectors, services
from .actor import COOKIE_NAME, PatientActor
from .decorators import POLL_HEADER
from .services import payments


def portal_api(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """The portal session from its cookie, narrowed to the patient the URL names (404 for anyone else's)."""

    @functools.wraps(view)
    def wrapped(request: HttpRequest, patient_id: int, **kwargs: Any) -> HttpResponse:
        found = services.portal_session_resume(key=request.COOKIES.get(COOKIE_NAME, ""),
                                               activity=not request.headers.get(POLL_HEADER))
        if found is None:
            return problem_response(401, {"type": "about:blank", "title": "Not signed in",
                                          "detail": "Sign in to the patient portal first."})
        _session, signed_in = found
        actor = PatientActor(patient_id=signed_in.patient_id, dependent_ids=signed_in.dependent_ids,
                             subject_id=signed_in.reach(patient_id), session_id=signed_in.session_id,
                             method=signed_in.method)
        response = view(request, actor, **kwargs)
        response.headers["Cache-Control"] = "no-store"
        return response

    return wrapped


def _money(value: Any) -> str:
    return f"{value:.2f}"


def _appointment(item: Any) -> dict[str, Any]:
    kind = item.appointment_type
    return {"id": item.pk, "start": item.start.isoformat(), "end": item.end.isoformat(), "status": item.status,
            "statusText": str(item.get_status_display()),
            "kind": {"id": kind.pk, "name": kind.patient_facing_name or kind.name},
            "practitioner": str(item.practitioner), "location": item.location.name}


@require_GET
@portal_api
def summary(request: HttpRequest, actor: PatientActor) -> JsonResponse:
    page = selectors.portal_home(actor=actor)
    person = page.subject
    return JsonResponse({
        "patient": {"id": person.pk, "givenName": person.given_name, "familyName": person.family_name,
                    "preferredName": person.preferred_name, "birthDate": person.birth_date.isoformat()},
        "signedInAs": page.patient.pk, "actingAsProxy": actor.is_proxy,
        "people": [{"id": p.pk, "name": f"{p.preferred_name or p.given_name} {p.family_name}"} for p in page.people],
        "unreadMessages": page.unread})


@require_http_methods(["GET", "POST"])
@portal_api
def appointments(request: HttpRequest, actor: PatientActor) -> JsonResponse:
    """GET: upcoming visits. POST {"appointmentType": id, "option": "<from booking-options>"}: book one."""
    if request.method == "POST":
        data = json_body(request, required=True)
        try:
            type_id = int(data.get("appointmentType", ""))
        except (TypeError, ValueError):
            raise ValidationFailed("bad-type", _("Give appointmentType, a visit kind's id.")) from None
        booked = services.portal_appointment_book(actor=actor, appointment_type_id=type_id,
                                                  option=str(data.get("option", "")),
                                                  idempotency_key=idempotency_key(request) or "")
        return JsonResponse(_appointment(selectors.portal_appointment(actor=actor, appointment_id=booked.pk)),
                            status=201)
    page = selectors.portal_home(actor=actor)
    return JsonResponse({"appointments": [_appointment(a) for a in page.upcoming]})


@require_POST
@portal_api
def appointment_cancel(request: HttpRequest, actor: PatientActor, appointment_id: int) -> JsonResponse:
    services.portal_appointment_cancel(actor=actor, appointment_id=appointment_id)
    return JsonResponse(_appointment(selectors.portal_appointment(actor=actor, appointment_id=appointment_id)))


@require_GET
@portal_api
def booking_options(request: HttpRequest, actor: PatientActor) -> JsonResponse:
    """The kinds of visit the patient may book; with ?appointmentType=<id>, that kind's free times."""
    kinds = selectors.portal_bookable_types(actor=actor)
    answer: dict[str, Any] = {"kinds": [{"id": k.pk, "name": k.patient_facing_name or k.name} for k in kinds]}
    if (wanted := request.GET.get("appointmentType", "")).isdigit():
        options = services.portal_options(actor=actor, appointment_type_id=int(wanted))
        answer["options"] = [{"option": services.option_value(o), "start": o.start.isoformat(),
                              "practitioner": str(o.practitioner), "location": o.location.name} for o in options]
    return JsonResponse(answer)


@require_http_methods(["GET", "POST"])
@portal_api
def messages(request: HttpRequest, actor: PatientActor) -> JsonResponse:
    """GET: the messages about the patient, newest first. POST {"topic": ..., "body": ...}: write to the practice."""
    if request.method == "POST":
        data = json_body(request, required=True)
        sent = services.portal_message_send(actor=actor, topic=str(data.get("topic", "")),
                                            body=str(data.get("body", "")),
                                            idempotency_key=idempotency_key(request) or "")
        return JsonResponse({"id": sent.pk, "createdAt": sent.created_at.isoformat()}, status=201)
    items = selectors.portal_messages(actor=actor)
    return JsonResponse({"messages": [
        {"id": m.pk, "fromPractice": m.from_staff, "topic": m.topic, "body": m.body,
         "createdAt": m.created_at.isoformat(), "read": m.read_at is not None or not m.from_staff} for m in items]})


@require_GET
@portal_api
def account(request: HttpRequest, actor: PatientActor) -> JsonResponse:
    """The balance, open co-pays, the payment plan and online payments (paying itself happens in the portal's
    pages: the provider's checkout is a page)."""
    view = payments.portal_account(actor=actor)
    plan = None
    if view.plan is not None:
        plan = {"instalments": [{"number": i.number, "due": i.due.isoformat(), "amount": _money(i.amount),
                                 "paid": i.paid} for i in view.plan.schedule]}
    return JsonResponse({
        "balance": _money(view.balance), "currency": "USD", "payOnline": view.online,
        "copays": [{"appointment": c.appointment.pk, "start": c.appointment.start.isoformat(),
                    "amount": _money(c.amount)} for c in view.copays],
        "plan": plan,
        "payments": [{"reference": p.reference, "amount": _money(p.amount), "purpose": p.purpose,
                      "status": p.status, "statusText": str(p.get_status_display()),
                      "receiptNumber": p.receipt_number, "createdAt": p.created_at.isoformat()}
                     for p in view.payments]})
