"""Fixtures for the claims tests (#19 items 3-5): a practice with a valid NPI and tax id, a payer on the
clearinghouse, a covered patient and a posted superbill."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import pytest

from clinicdesk.billing.services import LineInput, superbill_open, superbill_post, superbill_save
from clinicdesk.insurance.x12.e835 import Adjustment, ClaimPayment, ServicePayment
from clinicdesk.patients.models import Coverage, Payer, PayerChannel
from clinicdesk.practice.models import Organization

from .factories import fee_schedule, fulfilled_visit

GROUP_NPI, TAX_ID = "1234567893", "12-3456789"


def payer(name: str = "Clearwater Health", code: str = "CWH01", channel: str = PayerChannel.BATCH) -> Payer:
    return Payer.objects.create(name=name, payer_code=code, claim_channel=channel)


def cover(patient: Any, the_payer: Payer, *, order: int = 1, member_id: str = "W123456789", **extra: Any) -> Coverage:
    return Coverage.objects.create(patient=patient, payer=the_payer, member_id=member_id, group_number="GRP100",
                                   order=order, start_date=dt.date(2026, 1, 1), **extra)


def with_address(patient: Any) -> Any:
    patient.address_line, patient.city, patient.state, patient.postal_code = "12 Elm St", "Springfield", "MA", "01103"
    patient.save(update_fields=["address_line", "city", "state", "postal_code"])
    return patient


def posted_visit(biller: Any, location: Any, *, diagnoses: tuple[str, ...] = ("E11.9", "I10"),
                 lines: list[LineInput] | None = None, hour: int = 15, patient: Any = None) -> Any:
    extra = {"patient": patient} if patient is not None else {}
    visit = fulfilled_visit(location, biller=biller, hour=hour, **extra)
    superbill = superbill_open(actor=biller, appointment_id=visit.pk)
    lines = lines if lines is not None else [LineInput("99213", "25", 1, (1, 2)), LineInput("J1885", "", 2, (2,))]
    superbill_save(actor=biller, superbill_id=superbill.pk, diagnoses=list(diagnoses), lines=lines)
    return superbill_post(actor=biller, superbill_id=superbill.pk)


@pytest.fixture
def practice(location):
    organization = location.organization
    Organization.objects.filter(pk=organization.pk).update(npi=GROUP_NPI, tax_id=TAX_ID)
    return organization


@pytest.fixture
def fees(biller):
    return fee_schedule(biller)


@pytest.fixture
def clearwater(db):
    return payer()


@pytest.fixture
def superbill(biller, location, fees, practice, clearwater):
    bill = posted_visit(biller, location)
    with_address(bill.patient)
    cover(bill.patient, clearwater)
    return bill


def era_payment(claim, paid, patient, *, status="1", contractual=None):
    """A payer's answer to `claim` (one 99213-25 service): `paid`, the patient's share `patient` (PR 2), and the
    rest written off as contractual (CO 45) unless `contractual` says otherwise."""
    contractual = claim.total_charge - paid - patient if contractual is None else contractual
    adjustments = [Adjustment("CO", "45", contractual)] if contractual else []
    if patient:
        adjustments.append(Adjustment("PR", "2", patient))
    service = ServicePayment(code="HC:99213:25", procedure="99213", modifiers=["25"], charge=claim.total_charge,
                             paid=paid, units=Decimal(1), adjustments=adjustments)
    return ClaimPayment(claim_id=claim.claim_number, status=status, charge=claim.total_charge, paid=paid,
                        patient_responsibility=patient, payer_claim_number="PCN-9", services=[service])
