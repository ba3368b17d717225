"""A day at the front desk, plus a patient portal reading FHIR, against the production server.

Run by bench/load/run.sh (which builds the database, starts `clinicdesk serve` and reads the results); by hand:

    LOAD_SAMPLE=var/load-sample.json LOAD_STEPS=10,20,40 LOAD_STEP_SECONDS=60 \
        .venv/bin/locust -f bench/load/locustfile.py --headless --host http://127.0.0.1:8150

Desk users sign in (session and CSRF, as the browser does; front-desk accounts need no second factor) and
repeat what the desk does all day: search patients (a POST from the search box, as htmx sends it), open a
chart from the results, look at the day schedule and the arrivals list, book through the JSON API (first-
available search, then the booking with an Idempotency-Key), check a patient in and collect the co-pay (the
check-in page's payment form with its idempotency key). Portal users get a client-credentials token and search
Patients, read one, and search a provider's free Slots.

The number of users steps up (LOAD_STEPS, each held LOAD_STEP_SECONDS); every request is recorded with its time,
and at the end the statistics of each step (without its first LOAD_SETTLE_SECONDS) go to LOAD_OUT/summary.{json,md}
(bench/load/loadstats.py). run.sh runs one step per locust run, each on a fresh copy of the database.
"""

from __future__ import annotations

import datetime as dt
import itertools
import json
import os
import random
import re
import threading
import time
import uuid
from collections import Counter
from pathlib import Path
from typing import Any, ClassVar
from zoneinfo import ZoneInfo

import loadstats  # next to this file (locust puts the locustfile's folder on the path)
from locust import HttpUser, LoadTestShape, between, events, task

SAMPLE = json.loads(Path(os.environ.get("LOAD_SAMPLE", "var/load-sample.json")).read_text())
STEPS = [int(n) for n in os.environ.get("LOAD_STEPS", "10,20,30,40,50,60,80").split(",")]
# Think time between a user's actions, scaled: 1 is a person at the desk (1-3 s), 0 is a user who never pauses
# (issue #16 asks for 150 requests/s with 50 users, which only users who hardly pause can offer).
THINK = float(os.environ.get("LOAD_THINK_SCALE", "1"))
STEP_SECONDS = float(os.environ.get("LOAD_STEP_SECONDS", "60"))
SETTLE_SECONDS = float(os.environ.get("LOAD_SETTLE_SECONDS", "15"))
SPAWN_RATE = float(os.environ.get("LOAD_SPAWN_RATE", "5"))
OUT = Path(os.environ.get("LOAD_OUT", "var/load-results/latest"))

CHECKABLE = re.compile(r'action="/frontdesk/appointments/(\d+)/arrive"')
RESULT_ROW = re.compile(r'<a href="/patients/(\d+)/">[^<]*</a>([^<]*(?:<span class="tag">[^<]*</span>)*)')
HIDDEN = re.compile(r'<input type="hidden" name="(\w+)" value="([^"]*)"')
AMOUNT = re.compile(r'name="amount"[^>]*value="([^"]*)"')
# A flash message (components/flashes.html): the level on the <li>, an icon, then the words in .message-text.
MESSAGE = re.compile(r'<li class="message \w+">(?:(?!</li>).)*?<span class="message-text">([^<]*)')
ERROR_MESSAGE = re.compile(r'<li class="message error">')
RECEIPT = re.compile(r'<li class="message success">(?:(?!</li>).)*?\b(R\d{7})\b')  # any language

_desk_accounts = {loc: itertools.cycle(info["desk_users"]) for loc, info in SAMPLE["locations"].items()}
_desk_locations = itertools.cycle(sorted(SAMPLE["locations"]))
_lock = threading.Lock()


# --- what happened, per step -------------------------------------------------------------------------------

class Record:
    started = 0.0
    requests: ClassVar[list[loadstats.Row]] = []
    outcomes: ClassVar[Counter[str]] = Counter()  # domain answers that are not server errors (slot taken, ...)


@events.test_start.add_listener
def _start(environment: Any, **_: Any) -> None:
    Record.started = time.time()


@events.request.add_listener
def _request(request_type: str, name: str, response_time: float, exception: Any, **_: Any) -> None:
    Record.requests.append((time.time() - Record.started, name, response_time, exception is None))


@events.quitting.add_listener
def _write(environment: Any, **_: Any) -> None:
    steps = [loadstats.step(users, Record.requests, index * STEP_SECONDS + SETTLE_SECONDS, (index + 1) * STEP_SECONDS)
             for index, users in enumerate(STEPS)]
    summary = loadstats.conclude([s for s in steps if s["requests"]], dict(Record.outcomes),
                                 step_seconds=STEP_SECONDS, settle_seconds=SETTLE_SECONDS,
                                 total_requests=len(Record.requests))
    loadstats.write(OUT, summary)
    print(loadstats.markdown(summary))


class Steps(LoadTestShape):
    """LOAD_STEPS users, each level held LOAD_STEP_SECONDS."""

    def tick(self) -> tuple[int, float] | None:
        index = int(self.get_run_time() // STEP_SECONDS)
        return (STEPS[index], SPAWN_RATE) if index < len(STEPS) else None


# --- the front desk -----------------------------------------------------------------------------------------

def _today(location: dict[str, Any]) -> dt.date:
    return dt.datetime.now(ZoneInfo(location["time_zone"])).date()


class DeskUser(HttpUser):
    weight = 4
    wait_time = between(1 * THINK, 3 * THINK)

    def on_start(self) -> None:
        with _lock:
            self.location_id = next(_desk_locations)
            self.username = next(_desk_accounts[self.location_id])
        self.location = SAMPLE["locations"][self.location_id]
        self.found: list[int] = []
        self.client.get("/accounts/login/", name="sign in (page)")
        response = self.client.post("/accounts/login/", name="sign in", allow_redirects=False, data={
            "username": self.username, "password": SAMPLE["password"], "next": "/",
            "csrfmiddlewaretoken": self._csrf()})
        if response.status_code != 302:  # counted, so that a summary with users who never started says so
            Record.outcomes[f"sign-in failed ({response.status_code})"] += 1
            raise RuntimeError(f"sign-in of {self.username} failed: {response.status_code}")

    def _csrf(self) -> str:
        return self.client.cookies.get("csrftoken", "")

    def _patient(self) -> dict[str, Any]:
        return random.choice(self.location["patients"])

    def _post(self, path: str, name: str, **kwargs: Any) -> Any:
        """A write, sent again with the same idempotency key (in `kwargs`) if the connection failed or the
        server answered 5xx."""
        for _attempt in range(3):
            response = self.client.post(path, name=name, allow_redirects=False, **kwargs)
            if response.status_code and response.status_code < 500:
                return response
            time.sleep(0.5)
        return response

    @task(6)
    def search_patients(self) -> None:
        p = self._patient()
        family, given = p["family_name"], p["given_name"]
        born = dt.date.fromisoformat(p["birth_date"])
        query = random.choice([
            family[: random.randint(3, max(3, len(family)))], f"{family}, {given}", f"{given} {family}",
            born.strftime("%m/%d/%Y"), p["phone"], p["mrn"]])
        response = self.client.post("/patients/", name="search patients", data={"q": query},
                                    headers={"HX-Request": "true", "X-CSRFToken": self._csrf()})
        self.found = [int(pk) for pk, rest in RESULT_ROW.findall(response.text or "") if "tag" not in rest]

    @task(4)
    def open_chart(self) -> None:
        pk = random.choice(self.found) if self.found else self._patient()["pk"]
        with self.client.get(f"/patients/{pk}/", name="open chart", catch_response=True) as response:
            # A restricted chart answers 403 with the break-the-glass form: the product's answer, not an error.
            if response.status_code == 403 and f"/patients/{pk}/unlock/" in (response.text or ""):
                response.success()
                Record.outcomes["restricted chart (break the glass asked)"] += 1

    @task(4)
    def day_schedule(self) -> None:
        day = _today(self.location) + dt.timedelta(days=random.choice([0, 0, 0, 1, 2, 3]))
        self.client.get(f"/schedule/day/?location={self.location_id}&day={day.isoformat()}", name="day schedule")

    @task(2)
    def arrivals(self) -> list[int]:
        response = self.client.get(f"/frontdesk/?location={self.location_id}", name="arrivals")
        return [int(pk) for pk in CHECKABLE.findall(response.text or "")]

    @task(2)
    def book(self) -> None:
        patient = self._patient()
        # Some patients want to come in today (they fill the day's free slots); the rest within two weeks.
        first = _today(self.location) + dt.timedelta(days=0 if random.random() < 0.3 else random.randint(1, 14))
        headers = {"X-CSRFToken": self._csrf()}
        response = self.client.post("/api/v1/appointments/search", name="slot search (API)", headers=headers, json={
            "appointmentType": SAMPLE["follow_up_type"], "location": int(self.location_id),
            "patient": patient["pk"], "from": first.isoformat(), "limit": 10})
        options = response.json().get("options", []) if response.status_code == 200 else []
        if not options:
            Record.outcomes["no slot offered"] += 1
            return
        option = random.choice(options[:5])
        body = {"patient": patient["pk"], "practitioner": option["practitioner"]["id"],
                "location": int(self.location_id), "appointmentType": SAMPLE["follow_up_type"],
                "start": option["start"]}
        key = uuid.uuid4().hex
        for _attempt in range(3):
            with self.client.post("/api/v1/appointments", name="book (API)", json=body, catch_response=True,
                                  headers={**headers, "Idempotency-Key": key}) as answer:
                if answer.status_code == 409:  # another desk took the slot first: a normal answer
                    Record.outcomes[f"book 409 {answer.json().get('code')}"] += 1
                    answer.success()
                elif answer.status_code == 201:
                    Record.outcomes["booked"] += 1
                if answer.status_code and answer.status_code < 500:
                    return
            time.sleep(0.5)

    @task(2)
    def check_in_and_collect_copay(self) -> None:
        waiting = self.arrivals()
        if not waiting:
            Record.outcomes["nobody left to check in"] += 1
            return
        appointment = random.choice(waiting)
        page = f"/frontdesk/appointments/{appointment}/check-in"
        self.client.get(page, name="check-in page")
        self._post(page, "check in", data={"demographics": "on", "insurance": "on", "photo_id": "on",
                                           "csrfmiddlewaretoken": self._csrf()})
        after = self.client.get(page, name="check-in page")
        if ERROR_MESSAGE.search(after.text or ""):  # another desk checked this patient in first
            Record.outcomes["check-in refused (already in)"] += 1
            return
        Record.outcomes["checked in"] += 1
        form = dict(HIDDEN.findall(after.text or ""))
        expected = AMOUNT.search(after.text or "")
        # The co-pay the coverage asks for; without one (or a zero one), something towards the balance.
        amount = expected.group(1) if expected and expected.group(1) not in ("", "0", "0.00") else "20.00"
        self._post("/billing/payments/", "collect co-pay", data={
            "patient": form.get("patient"), "location": form.get("location"), "appointment": appointment,
            "idempotency_key": form.get("idempotency_key"), "description": "Co-pay", "amount": amount,
            "method": "cash", "next": page, "csrfmiddlewaretoken": self._csrf()})
        shown = self.client.get(page, name="check-in page").text or ""
        if RECEIPT.search(shown):
            Record.outcomes["co-pay collected"] += 1
        else:
            said = MESSAGE.findall(shown)
            Record.outcomes[f"co-pay not confirmed: {said[0] if said else 'no message'}"] += 1


# --- the patient portal (FHIR) ------------------------------------------------------------------------------

class PortalUser(HttpUser):
    weight = 1
    wait_time = between(0.5 * THINK, 2 * THINK)

    def on_start(self) -> None:
        fhir = SAMPLE["fhir"]
        response = self.client.post("/o/token/", name="FHIR token", auth=(fhir["client_id"], fhir["client_secret"]),
                                    data={"grant_type": "client_credentials", "scope": fhir["scope"]})
        response.raise_for_status()
        self.headers = {"Authorization": f"Bearer {response.json()['access_token']}",
                        "Accept": "application/fhir+json"}
        self.location_id = random.choice(sorted(SAMPLE["locations"]))
        self.location = SAMPLE["locations"][self.location_id]

    def _patient(self) -> dict[str, Any]:
        return random.choice(self.location["patients"])

    @task(3)
    def patient_search(self) -> None:
        p = self._patient()
        params = random.choice([
            {"family": p["family_name"][: random.randint(3, max(3, len(p["family_name"])))]},
            {"name": f"{p['given_name']} {p['family_name']}"},
            {"birthdate": p["birth_date"]},
            {"family": p["family_name"][:4], "birthdate": f"ge{p['birth_date'][:4]}-01-01"}])
        self.client.get("/fhir/r4/Patient", name="FHIR Patient search", params={**params, "_count": "20"},
                        headers=self.headers)

    @task(2)
    def patient_read(self) -> None:
        self.client.get(f"/fhir/r4/Patient/{self._patient()['pk']}", name="FHIR Patient read", headers=self.headers)

    @task(2)
    def slot_search(self) -> None:
        practitioner = random.choice(self.location["practitioners"])
        first = _today(self.location) + dt.timedelta(days=random.randint(1, 21))
        self.client.get("/fhir/r4/Slot", name="FHIR Slot search", headers=self.headers, params={
            "schedule": f"Schedule/{practitioner}-{self.location_id}", "service-type": "follow-up",
            "status": "free", "start": [f"ge{first.isoformat()}", f"lt{(first + dt.timedelta(days=7)).isoformat()}"],
            "_count": "50"})
