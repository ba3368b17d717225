"""A payment report as a PDF (reportlab, as the other PDFs): the title, the filters, the key figures and every
table as on the page (numbers right-aligned), in the user's language."""

from __future__ import annotations

import io

from django.utils.translation import gettext as _
from reportlab.lib import colors
from reportlab.lib.pagesizes import landscape, letter
from reportlab.lib.styles import getSampleStyleSheet
from reportlab.lib.units import inch
from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle
from reportlab.platypus.flowables import Flowable

from .report_selectors import Report


def _escape(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def report_pdf(report: Report, *, where: str) -> bytes:
    buffer = io.BytesIO()
    doc = SimpleDocTemplate(buffer, pagesize=landscape(letter), leftMargin=0.6 * inch, rightMargin=0.6 * inch,
                            topMargin=0.6 * inch, bottomMargin=0.6 * inch, title=report.title, invariant=True)
    styles = getSampleStyleSheet()
    small = styles["BodyText"].clone("small", fontSize=8, leading=10)
    story: list[Flowable] = [Paragraph(_escape(f"{report.title} · {where}"), styles["Title"])]
    facts = " · ".join(f"{label}: {value}" for label, value in report.facts)
    story += [Paragraph(_escape(facts), styles["BodyText"]), Spacer(1, 8)]
    for note in report.notes:
        story.append(Paragraph(_escape(note), small))
    for table in report.tables:
        story += [Spacer(1, 10), Paragraph(_escape(table.title), styles["Heading3"])]
        if table.empty:
            story.append(Paragraph(_escape(_("Nothing to show for these filters.")), styles["BodyText"]))
            continue
        numeric = [unit != "text" for unit in table.units]
        data: list[list[object]] = [[Paragraph(f"<b>{_escape(c)}</b>", small) for c in table.columns]]
        body = table.display_rows + ([table.display_totals] if table.display_totals else [])
        for row in body:
            data.append([Paragraph(_escape(text), small) if not number else text for text, number in row])
        grid = Table(data, repeatRows=1)
        style = [("FONTSIZE", (0, 0), (-1, -1), 8), ("VALIGN", (0, 0), (-1, -1), "TOP"),
                 ("LINEBELOW", (0, 0), (-1, 0), 0.6, colors.black),
                 ("ROWBACKGROUNDS", (0, 1), (-1, -1), [colors.white, colors.HexColor("#f2f4f7")])]
        style += [("ALIGN", (i, 1), (i, -1), "RIGHT") for i, flag in enumerate(numeric) if flag]
        if table.display_totals:
            style += [("LINEABOVE", (0, -1), (-1, -1), 0.6, colors.black),
                      ("FONTNAME", (0, -1), (-1, -1), "Helvetica-Bold")]
        grid.setStyle(TableStyle(style))
        story.append(grid)
        if table.note:
            story.append(Paragraph(_escape(table.note), small))
    doc.build(story)
    return buffer.getvalue()
