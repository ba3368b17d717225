"""Reminders the day before (patients in their language through the outbox; contacts only with consent), the
notice of a place freed from the waitlist, and the follow-up survey: link, answers, summary."""

from __future__ import annotations

import datetime as dt
import re

from clinicdesk.comms.models import Message
from clinicdesk.outreach.messaging import (
    event_reminders_send,
    event_surveys_send,
    survey_answer,
    survey_summary,
    survey_token,
)
from clinicdesk.outreach.services import (
    attendance_mark,
    contact_register,
    registration_add,
    registration_cancel,
)
from tests.factories import PatientFactory

TOMORROW = dt.date(2026, 11, 24)


def test_event_reminders_send_writes_to_patients_in_their_language_and_to_consenting_contacts_once(
        clerk, make_event, location, mailoutbox):
    event = make_event(day=TOMORROW, capacity=5)
    ana = PatientFactory(home_location=location, email="ana@example.org", email_opt_in=True, preferred_language="es")
    unreachable = PatientFactory(home_location=location, email="no@example.org", email_opt_in=False)
    for patient in (ana, unreachable):
        registration_add(actor=clerk, event=event, patient=patient)
    contact_register(actor=clerk, event_id=event.pk, given_name="Rosa", family_name="Delgado",
                     email="rosa@example.org", language="es", consent=True)
    contact_register(actor=clerk, event_id=event.pk, given_name="Tom", family_name="Nope",
                     email="tom@example.org", consent=False)

    assert event_reminders_send() == 2
    assert event_reminders_send() == 0  # once
    message = Message.objects.get(patient=ana)
    assert message.language == "es" and "Vivir con diabetes" in message.subject
    assert not Message.objects.filter(patient=unreachable).exists()
    contacts = [m for m in mailoutbox if m.to in (["rosa@example.org"], ["tom@example.org"])]
    assert [m.to for m in contacts] == [["rosa@example.org"]]


def test_event_reminders_send_waits_for_the_day_before(clerk, make_event, people):
    registration_add(actor=clerk, event=make_event(), patient=people[0])  # next week
    assert event_reminders_send() == 0


def test_a_contact_promoted_from_the_waitlist_is_told(clerk, make_event, people, mailoutbox,
                                                      django_capture_on_commit_callbacks):
    event = make_event(capacity=1)
    first = registration_add(actor=clerk, event=event, patient=people[0])
    contact_register(actor=clerk, event_id=event.pk, given_name="Rosa", family_name="Delgado",
                     email="rosa@example.org", consent=True)
    with django_capture_on_commit_callbacks(execute=True):
        registration_cancel(actor=clerk, registration_id=first.pk)
    assert any(m.to == ["rosa@example.org"] and "Living with diabetes" in m.subject for m in mailoutbox)


def test_event_surveys_send_a_link_after_the_event_and_answers_are_summarized(clerk, make_event, people, clock,
                                                                                client):
    event = make_event(day=dt.date(2026, 11, 23), time=dt.time(11, 0), duration_minutes=60)
    came = registration_add(actor=clerk, event=event, patient=people[0])
    registration_add(actor=clerk, event=event, patient=people[1])  # did not come
    clock.advance(dt.timedelta(hours=1, minutes=5))
    attendance_mark(actor=clerk, registration_id=came.pk, present=True)
    assert event_surveys_send() == 0  # not over yet
    clock.advance(dt.timedelta(hours=1))
    assert event_surveys_send() == 1
    link = Message.objects.get(patient=people[0], dedupe_key__startswith="outreach:survey")
    token = re.search(r"/outreach/survey/([^/]+)/", link.body).group(1)

    page = client.get(f"/outreach/survey/{token}/")
    assert page.status_code == 200
    answered = client.post(f"/outreach/survey/{token}/", {"rating": "4", "useful": "yes", "would_recommend": "no",
                                                          "comment": "More recipes"})
    assert answered.status_code == 200 and b"survey-form" not in answered.content
    summary = survey_summary(event)
    assert (summary["count"], summary["rating"], summary["useful"], summary["recommend"]) == (1, 4, 1, 0)
    assert summary["comments"] == ["More recipes"]


def test_survey_answer_refuses_a_forged_link_and_a_second_answer(clerk, make_event, people, clock):
    import pytest

    from clinicdesk.core.exceptions import Conflict, NotFound

    event = make_event(day=dt.date(2026, 11, 23), time=dt.time(11, 0))
    came = registration_add(actor=clerk, event=event, patient=people[0])
    clock.advance(dt.timedelta(hours=1, minutes=5))
    attendance_mark(actor=clerk, registration_id=came.pk, present=True)
    with pytest.raises(NotFound):
        survey_answer(token="forged", rating=5, useful=True, would_recommend=True)
    survey_answer(token=survey_token(came), rating=5, useful=True, would_recommend=True)
    with pytest.raises(Conflict):
        survey_answer(token=survey_token(came), rating=1, useful=False, would_recommend=False)
