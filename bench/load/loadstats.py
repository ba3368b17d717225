"""Statistics of a load run: per step (users), overall and per request type. Used by the locustfile, and by
bench/load/run.sh to merge the steps it ran one by one:

    python bench/load/loadstats.py var/load-results/<run>     # reads step-*/summary.json, writes summary.{md,json}
"""

from __future__ import annotations

import json
import sys
from collections import defaultdict
from pathlib import Path
from typing import Any

P95_TARGET_MS = 300.0
MAX_ERROR_RATE = 0.01
Row = tuple[float, str, float, bool]  # (seconds since the start, request name, milliseconds, ok)


def percentile(values: list[float], share: float) -> float:
    """Nearest rank."""
    ordered = sorted(values)
    if not ordered:
        return 0.0
    return ordered[min(len(ordered) - 1, max(0, int(share * len(ordered) + 0.999999) - 1))]


def stats(rows: list[Row], seconds: float) -> dict[str, Any]:
    times = [ms for _t, _name, ms, _ok in rows]
    failures = sum(1 for *_rest, ok in rows if not ok)
    return {"requests": len(rows), "rps": round(len(rows) / seconds, 2) if seconds else 0.0, "failures": failures,
            "error_rate": round(failures / len(rows), 4) if rows else 0.0,
            "p50": round(percentile(times, 0.50)), "p95": round(percentile(times, 0.95)),
            "p99": round(percentile(times, 0.99)), "max": round(max(times, default=0.0))}


def step(users: int, rows: list[Row], first: float, last: float) -> dict[str, Any]:
    """The requests that ended between `first` and `last` seconds."""
    window = [r for r in rows if first <= r[0] < last]
    by_name: dict[str, list[Row]] = defaultdict(list)
    for row in window:
        by_name[row[1]].append(row)
    return {"users": users, "window_s": last - first, **stats(window, last - first),
            "by_name": {name: stats(named, last - first) for name, named in sorted(by_name.items())}}


def conclude(steps: list[dict[str, Any]], outcomes: dict[str, int], **about: Any) -> dict[str, Any]:
    good = [s for s in steps if s["p95"] < P95_TARGET_MS and s["error_rate"] < MAX_ERROR_RATE]
    best = max(good, key=lambda s: s["rps"], default=None)
    return {"steps": steps, "sustained_rps_at_p95_under_300ms": best["rps"] if best else None,
            "at_users": best["users"] if best else None, "outcomes": outcomes, **about}


def markdown(summary: dict[str, Any]) -> str:
    lines = ["| users | requests/s | p50 | p95 | p99 | errors | CPU per request: app / PostgreSQL / load generator "
             "| load average |", "|---|---|---|---|---|---|---|---|"]
    for s in summary["steps"]:
        cpu, load = s.get("cpu_ms_per_request"), s.get("load_average")
        cpu_text = f"{cpu['app']} / {cpu['db']} / {cpu.get('locust', '-')} ms" if cpu else "-"
        load_text = f"{load[0]:.1f} to {load[1]:.1f}" if load else "-"
        lines.append(f"| {s['users']} | {s['rps']:.1f} | {s['p50']} ms | {s['p95']} ms | {s['p99']} ms | "
                     f"{s['failures']} of {s['requests']} ({100 * s['error_rate']:.2f} %) | {cpu_text} | {load_text} |")
    for s in summary["steps"]:
        lines += ["", f"{s['users']} users, {s['rps']:.1f} requests/s over {s['window_s']:.0f} s:", "",
                  "| request | n | per s | p50 | p95 | p99 | max | errors |", "|---|---|---|---|---|---|---|---|"]
        for name, n in s["by_name"].items():
            lines.append(f"| {name} | {n['requests']} | {n['rps']:.2f} | {n['p50']} ms | {n['p95']} ms | "
                         f"{n['p99']} ms | {n['max']} ms | {n['failures']} |")
    lines += ["", f"Highest rate with p95 under {P95_TARGET_MS:.0f} ms and under {100 * MAX_ERROR_RATE:.0f} % errors: "
                  f"{summary['sustained_rps_at_p95_under_300ms']} requests/s ({summary['at_users']} users)",
              "", "Domain answers (not errors): "
              + ", ".join(f"{key}: {value}" for key, value in sorted(summary["outcomes"].items()))]
    return "\n".join(lines) + "\n"


def write(out: Path, summary: dict[str, Any]) -> None:
    out.mkdir(parents=True, exist_ok=True)
    (out / "summary.json").write_text(json.dumps(summary, indent=1))
    (out / "summary.md").write_text(markdown(summary))


def merge(run: Path) -> dict[str, Any]:
    """One summary from the step-N/ folders of a run, in order of users."""
    parts = []
    for path in run.glob("step-*/summary.json"):
        part = json.loads(path.read_text())
        cpu = [path.parent / f"cpu-{when}.json" for when in ("before", "after")]
        load = [path.parent / f"loadavg-{when}.txt" for when in ("before", "after")]
        for s in part["steps"]:
            if all(p.exists() for p in cpu) and part.get("total_requests"):
                before, after = (json.loads(p.read_text()) for p in cpu)
                s["cpu_ms_per_request"] = {key: round(1000 * (after[key] - before[key]) / part["total_requests"], 1)
                                           for key in ("app", "db")}
                locust = path.parent / "locust-cpu.txt"
                if locust.exists():  # user and system seconds of the whole locust run, settling included
                    seconds = sum(float(v) for v in locust.read_text().split()[-2:])
                    s["cpu_ms_per_request"]["locust"] = round(1000 * seconds / part["total_requests"], 1)
            if all(p.exists() for p in load):
                s["load_average"] = [float(p.read_text()) for p in load]
        parts.append(part)
    steps = sorted((s for part in parts for s in part["steps"]), key=lambda s: s["users"])
    outcomes: dict[str, int] = defaultdict(int)
    for part in parts:
        for key, value in part["outcomes"].items():
            outcomes[key] += value
    return conclude(steps, dict(outcomes))


if __name__ == "__main__":
    folder = Path(sys.argv[1])
    merged = merge(folder)
    write(folder, merged)
    print(markdown(merged))
