import datetime as dt

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from clinicdesk.audit.models import AuditEntry
from clinicdesk.core.clock import now as clock_now
from clinicdesk.core.exceptions import Conflict, PermissionDenied
from clinicdesk.core.permissions import Role
from clinicdesk.patients.models import DuplicateCandidate, FormTemplate, Patient
from clinicdesk.patients.selectors import duplicate_pair, duplicates_worklist, patient_search
from clinicdesk.patients.services import (
    coverage_add,
    document_upload,
    duplicate_dismiss,
    duplicates_scan,
    form_sign,
    patient_merge,
)
from clinicdesk.scheduling.models import Appointment
from tests.factories import AppointmentFactory, PatientFactory

from .conftest import PDF_BYTES


@pytest.fixture
def coordinator(make_user, location):
    return make_user(Role.PATIENT_COORDINATOR, at=location)


@pytest.fixture
def pair(location):
    keep = PatientFactory(home_location=location, family_name="Robinson", given_name="William",
                          birth_date=dt.date(1975, 4, 9), phone="(413) 555-0101", email="")
    dupe = PatientFactory(home_location=location, family_name="Robinsen", given_name="Bill",
                          birth_date=dt.date(1975, 9, 4), phone="(413) 555-0101", email="bill@example.com")
    return keep, dupe


def test_patient_merge_moves_everything_and_leaves_an_audited_pointer(coordinator, pair, location, aetna, clock):
    keep, dupe = pair
    AppointmentFactory(location=location, patient=dupe)
    coverage_add(actor=coordinator, patient_id=dupe.pk, payer_id=aetna.pk, member_id="W9",
                 start_date=dt.date(2026, 1, 1))
    document_upload(actor=coordinator, patient_id=dupe.pk, kind="referral", upload=SimpleUploadedFile("r.pdf",
                                                                                                      PDF_BYTES))
    form_sign(actor=coordinator, patient_id=dupe.pk, template_id=FormTemplate.objects.get(code="npp",
                                                                                          language="en").pk,
              signer_kind="patient", signer_name="Bill Robinsen", signature_kind="typed", typed_signature="B R")
    patient_merge(actor=coordinator, survivor_id=keep.pk, merged_id=dupe.pk, reason="Same person, checked ID")
    keep.refresh_from_db()
    dupe.refresh_from_db()
    assert Appointment.objects.get().patient == keep
    assert keep.coverages.count() == 1 and keep.documents.count() == 1 and keep.signed_forms.count() == 1
    assert dupe.merged_into == keep and not dupe.active
    assert keep.email == "bill@example.com" and keep.previous_family_name == "Robinsen"
    entry = AuditEntry.objects.get(action="patient.merged_away")
    assert entry.patient_id == dupe.pk and entry.detail["survivor"] == keep.pk
    assert entry.detail["moved"]["appointments"] == 1
    assert patient_search(actor=coordinator, query="Robinsen") == [keep]


def test_patient_merge_refuses_overlapping_different_coverages(coordinator, pair, aetna, clock):
    keep, dupe = pair
    from clinicdesk.patients.models import Payer

    coverage_add(actor=coordinator, patient_id=keep.pk, payer_id=aetna.pk, member_id="A1",
                 start_date=dt.date(2026, 1, 1))
    coverage_add(actor=coordinator, patient_id=dupe.pk, payer_id=Payer.objects.get(name="Cigna").pk,
                 member_id="C1", start_date=dt.date(2026, 1, 1))
    with pytest.raises(Conflict):
        patient_merge(actor=coordinator, survivor_id=keep.pk, merged_id=dupe.pk)
    dupe.refresh_from_db()
    assert dupe.merged_into is None and dupe.coverages.count() == 1


def test_patient_merge_cannot_merge_twice(coordinator, pair, clock):
    keep, dupe = pair
    patient_merge(actor=coordinator, survivor_id=keep.pk, merged_id=dupe.pk)
    with pytest.raises(Conflict):
        patient_merge(actor=coordinator, survivor_id=keep.pk, merged_id=dupe.pk)


def _registered_days_ago(patient, days):
    Patient.objects.filter(pk=patient.pk).update(created_at=clock_now() - dt.timedelta(days=days))
    patient.refresh_from_db()


def test_patient_merge_refuses_other_locations_outsiders_and_front_desk_on_older_charts(
        clerk, make_user, other_location, pair, clock):
    keep, dupe = pair
    _registered_days_ago(dupe, 2)
    for actor in (clerk, make_user(Role.PATIENT_COORDINATOR, at=other_location), make_user(Role.SYSADMIN)):
        with pytest.raises(PermissionDenied):
            patient_merge(actor=actor, survivor_id=keep.pk, merged_id=dupe.pk)
    assert Patient.objects.filter(merged_into__isnull=False).count() == 0
    denial = AuditEntry.objects.filter(action="access.denied", actor=clerk).latest("pk")
    assert denial.patient_id == dupe.pk


def test_front_desk_merges_away_the_chart_registered_in_the_last_24_hours(clerk, pair, clock):
    keep, dupe = pair
    _registered_days_ago(keep, 400)  # the existing chart; `dupe` was just registered at the desk
    with pytest.raises(PermissionDenied) as refused:
        patient_merge(actor=clerk, survivor_id=dupe.pk, merged_id=keep.pk)  # the older chart may not go
    assert refused.value.code == "merge-needs-coordinator" and keep.mrn in refused.value.detail
    patient_merge(actor=clerk, survivor_id=keep.pk, merged_id=dupe.pk, reason="Registered twice at the desk")
    dupe.refresh_from_db()
    assert dupe.merged_into_id == keep.pk and not dupe.active
    assert AuditEntry.objects.filter(action="patient.merge", actor=clerk).count() == 1


def test_front_desk_worklist_holds_only_pairs_with_a_chart_from_the_last_24_hours(clerk, coordinator, pair,
                                                                                  location, clock):
    keep, dupe = pair
    fresh = DuplicateCandidate.objects.create(first=keep, second=dupe, score=12.0, found_at=clock.now())
    older = [PatientFactory(home_location=location, family_name="Okafor", given_name="Ada",
                            birth_date=dt.date(1950, 3, 3)) for _ in range(2)]
    for patient in older:
        _registered_days_ago(patient, 3)
    stale = DuplicateCandidate.objects.create(first=older[0], second=older[1], score=15.0, found_at=clock.now())
    assert [p.pk for p in duplicates_worklist(actor=clerk)] == [fresh.pk]
    assert {p.pk for p in duplicates_worklist(actor=coordinator)} == {fresh.pk, stale.pk}
    with pytest.raises(PermissionDenied):
        duplicate_pair(actor=clerk, candidate_id=stale.pk)
    with pytest.raises(PermissionDenied):
        duplicate_dismiss(actor=clerk, candidate_id=stale.pk, reason="Different people")
    with pytest.raises(PermissionDenied):
        duplicates_scan(actor=clerk)
    clock.advance(dt.timedelta(hours=25))  # yesterday's duplicate is now a coordinator's
    _registered_days_ago(keep, 400)
    Patient.objects.filter(pk=dupe.pk).update(created_at=clock.now() - dt.timedelta(hours=25))
    assert duplicates_worklist(actor=clerk) == []


def test_duplicates_scan_fills_the_worklist_and_dismiss_removes_a_pair(coordinator, pair, location, clock):
    PatientFactory(home_location=location, family_name="Chen", given_name="Li", birth_date=dt.date(1990, 1, 1),
                   phone="")
    assert duplicates_scan(actor=coordinator) == 1
    assert duplicates_scan(actor=coordinator) == 0
    (candidate,) = duplicates_worklist(actor=coordinator)
    assert {candidate.first_id, candidate.second_id} == {p.pk for p in pair}
    duplicate_dismiss(actor=coordinator, candidate_id=candidate.pk, reason="Father and son")
    assert duplicates_worklist(actor=coordinator) == []


def test_duplicate_worklist_screen_merges_a_pair(signed_in, location, pair, clock):
    keep, dupe = pair
    client = signed_in(Role.PATIENT_COORDINATOR, at=location)
    client.post("/patients/duplicates/")
    candidate = DuplicateCandidate.objects.get()
    page = client.get("/patients/duplicates/")
    assert keep.mrn.encode() in page.content and dupe.mrn.encode() in page.content
    review = client.get(f"/patients/duplicates/{candidate.pk}/")
    assert review.status_code == 200 and b"Robinsen" in review.content and b"Merge charts" in review.content
    response = client.post(f"/patients/duplicates/{candidate.pk}/", {"survivor": keep.pk, "reason": "same"})
    assert response.status_code == 302
    dupe.refresh_from_db()
    assert dupe.merged_into_id == keep.pk
    html = client.get(f"/patients/{dupe.pk}/").content.decode()
    assert f"merged into MRN {keep.mrn}" in html


def test_front_desk_review_offers_to_keep_only_the_older_chart(signed_in, pair, location, clock):
    keep, dupe = pair
    _registered_days_ago(keep, 400)
    candidate = DuplicateCandidate.objects.create(first=keep, second=dupe, score=12.0, found_at=clock.now())
    client = signed_in(Role.FRONT_DESK, at=location)
    worklist = client.get("/patients/duplicates/").content.decode()
    assert "Scan for duplicates" not in worklist and dupe.mrn in worklist
    review = client.get(f"/patients/duplicates/{candidate.pk}/").content.decode()
    assert f'value="{keep.pk}"' in review and f'value="{dupe.pk}"' not in review
    refused = client.post(f"/patients/duplicates/{candidate.pk}/", {"survivor": dupe.pk, "reason": "same"})
    assert refused.status_code == 422 and Patient.objects.filter(merged_into__isnull=False).count() == 0
    assert client.post(f"/patients/duplicates/{candidate.pk}/", {"survivor": keep.pk}).status_code == 302
    dupe.refresh_from_db()
    assert dupe.merged_into_id == keep.pk


def test_duplicate_worklist_query_count_does_not_grow_with_pairs(signed_in, location, clock):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client = signed_in(Role.PATIENT_COORDINATOR, at=location)

    def add_pair(n):
        a = PatientFactory(home_location=location, family_name=f"Pair{n}", given_name="Ann")
        b = PatientFactory(home_location=location, family_name=f"Pair{n}", given_name="Anne")
        DuplicateCandidate.objects.create(first=a, second=b, score=20, agreeing=["last name"], found_at=clock.now())

    add_pair("a")
    client.get("/patients/duplicates/")
    with CaptureQueriesContext(connection) as few:
        client.get("/patients/duplicates/")
    for n in "bcdefgh":
        add_pair(n)
    with CaptureQueriesContext(connection) as many:
        response = client.get("/patients/duplicates/")
    assert response.content.count(b"Review</a>") == 8
    assert len(many.captured_queries) == len(few.captured_queries)
