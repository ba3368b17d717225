"""The no-show risk where the schedule is worked (#22 item 3): the band in words on the day calendar, the "call the
day before" list for the front desk, and the overbook advice (off unless the practice allows it)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from urllib.parse import quote

import pytest

from clinicdesk.accounts.models import Role
from clinicdesk.audit.models import AuditEntry
from clinicdesk.core.exceptions import PermissionDenied, ValidationFailed
from clinicdesk.insight.models import OverbookPolicy
from clinicdesk.insight.overbook import overbook_advice, overbook_policy_set
from clinicdesk.insight.services import noshow_train_practice

from .practice_data import practice_history

TOMORROW = dt.date(2026, 11, 24)


@pytest.fixture
def trained(location, follow_up, clock, make_user):
    history = practice_history(location, follow_up)
    noshow_train_practice(actor=make_user(Role.PRACTICE_COORDINATOR))
    return history


def test_day_calendar_shows_the_risk_band_in_words(trained, signed_in, location):
    page = signed_in(Role.FRONT_DESK).get(f"/schedule/day/?location={location.pk}&day={TOMORROW.isoformat()}")
    text = page.content.decode()
    assert page.status_code == 200
    assert "No-show risk: High" in text and "No-show risk: Low" in text
    assert AuditEntry.objects.filter(action="insight.noshow_risk").exists()


def test_week_calendar_shows_the_risk_band_too(trained, signed_in, location):
    doctor = trained["skip"].practitioner_id
    page = signed_in(Role.FRONT_DESK).get(
        f"/schedule/week/?location={location.pk}&day={TOMORROW.isoformat()}&practitioner={doctor}")
    assert page.status_code == 200
    assert "No-show risk: High" in page.content.decode()


def test_day_calendar_without_a_model_shows_no_risk(location, follow_up, clock, signed_in):
    practice_history(location, follow_up)
    page = signed_in(Role.FRONT_DESK).get(f"/schedule/day/?location={location.pk}&day={TOMORROW.isoformat()}")
    assert page.status_code == 200 and "No-show risk:" not in page.content.decode()  # the menu names the list


def test_day_calendar_hides_the_risk_from_a_provider(trained, signed_in, location):
    page = signed_in(Role.PROVIDER).get(f"/schedule/day/?location={location.pk}&day={TOMORROW.isoformat()}")
    assert page.status_code == 200 and "No-show risk:" not in page.content.decode()


def test_call_list_is_for_the_front_desk_too(trained, signed_in, location, other_location):
    text = signed_in(Role.FRONT_DESK).get(f"/insight/noshow/?location={location.pk}").content.decode()
    assert f'data-appointment="{trained["skip"].pk}"' in text
    assert f'data-appointment="{trained["come"].pk}"' not in text
    assert "(413) 555-0100" in text  # the phone to call
    assert signed_in(Role.PROVIDER).get("/insight/noshow/").status_code == 403
    uptown = signed_in(Role.FRONT_DESK, at=other_location).get(f"/insight/noshow/?location={location.pk}")
    assert uptown.status_code == 404


def test_overbook_advice_is_off_by_default(trained, make_user, location):
    coordinator = make_user(Role.PRACTICE_COORDINATOR)
    assert overbook_advice(actor=coordinator, location=location, day=TOMORROW,
                           practitioner_id=trained["skip"].practitioner_id) == []


def test_overbook_advice_suggests_the_slot_likely_to_stand_empty(trained, make_user, location):
    coordinator = make_user(Role.PRACTICE_COORDINATOR)
    overbook_policy_set(actor=coordinator, allow_suggested=True, threshold=Decimal("0.7"))
    advice = overbook_advice(actor=coordinator, location=location, day=TOMORROW,
                             practitioner_id=trained["skip"].practitioner_id)
    by_start = {slot.start: slot for slot in advice}
    risky, steady = by_start[trained["skip"].start], by_start[trained["come"].start]
    assert risky.suggested and risky.expected < 0.7 and risky.booked == 1
    assert not steady.suggested and steady.expected > 0.7


def test_overbook_advice_is_for_who_may_overbook(trained, make_user, location):
    with pytest.raises(PermissionDenied):
        overbook_advice(actor=make_user(Role.FRONT_DESK), location=location, day=TOMORROW,
                        practitioner_id=trained["skip"].practitioner_id)


def test_overbook_policy_set_refuses_bad_input_and_outsiders(location, make_user):
    coordinator = make_user(Role.PRACTICE_COORDINATOR)
    with pytest.raises(ValidationFailed):
        overbook_policy_set(actor=coordinator, allow_suggested=True, threshold=Decimal("1.5"))
    with pytest.raises(PermissionDenied):
        overbook_policy_set(actor=make_user(Role.BILLING), allow_suggested=True, threshold=Decimal("0.5"))
    assert not OverbookPolicy.objects.exists()
    overbook_policy_set(actor=coordinator, allow_suggested=True, threshold=Decimal("0.5"))
    assert AuditEntry.objects.filter(action="insight.overbook_policy.set").count() == 1


def test_overbook_screen_books_through_the_schedule_dialog(trained, signed_in, location):
    client = signed_in(Role.PRACTICE_COORDINATOR)
    off = client.get(f"/insight/overbook/?location={location.pk}&day={TOMORROW.isoformat()}").content.decode()
    assert "Overbook advice is off" in off
    assert client.post("/insight/overbook/policy/", {"allow": "on", "threshold": "0,7"}).status_code == 302
    doctor = trained["skip"].practitioner_id
    page = client.get(f"/insight/overbook/?location={location.pk}&day={TOMORROW.isoformat()}&provider={doctor}")
    text = page.content.decode()
    assert "Overbook once" in text and "Book an overbooking" in text
    start = trained["skip"].start.isoformat().replace("+00:00", "Z")
    dialog = client.get(f"/schedule/book/?location={location.pk}&practitioner={doctor}&start={quote(start)}"
                        "&overbook=1&overbook_reason=Suggested").content.decode()
    assert 'name="overbook" value="on" checked' in dialog and 'value="Suggested"' in dialog


def test_overbook_advice_api_answers_each_slot(trained, signed_in, location, make_user):
    client = signed_in(Role.PRACTICE_COORDINATOR)
    doctor = trained["skip"].practitioner_id
    url = f"/api/v1/insight/overbook-advice?location={location.pk}&provider={doctor}&date={TOMORROW.isoformat()}"
    assert client.get(url).json()["allowed"] is False and client.get(url).json()["items"] == []
    overbook_policy_set(actor=client.user, allow_suggested=True, threshold=Decimal("0.7"))
    body = client.get(url).json()
    suggested = {item["start"]: item["suggested"] for item in body["items"]}
    assert suggested[trained["skip"].start.isoformat().replace("+00:00", "Z")] is True
    assert suggested[trained["come"].start.isoformat().replace("+00:00", "Z")] is False
    assert client.get(url.replace(TOMORROW.isoformat(), "soon")).status_code == 422
    assert signed_in(Role.FRONT_DESK).get(url).status_code == 403


def test_calendar_risk_is_remembered_until_the_patients_history_changes(trained, make_user, location, monkeypatch):
    """The calendar asks for the same risks at every view: they are scored once and remembered per appointment
    and patient history (issue #16); a change to that history scores the patient again."""
    from clinicdesk.insight import selectors
    from clinicdesk.scheduling.models import Appointment
    from clinicdesk.scheduling.services import appointment_cancel

    desk = make_user(Role.FRONT_DESK)
    ids = [trained["skip"].pk, trained["come"].pk]
    first = {risk.appointment_id: risk for risk in selectors.noshow_risk_at(actor=desk, location=location,
                                                                             appointment_ids=ids)}
    assert first[trained["skip"].pk].band == "high" and first[trained["come"].pk].band == "low"

    read = []
    history = selectors.appointment_history
    monkeypatch.setattr(selectors, "appointment_history", lambda **kw: read.append(kw) or history(**kw))
    again = selectors.noshow_risk_at(actor=desk, location=location, appointment_ids=ids)
    assert {risk.appointment_id: risk for risk in again} == first and read == []  # remembered: no history read
    assert AuditEntry.objects.filter(action="insight.noshow_risk").count() == 2  # each showing is audited

    # the reliable patient misses every visit: their history changes, so their risk is scored again (only theirs)
    Appointment.objects.filter(patient=trained["come"].patient, start__lt=trained["come"].start).update(
        status="noshow")
    third = {risk.appointment_id: risk for risk in selectors.noshow_risk_at(actor=desk, location=location,
                                                                             appointment_ids=ids)}
    assert [kw["appointment_ids"] for kw in read] == [[trained["come"].pk]]
    assert third[trained["come"].pk].probability > first[trained["come"].pk].probability
    assert third[trained["skip"].pk] == first[trained["skip"].pk]

    # a cancelled appointment is not to come any more: no risk shown for it
    appointment_cancel(actor=make_user(Role.FRONT_DESK), appointment_id=trained["skip"].pk, reason="patient")
    assert [risk.appointment_id for risk in selectors.noshow_risk_at(
        actor=desk, location=location, appointment_ids=ids)] == [trained["come"].pk]
