"""Pure parts: SMART scopes and FHIR date search values (property tests)."""

from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import given
from hypothesis import strategies as st

from clinicdesk.core.permissions import Perm
from clinicdesk.interop.fhir.errors import FhirError
from clinicdesk.interop.fhir.scopes import ScopeSet, parse_scope, perms_for
from clinicdesk.interop.fhir.search import date_bounds, parse_date


@pytest.mark.parametrize(("scope", "allowed", "refused"), [
    ("system/Patient.rs", {("Patient", "r"), ("Patient", "s")}, {("Patient", "c"), ("Appointment", "r")}),
    ("user/Appointment.cruds", {("Appointment", "c"), ("Appointment", "d")}, {("Patient", "r")}),
    ("system/*.read", {("Slot", "r"), ("Patient", "s")}, {("Patient", "u")}),
    ("user/Patient.write", {("Patient", "c"), ("Patient", "u")}, {("Patient", "r")}),
])
def test_scopes_allow_exactly_their_interactions(scope, allowed, refused):
    scopes = ScopeSet.of(scope)
    assert all(scopes.allows(t, i) for t, i in allowed)
    assert not any(scopes.allows(t, i) for t, i in refused)


def test_malformed_scopes_grant_nothing():
    for text in ("system/Patient.sr", "system/Banana.rs", "admin/Patient.rs", "system/Patient", "Patient.rs"):
        assert parse_scope(text) is None


def test_system_scopes_imply_only_matching_permissions():
    assert perms_for(ScopeSet.of("system/Patient.rs")) == frozenset({Perm.PATIENT_READ})
    assert perms_for(ScopeSet.of("user/Patient.cruds")) == frozenset()
    assert Perm.AUDIT_READ not in perms_for(ScopeSet.of("system/Patient.cruds system/Appointment.cruds"))


@given(st.dates(min_value=dt.date(1900, 1, 1), max_value=dt.date(2100, 12, 31)))
def test_a_day_and_its_prefixes_bound_the_right_dates(day):
    eq = parse_date("birthdate", day.isoformat())
    assert eq.low.date() == day and eq.high.date() == day + dt.timedelta(days=1)
    low, high, _ = date_bounds([parse_date("birthdate", f"ge{day.isoformat()}")])
    assert low is not None and low.date() == day and high is None
    low, high, _ = date_bounds([parse_date("birthdate", f"lt{day.isoformat()}")])
    assert high is not None and high.date() == day and low is None
    year = parse_date("birthdate", str(day.year))
    assert year.low.date() <= day < year.high.date()
    month = parse_date("birthdate", day.isoformat()[:7])
    assert month.low.date() <= day < month.high.date()


@given(st.text(max_size=12))
def test_garbage_dates_are_a_400_never_a_crash(text):
    try:
        parse_date("date", text)
    except FhirError as error:
        assert error.status == 400
