"""Check digits and formats of the identifiers a claim carries: the NPI (Luhn check digit over the 80840 prefix)
and the employer identification number (EIN, the tax id: nine digits, a prefix the IRS assigns). Pure functions,
used by the claim scrubber."""

from __future__ import annotations

import re

# IRS campus prefixes never assigned to an EIN (https://www.irs.gov: "How EINs are assigned and valid EIN prefixes")
_INVALID_EIN_PREFIXES = frozenset({"00", "07", "08", "09", "17", "18", "19", "28", "29", "49", "69", "70", "78",
                                   "79", "89", "96", "97"})
_EIN = re.compile(r"^(\d{2})-?(\d{7})$")


def npi_check_digit(first_nine: str) -> int:
    """The NPI's tenth digit for its first nine: Luhn over '80840' + the nine digits (the ISO 7812 card issuer
    prefix of US health care), which is the Luhn of the nine digits plus the constant 24."""
    if len(first_nine) != 9 or not first_nine.isdigit():
        raise ValueError("An NPI's first part is nine digits.")
    total = 24
    for position, char in enumerate(reversed(first_nine)):
        digit = int(char)
        if position % 2 == 0:  # the rightmost of the nine is doubled (the check digit follows it)
            digit *= 2
            if digit > 9:
                digit -= 9
        total += digit
    return (10 - total % 10) % 10


def npi_is_valid(npi: str) -> bool:
    """Ten digits, starting 1 or 2, with the right Luhn check digit."""
    if len(npi) != 10 or not npi.isdigit() or npi[0] not in "12":
        return False
    return npi_check_digit(npi[:9]) == int(npi[9])


def ein_normalized(ein: str) -> str | None:
    """The EIN as nine digits (12-3456789 or 123456789 accepted), or None when it is not a well-formed EIN."""
    match = _EIN.match((ein or "").strip())
    if match is None or match.group(1) in _INVALID_EIN_PREFIXES:
        return None
    return match.group(1) + match.group(2)


def ein_is_valid(ein: str) -> bool:
    return ein_normalized(ein) is not None
