"""The appeal letter of a denied claim as a PDF (reportlab, as the grievance letters): to the payer, on the
practice's letterhead, naming the patient, the member id, the date of service, our claim number and the payer's,
the amount and the reason of the denial in words, and asking for reconsideration. Written in English or Spanish
(the patient's language, or the one the biller chose; the words come from the translation catalogue)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from django.utils import translation
from django.utils.translation import gettext as _

from clinicdesk.core.letter_pdf import LetterPage, letter_day

from .denial_words import next_step, reason_words
from .money import format_money

LETTER_LANGUAGES = ("en", "es")


def appeal_letter_pdf(claim: Any, *, codes: list[str], amount: Decimal, language: str, sent_on: dt.date,
                      note: str = "") -> bytes:
    """`codes`: the denial's reason codes (CARC, or '277ca:<code>'), written in words in the letter's language."""
    with translation.override(language if language in LETTER_LANGUAGES else "en"):
        return _letter(claim, codes, amount, sent_on, note)


def _letter(claim: Any, codes: list[str], amount: Decimal, sent_on: dt.date, note: str) -> bytes:
    location, payer, patient = claim.location, claim.payer, claim.patient
    title = _("Request for reconsideration of a denied claim")
    page = LetterPage(title, wrap=90)
    page.letterhead(location)
    page.line(letter_day(sent_on))
    page.space(10)
    page.line(payer.name)
    page.line(_("Appeals department"))
    for text in (payer.address_line, f"{payer.city}, {payer.state} {payer.postal_code}" if payer.city else ""):
        if text:
            page.line(text)
    page.space(16)
    page.line(title, bold=True, size=12, gap=18)
    facts = [
        (_("Patient"), f"{patient.given_name} {patient.family_name}"),
        (_("Date of birth"), letter_day(patient.birth_date)),
        (_("Member id"), claim.coverage.member_id),
        (_("Date of service"), letter_day(claim.date_of_service)),
        (_("Our claim number"), claim.claim_number),
        (_("Payer's claim number"), claim.payer_claim_number or "—"),
        (_("Amount billed"), format_money(claim.total_charge)),
        (_("Amount denied"), format_money(amount)),
    ]
    for label, value in facts:
        page.line(f"{label}: {value}")
    page.space(8)
    page.para(_("To the appeals department,"))
    page.para(_("We ask you to reconsider your decision on the claim above. You denied it for this reason:"))
    for code in codes or [""]:
        page.para(f"  - {reason_words(code)}")
    if any(next_step(code) == "appeal" for code in codes) or not codes:
        page.para(_("The services were medically necessary and were provided as documented in the patient's "
                    "record. The enclosed documentation supports the diagnoses and the services billed, and "
                    "the patient's plan covers them on the date of service."))
    else:
        page.para(_("We have reviewed the claim and believe it was billed correctly. The enclosed documentation "
                    "supports the services billed on the date of service."))
    if note.strip():
        page.para(note.strip())
    page.para(_("Please review the claim again and send us your decision in writing. If you need more "
                "information, call us at %(phone)s.") % {"phone": location.phone or "—"})
    page.space(10)
    page.para(_("Sincerely,"))
    page.para(location.organization.name)
    return page.done()
