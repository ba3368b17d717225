"""Outreach campaigns (issue #24 item 4): a cohort over 1,000,000 patients selected in under 2 s on PostgreSQL, and
50,000 campaign messages queued in under 60 s.

Builds a throw-away practice set-based (INSERT ... SELECT over generate_series: no Python per row): 2 locations,
1,000,000 patients (ages 0-99, half of them with e-mail opt-in and an address), about 1,000,000 completed visits
(follow-ups, a colorectal screening for some, visits with a provider who left), and a recorded outreach consent
for 60,000 patients. Then times, through the same code the screens call:
- the cohort count (`campaign_selectors.cohort_queryset(...).count()`) for three cohorts of the issue;
- `cohort_freeze` (one INSERT ... SELECT of the members);
- `wave_send(size=50,000)`: the members' chart fields read as plain rows in one query, consent decided per patient
  by `comms.consent.contact_refusal` over one read of the wave's consent records (`consent_prefetch`), each
  language's wording split once (`comms.compose.merge_compiled`: only the merge fields are filled per message),
  quiet hours read once, 50,000 outbox rows bulk-inserted in batches with their dedupe keys, the contacted members
  updated by one set-based UPDATE, one audit entry naming the wave's patients.
Sending itself is the outbox worker's, paced to each channel's rate limit (`comms.delivery.Pacer`,
COMMS_RATE_EMAIL / COMMS_RATE_SMS): not timed here.

    .venv/bin/python bench/bench_outreach_campaigns.py              # builds once, then reuses
    .venv/bin/python bench/bench_outreach_campaigns.py --rebuild --patients 1000000

The scratch database is `clinicdesk_campaigns` on the local PostgreSQL (bench/scratch_db.py).
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import statistics
import sys
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT), str(ROOT / "src")]
URL = "postgres://postgres@127.0.0.1:5432/clinicdesk_campaigns"
NOW = dt.datetime(2026, 11, 23, 15, 0, tzinfo=dt.UTC)
FILLER = {"character varying": "''", "text": "''", "boolean": "false", "date": "DATE '1970-01-01'",
          "integer": "0", "smallint": "0", "bigint": "0", "numeric": "0", "jsonb": "'[]'::jsonb",
          "timestamp with time zone": "now()", "uuid": "gen_random_uuid()", "time without time zone": "'00:00'"}


def _insert(cursor: Any, table: str, values: dict[str, str], source: str) -> None:
    """INSERT INTO table SELECT ... FROM source: the given column expressions, a neutral value for every other
    NOT NULL column without a database default."""
    cursor.execute("""SELECT column_name, data_type FROM information_schema.columns WHERE table_name = %s
                      AND is_nullable = 'NO' AND column_default IS NULL""", [table])
    required = {name: FILLER[kind] for name, kind in cursor.fetchall() if name != "id"}
    columns = required | values
    names = ", ".join('"' + name + '"' for name in columns)
    cursor.execute(f"INSERT INTO {table} ({names}) SELECT {', '.join(columns.values())} FROM {source}")


def build(patients: int) -> None:
    from django.db import connection, transaction
    from tests.factories import AppointmentTypeFactory, LocationFactory, PractitionerFactory

    with transaction.atomic():
        places = [LocationFactory(code=f"bench-c{n}", name=f"Bench {n}", time_zone="America/New_York",
                                  phone="(212) 555-0100") for n in range(2)]
        follow_up = AppointmentTypeFactory(code="follow-up", name="Follow-up")
        screening = AppointmentTypeFactory(code="colorectal", name="Colorectal screening", duration_minutes=30)
        doctors = [PractitionerFactory(location=places[0]) for _ in range(4)]
        left = PractitionerFactory(location=places[0], active=False)
        a, b = places[0].pk, places[1].pk
        with connection.cursor() as cursor:
            _insert(cursor, "patients_patient", {
                "mrn": "'B' || lpad(g::text, 9, '0')", "family_name": "'Family' || (g % 5000)",
                "given_name": "'Given' || g", "birth_date": "DATE '1926-12-01' + (g * 37 % 36500)",
                "sex": "CASE WHEN g % 2 = 0 THEN 'female' ELSE 'male' END",
                "preferred_language": "CASE WHEN g % 5 = 0 THEN 'es' ELSE 'en' END",
                "email": "CASE WHEN g % 2 = 0 THEN 'p' || g || '@example.org' ELSE '' END",
                "email_opt_in": "g % 2 = 0", "sms_opt_in": "false", "active": "true", "restricted": "false",
                "home_location_id": f"CASE WHEN g % 4 = 0 THEN {b} ELSE {a} END"},
                f"generate_series(1, {patients}) AS g")
            cursor.execute("SELECT min(id) FROM patients_patient WHERE mrn LIKE 'B%%'")
            first = cursor.fetchone()[0]
            # Visits: one completed follow-up for 70 % of patients (spread over 4 years), a colorectal screening
            # for 15 %, and a visit with the provider who left for 5 %.
            for share, kind, doctor, spread in ((70, follow_up.pk, doctors[0].pk, 1460), (15, screening.pk,
                                                doctors[1].pk, 3650), (5, follow_up.pk, left.pk, 1000)):
                _insert(cursor, "scheduling_appointment", {
                    "patient_id": "p.id", "practitioner_id": str(doctor), "location_id": "p.home_location_id",
                    "appointment_type_id": str(kind), "status": "'fulfilled'",
                    "start": f"TIMESTAMPTZ '{NOW.isoformat()}' - ((p.id * 13 % {spread}) || ' days')::interval",
                    "end": f"TIMESTAMPTZ '{NOW.isoformat()}' - ((p.id * 13 % {spread}) || ' days')::interval "
                               "+ interval '20 minutes'",
                    "created_at": "now()", "updated_at": "now()"},
                    f"patients_patient p WHERE p.id >= {first} AND (p.id * 7919) % 100 < {share}")
            _insert(cursor, "comms_consentrecord", {
                "patient_id": "p.id", "channel": "'email'", "purpose": "'outreach'", "granted": "true",
                "source": "'desk'", "at": "now() - interval '30 days'"},
                f"patients_patient p WHERE p.id >= {first} AND p.email_opt_in AND p.id % 100 < 12")
        print(f"providers: active {[d.pk for d in doctors]}, left {left.pk}; screening type {screening.pk}")
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")


def _stats(name: str, values: list[float]) -> None:
    values = sorted(values)
    p95 = values[max(0, int(len(values) * 0.95) - 1)]
    print(f"{name}: p50 {statistics.median(values) * 1000:.0f} ms, p95 {p95 * 1000:.0f} ms, n={len(values)}")


def measure(repeat: int) -> None:
    from django.db import connection
    from tests.factories import UserFactory

    from clinicdesk.accounts.models import User
    from clinicdesk.comms.models import Message
    from clinicdesk.core.permissions import Role
    from clinicdesk.outreach import campaign_selectors as selectors
    from clinicdesk.outreach import campaign_services as services
    from clinicdesk.practice.models import Location, Practitioner
    from clinicdesk.scheduling.models import AppointmentType

    home = Location.objects.get(code="bench-c0")
    other = Location.objects.get(code="bench-c1")
    screening = AppointmentType.objects.get(code="colorectal")
    left = Practitioner.objects.filter(active=False).first()
    coordinator = (User.objects.filter(role=Role.PRACTICE_COORDINATOR).first()
                   or UserFactory(role=Role.PRACTICE_COORDINATOR, location=home, username="bench-coordinator"))
    both = [home.pk, other.pk]
    cohorts = {
        "50-75, no colorectal screening in 10 years": {"locations": both, "age_min": 50, "age_max": 75,
                                                       "missing_type": screening.pk, "missing_type_months": 120},
        "no completed visit for 18 months": {"locations": both, "no_visit_months": 18},
        "patients of a provider who left": {"locations": both, "provider": left.pk if left else None},
        "every patient (both locations)": {"locations": both},
    }
    for name, filters in cohorts.items():
        clean = selectors.filters_clean(filters, default_location=home.pk)
        times, count = [], 0
        for _ in range(repeat):
            start = time.perf_counter()
            count = selectors.cohort_queryset(clean).count()
            times.append(time.perf_counter() - start)
        _stats(f"cohort count, {name} ({count:,} patients)", times)

    # The 50,000-message wave: a cohort of adults with an e-mail address (about half consented to outreach).
    from clinicdesk.core import clock

    with clock.frozen_at(NOW):
        campaign = services.campaign_create(
            actor=coordinator, location_id=home.pk, name=f"Bench {time.time():.0f}",
            filters={"locations": both, "ages": "adults"}, cost_email="0.002",
            email_subject_en="Time for your screening", email_body_en="Dear {{ patient.first_name }}, call us.",
            email_subject_es="Hora de su chequeo", email_body_es="Estimado/a {{ patient.first_name }}, llámenos.")
        start = time.perf_counter()
        size = services.cohort_freeze(actor=coordinator, campaign_id=campaign.pk)
        print(f"cohort_freeze: {size:,} members in {(time.perf_counter() - start) * 1000:.0f} ms")
        services.campaign_approve(actor=coordinator, campaign_id=campaign.pk)
        # Only the consenting members: the wave of 50,000 messages (others would be "not contactable", and cost
        # the same consent look-up each).
        from clinicdesk.comms.models import ConsentRecord
        from clinicdesk.outreach.models import CampaignMember

        consenting = ConsentRecord.objects.filter(purpose="outreach", granted=True).values("patient_id")
        CampaignMember.objects.filter(campaign=campaign).exclude(patient_id__in=consenting).update(excluded=True)
        before = Message.objects.count()
        start, cpu, load = time.perf_counter(), time.process_time(), os.getloadavg()[0]
        result = services.wave_send(actor=coordinator, campaign_id=campaign.pk, size=50_000)
        took, cpu = time.perf_counter() - start, time.process_time() - cpu
        print(f"wave_send: {result['contacted']:,} messages queued, {result['not_contactable']:,} not contactable "
              f"in {took:.1f} s, of which {cpu:.1f} s this process's CPU ({Message.objects.count() - before:,} "
              f"outbox rows; load average {load:.1f} before it)")
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM patients_patient")
        print(f"patients: {cursor.fetchone()[0]:,}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--patients", type=int, default=1_000_000)
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--rebuild", action="store_true")
    args = parser.parse_args()

    sys.path.insert(0, str(ROOT / "bench"))
    from scratch_db import ensure_scratch_database

    ensure_scratch_database(URL, rebuild=args.rebuild)
    os.environ["DATABASE_URL"] = URL
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "clinicdesk.settings")
    import django

    django.setup()
    from django.core.management import call_command

    from clinicdesk.patients.models import Patient

    call_command("migrate", verbosity=0)
    if not Patient.objects.filter(mrn__startswith="B").exists():
        start = time.perf_counter()
        build(args.patients)
        print(f"built in {time.perf_counter() - start:.1f} s")
    print(f"load average {os.getloadavg()[0]:.1f} (2 cores)")
    measure(args.repeat)
    print(f"load average after: {os.getloadavg()[0]:.1f}")


if __name__ == "__main__":
    main()
