"""A letter as a PDF (reportlab): the location's letterhead (name, address, phone), the date, the patient's
postal address, the subject and the text, in the patient's language."""

from __future__ import annotations

import datetime as dt
import io
import textwrap
from typing import Any

from django.utils import formats, translation
from django.utils.translation import gettext as _
from reportlab.lib.pagesizes import letter
from reportlab.lib.units import inch
from reportlab.pdfgen import canvas

from clinicdesk.practice.selectors import practice_settings


def letter_pdf(*, patient: Any, location: Any, language: str, subject: str, body: str, when: dt.datetime) -> bytes:
    with translation.override(language):
        return _letter_pdf(patient, location, subject, body, when)


def _letter_pdf(patient: Any, location: Any, subject: str, body: str, when: dt.datetime) -> bytes:
    buffer = io.BytesIO()
    pdf = canvas.Canvas(buffer, pagesize=letter, invariant=True)
    pdf.setTitle(subject or _("Letter"))
    y = 10.3 * inch
    pdf.setFont("Helvetica-Bold", 15)
    pdf.drawString(inch, y, practice_settings().short_name or location.name)
    pdf.setFont("Helvetica", 10)
    for line in (location.name, location.address_line,
                 f"{location.city}, {location.state} {location.postal_code}",
                 _("Phone: %(phone)s") % {"phone": location.phone}):
        y -= 13
        pdf.drawString(inch, y, line)
    pdf.line(inch, y - 8, 7.5 * inch, y - 8)
    y -= 36
    pdf.drawString(inch, y, formats.date_format(when.astimezone(location.tz), "DATE_FORMAT"))
    y -= 28
    for line in (f"{patient.given_name} {patient.family_name}", patient.address_line, patient.address_line2,
                 f"{patient.city}, {patient.state} {patient.postal_code}"):
        if line.strip():
            pdf.drawString(inch, y, line)
            y -= 13
    y -= 20
    if subject:
        pdf.setFont("Helvetica-Bold", 11)
        pdf.drawString(inch, y, subject[:90])
        y -= 24
    pdf.setFont("Helvetica", 11)
    for paragraph in body.splitlines() or [""]:
        for line in textwrap.wrap(paragraph, 88) or [""]:
            if y < inch:
                pdf.showPage()
                pdf.setFont("Helvetica", 11)
                y = 10.3 * inch
            pdf.drawString(inch, y, line)
            y -= 15
    pdf.showPage()
    pdf.save()
    return buffer.getvalue()
