"""The clinic the access matrix runs against, built once per module.

Two locations: Downtown (every object the matrix asks about lives here) and Uptown (where the "@uptown" users
work). One user per role at Downtown (practice-wide roles work everywhere anyway), three users of Uptown, and
for the FHIR API a bearer token for each of them plus back-end and narrow-scope clients. The frozen moment is
Monday 23 November 2026, 10:00 in New York, like the front-desk tests.

Every Downtown patient shares the family name in `SECRET`, so any response to an Uptown user can be searched
for it: a list page that "works" for an outsider must not show it.
"""

from __future__ import annotations

import base64
import datetime as dt
import io
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

from django.conf import settings
from django.contrib.auth import SESSION_KEY
from django.core import signing
from django.test import Client
from django_otp.plugins.otp_totp.models import TOTPDevice

from clinicdesk.audit.models import AuditEntry
from clinicdesk.billing.services import Tender, payment_collect
from clinicdesk.comms.models import Channel, Kind, Message, Status
from clinicdesk.comms.services import ANSWER_SALT, answer_token
from clinicdesk.core.permissions import Role
from clinicdesk.core.timezones import local_to_utc
from clinicdesk.frontdesk.models import CallDisposition, CallReason
from clinicdesk.frontdesk.services import (
    call_record,
    slip_answer,
    task_create,
    visit_check_in,
    visit_provider_start,
    visit_ready_for_checkout,
    visit_room,
    visitor_sign_in,
)
from clinicdesk.interop.fhir.mappers.schedule import SlotKey
from clinicdesk.patients.models import DuplicateCandidate, FormTemplate, Patient, Payer
from clinicdesk.patients.services import coverage_add, form_sign, patient_inactivate
from clinicdesk.patients.services.documents import store_document
from clinicdesk.scheduling.services import calendar_feed_issue
from tests.factories import (
    AppointmentFactory,
    AppointmentTypeFactory,
    LocationFactory,
    PatientFactory,
    PractitionerFactory,
    RoomFactory,
    UserFactory,
    weekly_availability,
)

NEW_YORK = ZoneInfo("America/New_York")
TODAY = dt.date(2026, 11, 23)  # a Monday
TOMORROW = TODAY + dt.timedelta(days=1)
MOMENT = dt.datetime(2026, 11, 23, 15, 0, tzinfo=dt.UTC)  # 10:00 in New York
SECRET = "Quillfeather"  # the family name of every Downtown patient
WEBHOOK_TOKEN = "matrix-webhook-token"
PDF_BYTES = (b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n2 0 obj<</Type/Pages/Kids[]/Count 0>>endobj\n"
             b"trailer<</Root 1 0 R>>\n%%EOF\n")

# The columns of the matrix: who asks. "@uptown" users hold the role at the other location only.
ANON = "anonymous"
PATIENT = "patient"  # a patient signed in to the portal (its own cookie, no staff session): rows_portal.py
STAFF_ROLES = (Role.FRONT_DESK, Role.PATIENT_COORDINATOR, Role.PRACTICE_COORDINATOR, Role.BILLING, Role.PROVIDER,
               Role.NURSE, Role.COMPLIANCE, Role.SYSADMIN)
ELSEWHERE_ROLES = (Role.PATIENT_COORDINATOR, Role.BILLING, Role.NURSE)
WEB_ACTORS = (ANON, *(r.value for r in STAFF_ROLES), *(f"{r.value}@uptown" for r in ELSEWHERE_ROLES), PATIENT)

# FHIR callers: the staff users through an app with every user/ scope, and clients with narrower grants.
NO_TOKEN = "no-token"
EXPIRED = "expired-token"
SYSTEM = "system"  # a back-end client (client credentials) with system scopes on everything but AuditEvent
SYSTEM_NARROW = "system-slots-only"  # system/Slot.rs system/Schedule.rs
USER_NARROW = "front_desk-appointments-only"  # a front-desk user's app holding user/Appointment.rs only
SYSTEM_SCOPES = ("system/Patient.cruds system/Appointment.cruds system/Slot.rs system/Schedule.rs "
                 "system/Practitioner.rs system/PractitionerRole.rs system/Organization.rs system/Location.rs "
                 "system/HealthcareService.rs system/Coverage.rs")
FHIR_ACTORS = (NO_TOKEN, EXPIRED, *(r.value for r in STAFF_ROLES), "patient_coordinator@uptown", SYSTEM,
               SYSTEM_NARROW, USER_NARROW)
# What each token's scopes cover, spelled out here (not computed by the code under test).
ALL_TYPES = ("Patient", "Practitioner", "PractitionerRole", "Organization", "Location", "HealthcareService",
             "Schedule", "Slot", "Appointment", "Coverage", "Flag", "AuditEvent", "CoverageEligibilityRequest",
             "CoverageEligibilityResponse", "ServiceRequest")
SCOPES_COVER: dict[str, set[tuple[str, str]]] = {
    SYSTEM: ({(t, v) for t in ("Patient", "Appointment") for v in "cruds"}
             | {(t, v) for t in ("Slot", "Schedule", "Practitioner", "PractitionerRole", "Organization", "Location",
                                 "HealthcareService", "Coverage") for v in "rs"}),
    SYSTEM_NARROW: {(t, v) for t in ("Slot", "Schedule") for v in "rs"},
    USER_NARROW: {("Appointment", "r"), ("Appointment", "s")},
}


@dataclass
class World:
    home: Any
    other: Any
    users: dict[str, Any]
    sessions: dict[str, str]  # actor -> session key
    tokens: dict[str, str] = field(default_factory=dict)  # FHIR actor -> bearer token
    portal: dict[str, str] = field(default_factory=dict)  # portal actor -> portal session cookie (rows_portal.py)
    objects: dict[str, Any] = field(default_factory=dict)
    handler: Any = None

    def __getattr__(self, name: str) -> Any:
        try:
            return self.__dict__["objects"][name]
        except KeyError:
            raise AttributeError(name) from None

    def client(self, actor: str = "") -> Client:
        """A fresh test client (its own cookie jar: a sign-out cannot leak into the next request), signed in as
        `actor` when it is a staff user. The clients share one request handler, so the middleware is loaded once."""
        client = Client(raise_request_exception=True)
        if self.handler is None:
            self.handler = client.handler
        client.handler = self.handler
        if actor in self.sessions:
            client.cookies[settings.SESSION_COOKIE_NAME] = self.sessions[actor]
        if actor in self.portal:
            from clinicdesk.portal.actor import COOKIE_NAME

            client.cookies[COOKIE_NAME] = self.portal[actor]
        return client


def _session(user: Any) -> str:
    client = Client()
    client.force_login(user)
    if user.mfa_required:
        device = TOTPDevice.objects.create(user=user, name="matrix", confirmed=True)
        session = client.session
        session["otp_device_id"] = device.persistent_id
        session.save()
    key = client.cookies[settings.SESSION_COOKIE_NAME].value
    assert client.session[SESSION_KEY] == str(user.pk)
    return key


def at(hour: int, minute: int = 0, day: dt.date = TODAY) -> dt.datetime:
    return local_to_utc(day, dt.time(hour, minute), NEW_YORK)


def tampered(token: str) -> str:
    """The same token with its signature changed (the payload still names the appointment)."""
    return token[:-3] + ("aaa" if not token.endswith("aaa") else "bbb")


def expired_answer_token(appointment_id: int) -> str:
    """A correctly signed answer token made longer ago than ANSWER_LINK_MAX_AGE_DAYS."""
    from unittest import mock

    long_ago = MOMENT.timestamp() - (settings.ANSWER_LINK_MAX_AGE_DAYS + 5) * 86400
    with mock.patch.object(signing.time, "time", return_value=long_ago):
        return answer_token(appointment_id=appointment_id)


def _fhir_tokens(world: World) -> None:
    """Bearer tokens for every FHIR caller. User tokens are issued straight to the user, as the PKCE flow would,
    all for one registered app (registering hashes a client secret: slow on purpose)."""
    from oauth2_provider.models import AccessToken, get_application_model

    from tests.fhir.conftest import client_credentials_token, register_client

    everything = " ".join(f"user/{t}.cruds" for t in ALL_TYPES)
    client_id, _secret = register_client("matrix app", everything, user_app=True,
                                         redirect_uri="https://app.example/cb")
    application = get_application_model().objects.get(client_id=client_id)

    def user_token(user: Any, scopes: str, name: str, expires: dt.datetime = dt.datetime(2099, 1, 1, tzinfo=dt.UTC)
                   ) -> str:
        return str(AccessToken.objects.create(user=user, application=application, token=f"matrix-{name}",
                                              scope=scopes, expires=expires).token)

    for actor in FHIR_ACTORS:
        if actor in world.users:
            world.tokens[actor] = user_token(world.users[actor], everything, actor)
    desk = world.users[Role.FRONT_DESK.value]
    world.tokens[USER_NARROW] = user_token(desk, "user/Appointment.rs", USER_NARROW)
    world.tokens[EXPIRED] = user_token(desk, everything, EXPIRED, expires=dt.datetime(2020, 1, 1, tzinfo=dt.UTC))
    for actor, scopes in ((SYSTEM, SYSTEM_SCOPES), (SYSTEM_NARROW, "system/Slot.rs system/Schedule.rs")):
        client_id, secret = register_client(f"matrix {actor}", scopes)
        world.tokens[actor] = client_credentials_token(world.client(), client_id, secret)["access_token"]


def build() -> World:
    """Everything the matrix rows point at. Called inside a transaction that is rolled back afterwards."""
    home = LocationFactory(name="Downtown", code="dtn", time_zone="America/New_York")
    other = LocationFactory(name="Uptown", code="upt", time_zone="America/New_York")
    users: dict[str, Any] = {}
    for role in STAFF_ROLES:
        users[role.value] = UserFactory(role=role, location=home, username=f"m-{role.value}")
    for role in ELSEWHERE_ROLES:
        users[f"{role.value}@uptown"] = UserFactory(role=role, location=other, username=f"m-{role.value}-uptown")
    world = World(home=home, other=other, users=users, sessions={a: _session(u) for a, u in users.items()})
    o = world.objects
    desk, doctor_user = users["front_desk"], users["provider"]

    doc = PractitionerFactory(first_name="Grace", last_name="Matrix", user=doctor_user)
    weekly_availability(doc, home)
    uptown_doc = PractitionerFactory(first_name="Ulla", last_name="Uptown")
    weekly_availability(uptown_doc, other)
    kind = AppointmentTypeFactory(code="follow-up", duration_minutes=20, checklist=["referral"])
    room = RoomFactory(location=home, name="Exam 1")
    o.update(doc=doc, uptown_doc=uptown_doc, kind=kind, room=room)

    def patient(given: str, **extra: Any) -> Any:
        return PatientFactory(home_location=home, family_name=SECRET, given_name=given,
                              email=f"{given.lower()}@example.org", sms_opt_in=True, email_opt_in=True, **extra)

    o["ana"] = ana = patient("Ana")
    o["ben"] = ben = patient("Ben")
    o["cy"] = cy = patient("Cy")
    o["rita"] = patient("Rita", restricted=True)
    o["ivy"] = ivy = patient("Ivy")
    o["dup1"] = dup1 = patient("Dora", birth_date=dt.date(1970, 1, 1))
    o["dup2"] = dup2 = patient("Dora", birth_date=dt.date(1970, 1, 1))
    o["pair"] = DuplicateCandidate.objects.create(first=dup1, second=dup2, score=20, agreeing=["last name"],
                                                  found_at=MOMENT)
    # A pair of charts both registered days ago: past the front desk's 24-hour merge window.
    o["old1"] = old1 = patient("Olga", birth_date=dt.date(1960, 2, 2))
    o["old2"] = old2 = patient("Olga", birth_date=dt.date(1960, 2, 2))
    Patient.objects.filter(pk__in=[old1.pk, old2.pk]).update(created_at=MOMENT - dt.timedelta(days=3))
    o["old_pair"] = DuplicateCandidate.objects.create(first=old1, second=old2, score=20, agreeing=["last name"],
                                                      found_at=MOMENT)
    patient_inactivate(actor=desk, patient_id=ivy.pk, reason="Moved away")

    # A Downtown patient with an appointment at Uptown (so Uptown may see her: not named SECRET).
    o["tess"] = tess = PatientFactory(home_location=home, family_name="Travers", given_name="Tess")
    o.update(desk_day(world, doctor=doc, room=room, booked=ana, waiting=ben, seen=cy, restricted=o["rita"],
                      elsewhere=tess, key="matrix", member_id="W123456789"))
    _feed, o["feed_token"] = calendar_feed_issue(actor=users["practice_coordinator"], practitioner_id=doc.pk)
    o["answer_token"] = answer_token(appointment_id=o["tomorrow"].pk)
    o["expired_token"] = expired_answer_token(o["tomorrow"].pk)
    o["offer_token"] = answer_token(appointment_id=o["tomorrow"].pk, purpose="offer", extra=1)
    o["bad_token"] = tampered(o["answer_token"])
    assert signing.loads(o["answer_token"], salt=ANSWER_SALT)["a"] == o["tomorrow"].pk
    o["locked_user"] = UserFactory(role=Role.FRONT_DESK, location=home, username="m-locked",
                                   locked_until=MOMENT + dt.timedelta(hours=1), failed_logins=5)
    start = at(13, 0, TOMORROW)
    o["slot_id"] = SlotKey(doc.pk, home.pk, kind.pk, start, start + dt.timedelta(minutes=20)).id
    o["audit_entry"] = AuditEntry.objects.order_by("-pk").first()
    from .matrix import AREAS  # each set-up area's own objects (#14: rows_<area>.objects)

    for area in AREAS:
        o.update(area.objects(world))
    _fhir_tokens(world)
    return world


def desk_day(world: World, *, doctor: Any, room: Any, booked: Any, waiting: Any, seen: Any, restricted: Any,
             elsewhere: Any = None, key: str, member_id: str, badge: str = "B7") -> dict[str, Any]:
    """The front desk's day at Downtown with `doctor` (a practitioner with a user), its objects by name: `booked`
    is booked today and tomorrow (missing a referral) and has an open triage call, a task, a payment, a coverage,
    a document, a signed form and a failed reminder; `waiting` is checked in (a visitor comes for them) and has an
    answered call; `seen` is ready for checkout in `room` and booked again tomorrow; `restricted` is booked
    tomorrow; `elsewhere` (optional) is booked at Uptown tomorrow. `key` makes the idempotency and dedupe keys;
    `member_id` is the coverage's, `badge` the visitor's (both unique while in use).
    build() makes the world's day with it; tests/core/test_query_counts.py makes more days with new patients."""
    home, o, users = world.home, world.objects, world.users
    desk, nurse, doctor_user, kind = users["front_desk"], users["nurse"], doctor.user, o["kind"]
    day: dict[str, Any] = {}

    def appointment(who: Any, start: dt.datetime) -> Any:
        return AppointmentFactory(location=home, practitioner=doctor, patient=who, appointment_type=kind,
                                  start=start)

    day["today"] = appointment(booked, at(10, 30))  # booked, checkable today
    day["tomorrow"] = appointment(booked, at(9, 0, TOMORROW))  # booked, movable, missing its referral
    day["restricted_appointment"] = appointment(restricted, at(11, 0, TOMORROW))
    day["other_appointment"] = appointment(seen, at(14, 0, TOMORROW))
    if elsewhere is not None:
        day["uptown_appointment"] = AppointmentFactory(location=world.other, practitioner=o["uptown_doc"],
                                                       patient=elsewhere, appointment_type=kind,
                                                       start=at(10, 0, TOMORROW))

    day["visit"] = visit_check_in(actor=desk, appointment_id=appointment(waiting, at(9, 0)).pk)  # can be roomed
    ready = visit_check_in(actor=desk, appointment_id=appointment(seen, at(9, 20)).pk)
    visit_room(actor=nurse, visit_id=ready.pk, room_id=room.pk)
    visit_provider_start(actor=doctor_user, visit_id=ready.pk)
    day["ready_visit"] = visit_ready_for_checkout(actor=doctor_user, visit_id=ready.pk)

    day["visitor"] = visitor_sign_in(actor=desk, location_id=home.pk, name="Val Visitor", visiting=waiting.given_name,
                                     id_type="state-id", id_last4="1234", badge=badge)
    open_call = call_record(actor=desk, location_id=home.pk, caller_name=booked.given_name,
                            reason=CallReason.CLINICAL, disposition=CallDisposition.TRIAGE, patient_id=booked.pk,
                            question="Rash after new pill", assignee_id=doctor_user.pk)
    answered_call = call_record(actor=desk, location_id=home.pk, caller_name=waiting.given_name,
                                reason=CallReason.CLINICAL, disposition=CallDisposition.TRIAGE,
                                patient_id=waiting.pk, question="Fever", assignee_id=doctor_user.pk)
    day["open_slip"] = open_call.slip
    day["answered_slip"] = slip_answer(actor=doctor_user, slip_id=answered_call.slip.pk, response="Come in today.")
    day["task"] = task_create(actor=desk, location_id=home.pk, title="Fax the referral", due_date=TODAY,
                              pool="front_desk", patient_id=booked.pk)

    day["payment"] = payment_collect(actor=desk, patient_id=booked.pk, location_id=home.pk,
                                     amount=Decimal("40.00"), tender=Tender("cash"), idempotency_key=f"{key}-payment")
    day["coverage"] = coverage_add(actor=desk, patient_id=booked.pk, payer_id=Payer.objects.get(name="Aetna").pk,
                                   member_id=member_id, start_date=dt.date(2026, 1, 1))
    day["document"] = store_document(actor=desk, patient=booked, kind="referral", data=PDF_BYTES,
                                     content_type="application/pdf", document_date=TODAY)
    day["npp"] = npp = FormTemplate.objects.get(code="npp", language="en", active=True)
    signer = f"{booked.given_name} {booked.family_name}"
    day["signed_form"] = form_sign(actor=desk, patient_id=booked.pk, template_id=npp.pk, signer_kind="patient",
                                   signer_name=signer, signature_kind="typed", typed_signature=signer)
    day["message"] = Message.objects.create(
        patient=booked, appointment=day["tomorrow"], kind=Kind.REMINDER, channel=Channel.EMAIL,
        to_address=booked.email, subject="Your visit", body=f"See you tomorrow, {SECRET}.", status=Status.FAILED,
        send_after=MOMENT, last_error="mailbox full", dedupe_key=f"{key}-failed-reminder")
    return day


def upload(name: str = "referral.pdf", data: bytes = PDF_BYTES) -> io.BytesIO:
    handle = io.BytesIO(data)
    handle.name = name
    return handle


def drawn_signature() -> str:
    from PIL import Image

    image = Image.new("RGBA", (40, 20), (0, 0, 0, 0))
    for x in range(5, 30):
        image.putpixel((x, 10), (0, 0, 0, 255))
    buffer = io.BytesIO()
    image.save(buffer, "PNG")
    return "data:image/png;base64," + base64.b64encode(buffer.getvalue()).decode()
