"""bench/bench_desk_pages.py still runs (as tests/bench/test_benchmarks_run.py does for the others): its --quick
mode builds a small demo practice into a scratch database of the suite's engine (a SQLite file, or a PostgreSQL
database) and measures every desk page three times. The scratch database is a copy of the session's migrated
template (tests/migrated_template.py), so the benchmark's own `migrate` finds nothing to apply."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
PAGES = ("home (desk)", "home (coordinator)", "home (provider)", "arrivals", "flow board", "day view", "week view",
         "patient search", "chart", "check-in", "check-out", "cash drawer", "inbox")


def test_the_desk_pages_benchmark_builds_the_demo_and_measures_every_page(migrated_database, tmp_path):
    environment = {key: value for key, value in os.environ.items() if key != "DATABASE_URL"}
    url = migrated_database.url("desk")  # new, so no --rebuild
    if migrated_database.vendor == "sqlite":
        arguments, database = ["--sqlite"], {"BENCH_DESK_SQLITE": url.removeprefix("sqlite:///")}
    else:
        arguments, database = [], {"BENCH_DESK_DATABASE_URL": url}
    done = subprocess.run(
        [sys.executable, str(ROOT / "bench" / "bench_desk_pages.py"), *arguments, "--quick"],
        cwd=ROOT, capture_output=True, text=True, timeout=600,
        env={**environment, **database, "STATIC_ROOT": str(tmp_path / "static")})
    assert done.returncode == 0, done.stdout[-2000:] + done.stderr[-3000:]
    for page in PAGES:
        assert f"| {page} |" in done.stdout, page
