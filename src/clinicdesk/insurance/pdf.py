"""The referral letter to a specialist as a PDF (reportlab): who we are, who the patient is, why we refer them,
the diagnosis codes, and what we ask the specialist to send back. Written in the practice's default language."""

from __future__ import annotations

import io
import textwrap

from django.conf import settings
from django.utils import formats, translation
from django.utils.translation import gettext as _
from reportlab.lib.pagesizes import letter
from reportlab.lib.units import inch
from reportlab.pdfgen import canvas

from .models import OutgoingReferral


def referral_letter_pdf(referral: OutgoingReferral) -> bytes:
    with translation.override(settings.LANGUAGE_CODE[:2]):
        return _letter(referral)


def _letter(referral: OutgoingReferral) -> bytes:
    buffer = io.BytesIO()
    pdf = canvas.Canvas(buffer, pagesize=letter, invariant=True)
    title = _("Referral to %(name)s") % {"name": referral.specialist_name}
    pdf.setTitle(title)
    location, patient = referral.location, referral.patient
    y = 10.2 * inch

    def line(text: str, *, bold: bool = False, size: int = 10, gap: int = 14) -> None:
        nonlocal y
        pdf.setFont("Helvetica-Bold" if bold else "Helvetica", size)
        for part in textwrap.wrap(text, 95) or [""]:
            pdf.drawString(inch, y, part)
            y -= gap

    line(location.name, bold=True, size=14, gap=18)
    line(location.address_line)
    line(f"{location.city}, {location.state} {location.postal_code}")
    line(location.phone)
    y -= 10
    line(title, bold=True, size=16, gap=22)
    if referral.urgent:
        line(_("URGENT"), bold=True)
    line(_("Date: %(date)s") % {"date": formats.date_format(referral.created_at.astimezone(location.tz),
                                                            "SHORT_DATE_FORMAT")})
    line(_("To: %(name)s") % {"name": referral.specialist_name}
         + (f" · {referral.specialty}" if referral.specialty else "")
         + (f" · NPI {referral.specialist_npi}" if referral.specialist_npi else ""))
    if referral.specialist_contact:
        line(_("Contact: %(contact)s") % {"contact": referral.specialist_contact})
    y -= 8
    line(_("Patient"), bold=True, size=11)
    line(f"{patient.display_name} · {_('Date of birth')}: "
         f"{formats.date_format(patient.birth_date, 'SHORT_DATE_FORMAT')} · {_('MRN')}: {patient.mrn}")
    if getattr(patient, "phone", ""):
        line(_("Phone: %(phone)s") % {"phone": patient.phone})
    y -= 8
    line(_("Reason for the referral"), bold=True, size=11)
    line(referral.reason)
    if referral.diagnosis_codes:
        y -= 4
        line(_("Diagnosis codes (ICD-10): %(codes)s") % {"codes": ", ".join(referral.diagnosis_codes)})
    y -= 8
    line(_("Please let us know when you receive this referral, when the patient is scheduled, and send us your "
           "consultation note after the visit."))
    y -= 24
    who = referral.referring_practitioner
    line(_("Referring provider: %(name)s") % {"name": str(who) if who else location.name}, bold=True)
    pdf.showPage()
    pdf.save()
    return buffer.getvalue()
