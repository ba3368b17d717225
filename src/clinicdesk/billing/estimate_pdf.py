"""An estimate as a PDF (reportlab, as the other PDFs), in the estimate's language: the patient, the visit, the
provider and facility with their NPI and TIN, the diagnoses, every service with its code and expected charge (and,
for an insured patient, the plan's and the patient's share), the assumptions, the Good Faith Estimate's notices
and the signature block (signed, or received by a staff member, with the time)."""

from __future__ import annotations

import io
from decimal import Decimal
from zoneinfo import ZoneInfo

from django.utils import formats, translation
from django.utils.translation import gettext as _
from reportlab.lib import colors
from reportlab.lib.pagesizes import letter
from reportlab.lib.styles import getSampleStyleSheet
from reportlab.lib.units import inch
from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle
from reportlab.platypus.flowables import Flowable

from clinicdesk.practice import selectors as practice_selectors

from .codesets import icd_dotted
from .estimate_models import Estimate, EstimateKind, EstimateStatus
from .estimate_words import assumption_words, estimate_disclaimer, gfe_notices
from .money import format_money


def _e(text: object) -> str:
    return str(text).replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def estimate_pdf(estimate: Estimate) -> bytes:
    with translation.override(estimate.language):
        return _build(estimate)


def _build(estimate: Estimate) -> bytes:
    organization = practice_selectors.organization_current()
    patient, location = estimate.patient, estimate.location
    appointment = estimate.appointment
    practitioner = appointment.practitioner if appointment is not None else None
    gfe = estimate.kind == EstimateKind.GOOD_FAITH
    title = str(EstimateKind(estimate.kind).label)
    buffer = io.BytesIO()
    doc = SimpleDocTemplate(buffer, pagesize=letter, leftMargin=0.7 * inch, rightMargin=0.7 * inch,
                            topMargin=0.6 * inch, bottomMargin=0.6 * inch, title=f"{title} {estimate.number}",
                            invariant=True)
    styles = getSampleStyleSheet()
    body, small = styles["BodyText"], styles["BodyText"].clone("small", fontSize=8, leading=10)
    day = formats.date_format(estimate.requested_on, "DATE_FORMAT")
    number_label, given_label, birth_label = _("Number"), _("Date given"), _("Date of birth")
    story: list[Flowable] = [Paragraph(_e(title), styles["Title"]),
                             Paragraph(_e(f"{number_label}: {estimate.number} · {given_label}: {day}"), body)]
    facts = [
        (_("Patient"), f"{patient.display_name} · {birth_label}: "
                       f"{formats.date_format(patient.birth_date, 'DATE_FORMAT')}"),
        (_("Date of service"), formats.date_format(estimate.service_date, "DATE_FORMAT")),
        (_("Provider"), f"{practitioner} · NPI {practitioner.npi}" if practitioner is not None else "—"),
        (_("Facility"), f"{location.name}, {location.address_line}, {location.city} {location.state} "
                        f"{location.postal_code}"),
        (_("Facility NPI"), (organization.npi if organization else "") or "—"),
        (_("Tax ID (TIN)"), (organization.tax_id if organization else "") or "—"),
    ]
    if not gfe:
        facts.append((_("Payer"), estimate.payer_name))
    if estimate.diagnoses:
        facts.append((_("Diagnosis codes (ICD-10-CM)"), ", ".join(icd_dotted(c) for c in estimate.diagnoses)))
    grid = Table([[Paragraph(f"<b>{_e(k)}</b>", small), Paragraph(_e(v), small)] for k, v in facts],
                 colWidths=[1.8 * inch, 5.2 * inch])
    grid.setStyle(TableStyle([("VALIGN", (0, 0), (-1, -1), "TOP"),
                              ("LINEBELOW", (0, 0), (-1, -1), 0.25, colors.HexColor("#d0d5dd"))]))
    story += [Spacer(1, 8), grid, Spacer(1, 10),
              Paragraph(_e(_("Items and services")), styles["Heading3"])]
    head = [_("Service code"), _("Description"), _("Units"), _("Expected charge")]
    if not gfe:
        head += [_("Plan allows"), _("Plan pays"), _("You pay")]
    rows: list[list[object]] = [[Paragraph(f"<b>{_e(h)}</b>", small) for h in head]]
    for line in estimate.lines:
        code = f"{line['code']} {line['modifiers']}".strip()
        row: list[object] = [code, Paragraph(_e(line["description"]), small), str(line["units"]),
                             format_money(Decimal(line["charge"]))]
        if not gfe:
            row += [format_money(Decimal(line["allowed"])), format_money(Decimal(line["payer"])),
                    format_money(Decimal(line["patient"]))]
        rows.append(row)
    total: list[object] = [_("Total"), "", "", format_money(estimate.total_charge)]
    if not gfe:
        total += [format_money(estimate.total_allowed), format_money(estimate.payer_total),
                  format_money(estimate.patient_total)]
    rows.append(total)
    table = Table(rows, repeatRows=1)
    table.setStyle(TableStyle([("FONTSIZE", (0, 0), (-1, -1), 8), ("VALIGN", (0, 0), (-1, -1), "TOP"),
                               ("ALIGN", (2, 1), (-1, -1), "RIGHT"),
                               ("LINEBELOW", (0, 0), (-1, 0), 0.6, colors.black),
                               ("LINEABOVE", (0, -1), (-1, -1), 0.6, colors.black),
                               ("FONTNAME", (0, -1), (-1, -1), "Helvetica-Bold")]))
    story.append(table)
    you_pay = _("Estimated total you pay")
    story += [Spacer(1, 6), Paragraph(f"<b>{_e(you_pay)}: {_e(format_money(estimate.patient_total))}</b>", body)]
    story += [Spacer(1, 8), Paragraph(_e(_("How this estimate was made")), styles["Heading4"])]
    story += [Paragraph(_e("• " + assumption_words(a)), small) for a in estimate.assumptions]
    story += [Spacer(1, 6), Paragraph(_e(estimate_disclaimer()), small)]
    if gfe:
        for heading, text in gfe_notices():
            story += [Spacer(1, 6), Paragraph(f"<b>{_e(heading)}</b>", small), Paragraph(_e(text), small)]
    story += [Spacer(1, 14), Paragraph(_e(_("Signature")), styles["Heading4"])]
    if estimate.status == EstimateStatus.ISSUED or estimate.signed_at is None:
        story.append(Paragraph(_e(_("Patient signature: ____________________________   Date: ____________")), body))
    else:
        moment = formats.date_format(estimate.signed_at.astimezone(ZoneInfo(location.time_zone)),
                                     "DATETIME_FORMAT")
        if estimate.status == EstimateStatus.SIGNED:
            text = _("Signed by %(name)s on %(moment)s.") % {"name": estimate.signed_name, "moment": moment}
        else:
            text = _("Given to the patient; received by %(name)s (staff) on %(moment)s.") % {
                "name": estimate.signed_name, "moment": moment}
        story.append(Paragraph(_e(text), body))
    doc.build(story)
    return buffer.getvalue()
