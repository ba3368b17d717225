"""CLIA waived testing: the location's certificate, its waived tests, quality-control runs, their corrective
actions, and patient tests.

A patient test is refused, with the reason, when: the certificate is missing, not yet effective or expired; the kit
lot is not in stock here or has expired; the performer has no current CLIA competency (staffing's training
record); or the test and lot are not ready (today's QC not run, or locked out by an out-of-range run: see
`selectors_clia.lot_state`). Using a kit posts one unit of the lot through the operations stock service, in the
same transaction: a shortage refuses the test and nothing is written.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal, InvalidOperation
from typing import Any

from django.utils.translation import gettext as _

from clinicdesk.audit.services import atomic_service, record
from clinicdesk.core import clock
from clinicdesk.core.exceptions import Conflict, NotFound
from clinicdesk.core.permissions import Actor, Perm, SystemActor, has_perm, require, staff_user
from clinicdesk.operations import selectors as operations_selectors
from clinicdesk.operations import services as operations_services
from clinicdesk.staffing.selectors import certification_current

from .. import selectors_clia
from ..models_clia import (
    CLIA_NUMBER,
    COMPETENCY_TRAINING,
    CertificateKind,
    CliaCertificate,
    PatientTest,
    QcCorrection,
    QcLevel,
    QcRun,
    Reading,
    ResultKind,
    WaivedTest,
)
from ._common import Errors, choice, clean_text, location, patient_by_mrn, today_at

KIT_USER = SystemActor("clia-kits", frozenset({Perm.SUPPLIES_USE}))  # posts kit use for a tester without it
LIMIT = Decimal("9999999.99")


def _number(errors: Errors, name: str, value: Any, *, label: str, required: bool = True) -> Decimal | None:
    if value is None or str(value).strip() == "":
        if required:
            errors.add(name, _("%(label)s is required.") % {"label": label})
        return None
    try:
        number = Decimal(str(value).strip().replace(",", "."))
    except InvalidOperation:
        errors.add(name, _("%(label)s must be a number.") % {"label": label})
        return None
    if not number.is_finite() or abs(number) > LIMIT:
        errors.add(name, _("%(label)s must be a number.") % {"label": label})
        return None
    return number.quantize(Decimal("0.01"))


def _competent(actor: Actor, day: dt.date) -> None:
    """The performer holds a current CLIA competency (staffing's training record) on `day`."""
    pk = getattr(actor, "pk", None)
    if pk is None or not certification_current(int(pk), COMPETENCY_TRAINING, day):
        raise Conflict("clia-competency", _("You have no current CLIA waived-testing competency on record, so you "
                                            "may not perform this test. Ask the practice coordinator to record "
                                            "your competency assessment in Staffing, trainings."))


def _test(test_id: int, *, lock: bool = False) -> WaivedTest:
    found = WaivedTest.objects.select_related("item", "location")
    if lock:
        found = found.select_for_update(of=("self",))
    test = found.filter(pk=test_id, active=True).first()
    if test is None:
        raise NotFound()
    return test


def _kit_lot(errors: Errors, test: WaivedTest, lot: str, today: dt.date) -> selectors_clia.KitLot | None:
    """The kit lot as the inventory knows it here: on hand and in date."""
    lot = " ".join(str(lot or "").split())
    if not lot:
        errors.add("lot", _("Choose the kit lot."))
        return None
    found = next((k for k in selectors_clia.kit_lots(test) if k.lot == lot), None)
    if found is None:
        errors.add("lot", _("Kit lot %(lot)s of %(item)s is not in stock at this location.")
                   % {"lot": lot, "item": test.item.name})
        return None
    if found.expires_on is not None and found.expires_on < today:
        errors.add("lot", _("Kit lot %(lot)s expired on %(day)s: it cannot be used. Take it out of use and choose "
                            "another lot.") % {"lot": lot, "day": selectors_clia._day(found.expires_on)})
        return None
    return found


# --- setup (the compliance officer or the coordinator) ------------------------------------------------------------
@atomic_service
def clia_certificate_set(*, actor: Actor, location_id: int, kind: str, number: str, effective_on: dt.date | None,
                         expires_on: dt.date | None) -> CliaCertificate:
    """Record the location's CLIA certificate (a renewal replaces the one on file)."""
    require(actor, Perm.COMPLIANCE_ADMIN, location=location_id, resource_type="cliacertificate")
    where = location(location_id)
    errors = Errors()
    kind = choice(errors, "kind", kind, CertificateKind, label=_("Certificate type"))
    number = "".join(str(number or "").split()).upper()
    if not CLIA_NUMBER.match(number):
        errors.add("number", _("A CLIA number has 10 characters: two digits, the letter D, then seven digits, "
                               "e.g. 22D0123456."))
    if effective_on is None:
        errors.add("effective_on", _("Give the day the certificate takes effect."))
    if expires_on is None:
        errors.add("expires_on", _("Give the day the certificate expires."))
    elif effective_on is not None and expires_on <= effective_on:
        errors.add("expires_on", _("The certificate must expire after it takes effect."))
    errors.raise_if_any("invalid-clia-certificate")
    assert effective_on is not None and expires_on is not None
    cert, _made = CliaCertificate.objects.select_for_update().update_or_create(
        location=where, defaults={"kind": kind, "number": number, "effective_on": effective_on,
                                  "expires_on": expires_on, "updated_by": staff_user(actor),
                                  "updated_at": clock.now()})
    record(actor, "clia-certificate.set", cert, detail={"kind": kind, "expires_on": expires_on.isoformat()})
    return cert


@atomic_service
def waived_test_add(*, actor: Actor, location_id: int, name_en: str, name_es: str, measures: str,
                    result_kind: str, unit: str = "", item_id: int | None = None, low_min: Any = None,
                    low_max: Any = None, high_min: Any = None, high_max: Any = None) -> WaivedTest:
    """A waived test the location performs, with its kit (a supply item tracked by lot) and QC control ranges:
    a low and a high control for a number; a positive and a negative control for a positive/negative test."""
    require(actor, Perm.COMPLIANCE_ADMIN, location=location_id, resource_type="waivedtest")
    where = location(location_id)
    errors = Errors()
    name_en = clean_text(errors, "name_en", name_en, label=_("Name (English)"), max_length=120, required=True)
    name_es = clean_text(errors, "name_es", name_es, label=_("Name (Spanish)"), max_length=120, required=True)
    measures = clean_text(errors, "measures", measures, label=_("What it measures"), max_length=160, required=True)
    unit = clean_text(errors, "unit", unit, label=_("Unit"), max_length=20)
    result_kind = choice(errors, "result_kind", result_kind, ResultKind, label=_("Result"))
    ranges: dict[str, Decimal | None] = {}
    if result_kind == ResultKind.NUMERIC:
        if not unit:
            errors.add("unit", _("A test with a number for a result names its unit, e.g. mg/dL."))
        for name, value, label in (("low_min", low_min, _("Low control from")), ("low_max", low_max,
                                   _("Low control to")), ("high_min", high_min, _("High control from")),
                                   ("high_max", high_max, _("High control to"))):
            ranges[name] = _number(errors, name, value, label=label)
        for level, low, high in (("low", ranges["low_min"], ranges["low_max"]),
                                 ("high", ranges["high_min"], ranges["high_max"])):
            if low is not None and high is not None and low > high:
                errors.add(f"{level}_max", _("The end of a control range must not be below its start."))
    item = None
    if item_id is None:
        errors.add("item_id", _("Choose the supply item that is the test's kit."))
    else:
        try:
            item = operations_selectors.item_detail(actor=selectors_clia.KIT_READER, item_id=item_id)
        except NotFound:
            errors.add("item_id", _("Choose the supply item that is the test's kit."))
        if item is not None and not item.tracks_lots:
            errors.add("item_id", _("%(item)s is not tracked by lot and expiry in the inventory: a test kit must "
                                    "be.") % {"item": item.name})
    if name_en and WaivedTest.objects.filter(location=where, name_en__iexact=name_en).exists():
        errors.add("name_en", _("This location already has a waived test with that name."))
    errors.raise_if_any("invalid-waived-test")
    assert item_id is not None
    test = WaivedTest.objects.create(location=where, name_en=name_en, name_es=name_es, measures=measures,
                                     result_kind=result_kind, unit=unit, item_id=item_id, **ranges)
    record(actor, "clia-test.add", test, detail={"item": item_id, "result_kind": result_kind})
    return test


# --- quality control (the clinical staff) -----------------------------------------------------------------------
@atomic_service
def qc_run_record(*, actor: Actor, test_id: int, lot: str, results: dict[str, Any]) -> QcRun:
    """Record a QC run on a kit lot: a value for every required level. Any level out of range fails the run,
    which locks the test and lot out of patient testing until its corrective action and a new passing run. While
    a failed run awaits its corrective action, a new run is refused."""
    test = _test(test_id, lock=True)
    require(actor, Perm.LAB_TESTING, location=test.location_id, resource_type="waivedtest", resource_id=test_id,
            hide=True)
    today = today_at(test.location)
    errors = Errors()
    kit = _kit_lot(errors, test, lot, today)
    values: list[dict[str, Any]] = []
    for level in test.levels:
        label = str(QcLevel(level).label)
        raw = results.get(level)
        if test.result_kind == ResultKind.NUMERIC:
            value = _number(errors, level, raw, label=label)
            span = test.control_range(level)
            if value is not None and span is not None:
                low, high = span
                inside = (low is None or value >= low) and (high is None or value <= high)  # type: ignore[operator]
                values.append({"level": level, "value": str(value), "in_range": bool(inside),
                               "low": str(low), "high": str(high)})
        else:
            reading = str(raw) if raw in Reading.values else ""
            if not reading:
                errors.add(level, _("Choose what the %(control)s read: positive or negative.")
                           % {"control": label.lower()})
            else:
                values.append({"level": level, "value": reading, "in_range": reading == level})
    errors.raise_if_any("invalid-qc-run")
    assert kit is not None
    _competent(actor, today)
    latest = selectors_clia.latest_run(test.pk, kit.lot)
    if latest is not None and not latest.passed and not hasattr(latest, "correction"):
        raise Conflict("qc-locked-out", _("The last QC run of %(test)s on kit lot %(lot)s was out of range. Record "
                                          "its corrective action before running QC again.")
                       % {"test": selectors_clia.test_name(test), "lot": kit.lot})
    run = QcRun.objects.create(test=test, lot=kit.lot, lot_expires_on=kit.expires_on or dt.date.max, run_on=today,
                               performed_at=clock.now(), performed_by=staff_user(actor), results=values,
                               passed=all(v["in_range"] for v in values))
    record(actor, "clia-qc.record", run, detail={"test": test.pk, "lot": kit.lot, "passed": run.passed})
    return run


@atomic_service
def qc_correction_record(*, actor: Actor, run_id: int, action: str) -> QcCorrection:
    """The corrective action after an out-of-range run (what was done). Patient testing stays blocked until a
    new QC run on the lot is in range."""
    run = QcRun.objects.select_for_update(of=("self",)).select_related("test__location").filter(pk=run_id).first()
    if run is None:
        raise NotFound()
    require(actor, Perm.LAB_TESTING, location=run.test.location_id, resource_type="qcrun", resource_id=run_id,
            hide=True)
    errors = Errors()
    action = clean_text(errors, "action", action, label=_("What was done"), max_length=500, required=True)
    errors.raise_if_any("invalid-qc-correction")
    if run.passed:
        raise Conflict("qc-passed", _("This QC run was in range: it needs no corrective action."))
    if QcCorrection.objects.filter(run=run).exists():
        raise Conflict("qc-corrected", _("A corrective action is already recorded for this QC run."))
    correction = QcCorrection.objects.create(run=run, action=action, recorded_by=staff_user(actor),
                                             recorded_at=clock.now())
    record(actor, "clia-qc.correct", correction, detail={"run": run.pk, "test": run.test_id, "lot": run.lot})
    return correction


# --- patient tests ----------------------------------------------------------------------------------------------
@atomic_service
def patient_test_record(*, actor: Actor, test_id: int, lot: str, patient_mrn: str, value: Any = None,
                        reading: str = "", idempotency_key: str | None = None) -> PatientTest:
    """A waived test performed now for a patient by the signed-in staff member (see the module for when it is
    refused). One unit of the kit lot is used from the inventory."""
    test = _test(test_id, lock=True)
    require(actor, Perm.LAB_TESTING, location=test.location_id, resource_type="waivedtest", resource_id=test_id,
            hide=True)
    if idempotency_key and (prior := PatientTest.objects.filter(idempotency_key=idempotency_key).first()):
        return prior
    today = today_at(test.location)
    errors = Errors()
    patient = patient_by_mrn(actor, errors, patient_mrn, field="patient_mrn")
    kit = _kit_lot(errors, test, lot, today)
    number, result = None, ""
    if test.result_kind == ResultKind.NUMERIC:
        number = _number(errors, "value", value, label=_("Result"))
    else:
        result = str(reading) if reading in Reading.values else ""
        if not result:
            errors.add("reading", _("Choose the result: positive or negative."))
    errors.raise_if_any("invalid-patient-test")
    assert patient is not None and kit is not None
    problem = selectors_clia.certificate_problem(CliaCertificate.objects.filter(location_id=test.location_id)
                                                 .first(), today)
    if problem:
        raise Conflict("clia-certificate", problem)
    _competent(actor, today)
    state = selectors_clia.lot_state(test, kit.lot, kit.expires_on, today, selectors_clia.latest_run(test.pk,
                                                                                                    kit.lot))
    if state.state != "ready" or state.last_run is None:
        raise Conflict("clia-qc", _("Patient testing is blocked. %(reason)s") % {"reason": state.reason})
    made = PatientTest.objects.create(test=test, patient=patient, lot=kit.lot,
                                      lot_expires_on=kit.expires_on or dt.date.max, value=number, reading=result,
                                      performed_at=clock.now(), performed_by=staff_user(actor),
                                      qc_run=state.last_run, kit_posted=True, idempotency_key=idempotency_key or None)
    user = actor if has_perm(actor, Perm.SUPPLIES_USE, location=test.location_id) else KIT_USER
    operations_services.stock_use(actor=user, item_id=test.item_id, location_id=test.location_id, quantity=1,
                                  lot=kit.lot, reason=_("CLIA waived test"))
    record(actor, "clia-patient-test.record", made, patient=patient,
           detail={"test": test.pk, "lot": kit.lot, "qc_run": state.last_run.pk})
    return made
