"""Idle sign-out records the time of the last request at most once a minute (issue #16: a session that changes is
saved at the end of every request, a database UPDATE and a cache write). What it keeps: a user who keeps working
stays signed in; a user who stops is signed out no later than IDLE_TIMEOUT_MINUTES after their last request, and
at most a minute earlier; live-board polls never count as activity."""

from __future__ import annotations

import datetime as dt

from django.db import connection
from django.test.utils import CaptureQueriesContext

from clinicdesk.accounts.middleware import LAST_SEEN, LAST_SEEN_RESOLUTION_SECONDS
from clinicdesk.core.permissions import Role


def _session_writes(client, path: str = "/") -> int:
    with CaptureQueriesContext(connection) as queries:
        assert client.get(path).status_code == 200
    return sum(1 for q in queries if "django_session" in q["sql"] and not q["sql"].lstrip().startswith("SELECT"))


def test_requests_within_a_minute_do_not_save_the_session(signed_in, clock):
    clerk = signed_in(Role.FRONT_DESK)
    clerk.get("/")
    first = clerk.session[LAST_SEEN]
    clock.advance(dt.timedelta(seconds=LAST_SEEN_RESOLUTION_SECONDS - 1))
    assert _session_writes(clerk) == 0
    assert clerk.session[LAST_SEEN] == first


def test_a_request_a_minute_after_the_last_recorded_one_records_it(signed_in, clock):
    clerk = signed_in(Role.FRONT_DESK)
    clerk.get("/")
    first = clerk.session[LAST_SEEN]
    clock.advance(dt.timedelta(seconds=LAST_SEEN_RESOLUTION_SECONDS))
    assert _session_writes(clerk) == 1
    assert clerk.session[LAST_SEEN] == first + LAST_SEEN_RESOLUTION_SECONDS


def test_a_user_working_every_few_seconds_stays_signed_in(signed_in, clock, settings):
    clerk = signed_in(Role.FRONT_DESK)
    for _ in range(settings.IDLE_TIMEOUT_MINUTES * 60 * 2 // 50):  # twice the time-out, a request every 50 s
        assert clerk.get("/").status_code == 200
        clock.advance(dt.timedelta(seconds=50))
    assert clerk.get("/").status_code == 200


def test_idle_sign_out_comes_at_most_a_minute_early_and_never_late(signed_in, clock, settings):
    timeout = dt.timedelta(minutes=settings.IDLE_TIMEOUT_MINUTES)
    clerk = signed_in(Role.FRONT_DESK)
    clerk.get("/")  # recorded
    clock.advance(dt.timedelta(seconds=50))
    clerk.get("/")  # the last request, not recorded (within the minute)
    clock.advance(timeout - dt.timedelta(seconds=50))
    assert clerk.get("/", HTTP_X_CLINICDESK_POLL="1").status_code == 200  # exactly the time-out since the record
    clock.advance(dt.timedelta(seconds=1))  # idle for the time-out less 49 s
    response = clerk.get("/", HTTP_X_CLINICDESK_POLL="1")
    assert response.status_code == 302 and response["Location"].startswith("/accounts/login/")
    assert clerk.get("/").status_code == 302


def test_polls_within_the_minute_neither_record_nor_extend(signed_in, clock, settings):
    clerk = signed_in(Role.FRONT_DESK)
    clerk.get("/")
    for _ in range(settings.IDLE_TIMEOUT_MINUTES * 2):
        clock.advance(dt.timedelta(seconds=LAST_SEEN_RESOLUTION_SECONDS * 2 // 3))
        clerk.get("/", HTTP_X_CLINICDESK_POLL="1")
    assert clerk.get("/").status_code == 302
