"""The portal's options page on calendars booked solid, code trees side by side (issue #23; ADR 0012).

In-process (Django's test client, one handler as a server process has) against the portal bench's database
(bench_portal_booking.py builds it: 100 providers, ~1,000,000 appointments). Each tree runs in its own process with
its own code on PYTHONPATH; rounds alternate the trees (A B B A). Per tree and round: 40 options pages of fresh
patients of one location, this process's CPU (median, p90), the database time and the queries of a page, and the
first time offered (the trees must agree on it).

    .venv/bin/python bench/bench_portal_options_trees.py --fill-days 14     # book the location solid that far
    git worktree add /tmp/before <commit> && ln -s $PWD/node_modules /tmp/before/
    .venv/bin/python bench/bench_portal_options_trees.py --tree before=/tmp/before --tree after=. --rounds 2
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import re
import statistics
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
OPTION = re.compile(r'name="option" value="([^"]+)"')
KEY = re.compile(r'name="idempotency_key" value="([^"]+)"')
PAGES = 40


def _django(root: Path):  # type: ignore[no-untyped-def]
    os.environ.setdefault("BENCH_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/clinicdesk_bench_portal")
    os.environ.setdefault("STATIC_ROOT", str(root / "var" / "bench-static"))
    sys.path.insert(0, str(root / "bench"))
    from bench_portal_booking import _portal_setup, _sessions
    from bench_scheduling_common import ensure_data, setup_django

    setup_django(False)
    if not (Path(os.environ["STATIC_ROOT"]) / "staticfiles.json").exists():
        from django.core.management import call_command

        call_command("collectstatic", interactive=False, verbosity=0)
    return _portal_setup(ensure_data()), _sessions


def _location_sessions(sessions_for, count: int, offset: int) -> list[dict]:  # type: ignore[no-untyped-def]
    """Portal sessions of patients who live near the first bench location (the one filled), fresh ones."""
    from clinicdesk.patients.models import Patient

    home = Patient.objects.filter(mrn__isnull=False).order_by("pk")[20000].home_location_id
    candidates = sessions_for(8 * count, offset=offset)
    homes = dict(Patient.objects.filter(pk__in=[s["patient"] for s in candidates])
                 .values_list("pk", "home_location_id"))
    return [s for s in candidates if homes[s["patient"]] == home][:count]


def child(offset: int) -> None:
    """One tree, one round: measure the options page; print one JSON line."""
    type_id, sessions_for = _django(Path(os.environ["BENCH_TREE"]))
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    from clinicdesk.portal.actor import COOKIE_NAME

    path = f"/portal/book/{type_id}/"
    client = Client()
    sessions = _location_sessions(sessions_for, PAGES + 1, offset)

    def page(session: dict) -> str:
        client.cookies[COOKIE_NAME] = session["cookie"]
        response = client.get(path)
        assert response.status_code == 200, response.status_code
        return response.content.decode()

    page(sessions[0])  # warm
    cpu, database, queries, first = [], [], [], ""
    for session in sessions[1:]:
        with CaptureQueriesContext(connection) as captured:
            started = time.process_time()
            text = page(session)
            cpu.append(time.process_time() - started)
        database.append(sum(float(q["time"]) for q in captured.captured_queries))
        queries.append(len(captured.captured_queries))
        first = first or OPTION.findall(text)[0]
    cpu.sort()
    print(json.dumps({"cpu_p50": statistics.median(cpu) * 1000, "cpu_p90": cpu[int(len(cpu) * 0.9)] * 1000,
                      "db_p50": statistics.median(database) * 1000, "queries": statistics.median(queries),
                      "first": first}))


def fill(days: int) -> None:
    """Book the first bench location through the portal until its first time offered is `days` out."""
    type_id, sessions_for = _django(HERE.parent)
    from django.test import Client

    from clinicdesk.portal.actor import COOKIE_NAME

    path, client = f"/portal/book/{type_id}/", Client()
    for number, session in enumerate(_location_sessions(sessions_for, 4000, 30000)):
        client.cookies[COOKIE_NAME] = session["cookie"]
        text = client.get(path).content.decode()
        options = OPTION.findall(text)
        if not options:
            break
        first = dt.datetime.fromtimestamp(int(options[0].split(":")[1]), tz=dt.UTC)
        if (first - dt.datetime.now(dt.UTC)).days >= days:
            print(f"first time offered {first:%Y-%m-%d %H:%M} UTC, after {number} patients booked")
            return
        for option in options:  # each patient books what the rule lets them (the open-bookings limit stops it)
            client.post(path, {"option": option, "idempotency_key": KEY.search(text).group(1) + option})


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--tree", action="append", default=[], help="name=path (repeat); default after=.")
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument("--fill-days", type=int, help="book the first location solid this many days, then stop")
    parser.add_argument("--child", type=int, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child is not None:
        child(args.child)
        return
    if args.fill_days:
        fill(args.fill_days)
        return
    trees = [(name, Path(path).resolve()) for name, path in (t.split("=", 1) for t in args.tree or ["after=."])]
    order = [tree for number in range(args.rounds) for tree in (trees if number % 2 == 0 else trees[::-1])]
    print(f"{'tree':8} {'CPU p50':>8} {'CPU p90':>8} {'DB p50':>7} {'queries':>7}  first time offered")
    for index, (name, root) in enumerate(order):
        env = {**os.environ, "BENCH_TREE": str(root), "PYTHONPATH": str(root / "src"),
               "STATIC_ROOT": str(root / "var" / "bench-static")}
        answer = subprocess.run([sys.executable, str(HERE / "bench_portal_options_trees.py"), "--child",
                                 str(40000 + index * 400)], env=env, capture_output=True, text=True, check=True)
        row = json.loads(answer.stdout.strip().splitlines()[-1])
        print(f"{name:8} {row['cpu_p50']:6.1f} ms {row['cpu_p90']:5.1f} ms {row['db_p50']:4.1f} ms "
              f"{row['queries']:7.0f}  {row['first']}", flush=True)


if __name__ == "__main__":
    main()
