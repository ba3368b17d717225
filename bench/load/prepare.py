"""Prepares a demo database for the load test and writes what the simulated users need to know.

    DATABASE_URL=postgres://.../clinicdesk_load_template python bench/load/prepare.py var/load-sample.json

Run once, after `clinicdesk demo --patients 100000`, on the template database that every load run copies.
The demo practice is used as built; this only registers a FHIR back-end client (client credentials, with the
`fhir-client` command) and writes a JSON sample of what the simulated users need: patients to search for and
open (per home location), the desk accounts, the practitioners, the follow-up type, the FHIR client's id and
secret. The file holds generated demo data only.
"""

from __future__ import annotations

import datetime as dt
import io
import json
import os
import random
import sys
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]
SAMPLE_PATIENTS = 3000


def main() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "clinicdesk.settings")
    os.environ["TASK_BACKEND"] = "immediate"  # nothing left queued for the load run's worker
    sys.path[:0] = [str(ROOT / "src")]
    import django

    django.setup()
    out = Path(sys.argv[1] if len(sys.argv) > 1 else ROOT / "var" / "load-sample.json")
    rng = random.Random(20261123)
    started = time.perf_counter()
    sample = write_sample(rng)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(sample, indent=1))
    print(f"prepared in {time.perf_counter() - started:.0f} s: sample in {out}", flush=True)


def write_sample(rng: random.Random) -> dict[str, Any]:
    from django.conf import settings
    from django.core.management import call_command

    from clinicdesk.accounts.models import User
    from clinicdesk.patients.models import Patient
    from clinicdesk.practice.models import Location, Practitioner
    from clinicdesk.scheduling.models import AppointmentType

    out = io.StringIO()
    scopes = "system/Patient.rs system/Slot.rs system/Schedule.rs"
    call_command("fhir-client", "create", "Load test portal", "--scopes", scopes, stdout=out)
    fhir = dict(line.split(": ", 1) for line in out.getvalue().splitlines())
    locations = {}
    for location in Location.objects.order_by("pk"):
        patients = rng.sample(list(Patient.objects.filter(home_location=location, active=True, restricted=False)
                                   .order_by("pk").values("pk", "family_name", "given_name", "birth_date", "mrn",
                                                          "phone")), SAMPLE_PATIENTS)
        locations[str(location.pk)] = {
            "name": location.name, "time_zone": location.time_zone,
            "desk_users": list(User.objects.filter(role="front_desk", locations=location, is_active=True)
                               .order_by("username").values_list("username", flat=True)),
            "practitioners": list(Practitioner.objects.filter(locations=location, active=True).order_by("pk")
                                  .values_list("pk", flat=True)),
            "patients": [{**p, "birth_date": p["birth_date"].isoformat()} for p in patients],
        }
    return {
        "password": "clinicdesk-demo",
        "session_cookie": settings.SESSION_COOKIE_NAME,
        "follow_up_type": AppointmentType.objects.get(code="follow-up").pk,
        "locations": locations,
        "fhir": {"client_id": fhir["client_id"], "client_secret": fhir["client_secret"], "scope": scopes},
        "built": dt.datetime.now(dt.UTC).isoformat(),
    }


if __name__ == "__main__":
    main()
