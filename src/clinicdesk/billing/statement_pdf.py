"""The statement and the dispute response letter as PDF (reportlab), in the patient's language: words, money and
dates alike (core/l10n.py), whoever prints them."""

from __future__ import annotations

import datetime as dt
import io
import textwrap
from collections.abc import Collection, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.utils.translation import gettext as _
from reportlab.lib.pagesizes import letter
from reportlab.lib.units import inch
from reportlab.pdfgen import canvas

from clinicdesk.core.l10n import day_text, in_language
from clinicdesk.practice.selectors import practice_settings

from .money import format_money


def bucket_labels() -> list[str]:
    return [_("0-30 days"), _("31-60 days"), _("61-90 days"), _("91-120 days"), _("Over 120 days")]


@dataclass
class StatementContent:
    patient: Any
    location: Any
    statement_date: dt.date
    balance: Decimal  # the amount due: what the patient owes now
    buckets: Sequence[Decimal]  # the amount due by age
    activity: Sequence[Any]  # ledger entries since the previous statement (created_at, kind label, description, amount)
    pay_url: str
    language: str
    pending: Decimal = Decimal("0.00")  # pending with insurance: shown, not billed
    account_balance: Decimal | None = None  # the whole balance (the amount due plus what is pending)
    pending_entries: Collection[int] = field(default_factory=frozenset)  # charges on claims pending with insurance


def _head(pdf: canvas.Canvas, location: Any) -> float:
    y = 10.3 * inch
    pdf.setFont("Helvetica-Bold", 15)
    pdf.drawString(inch, y, practice_settings().short_name or location.name)
    pdf.setFont("Helvetica", 10)
    for line in (location.name, location.address_line, f"{location.city}, {location.state} {location.postal_code}",
                 _("Phone: %(phone)s") % {"phone": location.phone}):
        y -= 13
        pdf.drawString(inch, y, line)
    pdf.line(inch, y - 8, 7.5 * inch, y - 8)
    return y - 30


def _address(pdf: canvas.Canvas, patient: Any, y: float) -> float:
    pdf.setFont("Helvetica", 11)
    for line in (patient.display_name, getattr(patient, "address_line", "") or "",
                 " ".join(p for p in (getattr(patient, "city", ""), getattr(patient, "state", ""),
                                      getattr(patient, "postal_code", "")) if p)):
        if line.strip():
            pdf.drawString(inch, y, line)
            y -= 14
    return y - 12


def statement_pdf(content: StatementContent) -> bytes:
    with in_language(content.language):
        return _statement_pdf(content)


def _statement_pdf(c: StatementContent) -> bytes:
    buffer = io.BytesIO()
    pdf = canvas.Canvas(buffer, pagesize=letter, invariant=True)
    pdf.setTitle(_("Statement"))
    y = _head(pdf, c.location)
    pdf.setFont("Helvetica-Bold", 14)
    pdf.drawString(inch, y, _("Statement"))
    pdf.setFont("Helvetica", 10)
    pdf.drawRightString(7.5 * inch, y, _("Statement date: %(date)s") % {"date": day_text(c.statement_date)})
    y -= 24
    y = _address(pdf, c.patient, y)
    pdf.setFont("Helvetica", 10)
    pdf.drawString(inch, y, _("Account number: %(mrn)s") % {"mrn": c.patient.mrn})
    y -= 22
    if c.pending > 0:
        # The whole balance, the part the patient's insurance has not answered yet, and what is due now.
        pdf.setFont("Helvetica", 10)
        for label, amount in ((_("Account balance"), c.account_balance if c.account_balance is not None
                               else c.balance + c.pending),
                              (_("Pending with insurance (not due now)"), c.pending)):
            pdf.drawString(inch, y, label)
            pdf.drawRightString(4.5 * inch, y, format_money(amount))
            y -= 14
        y -= 4
    pdf.setFont("Helvetica-Bold", 12)
    pdf.drawString(inch, y, _("Amount due: %(amount)s") % {"amount": format_money(c.balance)})
    y -= 26
    # Aging: what is open, by how long ago it was charged.
    pdf.setFont("Helvetica-Bold", 10)
    pdf.drawString(inch, y, _("How old your balance is"))
    y -= 15
    width = 6.5 * inch / 5
    pdf.setFont("Helvetica", 9)
    for n, label in enumerate(bucket_labels()):
        pdf.drawString(inch + n * width, y, label)
    y -= 13
    pdf.setFont("Helvetica", 10)
    for n, amount in enumerate(c.buckets):
        pdf.drawString(inch + n * width, y, format_money(amount))
    y -= 28
    pdf.setFont("Helvetica-Bold", 10)
    pdf.drawString(inch, y, _("Since your last statement"))
    y -= 15
    pdf.setFont("Helvetica", 9)
    if not c.activity:
        pdf.drawString(inch, y, _("No new charges or payments."))
        y -= 13
    for entry in c.activity[:40]:
        if y < 1.6 * inch:
            pdf.drawString(inch, y, _("More entries are on your account online."))
            y -= 13
            break
        pdf.drawString(inch, y, day_text(entry.created_at.astimezone(c.location.tz).date()))
        pdf.drawString(2.0 * inch, y, str(entry.get_kind_display()))
        marked = entry.pk in c.pending_entries
        pdf.drawString(3.3 * inch, y, ("* " if marked else "") + (entry.description or "")[:48])
        pdf.drawRightString(7.5 * inch, y, format_money(entry.amount))
        y -= 13
    if c.pending_entries and any(entry.pk in c.pending_entries for entry in c.activity[:40]):
        pdf.drawString(inch, y, _("* Pending with insurance: billed to your insurance, not yet answered."))
        y -= 13
    pdf.setFont("Helvetica", 10)
    y = max(y - 20, 1.2 * inch)
    pdf.drawString(inch, y, _("Pay online: %(url)s") % {"url": c.pay_url})
    pdf.drawString(inch, y - 14, _("Questions about this statement? Call %(phone)s.") % {"phone": c.location.phone})
    pdf.showPage()
    pdf.save()
    return buffer.getvalue()


def dispute_letter_pdf(*, patient: Any, location: Any, language: str, paragraphs: Sequence[str], when: dt.date,
                       subject: str) -> bytes:
    with in_language(language):
        buffer = io.BytesIO()
        pdf = canvas.Canvas(buffer, pagesize=letter, invariant=True)
        pdf.setTitle(subject)
        y = _head(pdf, location)
        pdf.setFont("Helvetica", 10)
        pdf.drawString(inch, y, day_text(when))
        y -= 24
        y = _address(pdf, patient, y)
        pdf.setFont("Helvetica-Bold", 11)
        pdf.drawString(inch, y, subject)
        y -= 22
        pdf.setFont("Helvetica", 10)
        for paragraph in paragraphs:
            for line in paragraph.splitlines() or [""]:
                for piece in textwrap.wrap(line, 95) or [""]:
                    if y < inch:
                        pdf.showPage()
                        pdf.setFont("Helvetica", 10)
                        y = 10 * inch
                    pdf.drawString(inch, y, piece)
                    y -= 13
            y -= 8
        pdf.showPage()
        pdf.save()
        return buffer.getvalue()
