# ruff: noqa: F811 (the fixtures are imported from claim_fixtures)
"""The claim screens and API (#19 items 3-5): the worklist in words (EN/ES) with its query count pinned, sending
the ready claims, uploading an answer file, one claim's page, and the JSON API."""

from __future__ import annotations

import json
from decimal import Decimal

from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext

from clinicdesk.billing.models import ClaimStatus
from clinicdesk.billing.services import claim_build
from clinicdesk.core.permissions import Role
from clinicdesk.insurance.x12 import fakeremit
from clinicdesk.practice.models import Organization

from .claim_fixtures import clearwater, fees, practice, superbill  # noqa: F401


def test_the_worklist_shows_held_claims_with_their_edits_in_spanish(signed_in, location, biller, superbill, clock):
    Organization.objects.update(npi="1234567890")
    claim_build(actor=biller, superbill_id=superbill.pk)
    client = signed_in(Role.BILLING, at=location, language="es")
    with CaptureQueriesContext(connection) as queries:
        page = client.get("/billing/claims/?status=held")
    html = page.content.decode()
    assert page.status_code == 200 and "Retenida por la revisión" in html and "dígito de control" in html
    assert len(queries) < 40, len(queries)


def test_send_and_read_an_answer_from_the_screens(signed_in, location, biller, superbill, tmp_path, clock,
                                                 settings):
    settings.CLEARINGHOUSE_FOLDER_OUTBOUND = str(tmp_path)
    settings.CLEARINGHOUSE_SFTP_HOST = ""
    claim = claim_build(actor=biller, superbill_id=superbill.pk)
    client = signed_in(Role.BILLING, at=location)
    assert client.post("/billing/claims/submit/").status_code == 302
    assert len(list(tmp_path.glob("837P-*.x12"))) == 1
    ack = fakeremit.claim_acknowledgement_277ca([fakeremit.ClaimAnswer(claim.claim_number, Decimal("145"),
                                                                       payer_claim_number="P-1")])
    upload = SimpleUploadedFile("ack.x12", ack.encode())
    assert client.post("/billing/claims/answers/", {"file": upload}).status_code == 302
    claim.refresh_from_db()
    assert claim.status == ClaimStatus.ACCEPTED
    html = client.get(f"/billing/claims/{claim.pk}/").content.decode()
    assert "Accepted by the payer" in html and "P-1" in html


def test_the_api_lists_builds_and_reads_answers(signed_in, location, biller, superbill, clock):
    client = signed_in(Role.BILLING, at=location)
    made = client.post(f"/api/v1/superbills/{superbill.pk}/claims", data=json.dumps({"sequence": 1}),
                       content_type="application/json")
    assert made.status_code == 201 and made.json()["status"] == "ready" and len(made.json()["lines"]) == 2
    listed = client.get("/api/v1/claims?status=ready").json()
    assert listed["total"] == 1 and listed["items"][0]["claim_number"] == made.json()["claim_number"]
    assert client.get("/api/v1/claims?status=nope").status_code == 422
    bad = client.post("/api/v1/claim-answers", data=json.dumps({"content": "hello"}),
                      content_type="application/json")
    assert bad.status_code == 422
