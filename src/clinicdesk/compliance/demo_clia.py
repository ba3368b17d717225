"""The demo practice's CLIA waived testing (called from `compliance_demo` per location): a certificate of waiver
(the first location's expiring within 40 days), four waived tests whose kits are supply items with lots received
into the inventory, QC runs for the last four days, patient tests, a PT/INR run that failed, was corrected and
passed again, and today's rapid strep run out of range: locked out, awaiting its corrective action.

The tests are performed by a clinical staff member of the location with a current CLIA competency (the staffing
demo records one for the rostered team); without one, only the certificate, the tests and the kits are made."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from contextlib import suppress
from typing import Any

from clinicdesk.accounts.models import User
from clinicdesk.core import clock
from clinicdesk.core.exceptions import DomainError
from clinicdesk.core.permissions import Perm, has_perm
from clinicdesk.operations import selectors as operations_selectors
from clinicdesk.operations import services as operations_services
from clinicdesk.patients.models import Patient
from clinicdesk.staffing.selectors import certification_current

from . import selectors_clia, services
from .models_clia import COMPETENCY_TRAINING

# name, unit, lot prefix: the kits the four tests use (two already stocked by the supplies demo)
KITS = (("Glucose test strips", "box", "GS"), ("PT/INR test strips", "box", "PT"),
        ("Urine test strips, 10-parameter", "bottle", "UA"), ("Rapid strep A test kits", "box", "RS"))
TESTS = (
    {"name_en": "Blood glucose (fingerstick)", "name_es": "Glucosa en sangre (punción digital)",
     "measures": "Blood glucose", "result_kind": "numeric", "unit": "mg/dL", "low_min": "36", "low_max": "60",
     "high_min": "280", "high_max": "420"},
    {"name_en": "PT/INR", "name_es": "TP/INR", "measures": "Prothrombin time, as INR", "result_kind": "numeric",
     "unit": "INR", "low_min": "0.8", "low_max": "1.4", "high_min": "2.5", "high_max": "3.8"},
    {"name_en": "Urine dipstick", "name_es": "Tira reactiva de orina", "measures": "Urine leukocytes and nitrite",
     "result_kind": "qualitative"},
    {"name_en": "Rapid strep A", "name_es": "Prueba rápida de estreptococo A",
     "measures": "Group A streptococcus antigen", "result_kind": "qualitative"},
)
PASS_NUMERIC = {"Glucose test strips": {"low": "48", "high": "345"}, "PT/INR test strips": {"low": "1.1",
                                                                                             "high": "3.0"}}
PASS_QUALITATIVE = {"positive": "positive", "negative": "negative"}


def _tester(location_id: int, nurse: User, today: dt.date) -> User | None:
    for user in [nurse, *User.objects.filter(is_active=True, locations=location_id, role__in=["nurse", "provider"])
                 .order_by("pk")]:
        if has_perm(user, Perm.LAB_TESTING, location=location_id) and certification_current(
                user.pk, COMPETENCY_TRAINING, today):
            return user
    return None


def _kits(coordinator: User, location_id: int, index: int, today: dt.date) -> dict[str, int]:
    """The four kit items (made when missing), each with a lot in date on hand here."""
    known = {i.name: i for i in operations_selectors.items_list(actor=selectors_clia.KIT_READER)}
    ids = {}
    for name, unit, prefix in KITS:
        item = known.get(name) or operations_services.item_create(actor=coordinator, name=name, unit=unit,
                                                                  category="lab", tracks_lots=True)
        ids[name] = item.pk
        operations_services.stock_place_set(actor=coordinator, item_id=item.pk, location_id=location_id,
                                            storage="Lab refrigerator")  # stocked here, like every supply
        lots = [b for b in operations_selectors.item_lots(actor=selectors_clia.KIT_READER, item_id=item.pk,
                                                          location_id=location_id)
                if b.lot and b.quantity > 0 and b.expires_on and b.expires_on > today]
        if not lots:
            operations_services.stock_adjust(actor=coordinator, item_id=item.pk, location_id=location_id,
                                             quantity=40, reason="Received with the lab order",
                                             lot=f"{prefix}{today:%y%m}{index + 1:02d}",
                                             expires_on=today + dt.timedelta(days=240 + 30 * index))
    return ids


def clia_location(past: Callable[..., dt.datetime], location_id: int, index: int, coordinator: User, nurse: User,
                  patients: list[Patient]) -> None:
    today = past(0).date()
    services.clia_certificate_set(actor=coordinator, location_id=location_id, kind="waiver",
                                  number=f"{22 + index:02d}D{1043207 + 31 * index:07d}",
                                  effective_on=today - dt.timedelta(days=700),
                                  expires_on=today + dt.timedelta(days=40 if index == 0 else 430))
    kits = _kits(coordinator, location_id, index, today)
    tests = {}
    for (kit, _unit, _prefix), values in zip(KITS, TESTS, strict=True):
        tests[kit] = services.waived_test_add(actor=coordinator, location_id=location_id, item_id=kits[kit],
                                              **values)
    tester = _tester(location_id, nurse, today)
    if tester is None:
        return

    def at(days: int, hour: int) -> Any:
        return clock.frozen_at(past(days, hour))

    def lot(kit: str) -> str:
        return selectors_clia.kit_lots(tests[kit])[0].lot

    def qc(kit: str, results: dict[str, str] | None = None) -> Any:
        given = results or PASS_NUMERIC.get(kit) or PASS_QUALITATIVE
        return services.qc_run_record(actor=tester, test_id=tests[kit].pk, lot=lot(kit), results=given)

    def patient_test(kit: str, patient: Patient, **result: str) -> None:
        with suppress(DomainError):  # e.g. the kit ran out: the demo goes on
            services.patient_test_record(actor=tester, test_id=tests[kit].pk, lot=lot(kit),
                                         patient_mrn=patient.mrn, **result)

    for days in (3, 2, 1, 0):
        for kit, _unit, _prefix in KITS:
            if days == 0 and kit == "Rapid strep A test kits":  # today: the positive control read negative
                with at(0, 12):
                    qc(kit, {"positive": "negative", "negative": "negative"})
            elif days == 1 and kit == "PT/INR test strips":  # out of range, corrected, run again
                with at(1, 12):
                    failed = qc(kit, {"low": "1.9", "high": "3.1"})
                with at(1, 13):
                    services.qc_correction_record(actor=tester, run_id=failed.pk, action=(
                        "Opened new control vials (the old ones had been left out of the refrigerator); meter "
                        "cleaned."))
                with at(1, 14):
                    qc(kit)
            else:
                with at(days, 12):
                    qc(kit)
        first, second = patients[days % len(patients)], patients[(days + 3) % len(patients)]
        with at(days, 15):
            patient_test("Glucose test strips", first, value=str(92 + 7 * days))
            patient_test("Urine test strips, 10-parameter", second, reading="negative")
        if days in (3, 1):
            with at(days, 16):
                patient_test("Rapid strep A test kits", second, reading="positive" if days == 3 else "negative")
                patient_test("PT/INR test strips", first, value="2.4")
