"""The benchmarks run at full size by hand (bench/RESULTS.md holds those runs), not in CI; but a benchmark that
no longer runs is worse than none (bench_fhir.py once broke on a new NOT NULL column and nobody saw). So the
PostgreSQL ones that build their own data run here at a tiny size, each against a scratch database of its own."""

from __future__ import annotations

import os
import subprocess
import sys
import uuid
from pathlib import Path

import pytest
from django.db import connection

ROOT = Path(__file__).resolve().parents[2]

pytestmark = pytest.mark.skipif(connection.vendor != "postgresql",
                                reason="these benchmarks build their data set on PostgreSQL")


@pytest.fixture
def scratch_name():
    import psycopg

    name = f"clinicdesk_bench_smoke_{uuid.uuid4().hex[:8]}"
    yield name
    with psycopg.connect("host=127.0.0.1 user=postgres dbname=postgres", autocommit=True) as admin:
        admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def _bench(script: str, *args: str, env: dict[str, str]) -> str:
    environment = {key: value for key, value in os.environ.items() if key != "DATABASE_URL"}
    done = subprocess.run([sys.executable, str(ROOT / "bench" / script), *args], cwd=ROOT, capture_output=True,
                          text=True, timeout=300, env={**environment, **env})
    assert done.returncode == 0, done.stdout[-2000:] + done.stderr[-3000:]
    return done.stdout


def test_the_fhir_benchmark_builds_its_data_and_measures(scratch_name):
    out = _bench("bench_fhir.py", "--rebuild", "--patients", "300", "--appointments", "2000", "--queries", "10",
                 env={"BENCH_FHIR_DATABASE_URL": f"postgres://postgres@127.0.0.1:5432/{scratch_name}"})
    assert "300 patients, 2000 appointments" in out
    assert "| slots-month |" in out and "| name+birthdate |" in out


def test_the_reminders_benchmark_plans_and_sends_through_a_real_worker(scratch_name):
    out = _bench("bench_reminders.py", "--messages", "40", "--backend", "database", "--workers", "1",
                 env={"BENCH_REMINDERS_DATABASE": scratch_name})
    assert "delivered=40 marked_sent=40" in out
