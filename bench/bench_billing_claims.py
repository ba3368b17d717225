"""Build and scrub 10,000 claims and write their 837P batch, through the real services on PostgreSQL (issue #19:
under 60 seconds).

Setup (not timed, `billing_world`, shared with `bench_billing_remit_post`): a scratch database with a practice
(valid NPI and EIN), one location and provider, a payer on the clearinghouse, and `--claims` patients, each with
an address, a primary coverage and one posted superbill (two lines: 99213-25 and J1885 x2, two diagnoses)
bulk-inserted. Timed: `claims_build_posted` (one
`claim_build` per superbill: coverage, lines, referral/authorization look-up, the scrubber with its duplicate
check, the events and the audit record, each in its own transaction), then `claims_submit(to_dir=...)` (one
interchange of every ready claim, 5,000 claims per transaction set, the batch row, the claims marked sent, one
audit record per claim). `--validate` runs pyx12's x12valid over the written batch (slow; not timed).

    .venv/bin/python bench/bench_billing_claims.py [--claims 10000] [--validate]

The scratch database is `clinicdesk_bench_claims` on the local PostgreSQL, rebuilt on every run.
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT), str(ROOT / "src"), str(ROOT / "bench")]
URL = "postgres://postgres@127.0.0.1:5432/clinicdesk_bench_claims"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--claims", type=int, default=10000)
    parser.add_argument("--validate", action="store_true")
    args = parser.parse_args()
    from billing_world import NOW, build, scratch_django

    scratch_django(URL)
    from clinicdesk.billing.services import SYSTEM, claims_build_posted, claims_submit
    from clinicdesk.core import clock

    began = time.perf_counter()
    ids = build(args.claims)
    print(f"setup: {args.claims} posted superbills in {time.perf_counter() - began:.1f} s")
    with clock.frozen_at(NOW):
        began = time.perf_counter()
        report = claims_build_posted(actor=SYSTEM, superbill_ids=ids, today=NOW.date())
        built = time.perf_counter() - began
        ready = sum(1 for c in report.built if c.status == "ready")
        print(f"build and scrub: {len(report.built)} claims ({ready} ready) in {built:.1f} s "
              f"({1000 * built / max(1, len(report.built)):.2f} ms each)")
        folder = Path(tempfile.mkdtemp(prefix="bench-837p-"))
        began = time.perf_counter()
        sent = claims_submit(actor=SYSTEM, to_dir=folder)
        written = time.perf_counter() - began
        size = (folder / sent.file_name).stat().st_size
        print(f"submit: {len(sent.claims)} claims in one 837P ({size / 1e6:.1f} MB) in {written:.1f} s")
        total = built + written
        print(f"total build + scrub + write: {total:.1f} s (target < 60 s): {'PASS' if total < 60 else 'FAIL'}")
    if args.validate:
        x12valid = Path(sys.executable).with_name("x12valid")
        done = subprocess.run([str(x12valid), str(folder / sent.file_name)], capture_output=True, text=True,
                              check=False, cwd=folder)
        print("x12valid:", (done.stdout + done.stderr).strip().splitlines()[-1:])


if __name__ == "__main__":
    main()
