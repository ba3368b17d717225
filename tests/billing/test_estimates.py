# ruff: noqa: F811 (the fixtures are imported from claim_fixtures)
"""Estimates and Good Faith Estimates (#19 item 10): the line-by-line split with the 271 benefits (co-pay once,
deductible, co-insurance, out-of-pocket cap) and the assumptions in words; the No Surprises Act timing; the Good
Faith Estimate for an uninsured patient through the API in Spanish, its PDF with the required content, signed and
kept on the chart; a user of another location finds nothing."""

from __future__ import annotations

import datetime as dt
import json
from decimal import Decimal

from clinicdesk.audit.models import AuditEntry
from clinicdesk.billing.models import ContractedAmount, Estimate
from clinicdesk.billing.services.estimates import _gfe_due_by as gfe_due_by
from clinicdesk.billing.services.estimates import _split_line as split_line
from clinicdesk.core.permissions import Role
from clinicdesk.insurance.models import EligibilityResult
from clinicdesk.insurance.services import coverage_fingerprint
from clinicdesk.patients.models import Document
from tests.factories import AppointmentFactory, LocationFactory, PatientFactory

from .claim_fixtures import GROUP_NPI, TAX_ID, clearwater, cover, fees, practice  # noqa: F401
from .test_cms1500 import page_texts


def test_split_line_takes_copay_once_then_deductible_then_coinsurance_up_to_the_cap():
    state = {"copay": Decimal("25.00"), "deductible": Decimal("50.00"), "coinsurance": Decimal("0.2"),
             "oop": Decimal("80.00")}
    flags: set[str] = set()
    assert split_line(Decimal("90.00"), state, flags) == Decimal("78.00")  # 25 + 50 + 20 % of 15
    assert split_line(Decimal("25.00"), state, flags) == Decimal("2.00")  # 20 % is 5.00, only 2.00 left to the cap
    assert state["copay"] == 0 and state["deductible"] == 0 and state["oop"] == 0 and flags == {"oop-reached"}


def test_good_faith_estimates_are_due_by_the_no_surprises_act_days():
    monday = dt.date(2026, 11, 23)
    assert gfe_due_by(requested_on=monday, service_date=dt.date(2026, 11, 27), booked=True) == dt.date(2026, 11, 24)
    assert gfe_due_by(requested_on=monday, service_date=dt.date(2026, 12, 14), booked=True) == dt.date(2026, 11, 26)
    assert gfe_due_by(requested_on=dt.date(2026, 11, 27), service_date=dt.date(2026, 12, 31),
                      booked=False) == dt.date(2026, 12, 2)  # Friday + 3 business days


def test_a_good_faith_estimate_counts_only_the_days_the_practice_is_open():
    """45 CFR 149.610(a)(2): a business day is a day the provider is open. Thanksgiving closed: Wednesday is
    followed by Friday."""
    monday, thanksgiving = dt.date(2026, 11, 23), dt.date(2026, 11, 26)
    assert gfe_due_by(requested_on=monday, service_date=dt.date(2026, 12, 14), booked=True,
                      closed={thanksgiving}) == dt.date(2026, 11, 27)
    # Booked four weekdays ahead, but the closure makes it three business days: still due the next day.
    assert gfe_due_by(requested_on=monday, service_date=dt.date(2026, 11, 27), booked=True,
                      closed={thanksgiving}) == dt.date(2026, 11, 24)


def test_an_insured_estimate_splits_each_line_with_the_latest_271(signed_in, location, biller, fees, practice,
                                                                   clearwater, clock):
    patient = PatientFactory(home_location=location)
    coverage = cover(patient, clearwater)
    EligibilityResult.objects.create(
        coverage=coverage, payer_name=clearwater.name, member_id=coverage.member_id, patient=patient,
        status="active", channel="realtime", trace_number="EST00001", service_date=dt.date(2026, 11, 23),
        coverage_fingerprint=coverage_fingerprint(coverage), request_x12="ISA", requested_at=clock.now(),
        answered_at=clock.now(), copay=Decimal("25.00"), coinsurance_percent=Decimal("0.2000"),
        deductible_remaining=Decimal("50.00"), out_of_pocket_remaining=Decimal("1000.00"))
    ContractedAmount.objects.create(fee_item=fees["99213"], payer=clearwater, amount=Decimal("90.00"))
    visit = AppointmentFactory(location=location, patient=patient, status="booked", bookings=False,
                               start=dt.datetime(2026, 11, 27, 15, 0, tzinfo=dt.UTC))
    client = signed_in(Role.FRONT_DESK, at=location, language="es")
    assert client.get(f"/billing/patients/{patient.pk}/estimates/").status_code == 200
    response = client.post(f"/billing/patients/{patient.pk}/estimates/new/", {
        "appointment": visit.pk, "idempotency_key": "est-1", "code_1": "99213", "units_1": "1",
        "code_2": "J1885", "units_2": "2", "diagnoses": "E11.9"})
    estimate = Estimate.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/billing/estimates/{estimate.pk}/"
    assert estimate.kind == "estimate" and estimate.payer_name == clearwater.name
    assert [(line["allowed"], line["payer"], line["patient"]) for line in estimate.lines] == [
        ("90.00", "12.00", "78.00"), ("25.00", "20.00", "5.00")]
    assert (estimate.total_charge, estimate.payer_total, estimate.patient_total) == (
        Decimal("145.00"), Decimal("32.00"), Decimal("83.00"))
    codes = [a["code"] for a in estimate.assumptions]
    assert {"benefits-271", "copay-once", "deductible", "coinsurance", "oop", "no-contract"} <= set(codes)
    page = client.get(f"/billing/estimates/{estimate.pk}/").content.decode()
    assert "se cobra una vez" in page and "no tiene importe contratado" in page, page
    assert estimate.document is not None and estimate.document.kind == Document.Kind.OTHER
    replay = client.post(f"/billing/patients/{patient.pk}/estimates/new/", {
        "appointment": visit.pk, "idempotency_key": "est-1", "code_1": "99213"})
    assert replay.status_code == 302 and Estimate.objects.count() == 1
    assert AuditEntry.objects.filter(action="estimate.create", resource_id=str(estimate.pk)).exists()


def test_an_uninsured_patient_gets_a_signed_good_faith_estimate_in_spanish(signed_in, location, fees, practice, clock):
    practice.refresh_from_db()
    patient = PatientFactory(home_location=location, preferred_language="es")
    client = signed_in(Role.FRONT_DESK, at=location)
    made = client.post(f"/api/v1/patients/{patient.pk}/estimates", json.dumps({
        "location_id": location.pk, "service_date": "2026-12-10", "diagnoses": ["J06.9"],
        "lines": [{"code": "99214"}, {"code": "J1885", "units": 2}], "idempotency_key": "gfe-1"}),
        content_type="application/json", HTTP_X_CSRFTOKEN="x")
    assert made.status_code == 201, made.content
    body = made.json()
    assert body["kind"] == "good-faith" and body["language"] == "es" and body["patient_total"] == "205.00"
    assert body["due_by"] == "2026-11-26" and body["payer_total"] == "0.00"
    pdf = client.get(f"/api/v1/estimates/{body['id']}/pdf")
    text = " ".join(page_texts(pdf.content)).replace("\xa0", " ")
    for needed in ("Estimación de buena fe", "J06.9", "99214", "J1885", GROUP_NPI, TAX_ID, "400", "1-800-985-3059",
                   "120"):
        assert needed in text, (needed, text)
    signed = client.post(f"/api/v1/estimates/{body['id']}/sign", json.dumps({"method": "signed",
                                                                              "signed_name": "Ana Pérez"}),
                         content_type="application/json")
    assert signed.status_code == 200 and signed.json()["status"] == "signed"
    assert signed.json()["signature"]["name"] == "Ana Pérez"
    again = client.post(f"/api/v1/estimates/{body['id']}/sign", json.dumps({"method": "received"}),
                        content_type="application/json")
    assert again.status_code == 409
    kept = Estimate.objects.get(pk=body["id"]).document
    assert kept is not None and "firmado" in kept.description
    bad = client.post(f"/api/v1/patients/{patient.pk}/estimates", json.dumps({"lines": "x", "idempotency_key": "k"}),
                      content_type="application/json")
    assert bad.status_code == 422
    other = signed_in(Role.FRONT_DESK, at=LocationFactory())
    assert other.get(f"/api/v1/estimates/{body['id']}").status_code == 404
    assert other.get(f"/billing/estimates/{body['id']}/").status_code == 404
