"""The benchmarks run at full size by hand (bench/RESULTS.md holds those runs), not in CI; but a benchmark that
no longer runs is worse than none (bench_fhir.py once broke on a new NOT NULL column and nobody saw). So the
PostgreSQL ones that build their own data run here at a tiny size, each against a scratch database of its own."""

from __future__ import annotations

import os
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest
from django.db import connection

ROOT = Path(__file__).resolve().parents[2]

pytestmark = pytest.mark.skipif(connection.vendor != "postgresql",
                                reason="these benchmarks build their data set on PostgreSQL")


@dataclass
class Scratch:
    name: str  # derived from the test database's name
    url: str
    env: dict[str, str]  # BENCH_TEMPLATE_DATABASE: the session's migrated template, when there is one


@pytest.fixture
def scratch(migrated_database):
    """The benchmark's scratch database, which the benchmark creates as a copy of the session's migrated template
    (bench/scratch_db.py), so that its own `migrate` finds nothing to apply. Dropped afterwards."""
    name = migrated_database.name("bench")
    template = migrated_database.template_name
    env = {"BENCH_TEMPLATE_DATABASE": template} if template else {}
    return Scratch(name, migrated_database.template.url(name), env)


def _bench(script: str, *args: str, env: dict[str, str]) -> str:
    environment = {key: value for key, value in os.environ.items() if key != "DATABASE_URL"}
    done = subprocess.run([sys.executable, str(ROOT / "bench" / script), *args], cwd=ROOT, capture_output=True,
                          text=True, timeout=300, env={**environment, **env})
    assert done.returncode == 0, done.stdout[-2000:] + done.stderr[-3000:]
    return done.stdout


def test_the_fhir_benchmark_builds_its_data_and_measures(scratch):
    out = _bench("bench_fhir.py", "--rebuild", "--patients", "300", "--appointments", "2000", "--queries", "10",
                 env={"BENCH_FHIR_DATABASE_URL": scratch.url, **scratch.env})
    assert "300 patients, 2000 appointments" in out
    assert "| slots-month |" in out and "| name+birthdate |" in out


def test_the_reminders_benchmark_plans_and_sends_through_a_real_worker(scratch):
    out = _bench("bench_reminders.py", "--messages", "40", "--backend", "database", "--workers", "1",
                 env={"BENCH_REMINDERS_DATABASE": scratch.name, **scratch.env})
    assert "delivered=40 marked_sent=40" in out
