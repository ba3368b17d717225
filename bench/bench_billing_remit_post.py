"""Read and post an 835 paying 10,000 claims, through the real service on PostgreSQL (issue #19: read + post under
60 seconds).

Setup (not timed, `billing_world`, shared with `bench_billing_claims`): a scratch database with a practice, a
payer, `--payments` patients with a posted superbill each, their claims built and sent (`claims_build_posted`,
`claims_submit`). The 835 (made with `fakeremit`: each claim paid 80.00 of 145.00, CO 45 written off, PR 2 of
20.00 left to the patient, one service line; a PLB) is then timed through `answer_file_read`: read, matched claim
by claim, the payments and write-offs posted on the ledger (one entry each, audited), the claims moved to paid,
the check reconciled (no patient has a secondary coverage: no next payer's claim is built). Reading the same file
again is timed too (it must post nothing).

    .venv/bin/python bench/bench_billing_remit_post.py [--payments 10000] [--url postgres://.../other_db]

The scratch database is `clinicdesk_bench_remit` on the local PostgreSQL (or `--url`), rebuilt on every run.
"""

from __future__ import annotations

import argparse
import datetime as dt
import sys
import tempfile
import time
from decimal import Decimal
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT), str(ROOT / "src"), str(ROOT / "bench")]
URL = "postgres://postgres@127.0.0.1:5432/clinicdesk_bench_remit"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--payments", type=int, default=10000)
    parser.add_argument("--url", default=URL, help="the scratch database (rebuilt)")
    args = parser.parse_args()
    from billing_world import NOW, build, scratch_django

    scratch_django(args.url)
    from clinicdesk.billing.models import ClaimPosting, LedgerEntry
    from clinicdesk.billing.services import SYSTEM, answer_file_read, claims_build_posted, claims_submit
    from clinicdesk.core import clock
    from clinicdesk.insurance.x12 import fakeremit
    from clinicdesk.insurance.x12.e835 import ProviderAdjustment

    began = time.perf_counter()
    ids = build(args.payments)
    with clock.frozen_at(NOW):
        claims_build_posted(actor=SYSTEM, superbill_ids=ids, today=NOW.date())
        sent = claims_submit(actor=SYSTEM, to_dir=Path(tempfile.mkdtemp(prefix="bench-837p-")))
    print(f"setup: {len(sent.claims)} claims built and sent in {time.perf_counter() - began:.1f} s")
    payments = [fakeremit.paid_claim(c.claim_number, c.total_charge, Decimal("80.00"), patient=Decimal("20.00"))
                for c in sent.claims]
    plb = [ProviderAdjustment("1234567893", dt.date(2026, 12, 31), "WO", "OVP1", Decimal("50"))]
    text = fakeremit.remittance(payments, provider_adjustments=plb,
                                parties=fakeremit.Parties(payer_name="BENCH HEALTH", payer_id="BH001")).encode()
    entries = LedgerEntry.objects.count()
    with clock.frozen_at(NOW + dt.timedelta(days=20)):
        began = time.perf_counter()
        report = answer_file_read(actor=SYSTEM, name="bench.835", data=text)
        took = time.perf_counter() - began
        summary = report.summary
        print(f"835: {len(payments)} claim payments ({len(text) / 1e6:.1f} MB) read and posted in {took:.1f} s "
              f"({1000 * took / max(1, len(payments)):.2f} ms each): posted {len(summary.get('posted', []))}, "
              f"unmatched {len(summary.get('unmatched', []))}, ledger entries +{LedgerEntry.objects.count() - entries}"
              f", postings {ClaimPosting.objects.count()}, next payer's claims {len(summary.get('secondary', []))}")
        print(f"read + post < 60 s: {'PASS' if took < 60 else 'FAIL'}")
        count = LedgerEntry.objects.count()
        began = time.perf_counter()
        again = answer_file_read(actor=SYSTEM, name="bench-again.835", data=text)
        print(f"the same 835 again: repeated={again.repeated}, ledger entries +{LedgerEntry.objects.count() - count}"
              f" in {time.perf_counter() - began:.2f} s")


if __name__ == "__main__":
    main()
