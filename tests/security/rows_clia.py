"""Access-matrix rows for CLIA waived testing (compliance, #21 item 4). See matrix.py for what a row means.

Who: the CLIA page and its JSON state and log are for whoever tests (lab.testing: the practice coordinator, the
provider and the nurse) and for the compliance admins (the coordinator and the compliance officer); the
certificate and the tests are set up by the compliance admins; QC runs, corrective actions and patient tests are
recorded by the testers only (each has a current CLIA competency in this world). A test or QC run is hidden (404)
from anyone who may not test at its location. Pages at a location are asked with ?location=<Downtown>: a user of
another location gets 404 for the location before any permission (`outsider`)."""

from __future__ import annotations

from typing import Any

from .matrix import COMP, NURSE, PRC, PROV, Row, api, page

SEE = frozenset({PRC, PROV, NURSE, COMP})
ADMINS = frozenset({PRC, COMP})
TESTERS = frozenset({PRC, PROV, NURSE})
C = "/compliance/clia"
AT = "?location={home.pk}"
HIDDEN = {"denied": 404}
LOT = "MX1001"


def _at(w: Any, **data: Any) -> dict[str, Any]:
    return {"location": str(w.home.pk), **data}


ROWS: list[Row] = [
    page("GET", f"{C}/{AT}", 200, SEE, outsider=404),
    page("GET", f"{C}/certificate/{AT}", 200, ADMINS, outsider=404),
    page("POST", f"{C}/certificate/", 302, ADMINS, outsider=404,
         data=lambda w: _at(w, kind="waiver", number="22D7654321", effective_on="2026-01-01",
                            expires_on="2028-01-01")),
    page("GET", f"{C}/tests/new/{AT}", 200, ADMINS, outsider=404),
    page("POST", f"{C}/tests/new/", 302, ADMINS, outsider=404,
         data=lambda w: _at(w, name_en="Hemoglobin", name_es="Hemoglobina", measures="Hemoglobin",
                            result_kind="numeric", unit="g/dL", item_id=str(w.objects["clia_kit"].pk),
                            low_min="7", low_max="9", high_min="15", high_max="18")),
    page("GET", f"{C}/tests/{{clia_test.pk}}/qc/{AT}", 200, TESTERS, outsider=404, **HIDDEN),
    page("POST", f"{C}/tests/{{clia_test.pk}}/qc/", 302, TESTERS, outsider=404, **HIDDEN,
         data=lambda w: _at(w, lot=LOT, low="50", high="300")),
    page("GET", f"{C}/tests/{{clia_test.pk}}/patients/{AT}", 200, TESTERS, outsider=404, **HIDDEN),
    page("POST", f"{C}/tests/{{clia_test.pk}}/patients/", 302, TESTERS, outsider=404, **HIDDEN,
         data=lambda w: _at(w, lot=LOT, patient_mrn=w.objects["ana"].mrn, value="98")),
    page("POST", f"{C}/qc/{{clia_failed_run.pk}}/correct/", 302, TESTERS, outsider=404, **HIDDEN,
         data=lambda w: _at(w, action="New control vials opened")),
    api("GET", "/api/v1/clia-qc/{home.pk}", 200, SEE, elsewhere=403),
    api("GET", "/api/v1/clia-log/{home.pk}", 200, SEE, elsewhere=403),
    api("POST", "/api/v1/clia-qc-runs", 201, TESTERS, **HIDDEN,
        body=lambda w: {"test": w.objects["clia_test"].pk, "lot": LOT, "results": {"low": "50", "high": "300"}}),
    api("POST", "/api/v1/clia-qc-runs/{clia_failed_run.pk}/correct", 201, TESTERS, **HIDDEN,
        body=lambda w: {"action": "Meter cleaned"}),
    api("POST", "/api/v1/clia-patient-tests", 201, TESTERS, **HIDDEN,
        body=lambda w: {"test": w.objects["clia_test"].pk, "lot": LOT, "patientMrn": w.objects["ana"].mrn,
                        "value": "101"}),
]


def objects(world: Any) -> dict[str, Any]:
    """At Downtown: a certificate of waiver, a kit item with a lot on hand, a glucose test whose QC passed today,
    a strep test locked out by an out-of-range run; every tester at Downtown holds a current CLIA competency."""
    import datetime as dt

    from clinicdesk.compliance import services
    from clinicdesk.core import clock
    from clinicdesk.operations import services as operations_services
    from clinicdesk.staffing.models import Training, TrainingRecord
    from clinicdesk.staffing.selectors import certification_current
    from clinicdesk.staffing.training_services import trainings_seed

    from .world import MOMENT, TODAY

    coordinator, home = world.users[PRC], world.home.pk
    trainings_seed()
    clia = Training.objects.get(code="CLIA")
    for role in TESTERS:
        user = world.users[role]
        if not certification_current(user.pk, "CLIA", TODAY):
            TrainingRecord.objects.create(user=user, training=clia, completed_on=TODAY - dt.timedelta(days=30),
                                          valid_until=TODAY + dt.timedelta(days=330))
    with clock.frozen_at(MOMENT):
        kit = operations_services.item_create(actor=coordinator, name="Matrix test kits", unit="box",
                                              category="lab", tracks_lots=True)
        operations_services.stock_adjust(actor=coordinator, item_id=kit.pk, location_id=home, quantity=50,
                                         reason="Received", lot=LOT, expires_on=dt.date(2027, 12, 31))
        services.clia_certificate_set(actor=coordinator, location_id=home, kind="waiver", number="22D0001234",
                                      effective_on=dt.date(2026, 1, 1), expires_on=dt.date(2027, 12, 31))
        glucose = services.waived_test_add(actor=coordinator, location_id=home, name_en="Matrix glucose",
                                           name_es="Glucosa", measures="Glucose", result_kind="numeric",
                                           unit="mg/dL", item_id=kit.pk, low_min="36", low_max="60",
                                           high_min="280", high_max="420")
        strep = services.waived_test_add(actor=coordinator, location_id=home, name_en="Matrix strep",
                                         name_es="Estreptococo", measures="Strep A", result_kind="qualitative",
                                         item_id=kit.pk)
        services.qc_run_record(actor=coordinator, test_id=glucose.pk, lot=LOT, results={"low": "50", "high": "300"})
        failed = services.qc_run_record(actor=coordinator, test_id=strep.pk, lot=LOT,
                                        results={"positive": "negative", "negative": "negative"})
    return {"clia_kit": kit, "clia_test": glucose, "clia_failed_run": failed}
