"""Every error a service, selector or API module raises reaches a person (an HTML message, a problem detail a
desk clerk reads in their language), so its message goes through gettext: an f-string or a bare literal stays
English on a Spanish screen.

The check reads the source (no import): in src/clinicdesk/**/services*.py, services/*.py, selectors.py and
api.py, every `DomainError` subclass built (raised, or returned to be raised) names its message (the `detail`
argument, second positional or by keyword) as a gettext call, or a `%` / `.format()` on one. A message computed
elsewhere (a variable) is trusted; an error that names no message takes the class's default.
"""

from __future__ import annotations

import ast
import datetime as dt
import json
from pathlib import Path

import pytest
from django.test import Client
from django.utils import translation

from clinicdesk.core.exceptions import Conflict
from clinicdesk.core.timezones import local_to_utc
from clinicdesk.scheduling.services import BookingRequest, appointment_book
from tests.factories import PatientFactory

PACKAGE = Path(__file__).resolve().parents[2] / "src" / "clinicdesk"
GETTEXT = {"_", "gettext", "gettext_lazy", "pgettext", "pgettext_lazy", "ngettext", "ngettext_lazy", "_lazy",
           "npgettext", "npgettext_lazy"}


def _error_classes() -> set[str]:
    """DomainError and every class in the package that derives from it (by name, read from the source)."""
    bases: dict[str, set[str]] = {}
    for path in PACKAGE.rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(), str(path))):
            if isinstance(node, ast.ClassDef):
                names = {b.id if isinstance(b, ast.Name) else b.attr for b in node.bases
                         if isinstance(b, ast.Name | ast.Attribute)}
                bases.setdefault(node.name, set()).update(names)
    found = {"DomainError"}
    while True:
        more = {name for name, parents in bases.items() if parents & found} - found
        if not more:
            return found
        found |= more


def _modules() -> list[Path]:
    paths = {*PACKAGE.rglob("services*.py"), *PACKAGE.rglob("services/*.py"), *PACKAGE.rglob("selectors.py"),
             *PACKAGE.rglob("api.py")}
    return sorted(p for p in paths if "migrations" not in p.parts)


def _name(func: ast.expr) -> str:
    if isinstance(func, ast.Name):
        return func.id
    if isinstance(func, ast.Attribute):
        return func.attr
    return ""


def translated(node: ast.expr) -> bool:
    """A gettext call, or a `%` / `.format()` applied to one (also through a conditional expression)."""
    if isinstance(node, ast.Call) and _name(node.func) in GETTEXT:
        return True
    if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Mod):
        return translated(node.left)
    if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr == "format":
        return translated(node.func.value)
    if isinstance(node, ast.IfExp):
        return translated(node.body) and translated(node.orelse)
    # A message computed elsewhere (a variable, an attribute, a helper's result) is trusted here; literals,
    # f-strings and concatenations of them are not.
    return not isinstance(node, ast.Constant | ast.JoinedStr | ast.BinOp)


def _message(call: ast.Call) -> ast.expr | None:
    for keyword in call.keywords:
        if keyword.arg == "detail":
            return keyword.value
    return call.args[1] if len(call.args) > 1 else None


def untranslated_raises() -> list[str]:
    classes = _error_classes()
    found = []
    for path in _modules():
        for node in ast.walk(ast.parse(path.read_text(), str(path))):
            if not (isinstance(node, ast.Call) and _name(node.func) in classes):
                continue
            message = _message(node)
            if message is not None and not translated(message):
                found.append(f"{path.relative_to(PACKAGE)}:{node.lineno}: {ast.unparse(message)[:90]}")
    return found


def test_every_raised_error_message_is_translatable():
    assert untranslated_raises() == []


def test_the_check_sees_fstrings_and_literals_and_accepts_gettext():
    def judge(source: str) -> bool:
        return translated(ast.parse(source, mode="eval").body)

    assert not judge('f"{room} is already booked."')
    assert not judge('"Room taken."')
    assert not judge('"a" + "b"')
    assert judge('_("Room taken.")')
    assert judge('_("%(room)s is already booked.") % {"room": room}')
    assert judge('gettext_lazy("{room} is booked").format(room=room)')
    assert judge("detail")


def test_a_booking_conflict_reads_in_spanish(db, clock, clerk, location, provider, follow_up, patient):
    """A Spanish-speaking clerk who books a taken slot through the JSON API reads why in Spanish, the time in
    the Spanish way (the problem detail is shown to people, not only parsed)."""
    clerk.language = "es"  # the clerk's own preference: staff pages and the API answer in it
    clerk.save(update_fields=["language"])
    start = local_to_utc(dt.date(2026, 11, 24), dt.time(9), location.tz)
    api = Client()
    api.force_login(clerk)

    def book(someone):
        body = {"patient": someone.pk, "practitioner": provider.pk, "location": location.pk,
                "appointmentType": follow_up.pk, "start": start.isoformat()}
        return api.post("/api/v1/appointments", json.dumps(body), content_type="application/json")

    assert book(patient).status_code == 201
    refused = book(PatientFactory(home_location=location))
    assert refused.status_code == 409
    problem = refused.json()
    assert problem["code"] == "slot-taken"
    assert problem["detail"] == f"{provider} ya tiene una cita el 24 de noviembre de 2026 a las 09:00."


def test_the_conflict_reads_in_english_for_an_english_speaker(db, clock, clerk, location, provider, follow_up):
    start = local_to_utc(dt.date(2026, 11, 24), dt.time(9), location.tz)

    def book():
        return appointment_book(actor=clerk, request=BookingRequest(
            patient_id=PatientFactory(home_location=location).pk, location_id=location.pk,
            practitioner_id=provider.pk, appointment_type_id=follow_up.pk, start=start))

    book()
    with translation.override("en"), pytest.raises(Conflict) as refused:
        book()
    assert refused.value.detail == f"{provider} is already booked at 9 a.m. on Nov. 24, 2026."
