"""Every write to a patient account: payments at the desk, refunds, charges, adjustments, reversals; the fee
schedule and the coded visit (superbill) that posts charges.

Money collected at the desk (co-pays, balances) needs the front-desk permission at the location (or
billing write); charges, adjustments and reversals need billing write; coding a visit needs charge capture.
Each service is atomic: bad input raises before anything is written. Payments and refunds take an idempotency
key (a hidden form field) under a unique constraint, so a double click records one payment.

By topic: `ledger` (balances, charges, adjustments, reversals), `payments` (desk money, refunds, receipts),
`fees` (the fee schedule, contracted amounts, appointment types' usual codes), `superbills` (charge capture).
This module re-exports the public names, so `from clinicdesk.billing.services import payment_collect` works.
"""

from __future__ import annotations

from . import claim_answers
from .claim_answers import AnswerReport, answer_file_read
from .claim_submit import SubmitReport, claims_submit
from .claims import (
    SYSTEM,
    BuildReport,
    claim_build,
    claim_replace,
    claim_scrub,
    claim_void,
    claims_build_posted,
)
from .fees import contract_set, fee_in_effect, fee_item_create, fee_item_update, usual_code_add, usual_code_remove
from .ledger import adjustment_post, balance_of, charge_post, charge_write, collected_for_appointment, entry_reverse
from .payments import Tender, payment_collect, receipt_email, refund_issue
from .superbills import LineInput, superbill_open, superbill_post, superbill_reverse, superbill_save

__all__ = [
    "SYSTEM",
    "AnswerReport",
    "BuildReport",
    "LineInput",
    "SubmitReport",
    "Tender",
    "adjustment_post",
    "answer_file_read",
    "balance_of",
    "charge_post",
    "charge_write",
    "claim_answers",
    "claim_build",
    "claim_replace",
    "claim_scrub",
    "claim_void",
    "claims_build_posted",
    "claims_submit",
    "collected_for_appointment",
    "contract_set",
    "entry_reverse",
    "fee_in_effect",
    "fee_item_create",
    "fee_item_update",
    "payment_collect",
    "receipt_email",
    "refund_issue",
    "superbill_open",
    "superbill_post",
    "superbill_reverse",
    "superbill_save",
    "usual_code_add",
    "usual_code_remove",
]
