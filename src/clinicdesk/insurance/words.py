"""Eligibility results in words for screens (never the X12 codes)."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from django.utils.translation import gettext as _

from .models import EligibilityBenefit, EligibilityResult, EligibilityStatus
from .x12 import codes

# The status pill's colour: the appointment status tokens of the same meaning (app.css), so no new colours.
PILL: dict[str, str] = {
    EligibilityStatus.ACTIVE: "fulfilled", EligibilityStatus.INACTIVE: "cancelled",
    EligibilityStatus.REJECTED: "noshow", EligibilityStatus.FAILED: "noshow",
    EligibilityStatus.MISMATCH: "noshow", EligibilityStatus.PENDING: "pending",
}


def pill(status: str) -> str:
    return PILL.get(status, "pending")


@dataclass
class BenefitLine:
    what: str
    services: str
    amount: Decimal | None
    percent: str
    period: str
    network: str
    level: str
    plan: str
    notes: list[str]


def _network(value: bool | None) -> str:
    if value is None:
        return ""
    return _("In network") if value else _("Out of network")


def benefit_line(benefit: EligibilityBenefit) -> BenefitLine:
    notes = [str(m).capitalize() for m in benefit.messages]
    if benefit.quantity is not None:
        notes.insert(0, f"{benefit.quantity.normalize():f} " + codes.word(codes.QUANTITY, benefit.quantity_qualifier))
    for limit in benefit.visit_limits:
        notes.append(_("Limit: %(n)s %(what)s %(period)s") % {
            "n": limit.get("quantity", ""), "what": codes.word(codes.QUANTITY, limit.get("quantity_qualifier", "")),
            "period": codes.word(codes.TIME_PERIOD, limit.get("period", ""))})
    percent = ""
    if benefit.percent is not None:
        percent = f"{(benefit.percent * 100).normalize():f} %"
    return BenefitLine(
        what=codes.word(codes.ELIGIBILITY_OR_BENEFIT, benefit.info),
        services=", ".join(codes.word(codes.SERVICE_TYPE, code) for code in benefit.service_types),
        amount=benefit.amount, percent=percent, period=codes.word(codes.TIME_PERIOD, benefit.period),
        network=_network(benefit.in_network), level=codes.word(codes.COVERAGE_LEVEL, benefit.coverage_level),
        plan=benefit.plan, notes=notes)


@dataclass
class RejectionLine:
    reason: str
    follow_up: str


def rejection_lines(result: EligibilityResult) -> list[RejectionLine]:
    return [RejectionLine(reason=codes.word(codes.REJECT_REASON, r.get("code", "")),
                          follow_up=codes.word(codes.FOLLOW_UP, r.get("action", "")))
            for r in result.rejections]


def summary(result: EligibilityResult) -> str:
    """One sentence for the desk."""
    if result.status == EligibilityStatus.ACTIVE:
        return _("The payer says the coverage is active.")
    if result.status == EligibilityStatus.INACTIVE:
        return _("The payer says the coverage is not active: ask the patient for current insurance, or plan "
                 "self-pay.")
    if result.status == EligibilityStatus.REJECTED:
        return _("The payer could not answer the request; see the reason and what to do below.")
    if result.status == EligibilityStatus.MISMATCH:
        return _("The answer was about another person. It was not used; check the member id and ask again.")
    if result.status == EligibilityStatus.PENDING:
        return _("The request was sent in a batch; the answer has not come back yet.")
    return _("No usable answer came back (%(why)s). Ask again, or call the payer.") % {
        "why": result.get_failure_display().lower()}
