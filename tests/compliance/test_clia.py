"""CLIA waived testing (#21 item 4): the certificate and its number, kit lots from the inventory, the performer's
competency, the QC lock-out and its release (corrective action, then a new run in range), the audit trail, and the
calendar and dashboard."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from clinicdesk.audit.models import AuditEntry
from clinicdesk.compliance import selectors, selectors_clia, selectors_program, services
from clinicdesk.compliance.demo import compliance_demo
from clinicdesk.compliance.models import PatientTest, QcRun
from clinicdesk.core.exceptions import Conflict, NotFound, PermissionDenied, ValidationFailed
from clinicdesk.core.permissions import Role
from clinicdesk.operations import services as operations_services
from clinicdesk.operations.models import StockBalance
from clinicdesk.staffing.models import Training, TrainingRecord
from clinicdesk.staffing.training_services import trainings_seed
from tests.factories import PatientFactory, UserFactory

TODAY = dt.date(2026, 11, 23)  # the frozen clock's day at the location (10:00 in New York)
LOT = "GS24K118"
GLUCOSE = {"name_en": "Blood glucose", "name_es": "Glucosa en sangre", "measures": "Blood glucose",
           "result_kind": "numeric", "unit": "mg/dL", "low_min": "36", "low_max": "60", "high_min": "280",
           "high_max": "420"}
IN_RANGE = {"low": "48", "high": "345"}
OUT_OF_RANGE = {"low": "48", "high": "460"}


def competent(user: Any, *, until: dt.date = TODAY + dt.timedelta(days=200)) -> Any:
    trainings_seed()
    TrainingRecord.objects.create(user=user, training=Training.objects.get(code="CLIA"),
                                  completed_on=until - dt.timedelta(days=365), valid_until=until)
    return user


@pytest.fixture
def nurse(location):
    return competent(UserFactory(role=Role.NURSE, location=location, username="nia-nurse", first_name="Nia",
                                 last_name="Nurse"))


@pytest.fixture
def kit(coordinator, location):
    item = operations_services.item_create(actor=coordinator, name="Glucose test strips", unit="box",
                                           category="lab", tracks_lots=True)
    operations_services.stock_adjust(actor=coordinator, item_id=item.pk, location_id=location.pk, quantity=10,
                                     reason="Received", lot=LOT, expires_on=dt.date(2027, 6, 30))
    return item


@pytest.fixture
def glucose(coordinator, location, kit):
    services.clia_certificate_set(actor=coordinator, location_id=location.pk, kind="waiver", number="22D0123456",
                                  effective_on=dt.date(2025, 1, 1), expires_on=dt.date(2027, 1, 1))
    return services.waived_test_add(actor=coordinator, location_id=location.pk, item_id=kit.pk, **GLUCOSE)


def _on_hand(item, location, lot=LOT) -> int:
    return StockBalance.objects.get(item=item, location=location, lot=lot).quantity


def _test_patient(actor, test, patient, **extra):
    return services.patient_test_record(actor=actor, test_id=test.pk, lot=LOT, patient_mrn=patient.mrn,
                                        value="104", **extra)


# --- the certificate --------------------------------------------------------------------------------------------
@pytest.mark.parametrize("number", ["22D012345", "22D01234567", "2AD0123456", "22X0123456", "", "22-D012345"])
def test_clia_certificate_refuses_a_malformed_number(db, clock, coordinator, location, number):
    with pytest.raises(ValidationFailed) as caught:
        services.clia_certificate_set(actor=coordinator, location_id=location.pk, kind="waiver", number=number,
                                      effective_on=dt.date(2025, 1, 1), expires_on=dt.date(2027, 1, 1))
    assert "number" in caught.value.fields and "two digits, the letter D" in caught.value.detail


def test_clia_certificate_keeps_a_valid_number_in_capitals_and_replaces_the_old_one(db, clock, coordinator,
                                                                                   location):
    services.clia_certificate_set(actor=coordinator, location_id=location.pk, kind="waiver", number="22d0123456",
                                  effective_on=dt.date(2025, 1, 1), expires_on=dt.date(2027, 1, 1))
    cert = services.clia_certificate_set(actor=coordinator, location_id=location.pk, kind="ppm",
                                         number="22D0123457", effective_on=dt.date(2025, 1, 1),
                                         expires_on=dt.date(2029, 1, 1))
    board = selectors_clia.clia_overview(actor=coordinator, location_id=location.pk)
    assert board.certificate == cert and cert.number == "22D0123457" and not board.certificate_problem
    assert AuditEntry.objects.filter(action="clia-certificate.set").count() == 2


def test_clia_certificate_setup_is_the_compliance_admins(db, clock, nurse, location):
    with pytest.raises(PermissionDenied):
        services.clia_certificate_set(actor=nurse, location_id=location.pk, kind="waiver", number="22D0123456",
                                      effective_on=dt.date(2025, 1, 1), expires_on=dt.date(2027, 1, 1))


def test_an_expired_certificate_refuses_patient_testing(db, clock, coordinator, nurse, glucose, kit, location, ana):
    services.qc_run_record(actor=nurse, test_id=glucose.pk, lot=LOT, results=IN_RANGE)
    services.clia_certificate_set(actor=coordinator, location_id=location.pk, kind="waiver", number="22D0123456",
                                  effective_on=dt.date(2024, 1, 1), expires_on=dt.date(2026, 11, 22))
    with pytest.raises(Conflict) as caught:
        _test_patient(nurse, glucose, ana)
    assert caught.value.code == "clia-certificate" and "expired on" in caught.value.detail
    assert not PatientTest.objects.exists() and _on_hand(kit, location) == 10


def test_no_certificate_refuses_patient_testing(db, clock, coordinator, nurse, kit, location, ana):
    test = services.waived_test_add(actor=coordinator, location_id=location.pk, item_id=kit.pk, **GLUCOSE)
    services.qc_run_record(actor=nurse, test_id=test.pk, lot=LOT, results=IN_RANGE)
    with pytest.raises(Conflict, match="No CLIA certificate"):
        _test_patient(nurse, test, ana)


# --- tests and kit lots -----------------------------------------------------------------------------------------
def test_a_waived_test_needs_a_kit_tracked_by_lot_and_sane_ranges(db, clock, coordinator, location):
    loose = operations_services.item_create(actor=coordinator, name="Lancets", unit="box", category="lab")
    with pytest.raises(ValidationFailed) as caught:
        services.waived_test_add(actor=coordinator, location_id=location.pk, item_id=loose.pk,
                                 **GLUCOSE | {"low_min": "70", "unit": "", "high_max": "many"})
    assert set(caught.value.fields) >= {"item_id", "low_max", "unit", "high_max"}


def test_an_expired_kit_lot_is_refused(db, clock, coordinator, nurse, glucose, kit, location, ana):
    operations_services.stock_adjust(actor=coordinator, item_id=kit.pk, location_id=location.pk, quantity=5,
                                     reason="Found", lot="OLD1", expires_on=dt.date(2026, 11, 1))
    with pytest.raises(ValidationFailed) as caught:
        services.qc_run_record(actor=nurse, test_id=glucose.pk, lot="OLD1", results=IN_RANGE)
    assert "expired on" in caught.value.fields["lot"][0]
    with pytest.raises(ValidationFailed) as caught:
        services.patient_test_record(actor=nurse, test_id=glucose.pk, lot="OLD1", patient_mrn=ana.mrn, value="90")
    assert "expired" in caught.value.fields["lot"][0]
    with pytest.raises(ValidationFailed, match="not in stock"):
        services.qc_run_record(actor=nurse, test_id=glucose.pk, lot="NOPE", results=IN_RANGE)
    states = {s.lot: s.state for row in selectors_clia.clia_overview(actor=nurse, location_id=location.pk).tests
              for s in row.lots}
    assert states == {"OLD1": "expired", LOT: "needs-qc"}
    assert not QcRun.objects.exists()


# --- competency ---------------------------------------------------------------------------------------------------
def test_a_performer_without_current_clia_competency_is_refused(db, clock, nurse, glucose, kit, location, ana):
    services.qc_run_record(actor=nurse, test_id=glucose.pk, lot=LOT, results=IN_RANGE)
    untrained = UserFactory(role=Role.NURSE, location=location)
    lapsed = competent(UserFactory(role=Role.PROVIDER, location=location), until=TODAY - dt.timedelta(days=1))
    for who in (untrained, lapsed):
        with pytest.raises(Conflict) as caught:
            _test_patient(who, glucose, ana)
        assert caught.value.code == "clia-competency" and "competency" in caught.value.detail
        with pytest.raises(Conflict, match="competency"):
            services.qc_run_record(actor=who, test_id=glucose.pk, lot=LOT, results=IN_RANGE)
    assert not PatientTest.objects.exists() and _on_hand(kit, location) == 10


def test_staff_of_another_location_and_the_desk_cannot_test(db, clock, glucose, other_location, desk, ana):
    elsewhere = competent(UserFactory(role=Role.NURSE, location=other_location))
    with pytest.raises((NotFound, PermissionDenied)):
        services.qc_run_record(actor=elsewhere, test_id=glucose.pk, lot=LOT, results=IN_RANGE)
    with pytest.raises((NotFound, PermissionDenied)):
        _test_patient(desk, glucose, ana)


# --- the QC lock-out --------------------------------------------------------------------------------------------
def test_patient_testing_waits_for_todays_qc(db, clock, nurse, glucose, kit, location, ana):
    with pytest.raises(Conflict) as caught:
        _test_patient(nurse, glucose, ana)
    assert caught.value.code == "clia-qc" and "No quality control has been run" in caught.value.detail
    services.qc_run_record(actor=nurse, test_id=glucose.pk, lot=LOT, results=IN_RANGE)
    made = _test_patient(nurse, glucose, ana)
    assert made.value == 104 and made.performed_by == nurse and made.kit_posted
    assert _on_hand(kit, location) == 9  # one kit used from the inventory
    clock.advance(dt.timedelta(days=1))
    with pytest.raises(Conflict, match="Today's quality control"):
        _test_patient(nurse, glucose, ana)


def test_out_of_range_qc_locks_out_until_a_corrective_action_and_a_new_run_in_range(db, clock, nurse, glucose,
                                                                                     kit, location, ana):
    services.qc_run_record(actor=nurse, test_id=glucose.pk, lot=LOT, results=IN_RANGE)
    failed = services.qc_run_record(actor=nurse, test_id=glucose.pk, lot=LOT, results=OUT_OF_RANGE)
    assert not failed.passed and [r["in_range"] for r in failed.results] == [True, False]
    with pytest.raises(Conflict) as caught:
        _test_patient(nurse, glucose, ana)
    assert "locked out" in caught.value.detail and "corrective action" in caught.value.detail
    with pytest.raises(Conflict) as caught:  # no new run before the corrective action
        services.qc_run_record(actor=nurse, test_id=glucose.pk, lot=LOT, results=IN_RANGE)
    assert caught.value.code == "qc-locked-out"
    with pytest.raises(ValidationFailed):  # the corrective action says what was done
        services.qc_correction_record(actor=nurse, run_id=failed.pk, action="  ")
    services.qc_correction_record(actor=nurse, run_id=failed.pk, action="New control vial opened")
    with pytest.raises(Conflict, match="run QC again"):  # corrected, but not yet re-run
        _test_patient(nurse, glucose, ana)
    with pytest.raises(Conflict, match="already recorded"):
        services.qc_correction_record(actor=nurse, run_id=failed.pk, action="Again")
    services.qc_run_record(actor=nurse, test_id=glucose.pk, lot=LOT, results=IN_RANGE)
    assert _test_patient(nurse, glucose, ana).qc_run.passed
    assert PatientTest.objects.count() == 1 and _on_hand(kit, location) == 9


def test_qc_of_a_positive_negative_test_reads_the_controls(db, clock, coordinator, nurse, kit, glucose, location,
                                                           bob):
    strep = services.waived_test_add(actor=coordinator, location_id=location.pk, item_id=kit.pk,
                                     name_en="Rapid strep A", name_es="Estreptococo A rápido",
                                     measures="Group A strep antigen", result_kind="qualitative")
    run = services.qc_run_record(actor=nurse, test_id=strep.pk, lot=LOT,
                                 results={"positive": "negative", "negative": "negative"})
    assert not run.passed
    with pytest.raises(ValidationFailed) as caught:
        services.qc_run_record(actor=nurse, test_id=strep.pk, lot=LOT, results={"positive": "maybe"})
    assert {"positive", "negative"} <= set(caught.value.fields)
    services.qc_correction_record(actor=nurse, run_id=run.pk, action="Swab re-run with a fresh kit")
    services.qc_run_record(actor=nurse, test_id=strep.pk, lot=LOT,
                           results={"positive": "positive", "negative": "negative"})
    with pytest.raises(ValidationFailed, match="positive or negative"):
        services.patient_test_record(actor=nurse, test_id=strep.pk, lot=LOT, patient_mrn=bob.mrn, reading="")
    made = services.patient_test_record(actor=nurse, test_id=strep.pk, lot=LOT, patient_mrn=bob.mrn,
                                        reading="positive")
    assert made.reading == "positive" and made.value is None


def test_a_replayed_patient_test_is_recorded_once(db, clock, nurse, glucose, kit, location, ana):
    services.qc_run_record(actor=nurse, test_id=glucose.pk, lot=LOT, results=IN_RANGE)
    first = _test_patient(nurse, glucose, ana, idempotency_key="k1")
    assert _test_patient(nurse, glucose, ana, idempotency_key="k1") == first
    assert _on_hand(kit, location) == 9


# --- the audit trail ------------------------------------------------------------------------------------------------
def test_patient_tests_are_audited_when_written_and_read(db, clock, nurse, officer, glucose, location, ana, bob):
    services.qc_run_record(actor=nurse, test_id=glucose.pk, lot=LOT, results=IN_RANGE)
    _test_patient(nurse, glucose, ana)
    _test_patient(nurse, glucose, bob)
    written = AuditEntry.objects.get(action="clia-patient-test.record", patient_id=ana.pk)
    assert written.actor_id == nurse.pk and written.resource_type == "patienttest"
    log = selectors_clia.patient_test_log(actor=officer, location_id=location.pk, day_from=TODAY, day_to=TODAY)
    assert len(log) == 2
    reads = AuditEntry.objects.filter(action="clia-patient-test.read")
    assert set(reads.values_list("patient_id", flat=True)) == {ana.pk, bob.pk} and reads.count() == 2
    assert selectors_clia.patient_test_log(actor=officer, location_id=location.pk,
                                           day_from=TODAY + dt.timedelta(days=1)) == []


def test_the_desk_cannot_read_the_test_log(db, clock, desk, location):
    with pytest.raises(PermissionDenied):
        selectors_clia.patient_test_log(actor=desk, location_id=location.pk)


# --- the calendar and the dashboard ---------------------------------------------------------------------------------
def test_certificate_expiry_and_locked_out_qc_show_on_the_calendar_and_dashboard(db, clock, coordinator, nurse,
                                                                                 glucose, location):
    services.clia_certificate_set(actor=coordinator, location_id=location.pk, kind="waiver", number="22D0123456",
                                  effective_on=dt.date(2025, 1, 1), expires_on=TODAY + dt.timedelta(days=40))
    services.qc_run_record(actor=nurse, test_id=glucose.pk, lot=LOT, results=OUT_OF_RANGE)
    rows = selectors_program.compliance_calendar(actor=coordinator, location_id=location.pk).rows
    clia = {r.title: r for r in rows if r.area_label == "CLIA"}
    assert clia["Renew the CLIA certificate 22D0123456"].due_on == TODAY + dt.timedelta(days=40)
    locked = next(r for t, r in clia.items() if t.startswith("QC out of range"))
    assert locked.due_on == TODAY and locked.days_left == 0
    board = selectors.compliance_dashboard(actor=coordinator, location_id=location.pk)
    assert sum(1 for c in board.clocks if c.area_label == "CLIA") == 2
    clock.advance(dt.timedelta(days=1))  # a day on, the lock-out is a late item
    board = selectors.compliance_dashboard(actor=coordinator, location_id=location.pk)
    assert any(c.area_label == "CLIA" and c.state == "overdue" for c in board.clocks)


# --- the demo ---------------------------------------------------------------------------------------------------
def test_the_demo_leaves_a_locked_out_lot_awaiting_its_corrective_action(db, clock, coordinator, officer, desk,
                                                                         location):
    competent(UserFactory(role=Role.NURSE, location=location))
    for n in range(8):
        PatientFactory(home_location=location, given_name=f"Demo{n}")
    assert compliance_demo(location_ids=[location.pk])["clia"] == 1
    board = selectors_clia.clia_overview(actor=coordinator, location_id=location.pk)
    assert len(board.tests) == 4 and [r.test.name_en for r in board.tests if not r.lots] == []
    states = {row.test.name_en: {lot.state for lot in row.lots} for row in board.tests}
    assert states["Rapid strep A"] == {"locked"} and states["Blood glucose (fingerstick)"] == {"ready"}
    assert len(board.locked) == 1 and PatientTest.objects.count() >= 6
    assert QcRun.objects.filter(passed=False, correction__isnull=False).count() == 1
    assert board.certificate is not None and board.certificate_days_left == 40
