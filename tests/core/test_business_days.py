"""Business days have one home (core.dates): the pre-visit worklist and the Good Faith Estimate count them alike."""

import datetime as dt

from clinicdesk.core.dates import business_days_after, business_days_between

FRIDAY = dt.date(2026, 11, 27)


def test_business_days_after_skip_weekends_and_closed_days():
    assert business_days_after(FRIDAY, 3) == [dt.date(2026, 11, 30), dt.date(2026, 12, 1), dt.date(2026, 12, 2)]
    assert business_days_after(FRIDAY, 2, {dt.date(2026, 11, 30)}) == [dt.date(2026, 12, 1), dt.date(2026, 12, 2)]
    assert business_days_after(FRIDAY, 0) == []


def test_business_days_between_counts_the_days_after_the_first_up_to_the_last():
    assert business_days_between(FRIDAY, dt.date(2026, 12, 4)) == 5
    assert business_days_between(FRIDAY, dt.date(2026, 12, 4), {dt.date(2026, 12, 1)}) == 4
    assert business_days_between(FRIDAY, FRIDAY) == 0
    assert business_days_between(FRIDAY, dt.date(2026, 11, 20)) == 0
