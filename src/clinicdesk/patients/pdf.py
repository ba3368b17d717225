"""The signed copy of a form: a PDF made with reportlab, locked against editing (owner password,
no modify/annotate permission) and fingerprinted (SHA-256 kept with the signature).

The copy is written in the form's language, labels, dates and language name alike (core/l10n.py): the text
signed is in that language, and a Spanish form's copy reads in Spanish whoever prints it."""

from __future__ import annotations

import datetime as dt
import io
import secrets
from dataclasses import dataclass
from xml.sax.saxutils import escape

from django.utils.translation import gettext as _
from reportlab.lib.pagesizes import LETTER
from reportlab.lib.pdfencrypt import StandardEncryption
from reportlab.lib.styles import getSampleStyleSheet
from reportlab.lib.units import inch
from reportlab.lib.utils import ImageReader
from reportlab.platypus import Image, Paragraph, SimpleDocTemplate, Spacer, Table

from clinicdesk.core.l10n import day_text, in_language, language_words


@dataclass(frozen=True)
class SignedFormContent:
    title: str
    version: int
    language: str
    body: str
    patient_name: str
    mrn: str
    birth_date: dt.date
    signer_name: str
    signer_role: str
    signed_at_text: str
    client_ip: str
    typed_signature: str = ""
    drawn_png: bytes = b""


def _labels() -> dict[str, str]:
    """The copy's labels in the active language."""
    return {"patient": _("Patient"), "mrn": _("MRN"), "dob": _("Date of birth"), "signed_by": _("Signed by"),
            "signature": _("Signature"), "signed_at": _("Signed at"), "client": _("Client address"),
            "version": _("Version")}


def render_signed_form(content: SignedFormContent) -> bytes:
    with in_language(content.language):
        return _render(content, _labels())


def _render(content: SignedFormContent, labels: dict[str, str]) -> bytes:
    buffer = io.BytesIO()
    encryption = StandardEncryption("", ownerPassword=secrets.token_hex(16), canPrint=1, canModify=0,
                                    canCopy=1, canAnnotate=0, strength=128)
    doc = SimpleDocTemplate(buffer, pagesize=LETTER, title=content.title, author="Clinicdesk",
                            subject=f"{content.title} v{content.version}", encrypt=encryption,
                            leftMargin=inch, rightMargin=inch, topMargin=inch, bottomMargin=inch)
    styles = getSampleStyleSheet()
    story = [Paragraph(escape(content.title), styles["Title"]),
             Paragraph(f"{labels['version']} {content.version} ({escape(language_words(content.language))})",
                       styles["Normal"]),
             Spacer(1, 12)]
    story += [Table([[labels["patient"], content.patient_name], [labels["mrn"], content.mrn],
                     [labels["dob"], day_text(content.birth_date)]], hAlign="LEFT"), Spacer(1, 12)]
    for paragraph in content.body.split("\n\n"):
        if paragraph.strip():
            story.append(Paragraph(escape(paragraph.strip()).replace("\n", "<br/>"), styles["BodyText"]))
    story.append(Spacer(1, 18))
    if content.drawn_png:
        reader = ImageReader(io.BytesIO(content.drawn_png))
        width, height = reader.getSize()
        scale = min(3 * inch / max(width, 1), 1 * inch / max(height, 1))
        signature: object = Image(io.BytesIO(content.drawn_png), width=width * scale, height=height * scale)
    else:
        signature = Paragraph(f"<i>{escape(content.typed_signature)}</i>", styles["Heading2"])
    story += [Table([[labels["signature"], signature],
                     [labels["signed_by"], f"{content.signer_name} ({content.signer_role})"],
                     [labels["signed_at"], content.signed_at_text],
                     [labels["client"], content.client_ip or "-"]], hAlign="LEFT")]
    doc.build(story)
    return buffer.getvalue()
