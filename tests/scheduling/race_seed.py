"""Seeds (or counts) the race test's own database. Run as a separate process with DATABASE_URL set:

    python -m tests.scheduling.race_seed seed 64     -> migrates, seeds, prints JSON for the test
    python -m tests.scheduling.race_seed count       -> prints the number of booked appointments
"""

from __future__ import annotations

import datetime as dt
import json
import os
import sys


def main() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "clinicdesk.settings")
    import django

    django.setup()
    from django.core.management import call_command

    from clinicdesk.scheduling.models import Appointment

    if sys.argv[1] == "count":
        print(json.dumps({
            "booked": Appointment.objects.filter(status="booked").count(),
            "starts": sorted({a.isoformat() for a in Appointment.objects.values_list("start", flat=True)}),
        }))
        return
    clients = int(sys.argv[2])
    call_command("migrate", interactive=False, verbosity=0)
    call_command("createcachetable", verbosity=0)
    print(json.dumps(_seed(clients)))


def _seed(clients: int) -> dict:
    from django.conf import settings
    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
    from django.contrib.sessions.backends.db import SessionStore

    from clinicdesk.accounts.models import User
    from clinicdesk.core.identifiers import mrn_from_sequence, npi_complete
    from clinicdesk.core.timezones import local_to_utc
    from clinicdesk.patients.models import Patient
    from clinicdesk.practice.models import Location, Organization, Practitioner
    from clinicdesk.scheduling.models import AppointmentType, AvailabilityTemplate

    org = Organization.objects.create(name="Race Clinic")
    location = Location.objects.create(organization=org, code="race", name="Race", address_line="1 Main",
                                       city="Springfield", state="MA", postal_code="01103", phone="1",
                                       time_zone="America/New_York")
    doctor = Practitioner.objects.create(first_name="Ada", last_name="Race", npi=npi_complete("199999999"))
    doctor.locations.add(location)
    kind = AppointmentType.objects.create(code="follow-up", name="Follow-up", patient_facing_name="Follow-up",
                                          duration_minutes=20)
    day = dt.date.today() + dt.timedelta(days=14)
    # Ten 20-minute slots: 9:00-12:20 on that weekday, every week.
    AvailabilityTemplate.objects.create(practitioner=doctor, location=location, weekday=day.weekday(),
                                        start_time=dt.time(9), end_time=dt.time(12, 20),
                                        effective_from=dt.date.today())
    starts = [local_to_utc(day, dt.time(9), location.tz) + dt.timedelta(minutes=20 * i) for i in range(10)]
    patients = Patient.objects.bulk_create([
        Patient(mrn=mrn_from_sequence(700000 + i), family_name="Racer", given_name=f"P{i}",
                birth_date=dt.date(1980, 1, 1), sex="female", home_location=location, name_key="racer",
                given_key=f"p{i}") for i in range(clients)])
    sessions = []
    for i in range(clients):
        user = User.objects.create(username=f"desk{i}", role="front_desk")
        user.locations.add(location)
        store = SessionStore()
        store[SESSION_KEY] = str(user.pk)
        store[BACKEND_SESSION_KEY] = "django.contrib.auth.backends.ModelBackend"
        store[HASH_SESSION_KEY] = user.get_session_auth_hash()
        store.create()
        sessions.append(store.session_key)
    return {"location": location.pk, "practitioner": doctor.pk, "type": kind.pk,
            "patients": [p.pk for p in patients], "sessions": sessions, "starts": [s.isoformat() for s in starts],
            "session_cookie": settings.SESSION_COOKIE_NAME}


if __name__ == "__main__":
    main()
