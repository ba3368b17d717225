"""The pure X12 layer of the revenue cycle at volume: a 10,000-claim 837P batch written, and an 835 with 10,000
claim payments read. No database (the claims models come later; posting is measured there).

    .venv/bin/python bench/bench_x12_claims.py [--claims 10000] [--payments 10000] [--validate]

1. 837P: `--claims` claims (two lines each, every fourth for a dependent, every tenth a secondary claim with the
   primary's payment) built as dataclasses, given the identifier checks the scrubber will run (NPI Luhn check
   digit, EIN format, pointers), and written as one interchange (`e837p.build`, 5,000 claims per transaction
   set). The issue's target for building, scrubbing and writing 10,000 claims: < 60 s; the write is timed apart.
   `--validate` also runs pyx12's x12valid over the batch (slow; not timed into the target).
2. 835: an 835 paying `--payments` claims (one service line, CO/PR adjustments, a reversal every 50th, a PLB) is
   made with `fakeremit.remittance`, then read with `e835.read` (pyx12's raw reader for the segments, our loop
   walk, Decimal amounts, the balance check). The issue's target for reading and posting: < 60 s; the read is
   timed here.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import subprocess
import sys
import tempfile
import time
from decimal import Decimal
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT / "src"), str(ROOT)]
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "clinicdesk.settings")

from clinicdesk.insurance.x12 import e835, e837p, fakeremit  # noqa: E402
from clinicdesk.insurance.x12.e835 import Adjustment, ClaimPayment, ProviderAdjustment  # noqa: E402
from clinicdesk.insurance.x12.e837p import (  # noqa: E402
    Address,
    BillingProvider,
    Claim,
    ClaimLine,
    LinePayment,
    OtherPayer,
    Payer,
    Person,
    Provider,
    Submitter,
    Subscriber,
)
from clinicdesk.insurance.x12.identifiers import ein_is_valid, npi_is_valid  # noqa: E402

CREATED = dt.datetime(2026, 12, 1, 9, 30)
DOS = dt.date(2026, 11, 20)
HOME = Address("12 Main St", "Springfield", "IL", "627011234")
BILLING = BillingProvider("Riverside Medical", "1234567893", "12-3456789", HOME, taxonomy="207Q00000X")
SUBMITTER = Submitter("Riverside Medical", "RIVERSIDE", "Billing Office", "5555551234", "Clearinghouse",
                      "CLEARHOUSE")
WELBY = Provider("Welby", "Marcus", "1245319599")
CLEARWATER = Payer("Clearwater Health", "CWH01")
BLUE = Payer("Blue Plan", "BP01", "BL")


def make_claims(count: int) -> list[Claim]:
    claims = []
    for i in range(count):
        person = Person(f"Family{i}", f"Given{i}", dt.date(1950 + i % 60, 1 + i % 12, 1 + i % 28), "FM"[i % 2],
                        HOME, f"W{i:09d}")
        dependent = Person(f"Family{i}", f"Child{i}", dt.date(2015, 1, 2), "F", HOME) if i % 4 == 0 else None
        lines = [ClaimLine("99213", Decimal("125.00"), modifiers=("25",), pointers=(1, 2)),
                 ClaimLine("81002", Decimal("10.50"), pointers=(2,))]
        other: tuple[OtherPayer, ...] = ()
        responsibility = "P"
        if i % 10 == 0:
            responsibility = "S"
            adjustments = (Adjustment("CO", "45", Decimal("25.50")), Adjustment("PR", "2", Decimal("20")))
            lines[0] = ClaimLine("99213", Decimal("125.00"), modifiers=("25",), pointers=(1, 2), payments=(
                LinePayment("BP01", Decimal("80"), "99213", Decimal(1), DOS, adjustments, ("25",)),))
            other = (OtherPayer(Subscriber(person, BLUE, "BLUE1"), Decimal("80"), adjustments=adjustments,
                                paid_date=DOS),)
        claims.append(Claim(claim_id=f"CD{i:08d}", subscriber=Subscriber(person, CLEARWATER, "GRP100",
                                                                         responsibility),
                            diagnoses=["E11.9", "I10"], lines=lines, service_date=DOS, billing=BILLING,
                            patient=dependent, rendering=WELBY, other_payers=other))
    return claims


def scrub(claims: list[Claim]) -> int:
    """The identifier and pointer checks of the scrubber (the database checks come with the claims models)."""
    refused = 0
    for claim in claims:
        ok = (npi_is_valid(claim.billing.npi) and ein_is_valid(claim.billing.tax_id)
              and (claim.rendering is None or npi_is_valid(claim.rendering.npi))
              and all(1 <= p <= len(claim.diagnoses) for line in claim.lines for p in line.pointers)
              and bool(claim.subscriber.person.member_id))
        refused += not ok
    return refused


def make_835(count: int) -> str:
    payments: list[ClaimPayment] = []
    for i in range(count):
        if i % 50 == 49:
            payments.append(ClaimPayment(f"CD{i:08d}", "22", Decimal("-135.50"), Decimal("-80"), Decimal("-20"),
                                         adjustments=[Adjustment("CO", "45", Decimal("-35.50")),
                                                      Adjustment("PR", "2", Decimal("-20"))]))
        else:
            payments.append(fakeremit.paid_claim(f"CD{i:08d}", Decimal("135.50"), Decimal("80.00"),
                                                 patient=Decimal("20.00")))
    plb = [ProviderAdjustment("1234567893", dt.date(2026, 12, 31), "WO", "OVP1", Decimal("50"))]
    return fakeremit.remittance(payments, provider_adjustments=plb)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--claims", type=int, default=10_000)
    parser.add_argument("--payments", type=int, default=10_000)
    parser.add_argument("--validate", action="store_true")
    args = parser.parse_args()
    import django

    django.setup()

    started = time.perf_counter()
    claims = make_claims(args.claims)
    built = time.perf_counter()
    refused = scrub(claims)
    scrubbed = time.perf_counter()
    text = e837p.build(claims, submitter=SUBMITTER, control_number=1, created=CREATED)
    written = time.perf_counter()
    segments = text.count("~")
    print(f"837P: {args.claims} claims built {built - started:.2f} s, scrubbed {scrubbed - built:.2f} s "
          f"({refused} refused), batch written {written - scrubbed:.2f} s ({segments} segments, "
          f"{len(text) / 1e6:.1f} MB); total {written - started:.2f} s (target < 60 s)")
    if args.validate:
        with tempfile.TemporaryDirectory() as folder:
            path = Path(folder) / "batch.837"
            path.write_text(text)
            t0 = time.perf_counter()
            done = subprocess.run([str(Path(sys.executable).with_name("x12valid")), str(path)], capture_output=True,
                                  text=True, check=False)
            verdict = (done.stdout + done.stderr).strip().splitlines()[-1]
            print(f"x12valid: {verdict} ({time.perf_counter() - t0:.1f} s)")

    t0 = time.perf_counter()
    remittance_text = make_835(args.payments)
    t1 = time.perf_counter()
    (remit,) = e835.read(remittance_text)
    t2 = time.perf_counter()
    assert len(remit.claims) == args.payments and remit.balanced, "the bench 835 must read whole and balanced"
    print(f"835: {args.payments} claim payments made {t1 - t0:.2f} s, read {t2 - t1:.2f} s "
          f"({remittance_text.count('~')} segments, total {remit.total_paid}, balanced {remit.balanced}) "
          f"(target for read and post < 60 s)")


if __name__ == "__main__":
    main()
