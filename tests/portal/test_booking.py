"""Self-booking under the practice's rules, through the desk's own search and appointment_book (item 2)."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from clinicdesk.audit.models import AuditEntry
from clinicdesk.core.exceptions import NotFound, ValidationFailed
from clinicdesk.portal import services
from clinicdesk.portal.models import WhoMayBook
from clinicdesk.scheduling.models import Appointment, AppointmentStatus, ResourceBooking, WaitlistEntry
from tests.factories import AppointmentFactory, PractitionerFactory, weekly_availability

from .helpers import actor_for, portal_client

NOW = dt.datetime(2026, 11, 23, 15, 0, tzinfo=dt.UTC)


def _option(practitioner, start: dt.datetime) -> str:
    return f"{practitioner.pk}:{int(start.timestamp())}"


def test_options_come_from_the_search_within_the_rule(clock, rule, ana):
    options = services.portal_options(actor=actor_for(ana), appointment_type_id=rule.appointment_type_id)
    assert options
    assert all(NOW + dt.timedelta(hours=24) <= o.start <= NOW + dt.timedelta(days=30) for o in options)
    entry = AuditEntry.objects.filter(action="portal.options").latest("pk")
    assert entry.actor_username == f"patient:{ana.pk}" and entry.patient_id == ana.pk


def test_a_type_not_bookable_online_is_refused(clock, kind, ana, provider):
    with pytest.raises(NotFound):
        services.portal_options(actor=actor_for(ana), appointment_type_id=kind.pk)
    with pytest.raises(NotFound):
        services.portal_appointment_book(actor=actor_for(ana), appointment_type_id=kind.pk,
                                         option=_option(provider, NOW + dt.timedelta(days=2)))
    assert not Appointment.objects.exists()


def test_booking_goes_through_appointment_book(clock, rule, ana, provider):
    start = NOW + dt.timedelta(days=2)
    appointment = services.portal_appointment_book(actor=actor_for(ana), appointment_type_id=rule.appointment_type_id,
                                                   option=_option(provider, start), idempotency_key="k1")
    assert appointment.patient == ana and appointment.status == AppointmentStatus.BOOKED
    assert ResourceBooking.objects.filter(appointment=appointment).exists()
    actions = set(AuditEntry.objects.filter(actor_username=f"patient:{ana.pk}").values_list("action", flat=True))
    assert {"appointment.book", "portal.appointment_book"} <= actions


def test_a_repeated_booking_returns_the_first(clock, rule, ana, provider):
    start = NOW + dt.timedelta(days=2)
    first = services.portal_appointment_book(actor=actor_for(ana), appointment_type_id=rule.appointment_type_id,
                                             option=_option(provider, start), idempotency_key="same")
    again = services.portal_appointment_book(actor=actor_for(ana), appointment_type_id=rule.appointment_type_id,
                                             option=_option(provider, start), idempotency_key="same")
    assert first.pk == again.pk and Appointment.objects.count() == 1


def test_too_soon_is_refused(clock, rule, ana, provider):
    with pytest.raises(ValidationFailed) as refused:
        services.portal_appointment_book(actor=actor_for(ana), appointment_type_id=rule.appointment_type_id,
                                         option=_option(provider, NOW + dt.timedelta(hours=20)))
    assert refused.value.code == "too-soon" and not Appointment.objects.exists()


def test_too_far_ahead_is_refused(clock, rule, ana, provider):
    with pytest.raises(ValidationFailed) as refused:
        services.portal_appointment_book(actor=actor_for(ana), appointment_type_id=rule.appointment_type_id,
                                         option=_option(provider, NOW + dt.timedelta(days=31)))
    assert refused.value.code == "too-far" and not Appointment.objects.exists()


def test_too_many_open_bookings_is_refused(clock, rule, ana, provider):
    actor = actor_for(ana)
    for day in (2, 3):
        services.portal_appointment_book(actor=actor, appointment_type_id=rule.appointment_type_id,
                                         option=_option(provider, NOW + dt.timedelta(days=day)))
    with pytest.raises(ValidationFailed) as refused:
        services.portal_appointment_book(actor=actor, appointment_type_id=rule.appointment_type_id,
                                         option=_option(provider, NOW + dt.timedelta(days=4)))
    assert refused.value.code == "too-many-open" and Appointment.objects.count() == 2


def test_a_provider_outside_the_rule_is_refused(clock, rule, ana, provider, location):
    other = PractitionerFactory(last_name="Other")
    weekly_availability(other, location)
    rule.practitioners.set([provider])
    with pytest.raises(ValidationFailed) as refused:
        services.portal_appointment_book(actor=actor_for(ana), appointment_type_id=rule.appointment_type_id,
                                         option=_option(other, NOW + dt.timedelta(days=2)))
    assert refused.value.code == "provider-not-bookable"


def test_established_only_types_are_hidden_from_new_patients(clock, rule, ana):
    rule.who = WhoMayBook.ESTABLISHED
    rule.save()
    with pytest.raises(NotFound):
        services.portal_options(actor=actor_for(ana), appointment_type_id=rule.appointment_type_id)


def test_a_taken_time_is_refused_like_at_the_desk(clock, rule, ana, ben, provider):
    start = NOW + dt.timedelta(days=2)
    services.portal_appointment_book(actor=actor_for(ben), appointment_type_id=rule.appointment_type_id,
                                     option=_option(provider, start))
    with pytest.raises(Exception) as refused:
        services.portal_appointment_book(actor=actor_for(ana), appointment_type_id=rule.appointment_type_id,
                                         option=_option(provider, start))
    assert getattr(refused.value, "status", None) in (409, 422)
    assert Appointment.objects.filter(patient=ana).count() == 0


def test_cancel_before_the_late_window(clock, rule, ana, provider):
    appointment = services.portal_appointment_book(actor=actor_for(ana), appointment_type_id=rule.appointment_type_id,
                                                   option=_option(provider, NOW + dt.timedelta(days=3)))
    cancelled = services.portal_appointment_cancel(actor=actor_for(ana), appointment_id=appointment.pk)
    assert cancelled.status == AppointmentStatus.CANCELLED and not cancelled.late_cancel


def test_cancel_inside_the_late_window_is_refused(clock, rule, ana, provider, kind):
    appointment = AppointmentFactory(patient=ana, practitioner=provider, location=ana.home_location,
                                     appointment_type=kind, start=NOW + dt.timedelta(hours=5))
    with pytest.raises(ValidationFailed) as refused:
        services.portal_appointment_cancel(actor=actor_for(ana), appointment_id=appointment.pk)
    assert refused.value.code == "too-late"


def test_another_patients_appointment_answers_404(clock, rule, ana, ben, provider):
    theirs = services.portal_appointment_book(actor=actor_for(ben), appointment_type_id=rule.appointment_type_id,
                                              option=_option(provider, NOW + dt.timedelta(days=3)))
    with pytest.raises(NotFound):
        services.portal_appointment_cancel(actor=actor_for(ana), appointment_id=theirs.pk)


def test_reschedule_through_the_same_service(clock, rule, ana, provider):
    appointment = services.portal_appointment_book(actor=actor_for(ana), appointment_type_id=rule.appointment_type_id,
                                                   option=_option(provider, NOW + dt.timedelta(days=3)))
    new_start = NOW + dt.timedelta(days=4)
    moved = services.portal_appointment_reschedule(actor=actor_for(ana), appointment_id=appointment.pk,
                                                   option=_option(provider, new_start))
    assert moved.start == new_start
    assert AuditEntry.objects.filter(action="portal.appointment_reschedule").exists()


def test_join_the_waitlist(clock, rule, ana):
    services.portal_waitlist_join(actor=actor_for(ana), appointment_type_id=rule.appointment_type_id)
    assert WaitlistEntry.objects.filter(patient=ana, appointment_type_id=rule.appointment_type_id).exists()


def test_the_booking_pages(client, clock, rule, ana, provider):
    portal_client(client, ana)
    assert b"Follow-up visit" in client.get("/portal/book/").content
    page = client.get(f"/portal/book/{rule.appointment_type_id}/")
    assert page.status_code == 200 and b'name="option"' in page.content
    option = _option(provider, NOW + dt.timedelta(days=2))
    response = client.post(f"/portal/book/{rule.appointment_type_id}/", {"option": option, "idempotency_key": "x"})
    assert response.status_code == 302
    appointment = Appointment.objects.get(patient=ana)
    assert response["Location"] == f"/portal/appointments/{appointment.pk}/"
    assert client.get(response["Location"]).status_code == 200


def test_a_taken_time_shows_the_page_again_reading_the_rule_once(client, clock, rule, ana, ben, provider):
    # The booking, the fresh options and the page around them share one read of the practice's rule per request.
    start = NOW + dt.timedelta(days=2)
    services.portal_appointment_book(actor=actor_for(ben), appointment_type_id=rule.appointment_type_id,
                                     option=_option(provider, start))
    portal_client(client, ana)
    with CaptureQueriesContext(connection) as captured:
        page = client.post(f"/portal/book/{rule.appointment_type_id}/",
                           {"option": _option(provider, start), "idempotency_key": "y"})
    assert page.status_code in (409, 422) and b'name="option"' in page.content
    assert _option(provider, start).encode() not in page.content  # the taken time is not offered again
    rule_reads = [q for q in captured.captured_queries if 'FROM "portal_portalbookingrule"' in q["sql"]]
    assert len(rule_reads) == 1
    assert not Appointment.objects.filter(patient=ana).exists()


def test_a_type_not_bookable_answers_404_on_the_page(client, clock, kind, ana):
    portal_client(client, ana)
    assert client.get(f"/portal/book/{kind.pk}/").status_code == 404


def test_another_types_page_of_spanish_names(client, clock, rule, ana):
    portal_client(client, ana, language="es")
    assert b"Consulta de seguimiento" in client.get("/portal/book/").content



def test_times_inside_the_notice_never_crowd_out_the_bookable_ones(clock, rule, ana, location):
    """Many providers free early on the first allowed day: the search starts at the notice's end (not at the start
    of that day), so the patient is offered a full page of times, all bookable."""
    for _ in range(12):  # 12 x 6 times between 08:00 and 10:00 on the first day: more than the search's page
        weekly_availability(PractitionerFactory(), location)
    options = services.portal_options(actor=actor_for(ana), appointment_type_id=rule.appointment_type_id)
    assert len(options) == 8
    assert all(o.start >= NOW + dt.timedelta(hours=24) for o in options)
