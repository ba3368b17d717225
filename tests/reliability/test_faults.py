"""The production server killed (SIGKILL, master and workers) and restarted while desks book and take payments.

gunicorn (2 workers) and the task worker run as real processes against this test's own database (pytest-django's
test database: the SQLite file or the PostgreSQL `test_...` database, seen through a transactional test). Several
client threads book appointments through the JSON API and collect payments through the desk's payment form, each
request with a key the client made up; a client sends the same request again, with the same key, whenever the
connection fails or the server answers 5xx. Meanwhile the test kills the server's whole process group and the
worker a few times and starts them again. Every success is then also replayed once, and some requests are sent
twice at the same moment (a double click).

Afterwards: each key is in the database exactly once, every answer for a key named the same appointment or
receipt, nothing is half-written (an appointment has its resource bookings, history and audit entry; a payment
its receipt number and audit entry), the audit chain verifies, and the restarted worker runs the tasks queued
while it was down.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import os
import re
import secrets
import signal
import socket
import subprocess
import sys
import threading
import time
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import httpx
import pytest
from django.conf import settings
from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
from django.contrib.messages import constants as message_levels
from django.contrib.messages.storage.cookie import CookieStorage
from django.contrib.sessions.backends.cached_db import SessionStore
from django.db import connection
from django.http import HttpRequest
from django_tasks_db.models import DBTaskResult

from clinicdesk.audit.models import AuditEntry
from clinicdesk.audit.services import chain_verify
from clinicdesk.billing.models import EntryKind, LedgerEntry
from clinicdesk.core.permissions import Role
from clinicdesk.scheduling.models import Appointment, AppointmentHistory, ResourceBooking, ResourceKind
from tests.factories import (
    AppointmentTypeFactory,
    LocationFactory,
    PatientFactory,
    PractitionerFactory,
    UserFactory,
    weekly_availability,
)

pytestmark = pytest.mark.django_db(transaction=True)

ROOT = Path(__file__).resolve().parents[2]
CLIENTS = 4
BOOKINGS = 8  # per client
PAYMENTS = 8  # per client
KILLS = 3
DOUBLE_CLICK_EVERY = 4  # every 4th request of a client is sent twice at once
REQUEST_DEADLINE = 90.0  # seconds a client keeps retrying one request
RECEIPT = re.compile(r"\b(R\d{7})\b")


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _database_url() -> str:
    """The test database as the subprocesses must name it (pytest-django renamed it to test_... or a file)."""
    db = connection.settings_dict
    if connection.vendor == "sqlite":
        return f"sqlite:///{Path(db['NAME']).resolve()}"
    password = f":{db['PASSWORD']}" if db["PASSWORD"] else ""
    return f"postgres://{db['USER']}{password}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"


class Server:
    """gunicorn (its own process group, so that one kill takes the master and its workers) and the task worker."""

    def __init__(self, env: dict[str, str], port: int, log: Path) -> None:
        self.env, self.port, self.log = env, port, log
        self.web: subprocess.Popen[bytes] | None = None
        self.worker: subprocess.Popen[bytes] | None = None
        self.restarts = 0

    def _spawn(self, *args: str) -> subprocess.Popen[bytes]:
        with self.log.open("ab") as log:
            return subprocess.Popen([sys.executable, "-m", *args], cwd=ROOT, env=self.env, stdout=log,
                                    stderr=subprocess.STDOUT, start_new_session=True)

    def start(self) -> None:
        # --preload: the workers fork from a master that imported the app once (a restart costs one import).
        self.web = self._spawn("gunicorn", "clinicdesk.wsgi:application", "--bind", f"127.0.0.1:{self.port}",
                               "--workers", "2", "--preload", "--timeout", "60", "--graceful-timeout", "5",
                               "--log-level", "warning")
        deadline = time.monotonic() + 90
        while True:
            try:
                if httpx.get(f"http://127.0.0.1:{self.port}/healthz", timeout=2).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            assert self.web.poll() is None, f"gunicorn exited: {self.log.read_text()[-3000:]}"
            assert time.monotonic() < deadline, f"gunicorn is not ready: {self.log.read_text()[-3000:]}"
            time.sleep(0.1)
        self.worker = self._spawn("clinicdesk", "db_worker", "--queue-name", "*")  # after: the clients go on

    def kill(self) -> None:
        for process in (self.web, self.worker):
            if process is not None:
                with contextlib.suppress(ProcessLookupError):  # the whole group, even if its leader is gone
                    os.killpg(process.pid, signal.SIGKILL)
                process.wait(10)

    def restart(self) -> None:
        self.kill()
        self.restarts += 1
        self.start()

    def stop(self) -> None:
        for process in (self.web, self.worker):
            if process is not None and process.poll() is None:
                os.killpg(process.pid, signal.SIGTERM)
        for process in (self.web, self.worker):
            if process is None:
                continue
            try:
                process.wait(15)
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)
                process.wait(10)


@dataclass
class Desk:
    """One client: its own session, and what it was told."""

    session: str
    csrf: str
    patient: int
    practitioner: int
    starts: list[str]
    booked: dict[str, set[int]] = field(default_factory=lambda: defaultdict(set))  # key -> appointment ids
    paid: dict[str, set[str]] = field(default_factory=lambda: defaultdict(set))  # key -> receipt numbers
    retries: int = 0  # requests sent again after a failed connection or a 5xx


@pytest.fixture
def clinic(transactional_db):
    location = LocationFactory(time_zone="America/New_York")
    follow_up = AppointmentTypeFactory(code="follow-up", duration_minutes=20)
    day = dt.datetime.now(ZoneInfo(location.time_zone)).date() + dt.timedelta(days=2)
    desks = []
    for _ in range(CLIENTS):
        practitioner = PractitionerFactory()
        weekly_availability(practitioner, location, effective_from=day - dt.timedelta(days=7))
        clerk = UserFactory(role=Role.FRONT_DESK, location=location)
        store = SessionStore()
        store[SESSION_KEY] = str(clerk.pk)
        store[BACKEND_SESSION_KEY] = "django.contrib.auth.backends.ModelBackend"
        store[HASH_SESSION_KEY] = clerk.get_session_auth_hash()
        store.create()
        first = dt.datetime.combine(day, dt.time(9), ZoneInfo(location.time_zone))
        desks.append(Desk(session=store.session_key, csrf=secrets.token_hex(16),
                          patient=PatientFactory(home_location=location).pk, practitioner=practitioner.pk,
                          starts=[(first + dt.timedelta(minutes=20 * n)).isoformat() for n in range(BOOKINGS)]))
    return location, follow_up, desks


@pytest.fixture
def server(clinic, tmp_path):
    env = {k: v for k, v in os.environ.items() if not k.startswith("PYTEST")}
    env.update(DATABASE_URL=_database_url(), DEBUG="false", CLINICDESK_TESTING="false", TASK_BACKEND="database",
               SECRET_KEY=settings.SECRET_KEY, CLINICDESK_VAR=str(tmp_path / "var"), LOG_LEVEL="WARNING",
               PYTHONPATH=os.pathsep.join([str(ROOT / "src"), str(ROOT)]), CONN_MAX_AGE="0")
    running = Server(env, _free_port(), tmp_path / "server.log")
    running.start()
    try:
        yield running
    finally:
        running.stop()
        connection.close()  # the next test's flush must not wait on anything of ours


def _receipt(response: httpx.Response) -> str | None:
    """The receipt number of a payment the server confirmed (the success message in the messages cookie)."""
    raw = response.cookies.get("messages")
    if response.status_code != 302 or not raw:
        return None
    messages = CookieStorage(HttpRequest())._decode(raw) or []
    found = [RECEIPT.search(m.message) for m in messages if m.level == message_levels.SUCCESS]
    return found[-1].group(1) if found and found[-1] else None


def _send(http: httpx.Client, desk: Desk, method: str, path: str, **kwargs: Any) -> httpx.Response:
    """Send until the server answers below 500; the same request (and key) every time."""
    deadline = time.monotonic() + REQUEST_DEADLINE
    headers = {"X-CSRFToken": desk.csrf, "Cookie": f"{settings.SESSION_COOKIE_NAME}={desk.session}; "
                                                   f"csrftoken={desk.csrf}", **kwargs.pop("headers", {})}
    while True:
        try:
            response = http.request(method, path, headers=headers, **kwargs)
            if response.status_code < 500:
                return response
        except httpx.TransportError:
            pass
        finally:
            http.cookies.clear()  # only the session and CSRF cookies above, never a growing messages cookie
        desk.retries += 1
        assert time.monotonic() < deadline, f"{method} {path}: no answer below 500 within {REQUEST_DEADLINE} s"
        time.sleep(0.2)


def _desk_run(port: int, desk: Desk, location: Any, follow_up: Any, done: list[int], errors: list[str]) -> None:
    def book(http: httpx.Client, index: int, key: str) -> None:
        body = {"patient": desk.patient, "practitioner": desk.practitioner, "location": location.pk,
                "appointmentType": follow_up.pk, "start": desk.starts[index]}
        response = _send(http, desk, "POST", "/api/v1/appointments", json=body, headers={"Idempotency-Key": key})
        if response.status_code != 201:
            errors.append(f"booking {key}: {response.status_code} {response.text[:300]}")
            return
        desk.booked[key].add(response.json()["id"])

    def pay(http: httpx.Client, index: int, key: str) -> None:
        data = {"patient": desk.patient, "location": location.pk, "amount": f"{10 + index}.25", "method": "cash",
                "idempotency_key": key, "description": "Co-pay", "next": "/", "csrfmiddlewaretoken": desk.csrf}
        receipt = _receipt(_send(http, desk, "POST", "/billing/payments/", data=data))
        if receipt is None:
            errors.append(f"payment {key}: not confirmed")
            return
        desk.paid[key].add(receipt)

    def in_own_client(action: Any, index: int, key: str) -> None:
        with _client(port) as http:
            action(http, index, key)

    def twice_at_once(action: Any, index: int, key: str) -> None:
        threads = [threading.Thread(target=_guard, args=(lambda: in_own_client(action, index, key), errors))
                   for _ in range(2)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(REQUEST_DEADLINE * 2)

    with _client(port) as http:
        for index in range(max(BOOKINGS, PAYMENTS)):
            for action, count, prefix in ((book, BOOKINGS, "b"), (pay, PAYMENTS, "p")):
                if index >= count:
                    continue
                key = f"{prefix}-{desk.session[:8]}-{index}-{secrets.token_hex(4)}"
                if index % DOUBLE_CLICK_EVERY == DOUBLE_CLICK_EVERY - 1:
                    twice_at_once(action, index, key)
                else:
                    action(http, index, key)
                action(http, index, key)  # the same request again later: a replay must answer the same
                done[0] += 1


def _client(port: int) -> httpx.Client:
    return httpx.Client(base_url=f"http://127.0.0.1:{port}", timeout=httpx.Timeout(30, connect=2))


def _guard(work: Any, errors: list[str]) -> None:
    try:
        work()
    except Exception as exc:  # a thread's failure must fail the test, not vanish
        errors.append(f"{type(exc).__name__}: {exc}")


def test_killed_and_restarted_server_loses_nothing_and_doubles_nothing(clinic, server):
    location, follow_up, desks = clinic
    total = CLIENTS * (BOOKINGS + PAYMENTS)
    done, errors = [0], []
    threads = [threading.Thread(target=_guard, args=(lambda d=desk: _desk_run(server.port, d, location, follow_up,
                                                                                done, errors), errors))
               for desk in desks]
    for thread in threads:
        thread.start()
    for kill in range(1, KILLS + 1):  # kill at a quarter, half and three quarters of the way
        deadline = time.monotonic() + 120
        while done[0] < total * kill // (KILLS + 1) and any(t.is_alive() for t in threads):
            assert time.monotonic() < deadline, "the clients made no progress"
            time.sleep(0.02)
        server.restart()
    for thread in threads:
        thread.join(300)
    assert not any(thread.is_alive() for thread in threads), "a client is stuck"
    assert not errors, errors
    assert server.restarts == KILLS
    assert sum(d.retries for d in desks) >= KILLS  # requests were cut off or refused (the kills hit something)

    # Each key once in the database, and every answer for it named that one row.
    booked = {key: ids for desk in desks for key, ids in desk.booked.items()}
    paid = {key: receipts for desk in desks for key, receipts in desk.paid.items()}
    assert len(booked) == CLIENTS * BOOKINGS and len(paid) == CLIENTS * PAYMENTS
    appointments = {a.idempotency_key: a for a in Appointment.objects.all()}
    assert set(appointments) == set(booked), "an appointment without a confirmed request, or one missing"
    for key, ids in booked.items():
        assert ids == {appointments[key].pk}, f"{key}: answers named {ids}"
    payments = {e.idempotency_key: e for e in LedgerEntry.objects.all()}
    assert set(payments) == set(paid), "a ledger entry without a confirmed payment, or one missing"
    for key, receipts in paid.items():
        assert receipts == {payments[key].receipt_number}, f"{key}: answers named {receipts}"

    # Nothing half-written.
    for appointment in appointments.values():
        kinds = sorted(ResourceBooking.objects.filter(appointment=appointment).values_list("resource_kind", flat=True))
        assert kinds == sorted([ResourceKind.PRACTITIONER, ResourceKind.PATIENT]), appointment.pk
        assert AppointmentHistory.objects.filter(appointment=appointment, action="booked").count() == 1
    assert not ResourceBooking.objects.exclude(appointment__in=[a.pk for a in appointments.values()]).exists()
    for entry in payments.values():
        assert entry.kind == EntryKind.PAYMENT and entry.receipt_number and entry.method == "cash"
    audited = defaultdict(int)
    for action, resource_id in AuditEntry.objects.filter(
            action__in=["appointment.book", "payment.collect"]).values_list("action", "resource_id"):
        audited[action, resource_id] += 1
    assert audited == {**{("appointment.book", str(a.pk)): 1 for a in appointments.values()},
                       **{("payment.collect", str(e.pk)): 1 for e in payments.values()}}
    report = chain_verify()
    assert report.ok, report.problem

    # The restarted worker runs what was queued while it was down (each booking queues its reminder planning).
    deadline = time.monotonic() + 60
    while DBTaskResult.objects.ready().exists():
        assert time.monotonic() < deadline, "the restarted worker left queued tasks unrun"
        time.sleep(0.2)
    assert DBTaskResult.objects.successful().exists()
