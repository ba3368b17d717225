"""Check digits for identifiers people type: MRNs (Luhn) and NPIs (Luhn with the 80840 prefix)."""

from __future__ import annotations


def luhn_digit(digits: str) -> str:
    total = 0
    for index, char in enumerate(reversed(digits)):
        value = int(char)
        if index % 2 == 0:
            value *= 2
            if value > 9:
                value -= 9
        total += value
    return str((10 - total % 10) % 10)


def luhn_valid(number: str) -> bool:
    return number.isdigit() and len(number) > 1 and luhn_digit(number[:-1]) == number[-1]


def mrn_from_sequence(sequence: int) -> str:
    """A short MRN: the sequence number (at least 6 digits) and a Luhn check digit."""
    body = f"{sequence:06d}"
    return body + luhn_digit(body)


def npi_valid(npi: str) -> bool:
    return len(npi) == 10 and npi.isdigit() and luhn_valid("80840" + npi)


def npi_complete(first_nine: str) -> str:
    return first_nine + luhn_digit("80840" + first_nine)
