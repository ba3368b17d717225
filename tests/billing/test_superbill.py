"""Charge capture: the superbill of a fulfilled visit, its checks, posting once, reversal, who may (#19 item 2)."""

from __future__ import annotations

from decimal import Decimal

import pytest

from clinicdesk.audit.models import AuditEntry
from clinicdesk.billing.models import EntryKind, LedgerEntry, SuperbillStatus
from clinicdesk.billing.services import (
    LineInput,
    balance_of,
    superbill_open,
    superbill_post,
    superbill_reverse,
    superbill_save,
)
from clinicdesk.core.exceptions import InvalidTransition, PermissionDenied, ValidationFailed
from clinicdesk.core.permissions import Role
from tests.factories import UserFactory

from .factories import fee_schedule, fulfilled_visit


@pytest.fixture
def fees(biller):
    return fee_schedule(biller)


@pytest.fixture
def visit(location, biller, fees):
    return fulfilled_visit(location, usual=["99213"], biller=biller)


@pytest.fixture
def doctor(location, visit):
    return UserFactory(role=Role.PROVIDER, location=location)


def _coded(actor, visit, diagnoses=("E11.9", "I10"), lines=None):
    superbill = superbill_open(actor=actor, appointment_id=visit.pk)
    lines = lines if lines is not None else [LineInput("99213", "25", 1, (1, 2)), LineInput("J1885", "", 2, (2,))]
    return superbill_save(actor=actor, superbill_id=superbill.pk, diagnoses=list(diagnoses), lines=lines)


def test_superbill_open_prefills_the_usual_codes(biller, visit):
    superbill = superbill_open(actor=biller, appointment_id=visit.pk)
    [line] = superbill.lines.all()
    assert (line.code, line.units, line.rendering_id, line.place_of_service) == (
        "99213", 1, visit.practitioner_id, "11")
    assert superbill.status == SuperbillStatus.DRAFT and str(superbill.date_of_service) == "2026-11-20"


def test_superbill_open_twice_gives_the_same_draft(biller, visit):
    assert superbill_open(actor=biller, appointment_id=visit.pk) == superbill_open(actor=biller,
                                                                                   appointment_id=visit.pk)


def test_superbill_open_refuses_a_visit_that_did_not_take_place(biller, location, fees):
    booked = fulfilled_visit(location, status="booked")
    with pytest.raises(InvalidTransition):
        superbill_open(actor=biller, appointment_id=booked.pk)


def test_superbill_save_keeps_the_diagnoses_in_order(biller, visit):
    superbill = _coded(biller, visit, diagnoses=("I10", "E11.9"))
    assert [d.code for d in superbill.diagnoses.order_by("position")] == ["I10", "E119"]


def test_superbill_save_refuses_a_pointer_to_no_diagnosis(biller, visit):
    with pytest.raises(ValidationFailed) as error:
        _coded(biller, visit, lines=[LineInput("99213", "", 1, (3,))])
    assert error.value.code == "pointer-to-no-diagnosis" and "line1-pointers" in error.value.fields


def test_superbill_save_refuses_a_non_billable_diagnosis(biller, visit):
    with pytest.raises(ValidationFailed) as error:
        _coded(biller, visit, diagnoses=("E11",))
    assert error.value.code == "diagnosis-not-billable"


def test_superbill_save_refuses_an_unknown_diagnosis(biller, visit):
    with pytest.raises(ValidationFailed) as error:
        _coded(biller, visit, diagnoses=("X99.999",))
    assert error.value.code == "unknown-diagnosis"


def test_superbill_save_refuses_a_thirteenth_diagnosis(biller, visit):
    thirteen = ["E11.9", "I10", "J45.909", "E78.5", "R51.9", "M54.50", "K21.9", "F41.1", "G47.00", "N39.0",
                "R10.9", "J06.9", "Z00.00"]
    with pytest.raises(ValidationFailed) as error:
        _coded(biller, visit, diagnoses=thirteen)
    assert error.value.code == "too-many-diagnoses"
    assert _coded(biller, visit, diagnoses=thirteen[:12]).diagnoses.count() == 12


def test_superbill_save_refuses_a_code_not_on_the_fee_schedule(biller, visit):
    with pytest.raises(ValidationFailed) as error:
        _coded(biller, visit, lines=[LineInput("99215", "", 1, (1,))])
    assert error.value.code == "code-not-on-fee-schedule"


def test_superbill_save_refuses_five_pointers(biller, visit):
    with pytest.raises(ValidationFailed) as error:
        _coded(biller, visit, diagnoses=("E11.9", "I10", "J45.909", "E78.5", "R51.9"),
               lines=[LineInput("99213", "", 1, (1, 2, 3, 4, 5))])
    assert error.value.code == "too-many-pointers"


def test_superbill_post_writes_one_charge_per_line_at_the_price_of_the_day(biller, visit):
    superbill = superbill_post(actor=biller, superbill_id=_coded(biller, visit).pk)
    charges = LedgerEntry.objects.filter(kind=EntryKind.CHARGE, appointment=visit).order_by("pk")
    assert [c.amount for c in charges] == [Decimal("120.00"), Decimal("25.00")]
    assert superbill.status == SuperbillStatus.POSTED and balance_of(visit.patient_id) == Decimal("145.00")
    assert charges[0].description.startswith("99213 25 Office visit")
    assert AuditEntry.objects.filter(action="superbill.post").count() == 1


def test_superbill_post_twice_writes_nothing_more(biller, visit):
    superbill = _coded(biller, visit)
    superbill_post(actor=biller, superbill_id=superbill.pk)
    superbill_post(actor=biller, superbill_id=superbill.pk)
    assert LedgerEntry.objects.filter(kind=EntryKind.CHARGE).count() == 2


def test_superbill_post_needs_a_pointer_on_every_line(biller, visit):
    superbill = superbill_open(actor=biller, appointment_id=visit.pk)  # the pre-filled line points nowhere yet
    superbill_save(actor=biller, superbill_id=superbill.pk, diagnoses=["I10"],
                   lines=[LineInput("99213", "", 1, ())])
    with pytest.raises(ValidationFailed) as error:
        superbill_post(actor=biller, superbill_id=superbill.pk)
    assert error.value.code == "pointer-required" and not LedgerEntry.objects.exists()


def test_a_posted_superbill_is_not_edited(biller, visit):
    superbill = superbill_post(actor=biller, superbill_id=_coded(biller, visit).pk)
    with pytest.raises(InvalidTransition):
        superbill_save(actor=biller, superbill_id=superbill.pk, diagnoses=["I10"], lines=[])


def test_superbill_reverse_reverses_each_charge_and_frees_the_visit(biller, visit):
    superbill = superbill_post(actor=biller, superbill_id=_coded(biller, visit).pk)
    superbill_reverse(actor=biller, superbill_id=superbill.pk, reason="Wrong level of service")
    assert balance_of(visit.patient_id) == Decimal("0.00")
    assert LedgerEntry.objects.filter(kind=EntryKind.REVERSAL).count() == 2
    again = superbill_open(actor=biller, appointment_id=visit.pk)
    assert again.pk != superbill.pk and again.status == SuperbillStatus.DRAFT


def test_the_provider_codes_and_posts(doctor, visit):
    superbill = superbill_post(actor=doctor, superbill_id=_coded(doctor, visit).pk)
    assert superbill.posted_by == doctor


def test_the_provider_may_not_reverse(doctor, biller, visit):
    superbill = superbill_post(actor=doctor, superbill_id=_coded(doctor, visit).pk)
    with pytest.raises(PermissionDenied):
        superbill_reverse(actor=doctor, superbill_id=superbill.pk, reason="Oops")


def test_the_front_desk_may_not_code(location, visit):
    with pytest.raises(PermissionDenied) as error:
        superbill_open(actor=UserFactory(role=Role.FRONT_DESK, location=location), appointment_id=visit.pk)
    assert error.value.status == 403


def test_a_coder_of_another_location_finds_nothing(other_location, visit):
    with pytest.raises(PermissionDenied) as error:
        superbill_open(actor=UserFactory(role=Role.BILLING, location=other_location), appointment_id=visit.pk)
    assert error.value.status == 404
