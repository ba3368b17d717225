"""Denials in words (#19 item 7): what is denied (the CARC, or the 277CA's reason) and the next step for each reason:
correct and send a replacement claim (frequency 7), appeal with a letter, or write the amount off (approved).

Adjustments that are not denials: the contractual write-down to the fee schedule (CO 45, CO 253 sequestration),
the patient's share (PR 1, 2, 3: deductible, co-insurance, co-payment) and what a prior payer already adjusted
(OA 23). Every other CO, PR, OA or PI adjustment on a posted 835 is a denial of that amount."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from clinicdesk.insurance.services.claim_exchange import remit_codes

NOT_DENIAL = frozenset({("CO", "45"), ("CO", "253"), ("PR", "1"), ("PR", "2"), ("PR", "3"), ("OA", "23")})
DENIAL_GROUPS = ("CO", "PR", "OA", "PI")

RESUBMIT, APPEAL, WRITE_OFF, CORRECT = "resubmit", "appeal", "write-off", "correct"
STEP_WORDS = {
    RESUBMIT: _("Correct the claim and send a replacement claim"),
    APPEAL: _("Appeal with a letter to the payer"),
    WRITE_OFF: _("Write the amount off (needs approval)"),
    CORRECT: _("Correct the claim and send it again"),
}

# The next step for a claim adjustment reason code; anything not listed is appealed.
_STEP = {
    # coding and billing errors: fix the superbill or the coverage and send a replacement claim
    "4": RESUBMIT, "5": RESUBMIT, "6": RESUBMIT, "11": RESUBMIT, "16": RESUBMIT, "22": RESUBMIT, "31": RESUBMIT,
    "129": RESUBMIT, "146": RESUBMIT, "167": RESUBMIT, "185": RESUBMIT,
    # the payer will not pay whatever is sent: write off
    "18": WRITE_OFF, "24": WRITE_OFF, "26": WRITE_OFF, "27": WRITE_OFF, "29": WRITE_OFF, "59": WRITE_OFF,
    "94": WRITE_OFF, "97": WRITE_OFF, "119": WRITE_OFF, "242": WRITE_OFF,
    # medical necessity, authorization, coverage decisions: appeal
    "50": APPEAL, "96": APPEAL, "109": APPEAL, "151": APPEAL, "170": APPEAL, "197": APPEAL, "204": APPEAL,
    "A1": APPEAL,
}


def is_denial(group: str, reason: str) -> bool:
    return group in DENIAL_GROUPS and (group, reason) not in NOT_DENIAL


def next_step(code: str) -> str:
    """The next step for a group key: a CARC, or '277ca:<code>' for a claim the payer rejected on intake."""
    if code.startswith("277ca:"):
        return CORRECT
    return _STEP.get(code, APPEAL)


def step_words(step: str) -> str:
    words = STEP_WORDS.get(step)
    return str(words) if words is not None else step


def reason_words(code: str) -> str:
    """The words of a group key (a CARC, or a 277CA status code)."""
    if code.startswith("277ca:"):
        return remit_codes.describe(remit_codes.CLAIM_STATUS_CODE, code.split(":", 1)[1])
    if not code:
        return gettext("Claim denied, no reason given")
    return remit_codes.describe(remit_codes.CARC, code)


def denial_adjustments(adjustments: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The CAS triples of a claim payment that deny money (claim and line level)."""
    return [a for a in adjustments if is_denial(a.get("group", ""), a.get("reason", ""))]
