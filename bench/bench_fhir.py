"""FHIR API at scale: Patient search by name and birthdate, and Slot search over a month, at 100,000
patients and 1,000,000 appointments on PostgreSQL. p50/p95 of the whole request (bearer token check,
search parsing, selectors, versions, audit entry, JSON rendering) through Django's test client.

    .venv/bin/python bench/bench_fhir.py                 # build once (reused), then measure
    .venv/bin/python bench/bench_fhir.py --rebuild --queries 300

Scratch database: BENCH_FHIR_DATABASE_URL (default postgres://postgres@127.0.0.1:5432/clinicdesk_bench_fhir).
Data: 5 locations, 100 providers (20 per location) working 8:00-17:00 on weekdays, 100,000 patients
with Faker names, 1,000,000 booked 20-minute follow-ups (87% of weekday slots, about 15 months back and 5
forward) with their practitioner and patient resource bookings, loaded with COPY.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import random
import statistics
import sys
import time
from pathlib import Path

from scratch_db import ensure_scratch_database

ROOT = Path(__file__).resolve().parents[1]
DEFAULT_URL = "postgres://postgres@127.0.0.1:5432/clinicdesk_bench_fhir"
LOCATIONS, PROVIDERS_PER_LOCATION = 5, 20
PATIENTS, APPOINTMENTS = 100_000, 1_000_000
DAY_START, DAY_END, SLOT_MINUTES, FILL = dt.time(8), dt.time(17), 20, 0.87
TZ = "America/New_York"


def setup_django(rebuild: bool) -> None:

    url = os.environ.get("BENCH_FHIR_DATABASE_URL", DEFAULT_URL)
    ensure_scratch_database(url, rebuild=rebuild)
    os.environ["DATABASE_URL"] = url
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "clinicdesk.settings")
    os.environ.setdefault("LOG_LEVEL", "WARNING")
    sys.path[:0] = [str(ROOT / "src"), str(ROOT)]
    import django

    django.setup()


def build(patients_wanted: int = PATIENTS, appointments_wanted: int = APPOINTMENTS) -> None:
    from django.core.management import call_command
    from django.db import connection, transaction
    from faker import Faker

    from clinicdesk.core.identifiers import mrn_from_sequence, npi_complete
    from clinicdesk.core.timezones import local_to_utc
    from clinicdesk.patients.keys import fill_search_keys
    from clinicdesk.patients.models import Patient
    from clinicdesk.practice.models import Location, Organization, Practitioner
    from clinicdesk.scheduling.models import AppointmentType, AvailabilityTemplate

    call_command("migrate", interactive=False, verbosity=0)
    if Organization.objects.filter(name="FHIR Bench Group").exists():
        return
    started = time.perf_counter()
    rng = random.Random(7)
    fake = Faker("en_US")
    fake.seed_instance(7)
    families = sorted({fake.last_name() for _ in range(6000)})
    givens = sorted({fake.first_name() for _ in range(6000)})
    today = dt.date.today()
    with transaction.atomic():
        org = Organization.objects.create(name="FHIR Bench Group")
        locations = [Location.objects.create(organization=org, code=f"fb{i}", name=f"Bench {i}", address_line="1 Main",
                                             city="Springfield", state="MA", postal_code="01103", phone="1",
                                             time_zone=TZ) for i in range(LOCATIONS)]
        follow_up = AppointmentType.objects.create(code="follow-up", name="Follow-up", patient_facing_name="Follow-up",
                                                   duration_minutes=SLOT_MINUTES)
        providers = Practitioner.objects.bulk_create([
            Practitioner(first_name=rng.choice(givens), last_name=rng.choice(families), npi=npi_complete(f"2{i:08d}"))
            for i in range(LOCATIONS * PROVIDERS_PER_LOCATION)])
        through = Practitioner.locations.through
        through.objects.bulk_create([
            through(practitioner_id=p.pk, location_id=locations[i // PROVIDERS_PER_LOCATION].pk)
            for i, p in enumerate(providers)])
        AvailabilityTemplate.objects.bulk_create([
            AvailabilityTemplate(practitioner=p, location=locations[i // PROVIDERS_PER_LOCATION], weekday=day,
                                 start_time=DAY_START, end_time=DAY_END, effective_from=today - dt.timedelta(days=800))
            for i, p in enumerate(providers) for day in range(5)])
        patients = []
        for n in range(patients_wanted):
            patient = Patient(mrn=mrn_from_sequence(700000 + n), family_name=rng.choice(families),
                              given_name=rng.choice(givens), birth_date=dt.date(1930, 1, 1) + dt.timedelta(
                                  days=rng.randrange(33000)), sex=rng.choice(("female", "male")),
                              phone=f"(413) 555-{n % 10000:04d}", home_location=locations[n % LOCATIONS])
            patients.append(fill_search_keys(patient))
        Patient.objects.bulk_create(patients, batch_size=5000)
    print(f"patients in {time.perf_counter() - started:.0f} s", flush=True)
    patient_ids = list(Patient.objects.order_by("pk").values_list("pk", flat=True))
    from zoneinfo import ZoneInfo

    tz = ZoneInfo(TZ)
    now = dt.datetime.now(dt.UTC)
    slots_per_day = (DAY_END.hour - DAY_START.hour) * 60 // SLOT_MINUTES
    per_day = int(slots_per_day * len(providers) * FILL)
    weekdays_needed = appointments_wanted // per_day + 1
    first = today - dt.timedelta(days=int(weekdays_needed * 7 / 5 * 0.75))
    with connection.cursor() as cursor:
        cursor.execute("SELECT COALESCE(MAX(id), 0) FROM scheduling_appointment")
        first_id = cursor.fetchone()[0] + 1
        cursor.execute("ALTER TABLE scheduling_resourcebooking DROP CONSTRAINT IF EXISTS booking_no_overlap")
    raw = connection.connection

    def rows():  # deterministic: run once per COPY (one COPY at a time on a connection)
        pick = random.Random(8)
        written, counter, day, next_id = 0, 0, first, first_id
        while written < appointments_wanted:
            if day.weekday() < 5:
                day_start = local_to_utc(day, DAY_START, tz)
                for slot in range(slots_per_day):
                    start = day_start + dt.timedelta(minutes=SLOT_MINUTES * slot)
                    end = start + dt.timedelta(minutes=SLOT_MINUTES)
                    counter += 1
                    for index, provider in enumerate(providers):
                        if pick.random() > FILL or written >= appointments_wanted:
                            continue
                        patient = patient_ids[(counter * len(providers) + index) % len(patient_ids)]
                        yield next_id, patient, provider.pk, locations[index // PROVIDERS_PER_LOCATION].pk, start, end
                        next_id += 1
                        written += 1
            day += dt.timedelta(days=1)

    with raw.cursor() as cur, cur.copy(
            'COPY scheduling_appointment (id, patient_id, practitioner_id, location_id, appointment_type_id, start, '
            '"end", status, telehealth, note, overbooked, overbook_reason, cancel_reason, late_cancel, '
            'checklist_done, confirmed_via, created_at, updated_at) FROM STDIN') as copy:
        for ident, patient, provider_id, location_id, start, end in rows():
            copy.write_row((ident, patient, provider_id, location_id, follow_up.pk, start, end,
                            "fulfilled" if start < now else "booked", False, "", False, "", "", False, "[]", "", now,
                            now))
    print(f"appointments in {time.perf_counter() - started:.0f} s", flush=True)
    written, next_id = 0, first_id
    with raw.cursor() as cur, cur.copy('COPY scheduling_resourcebooking (appointment_id, resource_kind, resource_id, '
                                       'start, "end", exclusive) FROM STDIN') as copy:
        for ident, patient, provider_id, _location_id, start, end in rows():
            copy.write_row((ident, "practitioner", provider_id, start, end, True))
            copy.write_row((ident, "patient", patient, start, end, True))
            written, next_id = written + 1, ident + 1
    raw.commit()
    with connection.cursor() as cursor:
        cursor.execute("SELECT setval(pg_get_serial_sequence('scheduling_appointment', 'id'), %s)", [next_id])
        cursor.execute('ALTER TABLE scheduling_resourcebooking ADD CONSTRAINT booking_no_overlap EXCLUDE USING gist '
                       '(resource_kind WITH =, resource_id WITH =, tstzrange("start", "end", \'[)\') WITH &&) '
                       'WHERE (exclusive)')
        cursor.execute("ANALYZE")
    print(f"built {written} appointments in {time.perf_counter() - started:.0f} s", flush=True)


def pct(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(share * (len(ordered) - 1)))]


def measure(queries: int) -> None:
    import io

    from django.core.management import call_command
    from django.test import Client
    from oauth2_provider.models import AccessToken, get_application_model

    from clinicdesk.patients.models import Patient
    from clinicdesk.practice.models import Practitioner

    out = io.StringIO()
    call_command("fhir-client", "create", f"bench-{time.time():.0f}", "--scopes",
                 "system/Patient.rs system/Slot.rs system/Schedule.rs", stdout=out)
    client_id = out.getvalue().split("client_id: ")[1].split()[0]
    application = get_application_model().objects.get(client_id=client_id)
    token = AccessToken.objects.create(application=application, token=f"bench-{client_id}",
                                       scope="system/Patient.rs system/Slot.rs system/Schedule.rs",
                                       expires=dt.datetime.now(dt.UTC) + dt.timedelta(hours=2))
    client = Client(HTTP_AUTHORIZATION=f"Bearer {token.token}")
    rng = random.Random(11)
    sample = list(Patient.objects.order_by("?").values_list("family_name", "given_name", "birth_date")[:queries])
    providers = list(Practitioner.objects.filter(npi__startswith="2").prefetch_related("locations"))

    def run(params: dict[str, str], path: str = "Patient") -> float:
        started = time.perf_counter()
        response = client.get(f"/fhir/r4/{path}", params)
        elapsed = (time.perf_counter() - started) * 1000
        assert response.status_code == 200, response.content[:300]
        return elapsed

    for family, _given, _birth in sample[:20]:  # warm-up
        run({"family": family[:3]})
    results: dict[str, list[float]] = {"name": [], "birthdate": [], "name+birthdate": [], "slots-month": []}
    for family, given, birth in sample:
        kind = rng.choice(["prefix", "full", "given-family"])
        name_query = ({"family": family[: rng.randint(3, max(3, len(family)))]} if kind == "prefix" else
                      {"family": family} if kind == "full" else {"name": f"{given} {family}"})
        results["name"].append(run({**name_query, "_count": "20"}))
        results["birthdate"].append(run({"birthdate": birth.isoformat(), "_count": "20"}))
        results["name+birthdate"].append(run({"family": family[:4], "birthdate": f"ge{birth.year}-01-01",
                                              "_count": "20"}))
    first_of_month = dt.date.today().replace(day=1) + dt.timedelta(days=32)
    first_of_month = first_of_month.replace(day=1)
    for _ in range(max(50, queries // 4)):
        provider = rng.choice(providers)
        location = provider.locations.all()[0]
        results["slots-month"].append(run({
            "schedule": f"Schedule/{provider.pk}-{location.pk}", "service-type": "follow-up", "status": "free",
            "start": [f"ge{first_of_month.isoformat()}", f"lt{(first_of_month + dt.timedelta(days=31)).isoformat()}"],
            "_count": "50"}, "Slot"))
    print("| Query | n | p50 | p95 | max |\n|---|---|---|---|---|")
    for name, values in results.items():
        print(f"| {name} | {len(values)} | {statistics.median(values):.1f} ms | {pct(values, 0.95):.1f} ms | "
              f"{max(values):.1f} ms |")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rebuild", action="store_true")
    parser.add_argument("--queries", type=int, default=300)
    parser.add_argument("--patients", type=int, default=PATIENTS, help="when building (a smaller set for a smoke run)")
    parser.add_argument("--appointments", type=int, default=APPOINTMENTS, help="when building")
    args = parser.parse_args()
    setup_django(args.rebuild)
    build(args.patients, args.appointments)
    from clinicdesk.patients.models import Patient
    from clinicdesk.scheduling.models import Appointment

    print(f"{Patient.objects.count()} patients, {Appointment.objects.count()} appointments", flush=True)
    measure(args.queries)


if __name__ == "__main__":
    main()
