"""Words for the claims' codes: the scrubber's edits and the reasons a 999, a 277CA or an 835 gives, in the user's
language. Claims store codes with their parameters (`{"code": ..., "params": {...}}`); screens show these words."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from clinicdesk.insurance.services.claim_exchange import remit_codes

EDIT_WORDS = {
    "no-diagnosis": _("The claim has no diagnosis: add at least one on the superbill."),
    "diagnosis-not-billable": _("Diagnosis %(code)s is not a billable ICD-10-CM code: choose one of its more "
                                "specific codes."),
    "pointer-to-no-diagnosis": _("Line %(line)s (%(procedure)s) points to no listed diagnosis."),
    "billing-npi": _("The practice's group NPI (%(value)s) is missing or its check digit is wrong."),
    "tax-id": _("The practice's tax id (%(value)s) is missing or is not a valid EIN."),
    "rendering-npi": _("The NPI of %(name)s (%(value)s) has a wrong check digit."),
    "member-id-missing": _("The coverage has no member id."),
    "subscriber-missing": _("The subscriber's name, date of birth or sex is missing on the coverage."),
    "address-missing": _("The subscriber's address (street, city, state, ZIP code) is incomplete."),
    "payer-id-missing": _("The payer %(payer)s has no electronic payer id."),
    "payer-not-electronic": _("The payer %(payer)s does not take claims through the clearinghouse."),
    "future-date": _("The date of service %(day)s is in the future."),
    "referral-required": _("%(payer)s requires a referral number for this visit, and none is on file."),
    "authorization-required": _("%(payer)s requires a prior authorization number for this visit, and none is "
                                "on file."),
    "duplicate-claim": _("Claim %(other)s already bills the same services to this payer for this date."),
    "no-lines": _("The claim has no service lines."),
    "earlier-payer-missing": _("A secondary or tertiary claim needs the earlier payer's answer first."),
}


def edit_words(edit: dict[str, Any]) -> str:
    words = EDIT_WORDS.get(edit.get("code", ""))
    if words is None:
        return gettext("Code %(code)s") % {"code": edit.get("code", "")}
    try:
        return str(words) % dict(edit.get("params") or {})
    except (KeyError, TypeError, ValueError):
        return str(words)


def reason_words(reason: dict[str, Any]) -> str:
    """A rejection reason stored from a 999 (set status, segment errors) or a 277CA (STC category and code)."""
    kind = reason.get("kind")
    if kind == "999":
        parts = [remit_codes.describe(remit_codes.SET_STATUS, reason.get("status", ""))]
        for error in reason.get("errors", []):
            text = gettext("segment %(segment)s: %(words)s") % {
                "segment": error.get("segment", ""),
                "words": remit_codes.describe(remit_codes.SEGMENT_ERROR, error.get("code", ""))}
            parts.append(text)
        return "; ".join(parts)
    if kind == "277ca":
        return gettext("%(category)s: %(status)s") % {
            "category": remit_codes.describe(remit_codes.STATUS_CATEGORY, reason.get("category", "")),
            "status": remit_codes.describe(remit_codes.CLAIM_STATUS_CODE, reason.get("code", ""))}
    if kind == "835":
        return remit_codes.adjustment_words(reason.get("group", ""), reason.get("reason", ""))
    return gettext("Code %(code)s") % {"code": str(reason.get("code", ""))}


def adjustment_words(group: str, reason: str) -> str:
    return remit_codes.adjustment_words(group, reason)


def remit_problem_words(problem: str) -> str:
    words = {
        "unmatched": _("No claim of ours has this number."),
        "unbalanced": _("The check or EFT total does not match its claim payments: nothing from it was posted."),
        "not-sent": _("The claim was never sent: its payment was not posted."),
        "nothing-to-reverse": _("A reversal for a payment that was never posted."),
        "wrong-payer": _("The claim was sent to another payer."),
    }.get(problem)
    return str(words) if words is not None else problem
