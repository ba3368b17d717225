"""One booking protocol and one score (#13 item 4).

- Booking, rescheduling and a move into an active status all go through `services.booking._occupy` (plan, lock,
  re-plan, write the resource bookings): the protocol is written once.
- The first-available search computes each option's score once (`search.score_of`); the explanation words the
  same parts, so it cannot drift from the ranking.
- `clinicdesk.scheduling.services` is a package split by topic and every name callers import still works.
"""

from __future__ import annotations

import re
from pathlib import Path

from clinicdesk.scheduling import search, services
from clinicdesk.scheduling.models import AppointmentStatus, ResourceBooking
from clinicdesk.scheduling.search import SearchQuery
from clinicdesk.scheduling.selectors import slots_search
from clinicdesk.scheduling.services import (
    appointment_book,
    appointment_reschedule,
    appointment_set_status,
)
from tests.factories import AppointmentFactory, AppointmentTypeFactory, PractitionerFactory, weekly_availability

from .conftest import TUESDAY, at

PACKAGE = Path(services.__file__).parent
SCORE_LINE = re.compile(r"^Score (\d+\.\d) = (\d+) \(days out\) \+ (\d+) \(gaps\) \+ (\d+) \(preferences\)\.$")


def test_booking_rescheduling_and_activating_share_one_protocol(db, clock, clerk, booking, monkeypatch, location,
                                                                 provider, follow_up, patient):
    calls: list[str] = []
    real = services.booking._occupy

    def counted(request, **kwargs):
        calls.append("occupy")
        return real(request, **kwargs)

    monkeypatch.setattr(services.booking, "_occupy", counted)
    booked = appointment_book(actor=clerk, request=booking(at(TUESDAY, 9)))
    appointment_reschedule(actor=clerk, appointment_id=booked.pk, start=at(TUESDAY, 11))
    proposed = AppointmentFactory(location=location, practitioner=provider, appointment_type=follow_up,
                                  patient=patient, start=at(TUESDAY, 14), status=AppointmentStatus.PROPOSED)
    appointment_set_status(actor=clerk, appointment_id=proposed.pk, status=AppointmentStatus.BOOKED)
    assert calls == ["occupy", "occupy", "occupy"]
    assert ResourceBooking.objects.filter(appointment=proposed).exists()


def test_the_protocol_is_written_once():
    """Only `_reserve` locks (locks.py: the rows and their order) and re-plans, only `_occupy` writes resource
    bookings."""
    text = {path.name: path.read_text() for path in PACKAGE.glob("*.py")}
    lock_calls = [name for name, body in text.items()
                  for _m in re.finditer(r"\block_plan_rows\(plan\)|\block_rows\(request\.", body)]
    writes = [name for name, body in text.items() for _m in re.finditer(r"(?<!def )\b_write_bookings\(plan", body)]
    assert lock_calls == ["booking.py", "booking.py"] and writes == ["booking.py"]
    body = text["booking.py"]
    assert body.index("lock_plan_rows(plan)") > body.index("lock_rows(request.") > body.index("def _reserve(") > 0
    assert body.index("_write_bookings(plan, appointment)") > body.index("def _occupy(") > body.index("def _reserve(")


def test_the_explanation_is_made_of_the_scores_own_parts(db, clock, clerk, location, provider, follow_up):
    # A 9:00 booking and a 130-minute one from 9:50 leave gaps; a second provider is preferred; afternoons.
    AppointmentFactory(location=location, practitioner=provider, appointment_type=follow_up, start=at(TUESDAY, 9))
    long = AppointmentTypeFactory(code="long", duration_minutes=130)
    AppointmentFactory(location=location, practitioner=provider, appointment_type=long, start=at(TUESDAY, 9, 50))
    favourite = PractitionerFactory()
    weekly_availability(favourite, location)
    options = slots_search(actor=clerk, query=SearchQuery(
        appointment_type_id=follow_up.pk, location_id=location.pk, first_day=TUESDAY, limit=30,
        preferred_practitioner_ids=(favourite.pk,), prefer="afternoon"))
    assert len(options) == 30
    kinds = set()
    for option in options:
        parts = option.parts
        assert parts is not None and parts.total == option.score
        match = SCORE_LINE.match(option.reasons[0])
        assert match, option.reasons[0]
        shown, days, gaps, preferences = match.group(1), *map(int, match.groups()[1:])
        assert (days, gaps, preferences) == (parts.days, parts.compactness, parts.preference)
        assert days + gaps + preferences == int(option.score) and shown == f"{option.score:.1f}"
        assert ("Not a preferred provider." in option.reasons) == parts.other_provider
        assert ("Outside the preferred part of the day." in option.reasons) == parts.outside_preferred_part
        assert sum("gap that no appointment type fits" in r for r in option.reasons) == len(parts.unusable_gaps)
        kinds.add((parts.other_provider, parts.outside_preferred_part, bool(parts.unusable_gaps)))
    assert len(kinds) >= 2, "the options should exercise several parts of the score"


def test_changing_the_scoring_rule_changes_ranking_and_explanation_together(db, clock, clerk, location, provider,
                                                                            follow_up, monkeypatch):
    real = search.score_of

    def later(**kwargs):
        return real(**kwargs)._replace(days=kwargs["days"] + 5)

    monkeypatch.setattr(search, "score_of", later)
    options = slots_search(actor=clerk, query=SearchQuery(appointment_type_id=follow_up.pk, location_id=location.pk,
                                                          first_day=TUESDAY, last_day=TUESDAY, limit=3))
    assert options and all(o.score >= 5 for o in options)
    assert all(SCORE_LINE.match(o.reasons[0]).group(2) == "5" for o in options)
    assert all("5 day(s) after the first day searched." in o.reasons for o in options)


# Every name callers imported from the single module before the split.
PUBLIC = (
    "ARRIVAL_STATUSES", "EARLIEST", "LATEST", "LATE_CANCEL_WINDOW", "BookingRequest", "Occurrence", "Plan",
    "SeriesResult", "appointment_arrive", "appointment_book", "appointment_cancel", "appointment_check_in",
    "appointment_checklist_mark", "appointment_confirm", "appointment_fulfil", "appointment_mark_noshow",
    "appointment_moves", "appointment_reschedule", "appointment_set_status", "arrival_day_refusal",
    "availability_exception_add", "availability_template_add", "calendar_feed_issue", "calendar_feed_revoke",
    "feed_token_hash", "location_holiday_add", "move_refusal", "series_book", "series_preview", "staff_user",
    "waitlist_add", "waitlist_remove",
)


def test_services_is_a_package_by_topic_that_keeps_every_import():
    assert PACKAGE.name == "services" and (PACKAGE / "__init__.py").exists()
    missing = [name for name in PUBLIC if not hasattr(services, name)]
    assert not missing
    assert {p.stem for p in PACKAGE.glob("*.py")} >= {"booking", "status", "series", "waitlist", "feeds"}
    assert all(len(p.read_text().splitlines()) < 500 for p in PACKAGE.glob("*.py"))


def test_mypy_checks_the_package():
    pyproject = (Path(__file__).resolve().parents[2] / "pyproject.toml").read_text()
    assert '"src/clinicdesk/scheduling/services"' in pyproject


def test_the_score_has_no_arithmetic_outside_score_of():
    """`_reasons` words the parts: no weights (the 3 per gap, the 2 per preference) of its own."""
    source = Path(search.__file__).read_text()
    reasons = source[source.index("def _reasons("):]
    assert not re.search(r"\b[23] \*|\+= ?2|\+= ?3", reasons)
