"""The transfer packet as one PDF (reportlab): the facility, the patient's demographics, coverage, current prior
authorizations, the referral letter's text and the list of documents chosen. Written in the practice's default
language; words, not codes."""

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

from .care_selectors import TransferPacket


def transfer_packet_pdf(packet: TransferPacket) -> bytes:
    with translation.override(settings.LANGUAGE_CODE[:2]):
        return _packet(packet)


def _day(value: dt.date | None) -> str:
    return str(formats.date_format(value, "SHORT_DATE_FORMAT")) if value else "-"


def _packet(packet: TransferPacket) -> bytes:
    buffer = io.BytesIO()
    pdf = canvas.Canvas(buffer, pagesize=letter, invariant=True)
    transfer, patient = packet.transfer, packet.patient
    location, facility = transfer.location, transfer.facility
    title = _("Transfer packet: %(facility)s") % {"facility": facility.name}
    pdf.setTitle(title)
    y = 10.2 * inch

    def line(text: str, *, bold: bool = False, size: int = 10, gap: int = 14) -> None:
        nonlocal y
        for part in textwrap.wrap(text, 95) or [""]:
            if y < inch:
                pdf.showPage()
                y = 10.2 * inch
            pdf.setFont("Helvetica-Bold" if bold else "Helvetica", size)
            pdf.drawString(inch, y, part)
            y -= gap

    def heading(text: str) -> None:
        nonlocal y
        y -= 8
        line(text, bold=True, size=11)

    line(location.name, bold=True, size=14, gap=18)
    line(f"{location.address_line}, {location.city}, {location.state} {location.postal_code} · {location.phone}")
    y -= 10
    line(title, bold=True, size=16, gap=22)
    line(f"{transfer.get_kind_display()} · {_('Status')}: {transfer.get_status_display()}")
    line(_("Requested on %(day)s; planned for %(planned)s") % {"day": _day(transfer.requested_on),
                                                               "planned": _day(transfer.planned_for)})
    heading(_("Receiving facility"))
    line(f"{facility.name} · {facility.get_kind_display()}" + (f" · NPI {facility.npi}" if facility.npi else ""))
    contact = " · ".join(x for x in (facility.contact_name, facility.phone,
                                     _("fax %(fax)s") % {"fax": facility.fax} if facility.fax else "",
                                     facility.address) if x)
    if contact:
        line(contact)
    heading(_("Patient"))
    line(f"{patient.display_name} · {_('Date of birth')}: {_day(patient.birth_date)} · {_('MRN')}: {patient.mrn}")
    language = {"en": _("English"), "es": _("Spanish")}.get(patient.preferred_language[:2], patient.preferred_language)
    line(f"{patient.get_sex_display()} · {_('Language')}: {language}"
         + (f" · {_('Interpreter needed')}" if patient.interpreter_needed else ""))
    address = ", ".join(x for x in (patient.address_line, patient.city, patient.state, patient.postal_code) if x)
    if address:
        line(address)
    if patient.phone:
        line(_("Phone: %(phone)s") % {"phone": patient.phone})
    heading(_("Reason"))
    line(transfer.reason)
    if transfer.diagnosis_codes:
        line(_("Diagnosis codes (ICD-10): %(codes)s") % {"codes": ", ".join(transfer.diagnosis_codes)})
    heading(_("Coverage"))
    for coverage in packet.coverages:
        line(f"{coverage.get_order_display()}: {coverage.payer.name} · {_('member id')} {coverage.member_id}"
             + (f" · {_('group')} {coverage.group_number}" if coverage.group_number else ""))
    if not packet.coverages:
        line(_("No active coverage on file (self-pay)."))
    heading(_("Prior authorizations"))
    number = _("number")  # of the payer's authorization
    for auth in packet.authorizations:
        line(f"{auth.get_status_display()}: {', '.join(auth.procedure_codes)}"
             + (f" · {number} {auth.auth_number}" if auth.auth_number else "")
             + (f" · {_day(auth.valid_from)} - {_day(auth.valid_to)}" if auth.valid_from else ""))
    if not packet.authorizations:
        line(_("None current."))
    if packet.referral is not None:
        referral = packet.referral
        heading(_("Referral letter"))
        line(_("To: %(name)s") % {"name": referral.specialist_name}
             + (f" · {referral.specialty}" if referral.specialty else ""))
        line(referral.reason)
        if referral.diagnosis_codes:
            line(_("Diagnosis codes (ICD-10): %(codes)s") % {"codes": ", ".join(referral.diagnosis_codes)})
    heading(_("Documents sent with the packet"))
    for document in packet.documents:
        line(f"{_day(document.document_date)} · {document.get_kind_display()}"
             + (f" · {document.description}" if document.description else ""))
    if not packet.documents:
        line(_("None chosen."))
    y -= 12
    line(_("Prepared on %(when)s") % {"when": formats.date_format(packet.generated_at.astimezone(location.tz),
                                                                  "SHORT_DATETIME_FORMAT")})
    pdf.showPage()
    pdf.save()
    return buffer.getvalue()
