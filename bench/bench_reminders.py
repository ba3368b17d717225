"""Schedule and send a day's reminders: N appointments -> N e-mail reminders, planned in bulk, then
drained by real worker processes through the embedded database queue or through Redis (RQ), into a
local SMTP server on loopback.

    .venv/bin/python bench/bench_reminders.py --messages 100000 --backend database --workers 2
    .venv/bin/python bench/bench_reminders.py --messages 100000 --backend redis --workers 2

Uses a scratch PostgreSQL database (clinicdesk_bench_reminders, or BENCH_REMINDERS_DATABASE), created and
dropped here (a copy of BENCH_TEMPLATE_DATABASE, a migrated database, when that is set: bench/scratch_db.py).
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import subprocess
import sys
import threading
import time
from pathlib import Path

from scratch_db import ensure_scratch_database

ROOT = Path(__file__).resolve().parent.parent
PG = "postgres://postgres@127.0.0.1:5432"
DB = os.environ.get("BENCH_REMINDERS_DATABASE", "clinicdesk_bench_reminders")


class Sink:
    def __init__(self) -> None:
        self.count = 0
        self.lock = threading.Lock()

    async def handle_DATA(self, server, session, envelope):
        with self.lock:
            self.count += 1
        return "250 OK"


def free_port() -> int:
    import socket

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--messages", type=int, default=100_000)
    parser.add_argument("--backend", choices=["database", "redis"], default="database")
    parser.add_argument("--workers", type=int, default=2)
    args = parser.parse_args()

    import psycopg

    ensure_scratch_database(f"{PG}/{DB}", rebuild=True)  # a copy of BENCH_TEMPLATE_DATABASE when it is set
    smtp_port = free_port()
    env = {**os.environ, "DATABASE_URL": f"{PG}/{DB}", "TASK_BACKEND": args.backend,
           "REDIS_URL": "redis://127.0.0.1:6379/14", "EMAIL_HOST": "127.0.0.1", "EMAIL_PORT": str(smtp_port),
           "QUIET_HOURS_START": "0", "QUIET_HOURS_END": "0", "LOG_LEVEL": "WARNING"}
    os.environ.update(env)
    subprocess.run([sys.executable, "-m", "clinicdesk", "migrate", "-v0"], env=env, check=True)

    import django

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "clinicdesk.settings")
    django.setup()
    from aiosmtpd.controller import Controller

    from clinicdesk.comms.models import Channel, Kind, Message, ReminderRule, Status
    from clinicdesk.comms.services import reminders_plan_many
    from clinicdesk.core.identifiers import mrn_from_sequence, npi_complete
    from clinicdesk.patients.keys import fill_search_keys
    from clinicdesk.patients.models import Patient
    from clinicdesk.practice.models import Location, Organization, Practitioner
    from clinicdesk.scheduling.models import Appointment, AppointmentType

    if args.backend == "redis":
        import redis

        redis.Redis.from_url(env["REDIS_URL"]).flushdb()

    org = Organization.objects.create(name="Bench")
    location = Location.objects.create(organization=org, code="bench", name="Bench Clinic", address_line="1 Main",
                                       city="Springfield", state="MA", postal_code="01103", phone="555",
                                       time_zone="America/New_York")
    kind = AppointmentType.objects.create(code="fu", name="Follow-up", patient_facing_name="Follow-up visit",
                                          duration_minutes=15)
    doctors = [Practitioner.objects.create(first_name="D", last_name=str(n), npi=npi_complete(f"1{n:08d}"))
               for n in range(50)]
    patients = Patient.objects.bulk_create([fill_search_keys(Patient(
        mrn=mrn_from_sequence(100000 + n), family_name=f"Family{n}", given_name=f"Given{n}",
        birth_date=dt.date(1980, 1, 1), sex="female", email=f"p{n}@example.org", email_opt_in=True,
        phone="(413) 555-0100", home_location=location)) for n in range(args.messages)], batch_size=2000)
    tomorrow = dt.datetime.now(dt.UTC).replace(hour=13, minute=0, second=0, microsecond=0) + dt.timedelta(days=2)
    appointments = Appointment.objects.bulk_create([Appointment(
        patient=patient, practitioner=doctors[n % 50], location=location, appointment_type=kind,
        start=tomorrow + dt.timedelta(minutes=15 * (n // 50) % 600),
        end=tomorrow + dt.timedelta(minutes=15 * (n // 50) % 600 + 15)) for n, patient in enumerate(patients)],
        batch_size=2000)
    ReminderRule.objects.create(kind=Kind.REMINDER, channel=Channel.EMAIL, minutes_before=24 * 60)

    started = time.perf_counter()
    ids = [a.pk for a in appointments]
    from django.db import connection

    connection.close()
    planned_at = time.perf_counter()
    reminders_plan_many(appointment_ids=ids)
    plan_seconds = time.perf_counter() - planned_at
    total = Message.objects.count()
    # Make them due now (the bench does not wait a day).
    Message.objects.update(send_after=dt.datetime.now(dt.UTC) - dt.timedelta(seconds=1))

    sink = Sink()
    controller = Controller(sink, hostname="127.0.0.1", port=smtp_port)
    controller.start()
    if args.backend == "database":
        worker = [sys.executable, "-m", "clinicdesk", "db_worker", "--queue-name", "*", "--interval", "0.2"]
    else:
        worker = [sys.executable, "-m", "clinicdesk", "rqworker", "--job-class", "django_tasks_rq.backend.Job",
                  "default", "reminders"]
    procs = [subprocess.Popen(worker, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
             for _ in range(args.workers)]
    from clinicdesk.comms.tasks import send_due_messages

    send_started = time.perf_counter()
    for _ in range(args.workers):
        send_due_messages.enqueue()
    while sink.count < total and time.perf_counter() - send_started < 1800:
        time.sleep(0.2)
    send_seconds = time.perf_counter() - send_started
    # The SMTP server has them all; the worker records the last chunk as sent a moment later. Stopping it before
    # then would leave that chunk "in doubt" (handed over, not marked), as a crash would: wait for the outbox.
    settle_until = time.perf_counter() + 60
    while (sent := Message.objects.filter(status=Status.SENT).count()) < sink.count and \
            time.perf_counter() < settle_until:
        time.sleep(0.2)
    for proc in procs:
        proc.terminate()
    controller.stop()
    print(f"backend={args.backend} workers={args.workers} messages={total} "
          f"plan={plan_seconds:.1f}s ({total / plan_seconds:,.0f}/s) "
          f"send={send_seconds:.1f}s ({sink.count / send_seconds:,.0f}/s) delivered={sink.count} "
          f"marked_sent={sent} total={time.perf_counter() - started:.1f}s")
    connection.close()
    with psycopg.connect(f"{PG}/postgres", autocommit=True) as admin:
        admin.execute(f'DROP DATABASE IF EXISTS "{DB}" WITH (FORCE)')


if __name__ == "__main__":
    main()
