"""The CLIA screens and JSON API: the page per location with each lot's state, QC and patient-test forms with
clear refusals (nothing written), the corrective action, the log filter; and the compliance pages' fixes (the
calendar says "due today", the OSHA 300A summary is a table)."""

from __future__ import annotations

import datetime as dt
import json

import pytest

from clinicdesk.compliance import services
from clinicdesk.compliance.models import PatientTest, QcRun
from clinicdesk.core.permissions import Role
from tests.factories import UserFactory

from .test_clia import GLUCOSE, IN_RANGE, LOT, TODAY, competent


@pytest.fixture
def nurse(location):
    return competent(UserFactory(role=Role.NURSE, location=location, username="nia-nurse", first_name="Nia",
                                 last_name="Nurse"))


@pytest.fixture
def glucose(coordinator, location):
    from clinicdesk.operations import services as operations_services

    item = operations_services.item_create(actor=coordinator, name="Glucose test strips", unit="box",
                                           category="lab", tracks_lots=True)
    operations_services.stock_adjust(actor=coordinator, item_id=item.pk, location_id=location.pk, quantity=10,
                                     reason="Received", lot=LOT, expires_on=dt.date(2027, 6, 30))
    services.clia_certificate_set(actor=coordinator, location_id=location.pk, kind="waiver", number="22D0123456",
                                  effective_on=dt.date(2025, 1, 1), expires_on=dt.date(2027, 1, 1))
    return services.waived_test_add(actor=coordinator, location_id=location.pk, item_id=item.pk, **GLUCOSE)


def test_clia_page_shows_each_lot_state_and_the_qc_lock_out_flow(db, clock, client, nurse, glucose, location, ana):
    client.force_login(nurse)
    at = f"?location={location.pk}"
    page = client.get(f"/compliance/clia/{at}").content.decode()
    assert "22D0123456" in page and "Needs QC" in page and 'data-state="needs-qc"' in page
    # a patient test before QC: the form comes back with the reason, nothing written
    answer = client.post(f"/compliance/clia/tests/{glucose.pk}/patients/{at}",
                         {"lot": LOT, "patient_mrn": ana.mrn, "value": "104"})
    assert answer.status_code == 422 and "No quality control has been run" in answer.content.decode()
    # an out-of-range QC run locks the lot out
    answer = client.post(f"/compliance/clia/tests/{glucose.pk}/qc/{at}", {"lot": LOT, "low": "48", "high": "500"})
    assert answer.status_code == 302
    page = client.get(f"/compliance/clia/{at}").content.decode()
    assert "Locked out" in page and 'data-state="locked"' in page
    answer = client.post(f"/compliance/clia/tests/{glucose.pk}/patients/{at}",
                         {"lot": LOT, "patient_mrn": ana.mrn, "value": "104"})
    assert answer.status_code == 422 and "locked out" in answer.content.decode()
    failed = QcRun.objects.get()
    answer = client.post(f"/compliance/clia/qc/{failed.pk}/correct/{at}", {"action": "Fresh controls"}, follow=True)
    assert "Corrective action recorded" in answer.content.decode()
    client.post(f"/compliance/clia/tests/{glucose.pk}/qc/{at}", {"lot": LOT, "low": "48", "high": "300"})
    answer = client.post(f"/compliance/clia/tests/{glucose.pk}/patients/{at}",
                         {"lot": LOT, "patient_mrn": ana.mrn, "value": "104"}, follow=True)
    assert "Test recorded" in answer.content.decode() and PatientTest.objects.count() == 1
    page = client.get(f"/compliance/clia/{at}").content.decode()
    assert "Garcia, Ana" in page and 'data-state="ready"' in page


def test_clia_qc_form_says_what_is_wrong(db, clock, client, nurse, glucose, location):
    client.force_login(nurse)
    answer = client.post(f"/compliance/clia/tests/{glucose.pk}/qc/?location={location.pk}",
                         {"lot": LOT, "low": "abc", "high": "300"})
    assert answer.status_code == 422
    assert "Low control must be a number." in answer.content.decode() and not QcRun.objects.exists()
    answer = client.post(f"/compliance/clia/tests/{glucose.pk}/qc/?location={location.pk}", {"low": "50"})
    assert answer.status_code == 422 and "This field is required." in answer.content.decode()


def test_the_front_desk_cannot_open_clia(db, clock, client, desk, glucose, location):
    client.force_login(desk)
    assert client.get(f"/compliance/clia/?location={location.pk}").status_code == 403
    assert client.get(f"/compliance/clia/tests/{glucose.pk}/qc/?location={location.pk}").status_code == 404


def test_clia_api_records_qc_and_patient_tests_and_reads_the_log(db, clock, client, nurse, glucose, location, ana):
    client.force_login(nurse)

    def post(url: str, body: dict) -> tuple[int, dict]:
        answer = client.post(url, json.dumps(body), content_type="application/json")
        return answer.status_code, answer.json()

    status, problem = post("/api/v1/clia-patient-tests", {"test": glucose.pk, "lot": LOT, "patientMrn": ana.mrn,
                                                          "value": "99"})
    assert status == 409 and "quality control" in problem["detail"]
    status, run = post("/api/v1/clia-qc-runs", {"test": glucose.pk, "lot": LOT, "results": {"low": "20",
                                                                                          "high": "300"}})
    assert status == 201 and run["passed"] is False and run["results"][0]["inRange"] is False
    state = client.get(f"/api/v1/clia-qc/{location.pk}").json()
    assert state["testingAllowed"] and state["lots"][0]["state"] == "locked"
    status, _fix = post(f"/api/v1/clia-qc-runs/{run['id']}/correct", {"action": "Recalibrated"})
    assert status == 201
    status, _run = post("/api/v1/clia-qc-runs", {"test": glucose.pk, "lot": LOT, "results": IN_RANGE})
    status, made = post("/api/v1/clia-patient-tests", {"test": glucose.pk, "lot": LOT, "patientMrn": ana.mrn,
                                                       "value": "99", "idempotencyKey": "once"})
    assert status == 201 and made["value"] == "99.00" and made["patient"] == ana.pk
    log = client.get(f"/api/v1/clia-log/{location.pk}?from={TODAY.isoformat()}&test={glucose.pk}").json()
    assert [t["id"] for t in log["tests"]] == [made["id"]]
    assert client.get(f"/api/v1/clia-log/{location.pk}?from=yesterday").status_code in (400, 422)


def test_calendar_says_due_today_not_zero_days_left(db, clock, client, coordinator, location):
    services.duty_add(actor=coordinator, location_id=location.pk, title="Eyewash today", owner_id=coordinator.pk,
                      recurrence="weekly", starts_on=TODAY)
    client.force_login(coordinator)
    for url in ("/compliance/calendar/", "/compliance/"):
        page = client.get(f"{url}?location={location.pk}").content.decode()
        assert "due today" in page and "0 days left" not in page


def test_osha_300a_summary_is_a_table(db, clock, client, coordinator, location):
    client.force_login(coordinator)
    page = client.get(f"/compliance/osha/?location={location.pk}").content.decode()
    assert '<table class="grid" id="summary-300a">' in page and 'class="key-value"' not in page


def test_clia_page_reads_a_bounded_number_of_queries(db, clock, client, nurse, glucose, coordinator, location,
                                                     ana, django_assert_max_num_queries):
    services.qc_run_record(actor=nurse, test_id=glucose.pk, lot=LOT, results=IN_RANGE)
    for n in range(3):
        services.patient_test_record(actor=nurse, test_id=glucose.pk, lot=LOT, patient_mrn=ana.mrn, value=str(90 + n))
    client.force_login(nurse)
    with django_assert_max_num_queries(40):  # two reads of the inventory per waived test; the log in one
        assert client.get(f"/compliance/clia/?location={location.pk}").status_code == 200
