"""A new practice, from an empty database to its first booked patient, the way a clinic starts (#14).

`clinicdesk serve --no-demo` runs for real against an empty SQLite file and prints the one-time setup token;
the browser creates the system administrator with it, turns on two-factor sign-in with a code computed from the
key on the screen (as an authenticator app does), sets up one location with its hours, a provider with a weekly
block, an appointment type and a front-desk account; then the front-desk user signs in with the temporary
password, chooses their own, registers a patient and books the first appointment. Every screen is the one a
person uses; nothing is written to the database behind the browser's back.
"""

from __future__ import annotations

import base64
import datetime as dt
import os
import re
import socket
import sqlite3
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from django.conf import settings
from django_otp.oath import TOTP

from .conftest import CHROMIUM_ARGS  # noqa: F401 - the browser fixture launches with these

# `serve` runs on its own empty SQLite file whichever database the pass uses, so the SQLite pass runs it and the
# PostgreSQL pass, CI's slower one, spends its ~90 s elsewhere.
pytestmark = [pytest.mark.e2e, pytest.mark.skipif(
    "postgresql" in settings.DATABASES["default"]["ENGINE"],
    reason="runs on its own SQLite file whatever the pass: the SQLite pass runs it")]

NEW_YORK = ZoneInfo("America/New_York")
ADMIN_PASSWORD = "Correct-Horse-Battery-42"
DESK_PASSWORD = "Front-Desk-Morning-77"
NPI = "1234567893"  # a valid check digit


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


class Server:
    def __init__(self, process: subprocess.Popen, url: str, output: list[str], database: Path) -> None:
        self.process, self.url, self.output, self.database = process, url, output, database

    def token(self) -> str:
        text = "\n".join(self.output)
        found = re.search(r"setup token.*?\n\n\s+(\S+)\n", text, re.S | re.I)
        assert found, f"serve printed no setup token:\n{text}"
        return found.group(1)

    def count(self, table: str) -> int:
        with sqlite3.connect(self.database) as db:
            return int(db.execute(f"SELECT COUNT(*) FROM {table}").fetchone()[0])


@pytest.fixture
def empty_practice(tmp_path: Path) -> Iterator[Server]:
    """`clinicdesk serve --no-demo` on an empty database, until it says it is serving."""
    port = _free_port()
    database = tmp_path / "first-run.sqlite3"
    env = {**os.environ, "DATABASE_URL": f"sqlite:///{database}", "PORT": str(port), "CLINICDESK_VAR": str(tmp_path),
           "CLINICDESK_TESTING": "true", "TASK_BACKEND": "immediate", "DEBUG": "false", "HTTPS": "false",
           "RATELIMIT_SIGN_IN": "1000/m", "RATELIMIT_FIRST_RUN": "1000/h", "WEB_CONCURRENCY": "1",
           "AUDIT_ANCHOR_PATH": str(tmp_path / "anchor.json")}
    env.pop("DJANGO_SETTINGS_MODULE", None)
    process = subprocess.Popen([sys.executable, "-m", "clinicdesk", "serve", "--no-demo", "--workers", "1"],
                               env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
                               cwd=Path(__file__).resolve().parents[2])
    output: list[str] = []
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 300  # migrating an empty SQLite file takes ~90 s on a quiet 2-core machine
    assert process.stdout is not None
    while time.monotonic() < deadline:
        line = process.stdout.readline()
        if not line and process.poll() is not None:
            break
        output.append(line.rstrip("\n"))
        if "is serving on" in line:
            break
    try:
        _wait_until_answering(url, deadline)
        yield Server(process, url, output, database)
    finally:
        process.terminate()
        try:
            process.wait(20)
        except subprocess.TimeoutExpired:
            process.kill()


def _wait_until_answering(url: str, deadline: float) -> None:
    import urllib.request

    while time.monotonic() < deadline:
        try:
            urllib.request.urlopen(f"{url}/healthz", timeout=2)
            return
        except OSError:
            time.sleep(0.2)
    raise AssertionError("the server did not answer in time")


def _totp(secret: str) -> str:
    """What an authenticator app shows for the key on the set-up screen (RFC 6238, 30 s, 6 digits)."""
    padded = secret + "=" * (-len(secret) % 8)
    return f"{TOTP(base64.b32decode(padded)).token():06d}"


def test_a_new_practice_goes_from_an_empty_database_to_its_first_booking(browser, empty_practice: Server) -> None:
    from playwright.sync_api import expect

    server = empty_practice
    token = server.token()
    assert server.count("accounts_user") == 0
    context = browser.new_context(base_url=server.url, locale="en-US")
    page = context.new_page()
    page.on("dialog", lambda dialog: dialog.accept())  # "Deactivate...?" style confirmations
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))

    # 1. Every page leads to the first run; the token printed by serve claims the install.
    page.goto("/")
    expect(page).to_have_url(re.compile(r"/setup/start/$"))
    page.get_by_label("Setup token").fill("not-the-token")
    page.get_by_label("Username", exact=True).fill("admin")
    page.get_by_label("First name", exact=True).fill("Ada")
    page.get_by_label("Last name", exact=True).fill("Admin")
    page.get_by_label("E-mail").fill("ada@clinic.example")
    page.get_by_label("Password", exact=True).fill(ADMIN_PASSWORD)
    page.get_by_label("Password again").fill(ADMIN_PASSWORD)
    page.get_by_role("button", name=re.compile("Create")).click()
    expect(page.locator(".field-error, .message.error").first).to_be_visible()
    assert server.count("accounts_user") == 0  # a wrong token writes nothing
    page.get_by_label("Setup token").fill(token)
    page.get_by_label("Password", exact=True).fill(ADMIN_PASSWORD)
    page.get_by_label("Password again").fill(ADMIN_PASSWORD)
    page.get_by_role("button", name=re.compile("Create")).click()

    # 2. A system administrator needs a second factor: the key on the screen, the code an app would show.
    expect(page).to_have_url(re.compile(r"/accounts/two-factor/setup/"))
    secret = page.locator("#totp-secret").inner_text().strip()
    page.get_by_label("6-digit code").fill(_totp(secret))
    page.get_by_role("button", name="Turn on").click()
    page.goto("/setup/")
    expect(page.get_by_role("heading", level=1)).to_be_visible()

    # 3. A location (its hours on its page), a provider with a weekly block, an appointment type.
    day = dt.datetime.now(NEW_YORK).date() + dt.timedelta(days=1)
    page.goto("/practice/locations/new/")
    page.get_by_label("Code", exact=True).fill("main")
    page.get_by_label("Name", exact=True).fill("Main Street Clinic")
    page.get_by_label("Address", exact=True).fill("1 Main Street")
    page.get_by_label("City", exact=True).fill("Springfield")
    page.get_by_label("State", exact=True).fill("MA")
    page.get_by_label("ZIP code", exact=True).fill("01103")
    page.get_by_label("Phone", exact=True).fill("(413) 555-0100")
    page.get_by_label("Time zone", exact=True).select_option("America/New_York")
    page.get_by_role("button", name=re.compile("Save|Add")).first.click()
    expect(page.locator(".messages")).to_be_visible()
    page.goto("/practice/locations/")
    page.get_by_role("link", name=re.compile("Open")).first.click()
    page.locator("select[name$='-0-weekday']").select_option(str(day.weekday()))
    page.locator("input[name$='-0-opens']").fill("08:00")
    page.locator("input[name$='-0-closes']").fill("17:00")
    page.get_by_role("button", name="Save opening hours").click()
    expect(page.locator(".messages")).to_be_visible()

    page.goto("/practice/providers/new/")
    page.get_by_label("First name", exact=True).fill("Grace")
    page.get_by_label("Last name", exact=True).fill("Hopper")
    page.get_by_label("NPI", exact=True).fill(NPI)
    page.get_by_label("Main Street Clinic").check()
    page.get_by_role("button", name=re.compile("Save|Add")).first.click()
    expect(page.locator(".messages")).to_be_visible()

    page.goto("/schedule/setup/types/new/")
    page.get_by_label("Code", exact=True).fill("follow-up")
    page.get_by_label("Name (staff)", exact=True).fill("Follow-up")
    page.get_by_label("Name shown to patients", exact=True).fill("Follow-up visit")
    page.get_by_label("Duration (minutes)", exact=True).fill("20")
    page.get_by_role("button", name=re.compile("Save|Add")).first.click()
    expect(page.locator(".messages")).to_be_visible()

    page.goto("/schedule/setup/availability/")
    page.get_by_role("link", name=re.compile("Add a weekly block|weekly", re.I)).first.click()
    provider = page.get_by_label("Provider", exact=True)
    provider.select_option(provider.locator("option", has_text="Hopper").get_attribute("value"))
    page.get_by_label("Day of the week", exact=True).select_option(str(day.weekday()))
    page.get_by_label("From", exact=True).fill("08:00")
    page.get_by_label("Until", exact=True).fill("17:00")
    page.get_by_label("Effective from", exact=True).fill(dt.date.today().isoformat())
    page.get_by_role("button", name=re.compile("Save|Add")).first.click()
    expect(page.locator(".messages")).to_be_visible()

    # 4. A front-desk account: the temporary password is shown once.
    page.goto("/accounts/users/new/")
    page.get_by_label("Username", exact=True).fill("desk1")
    page.get_by_label("First name", exact=True).fill("Fran")
    page.get_by_label("Last name", exact=True).fill("Desk")
    page.get_by_label("Role", exact=True).select_option("front_desk")
    page.get_by_label("Main Street Clinic").check()
    page.get_by_role("button", name=re.compile("Save|Add|Create")).first.click()
    temporary = page.locator("#temporary-password").inner_text().strip()
    assert temporary
    page.get_by_role("button", name="Sign out").click()

    # 5. The front desk signs in, chooses a password, registers a patient and books the first appointment.
    page.goto("/accounts/login/")
    page.get_by_label("Username", exact=True).fill("desk1")
    page.get_by_label("Password").fill(temporary)
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Choose a new password")
    page.get_by_label("New password", exact=True).fill(DESK_PASSWORD)
    page.get_by_label("New password, again").fill(DESK_PASSWORD)
    page.get_by_role("button", name=re.compile("Change|Save")).first.click()
    expect(page.get_by_role("navigation", name="Main menu")).to_be_visible()

    page.goto("/patients/")
    page.get_by_role("link", name="Register a patient").click()
    page.get_by_label("Last name", exact=True).fill("Quintero")
    page.get_by_label("First name", exact=True).fill("Lucia")
    page.get_by_label("Date of birth", exact=True).fill("03/14/1985")
    page.get_by_label("Sex", exact=True).select_option("female")
    page.get_by_label("Phone", exact=True).fill("413-555-0147")
    page.get_by_role("button", name=re.compile("^Register")).click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Quintero")

    location_id = _one(server, "SELECT id FROM practice_location")
    page.goto(f"/schedule/day/?location={location_id}&day={day.isoformat()}")
    page.get_by_role("button", name=re.compile(r"Book .* 10:00 with Grace Hopper")).click()
    dialog = page.locator("#schedule-dialog")
    dialog.get_by_label("Find the patient").fill("Quintero")
    dialog.get_by_label(re.compile("Quintero, Lucia")).check()
    dialog.get_by_role("button", name="Book", exact=True).click()
    expect(dialog.get_by_role("status")).to_have_text("Booked.")
    assert server.count("scheduling_appointment") == 1
    assert not errors, errors
    context.close()


def _one(server: Server, query: str) -> int:
    with sqlite3.connect(server.database) as db:
        return int(db.execute(query).fetchone()[0])
