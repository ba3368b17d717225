"""Breaches: the 60-day notification clock (individuals, HHS, media over 500) and notices recorded."""

from __future__ import annotations

import datetime as dt

import pytest

from clinicdesk.compliance import services
from clinicdesk.compliance.models import BreachStatus
from clinicdesk.core.exceptions import Conflict, PermissionDenied, ValidationFailed


def _breach(actor, location, affected=12, discovered=dt.date(2026, 11, 2)):
    return services.breach_log(actor=actor, location_id=location.pk, discovered_on=discovered,
                               individuals_affected=affected, description="A laptop was stolen from a car.")


def test_breach_under_500_individuals_due_in_60_days_hhs_after_the_year(db, clock, officer, location):
    breach = _breach(officer, location)
    assert breach.notify_due_on == dt.date(2027, 1, 1)
    assert breach.hhs_due_on == dt.date(2027, 3, 1)
    assert not breach.media_required


def test_breach_of_500_tells_hhs_in_60_days_and_over_500_the_media(db, clock, officer, location):
    assert _breach(officer, location, affected=500).hhs_due_on == dt.date(2027, 1, 1)
    big = _breach(officer, location, affected=501)
    assert big.media_required and big.audiences() == ["individuals", "hhs", "media"]


def test_breach_notified_when_every_required_notice_is_recorded(db, clock, officer, location):
    breach = _breach(officer, location)
    services.breach_notice_record(actor=officer, breach_id=breach.pk, audience="individuals",
                                  sent_on=dt.date(2026, 11, 20), note="Letters to 12 patients")
    with pytest.raises(Conflict):
        services.breach_notice_record(actor=officer, breach_id=breach.pk, audience="media",
                                      sent_on=dt.date(2026, 11, 20))
    services.breach_notice_record(actor=officer, breach_id=breach.pk, audience="hhs", sent_on=dt.date(2026, 11, 21))
    breach.refresh_from_db()
    assert breach.status == BreachStatus.NOTIFIED
    assert services.breach_close(actor=officer, breach_id=breach.pk).status == BreachStatus.CLOSED


def test_breach_notice_after_day_60_is_recorded_late(db, clock, officer, location):
    breach = _breach(officer, location, discovered=dt.date(2026, 9, 1))
    notice = services.breach_notice_record(actor=officer, breach_id=breach.pk, audience="individuals",
                                           sent_on=dt.date(2026, 11, 2))
    assert notice.sent_on > breach.notify_due_on


def test_breach_refuses_a_future_discovery_and_no_one_affected(db, clock, officer, location):
    with pytest.raises(ValidationFailed) as error:
        services.breach_log(actor=officer, location_id=location.pk, discovered_on=dt.date(2026, 12, 1),
                            individuals_affected=0, description="x")
    assert set(error.value.fields) == {"discovered_on", "individuals_affected"}


def test_breach_is_for_the_admin_only(db, clock, desk, location):
    with pytest.raises(PermissionDenied):
        _breach(desk, location)
