"""Practice settings (#14): the screen, the API, and the code that reads them instead of the environment."""

from __future__ import annotations

import base64
import datetime as dt
import json
import re
import zlib
from decimal import Decimal

import pytest
from django.conf import settings as django_settings
from django.test import Client

from clinicdesk.accounts.services import user_create
from clinicdesk.audit.models import AuditEntry
from clinicdesk.billing.receipts import receipt_pdf
from clinicdesk.billing.services import Tender, payment_collect
from clinicdesk.comms.services import message_queue
from clinicdesk.core.exceptions import PermissionDenied, ValidationFailed
from clinicdesk.core.permissions import Role
from clinicdesk.practice.models import PracticeSettings
from clinicdesk.practice.selectors import practice_settings
from clinicdesk.practice.settings_services import practice_settings_update
from clinicdesk.scheduling.services import appointment_cancel
from tests.factories import AppointmentFactory

FORM = {"short_name": "Riverside", "late_cancel_hours": "48", "records_retention_years": "10",
        "receipt_footer": "Thank you for your visit.", "default_language": "es"}


@pytest.fixture
def coordinator(make_user):
    return make_user(Role.PRACTICE_COORDINATOR)


def test_practice_settings_default_to_the_environment_without_a_row(db):
    current = practice_settings()
    assert current.short_name == django_settings.PRACTICE_SHORT_NAME and current.late_cancel_hours == 24
    assert current.default_language == "en" and current.receipt_footer == ""
    assert not PracticeSettings.objects.exists()


def test_practice_settings_update_saves_the_row_and_its_history(coordinator):
    practice_settings_update(actor=coordinator, late_cancel_hours=48, short_name="Riverside Health")
    row = PracticeSettings.objects.get()
    assert row.late_cancel_hours == 48 and row.short_name == "Riverside Health" and row.records_retention_years == 7
    entry = AuditEntry.objects.filter(action="practice_settings.update").get()
    assert entry.detail["changes"]["late_cancel_hours"] == [24, 48]


def test_practice_settings_update_refuses_bad_values_and_writes_nothing(coordinator):
    with pytest.raises(ValidationFailed) as error:
        practice_settings_update(actor=coordinator, late_cancel_hours=1000, default_language="fr", short_name=" ")
    assert set(error.value.fields) == {"late_cancel_hours", "default_language", "short_name"}
    assert not PracticeSettings.objects.exists()


@pytest.mark.parametrize("role", [Role.FRONT_DESK, Role.BILLING, Role.COMPLIANCE])
def test_practice_settings_update_refuses_other_roles(make_user, role):
    with pytest.raises(PermissionDenied):
        practice_settings_update(actor=make_user(role), late_cancel_hours=1)
    assert not PracticeSettings.objects.exists()


def test_practice_settings_screen_saves_for_the_coordinator(signed_in):
    client = signed_in(Role.PRACTICE_COORDINATOR)
    assert client.get("/practice/settings/").status_code == 200
    answer = client.post("/practice/settings/", FORM)
    assert answer.status_code == 302 and answer["Location"] == "/practice/settings/"
    assert PracticeSettings.objects.get().receipt_footer == "Thank you for your visit."
    page = client.get("/practice/settings/")
    assert b"History of changes" in page.content and b"Late-cancellation window" in page.content


def test_practice_settings_screen_shows_errors_and_writes_nothing(signed_in):
    answer = signed_in(Role.SYSADMIN).post("/practice/settings/", {**FORM, "late_cancel_hours": "-3"})
    assert answer.status_code == 422 and not PracticeSettings.objects.exists()


def test_practice_settings_screen_refuses_the_front_desk_and_other_locations(signed_in, other_location):
    assert signed_in(Role.FRONT_DESK).get("/practice/settings/").status_code == 403
    assert signed_in(Role.FRONT_DESK, at=other_location).post("/practice/settings/", FORM).status_code == 403
    assert not PracticeSettings.objects.exists()


def test_practice_settings_api_reads_and_patches(signed_in):
    client = signed_in(Role.PRACTICE_COORDINATOR)
    assert client.get("/api/v1/practice-settings").json()["lateCancelHours"] == 24
    answer = client.patch("/api/v1/practice-settings", json.dumps({"lateCancelHours": 36, "defaultLanguage": "es"}),
                          content_type="application/json")
    assert answer.status_code == 200 and answer.json()["lateCancelHours"] == 36
    assert answer.json()["defaultLanguage"] == "es" and PracticeSettings.objects.get().late_cancel_hours == 36


def test_practice_settings_api_refuses_a_number_in_quotes(signed_in):
    answer = signed_in(Role.SYSADMIN).patch("/api/v1/practice-settings", json.dumps({"lateCancelHours": "36"}),
                                            content_type="application/json")
    assert answer.status_code == 422 and not PracticeSettings.objects.exists()


def test_practice_settings_api_refuses_the_front_desk(signed_in):
    client = signed_in(Role.FRONT_DESK)
    assert client.get("/api/v1/practice-settings").status_code == 403
    assert client.patch("/api/v1/practice-settings", json.dumps({"lateCancelHours": 1}),
                        content_type="application/json").status_code == 403
    assert Client().get("/api/v1/practice-settings").status_code == 401


def test_late_cancel_window_of_48_hours_makes_a_30_hours_ahead_cancellation_late(clock, coordinator, clerk,
                                                                                  location):
    appointment = AppointmentFactory(location=location, start=clock.now() + dt.timedelta(hours=30))
    practice_settings_update(actor=coordinator, late_cancel_hours=48)
    assert appointment_cancel(actor=clerk, appointment_id=appointment.pk, reason="Travel").late_cancel


def test_late_cancel_default_window_leaves_a_30_hours_ahead_cancellation_on_time(clock, clerk, location):
    appointment = AppointmentFactory(location=location, start=clock.now() + dt.timedelta(hours=30))
    assert not appointment_cancel(actor=clerk, appointment_id=appointment.pk, reason="Travel").late_cancel


def test_messages_name_the_practice_by_its_short_name(coordinator, patient):
    practice_settings_update(actor=coordinator, short_name="Riverside Family Care")
    patient.sms_opt_in = True
    patient.save(update_fields=["sms_opt_in"])
    message = message_queue(patient=patient, kind="recall", channel="sms",
                            values={"appointment_name": "check-up"}, dedupe_key="recall:1")
    assert "Riverside Family Care" in message.body


def test_receipts_carry_the_practice_footer(coordinator, clerk, patient, location):
    practice_settings_update(actor=coordinator, receipt_footer="Questions? Call 413-555-0100.")
    entry = payment_collect(actor=clerk, patient_id=patient.pk, location_id=location.pk, amount=Decimal("20"),
                            tender=Tender("cash"))
    pdf = receipt_pdf(entry)
    streams = re.findall(rb"stream\r?\n(.*?~>)endstream", pdf, re.DOTALL)
    text = b"".join(_inflate(raw) for raw in streams)
    assert b"Questions? Call 413-555-0100." in text


def _inflate(raw: bytes) -> bytes:
    """A ReportLab content stream: ASCII85 over Flate."""
    try:
        return zlib.decompress(base64.a85decode(raw.strip(), adobe=True))
    except (ValueError, zlib.error):
        return raw


def test_new_staff_accounts_take_the_practice_default_language(coordinator, location):
    practice_settings_update(actor=coordinator, default_language="es")
    user = user_create(actor=None, username="nueva", password="violet-harbour-lantern-42", role=Role.FRONT_DESK,
                       locations=[location.pk])
    assert user.language == "es"


def test_new_patient_form_starts_in_the_practice_default_language(coordinator, location):
    from clinicdesk.patients.forms import RegistrationForm

    practice_settings_update(actor=coordinator, default_language="es")
    assert RegistrationForm(locations=[location]).fields["preferred_language"].initial() == "es"


def test_sign_in_page_is_in_the_practice_default_language(coordinator):
    practice_settings_update(actor=coordinator, default_language="es")
    assert Client().get("/accounts/login/")["Content-Language"] == "es"
    assert Client(HTTP_ACCEPT_LANGUAGE="en-US").get("/accounts/login/")["Content-Language"] == "en"
