"""200 patients booking in the portal at once (issue #23, Speed: no double booking, p95 under 1 s).

Each locust user is one signed-in patient (a portal session made by bench/bench_portal_booking.py --sessions):
it opens the options page of the follow-up visit (the desk's first-available search), picks one of the first
three times shown (so that patients compete for the same slots) and books it with the page's idempotency key;
a time taken meanwhile comes back as the page with a message (200/422), never as a second booking. Afterwards
`bench_portal_booking.py --double-bookings` counts overlapping bookings in the database.

    .venv/bin/python bench/bench_portal_booking.py --sessions 200 var/portal-load.json
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/clinicdesk_bench_portal DEBUG=false HTTPS=false \
        SECRET_KEY=... PORT=8160 .venv/bin/python -m clinicdesk serve --no-demo --workers 3 &
    PORTAL_LOAD=var/portal-load.json .venv/bin/locust -f bench/load/locust_portal.py --headless -u 200 -r 20 \
        -t 60s --host http://127.0.0.1:8160 --csv var/portal-load
"""

from __future__ import annotations

import itertools
import json
import os
import random
import re
import threading
from pathlib import Path

from locust import HttpUser, between, task

LOAD = json.loads(Path(os.environ.get("PORTAL_LOAD", "var/portal-load.json")).read_text())
COOKIE = os.environ.get("PORTAL_SESSION_COOKIE", "clinicdesk_portal")
OPTION = re.compile(r'name="option" value="([^"]+)"')
KEY = re.compile(r'name="idempotency_key" value="([^"]+)"')
CSRF = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')
_sessions = itertools.cycle(LOAD["sessions"])
_lock = threading.Lock()


# A patient's pause between pages: reading the times offered and choosing one. 1-3 s (the default) is a patient
# who books again at once, a stress test; PORTAL_WAIT_MIN/MAX=5/15 is a person reading a page of times.
WAIT = (float(os.environ.get("PORTAL_WAIT_MIN", "1")), float(os.environ.get("PORTAL_WAIT_MAX", "3")))


class Patient(HttpUser):
    wait_time = between(*WAIT)

    def on_start(self) -> None:
        with _lock:
            session = next(_sessions)
        self.client.cookies.set(COOKIE, session["cookie"])
        self.path = f"/portal/book/{LOAD['type_id']}/"

    @task
    def book(self) -> None:
        page = self.client.get(self.path, name="options page")
        options = OPTION.findall(page.text)
        if page.status_code != 200 or not options:
            return
        data = {"option": random.choice(options[:3]), "idempotency_key": KEY.search(page.text).group(1)}
        if csrf := CSRF.search(page.text):
            data["csrfmiddlewaretoken"] = csrf.group(1)
        with self.client.post(self.path, data, name="book", allow_redirects=False, catch_response=True) as answer:
            if answer.status_code in (302, 303, 200, 409, 422):  # booked, or the time was taken / a rule refused it
                answer.success()
