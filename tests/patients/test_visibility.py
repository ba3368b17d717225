"""Who may see a patient is decided in one place (patients/visibility.py) and every entry point follows it.

The same four charts go through each entry point - the desk search, the chart, FHIR Patient search and read,
the front desk's lists, booking, payments and the ledger - and each answers the way the one rule says:

- another location's chart (never seen here): left out of lists, refused like a missing one (404);
- a restricted chart: *found* like any other (search, lists, booking, payments), its *record* (chart, FHIR
  resources, ledger) only after breaking the glass;
- the same restricted chart with the glass broken: everywhere;
- a merged-away chart: left out of lists, opens by id (it says where it went), takes nothing new.

A second test reads the source: no other module filters on `restricted` or re-implements the location rule.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable
from decimal import Decimal
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest

from clinicdesk.billing.selectors import patient_account
from clinicdesk.billing.services import Tender, payment_collect
from clinicdesk.core.exceptions import Conflict, DomainError, PermissionDenied
from clinicdesk.core.permissions import Role
from clinicdesk.frontdesk.selectors import arrivals_today, previsit_worklist
from clinicdesk.interop.fhir import handlers as fhir
from clinicdesk.interop.fhir.search import Query
from clinicdesk.patients.selectors import BreakGlassRequired, patient_chart, patient_search
from clinicdesk.patients.services import break_glass_open
from clinicdesk.scheduling.services import BookingRequest, appointment_book, waitlist_add
from tests.factories import AppointmentFactory, PatientFactory, UserFactory

SRC = Path(__file__).resolve().parents[2] / "src" / "clinicdesk"
FAMILY = "Vasquez-Oyelaran"

# What each entry point shows: a list (the chart is in it or not) or one chart (opens, or refuses).
SHOWN, LEFT_OUT, HIDDEN, GLASS, MERGED = "shown", "left out", "404", "break the glass", "merged"


def _ids(rows: Any) -> set[int]:
    return {getattr(r, "pk", r) for r in rows}


def _try(action: Callable[[], Any]) -> str:
    try:
        action()
    except BreakGlassRequired:
        return GLASS
    except PermissionDenied as error:
        assert error.status == 404, "a chart out of reach answers like a missing one"
        return HIDDEN
    except Conflict as error:
        assert error.code == "patient-merged", error.detail
        return MERGED
    return SHOWN


def _listed(rows: Any, patient: Any) -> str:
    return SHOWN if patient.pk in _ids(rows) else LEFT_OUT


@pytest.fixture
def world(db, clock, location, other_location, provider, follow_up):
    clerk = UserFactory(role=Role.FRONT_DESK, location=location)
    caller = SimpleNamespace(actor=clerk)
    survivor = PatientFactory(home_location=location, family_name="Survivor")
    charts = {
        "another location": PatientFactory(home_location=other_location, family_name=FAMILY),
        "restricted": PatientFactory(home_location=location, family_name=FAMILY, restricted=True),
        "restricted, glass broken": PatientFactory(home_location=location, family_name=FAMILY, restricted=True),
        "merged away": PatientFactory(home_location=location, family_name=FAMILY, active=False,
                                      merged_into=survivor),
    }
    break_glass_open(actor=clerk, patient_id=charts["restricted, glass broken"].pk,
                     reason="Patient at the desk asking for their record")
    today = dt.datetime(2026, 11, 23, 19, 0, tzinfo=dt.UTC)  # 14:00 in New York, the clock's day
    for index, patient in enumerate(charts.values()):
        # Each has a visit today at its home location, and one next week (a stale row for the merged one).
        home = patient.home_location
        AppointmentFactory(patient=patient, location=home, start=today + dt.timedelta(minutes=20 * index))
        AppointmentFactory(patient=patient, location=home, start=today + dt.timedelta(days=1, minutes=20 * index))

    def fhir_search() -> Any:
        return fhir.patient_search(caller, Query("Patient", values={"family": [("", FAMILY)]}))

    def desk_lists() -> set[int]:
        seen: set[int] = set()
        for where in (location, other_location):
            try:
                seen |= {row.appointment.patient_id for row in arrivals_today(actor=clerk, location=where)}
                seen |= {row.appointment.patient_id for row in previsit_worklist(actor=clerk, location=where)}
            except DomainError:
                continue  # a location the clerk does not work at
        return seen

    slots = iter(range(40))

    def book(patient: Any) -> Any:
        start = dt.datetime(2026, 11, 24, 14, 0, tzinfo=dt.UTC) + dt.timedelta(minutes=20 * next(slots))
        return appointment_book(actor=clerk, request=BookingRequest(
            patient_id=patient.pk, practitioner_id=provider.pk, location_id=location.pk,
            appointment_type_id=follow_up.pk, start=start))

    entry_points: dict[str, Callable[[Any], str]] = {
        "desk search": lambda p: _listed(patient_search(actor=clerk, query=FAMILY), p),
        "chart": lambda p: _try(lambda: patient_chart(actor=clerk, patient_id=p.pk)),
        "FHIR Patient search": lambda p: _listed(fhir_search().patient_ids, p),
        "FHIR Patient read": lambda p: _try(lambda: fhir.patient_read(caller, str(p.pk))),
        "front desk lists": lambda p: _listed(desk_lists(), p),
        "booking": lambda p: _try(lambda: book(p)),
        "waitlist": lambda p: _try(lambda: waitlist_add(actor=clerk, patient_id=p.pk,
                                                        appointment_type_id=follow_up.pk, location_id=location.pk)),
        "payment": lambda p: _try(lambda: payment_collect(actor=clerk, patient_id=p.pk, location_id=location.pk,
                                                          amount=Decimal("10.00"), tender=Tender("cash"))),
        "ledger": lambda p: _try(lambda: patient_account(actor=clerk, patient_id=p.pk)),
    }
    return SimpleNamespace(charts=charts, entry_points=entry_points)


# The one rule, per entry point: lists find, records open, writes take a current chart.
EXPECTED = {
    #                        another location, restricted, restricted + glass, merged away
    "desk search":           (LEFT_OUT, SHOWN, SHOWN, LEFT_OUT),
    "chart":                 (HIDDEN, GLASS, SHOWN, SHOWN),
    "FHIR Patient search":   (LEFT_OUT, LEFT_OUT, SHOWN, LEFT_OUT),
    "FHIR Patient read":     (HIDDEN, GLASS, SHOWN, SHOWN),
    "front desk lists":      (LEFT_OUT, SHOWN, SHOWN, LEFT_OUT),
    "booking":               (HIDDEN, SHOWN, SHOWN, MERGED),
    "waitlist":              (HIDDEN, SHOWN, SHOWN, MERGED),
    "payment":               (HIDDEN, SHOWN, SHOWN, MERGED),
    "ledger":                (HIDDEN, GLASS, SHOWN, SHOWN),
}
CASES = ("another location", "restricted", "restricted, glass broken", "merged away")


@pytest.mark.parametrize("entry_point", sorted(EXPECTED))
def test_every_entry_point_follows_the_one_visibility_rule(world, entry_point):
    """Each entry point x each kind of chart; a FHIR search hands out the record itself, so it needs the glass."""
    answers = tuple(world.entry_points[entry_point](world.charts[case]) for case in CASES)
    assert dict(zip(CASES, answers, strict=True)) == dict(zip(CASES, EXPECTED[entry_point], strict=True))


# --- nobody else decides -------------------------------------------------------------------------------------

# Modules that still decide a part of the rule themselves, each to move to patients/visibility.py by the change
# that owns it (these files are being edited elsewhere); the list may only shrink.
NOT_YET_MOVED: dict[str, str] = {}

RULES = {
    "filters on restricted": re.compile(r"(\.filter|\.exclude|\bQ)\([^()]*\brestricted(__\w+)?\s*="),
    "reads the restricted flag": re.compile(r"\.restricted\b(?!\s*=)"),
    "checks the break-the-glass table": re.compile(r"BreakGlassAccess\.objects\.filter\([^)]*expires_at"),
    "location rule on a patient's home": re.compile(r"home_location(_id)?__in\b|location=[\w.]*home_location_id"),
    "lists a user's locations against patients": re.compile(r"patient__\w*location\w*__in=.*location_ids\(\)"),
}
ALLOWED = {
    "patients/visibility.py": set(RULES),
    # The chart's banner says it is restricted; the merge carries the flag to the survivor; the FHIR handler
    # for one appointment is owned by the FHIR change and asks visibility through patient_chart below.
    "patients/selectors.py": {"reads the restricted flag"},
    "patients/services/merge.py": {"reads the restricted flag"},
    "interop/fhir/handlers.py": {"reads the restricted flag"},
}


def test_no_other_module_decides_who_may_see_a_patient():
    found = []
    for path in sorted(SRC.rglob("*.py")):
        relative = path.relative_to(SRC).as_posix()
        # Demo builders pick charts to fill, they decide nothing about who sees them.
        if ("/migrations/" in relative or relative.startswith("demo/") or relative.endswith("/demo.py")
                or relative in NOT_YET_MOVED):
            continue
        text = path.read_text()
        for name, pattern in RULES.items():
            if name in ALLOWED.get(relative, set()):
                continue
            for match in pattern.finditer(text):
                line = text.count("\n", 0, match.start()) + 1
                found.append(f"{relative}:{line}: {name}: {match.group(0)}")
    assert not found, "ask clinicdesk.patients.visibility (through patients.selectors) instead:\n" + "\n".join(found)


def test_the_not_yet_moved_list_only_shrinks():
    """A module on the list that no longer decides anything must leave it (so the list cannot go stale)."""
    stale = []
    for relative in NOT_YET_MOVED:
        text = (SRC / relative).read_text()
        if not any(pattern.search(text) for pattern in RULES.values()):
            stale.append(relative)
    assert not stale, f"these no longer decide visibility; remove them from NOT_YET_MOVED: {stale}"
