"""Words, not codes (#15 item 6), on the desk's screens: statuses as coloured pills with words, waits as
durations ("12 min", "1 h 05 min"), and no stored code on arrivals, the flow board or the appointment panel,
in English and in Spanish."""

from __future__ import annotations

import re

import pytest
from django.test import Client

from clinicdesk.frontdesk import services as desk
from clinicdesk.frontdesk.models import Visit
from clinicdesk.reports.templatetags.desk_time import duration_words, iso_duration
from tests.factories import AppointmentFactory, PatientFactory

from .conftest import at

CODES = ("checked-in", "with-provider", "ready-checkout", "photo_id", "front_desk", "noshow", "entered-in-error")


def _visible(html: str) -> str:
    html = re.sub(r"<(script|style)\b.*?</\1>", " ", html, flags=re.S)
    return re.sub(r"<[^>]+>", " ", html)


@pytest.fixture
def busy_morning(location, provider, follow_up_type, clerk, clock):
    rows = [AppointmentFactory(location=location, practitioner=provider, appointment_type=follow_up_type,
                               patient=PatientFactory(home_location=location, family_name=f"Words{i}"),
                               start=at(9, 20 * i)) for i in range(3)]
    desk.visit_arrive(actor=clerk, appointment_id=rows[0].pk)
    desk.visit_check_in(actor=clerk, appointment_id=rows[1].pk)
    Visit.objects.filter(appointment=rows[1]).update(arrived_at=at(8, 55))  # 65 minutes before the frozen 10:00
    return rows


def _client(user, language: str) -> Client:
    user.language = language
    user.save(update_fields=["language"])
    client = Client()
    client.force_login(user)
    return client


@pytest.mark.parametrize("language", ["en", "es"])
def test_arrivals_and_board_show_words_and_durations_not_codes(clerk, location, busy_morning, language):
    client = _client(clerk, language)
    for url in (f"/frontdesk/?location={location.pk}", f"/frontdesk/board/?location={location.pk}"):
        page = client.get(url).content.decode()
        assert 'class="pill status status-checked-in"' in page  # the status as a pill (colour from its token)
        assert re.search(r'<time class="timer late" datetime="PT1H5M"[^>]*>1 h 05 min</time>', page)
        text = _visible(page)
        for code in CODES:
            assert code not in text, (url, code)
        assert not re.search(r"\b\d{1,2}:\d\d:\d\d\b", text)  # no clock-like timers


def test_a_wait_under_the_target_is_not_marked_late(clerk, location, busy_morning, settings):
    settings.FRONTDESK_WAIT_TARGET_MINUTES = 120
    page = _client(clerk, "en").get(f"/frontdesk/?location={location.pk}").content.decode()
    assert '<time class="timer late"' not in page
    assert "over the 120 min target" in page  # the words are there for the script, hidden until late


def test_durations_read_as_minutes_and_hours():
    assert duration_words(12) == "12 min" and iso_duration(12) == "PT12M"
    assert duration_words(65) == "1 h 05 min" and iso_duration(65) == "PT1H5M"


@pytest.mark.parametrize("language", ["en", "es"])
def test_the_appointment_panel_history_is_in_words(clerk, location, busy_morning, language):
    appointment = busy_morning[2]
    from clinicdesk.scheduling.services import appointment_cancel

    appointment_cancel(actor=clerk, appointment_id=appointment.pk, reason="Travelling")
    page = _client(clerk, language).get(f"/schedule/appointments/{appointment.pk}/").content.decode()
    history = _visible(page.split('class="history"')[1])
    assert "booked →" not in history and "→ cancelled" not in history  # the stored codes
    words = {"en": ("Booked → Cancelled", "Cancelled ("), "es": ("Programada → Cancelada", "Cancelada (")}[language]
    assert all(w in history for w in words), history
