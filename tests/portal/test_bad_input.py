"""Bad input at the portal (issue #23, "Bad input"): a booking outside the practice's rules, a wrong or dead link or
code, a forged webhook. Each is refused with a plain message, writes nothing, is audited as denied, and repeated
refusals are rate-limited by the portal's one refusal limit (services/refusals.py) - over the pages and the JSON
API alike, which share one service path."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from django.core.cache import cache

from clinicdesk.audit.models import AuditEntry
from clinicdesk.core.exceptions import DomainError
from clinicdesk.portal import services
from clinicdesk.portal.models import PortalSession, WhoMayBook
from clinicdesk.portal.services import refusals
from clinicdesk.scheduling.models import Appointment, WaitlistEntry
from tests.factories import AppointmentFactory, AppointmentTypeFactory, PractitionerFactory, weekly_availability

from .helpers import actor_for, portal_client, sent_link

NOW = dt.datetime(2026, 11, 23, 15, 0, tzinfo=dt.UTC)


@pytest.fixture(autouse=True)
def _fresh_counters(db):
    cache.clear()
    yield
    cache.clear()


def _option(practitioner, start: dt.datetime) -> str:
    return f"{practitioner.pk}:{int(start.timestamp())}"


def _case(name, rule, ana, provider, location, kind):
    """(appointment type id, option, the refusal's code) for each way of booking outside the rules."""
    if name == "not-online":
        closed = AppointmentTypeFactory(code="closed", duration_minutes=20)
        return closed.pk, _option(provider, NOW + dt.timedelta(days=2)), "not-bookable"
    if name == "established-only":
        rule.who = WhoMayBook.ESTABLISHED
        rule.save()
        return kind.pk, _option(provider, NOW + dt.timedelta(days=2)), "not-bookable"
    if name == "too-far":
        return kind.pk, _option(provider, NOW + dt.timedelta(days=31)), "too-far"
    if name == "too-soon":
        return kind.pk, _option(provider, NOW + dt.timedelta(hours=20)), "too-soon"
    if name == "provider":
        other = PractitionerFactory(last_name="Other")
        weekly_availability(other, location)
        rule.practitioners.set([provider])
        return kind.pk, _option(other, NOW + dt.timedelta(days=2)), "provider-not-bookable"
    if name == "open-cap":
        for day in (2, 3):
            AppointmentFactory(patient=ana, practitioner=provider, location=location, appointment_type=kind,
                               start=NOW + dt.timedelta(days=day, hours=1))
        return kind.pk, _option(provider, NOW + dt.timedelta(days=4)), "too-many-open"
    raise AssertionError(name)


CASES = ["not-online", "established-only", "too-far", "too-soon", "provider", "open-cap"]


@pytest.mark.parametrize("name", CASES)
def test_a_booking_outside_the_rules_is_refused_audited_and_writes_nothing(clock, rule, ana, provider, location,
                                                                           kind, name):
    type_id, option, code = _case(name, rule, ana, provider, location, kind)
    before = Appointment.objects.count()
    with pytest.raises(DomainError) as refused:
        services.portal_appointment_book(actor=actor_for(ana), appointment_type_id=type_id, option=option)
    assert refused.value.code == code and refused.value.detail and "_" not in refused.value.detail
    assert Appointment.objects.count() == before
    denied = AuditEntry.objects.get(action="portal.appointment_book", outcome="denied")
    assert denied.actor_username == f"patient:{ana.pk}" and denied.patient_id == ana.pk
    assert denied.detail["reason"] == code
    assert refusals.refusals(refusals.BOOKING, f"patient:{ana.pk}") == 1


@pytest.mark.parametrize("name", CASES)
def test_the_api_refuses_the_same_way_through_the_same_service(client, clock, rule, ana, provider, location, kind,
                                                                name):
    type_id, option, code = _case(name, rule, ana, provider, location, kind)
    before = Appointment.objects.count()
    portal_client(client, ana)
    answer = client.post(f"/api/v1/portal/patients/{ana.pk}/appointments",
                         json.dumps({"appointmentType": type_id, "option": option}), content_type="application/json")
    assert answer.status_code in (404, 422) and answer.json()["code"] == code
    assert Appointment.objects.count() == before
    assert AuditEntry.objects.filter(action="portal.appointment_book", outcome="denied",
                                     detail__reason=code).count() == 1


def test_the_booking_page_shows_a_plain_message_and_writes_nothing(client, clock, rule, ana, provider):
    portal_client(client, ana)
    page = client.post(f"/portal/book/{rule.appointment_type_id}/",
                       {"option": _option(provider, NOW + dt.timedelta(days=31))})
    assert page.status_code == 422 and "too far ahead to book online" in page.content.decode()
    assert not Appointment.objects.exists()
    assert AuditEntry.objects.filter(action="portal.appointment_book", outcome="denied").count() == 1


def test_repeated_refused_bookings_are_rate_limited_over_pages_and_api(client, clock, rule, ana, provider):
    portal_client(client, ana)
    too_far = _option(provider, NOW + dt.timedelta(days=31))
    for attempt in range(refusals.BOOKING.count):
        if attempt % 2:
            answer = client.post(f"/api/v1/portal/patients/{ana.pk}/appointments",
                                 json.dumps({"appointmentType": rule.appointment_type_id, "option": too_far}),
                                 content_type="application/json")
        else:
            answer = client.post(f"/portal/book/{rule.appointment_type_id}/", {"option": too_far})
        assert answer.status_code == 422
    good = _option(provider, NOW + dt.timedelta(days=2))
    api = client.post(f"/api/v1/portal/patients/{ana.pk}/appointments",
                      json.dumps({"appointmentType": rule.appointment_type_id, "option": good}),
                      content_type="application/json")
    assert api.status_code == 429 and api.json()["code"] == "rate-limited"  # even a good time waits now
    page = client.post(f"/portal/book/{rule.appointment_type_id}/", {"option": good})
    assert page.status_code == 429 and "Please wait 15 minutes" in page.content.decode()
    assert client.get(f"/api/v1/portal/patients/{ana.pk}/booking-options?appointmentType="
                      f"{rule.appointment_type_id}").status_code == 429
    assert not Appointment.objects.exists()
    assert AuditEntry.objects.filter(action="portal.appointment_book", outcome="denied").count() == (
        refusals.BOOKING.count)
    assert AuditEntry.objects.filter(action="portal.booking_throttled", outcome="denied").count() >= 3


def test_a_taken_time_is_not_counted_as_a_refusal(clock, rule, ana, ben, provider):
    start = NOW + dt.timedelta(days=2)
    services.portal_appointment_book(actor=actor_for(ben), appointment_type_id=rule.appointment_type_id,
                                     option=_option(provider, start))
    with pytest.raises(DomainError):
        services.portal_appointment_book(actor=actor_for(ana), appointment_type_id=rule.appointment_type_id,
                                         option=_option(provider, start))
    assert refusals.refusals(refusals.BOOKING, f"patient:{ana.pk}") == 0


def test_reschedule_cancel_and_waitlist_outside_the_rules_are_audited(clock, rule, ana, provider, location, kind):
    soon = AppointmentFactory(patient=ana, practitioner=provider, location=location, appointment_type=kind,
                              start=NOW + dt.timedelta(hours=5))
    with pytest.raises(DomainError):
        services.portal_appointment_cancel(actor=actor_for(ana), appointment_id=soon.pk)
    later = AppointmentFactory(patient=ana, practitioner=provider, location=location, appointment_type=kind,
                               start=NOW + dt.timedelta(days=3, hours=1))
    with pytest.raises(DomainError):
        services.portal_appointment_reschedule(actor=actor_for(ana), appointment_id=later.pk,
                                               option=_option(provider, NOW + dt.timedelta(days=60)))
    closed = AppointmentTypeFactory(code="closed2", duration_minutes=20)
    with pytest.raises(DomainError):
        services.portal_waitlist_join(actor=actor_for(ana), appointment_type_id=closed.pk)
    later.refresh_from_db()
    assert later.start == NOW + dt.timedelta(days=3, hours=1) and not WaitlistEntry.objects.exists()
    reasons = {(e.action, e.detail["reason"]) for e in AuditEntry.objects.filter(outcome="denied")}
    assert reasons == {("portal.appointment_cancel", "too-late"), ("portal.appointment_reschedule", "too-far"),
                       ("portal.waitlist_join", "not-bookable")}


# --- wrong or dead links and codes ----------------------------------------------------------------------------
def test_wrong_links_are_audited_and_rate_limited_per_address(client, clock, ana):
    for attempt in range(refusals.SIGN_IN.count):
        page = client.get(f"/portal/sign-in/link/guessed-{attempt}/")
        assert page.status_code == 404 and "This link does not work" in page.content.decode()
    assert AuditEntry.objects.filter(action="portal.sign_in", outcome="denied").count() == refusals.SIGN_IN.count
    services.portal_sign_in_request(contact="ana@example.org")
    good = client.get(f"/portal/sign-in/link/{sent_link(ana)}/")
    assert good.status_code == 429 and "Please wait 15 minutes" in good.content.decode()
    code = client.post("/portal/sign-in/code/", {"contact": "(413) 555-0100", "code": "123456",
                                                 "birth_date": "1980-05-17"})
    assert code.status_code == 429
    assert not PortalSession.objects.exists()
    assert AuditEntry.objects.filter(action="portal.sign_in_confirm_throttled", outcome="denied").count() == 2


def test_wrong_codes_and_birth_dates_count_towards_the_same_limit(clock, ana):
    services.portal_sign_in_request(contact="ana@example.org")
    for _attempt in range(refusals.SIGN_IN.count):
        with pytest.raises(DomainError):
            services.portal_sign_in_confirm(contact="4135550100", code="000000", birth_date=dt.date(1980, 5, 17))
    with pytest.raises(services.TooManyRequests):
        services.portal_sign_in_confirm(token="anything", birth_date=dt.date(1980, 5, 17))
    assert not PortalSession.objects.exists()


def test_an_expired_link_page_is_plain_and_audited(client, clock, ana):
    services.portal_sign_in_request(contact="ana@example.org")
    token = sent_link(ana)
    clock.advance(dt.timedelta(hours=1))
    page = client.get(f"/portal/sign-in/link/{token}/")
    assert page.status_code == 404 and "has expired" in page.content.decode()
    assert AuditEntry.objects.get(action="portal.sign_in", outcome="denied").detail["reason"] == "link-expired"

