"""Shared set-up for the scheduling benchmarks: a scratch PostgreSQL database with 5 locations, 100
providers, 300 rooms, 50,000 patients and about 1,000,000 appointments over a year (half past, half
future), loaded with COPY. Built once and reused (pass --rebuild to start over).

    BENCH_DATABASE_URL=postgres://postgres@127.0.0.1:5432/clinicdesk_bench_sched  (the default)
"""

from __future__ import annotations

import datetime as dt
import os
import sys
import time
from pathlib import Path

from scratch_db import ensure_scratch_database

ROOT = Path(__file__).resolve().parents[1]
DEFAULT_URL = "postgres://postgres@127.0.0.1:5432/clinicdesk_bench_sched"
LOCATIONS = 5
PROVIDERS_PER_LOCATION = 20
ROOMS_PER_LOCATION = 60
PATIENTS = 50_000
DAY_START, DAY_END = dt.time(7), dt.time(19)  # 36 twenty-minute slots
SLOT_MINUTES = 20
FILL = 0.89  # share of slots booked
TZ = "America/New_York"


def setup_django(rebuild: bool) -> str:
    url = os.environ.get("BENCH_DATABASE_URL", DEFAULT_URL)

    ensure_scratch_database(url, rebuild=rebuild)
    os.environ["DATABASE_URL"] = url
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "clinicdesk.settings")
    os.environ.setdefault("LOG_LEVEL", "WARNING")
    sys.path.insert(0, str(ROOT / "src"))
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    return url


def ensure_data() -> dict:
    """Build the data set unless it is there already; returns ids the benchmarks need."""
    from django.core.management import call_command

    from clinicdesk.practice.models import Organization

    call_command("migrate", interactive=False, verbosity=0)
    if not Organization.objects.filter(name="Bench Medical Group").exists():
        started = time.perf_counter()
        _build()
        print(f"built the data set in {time.perf_counter() - started:.0f} s", flush=True)
    return _ids()


def _ids() -> dict:
    from clinicdesk.accounts.models import User
    from clinicdesk.practice.models import Location
    from clinicdesk.scheduling.models import Appointment, AppointmentType

    return {
        "locations": list(Location.objects.filter(code__startswith="bench").order_by("pk")),
        "types": {t.code: t for t in AppointmentType.objects.all()},
        "user": User.objects.get(username="bench-coordinator"),
        "appointments": Appointment.objects.count(),
    }


def _build() -> None:
    import random

    from django.db import connection, transaction

    from clinicdesk.accounts.models import User
    from clinicdesk.core.identifiers import mrn_from_sequence, npi_complete
    from clinicdesk.core.timezones import local_to_utc
    from clinicdesk.patients.keys import fill_search_keys
    from clinicdesk.patients.models import Patient
    from clinicdesk.practice.models import Equipment, Location, Organization, Practitioner, Room
    from clinicdesk.scheduling.models import AppointmentType, AvailabilityTemplate

    with transaction.atomic():
        org = Organization.objects.create(name="Bench Medical Group")
        locations = [Location.objects.create(organization=org, code=f"bench{i}", name=f"Bench {i}",
                                             address_line="1 Main", city="Springfield", state="MA",
                                             postal_code="01103", phone="1", time_zone=TZ)
                     for i in range(LOCATIONS)]
        kinds = ["exam"] * 40 + ["procedure"] * 10 + ["consult"] * 10
        rooms = Room.objects.bulk_create([Room(location=loc, name=f"Room {j + 1}", kind=kinds[j])
                                          for loc in locations for j in range(ROOMS_PER_LOCATION)])
        Equipment.objects.bulk_create([Equipment(location=loc, name=f"US {j + 1}", kind="ultrasound")
                                       for loc in locations for j in range(3)])
        follow_up = AppointmentType.objects.create(code="follow-up", name="Follow-up", patient_facing_name="Follow-up",
                                                   duration_minutes=20, room_kind="exam")
        AppointmentType.objects.create(code="new-patient", name="New patient", patient_facing_name="New patient",
                                       duration_minutes=40, new_patient=True, room_kind="exam")
        AppointmentType.objects.create(code="ultrasound", name="Ultrasound", patient_facing_name="Ultrasound",
                                       duration_minutes=30, room_kind="procedure", equipment_kinds=["ultrasound"],
                                       buffer_after_minutes=10, category="procedure")
        providers = Practitioner.objects.bulk_create([
            Practitioner(first_name="Pat", last_name=f"Provider{i:03d}", npi=npi_complete(f"1{i:08d}"))
            for i in range(LOCATIONS * PROVIDERS_PER_LOCATION)])
        through = Practitioner.locations.through
        through.objects.bulk_create([
            through(practitioner_id=p.pk, location_id=locations[i // PROVIDERS_PER_LOCATION].pk)
            for i, p in enumerate(providers)])
        today = dt.date.today()
        AvailabilityTemplate.objects.bulk_create([
            AvailabilityTemplate(practitioner=p, location=locations[i // PROVIDERS_PER_LOCATION], weekday=day,
                                 start_time=DAY_START, end_time=DAY_END, effective_from=today - dt.timedelta(days=400))
            for i, p in enumerate(providers) for day in range(6)])
        user = User.objects.create(username="bench-coordinator", role="practice_coordinator")
        del user
        patients = []
        for n in range(PATIENTS):
            patient = Patient(mrn=mrn_from_sequence(900000 + n), family_name=f"Bench{n % 997}", given_name=f"P{n}",
                              birth_date=dt.date(1950, 1, 1) + dt.timedelta(days=n % 20000), sex="female",
                              home_location=locations[n % LOCATIONS])
            patients.append(fill_search_keys(patient))
        Patient.objects.bulk_create(patients, batch_size=5000)
    patient_ids = list(Patient.objects.order_by("pk").values_list("pk", flat=True))[:PATIENTS]

    slots_per_day = (DAY_END.hour - DAY_START.hour) * 60 // SLOT_MINUTES
    first = dt.date.today() - dt.timedelta(days=182)
    days = [first + dt.timedelta(days=i) for i in range(365) if (first + dt.timedelta(days=i)).weekday() < 6]
    from zoneinfo import ZoneInfo

    tz = ZoneInfo(TZ)
    now = dt.datetime.now(dt.UTC)
    exam_rooms = {loc.pk: [r.pk for r in rooms if r.location_id == loc.pk and r.kind == "exam"] for loc in locations}
    with connection.cursor() as cursor:
        cursor.execute("SELECT COALESCE(MAX(id), 0) FROM scheduling_appointment")
        next_id = cursor.fetchone()[0] + 1
        cursor.execute("ALTER TABLE scheduling_resourcebooking DROP CONSTRAINT IF EXISTS booking_no_overlap")
    raw = connection.connection  # psycopg 3

    def rows():  # deterministic: run twice, once per COPY (one COPY at a time on a connection)
        rng = random.Random(7)
        counter = 0
        appointment_id = next_id
        for day in days:
            day_start = local_to_utc(day, DAY_START, tz)
            for slot in range(slots_per_day):
                start = day_start + dt.timedelta(minutes=SLOT_MINUTES * slot)
                end = start + dt.timedelta(minutes=SLOT_MINUTES)
                status = "fulfilled" if start < now else "booked"
                counter += 1
                for index, provider in enumerate(providers):
                    if rng.random() > FILL:
                        continue
                    location = locations[index // PROVIDERS_PER_LOCATION]
                    patient = patient_ids[(counter * len(providers) + index) % PATIENTS]
                    room = exam_rooms[location.pk][index % PROVIDERS_PER_LOCATION]
                    yield appointment_id, patient, provider.pk, location.pk, room, start, end, status
                    appointment_id += 1

    appointment_rows = 0
    with raw.cursor() as cur, cur.copy(
            'COPY scheduling_appointment (id, patient_id, practitioner_id, location_id, room_id, appointment_type_id, '
            'start, "end", status, telehealth, note, overbooked, overbook_reason, cancel_reason, late_cancel, '
            'checklist_done, confirmed_via, created_at, updated_at) FROM STDIN') as copy:
        for a_id, patient, provider_id, location_id, room, start, end, status in rows():
            copy.write_row((a_id, patient, provider_id, location_id, room, follow_up.pk, start, end, status, False, "",
                            False, "", "", False, "[]", "", now, now))
            appointment_rows += 1
    with raw.cursor() as cur, cur.copy('COPY scheduling_resourcebooking (appointment_id, resource_kind, resource_id, '
                                       'start, "end", exclusive) FROM STDIN') as copy:
        for a_id, patient, provider_id, _location_id, room, start, end, _status in rows():
            copy.write_row((a_id, "practitioner", provider_id, start, end, True))
            copy.write_row((a_id, "patient", patient, start, end, True))
            copy.write_row((a_id, "room", room, start, end, True))
    next_id += appointment_rows
    raw.commit()
    with connection.cursor() as cursor:
        cursor.execute("SELECT setval(pg_get_serial_sequence('scheduling_appointment', 'id'), %s)", [next_id])
        cursor.execute('ALTER TABLE scheduling_resourcebooking ADD CONSTRAINT booking_no_overlap EXCLUDE USING gist '
                       '(resource_kind WITH =, resource_id WITH =, tstzrange("start", "end", \'[)\') WITH &&) '
                       'WHERE (exclusive)')
    with connection.cursor() as cursor:  # outside a transaction: VACUUM sets the visibility map, as autovacuum
        cursor.execute("VACUUM (ANALYZE)")  # does on a settled database (index-only scans skip the table)
    print(f"loaded {appointment_rows} appointments", flush=True)


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(share * (len(ordered) - 1)))]
