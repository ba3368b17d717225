"""Words for the X12 5010 eligibility codes (005010X279A1), for screens. JSON output keeps the codes."""

from __future__ import annotations

from collections.abc import Mapping

from django.utils.translation import gettext_lazy as _

ELIGIBILITY_OR_BENEFIT = {
    "1": _("Active coverage"), "2": _("Active, full risk capitation"), "3": _("Active, services capitated"),
    "4": _("Active, services capitated to the primary care provider"), "5": _("Active, pending investigation"),
    "6": _("Inactive"), "7": _("Inactive, pending eligibility update"), "8": _("Inactive, pending investigation"),
    "A": _("Co-insurance"), "B": _("Co-payment"), "C": _("Deductible"), "CB": _("Coverage basis"),
    "D": _("Benefit description"), "E": _("Exclusions"), "F": _("Limitations"), "G": _("Out-of-pocket maximum"),
    "H": _("Unlimited"), "I": _("Not covered"), "J": _("Cost containment"), "K": _("Reserve"),
    "L": _("Primary care provider"), "M": _("Pre-existing condition"), "MC": _("Managed care coordinator"),
    "N": _("Services restricted to the following provider"), "O": _("Not deemed a medical necessity"),
    "P": _("Benefit disclaimer"), "Q": _("Second surgical opinion required"), "R": _("Other or additional payer"),
    "S": _("Prior years' history"), "T": _("Cards reported lost or stolen"),
    "U": _("Contact the following entity for eligibility or benefits"), "V": _("Cannot process"),
    "W": _("Other source of data"), "X": _("Health care facility"), "Y": _("Spend down"),
}
ACTIVE_CODES = frozenset({"1", "2", "3", "4", "5"})
INACTIVE_CODES = frozenset({"6", "7", "8"})

COVERAGE_LEVEL = {
    "CHD": _("Children only"), "DEP": _("Dependents only"), "ECH": _("Employee and children"),
    "EMP": _("Employee only"), "ESP": _("Employee and spouse"), "FAM": _("Family"), "IND": _("Individual"),
    "SPC": _("Spouse and children"), "SPO": _("Spouse only"),
}

SERVICE_TYPE = {
    "1": _("Medical care"), "2": _("Surgical"), "3": _("Consultation"), "4": _("Diagnostic X-ray"),
    "5": _("Diagnostic lab"), "7": _("Anesthesia"), "12": _("Durable medical equipment purchase"),
    "30": _("Health benefit plan coverage"), "33": _("Chiropractic"), "35": _("Dental care"),
    "42": _("Home health care"), "45": _("Hospice"), "47": _("Hospital"), "48": _("Hospital, inpatient"),
    "50": _("Hospital, outpatient"), "51": _("Hospital, emergency accident"), "52": _("Hospital, emergency medical"),
    "53": _("Hospital, ambulatory surgical"), "62": _("MRI/CAT scan"), "73": _("Diagnostic medical"),
    "76": _("Dialysis"), "78": _("Chemotherapy"), "80": _("Immunizations"), "81": _("Routine physical"),
    "82": _("Family planning"), "86": _("Emergency services"), "88": _("Pharmacy"),
    "93": _("Podiatry"), "98": _("Professional (physician) visit, office"), "A4": _("Psychiatric"),
    "A6": _("Psychotherapy"), "AD": _("Occupational therapy"), "AE": _("Physical medicine"),
    "AL": _("Vision (optometry)"), "BY": _("Physician visit, office: well"), "BZ": _("Physician visit, office: sick"),
    "MH": _("Mental health"), "PT": _("Physical therapy"), "UC": _("Urgent care"),
}

INSURANCE_TYPE = {
    "12": _("Medicare secondary, working aged"), "13": _("Medicare secondary, end-stage renal disease"),
    "14": _("Medicare secondary, no-fault"), "15": _("Medicare secondary, workers' compensation"),
    "16": _("Medicare secondary, public health service"), "41": _("Medicare secondary, black lung"),
    "42": _("Medicare secondary, veterans"), "43": _("Medicare secondary, disabled"),
    "47": _("Medicare secondary, liability"), "AP": _("Auto insurance policy"), "C1": _("Commercial"),
    "CO": _("Consolidated Omnibus Budget Reconciliation Act (COBRA)"), "CP": _("Medicare conditionally primary"),
    "D": _("Disability"), "DB": _("Disability benefits"), "EP": _("Exclusive provider organization"),
    "FF": _("Family or friends"), "GP": _("Group policy"), "HM": _("Health maintenance organization (HMO)"),
    "HN": _("HMO, Medicare risk"), "HS": _("Special low-income Medicare beneficiary"), "IN": _("Indemnity"),
    "IP": _("Individual policy"), "LC": _("Long-term care"), "LD": _("Long-term policy"), "LI": _("Life insurance"),
    "LT": _("Litigation"), "MA": _("Medicare Part A"), "MB": _("Medicare Part B"), "MC": _("Medicaid"),
    "MH": _("Medigap Part A"), "MI": _("Medigap Part B"), "MP": _("Medicare primary"), "OT": _("Other"),
    "PE": _("Property insurance, personal"), "PL": _("Personal"), "PP": _("Personal payment (cash, no insurance)"),
    "PR": _("Preferred provider organization (PPO)"), "PS": _("Point of service (POS)"),
    "QM": _("Qualified Medicare beneficiary"), "RP": _("Property insurance, real"),
    "SP": _("Supplemental policy"), "TF": _("Tax-equity Fiscal Responsibility Act (TEFRA)"),
    "WC": _("Workers' compensation"), "WU": _("Wrap-up policy"),
}

TIME_PERIOD = {
    "6": _("per hour"), "7": _("per day"), "13": _("per 24 hours"), "21": _("per year"), "22": _("per service year"),
    "23": _("per calendar year"), "24": _("year to date"), "25": _("per contract"), "26": _("per episode"),
    "27": _("per visit"), "28": _("outlier"), "29": _("remaining"), "30": _("exceeded"), "31": _("not exceeded"),
    "32": _("lifetime"), "33": _("lifetime remaining"), "34": _("per month"), "35": _("per week"),
    "36": _("per admission"),
}

QUANTITY = {
    "99": _("quantity used"), "CA": _("covered, actual"), "CE": _("covered, estimated"),
    "DB": _("deductible blood units"),
    "DY": _("days"), "HS": _("hours"), "LA": _("life-time reserve, actual"), "LE": _("life-time reserve, estimated"),
    "M2": _("maximum"), "MN": _("months"), "P6": _("number of services or procedures"), "QA": _("quantity approved"),
    "S7": _("age, high value"), "S8": _("age, low value"), "VS": _("visits"), "YY": _("years"),
}

# AAA03: why the request was refused.
REJECT_REASON = {
    "04": _("Authorized quantity exceeded"), "15": _("Required application data missing"),
    "33": _("Input errors"), "35": _("Out of network"), "41": _("Authorization or access restrictions"),
    "42": _("Unable to respond at current time"), "43": _("Invalid or missing provider identification"),
    "44": _("Invalid or missing provider name"), "45": _("Invalid or missing provider specialty"),
    "46": _("Invalid or missing provider phone number"), "47": _("Invalid or missing provider state"),
    "48": _("Invalid or missing referring provider identification number"),
    "49": _("Provider is not the primary care physician"), "50": _("Provider ineligible for inquiries"),
    "51": _("Provider not on file"), "52": _("Service dates not within provider plan enrollment"),
    "53": _("Inquired benefit inconsistent with provider type"),
    "54": _("Inappropriate product or service ID qualifier"), "55": _("Inappropriate product or service ID"),
    "56": _("Inappropriate date"), "57": _("Invalid or missing dates of service"),
    "58": _("Invalid or missing date of birth"), "60": _("Date of birth follows dates of service"),
    "61": _("Date of death precedes dates of service"),
    "62": _("Date of service not within allowable inquiry period"), "63": _("Date of service in the future"),
    "64": _("Invalid or missing patient ID"), "65": _("Invalid or missing patient name"),
    "66": _("Invalid or missing patient gender"), "67": _("Patient not found"), "68": _("Duplicate patient ID"),
    "69": _("Inconsistent with the patient's age"), "70": _("Inconsistent with the patient's gender"),
    "71": _("Patient's date of birth does not match the payer's records"),
    "72": _("Invalid or missing subscriber or insured ID"), "73": _("Invalid or missing subscriber or insured name"),
    "74": _("Invalid or missing subscriber or insured gender"), "75": _("Subscriber or insured not found"),
    "76": _("Duplicate subscriber or insured ID"), "77": _("Subscriber found, patient not found"),
    "78": _("Subscriber or insured not in the group or plan identified"),
    "79": _("Invalid participant identification"), "80": _("No response received, transaction terminated"),
    "97": _("Invalid or missing provider address"), "T4": _("Payer name or identifier missing"),
}

# AAA04: what to do next.
FOLLOW_UP = {
    "C": _("Correct the request and send it again."), "N": _("Do not send it again."),
    "P": _("Send the original request again."), "R": _("It may be sent again."),
    "S": _("Do not send it again; the payer asked a third party."),
    "W": _("Wait 30 days and send it again."), "X": _("Wait 10 days and send it again."),
    "Y": _("Do not send it again; the payer will answer by other means."),
}


def word(table: Mapping[str, object], code: str) -> str:
    """The words for a code, or the code itself when the table does not know it."""
    return str(table.get(code, code)) if code else ""
