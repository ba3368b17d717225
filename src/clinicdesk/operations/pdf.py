"""The purchase order as a PDF (reportlab), as the supplier receives it: who orders, where to deliver, the lines
with the supplier's codes, pack sizes and prices, and the total. Written in the practice's default language."""

from __future__ import annotations

import io
from typing import Any

from django.conf import settings
from django.utils import formats, translation
from django.utils.translation import gettext as _
from reportlab.lib.pagesizes import letter
from reportlab.lib.units import inch
from reportlab.pdfgen import canvas

from clinicdesk.billing.money import format_money

from .models import PurchaseOrder


def money(value: Any) -> str:
    """'$1,025.50' / '1.025,50 US$' in the active language, '-$25.00' below zero: billing's one formatter."""
    return format_money(value, signed=True)


def _clip(text: str, width: int) -> str:
    return text if len(text) <= width else text[: width - 1] + "\u2026"


def order_pdf(order: PurchaseOrder) -> bytes:
    with translation.override(settings.LANGUAGE_CODE[:2]):
        return _order_pdf(order)


def _order_pdf(order: PurchaseOrder) -> bytes:
    buffer = io.BytesIO()
    pdf = canvas.Canvas(buffer, pagesize=letter, invariant=True)
    pdf.setTitle(_("Purchase order %(number)s") % {"number": order.number})
    location, supplier = order.location, order.supplier
    y = 10.2 * inch
    pdf.setFont("Helvetica-Bold", 16)
    pdf.drawString(inch, y, _("Purchase order %(number)s") % {"number": order.number})
    pdf.setFont("Helvetica", 10)
    y -= 18
    when = order.approved_at or order.created_at
    pdf.drawString(inch, y, _("Date: %(date)s") % {"date": formats.date_format(when.astimezone(location.tz),
                                                                                "SHORT_DATE_FORMAT")})
    y -= 26
    pdf.setFont("Helvetica-Bold", 11)
    pdf.drawString(inch, y, _("Supplier"))
    pdf.drawString(4.4 * inch, y, _("Deliver to"))
    pdf.setFont("Helvetica", 10)
    left = [supplier.name, supplier.contact_name, supplier.address, supplier.phone,
            _("Our account: %(account)s") % {"account": supplier.account_number} if supplier.account_number else ""]
    right = [location.name, location.address_line,
             f"{location.city}, {location.state} {location.postal_code}", location.phone]
    for index in range(max(len(left), len(right))):
        y -= 14
        if index < len(left) and left[index]:
            pdf.drawString(inch, y, _clip(left[index], 55))
        if index < len(right) and right[index]:
            pdf.drawString(4.4 * inch, y, _clip(right[index], 50))
    y -= 30
    columns = [(inch, _("Code")), (1.9 * inch, _("Item")), (4.4 * inch, _("Pack")), (5.2 * inch, _("Packs")),
               (5.9 * inch, _("Price")), (6.8 * inch, _("Amount"))]
    pdf.setFont("Helvetica-Bold", 10)
    for x, label in columns:
        pdf.drawString(x, y, label)
    pdf.line(inch, y - 4, 7.6 * inch, y - 4)
    pdf.setFont("Helvetica", 10)
    for line in order.lines.select_related("item", "supplier_item").order_by("item__name"):
        y -= 16
        if y < 1.2 * inch:
            pdf.showPage()
            pdf.setFont("Helvetica", 10)
            y = 10.2 * inch
        values = [line.supplier_item.supplier_code, _clip(line.item.name, 40),
                  f"{line.pack_size} {line.item.unit}", str(line.packs), money(line.unit_price), money(line.amount)]
        for (x, _label), value in zip(columns, values, strict=True):
            pdf.drawString(x, y, value)
    y -= 24
    pdf.setFont("Helvetica-Bold", 11)
    pdf.drawString(5.2 * inch, y, _("Total"))
    pdf.drawString(6.8 * inch, y, money(order.total))
    pdf.setFont("Helvetica", 9)
    pdf.drawString(inch, 0.8 * inch, _("Please quote %(number)s on the delivery note and the invoice.")
                   % {"number": order.number})
    pdf.showPage()
    pdf.save()
    return buffer.getvalue()
