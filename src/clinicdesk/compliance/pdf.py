"""Compliance PDFs (reportlab): grievance letters (acknowledgement, resolution) and the accounting of disclosures,
written in the patient's language (English or Spanish; the words come from the translation catalogue)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import Any

from django.utils import translation
from django.utils.translation import gettext as _

from clinicdesk.core.letter_pdf import LetterPage, letter_day

from .models import Complaint, Disclosure, DisclosurePurpose, LetterKind, RecordPart

LETTER_LANGUAGES = ("en", "es")


def _addressee(page: LetterPage, patient: Any) -> None:
    page.line(f"{patient.given_name} {patient.family_name}")
    for text in (patient.address_line, patient.address_line2,
                 f"{patient.city}, {patient.state} {patient.postal_code}" if patient.city else ""):
        if text:
            page.line(text)
    page.space(16)


def grievance_letter_pdf(complaint: Complaint, *, kind: str, language: str, sent_on: dt.date) -> bytes:
    with translation.override(language if language in LETTER_LANGUAGES else "en"):
        return _grievance_letter(complaint, kind, sent_on)


def _grievance_letter(complaint: Complaint, kind: str, sent_on: dt.date) -> bytes:
    patient, location = complaint.patient, complaint.location
    received = complaint.received_at.astimezone(location.tz).date()
    title = (_("Acknowledgement of your grievance") if kind == LetterKind.ACKNOWLEDGEMENT
             else _("Resolution of your grievance"))
    page = LetterPage(title)
    page.letterhead(location)
    page.line(letter_day(sent_on))
    page.space(10)
    _addressee(page, patient)
    page.line(title, bold=True, size=12, gap=18)
    page.line(_("Reference: %(ref)s") % {"ref": str(complaint)})
    page.space(8)
    page.para(_("Dear %(name)s,") % {"name": f"{patient.given_name} {patient.family_name}"})
    if kind == LetterKind.ACKNOWLEDGEMENT:
        page.para(_("We received your concern on %(date)s and are treating it as a formal grievance. Thank you for "
                    "telling us. We are looking into it and will send you a written answer by %(due)s, explaining "
                    "the steps we took, what we found and who you can contact.")
                  % {"date": letter_day(received), "due": letter_day(complaint.resolution_due_on)})
        page.para(_("What you told us: %(summary)s") % {"summary": complaint.summary})
    else:
        page.para(_("We have finished looking into the grievance you raised on %(date)s. This letter tells you "
                    "what we did and what we found.") % {"date": letter_day(received)})
        page.line(_("Steps we took to investigate"), bold=True)
        page.para(complaint.steps_taken)
        page.line(_("Results"), bold=True)
        page.para(complaint.results)
        page.line(_("Date of completion"), bold=True)
        page.para(letter_day(complaint.completed_on))
    page.line(_("Contact person"), bold=True)
    page.para(_("%(person)s, %(phone)s") % {"person": complaint.contact_person or _("The practice coordinator"),
                                            "phone": location.phone})
    page.para(_("If you are not satisfied, you may also contact your state's health department or, if you have "
                "Medicare, the Beneficiary and Family Centered Care Quality Improvement Organization."))
    page.space(10)
    page.para(_("Sincerely,"))
    page.para(location.organization.name)
    return page.done()


def part_labels(parts: Iterable[str]) -> str:
    return ", ".join(str(RecordPart(p).label) for p in parts if p in RecordPart.values)


def disclosures_pdf(patient: Any, location: Any, disclosures: list[Disclosure], *, since: dt.date,
                    today: dt.date, language: str) -> bytes:
    with translation.override(language if language in LETTER_LANGUAGES else "en"):
        page = LetterPage(_("Accounting of disclosures"))
        page.letterhead(location)
        page.line(_("Accounting of disclosures"), bold=True, size=13, gap=18)
        page.line(_("Patient: %(name)s (MRN %(mrn)s)") % {"name": f"{patient.given_name} {patient.family_name}",
                                                         "mrn": patient.mrn})
        page.line(_("Period: %(start)s to %(end)s") % {"start": letter_day(since), "end": letter_day(today)})
        page.space(6)
        page.para(_("This lists the disclosures of your health information that the law requires us to account "
                    "for (45 CFR 164.528): the date, who received it, what was disclosed and why. Disclosures for "
                    "your treatment, payment and our health care operations, and those you received yourself, are "
                    "not listed."))
        if not disclosures:
            page.para(_("There were no disclosures to list in this period."))
        for disclosure in disclosures:
            page.line(f"{letter_day(disclosure.disclosed_on)} · {disclosure.recipient}", bold=True)
            if disclosure.recipient_address:
                page.line(disclosure.recipient_address)
            page.para(_("What: %(parts)s") % {"parts": part_labels(disclosure.parts) or disclosure.description})
            page.para(_("Why: %(purpose)s") % {"purpose": DisclosurePurpose(disclosure.purpose).label}
                      + (f" ({disclosure.description})" if disclosure.description and disclosure.parts else ""))
        return page.done()
