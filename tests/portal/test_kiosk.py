"""The waiting-room kiosk (issue #23, item 5): switched on by a desk user, finds today's visit by name and date of
birth or by the reminder's code, turns changes into pending intake, and arrives the patient through the desk's own
arrival path. Guessing is limited and audited."""

from __future__ import annotations

import datetime as dt

import pytest

from clinicdesk.audit.models import AuditEntry
from clinicdesk.comms.services import answer_token
from clinicdesk.frontdesk.models import Visit
from clinicdesk.portal.models import IntakeKind, IntakeSubmission
from clinicdesk.portal.services import kiosk
from clinicdesk.scheduling.models import AppointmentStatus
from tests.factories import AppointmentFactory


@pytest.fixture
def kiosk_client(client, signed_in, location):
    desk = signed_in()
    response = desk.post(f"/portal/kiosk/{location.pk}/enable/")
    assert response.status_code == 302
    client.cookies[kiosk.KIOSK_COOKIE] = response.cookies[kiosk.KIOSK_COOKIE].value
    return client


def test_a_kiosk_must_be_started_by_a_desk_user(client, location, clerk):
    assert client.get(f"/portal/kiosk/{location.pk}/").status_code == 403
    assert client.post(f"/portal/kiosk/{location.pk}/enable/").status_code == 404


def test_check_in_at_the_kiosk_arrives_the_patient_and_leaves_changes_pending(kiosk_client, location, ana,
                                                                              today_visit):
    page = kiosk_client.post(f"/portal/kiosk/{location.pk}/", {"family_name": "lopez", "birth_date": "1980-05-17"})
    assert page.status_code == 200 and "Ana" in page.content.decode()
    token = page.context["token"]
    done = kiosk_client.post(f"/portal/kiosk/{location.pk}/check-in/", {
        "token": token, "d-phone": ana.phone, "d-email": ana.email, "d-city": "Holyoke"})
    assert done.status_code == 200
    today_visit.refresh_from_db()
    ana.refresh_from_db()
    assert today_visit.status == AppointmentStatus.ARRIVED and Visit.objects.filter(appointment=today_visit).exists()
    assert ana.city != "Holyoke"
    assert IntakeSubmission.objects.get().kind == IntakeKind.DETAILS
    assert AuditEntry.objects.filter(action="portal.kiosk_check_in", actor_username=f"patient:{ana.pk}").exists()


def test_the_kiosk_finds_a_visit_by_the_reminder_code(device, today_visit):
    token = kiosk.kiosk_find(device=device, code=f"https://clinic.example/r/{answer_token(appointment_id=today_visit.pk)}/")
    assert kiosk.kiosk_visit(device=device, token=token, language="en").appointment == today_visit


def test_the_kiosk_never_finds_another_locations_or_another_days_visit(device, ana, other_location, provider,
                                                                       kind, clock):
    AppointmentFactory(location=device.location, patient=ana, practitioner=provider, appointment_type=kind,
                       start=clock.now() + dt.timedelta(days=1))
    AppointmentFactory(location=other_location, patient=ana, practitioner=provider, appointment_type=kind,
                       start=clock.now() + dt.timedelta(hours=1))
    with pytest.raises(Exception, match="could not find"):
        kiosk.kiosk_find(device=device, family_name="Lopez", birth_date=dt.date(1980, 5, 17))


def test_guessed_codes_lock_the_kiosk_and_are_audited(device, today_visit):
    for _attempt in range(kiosk.MAX_FAILURES):
        with pytest.raises(Exception, match="could not find"):
            kiosk.kiosk_find(device=device, code="123456")
    with pytest.raises(kiosk.TooManyRequests):  # even the right answer waits now
        kiosk.kiosk_find(device=device, family_name="Lopez", birth_date=dt.date(1980, 5, 17))
    assert AuditEntry.objects.filter(action="portal.kiosk_find", outcome="denied").count() == kiosk.MAX_FAILURES
    assert AuditEntry.objects.filter(action="portal.kiosk_throttled").count() == 1


def test_a_kiosk_token_is_bound_to_its_device(device, clerk, location, today_visit):
    token = kiosk.kiosk_find(device=device, family_name="Lopez", birth_date=dt.date(1980, 5, 17))
    other = kiosk.kiosk_device(key=kiosk.kiosk_enable(actor=clerk, location_id=location.pk), location_id=location.pk)
    with pytest.raises(kiosk.NotFound):
        kiosk.kiosk_visit(device=other, token=token, language="en")


# --- the idle reset, on the server side: the open visit ends after KIOSK_IDLE_SECONDS without a sign of life ------
def _find(device):
    return kiosk.kiosk_find(device=device, family_name="Lopez", birth_date=dt.date(1980, 5, 17))


def test_the_kiosk_visit_ends_after_the_idle_time(device, today_visit, clock, settings):
    settings.KIOSK_IDLE_SECONDS = 60
    token = _find(device)
    clock.advance(dt.timedelta(seconds=59))
    kiosk.kiosk_keep_alive(device=device, token=token)  # the patient touched the page: open for 60 s more
    clock.advance(dt.timedelta(seconds=59))
    assert kiosk.kiosk_visit(device=device, token=token, language="en").appointment == today_visit
    clock.advance(dt.timedelta(seconds=61))
    with pytest.raises(kiosk.NotFound, match="time ran out"):
        kiosk.kiosk_visit(device=device, token=token, language="en")
    with pytest.raises(kiosk.NotFound):
        kiosk.kiosk_keep_alive(device=device, token=token)
    with pytest.raises(kiosk.NotFound):
        kiosk.kiosk_check_in(device=device, token=token, details={}, insurance={}, signatures=[])
    today_visit.refresh_from_db()
    assert today_visit.status == AppointmentStatus.BOOKED and not IntakeSubmission.objects.exists()


def test_the_idle_time_is_a_setting(device, today_visit, clock, settings):
    settings.KIOSK_IDLE_SECONDS = 5
    token = _find(device)
    clock.advance(dt.timedelta(seconds=6))
    with pytest.raises(kiosk.NotFound):
        kiosk.kiosk_visit(device=device, token=token, language="en")


def test_the_next_look_up_the_start_screen_and_the_check_in_end_the_open_visit(device, today_visit, ben, provider,
                                                                              kind, clock):
    first = _find(device)
    AppointmentFactory(location=device.location, patient=ben, practitioner=provider, appointment_type=kind,
                       start=clock.now() + dt.timedelta(minutes=90))
    kiosk.kiosk_find(device=device, family_name="Ng", birth_date=dt.date(1975, 1, 2))
    with pytest.raises(kiosk.NotFound):  # the next patient's look-up closed Ana's visit
        kiosk.kiosk_visit(device=device, token=first, language="en")
    again = _find(device)
    assert kiosk.kiosk_visit_end(device=device) is True
    with pytest.raises(kiosk.NotFound):
        kiosk.kiosk_visit(device=device, token=again, language="en")
    last = _find(device)
    kiosk.kiosk_check_in(device=device, token=last, details={}, insurance={}, signatures=[])
    with pytest.raises(kiosk.NotFound):  # re-submitting (or Back) after the check-in shows nothing
        kiosk.kiosk_visit(device=device, token=last, language="en")


def test_back_or_resubmit_after_the_idle_reset_shows_nothing(kiosk_client, location, ana, today_visit, clock,
                                                            settings):
    settings.KIOSK_IDLE_SECONDS = 60
    page = kiosk_client.post(f"/portal/kiosk/{location.pk}/", {"family_name": "lopez", "birth_date": "1980-05-17"})
    token = page.context["token"]
    alive = kiosk_client.post(f"/portal/kiosk/{location.pk}/alive/", {"token": token})
    assert alive.status_code == 204
    clock.advance(dt.timedelta(seconds=61))
    assert kiosk_client.post(f"/portal/kiosk/{location.pk}/alive/", {"token": token}).status_code == 404
    again = kiosk_client.post(f"/portal/kiosk/{location.pk}/check-in/", {"token": token, "d-phone": ana.phone},
                              follow=True)
    text = again.content.decode()
    assert "Ana" not in text and "time ran out" in text
    today_visit.refresh_from_db()
    assert today_visit.status == AppointmentStatus.BOOKED
    start = kiosk_client.get(f"/portal/kiosk/{location.pk}/")
    assert 'data-idle-seconds="60"' in start.content.decode()
