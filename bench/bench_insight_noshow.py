"""Train the no-show model on a synthetic history (bench/insight_history.py) and report the time and the held-out
quality (AUC, Brier, calibration) on the temporal split: the later weeks, which the model does not learn from.

    .venv/bin/python bench/bench_insight_noshow.py --rows 1000000
    .venv/bin/python bench/bench_insight_noshow.py --rows 20000 --quick

The CSV is written to a temporary directory and read back through the same reader as `clinicdesk insight
noshow-train`, so the reading and the checking are timed too. Target: 1,000,000 appointments in under 2 minutes
on 2 cores (issue #22).
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import resource
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "src"))
sys.path.insert(0, str(ROOT / "bench"))

from insight_history import write  # noqa: E402

from clinicdesk.insight.noshow import io, model  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--quick", action="store_true", help="print only the JSON line")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        csv_path = Path(tmp) / "history.csv"
        t0 = time.perf_counter()
        write(csv_path, args.rows, seed=args.seed)
        t1 = time.perf_counter()
        history = io.read_history(csv_path)
        t2 = time.perf_counter()
        trained = model.train(history, seed=0)
        t3 = time.perf_counter()
        model.save(trained, Path(tmp) / "model.joblib")
        t4 = time.perf_counter()
    m = trained.metrics
    usage = resource.getrusage(resource.RUSAGE_SELF)
    result = {"rows": args.rows, "generate_s": round(t1 - t0, 1), "read_check_s": round(t2 - t1, 1),
              "train_s": round(t3 - t2, 1), "save_s": round(t4 - t3, 1), "total_s": round(t3 - t1, 1),
              "cpu_user_s": round(usage.ru_utime, 1), "max_rss_mb": round(usage.ru_maxrss / 1024),
              "auc": m["auc"], "brier": m["brier"], "brier_base_rate": m["brier_base_rate"],
              "test_noshow_rate": m["test_noshow_rate"], "predicted_mean": m["predicted_mean"],
              "method": m["method"], "split_at": m["split_at"], "test_rows": m["test_rows"],
              "cpus": os.cpu_count(), "load": round(os.getloadavg()[0], 1), "python": platform.python_version()}
    print(json.dumps(result))
    if not args.quick:
        print("| bin | rows | predicted | observed |\n|---:|---:|---:|---:|")
        for row in m["calibration"]:
            print(f"| {row['bin']} | {row['rows']} | {row['predicted']:.3f} | {row['observed']:.3f} |")


if __name__ == "__main__":
    main()
