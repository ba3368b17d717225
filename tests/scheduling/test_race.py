"""64 clients, two app server processes (gunicorn), ten free slots: exactly ten bookings and 54 clear
"slot taken" answers. Runs on whichever database the suite runs on: a SQLite file, or a scratch
PostgreSQL database copied for the test from the session's migrated template."""

from __future__ import annotations

import json
import os
import secrets
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path

import httpx
import pytest

ROOT = Path(__file__).resolve().parents[2]
CLIENTS = 64
SLOTS = 10


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture
def race_database(migrated_database):
    """A migrated database of the suite's engine, copied from the session's template (tests/migrated_template.py);
    race_seed's `migrate` still runs and finds nothing to apply."""
    return migrated_database.url("race")


def _env(database_url: str, tmp_path: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("PYTEST")}
    env.update(DATABASE_URL=database_url, CLINICDESK_VAR=str(tmp_path / "var"), DEBUG="false", TASK_BACKEND="immediate",
               PYTHONPATH=os.pathsep.join([str(ROOT / "src"), str(ROOT)]), CLINICDESK_TESTING="true",
               LOG_LEVEL="WARNING")
    return env


def _run(args: list[str], env: dict[str, str]) -> dict:
    done = subprocess.run([sys.executable, "-m", "tests.scheduling.race_seed", *args], cwd=ROOT, env=env,
                          capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr[-3000:]
    return json.loads(done.stdout.strip().splitlines()[-1])


@pytest.fixture
def servers(race_database, tmp_path):
    env = _env(race_database, tmp_path)
    seed = _run(["seed", str(CLIENTS)], env)
    ports = [_free_port(), _free_port()]
    processes = [subprocess.Popen(
        [sys.executable, "-m", "gunicorn", "clinicdesk.wsgi:application", "--bind", f"127.0.0.1:{port}",
         "--workers", "1", "--worker-class", "gthread", "--threads", "8", "--timeout", "60", "--log-level",
         "warning"], cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        for port in ports]
    try:
        deadline = time.monotonic() + 60
        for port in ports:
            while True:
                try:
                    if httpx.get(f"http://127.0.0.1:{port}/healthz", timeout=2).status_code == 200:
                        break
                except httpx.HTTPError:
                    pass
                assert time.monotonic() < deadline, "the app servers did not start"
                time.sleep(0.2)
        yield seed, ports, env
    finally:
        for process in processes:
            process.terminate()
        for process in processes:
            try:
                process.wait(10)
            except subprocess.TimeoutExpired:
                process.kill()


def test_64_clients_on_two_servers_book_10_slots_exactly_once(servers):
    seed, ports, env = servers
    barrier = threading.Barrier(CLIENTS)
    answers: list[tuple[int, dict]] = [(0, {})] * CLIENTS

    def client(index: int) -> None:
        port = ports[index % 2]
        csrf = secrets.token_hex(16)
        cookies = {seed["session_cookie"]: seed["sessions"][index], "csrftoken": csrf}
        body = {"patient": seed["patients"][index], "practitioner": seed["practitioner"],
                "location": seed["location"], "appointmentType": seed["type"],
                "start": seed["starts"][index % SLOTS]}
        with httpx.Client(base_url=f"http://127.0.0.1:{port}", cookies=cookies, timeout=60) as http:
            barrier.wait()
            response = http.post("/api/v1/appointments", json=body,
                                 headers={"X-CSRFToken": csrf, "Idempotency-Key": f"race-{index}"})
            answers[index] = (response.status_code, response.json())

    threads = [threading.Thread(target=client, args=(i,)) for i in range(CLIENTS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(120)
    statuses = [status for status, _ in answers]
    assert statuses.count(201) == SLOTS, answers
    taken = [body for status, body in answers if status == 409]
    assert len(taken) == CLIENTS - SLOTS, answers
    assert all(body["code"] == "slot-taken" and body["detail"] for body in taken)
    assert sorted(body["start"] for status, body in answers if status == 201) == sorted(seed["starts"])
    final = _run(["count"], env)
    assert final["booked"] == SLOTS
    assert len(final["starts"]) == SLOTS
