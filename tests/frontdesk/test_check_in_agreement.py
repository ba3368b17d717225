"""The check-in page agrees with itself (#13 item 9): a confirmation at the desk or a copy on file ticks the
checklist item it proves; the checklist, the flags and the confirmations say the same thing, in words."""

from __future__ import annotations

import datetime as dt

import pytest
from django.test import Client

from clinicdesk.frontdesk.selectors import check_in_summary, previsit_worklist
from clinicdesk.frontdesk.services import visit_check_in
from clinicdesk.patients.models import Coverage, Document, Payer
from tests.factories import AppointmentFactory

from .conftest import TODAY, at


@pytest.fixture
def new_patient_visit(appointment):
    appointment.appointment_type.checklist = ["photo_id", "insurance_card"]
    appointment.appointment_type.save()
    return appointment


def _document(patient, kind):
    return Document.objects.create(patient=patient, kind=kind, document_date=TODAY, storage_name=f"{kind}.png",
                                   content_type="image/png", size=10, sha256="0" * 64,
                                   uploaded_at=dt.datetime(2026, 11, 20, tzinfo=dt.UTC))


def _page(user, appointment) -> str:
    client = Client()
    client.force_login(user)
    return client.get(f"/frontdesk/appointments/{appointment.pk}/check-in").content.decode()


def test_the_checklist_is_in_words_never_codes(clerk, new_patient_visit, clock):
    page = _page(clerk, new_patient_visit)
    assert "Missing: Photo ID" in page and "Missing: Insurance card" in page
    assert "photo_id" not in page.replace('name="photo_id"', "") and "insurance_card" not in page


def test_a_photo_id_seen_at_the_desk_ticks_the_checklist_and_silences_the_flag(clerk, new_patient_visit, clock):
    visit_check_in(actor=clerk, appointment_id=new_patient_visit.pk, photo_id=True, insurance=True)
    new_patient_visit.refresh_from_db()
    assert set(new_patient_visit.checklist_done) == {"photo_id", "insurance_card"}  # the calendar agrees
    summary = check_in_summary(actor=clerk, appointment_id=new_patient_visit.pk)
    assert summary.checklist_missing == []
    assert "No photo ID on file." not in summary.flags
    page = _page(clerk, new_patient_visit)
    assert "verified today" in page and "Missing:" not in page and "No photo ID on file" not in page


def test_copies_on_file_tick_the_checklist_items_they_prove(clerk, new_patient_visit, patient, clock):
    _document(patient, Document.Kind.PHOTO_ID)
    card = _document(patient, Document.Kind.INSURANCE_CARD)
    summary = check_in_summary(actor=clerk, appointment_id=new_patient_visit.pk)
    assert summary.checklist_missing == [] and "No photo ID on file." not in summary.flags
    assert {line.how for line in summary.checklist} == {"copy on file"}
    card.delete()  # the card image attached to the coverage counts as well
    Coverage.objects.create(patient=patient, payer=Payer.objects.create(name="Acme"), member_id="M1",
                            start_date=dt.date(2026, 1, 1), card_front=_document(patient, Document.Kind.OTHER))
    assert check_in_summary(actor=clerk, appointment_id=new_patient_visit.pk).checklist_missing == []


def test_nothing_on_file_is_missing_everywhere_alike(clerk, new_patient_visit, clock):
    summary = check_in_summary(actor=clerk, appointment_id=new_patient_visit.pk)
    assert summary.checklist_missing == ["photo_id", "insurance_card"]
    assert summary.checklist_missing_labels == ["Photo ID", "Insurance card"]
    assert "No photo ID on file." in summary.flags


def test_the_worklist_counts_a_card_on_file_as_done(clerk, location, provider, patient, follow_up_type, clock):
    follow_up_type.checklist = ["insurance_card"]
    follow_up_type.save()
    tomorrow = AppointmentFactory(location=location, practitioner=provider, patient=patient,
                                  appointment_type=follow_up_type, start=at(9, day=TODAY + dt.timedelta(days=1)))
    items = {item for row in previsit_worklist(actor=clerk, location=location) if row.appointment == tomorrow
             for item, _label in row.missing}
    assert "insurance_card" in items
    _document(patient, Document.Kind.INSURANCE_CARD)
    items = {item for row in previsit_worklist(actor=clerk, location=location) if row.appointment == tomorrow
             for item, _label in row.missing}
    assert "insurance_card" not in items
