"""The scratch PostgreSQL database a benchmark builds once and reuses (`--rebuild` starts over)."""

from __future__ import annotations

import os
from urllib.parse import urlparse

TEMPLATE_VARIABLE = "BENCH_TEMPLATE_DATABASE"


def ensure_scratch_database(url: str, *, rebuild: bool, template: str | None = None) -> None:
    """Create the database named in `url` if it is missing; drop it first when `rebuild`.

    A new database is a copy of `template` (default: the BENCH_TEMPLATE_DATABASE environment variable), a
    migrated database on the same server, when one is named: the test suite's smoke runs (tests/bench/) pass
    theirs so that the benchmark's own `migrate` finds nothing to apply. Unset, the database starts empty."""
    import psycopg

    template = template or os.environ.get(TEMPLATE_VARIABLE) or None
    parts = urlparse(url)
    name = parts.path.lstrip("/")
    with psycopg.connect(host=parts.hostname, port=parts.port or 5432, user=parts.username,
                         password=parts.password, dbname="postgres", autocommit=True) as conn:
        exists = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", (name,)).fetchone()
        if exists and rebuild:
            conn.execute(f'DROP DATABASE "{name}" WITH (FORCE)')
            exists = None
        if not exists:
            conn.execute(f'CREATE DATABASE "{name}"' + (f' TEMPLATE "{template}"' if template else ""))


def build_demo_patients(patients: int, *, seed: int = 7) -> float:
    """Into the configured (migrated, empty) database: the demo builder's practice, staff and `patients` patients,
    in one transaction. Returns the seconds it took. Django must be set up."""
    import time

    from django.db import transaction

    from clinicdesk.demo.builder import DemoBuilder

    started = time.perf_counter()
    builder = DemoBuilder(seed=seed)
    with transaction.atomic():
        locations, *_ = builder.build_practice()
        builder.build_staff(locations)
        builder.build_patients(patients, locations)
    return time.perf_counter() - started
