import hashlib

import pytest

from clinicdesk.audit.models import AuditEntry
from clinicdesk.core import request_context
from clinicdesk.core.exceptions import PermissionDenied, ValidationFailed
from clinicdesk.core.permissions import Role
from clinicdesk.patients.models import FormTemplate, SignedForm
from clinicdesk.patients.selectors import patient_chart_full
from clinicdesk.patients.services import form_sign, form_template_publish
from tests.factories import PatientFactory

from .conftest import data_url, png_bytes


@pytest.fixture
def patient(location):
    return PatientFactory(home_location=location, given_name="Rosa", family_name="Diaz")


def npp(language="en"):
    return FormTemplate.objects.get(code="npp", language=language, active=True)


def test_standard_forms_are_offered_in_english_and_spanish(db):
    for code in ("npp", "consent-to-treat", "financial-policy"):
        assert set(FormTemplate.objects.filter(code=code, version=1).values_list("language", flat=True)) == {
            "en", "es"}


def test_form_sign_typed_stores_a_locked_pdf_with_signer_time_and_client(clerk, patient, clock, document_storage):
    token = request_context.bind(request_context.RequestInfo(ip="10.0.0.7", user_agent="tablet", channel="web"))
    try:
        signed = form_sign(actor=clerk, patient_id=patient.pk, template_id=npp().pk, signer_kind="patient",
                           signer_name="Rosa Diaz", signature_kind="typed", typed_signature="Rosa Diaz")
    finally:
        request_context.reset(token)
    assert signed.client_ip == "10.0.0.7" and signed.signed_at == clock.now() and signed.recorded_by == clerk
    pdf = (document_storage / signed.pdf).read_bytes()
    assert pdf.startswith(b"%PDF") and b"/Encrypt" in pdf
    assert hashlib.sha256(pdf).hexdigest() == signed.pdf_sha256
    assert AuditEntry.objects.filter(action="form.sign", patient_id=patient.pk).exists()


def test_form_sign_drawn_by_a_representative_in_spanish(clerk, patient, clock):
    signed = form_sign(actor=clerk, patient_id=patient.pk, template_id=npp("es").pk, signer_kind="representative",
                       signer_name="Carmen Diaz", signer_relationship="mother", signature_kind="drawn",
                       drawn_signature=data_url(png_bytes()))
    assert signed.template.language == "es" and signed.signature_kind == "drawn"


@pytest.mark.parametrize(("changes", "field"), [
    ({"signature_kind": "drawn", "drawn_signature": data_url(png_bytes(ink=False))}, "drawn_signature"),
    ({"signature_kind": "drawn", "drawn_signature": "data:image/png;base64,bm90IGEgcG5n"}, "drawn_signature"),
    ({"typed_signature": ""}, "typed_signature"),
    ({"signer_kind": "representative"}, "signer_relationship"),
    ({"signer_name": ""}, "signer_name"),
])
def test_form_sign_names_the_bad_field(clerk, patient, clock, changes, field):
    values = {"signer_kind": "patient", "signer_name": "Rosa Diaz", "signature_kind": "typed",
              "typed_signature": "Rosa Diaz", **changes}
    with pytest.raises(ValidationFailed) as refused:
        form_sign(actor=clerk, patient_id=patient.pk, template_id=npp().pk, **values)
    assert field in refused.value.fields
    assert SignedForm.objects.count() == 0


def test_signed_forms_are_read_only(clerk, patient, clock):
    signed = form_sign(actor=clerk, patient_id=patient.pk, template_id=npp().pk, signer_kind="patient",
                       signer_name="Rosa Diaz", signature_kind="typed", typed_signature="Rosa Diaz")
    signed.signer_name = "Someone else"
    with pytest.raises(RuntimeError):
        signed.save()


def test_chart_flags_missing_and_outdated_forms(clerk, patient, clock, make_user):
    chart = patient_chart_full(actor=clerk, patient_id=patient.pk)
    assert {o.code for o in chart.outstanding} == {"npp", "consent-to-treat", "financial-policy"}
    form_sign(actor=clerk, patient_id=patient.pk, template_id=npp().pk, signer_kind="patient",
              signer_name="Rosa Diaz", signature_kind="typed", typed_signature="Rosa Diaz")
    assert "npp" not in {o.code for o in patient_chart_full(actor=clerk, patient_id=patient.pk).outstanding}
    admin = make_user(Role.PRACTICE_COORDINATOR)
    form_template_publish(actor=admin, code="npp", required=True,
                          texts={"en": ("Notice of Privacy Practices", "Version two."),
                                 "es": ("Aviso de privacidad", "Versión dos.")})
    chart = patient_chart_full(actor=clerk, patient_id=patient.pk)
    outdated = next(o for o in chart.outstanding if o.code == "npp")
    assert outdated.outdated and (outdated.signed_version, outdated.version) == (1, 2)
    assert any("version 2 needs signing" in text for _kind, text in chart.alerts)


def test_form_template_publish_is_for_administrators(clerk, clock):
    with pytest.raises(PermissionDenied):
        form_template_publish(actor=clerk, code="npp", required=True, texts={"en": ("t", "b")})


def test_form_sign_refuses_other_locations_and_outsiders(clerk_elsewhere, outsider, patient, clock):
    for actor in (clerk_elsewhere, outsider):
        with pytest.raises(PermissionDenied):
            form_sign(actor=actor, patient_id=patient.pk, template_id=npp().pk, signer_kind="patient",
                      signer_name="Rosa Diaz", signature_kind="typed", typed_signature="Rosa Diaz")


def test_signing_screen_signs_and_the_pdf_is_served_audited(signed_in, location, patient, clock):
    client = signed_in(at=location)
    page = client.get(f"/patients/{patient.pk}/forms/sign/")
    assert page.status_code == 200 and b"signature-canvas" in page.content and b"<script>" not in page.content
    response = client.post(f"/patients/{patient.pk}/forms/sign/", {
        "template": npp().pk, "signer_kind": "patient", "signer_name": "Rosa Diaz", "signature_kind": "drawn",
        "drawn_signature": data_url(png_bytes())})
    assert response.status_code == 302
    signed = SignedForm.objects.get()
    pdf = client.get(f"/patients/signed-forms/{signed.pk}/")
    assert pdf["Content-Type"] == "application/pdf" and b"".join(pdf.streaming_content).startswith(b"%PDF")
    assert AuditEntry.objects.filter(action="form.read", patient_id=patient.pk).exists()
