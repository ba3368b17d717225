"""Issue #15 item 6: a confirmation after every change. Every web screen's POST (not /api/, /fhir/ or /o/), asked
by an allowed user with the valid data of its access-matrix row (tests/security/matrix.py and rows_*.py), must
answer with a success flash message (django.contrib.messages, shown on the page the redirect leads to) or - an
htmx answer - with the changed fragment itself. What is not a change is exempt below, with the reason.

The matrix's world (tests/security/world.py) is built once for the module; each request runs in a savepoint that
is rolled back, so every row meets the same clinic."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from django.contrib.messages import constants as message_levels
from django.db import transaction
from django.test import override_settings

from clinicdesk.accounts.middleware import POLL_HEADER
from clinicdesk.core import clock
from tests.security.matrix import WEB_ROWS, Row, expected
from tests.security.world import MOMENT, WEB_ACTORS, WEBHOOK_TOKEN, World, build

pytestmark = pytest.mark.django_db

# Route (as the matrix writes it) -> why a POST there is not a change that needs a confirmation.
EXEMPT: dict[str, str] = {
    "/accounts/logout/": "signing out changes nothing the user keeps; the sign-in page says it",
    "/patients/ (search)": "a search (the terms travel by POST to keep them out of URLs)",
    "/audit/ (filter)": "a filter of the audit trail (POST keeps patient ids out of URLs)",
    "/schedule/book/patients/": "a patient search inside the booking dialog",
    "/schedule/series/preview/": "a preview: nothing is booked until the series is saved",
    "/schedule/providers/{doc.pk}/feed/": "the answer is the new feed link itself, shown in place",
    "/schedule/providers/{doc.pk}/feed/revoke/": "the answer in place says the link no longer works",
    "/accounts/users/new/": "the answer is the one-time page with the new account's temporary password",
    "/accounts/users/{locked_user.pk}/password-reset/": "the answer is the one-time page with the new password",
    "/setup/imports/undo/": "the matrix's clinic has no import in effect (its warning is the answer); the "
                            "success flash is tested in tests/imports",
    "/setup/imports/{undone_staff_batch.pk}/passwords/": "the answer is the one-time page of passwords; the "
                                                         "matrix's batch is undone on purpose",
    "/r/{answer_token}/ (valid token, confirm)": "the patient's answer page states the outcome itself",
    "/u/{unsubscribe_token}/ (valid token, stop)": "the patient's unsubscribe page states the outcome itself",
    "/outreach/campaigns/count/?location={home.pk}": "a live count of the cohort the filters choose: nothing is "
                                                     "saved",
    # The patient portal is the patient's own session, not a staff screen: its pages say what happened in words.
    "/portal/ (unknown contact)": "the portal's sign-in page answers the same for every contact (no enumeration)",
    "/portal/language/": "the portal page comes back in the chosen language: that is the confirmation",
    "/portal/sign-out/": "signing out of the portal changes nothing the patient keeps; the sign-in page says it",
    "/portal/kiosk/{portal_location.pk}/language/": "the kiosk page comes back in the chosen language: that is the "
                                                    "confirmation",
}


@pytest.fixture(scope="module")
def world(django_db_setup: Any, django_db_blocker: Any, tmp_path_factory: pytest.TempPathFactory) -> Iterator[World]:
    storage = {"BACKEND": "django.core.files.storage.FileSystemStorage",
               "OPTIONS": {"location": str(tmp_path_factory.mktemp("flash-documents"))}}
    from django.conf import settings

    with django_db_blocker.unblock(), clock.frozen_at(MOMENT), override_settings(
            STORAGES={**settings.STORAGES, "default": storage}, SMS_WEBHOOK_TOKEN=WEBHOOK_TOKEN,
            EMAIL_BACKEND="django.core.mail.backends.locmem.EmailBackend",
            PASSWORD_HASHERS=["django.contrib.auth.hashers.MD5PasswordHasher"]), transaction.atomic():
        built = build()
        yield built
        transaction.set_rollback(True)


def _screen_posts() -> list[Row]:
    return [row for row in WEB_ROWS if row.method == "POST"
            and not row.path.startswith(("/api/", "/fhir/", "/o/", "/hooks/")) and row.ok < 400]


def _allowed_actor(row: Row) -> str | None:
    """A Downtown staff user the row allows (the first in the matrix's order), or None."""
    for actor in WEB_ACTORS:
        if "@" not in actor and actor in row.allow and expected(row, actor) == row.ok:
            return actor
    return None


def _messages(response: Any) -> list[Any]:
    storage = getattr(response.wsgi_request, "_messages", None)
    return list(getattr(storage, "_queued_messages", []))


ROWS = _screen_posts()


@pytest.mark.parametrize("row", [pytest.param(r, id=r.id) for r in ROWS])
def test_every_change_is_confirmed(world: World, row: Row) -> None:
    reason = EXEMPT.get(row.id.split(" ", 1)[1]) or EXEMPT.get(row.path)
    if reason:
        pytest.skip(reason)
    actor = _allowed_actor(row)
    if actor is None:
        pytest.skip("no staff user may post here (a public link or a token page): covered by its own tests")
    values = {**world.objects, "home": world.home, "other": world.other}
    path = row.path.format_map(values)
    client = world.client(actor)
    kwargs: dict[str, Any] = {"headers": {POLL_HEADER: "1", **row.headers}}
    if row.data is not None:
        kwargs["data"] = row.data(world)
        if row.content_type and row.content_type != "multipart":
            kwargs["content_type"] = row.content_type
    with transaction.atomic():
        response = client.post(path, **kwargs)
        if response.streaming:
            b"".join(response.streaming_content)
        transaction.set_rollback(True)
    if response.status_code != row.ok:  # the access matrix owns the status (and fails there); here, the message
        pytest.skip(f"{row.id} answered {response.status_code}, not the matrix's {row.ok}: see tests/security")
    queued = _messages(response)
    if warnings := [str(m) for m in queued if m.level >= message_levels.WARNING]:
        # The matrix's clinic could not make this change (no clearinghouse, too little history...): the answer
        # says why, which is what a user needs; the success flash is for the change, tested where it can happen.
        pytest.skip(f"no change made in the matrix's clinic; the answer said {warnings}")
    shown = [str(m) for m in queued if m.level in (message_levels.SUCCESS, message_levels.INFO)]
    if response.status_code in (301, 302, 303):
        assert shown, f"{row.id} as {actor}: redirected without a confirmation message"
    else:
        assert shown or _shows_the_change(response), f"{row.id} as {actor}: answered without confirming the change"


def _shows_the_change(response: Any) -> bool:
    """An answer in place (htmx) that confirms: a fragment with its `message`, or one that tells the page to
    refresh what changed (HX-Trigger), or the download itself."""
    context = response.context or {}
    return bool(context.get("message") if hasattr(context, "get") else False) or "HX-Trigger" in response \
        or response.get("Content-Disposition", "").startswith("attachment")


def test_the_confirmation_is_in_the_users_language(signed_in, location) -> None:
    """One change asked outside the matrix's clinic, in English and in Spanish."""
    from clinicdesk.core.permissions import Role
    from tests.factories import PatientFactory

    for language, words in (("en", "The record is inactive."), ("es", "El expediente está inactivo.")):
        patient = PatientFactory(home_location=location)
        client = signed_in(Role.FRONT_DESK, at=location, language=language)
        response = client.post(f"/patients/{patient.pk}/inactivate/", {"reason": "Moved away"}, follow=True)
        assert words in [str(m) for m in response.context["messages"]]
