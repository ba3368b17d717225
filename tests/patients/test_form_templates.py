"""Consent and intake form templates: publishing versions, deactivating, who may, and what charts then ask for."""

from __future__ import annotations

import pytest

from clinicdesk.audit.models import AuditEntry
from clinicdesk.core.exceptions import NotFound, PermissionDenied, ValidationFailed
from clinicdesk.core.permissions import Role
from clinicdesk.frontdesk.selectors import check_in_summary
from clinicdesk.patients.form_template_selectors import form_template_versions, form_templates_summary
from clinicdesk.patients.models import FormTemplate, SignedForm
from clinicdesk.patients.selectors import outstanding_forms, patient_chart_full
from clinicdesk.patients.services import form_sign, form_template_deactivate, form_template_publish


def current(code: str, language: str = "en") -> FormTemplate:
    return FormTemplate.objects.get(code=code, language=language, active=True)


def sign(actor, patient, code: str) -> SignedForm:
    return form_sign(actor=actor, patient_id=patient.pk, template_id=current(code).pk, signer_kind="patient",
                     signer_name="Rosa Diaz", signature_kind="typed", typed_signature="Rosa Diaz")


@pytest.fixture
def admin(make_user):
    return make_user(Role.PRACTICE_COORDINATOR)


def publish_npp(admin, required=True, **texts):
    return form_template_publish(actor=admin, code="npp", required=required,
                                 texts=texts or {"en": ("Notice of Privacy Practices", "Version two."),
                                                 "es": ("Aviso de privacidad", "Versión dos.")})


def test_form_template_publish_makes_older_signers_outstanding(admin, clerk, patient, clock):
    sign(clerk, patient, "npp")
    assert "npp" not in {o.code for o in outstanding_forms(list(patient.signed_forms.all()))}
    publish_npp(admin)
    outstanding = {o.code: o for o in patient_chart_full(actor=clerk, patient_id=patient.pk).outstanding}
    assert outstanding["npp"].outdated and (outstanding["npp"].signed_version, outstanding["npp"].version) == (1, 2)


def test_form_template_publish_of_an_optional_version_asks_nobody(admin, clerk, patient, clock):
    sign(clerk, patient, "npp")
    publish_npp(admin, required=False)
    assert "npp" not in {o.code for o in patient_chart_full(actor=clerk, patient_id=patient.pk).outstanding}


def test_signing_the_new_version_clears_it(admin, clerk, patient, clock):
    sign(clerk, patient, "npp")
    publish_npp(admin)
    sign(clerk, patient, "npp")
    assert "npp" not in {o.code for o in patient_chart_full(actor=clerk, patient_id=patient.pk).outstanding}


def test_form_template_publish_keeps_older_versions_read_only_and_inactive(admin, clock):
    before = set(FormTemplate.objects.filter(code="npp").values_list("pk", "title", "body"))
    publish_npp(admin)
    older = FormTemplate.objects.filter(code="npp", version=1)
    assert set(older.values_list("pk", "title", "body")) == before and not older.filter(active=True).exists()


def test_form_template_publish_refuses_a_title_over_160_characters(admin, clock):
    count = FormTemplate.objects.count()
    with pytest.raises(ValidationFailed) as refused:
        publish_npp(admin, en=("T" * 161, "Text"))
    assert "title_en" in refused.value.fields and FormTemplate.objects.count() == count


def test_form_template_deactivate_withdraws_the_form_from_charts_and_signing(admin, clerk, patient, clock):
    rows = form_template_deactivate(actor=admin, code="financial-policy")
    assert {r.language for r in rows} == {"en", "es"} and not FormTemplate.objects.filter(
        code="financial-policy", active=True).exists()
    assert "financial-policy" not in {o.code for o in patient_chart_full(actor=clerk, patient_id=patient.pk)
                                       .outstanding}
    entry = AuditEntry.objects.filter(action="form.deactivate").get()
    assert entry.detail["changes"] == {"active": [True, False]} and entry.resource_type == "formtemplate"


def test_form_template_deactivate_refuses_an_unknown_or_inactive_form(admin, clock):
    form_template_deactivate(actor=admin, code="npp")
    for code in ("npp", "no-such-form"):
        with pytest.raises(NotFound):
            form_template_deactivate(actor=admin, code=code)
    assert AuditEntry.objects.filter(action="form.deactivate").count() == 1


def test_form_template_deactivate_is_for_practice_administrators(clerk, make_user, clock):
    for actor in (clerk, make_user(Role.COMPLIANCE), make_user(Role.BILLING)):
        with pytest.raises(PermissionDenied):
            form_template_deactivate(actor=actor, code="npp")
    assert FormTemplate.objects.filter(code="npp", active=True).count() == 2


def test_form_template_deactivate_by_a_coordinator_of_another_location_holds(make_user, other_location, clock):
    """Forms are practice-wide, and so is the practice coordinator's role."""
    form_template_deactivate(actor=make_user(Role.PRACTICE_COORDINATOR, at=other_location), code="npp")
    assert not FormTemplate.objects.filter(code="npp", active=True).exists()


def test_check_in_shows_a_newly_published_version_as_outstanding(admin, clerk, patient, provider, follow_up,
                                                                 location, clock):
    from tests.factories import AppointmentFactory

    appointment = AppointmentFactory(patient=patient, practitioner=provider, location=location,
                                     appointment_type=follow_up)
    for code in ("npp", "consent-to-treat", "financial-policy"):
        sign(clerk, patient, code)
    assert check_in_summary(actor=clerk, appointment_id=appointment.pk).outstanding == []
    publish_npp(admin)
    [form] = check_in_summary(actor=clerk, appointment_id=appointment.pk).outstanding
    assert (form.code, form.signed_version, form.version) == ("npp", 1, 2)


def test_form_template_reads_are_for_practice_administrators(clerk, make_user, clock):
    for actor in (clerk, make_user(Role.COMPLIANCE)):
        with pytest.raises(PermissionDenied):
            form_templates_summary(actor=actor)


def test_form_templates_summary_counts_signers_of_the_current_version(admin, clerk, patient, clock):
    sign(clerk, patient, "npp")
    npp = next(f for f in form_templates_summary(actor=admin) if f.code == "npp")
    assert (npp.current.version, npp.current.signed, npp.current.languages) == (1, 1, ["en", "es"])
    publish_npp(admin)
    npp = form_template_versions(actor=admin, code="npp")
    assert [(v.version, v.signed) for v in npp.versions] == [(2, 0), (1, 1)]


# --- screens ---------------------------------------------------------------------------------------------------

def test_form_templates_screen_lists_forms_with_their_current_version(signed_in, clock):
    page = signed_in(Role.PRACTICE_COORDINATOR).get("/patients/forms/")
    assert page.status_code == 200
    assert "Consent to treat" in page.content.decode() or "consent" in page.content.decode().lower()
    assert b"Version 1" in page.content


def test_form_templates_screen_is_refused_to_the_front_desk(signed_in, clock):
    assert signed_in(Role.FRONT_DESK).get("/patients/forms/").status_code == 403


def test_publish_screen_publishes_a_new_version_and_redirects(signed_in, clock):
    client = signed_in(Role.PRACTICE_COORDINATOR)
    assert client.get("/patients/forms/npp/publish/").status_code == 200
    response = client.post("/patients/forms/npp/publish/", {
        "title_en": "Notice of Privacy Practices", "body_en": "Version two.", "title_es": "Aviso",
        "body_es": "Versión dos.", "required": "on"})
    assert response.status_code == 302 and response["Location"] == "/patients/forms/npp/"
    assert set(FormTemplate.objects.filter(code="npp", active=True).values_list("version", "language")) == {
        (2, "en"), (2, "es")}
    page = client.get(response["Location"])
    assert b"Version 2 of" in page.content  # the flash
    assert b"Form published" in page.content  # the history panel


def test_publish_screen_shows_the_field_error_and_writes_nothing(signed_in, clock):
    client = signed_in(Role.PRACTICE_COORDINATOR)
    count = FormTemplate.objects.count()
    response = client.post("/patients/forms/npp/publish/", {"title_en": "", "body_en": "Text", "title_es": "Aviso",
                                                            "body_es": ""})
    assert response.status_code == 422
    assert response.context["form"].errors.keys() >= {"body_en", "body_es"}
    assert FormTemplate.objects.count() == count


def test_new_form_screen_adds_a_form_with_its_code(signed_in, clock):
    client = signed_in(Role.PRACTICE_COORDINATOR)
    assert client.get("/patients/forms/new/").status_code == 200
    response = client.post("/patients/forms/new/", {"code": "photo-consent", "title_en": "Photo consent",
                                                    "body_en": "We may take photos.", "required": ""})
    assert response.status_code == 302
    form = FormTemplate.objects.get(code="photo-consent")
    assert (form.version, form.required, form.active) == (1, False, True)


def test_new_form_screen_refuses_a_bad_code(signed_in, clock):
    response = signed_in(Role.PRACTICE_COORDINATOR).post("/patients/forms/new/", {
        "code": "photo consent!", "title_en": "Photo consent", "body_en": "Text"})
    assert response.status_code == 422 and "code" in response.context["form"].errors
    assert not FormTemplate.objects.filter(title="Photo consent").exists()


def test_form_screen_shows_versions_and_deactivates(signed_in, clock):
    client = signed_in(Role.PRACTICE_COORDINATOR)
    page = client.get("/patients/forms/npp/")
    assert page.status_code == 200 and b"Deactivate this form" in page.content
    response = client.post("/patients/forms/npp/deactivate/")
    assert response.status_code == 302
    assert not FormTemplate.objects.filter(code="npp", active=True).exists()
    page = client.get(response["Location"])
    assert b"Form withdrawn from signing" in page.content and b"Deactivate this form" not in page.content


def test_form_screen_of_an_unknown_form_is_404(signed_in, clock):
    assert signed_in(Role.PRACTICE_COORDINATOR).get("/patients/forms/nothing-here/").status_code == 404


# --- API -------------------------------------------------------------------------------------------------------

def test_api_lists_current_form_templates_and_every_version_on_request(signed_in, clock):
    client = signed_in(Role.PRACTICE_COORDINATOR)
    client.post("/api/v1/form-templates/publish", {"code": "npp", "required": True, "texts": {
        "en": {"title": "NPP", "body": "Two."}}}, content_type="application/json")
    items = client.get("/api/v1/form-templates").json()["items"]
    assert {(i["code"], i["version"], i["language"]) for i in items if i["code"] == "npp"} == {("npp", 2, "en")}
    every = client.get("/api/v1/form-templates?inactive=include").json()["items"]
    assert {i["version"] for i in every if i["code"] == "npp"} == {1, 2}
    assert set(items[0]) == {"id", "code", "title", "version", "language", "body", "required", "active",
                             "publishedAt"}


def test_api_publish_answers_201_with_each_language(signed_in, clock):
    response = signed_in(Role.PRACTICE_COORDINATOR).post(
        "/api/v1/form-templates/publish", {"code": "npp", "required": True, "texts": {
            "en": {"title": "NPP", "body": "Two."}, "es": {"title": "Aviso", "body": "Dos."}}},
        content_type="application/json")
    assert response.status_code == 201
    assert sorted((i["language"], i["version"], i["active"]) for i in response.json()["items"]) == [
        ("en", 2, True), ("es", 2, True)]


@pytest.mark.parametrize("body", [{"code": "npp", "required": "yes", "texts": {"en": {"title": "t", "body": "b"}}},
                                  {"code": "npp", "required": True, "texts": {"fr": {"title": "t", "body": "b"}}},
                                  {"code": "npp", "required": True, "texts": {"es": {"title": "t", "body": "b"}}}])
def test_api_publish_refuses_bad_input_and_writes_nothing(signed_in, clock, body):
    count = FormTemplate.objects.count()
    response = signed_in(Role.PRACTICE_COORDINATOR).post("/api/v1/form-templates/publish", body,
                                                         content_type="application/json")
    assert response.status_code == 422 and FormTemplate.objects.count() == count


def test_api_publish_is_refused_to_the_front_desk(signed_in, clock):
    response = signed_in(Role.FRONT_DESK).post("/api/v1/form-templates/publish", {
        "code": "npp", "required": True, "texts": {"en": {"title": "t", "body": "b"}}},
        content_type="application/json")
    assert response.status_code == 403 and FormTemplate.objects.filter(version=2).count() == 0


def test_api_deactivate_withdraws_the_form_and_refuses_an_older_version(signed_in, clock):
    client = signed_in(Role.PRACTICE_COORDINATOR)
    old = current("npp").pk
    client.post("/api/v1/form-templates/publish", {"code": "npp", "required": True, "texts": {
        "en": {"title": "NPP", "body": "Two."}}}, content_type="application/json")
    assert client.post(f"/api/v1/form-templates/{old}/deactivate").status_code == 409
    new = current("npp").pk
    response = client.post(f"/api/v1/form-templates/{new}/deactivate")
    assert response.status_code == 200 and response.json()["active"] is False
    assert not FormTemplate.objects.filter(code="npp", active=True).exists()


def test_form_templates_screen_queries_do_not_grow_with_versions(signed_in, admin, clerk, patient, clock):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client = signed_in(Role.PRACTICE_COORDINATOR)
    with CaptureQueriesContext(connection) as before:
        client.get("/patients/forms/")
    for _ in range(3):
        publish_npp(admin)
        sign(clerk, patient, "npp")
    with CaptureQueriesContext(connection) as after:
        client.get("/patients/forms/")
    assert len(after) == len(before)
