"""The access-control matrix (issue #9, point 4): every page, JSON API endpoint and FHIR interaction, asked by
every role, by an anonymous visitor, by users of another location and by FHIR tokens of every kind, gets the
status its row in tests/security/matrix.py says. Each request runs in a savepoint that is rolled back, so every
caller meets the same clinic (tests/security/world.py, built once for the module).

A route of the URL conf without a row (or a stated exemption) fails `test_every_route_has_a_row`, and a FHIR
interaction without a row fails `test_every_fhir_interaction_has_a_row`: a new endpoint cannot ship unlisted.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any
from urllib.parse import urlsplit

import pytest
from django.contrib.messages import constants as message_levels
from django.db import transaction
from django.test import override_settings
from django.urls import URLPattern, URLResolver, get_resolver, resolve

from clinicdesk.accounts.middleware import POLL_HEADER
from clinicdesk.core import clock
from clinicdesk.interop.fhir.handlers import HANDLERS, OPERATIONS

from .matrix import EXEMPT, FHIR_ROWS, ROWS, WEB_ROWS, Row, expected
from .world import FHIR_ACTORS, MOMENT, SECRET, WEB_ACTORS, WEBHOOK_TOKEN, World, build

# Each test also runs in pytest-django's own savepoint (and the marker makes it set the test database up).
pytestmark = pytest.mark.django_db


@pytest.fixture(scope="module")
def world(django_db_setup: Any, django_db_blocker: Any, tmp_path_factory: pytest.TempPathFactory) -> Iterator[World]:
    """The clinic, built once in a transaction that is rolled back when the module is done."""
    storage = {"BACKEND": "django.core.files.storage.FileSystemStorage",
               "OPTIONS": {"location": str(tmp_path_factory.mktemp("matrix-documents"))}}
    from django.conf import settings

    with django_db_blocker.unblock(), clock.frozen_at(MOMENT), override_settings(
            STORAGES={**settings.STORAGES, "default": storage}, SMS_WEBHOOK_TOKEN=WEBHOOK_TOKEN,
            EMAIL_BACKEND="django.core.mail.backends.locmem.EmailBackend",
            # OAuth client secrets are hashed like passwords; nothing here signs in with a password.
            PASSWORD_HASHERS=["django.contrib.auth.hashers.MD5PasswordHasher"]), transaction.atomic():
        built = build()
        yield built
        transaction.set_rollback(True)


def _values(world: World) -> dict[str, Any]:
    return {**world.objects, "home": world.home, "other": world.other}


def _error_messages(response: Any) -> list[str]:
    storage = getattr(response.wsgi_request, "_messages", None)
    queued = getattr(storage, "_queued_messages", [])
    return [str(m) for m in queued if m.level >= message_levels.ERROR]


def send(world: World, row: Row, actor: str) -> tuple[int | str, bytes]:
    """Ask `row` as `actor` inside a savepoint that is rolled back; the status (or a description of what went
    wrong instead) and the body."""
    path = row.path.format_map(_values(world))
    # Marked as an automatic refresh, so that the idle timer does not rewrite the session on every request: it
    # decides nothing about access, and the matrix asks thousands of times.
    headers = {POLL_HEADER: "1", **row.headers}
    if row.kind == "fhir":
        client = world.client()
        if actor in world.tokens:
            headers["Authorization"] = f"Bearer {world.tokens[actor]}"
    else:
        client = world.client(actor)
    kwargs: dict[str, Any] = {"headers": headers}
    data = row.data(world) if row.data is not None else None
    if data is not None:
        kwargs["data"] = data
        if row.content_type and row.content_type != "multipart":
            kwargs["content_type"] = row.content_type
    try:
        with transaction.atomic():
            response = getattr(client, row.method.lower())(path, **kwargs)
            body = b"".join(response.streaming_content) if response.streaming else response.content
            transaction.set_rollback(True)
    except Exception as error:  # a 500: name it in the failure
        return f"500 ({type(error).__name__}: {error})", b""
    status: int | str = response.status_code
    if status == 302 and row.flash_ok and (errors := _error_messages(response)):
        status = f"302 with the error message {errors!r}"
    return status, body


def _is_text(body: bytes) -> bool:
    if body.startswith(b"%PDF"):
        return False
    try:
        body.decode("utf-8")
    except UnicodeDecodeError:
        return False
    return True


def _case(row: Row, actor: str) -> Any:
    marks = [pytest.mark.xfail(strict=True, reason=row.known[actor])] if actor in row.known else []
    return pytest.param(row, actor, id=f"{row.id} -- {actor}", marks=marks)


def _callers(row: Row, actors: tuple[str, ...]) -> list[str]:
    """Who asks `row`. Unset ACCESS_MATRIX: every caller. `sampled`: one caller per distinct answer, and one
    caller from another location that is let in (the leak check). `rest`: every caller `sampled` leaves out.

    Who may do what is decided in Python, the same on every database; what a database can change is whether a
    page's queries run, which one caller per answer exercises. CI runs `sampled` on PostgreSQL and `rest` on
    SQLite (scripts/test.sh): each pair is asked once per run and every answer of every row on PostgreSQL."""
    mode = os.environ.get("ACCESS_MATRIX", "")
    if mode not in ("sampled", "rest"):
        return list(actors)
    chosen: dict[object, str] = {}
    for actor in actors:
        want = expected(row, actor)
        key = ("elsewhere", want < 300) if "@" in actor else want
        chosen.setdefault(key, actor)
    sampled = set(chosen.values())
    return [actor for actor in actors if (actor in sampled) == (mode == "sampled")]


CASES = [_case(row, actor) for row in WEB_ROWS for actor in _callers(row, WEB_ACTORS)] + [
    _case(row, actor) for row in FHIR_ROWS for actor in _callers(row, FHIR_ACTORS)]


@pytest.mark.parametrize(("row", "actor"), CASES)
def test_access(world: World, row: Row, actor: str) -> None:
    want = expected(row, actor)
    got, body = send(world, row, actor)
    reason = f"\n  why: {row.why}" if row.why else ""
    assert got == want, f"{row.id} as {actor}: expected {want}, got {got}{reason}"
    if actor.endswith("@uptown") and isinstance(got, int) and got < 300:
        assert SECRET.encode() not in body, f"{row.id} as {actor}: shows a Downtown patient to an Uptown user"
    for text in row.absent(world) if row.absent else []:
        assert text.encode() not in body, f"{row.id} as {actor}: the answer contains {text!r}"
    # A template comment that spans lines ({# ... #} is single-line only) prints as text on the page. Only text
    # answers are read: a PDF's compressed streams hold any two bytes now and then.
    assert not _is_text(body) or b"{#" not in body, f"{row.id} as {actor}: a template comment reached the page"


# --- completeness: a new endpoint needs a row ------------------------------------------------------------------

def _join(prefix: str, pattern: Any) -> str:
    """The route string Django's resolver reports (`ResolverMatch.route`): a regex's leading ^ is dropped."""
    part = str(pattern.pattern)
    return prefix + (part[1:] if part.startswith("^") else part)


def _routes(resolver: URLResolver | None = None, prefix: str = "") -> set[str]:
    """Every route of the URL conf, through every include."""
    found: set[str] = set()
    for pattern in (resolver or get_resolver()).url_patterns:
        if isinstance(pattern, URLResolver):
            found |= _routes(pattern, _join(prefix, pattern))
        elif isinstance(pattern, URLPattern):
            found.add(_join(prefix, pattern))
    return found


def test_every_route_has_a_row(world: World) -> None:
    covered = {resolve(urlsplit(row.path.format_map(_values(world))).path).route for row in ROWS}
    routes = _routes()
    missing = sorted(routes - covered - EXEMPT.keys())
    assert not missing, "routes without a row in tests/security/matrix.py (add one, or exempt it with a reason):\n" \
        + "\n".join(missing)
    stale = sorted(EXEMPT.keys() - routes)
    assert not stale, f"exemptions for routes that no longer exist: {stale}"


def test_every_fhir_interaction_has_a_row() -> None:
    served = {(name, interaction) for name, handler in HANDLERS.items() for interaction in handler.interactions}
    served |= {(name, f"${operation}") for name, operation in OPERATIONS}
    covered = {(row.resource, row.interaction) for row in FHIR_ROWS}
    missing = sorted(served - covered)
    assert not missing, f"FHIR interactions without a row in tests/security/matrix.py: {missing}"


# --- object-level cases that take more than one request -------------------------------------------------------

@contextmanager
def scenario() -> Iterator[None]:
    """Several requests that build on each other, all rolled back at the end."""
    with transaction.atomic():
        yield
        transaction.set_rollback(True)


def test_an_answer_link_reaches_only_its_own_appointment(world: World) -> None:
    from clinicdesk.scheduling.models import Appointment

    others = [world.today, world.other_appointment, world.restricted_appointment]
    before = {a.pk: (a.status, a.confirmed_at) for a in Appointment.objects.filter(pk__in=[a.pk for a in others])}
    with scenario():
        # The signed token is the credential: it works in the hands of someone who could not touch Downtown.
        assert world.client("nurse@uptown").post(f"/r/{world.answer_token}/", {"answer": "cancel"}).status_code == 200
        assert Appointment.objects.get(pk=world.tomorrow.pk).status == "cancelled"
        after = {a.pk: (a.status, a.confirmed_at) for a in Appointment.objects.filter(pk__in=before)}
        assert after == before, "an answer link changed an appointment it was not made for"
    for token in (world.bad_token, world.expired_token, world.offer_token):
        with scenario():
            world.client().post(f"/r/{token}/", {"answer": "cancel"})
            assert Appointment.objects.get(pk=world.tomorrow.pk).status == "booked"


def test_breaking_the_glass_opens_a_restricted_record_for_that_user_only(world: World) -> None:
    """Patients have a restricted flag (patients.models.Patient.restricted); breaking the glass (a reason, kept
    for compliance) opens that chart, its messages and its FHIR Patient for 30 minutes - for that user alone."""
    rita = world.rita
    assert world.client("provider").get(f"/patients/{rita.pk}/").status_code == 403
    with scenario():
        doctor = world.client("provider")
        assert doctor.post(f"/patients/{rita.pk}/unlock/", {"reason": "On call, patient in the ER"}).status_code == 302
        assert doctor.get(f"/patients/{rita.pk}/").status_code == 200
        assert doctor.get(f"/messages/patient/{rita.pk}/").status_code == 200
        fhir = world.client()
        bearer = {"Authorization": f"Bearer {world.tokens['provider']}"}
        assert fhir.get(f"/fhir/r4/Patient/{rita.pk}", headers=bearer).status_code == 200
        for actor in ("front_desk", "nurse", "compliance"):
            assert world.client(actor).get(f"/patients/{rita.pk}/").status_code == 403, actor
            assert world.client(actor).get(f"/messages/patient/{rita.pk}/").status_code == 403, actor
        desk = {"Authorization": f"Bearer {world.tokens['front_desk']}"}
        assert fhir.get(f"/fhir/r4/Patient/{rita.pk}", headers=desk).status_code == 403
        # Breaking the glass is no way round the location rule.
        uptown = world.client("nurse@uptown")
        assert uptown.post(f"/patients/{rita.pk}/unlock/", {"reason": "Curious about this one"}).status_code == 404
        assert uptown.get(f"/patients/{rita.pk}/").status_code == 404
