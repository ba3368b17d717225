"""The referral letter to a specialist as a PDF (reportlab): who we are, who the patient is, why we refer them,
the diagnosis codes, and what we ask the specialist to send back; with the packet (`referral_packet_pdf`) a second
page with the patient's coverage and current prior authorizations. Written in the practice's default language."""

from __future__ import annotations

import datetime as dt
import io
import textwrap

from django.conf import settings
from django.utils import formats, translation
from django.utils.translation import gettext as _
from reportlab.lib.pagesizes import letter
from reportlab.lib.units import inch
from reportlab.pdfgen import canvas

from .models import OutgoingReferral
from .referral_selectors import ReferralPacket


def referral_letter_pdf(referral: OutgoingReferral) -> bytes:
    with translation.override(settings.LANGUAGE_CODE[:2]):
        return _letter(referral)


def referral_packet_pdf(packet: ReferralPacket) -> bytes:
    """The letter, then the patient's coverage and current prior authorizations."""
    with translation.override(settings.LANGUAGE_CODE[:2]):
        return _letter(packet.referral, packet)


def _day(value: dt.date | None) -> str:
    return str(formats.date_format(value, "SHORT_DATE_FORMAT")) if value else "-"


def _letter(referral: OutgoingReferral, packet: ReferralPacket | None = None) -> bytes:
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
    if packet is not None:
        pdf.showPage()
        y = 10.2 * inch
        line(f"{patient.display_name} · {_('MRN')}: {patient.mrn}", bold=True, size=12, gap=20)
        line(_("Coverage"), bold=True, size=11)
        for coverage in packet.coverages:
            line(f"{coverage.get_order_display()}: {coverage.payer.name} · {_('member id')} {coverage.member_id}"
                 + (f" · {_('group')} {coverage.group_number}" if coverage.group_number else "")
                 + (f" · {coverage.payer.phone}" if coverage.payer.phone else ""))
        if not packet.coverages:
            line(_("No active coverage on file (self-pay)."))
        y -= 8
        line(_("Prior authorizations"), bold=True, size=11)
        number = _("number")  # of the payer's authorization
        for auth in packet.authorizations:
            line(f"{auth.get_status_display()}: {', '.join(auth.procedure_codes)}"
                 + (f" · {number} {auth.auth_number}" if auth.auth_number else "")
                 + f" · {_day(auth.valid_from)} - {_day(auth.valid_to)}")
        if not packet.authorizations:
            line(_("None current."))
    pdf.showPage()
    pdf.save()
    return buffer.getvalue()
