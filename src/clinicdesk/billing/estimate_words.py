"""The words of an estimate (#19 item 10): its assumptions and the Good Faith Estimate's required notices
(No Surprises Act, the CMS standard notice), in the user's or the estimate's language."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from django.utils import formats
from django.utils.translation import gettext as _

from .money import format_money


def _amount(value: Any) -> str:
    return format_money(Decimal(str(value)))


def _day(value: str) -> str:
    return formats.date_format(dt.date.fromisoformat(value), "DATE_FORMAT") if value else ""


def assumption_words(item: dict[str, Any]) -> str:
    code, p = item.get("code", ""), item.get("params", {})
    if code == "benefits-271":
        return _("Benefits as the payer stated them on %(date)s (eligibility answer).") % {"date": _day(p["date"])}
    if code == "benefits-old":
        return _("That answer is %(days)s days old: benefits may have changed; check eligibility again.") % p
    if code == "benefits-none":
        return _("No current eligibility answer from the payer: only the card's co-pay is used, so the patient's "
                 "share may be higher (deductible and co-insurance unknown).")
    if code == "copay-once":
        return _("The co-pay of %(amount)s is charged once for the visit, on the first service.") % {
            "amount": _amount(p["amount"])}
    if code == "deductible":
        return _("%(amount)s of the deductible is left this year: it is paid first, service by service.") % {
            "amount": _amount(p["amount"])}
    if code == "coinsurance":
        return _("After the deductible the patient pays %(percent)s %% co-insurance.") % p
    if code == "oop":
        return _("%(amount)s is left of the out-of-pocket maximum: the patient's share stops there.") % {
            "amount": _amount(p["amount"])}
    if code == "oop-reached":
        return _("The out-of-pocket maximum is reached in this estimate.")
    if code == "no-contract":
        return _("A service has no contracted amount for this payer: its full charge is used.")
    if code == "fee-schedule":
        return _("Prices from the practice's fee schedule in effect on %(date)s.") % {"date": _day(p["date"])}
    if code == "uninsured":
        return _("The patient has no coverage in effect on the day of the visit: this is a Good Faith Estimate of "
                 "the full charges.")
    if code == "self-pay":
        return _("The patient chose to pay for the visit themself: this is a Good Faith Estimate of the full "
                 "charges.")
    return code


def gfe_notices() -> list[tuple[str, str]]:
    """(heading, text) of the Good Faith Estimate's notices, as the CMS standard notice words them."""
    return [
        (_("Your right to a Good Faith Estimate"),
         _("You have the right to receive a Good Faith Estimate explaining how much your medical care will cost. "
           "Under the law, health care providers need to give patients who don't have insurance or who are not "
           "using insurance an estimate of the bill for medical items and services.")),
        (_("What this estimate includes"),
         _("This Good Faith Estimate shows the costs of items and services that are reasonably expected for your "
           "health care needs. The estimate is based on information known at the time the estimate was created. "
           "It does not include any unknown or unexpected costs that may arise during treatment. You could be "
           "charged more if complications or special circumstances occur.")),
        (_("Your right to dispute the bill"),
         _("If you receive a bill that is at least $400 more than this Good Faith Estimate, you can dispute the "
           "bill. You may contact the provider or facility listed to tell them the billed charges are higher than "
           "the Good Faith Estimate, ask them to update the bill to match it, ask to negotiate the bill, or ask if "
           "financial assistance is available. You may also start a dispute resolution process with the U.S. "
           "Department of Health and Human Services (HHS) within 120 calendar days (about 4 months) of the date "
           "on the original bill. There is a $25 fee to use the dispute process. If the agency reviewing your "
           "dispute agrees with you, you will pay the price on this Good Faith Estimate; if it agrees with the "
           "provider or facility, you will pay the higher amount.")),
        (_("Questions"),
         _("To learn more and get a form to start the process, visit www.cms.gov/nosurprises or call "
           "1-800-985-3059. Keep a copy of this Good Faith Estimate in a safe place or take pictures of it: you "
           "may need it if you are billed a higher amount.")),
        (_("Not a contract"),
         _("This Good Faith Estimate is not a contract and does not require you to obtain the items or services "
           "from any of the providers or facilities identified in it.")),
    ]


def estimate_disclaimer() -> str:
    return _("This is an estimate, not a bill or a guarantee of payment. What you owe is decided when the payer "
             "processes the claim; it depends on the services actually given and your benefits on that day.")
