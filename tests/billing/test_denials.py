# ruff: noqa: F811 (the fixtures are imported from claim_fixtures)
"""Working denials (#19 item 7): the worklist grouped by reason from a posted 835 and a 277CA (with the next step
per reason), the denial rate by payer and reason on a small known data set (page, CSV, API), the replacement
claim (frequency 7, REF*F8) passing x12valid, the appeal letter PDF stored on the chart in the patient's language,
and the write-off approval flow (refused without the approving permission, nothing posted before the approval,
never twice)."""

from __future__ import annotations

import base64
import datetime as dt
import json
import re
import zlib
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import translation

from clinicdesk.billing import denial_selectors
from clinicdesk.billing.models import ClaimStatus, DenialWriteOff, EntryKind, LedgerEntry, WriteOffStatus
from clinicdesk.billing.services import (
    answer_file_read,
    appeal_letter_create,
    balance_of,
    claim_build,
    claims_submit,
    write_off_approve,
    write_off_request,
)
from clinicdesk.core.exceptions import Conflict, InvalidTransition, PermissionDenied
from clinicdesk.core.permissions import Role
from clinicdesk.insurance.x12 import fakeremit
from clinicdesk.insurance.x12.e835 import Adjustment, ClaimPayment
from clinicdesk.patients.models import Document
from tests.factories import UserFactory
from tests.insurance.test_x12_claims import x12valid

from .claim_fixtures import clearwater, cover, fees, payer, posted_visit, practice, superbill, with_address  # noqa: F401

D = Decimal


def _read(biller, text):
    return answer_file_read(actor=biller, name="answer.x12", data=text.encode("ascii"))


ZERO = Decimal("0")


def _pay(claim, status, paid, *adjustments, patient=ZERO):
    return ClaimPayment(claim_id=claim.claim_number, status=status, charge=claim.total_charge, paid=paid,
                        patient_responsibility=patient, payer_claim_number=f"PCN-{claim.pk}",
                        adjustments=[Adjustment(g, r, D(a)) for g, r, a in adjustments])


@pytest.fixture
def denied(biller, location, fees, practice, clearwater, superbill, tmp_path, clock):
    """Five claims of 145.00 sent: A denied for medical necessity (CO 50), B partly paid with a bundled service
    (CO 97 45.00) beside the contractual write-down and the patient's share, C paid clean, D rejected by the
    payer on intake (277CA A7/164), E to another payer denied for timely filing (CO 29)."""
    def visit(hour, the_payer=clearwater):
        bill = posted_visit(biller, location, hour=hour)
        cover(with_address(bill.patient), the_payer)
        return claim_build(actor=biller, superbill_id=bill.pk)

    a = claim_build(actor=biller, superbill_id=superbill.pk)
    b, c, d = visit(16), visit(17), visit(18)
    blue = payer("Blue Plan", "BP01")
    e = visit(19, blue)
    claims_submit(actor=biller, to_dir=tmp_path / "sent")
    _read(biller, fakeremit.claim_acknowledgement_277ca([
        fakeremit.ClaimAnswer(d.claim_number, D("145"), category="A7", status="164", entity="IL")]))
    _read(biller, fakeremit.remittance([
        _pay(a, "4", D("0"), ("CO", "50", "145.00")),
        _pay(b, "1", D("60.00"), ("CO", "45", "20.00"), ("CO", "97", "45.00"), ("PR", "2", "20.00"),
             patient=D("20.00")),
        _pay(c, "1", D("90.00"), ("CO", "45", "35.00"), ("PR", "2", "20.00"), patient=D("20.00"))],
        check_number="EFT1"))
    _read(biller, fakeremit.remittance([_pay(e, "4", D("0"), ("CO", "29", "145.00"))], check_number="EFT2",
                                       parties=fakeremit.Parties(payer_name="BLUE PLAN", payer_id="BP01")))
    for claim in (a, b, c, d, e):
        claim.refresh_from_db()
    return {"a": a, "b": b, "c": c, "d": d, "e": e}


def test_the_worklist_groups_denials_by_reason_and_the_rate_counts_them(denied, biller, signed_in, location):
    a, b, d, e = denied["a"], denied["b"], denied["d"], denied["e"]
    assert (a.status, denied["c"].status, d.status) == (ClaimStatus.DENIED, ClaimStatus.PAID, ClaimStatus.REJECTED)
    with translation.override("en"):
        worklist = denial_selectors.denials_worklist(actor=biller)
    groups = {g.code: g for g in worklist.groups}
    assert set(groups) == {"50", "97", "277ca:164", "29"}  # C (contractual and patient share only) is not denied
    assert [x.claim.pk for x in groups["50"].denials] == [a.pk] and groups["50"].step == "appeal"
    assert groups["50"].words == "Not deemed a medical necessity"
    assert [x.claim.pk for x in groups["97"].denials] == [b.pk] and groups["97"].amount == D("45.00")
    assert groups["97"].step == "write-off" and groups["277ca:164"].step == "correct"
    assert groups["277ca:164"].denials[0].claim.pk == d.pk and groups["29"].denials[0].claim.pk == e.pk
    assert worklist.total == 4 and worklist.amount == D("480.00")
    # the screens, in Spanish, and the API
    client = signed_in(Role.BILLING, at=location, language="es")
    with CaptureQueriesContext(connection) as queries:
        html = client.get("/billing/denials/").content.decode()
    assert len(queries) < 60, len(queries)  # a handful of reads; one audit entry per claim shown, inserted together
    assert "No considerado necesidad médica" in html and "Incluido en el pago de otro servicio" in html
    assert "Apelar con una carta al pagador" in html
    page = client.get(f"/billing/denials/{b.pk}/").content.decode()
    assert "Incluido en el pago de otro servicio" in page and "45,00" in page
    listed = client.get("/api/v1/denials").json()
    assert listed["total"] == 4 and {g["reason"] for g in listed["groups"]} == set(groups)
    assert client.get(f"/api/v1/denials/{denied['c'].pk}").status_code == 404  # paid clean: no denial
    # the rate: 2 of 4 adjudicated claims denied (the 277CA rejection was never adjudicated)
    rate = denial_selectors.denial_rate(actor=biller, start=dt.date(2026, 11, 1), end=dt.date(2026, 12, 31))
    assert (rate.total.adjudicated, rate.total.denied, rate.total.rate) == (4, 2, D("50.0"))
    assert [(r.label, r.adjudicated, r.denied, r.rate) for r in rate.by_payer] == [
        ("Blue Plan", 1, 1, D("100.0")), ("Clearwater Health", 3, 1, D("33.3"))]
    assert [(r.key, r.denied, r.rate) for r in rate.by_reason] == [("29", 1, D("25.0")), ("50", 1, D("25.0"))]
    empty = denial_selectors.denial_rate(actor=biller, start=dt.date(2026, 1, 1), end=dt.date(2026, 1, 31))
    assert (empty.total.adjudicated, empty.total.rate) == (0, D("0"))
    csv_text = client.get("/billing/denials/rate.csv?start=2026-11-01&end=2026-12-31").content.decode()
    assert "Blue Plan,1,1,100.0" in csv_text and "Clearwater Health,3,1,33.3" in csv_text
    assert "Tasa de denegación" in client.get("/billing/denials/rate/?start=2026-11-01&end=2026-12-31")\
        .content.decode()
    api = client.get("/api/v1/denial-rate?start=2026-11-01&end=2026-12-31").json()
    assert (api["adjudicated"], api["denied"], api["rate"]) == (4, 2, "50.0")
    assert client.get("/api/v1/denial-rate?start=nope").status_code == 422
    assert signed_in(Role.FRONT_DESK, at=location).get("/billing/denials/").status_code == 403


def test_a_denial_is_resubmitted_as_a_replacement_claim_that_passes_x12valid(denied, biller, signed_in, location,
                                                                               tmp_path):
    a = denied["a"]
    client = signed_in(Role.BILLING, at=location)
    answer = client.post(f"/api/v1/denials/{a.pk}/resubmit", content_type="application/json")
    assert answer.status_code == 201 and answer.json()["frequency"] == "7"
    assert answer.json()["status"] == "ready" and answer.json()["payer_claim_number"] == f"PCN-{a.pk}"
    report = claims_submit(actor=biller, to_dir=tmp_path / "again")
    text = (tmp_path / "again" / report.file_name).read_text()
    ok, why = x12valid(text, tmp_path)
    assert ok, why
    assert re.search(r"CLM\*CD\d+\*145\*\*\*11:B:7\*", text) and f"REF*F8*PCN-{a.pk}~" in text
    a.refresh_from_db()
    assert a.status == ClaimStatus.REPLACED
    assert a.pk not in {x.claim.pk for g in denial_selectors.denials_worklist(actor=biller).groups for x in g.denials}


def _pdf_text(data: bytes) -> str:
    """The words a reportlab PDF shows (its content streams are ASCII85 over Flate)."""
    out = []
    for match in re.finditer(rb"stream\r?\n(.*?)endstream", data, re.S):
        body = match.group(1).strip()
        try:
            if body.endswith(b"~>"):
                body = base64.a85decode(body[:-2].replace(b"\n", b""))
            body = zlib.decompress(body)
        except (ValueError, zlib.error):
            continue
        out += [re.sub(rb"\\(.)", rb"\1", m.group(0)[1:m.group(0).rindex(b")")]).decode("cp1252")
                for m in re.finditer(rb"\((?:[^()\\]|\\.)*\)\s*Tj", body)]
    return "\n".join(out)


def test_the_appeal_letter_is_stored_on_the_chart_in_the_patients_language(denied, biller, signed_in, location):
    from django.core.files.storage import default_storage

    a = denied["a"]
    a.patient.preferred_language = "es"
    a.patient.save(update_fields=["preferred_language"])
    letter = appeal_letter_create(actor=biller, claim_id=a.pk)
    document = Document.objects.get(pk=letter.document_id)
    assert (letter.language, document.patient_id, document.content_type) == ("es", a.patient_id, "application/pdf")
    with default_storage.open(document.storage_name) as handle:
        text = _pdf_text(handle.read())
    assert "Solicitud de reconsideraci" in text and "No considerado necesidad m" in text  # accents: octal escapes
    assert f"PCN-{a.pk}" in text
    english = signed_in(Role.BILLING, at=location).post(f"/api/v1/denials/{a.pk}/appeal-letters",
                                                        data=json.dumps({"language": "en"}),
                                                        content_type="application/json")
    assert english.status_code == 201 and english.json()["language"] == "en"
    assert denial_selectors.denial_detail(actor=biller, claim_id=a.pk).denial.appeals[0].language == "en"


def test_a_write_off_is_posted_once_and_only_when_approved(denied, biller, signed_in, location):
    b = denied["b"]
    before = balance_of(b.patient_id)
    desk = UserFactory(role=Role.FRONT_DESK, location=location)
    with pytest.raises(PermissionDenied):
        write_off_request(actor=desk, claim_id=b.pk, amount=D("45.00"))
    asked = write_off_request(actor=biller, claim_id=b.pk, amount=D("45.00"), note="Bundled, not appealable")
    assert asked.status == WriteOffStatus.REQUESTED and balance_of(b.patient_id) == before
    with pytest.raises(Conflict):
        write_off_request(actor=biller, claim_id=b.pk, amount=D("10.00"))
    with pytest.raises(PermissionDenied):  # the biller may ask but not approve
        write_off_approve(actor=biller, write_off_id=asked.pk)
    assert balance_of(b.patient_id) == before and not LedgerEntry.objects.filter(description__contains="Write-off")
    coordinator = signed_in(Role.PRACTICE_COORDINATOR, at=location)
    answer = coordinator.post(f"/api/v1/denial-write-offs/{asked.pk}/approve", content_type="application/json")
    assert answer.status_code == 200 and answer.json()["status"] == "approved"
    assert balance_of(b.patient_id) == before - D("45.00")
    entry = LedgerEntry.objects.get(pk=answer.json()["ledger_entry_id"])
    assert (entry.kind, entry.amount) == (EntryKind.ADJUSTMENT, D("-45.00"))
    with pytest.raises(InvalidTransition):
        write_off_approve(actor=coordinator.user, write_off_id=asked.pk)
    assert coordinator.post(f"/api/v1/denial-write-offs/{asked.pk}/approve",
                            content_type="application/json").status_code == 409
    assert balance_of(b.patient_id) == before - D("45.00")
    assert DenialWriteOff.objects.get().status == WriteOffStatus.APPROVED
    assert b.pk not in {x.claim.pk for g in denial_selectors.denials_worklist(actor=biller).groups for x in g.denials}
    # from the screens: the biller asks on the denial's page, the coordinator refuses on the worklist
    e = denied["e"]
    billing = signed_in(Role.BILLING, at=location)
    assert billing.post(f"/billing/denials/{e.pk}/write-off/", {"amount": "145.00"}).status_code == 302
    pending = DenialWriteOff.objects.get(claim=e)
    assert "Write-offs waiting for approval" in coordinator.get("/billing/denials/").content.decode()
    assert coordinator.post(f"/billing/denials/write-offs/{pending.pk}/refuse/").status_code == 302
    pending.refresh_from_db()
    assert pending.status == WriteOffStatus.REFUSED and pending.entry_id is None
    assert billing.post(f"/api/v1/denials/{e.pk}/write-offs", data=json.dumps({"amount": "999.00"}),
                        content_type="application/json").status_code == 422
