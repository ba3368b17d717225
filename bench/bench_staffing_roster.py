"""The rostering engine (CP-SAT) on generated group-practice instances in the benchmark's text format.

    .venv/bin/python bench/bench_staffing_roster.py [--sizes 20,50,150] [--limits 10,60] [--seed 7]
        [--workers N] [--instance FILE ...] [--write DIR] [--param NAME=VALUE ...]

Each instance is 28 days (Monday to Sunday x 4) with four shift types: E 07:00-15:00, D 08:30-17:00, L 13:00-21:00
(480 paid minutes each) and N 21:00-07:00 (600); E may not follow L (10 h rest) and nothing but a day off may
follow N. Staff are 60 % full-time (16-20 shifts, 5 in a row at most, 2 weekends), 30 % part-time (9-12) and
10 % per diem (0-6); about a third may work nights; some have a week of vacation, everyone a few requests to work
or not to work a shift (weights 1-3). Cover: weekday and weekend needs per shift sized to about 90 % of the staff's
contracted shifts, 100 per person short and 1 per person over (the benchmark's usual weights).

For each size and time limit it prints the status, the objective, the lower bound CP-SAT proves, the gap, the
greedy starting roster (the seconds it was ready at and its objective: CP-SAT's hint, and the roster returned when
CP-SAT finds nothing better), the number of improving rosters after it and the evaluator's check (the roster is
re-checked by `engine.evaluate`, independent of the model). `--param NAME=VALUE` overrides a CP-SAT parameter
(e.g. `--param cp_model_presolve=false`, to measure presolve settings); `--no-hint` gives CP-SAT no hint
(the greedy roster is then only the fallback). `--instance FILE`
adds a file in the benchmark format (e.g. the public Instance1, 8 staff x 14 days, published optimum 607).
Generated files are written with `--write DIR` so a run can be repeated with `clinicdesk roster benchmark`.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "src"))

from clinicdesk.staffing.engine import evaluate, parse_instance, read_instance, solve
from clinicdesk.staffing.engine.generate import generate
from clinicdesk.staffing.engine.instance import Instance


def run(instance: Instance, seconds: float, workers: int | None,
        parameters: dict[str, object] | None = None, hint: bool = True) -> dict[str, object]:
    result = solve(instance, seconds=seconds, workers=workers, parameters=parameters, hint=hint)
    check = evaluate(instance, result.assignments) if result.has_roster else None
    gap = (None if result.objective in (None, 0) else
           round(100.0 * (result.objective - result.lower_bound) / result.objective, 1))  # type: ignore[operator]
    return {
        "status": result.status, "objective": result.objective, "bound": result.lower_bound, "gap": gap,
        "seconds": round(result.seconds, 1), "workers": result.workers,
        "first": result.trajectory[0] if result.trajectory else None,
        "improvements": max(0, len(result.trajectory) - 1), "from_greedy": result.from_greedy,
        "evaluator": None if check is None else ("ok" if check.feasible and check.objective == result.objective
                                                  else f"MISMATCH {check.objective} {len(check.violations)}"),
        "breakdown": result.breakdown,
    }


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--sizes", default="20,50,150")
    parser.add_argument("--limits", default="10,60")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--workers", type=int, default=None)
    parser.add_argument("--instance", action="append", default=[], help="a benchmark-format file to add")
    parser.add_argument("--write", type=Path, default=None, help="write the generated instances here")
    parser.add_argument("--param", action="append", default=[], help="a CP-SAT parameter, NAME=VALUE")
    parser.add_argument("--no-hint", action="store_true", help="the greedy roster only as the fallback, no hint")
    args = parser.parse_args()
    parameters: dict[str, object] = {}
    for item in args.param:
        name, _, value = item.partition("=")
        parameters[name] = {"true": True, "false": False}.get(value.lower(), value)
        if isinstance(parameters[name], str):
            parameters[name] = float(value) if "." in value else int(value)
    limits = [float(value) for value in args.limits.split(",")]
    cases: list[tuple[str, Instance]] = []
    for path in args.instance:
        cases.append((Path(path).stem, read_instance(path)))
    for size in (int(value) for value in args.sizes.split(",")):
        text = generate(size, args.seed)
        if args.write:
            args.write.mkdir(parents=True, exist_ok=True)
            (args.write / f"practice_{size}.txt").write_text(text)
        instance = parse_instance(text, name=f"practice_{size}")
        cases.append((instance.name, instance))
    print(f"# {time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}, {os.cpu_count()} CPUs, "
          f"load {' '.join(f'{value:.2f}' for value in os.getloadavg())}, parameters {parameters or 'default'}"
          f"{', greedy roster not hinted' if args.no_hint else ''}")
    print("| instance | staff x days | cover rows | limit s | status | objective | lower bound | gap % | "
          "greedy (s, objective) | CP-SAT improvements | evaluator | breakdown (on/off requests, under/over cover) |")
    print("|---|---|---:|---:|---|---:|---:|---:|---|---:|---|---|")
    for name, instance in cases:
        for limit in limits:
            row = run(instance, limit, args.workers, parameters or None, hint=not args.no_hint)
            breakdown = row["breakdown"]
            first = row["first"]
            greedy = "-" if first is None else f"{first[0]:.1f}, {first[1]}"  # type: ignore[index]
            parts = "/".join(str(breakdown.get(key, "-")) for key in  # type: ignore[attr-defined]
                             ("shift_on_requests", "shift_off_requests", "cover_under", "cover_over"))
            print(f"| {name} | {len(instance.staff)} x {instance.horizon} | {len(instance.cover)} | {limit:g} | "
                  f"{row['status']} | {row['objective']} | {row['bound']} | {row['gap']} | {greedy} | "
                  f"{row['improvements']} | {row['evaluator']} | {parts} |", flush=True)


if __name__ == "__main__":
    main()
