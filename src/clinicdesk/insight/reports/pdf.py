"""A dashboard as a PDF (reportlab, as the other PDFs): the title, the filters, and each figure as a table of its
figures (the chart's numbers). Aggregates only: counts, rates, minutes by week, provider, type or location."""

from __future__ import annotations

import io
from collections.abc import Sequence

from django.utils import formats
from django.utils.translation import gettext as _
from reportlab.lib import colors
from reportlab.lib.pagesizes import landscape, letter
from reportlab.lib.styles import getSampleStyleSheet
from reportlab.lib.units import inch
from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle
from reportlab.platypus.flowables import Flowable

from ..dashboards.figures import PERCENT, Figure


def _escape(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def _number(value: object, unit: str) -> str:
    if value is None or value == "":
        return "—"
    if isinstance(value, int | float):
        places = 1 if unit == PERCENT or not float(value).is_integer() else 0
        text = formats.number_format(value, places, use_l10n=True, force_grouping=True)
        return f"{text} %" if unit == PERCENT else text
    return str(value)


def figures_table_rows(figure: Figure) -> list[list[str]]:
    """The figure's table as text, heading first (what the PDF prints; tests read it too)."""
    units = [s.unit for s in figure.series]
    rows = [[str(c) for c in figure.columns()]]
    for row in figure.rows():
        rows.append([str(row[0]), *(_number(v, units[i]) for i, v in enumerate(row[1:]))])
    return rows


def dashboard_pdf(*, title: str, facts: Sequence[tuple[str, str]], figures: Sequence[Figure]) -> bytes:
    buffer = io.BytesIO()
    doc = SimpleDocTemplate(buffer, pagesize=landscape(letter), leftMargin=0.6 * inch, rightMargin=0.6 * inch,
                            topMargin=0.6 * inch, bottomMargin=0.6 * inch, title=title, invariant=True)
    styles = getSampleStyleSheet()
    small = styles["BodyText"].clone("small", fontSize=8, leading=10)
    story: list[Flowable] = [Paragraph(_escape(title), styles["Title"])]
    story += [Paragraph(_escape(" · ".join(f"{label}: {value}" for label, value in facts)), styles["BodyText"]),
              Spacer(1, 8)]
    for figure in figures:
        story += [Spacer(1, 10), Paragraph(_escape(figure.title), styles["Heading3"])]
        if figure.empty:
            story.append(Paragraph(_escape(_("Nothing to show for these filters.")), styles["BodyText"]))
            continue
        text = figures_table_rows(figure)
        data: list[list[object]] = [[Paragraph(f"<b>{_escape(c)}</b>", small) for c in text[0]]]
        data += [[Paragraph(_escape(row[0]), small), *row[1:]] for row in text[1:]]
        grid = Table(data, repeatRows=1)
        grid.setStyle(TableStyle([
            ("FONTSIZE", (0, 0), (-1, -1), 8), ("VALIGN", (0, 0), (-1, -1), "TOP"),
            ("LINEBELOW", (0, 0), (-1, 0), 0.6, colors.black), ("ALIGN", (1, 1), (-1, -1), "RIGHT"),
            ("ROWBACKGROUNDS", (0, 1), (-1, -1), [colors.white, colors.HexColor("#f2f4f7")])]))
        story.append(grid)
        if figure.note:
            story.append(Paragraph(_escape(figure.note), small))
    doc.build(story)
    return buffer.getvalue()
