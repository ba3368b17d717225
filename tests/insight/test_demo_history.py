"""The demo practice's history (#22 item 6): seasons in the volume, and no-shows that depend on what the model can
see (lead time, earlier no-shows, a confirmed reminder)."""

from __future__ import annotations

import datetime as dt

import numpy as np

from clinicdesk.core import clock
from clinicdesk.demo.builder import DemoBuilder
from clinicdesk.insight.demo_history import history_demo
from clinicdesk.insight.noshow import features
from clinicdesk.insight.selectors import history_from_rows
from clinicdesk.scheduling.models import Appointment, ResourceBooking
from clinicdesk.scheduling.selectors import appointment_history


def _build() -> dict:
    """One year before this week (built in each test that asks: a few seconds)."""
    builder = DemoBuilder(seed=4)
    locations, _practitioners, _rooms, _types = builder.build_practice()
    builder.build_patients(300, locations)
    until = DemoBuilder.first_day(2)
    made = history_demo(seed=4, years=1.0, until=until)
    rows = list(Appointment.objects.values("start", "created_at", "status", "confirmed_at"))
    frame = history_from_rows(appointment_history(actor=None))
    x = features.build(frame, features.fit_spec(frame))
    return {"made": made, "until": until, "rows": rows, "frame": frame, "x": x,
            "bookings": ResourceBooking.objects.count()}


def test_demo_history(db):
    history = _build()
    _history_is_past_and_holds_no_bookings(history)
    _winter_is_busier_than_june_and_holidays_are_closed(history)
    _noshows_follow_lead_time_past_noshows_and_confirmed_reminders(history)


def _history_is_past_and_holds_no_bookings(history: dict) -> None:
    assert history["made"] == len(history["rows"]) > 10_000
    assert all(r["start"].date() < history["until"] and r["status"] in {"fulfilled", "noshow", "cancelled"}
               for r in history["rows"])
    assert all(r["created_at"] < r["start"] and r["created_at"] <= clock.now() for r in history["rows"])
    assert all(r["confirmed_at"] is None or r["created_at"] <= r["confirmed_at"] <= r["start"]
               for r in history["rows"])
    assert history["bookings"] == 0


def _winter_is_busier_than_june_and_holidays_are_closed(history: dict) -> None:
    per_day: dict[dt.date, int] = {}
    for r in history["rows"]:
        per_day[r["start"].date()] = per_day.get(r["start"].date(), 0) + 1

    def average(month: int) -> float:
        days = [n for day, n in per_day.items() if day.month == month]
        return sum(days) / len(days)

    assert average(1) > 1.1 * average(6)
    assert not any(day.month == 7 and day.day == 4 for day in per_day)  # Independence Day
    assert not any(day.month == 12 and day.day == 25 for day in per_day)
    assert all(day.weekday() < 5 for day in per_day)


def _noshows_follow_lead_time_past_noshows_and_confirmed_reminders(history: dict) -> None:
    frame, x = history["frame"].frame, history["x"]
    labelled = frame["outcome"].to_numpy() != ""
    noshow = (frame["outcome"].to_numpy() == "noshow")[labelled]
    x = x[labelled]

    def rate(mask: np.ndarray) -> float:
        return float(noshow[mask].mean())

    lead = x["lead_days"].to_numpy()
    assert rate(lead >= 14) > 1.5 * rate(lead < 2)
    prior = x["prior_noshows"].to_numpy()
    assert rate(prior >= 1) > 1.3 * rate((prior == 0) & (x["established"].to_numpy() == 1))
    confirmed = x["reminder_sent"].to_numpy() == 1
    assert rate(~confirmed) > 2 * rate(confirmed)
    assert 0.05 < noshow.mean() < 0.15
