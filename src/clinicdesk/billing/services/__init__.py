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
from .balances import (  # statements, holds, credit refunds, disputes (#19 items 8-9)
    collections_hold_place,
    collections_hold_release,
    credit_of,
    credit_refund_approve,
    credit_refund_decline,
    credit_refund_request,
)
from .claim_answers import AnswerReport, answer_file_read
from .claim_submit import SubmitReport, claims_submit
from .claims import SYSTEM, claim_build, claim_replace, claim_scrub, claim_void
from .claims_bulk import BuildReport, claims_build_posted
from .denials import appeal_letter_create, write_off_approve, write_off_refuse, write_off_request
from .disputes import dispute_close, dispute_open
from .fees import contract_set, fee_in_effect, fee_item_create, fee_item_update, usual_code_add, usual_code_remove
from .ledger import adjustment_post, balance_of, charge_post, charge_write, collected_for_appointment, entry_reverse
from .payments import Tender, payment_collect, receipt_email, refund_issue
from .statements import (
    SYSTEM_STATEMENTS,
    held_patients,
    statement_create,
    statement_cycle_preview,
    statement_cycle_run,
    statement_mark_printed,
    statement_settings,
    statement_settings_update,
    statements_run_due,
)
from .superbills import LineInput, superbill_open, superbill_post, superbill_reverse, superbill_save

__all__ = [
    "SYSTEM",
    "SYSTEM_STATEMENTS",
    "AnswerReport",
    "BuildReport",
    "LineInput",
    "SubmitReport",
    "Tender",
    "adjustment_post",
    "answer_file_read",
    "appeal_letter_create",
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
    "collections_hold_place",
    "collections_hold_release",
    "contract_set",
    "credit_of",
    "credit_refund_approve",
    "credit_refund_decline",
    "credit_refund_request",
    "dispute_close",
    "dispute_open",
    "entry_reverse",
    "fee_in_effect",
    "fee_item_create",
    "fee_item_update",
    "held_patients",
    "payment_collect",
    "receipt_email",
    "refund_issue",
    "statement_create",
    "statement_cycle_preview",
    "statement_cycle_run",
    "statement_mark_printed",
    "statement_settings",
    "statement_settings_update",
    "statements_run_due",
    "superbill_open",
    "superbill_post",
    "superbill_reverse",
    "superbill_save",
    "usual_code_add",
    "usual_code_remove",
    "write_off_approve",
    "write_off_refuse",
    "write_off_request",
]
