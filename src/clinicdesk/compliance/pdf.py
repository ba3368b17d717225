"""Compliance PDFs (reportlab): grievance letters (acknowledgement, resolution) and the accounting of disclosures,
written in the patient's language (English or Spanish; the words come from the translation catalogue)."""

from __future__ import annotations

import datetime as dt
import io
import textwrap
from collections.abc import Iterable
from typing import Any

from django.utils import formats, translation
from django.utils.translation import gettext as _
from reportlab.lib.pagesizes import letter
from reportlab.lib.units import inch
from reportlab.pdfgen import canvas

from .models import Complaint, Disclosure, DisclosurePurpose, LetterKind, RecordPart

LETTER_LANGUAGES = ("en", "es")


class _Page:
    """A letter page that wraps text and turns the page when full."""

    def __init__(self, title: str) -> None:
        self.buffer = io.BytesIO()
        self.pdf = canvas.Canvas(self.buffer, pagesize=letter, invariant=True)
        self.pdf.setTitle(title)
        self.y = 10.2 * inch

    def line(self, text: str, *, bold: bool = False, size: int = 10, gap: int = 14) -> None:
        if self.y < 1.0 * inch:
            self.pdf.showPage()
            self.y = 10.2 * inch
        self.pdf.setFont("Helvetica-Bold" if bold else "Helvetica", size)
        self.pdf.drawString(inch, self.y, text)
        self.y -= gap

    def para(self, text: str, *, width: int = 88) -> None:
        for chunk in (text or "").splitlines() or [""]:
            for piece in textwrap.wrap(chunk, width) or [""]:
                self.line(piece)
        self.y -= 6

    def space(self, points: int = 10) -> None:
        self.y -= points

    def done(self) -> bytes:
        self.pdf.showPage()
        self.pdf.save()
        return self.buffer.getvalue()


def _day(day: dt.date | None) -> str:
    return formats.date_format(day, "DATE_FORMAT") if day else "—"


def _letterhead(page: _Page, location: Any) -> None:
    page.line(location.organization.name, bold=True, size=14, gap=16)
    for text in (location.name, location.address_line, f"{location.city}, {location.state} {location.postal_code}",
                 location.phone):
        if text:
            page.line(text)
    page.space(16)


def _addressee(page: _Page, patient: Any) -> None:
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
    page = _Page(title)
    _letterhead(page, location)
    page.line(_day(sent_on))
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
                  % {"date": _day(received), "due": _day(complaint.resolution_due_on)})
        page.para(_("What you told us: %(summary)s") % {"summary": complaint.summary})
    else:
        page.para(_("We have finished looking into the grievance you raised on %(date)s. This letter tells you "
                    "what we did and what we found.") % {"date": _day(received)})
        page.line(_("Steps we took to investigate"), bold=True)
        page.para(complaint.steps_taken)
        page.line(_("Results"), bold=True)
        page.para(complaint.results)
        page.line(_("Date of completion"), bold=True)
        page.para(_day(complaint.completed_on))
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
        page = _Page(_("Accounting of disclosures"))
        _letterhead(page, location)
        page.line(_("Accounting of disclosures"), bold=True, size=13, gap=18)
        page.line(_("Patient: %(name)s (MRN %(mrn)s)") % {"name": f"{patient.given_name} {patient.family_name}",
                                                         "mrn": patient.mrn})
        page.line(_("Period: %(start)s to %(end)s") % {"start": _day(since), "end": _day(today)})
        page.space(6)
        page.para(_("This lists the disclosures of your health information that the law requires us to account "
                    "for (45 CFR 164.528): the date, who received it, what was disclosed and why. Disclosures for "
                    "your treatment, payment and our health care operations, and those you received yourself, are "
                    "not listed."))
        if not disclosures:
            page.para(_("There were no disclosures to list in this period."))
        for disclosure in disclosures:
            page.line(f"{_day(disclosure.disclosed_on)} · {disclosure.recipient}", bold=True)
            if disclosure.recipient_address:
                page.line(disclosure.recipient_address)
            page.para(_("What: %(parts)s") % {"parts": part_labels(disclosure.parts) or disclosure.description})
            page.para(_("Why: %(purpose)s") % {"purpose": DisclosurePurpose(disclosure.purpose).label}
                      + (f" ({disclosure.description})" if disclosure.description and disclosure.parts else ""))
        return page.done()
