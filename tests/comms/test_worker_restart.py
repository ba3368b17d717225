"""A worker killed mid-run and restarted sends nothing twice and loses nothing.

The worker runs as a real process against a scratch database of the same kind as the suite's, is
killed with SIGKILL while the (deliberately slow) SMTP server is receiving, then started again."""

from __future__ import annotations

import ast
import os
import signal
import subprocess
import sys
import time
from collections import Counter

import pytest
from aiosmtpd.controller import Controller
from django.conf import settings

from .conftest import Inbox, free_port

SEED = """
from clinicdesk.comms.models import Channel, Kind
from clinicdesk.comms.services import message_queue
from tests.factories import LocationFactory, PatientFactory
location = LocationFactory()  # quiet hours are switched off for this run
for n in range({count}):
    patient = PatientFactory(home_location=location, email=f"p{{n}}@example.org", email_opt_in=True)
    message_queue(patient=patient, kind=Kind.RECALL, channel=Channel.EMAIL, dedupe_key=f"kill-{{n}}",
                  values={{"appointment_name": "Check-up", "phone": "555"}})
"""
COUNT = 40


@pytest.fixture
def scratch_database(migrated_database):
    """A migrated database of the suite's engine, copied from the session's template (tests/migrated_template.py);
    the test's own `migrate` still runs and finds nothing to apply."""
    return migrated_database.url("kill")


def _run(env, *args, **kwargs):
    return subprocess.run([sys.executable, "-m", "clinicdesk", *args], env=env, check=True, capture_output=True,
                          text=True, timeout=120, **kwargs)


def test_killed_and_restarted_worker_sends_no_duplicate_and_loses_nothing(scratch_database, tmp_path):
    inbox = Inbox(delay=0.05)
    port = free_port()
    controller = Controller(inbox, hostname="127.0.0.1", port=port)
    controller.start()
    env = {**os.environ, "DATABASE_URL": scratch_database, "CLINICDESK_TESTING": "0", "TASK_BACKEND": "database",
           "EMAIL_HOST": "127.0.0.1", "EMAIL_PORT": str(port), "COMMS_LEASE_SECONDS": "1",
           "QUIET_HOURS_START": "0", "QUIET_HOURS_END": "0", "CLINICDESK_VAR": str(tmp_path)}
    try:
        _run(env, "migrate", "-v0")
        _run(env, "shell", "--no-imports", "-c", SEED.format(count=COUNT))
        worker = subprocess.Popen([sys.executable, "-m", "clinicdesk", "comms", "send-due", "--limit", "10"],
                                  env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        deadline = time.monotonic() + 30
        while len(inbox.messages) < COUNT // 3 and time.monotonic() < deadline:
            time.sleep(0.01)
        worker.send_signal(signal.SIGKILL)
        worker.wait()
        received_before_restart = len(inbox.messages)
        assert 0 < received_before_restart < COUNT
        time.sleep(1.2)  # let the dead worker's leases expire
        _run(env, "comms", "send-due")
        outcome = _run(env, "shell", "--no-imports", "-c", "from clinicdesk.comms.models import Message; "
                                           "print(sorted((m.dedupe_key, m.status) for m in Message.objects.all()))")
    finally:
        controller.stop()

    ids = Counter(mail["Message-ID"] for mail in inbox.messages)
    assert all(n == 1 for n in ids.values()), "a message was delivered twice"
    statuses = dict(ast.literal_eval(outcome.stdout.strip().splitlines()[-1]))
    sent = {key for key, status in statuses.items() if status == "sent"}
    in_doubt = {key for key, status in statuses.items() if status == "failed"}
    assert sent | in_doubt == set(statuses), "a message was neither sent nor put on the worklist"
    assert len(in_doubt) <= settings.COMMS_HANDOFF_CHUNK  # at most the chunk being handed over at the kill
    assert len(ids) >= len(sent)
