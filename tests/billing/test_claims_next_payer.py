# ruff: noqa: F811 (the fixtures are imported from claim_fixtures)
"""Claims without a draft status, the worklist's send button and answer-file words, and billing the next payer
from a claim's page (#19): a claim is built straight to ready or held (one event from ""), old draft history is
mapped by migration 0010; "Send 0 ready claims" is disabled and its POST refused; reading an 835 says "1 claim
denied" with plural forms; a paid or denied primary (or secondary) offers "Bill the secondary payer (...)" that
runs `claim_build` at the next sequence, and nothing is billed before the earlier payer has answered."""

from __future__ import annotations

import importlib
from decimal import Decimal
from html import unescape

from django.apps import apps
from django.core.files.uploadedfile import SimpleUploadedFile

from clinicdesk.billing.claim_models import CLAIM_TRANSITIONS
from clinicdesk.billing.models import Claim, ClaimBatch, ClaimEvent, ClaimStatus
from clinicdesk.billing.report_claims_aging import OPEN_WITH_PAYER
from clinicdesk.billing.services import claim_build, claims_build_posted, claims_submit
from clinicdesk.core.permissions import Role
from clinicdesk.insurance.x12 import fakeremit
from clinicdesk.insurance.x12.e835 import Adjustment, ClaimPayment
from clinicdesk.practice.models import Organization

from .claim_fixtures import clearwater, cover, fees, payer, posted_visit, practice, superbill, with_address  # noqa: F401

D = Decimal


def _events(claim):
    return [(e.from_status, e.to_status, e.source) for e in claim.events.order_by("at", "pk")]


def test_there_is_no_draft_status_anywhere():
    assert "draft" not in ClaimStatus.values and "draft" not in CLAIM_TRANSITIONS
    assert all("draft" not in moves for moves in CLAIM_TRANSITIONS.values())
    assert "draft" not in OPEN_WITH_PAYER and Claim._meta.get_field("status").default == ClaimStatus.HELD


def test_a_held_claim_is_built_in_one_event_from_nothing(biller, superbill, clock):
    Organization.objects.update(npi="1234567890")  # a wrong check digit: the scrubber holds the claim
    claim = claim_build(actor=biller, superbill_id=superbill.pk)
    assert claim.status == ClaimStatus.HELD and [e["code"] for e in claim.edits] == ["billing-npi"]
    assert _events(claim) == [("", "held", "build")]
    assert claim.events.get().note == "billing-npi"


def test_the_nightly_build_writes_one_event_per_claim_too(biller, superbill, clock):
    report = claims_build_posted(actor=biller, superbill_ids=[superbill.pk])
    claim = Claim.objects.get(superbill=superbill)
    assert report.built and claim.status == ClaimStatus.READY and _events(claim) == [("", "ready", "build")]


def test_migration_0010_merges_the_old_draft_history(biller, superbill, clock):
    claim = claim_build(actor=biller, superbill_id=superbill.pk)
    built = claim.events.get()
    ClaimEvent.objects.filter(pk=built.pk).update(to_status="draft", note="")  # the history as it was written
    ClaimEvent.objects.create(claim=claim, from_status="draft", to_status="ready", source="scrub", note="x",
                              at=built.at, by=built.by)
    migration = importlib.import_module("clinicdesk.billing.migrations.0010_claim_status_without_draft")
    migration.forwards(apps, None)
    assert [(e.pk, e.from_status, e.to_status, e.source, e.note) for e in claim.events.all()] == [
        (built.pk, "", "ready", "build", "x")]
    lone = ClaimEvent.objects.create(claim=claim, from_status="ready", to_status="draft", source="user",
                                     at=built.at)
    migration.forwards(apps, None)
    lone.refresh_from_db()
    assert lone.to_status == "held" and lone.to_status_label == "Held by the scrubber"


def test_send_is_disabled_and_refused_with_no_ready_claim(signed_in, location, clock, tmp_path, settings):
    settings.CLEARINGHOUSE_FOLDER_OUTBOUND, settings.CLEARINGHOUSE_SFTP_HOST = str(tmp_path), ""
    client = signed_in(Role.BILLING, at=location)
    html = client.get("/billing/claims/").content.decode()
    assert "No claim is ready to send" in html and "Send 0" not in html
    button = html[html.index('action="/billing/claims/submit/"'):].split("</form>")[0]
    assert " disabled" in button
    page = client.post("/billing/claims/submit/", follow=True)
    assert "No claim is ready to send: nothing was sent." in page.content.decode()
    assert not ClaimBatch.objects.exists() and not list(tmp_path.iterdir())


def test_send_names_the_ready_claims_with_plural_forms(signed_in, location, biller, superbill, clock, tmp_path,
                                                       settings):
    settings.CLEARINGHOUSE_FOLDER_OUTBOUND, settings.CLEARINGHOUSE_SFTP_HOST = str(tmp_path), ""
    claim_build(actor=biller, superbill_id=superbill.pk)
    client = signed_in(Role.BILLING, at=location)
    html = client.get("/billing/claims/").content.decode()
    button = html[html.index('action="/billing/claims/submit/"'):].split("</form>")[0]
    assert "Send 1 ready claim<" in button and " disabled" not in button
    assert "1 claim sent in file" in client.post("/billing/claims/submit/", follow=True).content.decode()


def _denial(claim):
    return ClaimPayment(claim_id=claim.claim_number, status="4", charge=claim.total_charge, paid=D("0"),
                        patient_responsibility=D("0"), payer_claim_number="PCN-D",
                        adjustments=[Adjustment("CO", "50", claim.total_charge)])


def _paid(claim):
    paid = D("100.00")
    return ClaimPayment(claim_id=claim.claim_number, status="1", charge=claim.total_charge, paid=paid,
                        patient_responsibility=D("0"), payer_claim_number="PCN-P",
                        adjustments=[Adjustment("CO", "45", claim.total_charge - paid)])


def _upload(client, text):
    return client.post("/billing/claims/answers/", {"file": SimpleUploadedFile("era.x12", text.encode())},
                       follow=True).content.decode()


def test_a_denial_reads_as_a_denial_not_a_payment(signed_in, location, biller, superbill, clearwater, tmp_path,
                                                   clock):
    claim = claim_build(actor=biller, superbill_id=superbill.pk)
    claims_submit(actor=biller, to_dir=tmp_path)
    client = signed_in(Role.BILLING, at=location)
    html = _upload(client, fakeremit.remittance([_denial(claim)], check_number="D1"))
    assert "File read: 1 claim denied." in html and "payments posted" not in html


def test_payments_and_denials_are_counted_apart_in_spanish(signed_in, location, biller, superbill, clearwater,
                                                           tmp_path, clock):
    claims = [claim_build(actor=biller, superbill_id=superbill.pk)]
    for hour in (16, 17):
        other = posted_visit(biller, location, hour=hour)
        cover(with_address(other.patient), clearwater, member_id=f"W{hour}")
        claims.append(claim_build(actor=biller, superbill_id=other.pk))
    claims_submit(actor=biller, to_dir=tmp_path)
    unknown = ClaimPayment(claim_id="CD77777777", status="1", charge=D("50"), paid=D("50"),
                           patient_responsibility=D("0"))
    text = fakeremit.remittance([_paid(claims[0]), _paid(claims[1]), _denial(claims[2]), unknown],
                                check_number="M1")
    client = signed_in(Role.BILLING, at=location)
    html = _upload(client, text)
    assert "File read: 2 payments posted, 1 claim denied, 1 payment left on the worklist." in html
    client.user.language = "es"
    client.user.save(update_fields=["language"])
    html = _upload(client, fakeremit.remittance([_denial(claims[0])], check_number="M2"))
    assert "1 payments" not in html and "1 claims" not in html


def _secondary_world(biller, superbill, tmp_path, *, answer):
    blue = payer("Blue Plan", "BP01")
    cover(superbill.patient, blue, order=2, member_id="B555")
    primary = claim_build(actor=biller, superbill_id=superbill.pk)
    claims_submit(actor=biller, to_dir=tmp_path / "one")
    if answer:
        from clinicdesk.billing.services import answer_file_read

        answer_file_read(actor=biller, name="era.x12",
                         data=fakeremit.remittance([answer(primary)], check_number="S1").encode())
    primary.refresh_from_db()
    return primary, blue


def test_a_paid_primary_offers_to_bill_the_secondary_payer(signed_in, location, biller, superbill, clearwater,
                                                           tmp_path, clock):
    primary, _blue = _secondary_world(biller, superbill, tmp_path, answer=_paid)
    assert primary.status == ClaimStatus.PAID
    client = signed_in(Role.BILLING, at=location)
    html = client.get(f"/billing/claims/{primary.pk}/").content.decode()
    assert "Bill the secondary payer (Blue Plan)" in html
    assert f'action="/billing/claims/{primary.pk}/next-payer/"' in html
    made = client.post(f"/billing/claims/{primary.pk}/next-payer/")
    secondary = Claim.objects.get(superbill=superbill, sequence=2)
    assert made.status_code == 302 and made["Location"] == f"/billing/claims/{secondary.pk}/"
    assert secondary.payer.name == "Blue Plan" and secondary.prior_paid == D("100.00")
    assert secondary.status == ClaimStatus.READY and _events(secondary) == [("", "ready", "build")]
    page = client.get(made["Location"]).content.decode()
    assert f"Secondary claim {secondary.claim_number} to Blue Plan: Ready to send." in page
    # the primary's page now links to it, and a second POST returns the same live claim
    html = client.get(f"/billing/claims/{primary.pk}/").content.decode()
    assert "Bill the secondary payer" not in html and f"/billing/claims/{secondary.pk}/" in html
    assert client.post(f"/billing/claims/{primary.pk}/next-payer/")["Location"] == made["Location"]
    assert Claim.objects.filter(superbill=superbill, sequence=2).count() == 1


def test_a_denied_secondary_offers_the_tertiary_payer(signed_in, location, biller, superbill, clearwater,
                                                      tmp_path, clock):
    _primary, _blue = _secondary_world(biller, superbill, tmp_path, answer=_denial)
    cover(superbill.patient, payer("Third Trust", "TT01"), order=3, member_id="T1")
    secondary = claim_build(actor=biller, superbill_id=superbill.pk, sequence=2)
    Claim.objects.filter(pk=secondary.pk).update(status=ClaimStatus.DENIED)  # as if its 835 denied it
    client = signed_in(Role.BILLING, at=location)
    html = client.get(f"/billing/claims/{secondary.pk}/").content.decode()
    assert "Bill the tertiary payer (Third Trust)" in html
    page = client.post(f"/billing/claims/{secondary.pk}/next-payer/", follow=True).content.decode()
    tertiary = Claim.objects.get(superbill=superbill, sequence=3)
    assert f"Tertiary claim {tertiary.claim_number} to Third Trust" in page
    assert "data-next-payer" not in client.get(f"/billing/claims/{tertiary.pk}/").content.decode()


def test_no_secondary_before_the_primary_payer_answers(signed_in, location, biller, superbill, clearwater,
                                                       tmp_path, clock):
    primary, _blue = _secondary_world(biller, superbill, tmp_path, answer=None)
    assert primary.status == ClaimStatus.SUBMITTED
    client = signed_in(Role.BILLING, at=location)
    html = unescape(client.get(f"/billing/claims/{primary.pk}/").content.decode())
    assert "Bill the secondary payer" not in html and "/next-payer/" not in html
    assert "The secondary payer (Blue Plan) is billed once this claim's payer has answered." in html
    page = unescape(client.post(f"/billing/claims/{primary.pk}/next-payer/", follow=True).content.decode())
    assert "A secondary or tertiary claim needs the earlier payer's answer first." in page
    assert not Claim.objects.filter(sequence=2).exists()


def test_no_button_without_a_coverage_of_the_next_order(signed_in, location, biller, superbill, clearwater,
                                                        tmp_path, clock):
    primary = claim_build(actor=biller, superbill_id=superbill.pk)
    Claim.objects.filter(pk=primary.pk).update(status=ClaimStatus.PAID)
    client = signed_in(Role.BILLING, at=location)
    html = client.get(f"/billing/claims/{primary.pk}/").content.decode()
    assert "data-next-payer" not in html
    page = client.post(f"/billing/claims/{primary.pk}/next-payer/", follow=True).content.decode()
    assert "The patient has no secondary coverage on" in page and not Claim.objects.filter(sequence=2).exists()
