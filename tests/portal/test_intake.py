"""Intake before the visit (issue #23, item 3): everything a patient sends waits for a staff member, who sees the
difference field by field and accepts it into the chart through patients.services (or not)."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from clinicdesk.audit.models import AuditEntry
from clinicdesk.core.exceptions import DomainError, ValidationFailed
from clinicdesk.patients.models import Coverage, Document, FormTemplate, Payer, SignedForm
from clinicdesk.portal import intake_selectors
from clinicdesk.portal.models import IntakeStatus, IntakeSubmission
from clinicdesk.portal.services import intake
from tests.factories import AppointmentFactory, AppointmentTypeFactory
from tests.portal.helpers import actor_for, portal_client


def _card() -> SimpleUploadedFile:
    buffer = io.BytesIO()
    Image.new("RGB", (40, 24), (20, 90, 200)).save(buffer, "JPEG")
    return SimpleUploadedFile("card.jpg", buffer.getvalue(), content_type="image/jpeg")


@pytest.fixture
def payer(db):
    return Payer.objects.create(name="Harbor Health")


def test_intake_details_wait_for_review_and_accepting_writes_the_chart(ana, clerk, clock):
    submission = intake.intake_details_submit(actor=actor_for(ana), values={
        "phone": "(413) 555-0199", "email": ana.email, "city": "Springfield"})
    ana.refresh_from_db()
    assert ana.phone != "(413) 555-0199" and submission.status == IntakeStatus.PENDING
    assert set(submission.data) == {"phone", "city"}  # unchanged fields are not sent
    review = intake_selectors.intake_review(actor=clerk, submission_id=submission.pk)
    assert [(r.label, r.submitted) for r in review.rows if r.changed] == [("Phone", "(413) 555-0199"),
                                                                         ("City", "Springfield")]
    intake.intake_accept(actor=clerk, submission_id=submission.pk)
    ana.refresh_from_db()
    assert ana.phone == "(413) 555-0199" and ana.city == "Springfield"
    assert AuditEntry.objects.filter(action="portal.intake_submit", actor_username=f"patient:{ana.pk}").exists()
    assert AuditEntry.objects.filter(action="patient.update", patient_id=ana.pk).exists()


def test_intake_details_refuse_a_bad_zip_and_write_nothing(ana):
    with pytest.raises(ValidationFailed):
        intake.intake_details_submit(actor=actor_for(ana), values={"postal_code": "12"})
    assert not IntakeSubmission.objects.exists()


def test_accepting_insurance_with_card_photos_adds_the_coverage_and_ticks_the_checklist(ana, clerk, payer, clock,
                                                                                         location):
    kind = AppointmentTypeFactory(code="new-visit", checklist=["insurance_card"])
    visit = AppointmentFactory(location=location, patient=ana, appointment_type=kind,
                               start=clock.now() + dt.timedelta(days=2))
    submission = intake.intake_insurance_submit(actor=actor_for(ana), payer_id=payer.pk, member_id="HH12345",
                                                group_number="G7", card_front=_card(), card_back=_card())
    assert not Coverage.objects.filter(patient=ana).exists()
    intake.intake_accept(actor=clerk, submission_id=submission.pk)
    coverage = Coverage.objects.get(patient=ana)
    assert (coverage.payer_id, coverage.member_id, coverage.group_number) == (payer.pk, "HH12345", "G7")
    assert Document.objects.filter(patient=ana, kind=Document.Kind.INSURANCE_CARD).count() == 2
    visit.refresh_from_db()
    assert "insurance_card" in visit.checklist_done


def test_rejecting_history_leaves_the_chart_as_it_was(ana, clerk):
    submission = intake.intake_history_submit(actor=actor_for(ana), problems="Asthma", medications="",
                                              allergies="Penicillin")
    intake.intake_reject(actor=clerk, submission_id=submission.pk, note="Ask at the visit")
    ana.refresh_from_db()
    assert not (ana.intake or {}).get("allergies")
    assert IntakeSubmission.objects.get().status == IntakeStatus.REJECTED
    with pytest.raises(ValidationFailed):  # reviewed once
        intake.intake_accept(actor=clerk, submission_id=submission.pk)


def test_a_form_signed_online_becomes_a_signed_form_when_accepted(ana, clerk):
    form = FormTemplate.objects.create(code="privacy", version=1, language="en", title="Privacy notice",
                                       body="We keep your records private.", required=True)
    assert form.pk in [t.pk for t in intake.forms_to_sign(ana, "en")]
    with pytest.raises(ValidationFailed):
        intake.intake_form_sign(actor=actor_for(ana), template_id=form.pk, typed_name="Ana Lopez", agree=False)
    submission = intake.intake_form_sign(actor=actor_for(ana), template_id=form.pk, typed_name="Ana Lopez",
                                         agree=True)
    assert not SignedForm.objects.exists()
    intake.intake_accept(actor=clerk, submission_id=submission.pk)
    signed = SignedForm.objects.get(patient=ana)
    assert (signed.signer_name, signed.typed_signature) == ("Ana Lopez", "Ana Lopez")
    assert form.pk not in [t.pk for t in intake.forms_to_sign(ana, "en")]


def test_staff_of_another_location_cannot_review(ana, outsider):
    submission = intake.intake_history_submit(actor=actor_for(ana), problems="Asthma", medications="",
                                              allergies="")
    with pytest.raises(DomainError) as refused:
        intake.intake_accept(actor=outsider, submission_id=submission.pk)
    assert refused.value.status in (403, 404)
    assert intake_selectors.intake_queue(actor=outsider) == []


def test_the_intake_pages_from_the_patient_to_the_desk(client, signed_in, ana, clock):
    portal_client(client, ana, language="es")
    assert client.get("/portal/intake/").status_code == 200
    response = client.post("/portal/intake/history/", {"problems": "Asma", "medications": "", "allergies": ""})
    assert response.status_code == 302
    desk = signed_in()
    page = desk.get("/portal/staff/intake/")
    assert page.status_code == 200 and ana.display_name in page.content.decode()
    submission = IntakeSubmission.objects.get()
    assert desk.get(f"/portal/staff/intake/{submission.pk}/").status_code == 200
    assert desk.post(f"/portal/staff/intake/{submission.pk}/", {"decision": "accept"}).status_code == 302
    ana.refresh_from_db()
    assert ana.intake["problems"] == ["Asma"]
