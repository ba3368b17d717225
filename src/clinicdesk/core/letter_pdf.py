"""The page of a one-column letter as a PDF (reportlab, US Letter): lines and wrapped paragraphs that turn the page
when it is full, a letterhead from a location, and a postal address. Used by every app that writes letters
(grievance answers, appeal letters), so their look and page handling have one home."""

from __future__ import annotations

import datetime as dt
import io
import textwrap
from typing import Any

from django.utils import formats
from reportlab.lib.pagesizes import letter
from reportlab.lib.units import inch
from reportlab.pdfgen import canvas

TOP = 10.2 * inch
BOTTOM = 1.0 * inch


class LetterPage:
    """A letter that wraps text and turns the page when full; `done()` returns the PDF's bytes."""

    def __init__(self, title: str, *, wrap: int = 88) -> None:
        self.buffer = io.BytesIO()
        self.pdf = canvas.Canvas(self.buffer, pagesize=letter, invariant=True)
        self.pdf.setTitle(title)
        self.wrap = wrap
        self.y = TOP

    def line(self, text: str, *, bold: bool = False, size: int = 10, gap: int = 14) -> None:
        if self.y < BOTTOM:
            self.pdf.showPage()
            self.y = TOP
        self.pdf.setFont("Helvetica-Bold" if bold else "Helvetica", size)
        self.pdf.drawString(inch, self.y, text)
        self.y -= gap

    def para(self, text: str) -> None:
        for chunk in (text or "").splitlines() or [""]:
            for piece in textwrap.wrap(chunk, self.wrap) or [""]:
                self.line(piece)
        self.y -= 6

    def space(self, points: int = 10) -> None:
        self.y -= points

    def letterhead(self, location: Any) -> None:
        """The organisation's name, then the location's name, street, city line and phone (blank parts left out)."""
        self.line(location.organization.name, bold=True, size=14, gap=16)
        for text in (location.name, location.address_line,
                     f"{location.city}, {location.state} {location.postal_code}", location.phone):
            if text and text.strip(" ,"):
                self.line(text)
        self.space(16)

    def done(self) -> bytes:
        self.pdf.showPage()
        self.pdf.save()
        return self.buffer.getvalue()


def letter_day(day: dt.date | None) -> str:
    """A date as the active language writes it in a letter; a dash when there is none."""
    return formats.date_format(day, "DATE_FORMAT") if day else "—"
