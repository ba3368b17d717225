"""200 patients booking in the portal at once, over HTTP (issue #23, Speed: p95 under 1 s, no double booking), with
code trees side by side in one run (rounds alternate between them), each served by gunicorn as `serve` starts it.

    git worktree add /tmp/before <commit>
    .venv/bin/python bench/bench_portal_booking.py --runs 5        # builds clinicdesk_bench_portal (once)
    .venv/bin/python bench/bench_portal_load.py --tree before=/tmp/before --tree after=. [--rounds 2]

Each round and tree: 200 fresh portal sessions (bench patients not used before in the run), gunicorn with 3 sync
workers on the portal database (the web tier alone: no worker or ticker, as in bench/RESULTS.md), then locust
(bench/load/locust_portal.py: the options page, then one of the first three times offered, a patient's pause of
5-15 s between pages) for `--seconds` after a ramp of 20 users a second. Reported per tree: requests per second,
failures, p50/p95 of the options page and of the booking as locust saw them, CPU per request of gunicorn and of
PostgreSQL, locust's own CPU; and at the end the overlapping bookings (`--double-bookings`, must be 0).
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import psutil

sys.path.insert(0, str(Path(__file__).resolve().parent))
from http_trees import PG, PYTHON, ROOT, Gunicorn, load_average, tree_env

DATABASE = f"{PG}/clinicdesk_bench_portal"
LOCUST = str(ROOT / ".venv" / "bin" / "locust")


def _cpu(processes: list[psutil.Process]) -> float:
    total = 0.0
    for process in processes:
        try:
            times = process.cpu_times()
            total += times.user + times.system
        except psutil.NoSuchProcess:
            pass
    return total


def _postgres_cpu() -> dict[int, float]:
    """CPU seconds so far of every PostgreSQL process, by pid (backends come and go with connections)."""
    found = {}
    for process in psutil.process_iter(["name"]):
        if (process.info["name"] or "").startswith("postgres"):
            found[process.pid] = _cpu([process])
    return found


def _sessions(path: Path, count: int, offset: int) -> None:
    env = {**os.environ, "BENCH_DATABASE_URL": DATABASE}
    subprocess.run([PYTHON, str(ROOT / "bench" / "bench_portal_booking.py"), "--sessions", str(count),
                    "--offset", str(offset), str(path)], env=env, cwd=ROOT, check=True, capture_output=True)


def _stats(prefix: Path) -> dict[str, dict[str, float]]:
    found = {}
    with open(f"{prefix}_stats.csv", newline="") as handle:
        for row in csv.DictReader(handle):
            found[row["Name"]] = {"requests": float(row["Request Count"]), "failures": float(row["Failure Count"]),
                                  "p50": float(row["50%"]), "p95": float(row["95%"]),
                                  "rps": float(row["Requests/s"])}
    return found


def run_once(name: str, path: Path, *, users: int, seconds: int, offset: int, workers: int,
             wait: tuple[float, float]) -> dict[str, object]:
    scratch = Path(tempfile.mkdtemp(prefix=f"portal-load-{name}-"))
    load = scratch / "portal-load.json"
    _sessions(load, users, offset)
    server = Gunicorn(path, tree_env(path, DATABASE, name=f"portal-{name}"), workers=workers)
    server.start()
    try:
        assert server.process is not None
        web = [psutil.Process(server.process.pid), *psutil.Process(server.process.pid).children(recursive=True)]
        before_web, before_db, before_load = _cpu(web), _postgres_cpu(), load_average()
        env = {**os.environ, "PORTAL_LOAD": str(load), "PORTAL_WAIT_MIN": str(wait[0]),
               "PORTAL_WAIT_MAX": str(wait[1])}
        locust = subprocess.Popen(
            [LOCUST, "-f", str(ROOT / "bench" / "load" / "locust_portal.py"), "--headless", "-u", str(users),
             "-r", "20", "-t", f"{seconds}s", "--host", server.base, "--csv", str(scratch / "run"),
             "--only-summary", "--loglevel", "WARNING"], env=env, cwd=ROOT,
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        _pid, _status, usage = os.wait4(locust.pid, 0)
        locust.returncode = 0
        after_db = _postgres_cpu()  # before gunicorn stops: its connections' backends are still there
        web_cpu = _cpu(web) - before_web
        db_cpu = sum(seconds - before_db.get(pid, 0.0) for pid, seconds in after_db.items())
        stats = _stats(scratch / "run")
    finally:
        server.stop()
    total = stats.get("Aggregated", {"requests": 0, "failures": 0, "rps": 0})
    requests = max(total["requests"], 1)
    return {"tree": name, "requests": int(total["requests"]), "failures": int(total["failures"]),
            "rps": round(total["rps"], 1),
            "options": {k: stats.get("options page", {}).get(k) for k in ("requests", "p50", "p95")},
            "book": {k: stats.get("book", {}).get(k) for k in ("requests", "p50", "p95")},
            "web_cpu_ms_per_request": round(web_cpu * 1000 / requests, 1),
            "db_cpu_ms_per_request": round(db_cpu * 1000 / requests, 1),
            "locust_cpu_s": round(usage.ru_utime + usage.ru_stime, 1),
            "load_before": before_load, "load_after": load_average()}


def double_bookings() -> str:
    env = {**os.environ, "BENCH_DATABASE_URL": DATABASE}
    return subprocess.run([PYTHON, str(ROOT / "bench" / "bench_portal_booking.py"), "--double-bookings"], env=env,
                          cwd=ROOT, check=True, capture_output=True, text=True).stdout.strip()


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--tree", action="append", default=[], help="name=path (repeat); default after=.")
    parser.add_argument("--rounds", type=int, default=1)
    parser.add_argument("--users", type=int, default=200)
    parser.add_argument("--seconds", type=int, default=90, help="locust's run time, ramp included")
    parser.add_argument("--workers", type=int, default=3)
    parser.add_argument("--wait", type=float, nargs=2, default=(5.0, 15.0), metavar=("MIN", "MAX"))
    parser.add_argument("--offset", type=int, default=6000, help="first bench patient given a session")
    args = parser.parse_args()
    trees = [(n, Path(p)) for n, p in (t.split("=", 1) for t in args.tree)] or [("after", Path("."))]
    offset = args.offset
    results = []
    for round_number in range(args.rounds):
        for name, path in (trees if round_number % 2 == 0 else trees[::-1]):
            started = time.strftime("%H:%M:%S", time.gmtime())
            result = run_once(name, path, users=args.users, seconds=args.seconds, offset=offset,
                              workers=args.workers, wait=tuple(args.wait))
            offset += args.users
            result["round"], result["started"] = round_number + 1, started
            results.append(result)
            print(json.dumps(result), flush=True)
    print(double_bookings(), flush=True)


if __name__ == "__main__":
    main()
