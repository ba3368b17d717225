"""Scheduled reports (#22 item 5): when they go out (time zones, DST), once per period, retried when the mail
fails, a PDF of figures with no patient's name, the screens and who may use them."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
from django.core import mail

from clinicdesk.accounts.models import Role
from clinicdesk.audit.models import AuditEntry
from clinicdesk.core.exceptions import NotFound, PermissionDenied, ValidationFailed
from clinicdesk.insight.dashboards import rollup
from clinicdesk.insight.models import ReportDelivery, ReportSubscription
from clinicdesk.insight.reports.schedule import next_send_at, report_range
from clinicdesk.insight.reports.services import (
    SubscriptionInput,
    reports_send_due,
    subscription_create,
    subscription_send_now,
)
from tests.core.test_documents_l10n import pdf_text

from .practice_data import practice_history

NEW_YORK, CHICAGO = ZoneInfo("America/New_York"), ZoneInfo("America/Chicago")


def _utc(*args: int) -> dt.datetime:
    return dt.datetime(*args, tzinfo=dt.UTC)


# --- when ------------------------------------------------------------------------------------------------------

def test_next_send_at_keeps_the_local_hour_across_spring_forward():
    # Monday 2 March 2026 07:00 EST is 12:00 UTC; the next Monday is after the clocks change (8 March): 11:00 UTC
    assert next_send_at(weekday=0, hour=7, tz=NEW_YORK, after=_utc(2026, 3, 2, 11, 59)) == _utc(2026, 3, 2, 12)
    assert next_send_at(weekday=0, hour=7, tz=NEW_YORK, after=_utc(2026, 3, 2, 12)) == _utc(2026, 3, 9, 11)
    assert next_send_at(weekday=0, hour=7, tz=CHICAGO, after=_utc(2026, 3, 2, 12)) == _utc(2026, 3, 2, 13)


def test_next_send_at_in_the_gap_and_the_repeated_hour():
    # 02:00 on 8 March 2026 does not exist in New York: it goes out at 03:00 EDT (07:00 UTC)
    assert next_send_at(weekday=6, hour=2, tz=NEW_YORK, after=_utc(2026, 3, 7)) == _utc(2026, 3, 8, 7)
    # 01:00 on 1 November 2026 happens twice: the first one (EDT, 05:00 UTC)
    assert next_send_at(weekday=6, hour=1, tz=NEW_YORK, after=_utc(2026, 10, 31)) == _utc(2026, 11, 1, 5)
    # and the week after, standard time again: 06:00 UTC
    assert next_send_at(weekday=6, hour=1, tz=NEW_YORK, after=_utc(2026, 11, 1, 5)) == _utc(2026, 11, 8, 6)


def test_report_range_is_the_whole_weeks_before_the_send_day():
    assert report_range(dt.date(2026, 11, 30), 4) == (dt.date(2026, 11, 2), dt.date(2026, 11, 29))


# --- creating ----------------------------------------------------------------------------------------------------

def _input(**changes) -> SubscriptionInput:
    values = {"name": "Weekly volume", "figures": ["volume", "noshow", "volume-provider"], "location_id": None,
              "practitioner_id": None, "appointment_type_id": None, "weeks": 4, "weekday": 0, "hour": 7,
              "recipient_ids": []}
    values.update(changes)
    return SubscriptionInput(**values)


@pytest.fixture
def people(location, other_location, make_user):
    coordinator = make_user(Role.PRACTICE_COORDINATOR, email="coord@example.org", language="en")
    biller = make_user(Role.BILLING, email="bill@example.org", language="es")
    stranger = make_user(Role.FRONT_DESK, at=other_location, email="far@example.org")
    return {"coordinator": coordinator, "biller": biller, "stranger": stranger}


def test_subscription_create_computes_the_next_send_in_the_location_zone(people, location, clock):
    subscription = subscription_create(actor=people["biller"], data=_input(
        location_id=location.pk, recipient_ids=[people["biller"].pk, people["coordinator"].pk]))
    # the test clock is Monday 23 November 2026 10:00 in New York: the next Monday 07:00 EST
    assert subscription.next_send_at == _utc(2026, 11, 30, 12) and subscription.time_zone == "America/New_York"
    assert AuditEntry.objects.filter(action="insight.report_subscription.create").count() == 1


def test_subscription_create_refuses_bad_input_and_writes_nothing(people, location, other_location, clock):
    biller = people["biller"]
    with pytest.raises(ValidationFailed):
        subscription_create(actor=biller, data=_input(recipient_ids=[]))
    with pytest.raises(ValidationFailed):  # someone of another location is not among the choices
        subscription_create(actor=biller, data=_input(recipient_ids=[people["stranger"].pk]))
    with pytest.raises(ValidationFailed):
        subscription_create(actor=biller, data=_input(recipient_ids=[biller.pk], hour=24))
    with pytest.raises(NotFound):  # another location looks missing
        subscription_create(actor=biller, data=_input(location_id=other_location.pk, recipient_ids=[biller.pk]))
    with pytest.raises(PermissionDenied):  # the front desk does not read reports
        subscription_create(actor=people["stranger"], data=_input(recipient_ids=[people["stranger"].pk]))
    assert not ReportSubscription.objects.exists()


# --- sending -----------------------------------------------------------------------------------------------------

@pytest.fixture
def subscribed(people, location, follow_up, clock):
    history = practice_history(location, follow_up)
    rollup.rebuild(first_day=dt.date(2026, 7, 1), last_day=dt.date(2026, 11, 29))
    subscription = subscription_create(actor=people["coordinator"], data=_input(
        location_id=location.pk, recipient_ids=[people["coordinator"].pk, people["biller"].pk]))
    return {"subscription": subscription, "history": history}


def test_reports_send_due_mails_a_pdf_of_figures_without_patient_names(subscribed, people):
    assert reports_send_due(now=_utc(2026, 11, 30, 11, 59)) == 0  # not yet
    assert reports_send_due(now=_utc(2026, 11, 30, 12, 1)) == 2
    assert sorted(m.to[0] for m in mail.outbox) == ["bill@example.org", "coord@example.org"]
    english = next(m for m in mail.outbox if m.to == ["coord@example.org"])
    name, content, kind = english.attachments[0]
    assert kind == "application/pdf" and name == "report-2026-11-30.pdf"
    text = pdf_text(content)
    assert "Weekly volume" in text and "Appointments per week" in text and "No-show rate (%)" in text
    assert "Skipper" not in text and "Steady" not in text and "Skipper" not in english.body
    spanish = next(m for m in mail.outbox if m.to == ["bill@example.org"])
    assert "Citas por semana" in pdf_text(spanish.attachments[0][1])
    delivery = ReportDelivery.objects.get(recipient=people["coordinator"])
    assert (delivery.status, delivery.period, delivery.attempts) == ("sent", dt.date(2026, 11, 30), 1)
    assert ReportSubscription.objects.get().next_send_at == _utc(2026, 12, 7, 12)


def test_reports_send_due_sends_a_period_once(subscribed):
    reports_send_due(now=_utc(2026, 11, 30, 12, 1))
    subscription = subscribed["subscription"]
    ReportSubscription.objects.filter(pk=subscription.pk).update(next_send_at=_utc(2026, 11, 30, 12))  # a replay
    assert reports_send_due(now=_utc(2026, 11, 30, 12, 6)) == 0
    assert len(mail.outbox) == 2 and ReportDelivery.objects.count() == 2
    assert reports_send_due(now=_utc(2026, 12, 7, 12, 1)) == 2  # the next week is a new period
    assert ReportDelivery.objects.count() == 4


def test_reports_send_due_retries_a_failed_mail_and_shows_it(subscribed, monkeypatch, signed_in, people):
    def refuse(self, *args, **kwargs):
        raise OSError("connection refused")

    monkeypatch.setattr("django.core.mail.EmailMessage.send", refuse)
    assert reports_send_due(now=_utc(2026, 11, 30, 12, 1)) == 0
    failed = ReportDelivery.objects.filter(status="failed")
    assert failed.count() == 2 and {d.attempts for d in failed} == {1} and {d.error for d in failed} == {"mail-failed"}
    client = signed_in(Role.PRACTICE_COORDINATOR)
    assert "could not be reached" in client.get("/insight/reports/").content.decode()
    monkeypatch.undo()
    assert reports_send_due(now=_utc(2026, 11, 30, 12, 6)) == 2
    assert {(d.status, d.attempts) for d in ReportDelivery.objects.all()} == {("sent", 2)}


def test_subscription_send_now_previews_to_the_actor_only(subscribed, people, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        address = subscription_send_now(actor=people["coordinator"],
                                        subscription_id=subscribed["subscription"].pk)
    assert address == "coord@example.org" and [m.to for m in mail.outbox] == [["coord@example.org"]]
    assert not ReportDelivery.objects.exists()
    assert AuditEntry.objects.filter(action="insight.report_subscription.preview").count() == 1
    with pytest.raises(NotFound):  # someone else's subscription looks missing to a location reader
        subscription_send_now(actor=people["biller"], subscription_id=subscribed["subscription"].pk)


# --- screens -----------------------------------------------------------------------------------------------------

def test_subscription_screens_create_edit_and_delete(signed_in, location, make_user, clock):
    client = signed_in(Role.BILLING, email="me@example.org")
    assert client.get("/insight/reports/").status_code == 200
    form = client.get("/insight/reports/new/")
    assert form.status_code == 200 and "Send to" in form.content.decode()
    data = {"name": "Mondays", "figures": ["volume"], "location": str(location.pk), "provider": "",
            "appointment_type": "", "weeks": "4", "weekday": "0", "hour": "7", "recipients": [str(client.user.pk)],
            "active": "on"}
    assert client.post("/insight/reports/new/", {**data, "recipients": []}).status_code == 422
    assert client.post("/insight/reports/new/", data).status_code == 302
    subscription = ReportSubscription.objects.get()
    page = client.get("/insight/reports/").content.decode()
    assert "Mondays" in page and "Appointments per week" in page and "Monday at 07:00" in page
    assert client.post(f"/insight/reports/{subscription.pk}/", {**data, "hour": "9"}).status_code == 302
    assert ReportSubscription.objects.get().hour == 9
    assert client.post(f"/insight/reports/{subscription.pk}/delete/").status_code == 302
    assert not ReportSubscription.objects.exists()
    actions = set(AuditEntry.objects.values_list("action", flat=True))
    assert {"insight.report_subscription.create", "insight.report_subscription.update",
            "insight.report_subscription.delete"} <= actions


def test_subscription_screens_refuse_the_front_desk(signed_in):
    client = signed_in(Role.FRONT_DESK)
    assert client.get("/insight/reports/").status_code == 403
    assert client.get("/insight/reports/new/").status_code == 403


def test_subscription_screen_in_spanish(signed_in, clock):
    client = signed_in(Role.BILLING, language="es")
    client.cookies["django_language"] = "es"
    page = client.get("/insight/reports/", HTTP_ACCEPT_LANGUAGE="es").content.decode()
    assert "Informes programados" in page


def test_report_subscriptions_api_lists_the_readers_own(signed_in, location, clock):
    client = signed_in(Role.BILLING, email="me@example.org")
    subscription_create(actor=client.user, data=_input(location_id=location.pk, recipient_ids=[client.user.pk]))
    body = client.get("/api/v1/insight/report-subscriptions").json()
    assert [(i["name"], i["weekday"], i["hour"], i["nextSendAt"]) for i in body["items"]] == [
        ("Weekly volume", 0, 7, "2026-11-30T12:00:00Z")]
    assert signed_in(Role.FRONT_DESK).get("/api/v1/insight/report-subscriptions").status_code == 403
