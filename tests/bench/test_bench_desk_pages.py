"""bench/bench_desk_pages.py still runs (as tests/bench/test_benchmarks_run.py does for the others): its --quick
mode builds a small demo practice into a scratch SQLite file and measures every desk page three times."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
PAGES = ("home (desk)", "home (coordinator)", "home (provider)", "arrivals", "flow board", "day view", "week view",
         "patient search", "chart", "check-in", "check-out", "cash drawer", "inbox")


def test_the_desk_pages_benchmark_builds_the_demo_and_measures_every_page(tmp_path):
    environment = {key: value for key, value in os.environ.items() if key != "DATABASE_URL"}
    done = subprocess.run(
        [sys.executable, str(ROOT / "bench" / "bench_desk_pages.py"), "--sqlite", "--quick", "--rebuild"],
        cwd=ROOT, capture_output=True, text=True, timeout=600,
        env={**environment, "BENCH_DESK_SQLITE": str(tmp_path / "desk.sqlite3"),
             "STATIC_ROOT": str(tmp_path / "static")})
    assert done.returncode == 0, done.stdout[-2000:] + done.stderr[-3000:]
    for page in PAGES:
        assert f"| {page} |" in done.stdout, page
