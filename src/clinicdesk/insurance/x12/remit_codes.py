"""Words for the codes of claims and remittances (835 CARC and RARC, CAS groups, CLP02 claim statuses, 277CA
status categories and claim status codes, 999 acknowledgement codes), for screens, letters and worklists. The
tables hold the codes a practice meets most; an unknown code reads as 'Code X'. JSON output keeps the codes.

The code lists are published by X12 (CARC, claim status codes) and CMS (RARC); the wording here is ours, short."""

from __future__ import annotations

from collections.abc import Mapping

from django.utils.functional import Promise
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

ADJUSTMENT_GROUP = {
    "CO": _("Contractual obligation"), "PR": _("Patient responsibility"), "OA": _("Other adjustment"),
    "PI": _("Payer initiated reduction"), "CR": _("Correction or reversal"),
}

CLAIM_STATUS = {  # 835 CLP02
    "1": _("Processed as primary"), "2": _("Processed as secondary"), "3": _("Processed as tertiary"),
    "4": _("Denied"), "19": _("Processed as primary, forwarded to another payer"),
    "20": _("Processed as secondary, forwarded to another payer"),
    "21": _("Processed as tertiary, forwarded to another payer"), "22": _("Reversal of a previous payment"),
    "23": _("Not our claim, forwarded to another payer"), "25": _("Predetermination only, no payment"),
}

CARC = {  # claim adjustment reason codes
    "1": _("Deductible amount"), "2": _("Co-insurance amount"), "3": _("Co-payment amount"),
    "4": _("The procedure code is inconsistent with the modifier used, or a modifier is missing"),
    "5": _("The procedure code is inconsistent with the place of service"),
    "6": _("The procedure is inconsistent with the patient's age"),
    "11": _("The diagnosis is inconsistent with the procedure"),
    "16": _("The claim lacks information or has submission or billing errors"),
    "18": _("Exact duplicate claim or service"), "22": _("Care may be covered by another payer"),
    "23": _("Already adjusted by a prior payer"), "24": _("Covered under a capitation agreement"),
    "26": _("Expenses incurred before coverage"), "27": _("Expenses incurred after coverage ended"),
    "29": _("The time limit for filing has expired"),
    "31": _("The patient cannot be identified as our insured"), "45": _("Charge exceeds the fee schedule"),
    "50": _("Not deemed a medical necessity"), "59": _("Processed under multiple or concurrent procedure rules"),
    "94": _("Processed in excess of charges"), "96": _("Non-covered charge"),
    "97": _("Included in the payment for another service"), "109": _("Not covered by this payer"),
    "119": _("Benefit maximum for this period has been reached"), "129": _("Prior processing information is wrong"),
    "146": _("The diagnosis is not valid for the date of service"),
    "151": _("The payer deems the information does not support this many services"),
    "167": _("This diagnosis is not covered"), "170": _("Payment is denied for this type of provider"),
    "185": _("The rendering provider is not eligible for this service"),
    "197": _("Pre-certification or authorization is missing"),
    "204": _("This service is not covered under the patient's current benefit plan"),
    "242": _("Services not provided by network providers"), "253": _("Sequestration reduction"),
    "A1": _("Claim or service denied"),
}

RARC = {  # remittance advice remark codes
    "M15": _("Separately billed services were bundled"), "M20": _("Missing or invalid procedure code"),
    "M51": _("Missing, incomplete or invalid procedure code"), "M76": _("Missing or invalid diagnosis"),
    "M86": _("Service denied: the primary procedure was denied"),
    "MA04": _("Secondary payment cannot be considered without the primary payer's information"),
    "MA130": _("The claim has missing or invalid information and cannot be appealed; correct and resubmit"),
    "N4": _("Missing or invalid prior insurance carrier payment information"),
    "N19": _("The procedure code is incidental to the primary procedure"),
    "N30": _("The patient is not eligible for this service"),
    "N115": _("The decision was based on a local coverage determination"),
    "N130": _("Consult the plan's benefit documents for coverage"),
    "N290": _("Missing or invalid rendering provider identifier"),
    "N362": _("The number of days or units exceeds the acceptable maximum"),
    "N381": _("Consult the contract or agreement for restrictions"),
    "N418": _("Misrouted claim: send it to the right payer"),
    "N479": _("Missing explanation of benefits from the other payer"),
    "N522": _("Duplicate of a claim processed, or being processed, as a crossover"),
    "N657": _("This should be billed with the appropriate code for these services"),
}

STATUS_CATEGORY = {  # 277CA STC01-1
    "A0": _("Forwarded to another entity"), "A1": _("Received"), "A2": _("Accepted into adjudication"),
    "A3": _("Returned as unprocessable"), "A4": _("Not found"), "A5": _("Split claim"),
    "A6": _("Rejected for missing information"), "A7": _("Rejected for invalid information"),
    "A8": _("Rejected for a relational field error"),
    "E0": _("Response not possible: error in the request"), "E1": _("Response not possible: system down"),
}

CLAIM_STATUS_CODE = {  # 277CA STC01-2
    "0": _("Cannot provide further status electronically"), "3": _("Claim has been adjudicated"),
    "19": _("Entity acknowledges receipt of the claim"), "20": _("Accepted for processing"),
    "21": _("Missing or invalid information"), "33": _("Subscriber and subscriber id not found"),
    "35": _("Claim or encounter not found"), "85": _("Entity's name or identifier is missing or invalid"),
    "116": _("Claim submitted to the wrong payer"), "145": _("Entity's taxonomy code is missing or invalid"),
    "164": _("Entity's contract or member number is missing or invalid"),
    "187": _("Date(s) of service"), "247": _("Line information"),
    "255": _("Diagnosis code is missing or invalid"), "454": _("Procedure code for services rendered"),
    "480": _("Entity's National Provider Identifier (NPI) is invalid"),
    "562": _("Entity's National Provider Identifier (NPI)"), "718": _("Claim or service is a duplicate"),
}

PROVIDER_ADJUSTMENT = {  # PLB03-1
    "WO": _("Overpayment recovery"), "L6": _("Interest owed"), "FB": _("Forwarding balance"),
    "72": _("Authorized return"), "CS": _("Adjustment"), "J1": _("Non-reimbursable"),
    "IR": _("Internal Revenue Service withholding"),
    "50": _("Late charge"), "B2": _("Rebate"), "WU": _("Unspecified recovery"),
}

SET_STATUS = {  # 999 IK501 / AK901
    "A": _("Accepted"), "E": _("Accepted with errors"), "P": _("Partly accepted"), "R": _("Rejected"),
    "M": _("Rejected: message authentication failed"), "W": _("Rejected: assurance failed"),
    "X": _("Rejected: content could not be analysed"),
}

SEGMENT_ERROR = {  # 999 IK304
    "1": _("Unrecognized segment"), "2": _("Unexpected segment"), "3": _("Required segment missing"),
    "4": _("Loop occurs over its maximum"), "5": _("Segment exceeds its maximum use"),
    "6": _("Segment not in the transaction set"), "7": _("Segment not in the proper sequence"),
    "8": _("Segment has data element errors"), "I4": _("Implementation 'not used' segment present"),
    "I6": _("Implementation dependent segment missing"), "I7": _("Implementation loop occurs under its minimum"),
    "I8": _("Implementation segment below its minimum use"),
    "I9": _("Implementation dependent 'not used' segment present"),
}

ELEMENT_ERROR = {  # 999 IK403
    "1": _("Required element missing"), "2": _("Conditional required element missing"),
    "3": _("Too many elements"), "4": _("Element too short"), "5": _("Element too long"),
    "6": _("Invalid character in element"), "7": _("Invalid code value"), "8": _("Invalid date"),
    "9": _("Invalid time"), "10": _("Exclusion condition violated"), "12": _("Too many repetitions"),
    "13": _("Too many components"), "I10": _("Implementation 'not used' element present"),
    "I12": _("Implementation pattern match failure"), "I13": _("Implementation dependent 'not used' element present"),
    "I6": _("Code value not used in the implementation"), "I9": _("Implementation dependent element missing"),
}


def describe(table: Mapping[str, Promise | str], code: str) -> str:
    """The words for `code` in the active language, or 'Code X' for a code the table does not hold."""
    words = table.get(code)
    return str(words) if words is not None else gettext("Code %(code)s") % {"code": code}


def adjustment_words(group: str, reason: str) -> str:
    """'Contractual obligation: Charge exceeds the fee schedule' for CO 45."""
    return gettext("%(group)s: %(reason)s") % {"group": describe(ADJUSTMENT_GROUP, group),
                                               "reason": describe(CARC, reason)}
