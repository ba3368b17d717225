"""The CMS-1500 (02/12) claim form as a PDF, for payers that take claims on paper (#19 item 3).

The red OCR form cannot be shipped, so this draws a clean rendering of it: every numbered box (1 to 33) as a
ruled box with its number and the form's own caption, and the claim's values in it. The form is the federal
standard and its captions are English on every copy (payers read it that way), so they are not translated.

Two steps, so the mapping can be tested without reading a PDF: `cms1500_pages` (pure: the claim's values per box
and page, six service lines a page, the total charge on the last page and "CONTINUED" on the others) and
`cms1500_pdf` (reportlab draws them)."""

from __future__ import annotations

import datetime as dt
import io
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from reportlab.lib import colors
from reportlab.lib.pagesizes import letter
from reportlab.pdfgen import canvas

LINES_PER_PAGE = 6
DIAGNOSIS_LETTERS = "ABCDEFGHIJKL"
_RELATION = {"self": "Self", "spouse": "Spouse", "child": "Child"}
_PROGRAM = {"medicare": "Medicare", "medicare-advantage": "Medicare", "medicaid": "Medicaid",
            "military": "TRICARE"}
_SEX = {"female": "F", "male": "M"}


@dataclass
class ServiceLine:
    """Box 24, one row: A dates, B place of service, C EMG, D code and modifiers, E pointers, F charges,
    G units, H EPSDT, I qualifier, J rendering NPI."""

    date_from: str
    date_to: str
    place: str
    code: str
    modifiers: list[str]
    pointers: str
    charge: str
    units: str
    npi: str


@dataclass
class FormPage:
    number: int
    of: int
    boxes: dict[str, str] = field(default_factory=dict)
    lines: list[ServiceLine] = field(default_factory=list)


def _day(value: dt.date | None) -> str:
    return value.strftime("%m %d %Y") if value else ""


def _short_day(value: dt.date) -> str:
    return value.strftime("%m %d %y")


def _money(value: Decimal) -> str:
    return f"{value:.2f}"


def _name(family: str, given: str, middle: str = "") -> str:
    return ", ".join(part for part in (family.upper(), " ".join(p for p in (given.upper(), middle[:1].upper()) if p))
                     if part)


def _address(owner: Any) -> tuple[str, str, str, str]:
    street = " ".join(p for p in (getattr(owner, "address_line", ""), getattr(owner, "address_line2", "")) if p)
    return street.upper(), (owner.city or "").upper(), (owner.state or "").upper(), owner.postal_code or ""


def _x(flag: bool) -> str:
    return "X" if flag else ""


def cms1500_pages(claim: Any, organization: Any, lines: list[Any]) -> list[FormPage]:
    """The claim's values by box (ids as printed on the form: "1a", "21A", "24J" ...), one page per six lines."""
    patient, coverage, payer, location = claim.patient, claim.coverage, claim.payer, claim.location
    is_self = coverage.relationship == "self"
    program = _PROGRAM.get(payer.kind, "Group")
    insured_name = (_name(patient.family_name, patient.given_name, patient.middle_name) if is_self
                    else _name(coverage.subscriber_family_name, coverage.subscriber_given_name))
    insured_birth = patient.birth_date if is_self else coverage.subscriber_birth_date
    insured_sex = patient.sex if is_self else coverage.subscriber_sex
    street, city, state, postal = _address(patient)
    payer_street, payer_city, payer_state, payer_postal = _address(payer)
    loc_street, loc_city, loc_state, loc_postal = _address(location)
    first_rendering = lines[0].rendering if lines else None
    common: dict[str, str] = {
        "carrier": "\n".join(p for p in (payer.name.upper(), payer_street,
                                         f"{payer_city} {payer_state} {payer_postal}".strip()) if p),
        "1": program, "1a": coverage.member_id,
        "2": _name(patient.family_name, patient.given_name, patient.middle_name),
        "3": _day(patient.birth_date), "3sex": _SEX.get(patient.sex, ""),
        "4": insured_name,
        "5": street, "5city": city, "5state": state, "5zip": postal, "5phone": patient.phone,
        "6": _RELATION.get(coverage.relationship, "Other"),
        "7": street if is_self else "", "7city": city if is_self else "", "7state": state if is_self else "",
        "7zip": postal if is_self else "",
        "9": "", "9a": "", "9d": "",
        "10a": "NO", "10b": "NO", "10c": "NO",
        "11": coverage.group_number, "11a": _day(insured_birth), "11asex": _SEX.get(insured_sex or "", ""),
        "11c": (coverage.plan_name or payer.name).upper(),
        "11d": "YES" if claim.sequence > 1 or claim.prior_payers else "NO",
        "12": "SIGNATURE ON FILE", "12date": _short_day(claim.date_of_service), "13": "SIGNATURE ON FILE",
        "17": (patient.referring_provider or "").upper(), "17b": "",
        "21ind": "0",
        "22": claim.frequency if claim.frequency != "1" else "",
        "22ref": claim.payer_claim_number if claim.frequency != "1" else "",
        "23": claim.prior_authorization or claim.referral_number,
        "25": (organization.tax_id or "").replace("-", ""), "25type": "EIN",
        "26": claim.claim_number, "27": "YES",
        "29": _money(claim.prior_paid) if claim.prior_paid else "",
        "31": (f"{first_rendering.first_name} {first_rendering.last_name} {first_rendering.credentials}".strip().upper()
               if first_rendering else ""),
        "31date": _short_day(claim.date_of_service),
        "32": "\n".join((location.name.upper(), loc_street, f"{loc_city} {loc_state} {loc_postal}")),
        "32a": organization.npi or "",
        "33": "\n".join((organization.name.upper(), loc_street, f"{loc_city} {loc_state} {loc_postal}")),
        "33phone": organization.phone or location.phone or "",
        "33a": organization.npi or "",
    }
    for index, code in enumerate(list(claim.diagnoses)[:12]):
        common[f"21{DIAGNOSIS_LETTERS[index]}"] = code.replace(".", "")
    rows = [ServiceLine(
        _short_day(claim.date_of_service), _short_day(claim.date_of_service), line.place_of_service, line.code,
        line.modifier_list[:4], "".join(DIAGNOSIS_LETTERS[p - 1] for p in line.pointers[:4] if 1 <= p <= 12),
        _money(line.charge), str(line.units), line.rendering.npi) for line in lines]
    chunks = [rows[i:i + LINES_PER_PAGE] for i in range(0, len(rows), LINES_PER_PAGE)] or [[]]
    pages = []
    for number, chunk in enumerate(chunks, start=1):
        boxes = dict(common)
        last = number == len(chunks)
        boxes["28"] = _money(claim.total_charge) if last else "CONTINUED"
        if not last:
            boxes["29"] = ""
        pages.append(FormPage(number, len(chunks), boxes, chunk))
    return pages


# --- drawing -------------------------------------------------------------------------------------------------------

W, H = letter
LEFT, RIGHT = 22.0, W - 22.0
TOP = H - 118.0  # the carrier block sits above
ROW = 24.0


def _box(pdf: canvas.Canvas, x: float, y: float, w: float, h: float, label: str, value: str,
         size: float = 9) -> None:
    """One ruled box: its caption small at the top left, the value below it (several lines if it has them)."""
    pdf.setStrokeColor(colors.HexColor("#333333"))
    pdf.setLineWidth(0.5)
    pdf.rect(x, y - h, w, h)
    pdf.setFont("Helvetica", 5.2)
    pdf.setFillColor(colors.HexColor("#555555"))
    pdf.drawString(x + 2, y - 6.5, label)
    pdf.setFillColor(colors.black)
    pdf.setFont("Courier-Bold", size)
    for n, text in enumerate(value.split("\n")):
        pdf.drawString(x + 3, y - 15.5 - n * (size + 1), text)


def _row(pdf: canvas.Canvas, y: float, cells: list[tuple[float, str, str]], h: float = ROW) -> float:
    """Boxes side by side across the page: (share of the width, caption, value)."""
    x = LEFT
    width = RIGHT - LEFT
    for share, label, value in cells:
        _box(pdf, x, y, width * share, h, label, value)
        x += width * share
    return y - h


def _draw_page(pdf: canvas.Canvas, page: FormPage) -> None:
    b = page.boxes
    pdf.setFont("Helvetica-Bold", 12)
    pdf.drawString(LEFT, H - 36, "HEALTH INSURANCE CLAIM FORM")
    pdf.setFont("Helvetica", 6.5)
    pdf.drawString(LEFT, H - 46, "APPROVED BY NATIONAL UNIFORM CLAIM COMMITTEE (NUCC) 02/12")
    pdf.drawString(LEFT, H - 56, f"PAGE {page.number} OF {page.of}")
    _box(pdf, W / 2, H - 24, RIGHT - W / 2, 70, "CARRIER", b["carrier"])
    y = TOP + 20
    y = _row(pdf, y, [(0.62, "1. MEDICARE / MEDICAID / TRICARE / CHAMPVA / GROUP HEALTH PLAN / FECA / OTHER", b["1"]),
                      (0.38, "1a. INSURED'S I.D. NUMBER", b["1a"])])
    y = _row(pdf, y, [(0.36, "2. PATIENT'S NAME (Last Name, First Name, Middle Initial)", b["2"]),
                      (0.26, "3. PATIENT'S BIRTH DATE / SEX", f"{b['3']}  {b['3sex']}"),
                      (0.38, "4. INSURED'S NAME (Last Name, First Name, Middle Initial)", b["4"])])
    y = _row(pdf, y, [(0.36, "5. PATIENT'S ADDRESS (No., Street)", b["5"]),
                      (0.26, "6. PATIENT RELATIONSHIP TO INSURED", b["6"]),
                      (0.38, "7. INSURED'S ADDRESS (No., Street)", b["7"])])
    y = _row(pdf, y, [(0.36, "5. CITY / STATE / ZIP CODE / TELEPHONE",
                       f"{b['5city']} {b['5state']} {b['5zip']}  {b['5phone']}".strip()),
                      (0.26, "8. RESERVED FOR NUCC USE", ""),
                      (0.38, "7. CITY / STATE / ZIP CODE", f"{b['7city']} {b['7state']} {b['7zip']}".strip())])
    y = _row(pdf, y, [(0.36, "9. OTHER INSURED'S NAME", b["9"]),
                      (0.26, "10. IS PATIENT'S CONDITION RELATED TO:", ""),
                      (0.38, "11. INSURED'S POLICY GROUP OR FECA NUMBER", b["11"])])
    y = _row(pdf, y, [(0.36, "9a. OTHER INSURED'S POLICY OR GROUP NUMBER", b["9a"]),
                      (0.26, "10a. EMPLOYMENT? (Current or Previous)", b["10a"]),
                      (0.38, "11a. INSURED'S DATE OF BIRTH / SEX", f"{b['11a']}  {b['11asex']}")])
    y = _row(pdf, y, [(0.36, "9b. RESERVED FOR NUCC USE", ""),
                      (0.26, "10b. AUTO ACCIDENT?", b["10b"]),
                      (0.38, "11b. OTHER CLAIM ID (Designated by NUCC)", "")])
    y = _row(pdf, y, [(0.36, "9c. RESERVED FOR NUCC USE", ""),
                      (0.26, "10c. OTHER ACCIDENT?", b["10c"]),
                      (0.38, "11c. INSURANCE PLAN NAME OR PROGRAM NAME", b["11c"])])
    y = _row(pdf, y, [(0.36, "9d. INSURANCE PLAN NAME OR PROGRAM NAME", b["9d"]),
                      (0.26, "10d. CLAIM CODES (Designated by NUCC)", ""),
                      (0.38, "11d. IS THERE ANOTHER HEALTH BENEFIT PLAN?", b["11d"])])
    y = _row(pdf, y, [(0.62, "12. PATIENT'S OR AUTHORIZED PERSON'S SIGNATURE / DATE", f"{b['12']}   {b['12date']}"),
                      (0.38, "13. INSURED'S OR AUTHORIZED PERSON'S SIGNATURE", b["13"])])
    y = _row(pdf, y, [(0.22, "14. DATE OF CURRENT ILLNESS, INJURY, OR PREGNANCY", ""),
                      (0.18, "15. OTHER DATE", ""),
                      (0.22, "16. DATES PATIENT UNABLE TO WORK", ""),
                      (0.38, "18. HOSPITALIZATION DATES RELATED TO CURRENT SERVICES", "")])
    y = _row(pdf, y, [(0.40, "17. NAME OF REFERRING PROVIDER OR OTHER SOURCE", b["17"]),
                      (0.22, "17b. NPI", b["17b"]),
                      (0.38, "20. OUTSIDE LAB? / $ CHARGES", "NO")])
    # 21: twelve diagnoses, A-L, in three rows of four, with the ICD indicator (0 = ICD-10-CM).
    dx_h = 44.0
    _box(pdf, LEFT, y, (RIGHT - LEFT) * 0.62, dx_h,
         "21. DIAGNOSIS OR NATURE OF ILLNESS OR INJURY  Relate A-L to service line below (24E)    "
         f"ICD Ind. {b['21ind']}", "")
    pdf.setFont("Courier-Bold", 9)
    cell = (RIGHT - LEFT) * 0.62 / 4
    for index, letter_ in enumerate(DIAGNOSIS_LETTERS):
        col, line = index % 4, index // 4
        pdf.drawString(LEFT + 3 + col * cell, y - 17 - line * 10, f"{letter_}. {b.get('21' + letter_, '')}")
    right = LEFT + (RIGHT - LEFT) * 0.62
    width_right = RIGHT - right
    _box(pdf, right, y, width_right, dx_h / 2, "22. RESUBMISSION CODE / ORIGINAL REF. NO.",
         f"{b['22']}  {b['22ref']}".strip())
    _box(pdf, right, y - dx_h / 2, width_right, dx_h / 2, "23. PRIOR AUTHORIZATION NUMBER", b["23"])
    y -= dx_h
    # 24: the service lines.
    columns = [(0.17, "24A. DATE(S) OF SERVICE From / To"), (0.05, "B. POS"), (0.04, "C. EMG"),
               (0.22, "D. CPT/HCPCS / MODIFIER"), (0.09, "E. DX POINTER"), (0.12, "F. $ CHARGES"),
               (0.07, "G. UNITS"), (0.05, "H. EPSDT"), (0.05, "I. ID QUAL"), (0.14, "J. RENDERING PROVIDER ID #")]
    head_h, line_h = 16.0, 20.0
    x = LEFT
    widths = []
    for share, label in columns:
        w = (RIGHT - LEFT) * share
        widths.append(w)
        _box(pdf, x, y, w, head_h, label, "")
        x += w
    y -= head_h
    for row in range(LINES_PER_PAGE):
        service = page.lines[row] if row < len(page.lines) else None
        values = ["", "", "", "", "", "", "", "", "", ""]
        if service is not None:
            values = [f"{service.date_from}  {service.date_to}", service.place, "",
                      f"{service.code} {' '.join(service.modifiers)}", service.pointers, service.charge, service.units,
                      "", "NPI", service.npi]
        x = LEFT
        for w, value in zip(widths, values, strict=True):
            _box(pdf, x, y, w, line_h, str(row + 1) if x == LEFT else "", value, size=8.5)
            x += w
        y -= line_h
    y = _row(pdf, y, [(0.24, "25. FEDERAL TAX I.D. NUMBER  (SSN / EIN)", f"{b['25']}  {b['25type']}"),
                      (0.20, "26. PATIENT'S ACCOUNT NO.", b["26"]),
                      (0.16, "27. ACCEPT ASSIGNMENT?", b["27"]),
                      (0.14, "28. TOTAL CHARGE", b["28"]),
                      (0.13, "29. AMOUNT PAID", b["29"]),
                      (0.13, "30. RSVD FOR NUCC USE", "")])
    _row(pdf, y, [(0.26, "31. SIGNATURE OF PHYSICIAN OR SUPPLIER", f"{b['31']}\n{b['31date']}"),
                  (0.37, "32. SERVICE FACILITY LOCATION INFORMATION", f"{b['32']}\na. NPI {b['32a']}"),
                  (0.37, "33. BILLING PROVIDER INFO & PH #", f"{b['33']}  {b['33phone']}\na. NPI {b['33a']}")],
         h=58)


def cms1500_pdf(pages: list[FormPage], *, title: str) -> bytes:
    buffer = io.BytesIO()
    pdf = canvas.Canvas(buffer, pagesize=letter, invariant=True)
    pdf.setTitle(title)
    for page in pages:
        _draw_page(pdf, page)
        pdf.showPage()
    pdf.save()
    return buffer.getvalue()


# --- the read ------------------------------------------------------------------------------------------------------

def claim_form(*, actor: Any, claim_id: int) -> tuple[bytes, str]:
    """The CMS-1500 of one claim (billing write at its location; a claim elsewhere is missing), audited."""
    from django.db import transaction
    from django.utils.translation import gettext as _

    from clinicdesk.audit.services import record
    from clinicdesk.core.exceptions import NotFound, ValidationFailed
    from clinicdesk.core.permissions import Perm, require
    from clinicdesk.practice import selectors as practice_selectors

    from .models import Claim

    require(actor, Perm.BILLING_WRITE)
    claim = (Claim.objects.select_related("patient", "payer", "coverage", "location")
             .filter(pk=claim_id).first()) if isinstance(claim_id, int) else None
    if claim is None:
        raise NotFound()
    require(actor, Perm.BILLING_WRITE, location=claim.location_id, hide=True, resource_type="claim",
            resource_id=claim.pk, patient_id=claim.patient_id)
    organization = practice_selectors.organization_current()
    if organization is None:
        raise ValidationFailed("no-organization", _("Set up the practice before printing claims."))
    lines = list(claim.lines.select_related("rendering").order_by("position"))
    with transaction.atomic():
        record(actor, "claim.print_form", claim, patient=claim.patient_id, detail={"pages": -(-len(lines) // 6) or 1})
    return (cms1500_pdf(cms1500_pages(claim, organization, lines), title=f"CMS-1500 {claim.claim_number}"),
            f"cms1500-{claim.claim_number}.pdf")
