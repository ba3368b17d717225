"""The outstanding-forms list names each form in the reader's language (FormTemplate has one row per version
and language): a Spanish-speaking clerk reads the Spanish title, an English one the English title."""

import pytest
from django.utils import translation

from clinicdesk.patients.models import FormTemplate
from clinicdesk.patients.selectors import outstanding_forms


def _form(code, version, language, title):
    return FormTemplate.objects.create(code=code, version=version, language=language, title=title, body="…")


@pytest.fixture(autouse=True)
def _only_these_forms(db):
    """The migrations publish the practice's own forms; these tests make their own (version 90 and up)."""
    FormTemplate.objects.update(active=False)


def test_outstanding_forms_are_named_in_the_active_language(db):
    _form("consent-to-treat", 90, "en", "Consent to treat (old)")
    _form("consent-to-treat", 91, "en", "Consent to treat")
    _form("consent-to-treat", 91, "es", "Consentimiento para el tratamiento")
    _form("financial-policy", 90, "en", "Financial policy")  # no Spanish row yet: English stands in

    with translation.override("es"):
        spanish = {form.code: (form.title, form.version) for form in outstanding_forms([])}
    with translation.override("en"):
        english = {form.code: (form.title, form.version) for form in outstanding_forms([])}

    assert spanish == {"consent-to-treat": ("Consentimiento para el tratamiento", 91),
                       "financial-policy": ("Financial policy", 90)}
    assert english == {"consent-to-treat": ("Consent to treat", 91), "financial-policy": ("Financial policy", 90)}


def test_a_form_only_in_spanish_is_still_listed_for_an_english_reader(db):
    _form("npp", 90, "es", "Aviso de prácticas de privacidad")
    with translation.override("en"):
        assert [(f.code, f.title) for f in outstanding_forms([])] == [("npp", "Aviso de prácticas de privacidad")]
