# ruff: noqa: F811 (the fixtures are imported from claim_fixtures)
"""The CMS-1500 (02/12) paper claim form (#19 item 3): an eight-line claim prints on two pages (six lines, then
two), every value in its box, the total on the last page only; the download and the API are audited and a claim
of another location is missing."""

from __future__ import annotations

import base64
import re
import zlib

from clinicdesk.audit.models import AuditEntry
from clinicdesk.billing.cms1500 import cms1500_pages
from clinicdesk.billing.services import LineInput, claim_build
from clinicdesk.core.permissions import Role
from tests.factories import LocationFactory

from .claim_fixtures import GROUP_NPI, clearwater, cover, fees, posted_visit, practice, with_address  # noqa: F401

_SHOWN = re.compile(rb"\((?:[^()\\]|\\.)*\)\s*Tj")
DIAGNOSES = ("E11.9", "I10", "E78.5", "J06.9", "K21.9")


def _unescape(raw: bytes) -> bytes:
    raw = re.sub(rb"\\([0-7]{3})", lambda m: bytes([int(m.group(1), 8)]), raw)
    return re.sub(rb"\\(.)", rb"\1", raw)


def page_texts(data: bytes) -> list[str]:
    """The strings each page's content stream shows (reportlab: ASCII85 over Flate), page by page."""
    pages = []
    for match in re.finditer(rb"stream\r?\n(.*?)endstream", data, re.S):
        body = match.group(1).strip()
        try:
            if body.endswith(b"~>"):
                body = base64.a85decode(body[:-2].replace(b"\n", b""))
            body = zlib.decompress(body)
        except (ValueError, zlib.error):
            continue
        shown = [_unescape(m.group(0)[1:m.group(0).rindex(b")")]).decode("cp1252") for m in _SHOWN.finditer(body)]
        if shown:
            pages.append("\n".join(shown))
    return pages


def test_an_eight_line_claim_prints_on_two_pages_with_every_box(signed_in, location, biller, fees, practice,
                                                                 clearwater):
    lines = [LineInput("99213" if n % 2 else "J1885", "", n + 1, (n % 5 + 1,)) for n in range(8)]
    bill = posted_visit(biller, location, diagnoses=DIAGNOSES, lines=lines)
    patient = with_address(bill.patient)
    cover(patient, clearwater, member_id="W987654321")
    claim = claim_build(actor=biller, superbill_id=bill.pk)
    claim_lines = list(claim.lines.select_related("rendering").order_by("position"))

    practice.refresh_from_db()
    pages = cms1500_pages(claim, practice, claim_lines)
    assert [(p.number, p.of, len(p.lines)) for p in pages] == [(1, 2, 6), (2, 2, 2)]
    first, last = pages[0].boxes, pages[1].boxes
    assert first["1a"] == "W987654321" and first["2"].startswith(patient.family_name.upper())
    assert first["21ind"] == "0" and [first[f"21{x}"] for x in "ABCDE"] == ["E119", "I10", "E785", "J069", "K219"]
    assert first["25"] == "123456789" and first["33a"] == GROUP_NPI and first["26"] == claim.claim_number
    assert first["28"] == "CONTINUED" and last["28"] == f"{claim.total_charge:.2f}"
    assert pages[0].lines[1].pointers == "B" and pages[1].lines[1].units == "8"
    assert pages[1].lines[0].npi == claim_lines[6].rendering.npi

    client = signed_in(Role.BILLING, at=location)
    response = client.get(f"/billing/claims/{claim.pk}/cms1500.pdf")
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    one, two = page_texts(response.content)
    assert "PAGE 1 OF 2" in one and "PAGE 2 OF 2" in two
    assert "W987654321" in one and "21. DIAGNOSIS" in one and "A. E119" in one and "E. K219" in one
    assert "ICD Ind. 0" in one and "123456789  EIN" in one and f"a. NPI {GROUP_NPI}" in one
    assert "CONTINUED" in one and f"{claim.total_charge:.2f}" not in one and f"{claim.total_charge:.2f}" in two
    assert one.count("J1885") == 3 and one.count("99213") == 3 and two.count("J1885") == 1
    assert "7" in two.split("\n") and "8" in two.split("\n")  # the units of lines 7 and 8
    assert AuditEntry.objects.filter(action="claim.print_form", resource_id=str(claim.pk)).exists()

    api = client.get(f"/api/v1/claims/{claim.pk}/cms1500")
    assert api.status_code == 200 and api.content.startswith(b"%PDF")
    client = signed_in(Role.BILLING, at=LocationFactory())
    assert client.get(f"/billing/claims/{claim.pk}/cms1500.pdf").status_code == 404
    assert client.get(f"/api/v1/claims/{claim.pk}/cms1500").status_code == 404
