"""The receipt PDF (reportlab): what was paid, how, when, by whom, and the balance after."""

from __future__ import annotations

import io
import textwrap
from decimal import Decimal

from django.utils.translation import gettext as _
from reportlab.lib.pagesizes import letter
from reportlab.lib.units import inch
from reportlab.pdfgen import canvas

from clinicdesk.core.l10n import in_language, known_language, moment_text
from clinicdesk.practice.selectors import practice_settings

from .models import LedgerEntry, PaymentMethod
from .money import format_money as _money


def receipt_language(entry: LedgerEntry) -> str:
    """A receipt is the patient's: it is written in their preferred language (English when it is not one we have),
    words, money and dates alike, whoever prints it (core/l10n.py)."""
    return known_language(entry.patient.preferred_language or "en")


def receipt_lines(entry: LedgerEntry, balance_after: Decimal | None = None) -> list[tuple[str, str]]:
    with in_language(receipt_language(entry)):
        return _receipt_lines(entry, balance_after)


def _receipt_lines(entry: LedgerEntry, balance_after: Decimal | None) -> list[tuple[str, str]]:
    how = entry.get_method_display()
    if entry.method == PaymentMethod.CHECK:
        how = _("Check no. %(number)s") % {"number": entry.check_number}
    elif entry.method == PaymentMethod.ONLINE:
        how = _("Online, card ending %(last4)s (ref. %(ref)s)") % {"last4": entry.card_last4 or "----",
                                                                    "ref": entry.card_reference}
    elif entry.method == PaymentMethod.CARD:
        how = _("Card ending %(last4)s (ref. %(ref)s)") % {"last4": entry.card_last4, "ref": entry.card_reference}
    lines = [
        (_("Receipt"), entry.receipt_number or ""),
        (_("Date"), moment_text(entry.created_at, entry.location.tz)),
        (_("Patient"), _("%(name)s (MRN %(mrn)s)") % {"name": entry.patient.display_name, "mrn": entry.patient.mrn}),
        (_("For"), entry.description),
        (_("Refund") if entry.kind == "refund" else _("Amount paid"), _money(abs(entry.amount))),
        (_("Method"), str(how)),
        (_("Received by"), entry.created_by.get_full_name() or entry.created_by.get_username()
         if entry.created_by else ""),
    ]
    if balance_after is not None:
        lines.append((_("Account balance"), _money(balance_after)))
    return lines


def receipt_pdf(entry: LedgerEntry, balance_after: Decimal | None = None) -> bytes:
    buffer = io.BytesIO()
    pdf = canvas.Canvas(buffer, pagesize=letter, invariant=True)
    with in_language(receipt_language(entry)):
        pdf.setTitle(_("Receipt %(number)s") % {"number": entry.receipt_number})
    location = entry.location
    y = 10.2 * inch
    pdf.setFont("Helvetica-Bold", 14)
    pdf.drawString(inch, y, location.name)
    pdf.setFont("Helvetica", 10)
    y -= 16
    pdf.drawString(inch, y, f"{location.address_line}, {location.city}, {location.state} {location.postal_code}")
    y -= 14
    pdf.drawString(inch, y, location.phone)
    y -= 30
    for label, value in receipt_lines(entry, balance_after):
        pdf.setFont("Helvetica-Bold", 11)
        pdf.drawString(inch, y, f"{label}:")
        pdf.setFont("Helvetica", 11)
        pdf.drawString(2.6 * inch, y, value)
        y -= 18
    footer = practice_settings().receipt_footer  # the practice's own words (practice settings)
    if footer:
        pdf.setFont("Helvetica", 9)
        for number, line in enumerate(textwrap.wrap(footer, 100)[:4]):
            pdf.drawString(inch, (1.0 - 0.17 * number) * inch, line)
    pdf.showPage()
    pdf.save()
    return buffer.getvalue()
