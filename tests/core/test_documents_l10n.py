"""Issue #15 item 6: every PDF and CSV the product writes shows words, not codes, and numbers, money and dates in
its reader's locale (core/l10n.py).

- the receipt PDF (billing/receipts.py): the patient's language, whoever prints it;
- the signed form PDF (patients/pdf.py): the form's language (the text signed is in it);
- the patient export CSV (patients/views.py, csvio.py): the import layout's columns as they are (a machine
  contract), then word columns in the user's language;
- the audit trail CSV (audit/views.py): the stored codes (what the chain hashes), then word columns in the user's
  language.

PDF text is read from the content streams (no PDF library is installed): reportlab writes each line as a string
shown with Tj, Flate-compressed; the signed form is encrypted, so it is built unencrypted here to be read."""

from __future__ import annotations

import base64
import csv
import datetime as dt
import io
import re
import zlib
from decimal import Decimal

import pytest
from django.utils import translation

from clinicdesk.billing.receipts import receipt_pdf
from clinicdesk.billing.services import Tender, payment_collect
from clinicdesk.core.l10n import day_text, language_for, language_words, moment_text, streamed_in, yes_no
from clinicdesk.core.permissions import Role
from clinicdesk.patients import pdf as signed_pdf
from clinicdesk.patients.models import FormTemplate
from clinicdesk.patients.services import form_sign
from tests.factories import PatientFactory, UserFactory

_STRING = re.compile(rb"\((?:[^()\\]|\\.)*\)\s*Tj")


def pdf_text(data: bytes) -> str:
    """The text a reportlab PDF shows (its Tj strings, in WinAnsi), streams inflated."""
    chunks = [data]
    for match in re.finditer(rb"stream\r?\n(.*?)endstream", data, re.S):
        body = match.group(1).strip()
        try:
            if body.endswith(b"~>"):  # reportlab: ASCII85 over Flate
                body = base64.a85decode(body[:-2].replace(b"\n", b""))
            chunks.append(zlib.decompress(body))
        except (ValueError, zlib.error):
            continue
    shown = []
    for chunk in chunks:
        for found in _STRING.finditer(chunk):
            raw = found.group(0)[1:found.group(0).rindex(b")")]
            raw = re.sub(rb"\\([0-7]{3})", lambda m: bytes([int(m.group(1), 8)]), raw)
            raw = re.sub(rb"\\(.)", rb"\1", raw)
            shown.append(raw.decode("cp1252"))
    return "\n".join(shown)


# --- the shared helpers ----------------------------------------------------------------------------------------

def test_helpers_write_words_numbers_and_dates_in_the_active_language():
    day = dt.date(2026, 11, 24)
    moment = dt.datetime(2026, 11, 24, 14, 5, tzinfo=dt.UTC)
    with translation.override("en"):
        assert day_text(day) == "11/24/2026" and yes_no(True) == "Yes" and language_words("es") == "Spanish"
        assert moment_text(moment, "America/New_York", zone_name=True).endswith("EST")
    with translation.override("es"):
        assert day_text(day) == "24/11/2026" and yes_no(True) == "Sí" and language_words("es") == "Español"
        assert moment_text(moment, "America/New_York") == "24/11/2026 09:05"
        assert language_words("vi") == "Vietnamita" and language_words("xx") == "xx"


def test_a_streamed_document_keeps_its_readers_language_after_the_view():
    def rows():
        yield yes_no(True)
        yield day_text(dt.date(2026, 1, 2))

    with translation.override("en"):
        made = list(streamed_in(rows(), "es"))
    assert made == ["Sí", "02/01/2026"]


def test_the_readers_language_is_their_preference(location):
    assert language_for(UserFactory(role=Role.FRONT_DESK, location=location, language="es")) == "es"
    assert language_for(None) == "en"


# --- the receipt ---------------------------------------------------------------------------------------------------

@pytest.mark.parametrize(("language", "words"), [
    ("en", ["Receipt", "Amount paid", "$1,025.50", "Method", "Card ending 4242", "Account balance", "11/23/2026"]),
    ("es", ["Recibo", "Importe pagado", "1 025,50 US$", "Forma de pago", "4242", "Saldo de la cuenta",
            "23/11/2026"]),
])
def test_receipt_pdf_in_english_and_spanish(location, clock, language, words):
    patient = PatientFactory(home_location=location, preferred_language=language)
    clerk = UserFactory(role=Role.FRONT_DESK, location=location, language="en" if language == "es" else "es")
    entry = payment_collect(actor=clerk, patient_id=patient.pk, location_id=location.pk, amount=Decimal("1025.50"),
                            tender=Tender("card", card_last4="4242", card_reference="A1"))
    text = pdf_text(receipt_pdf(entry, Decimal("0.00"))).replace("\xa0", " ")
    for word in words:
        assert word in text, (word, text)
    assert "card" not in text.split() and "cash" not in text.split()


# --- the signed form -------------------------------------------------------------------------------------------------

@pytest.mark.parametrize(("language", "words", "absent"), [
    ("en", ["Patient", "Date of birth", "05/17/1980", "Version 1 (English)", "Signed by", "Rosa Diaz (Patient)"],
     ["(en)"]),
    ("es", ["Paciente", "Fecha de nacimiento", "17/05/1980", "Versión 1 (Español)", "Firmado por",
            "Rosa Diaz (Paciente)", "23/11/2026"], ["(es)", "05/17/1980", "Patient"]),
])
def test_signed_form_pdf_in_the_forms_language(clerk, location, clock, monkeypatch, tmp_path, settings, language,
                                              words, absent):
    settings.STORAGES = {**settings.STORAGES, "default": {
        "BACKEND": "django.core.files.storage.FileSystemStorage", "OPTIONS": {"location": str(tmp_path)}}}
    monkeypatch.setattr(signed_pdf, "StandardEncryption", lambda *args, **kwargs: None)  # to read it back
    made: list[bytes] = []
    real = signed_pdf.render_signed_form
    monkeypatch.setattr("clinicdesk.patients.services.consents.render_signed_form",
                        lambda content: made.append(real(content)) or made[-1])
    patient = PatientFactory(home_location=location, given_name="Rosa", family_name="Diaz",
                             birth_date=dt.date(1980, 5, 17))
    template = FormTemplate.objects.get(code="npp", language=language, active=True)
    with translation.override("en" if language == "es" else "es"):  # whoever signs it in
        form_sign(actor=clerk, patient_id=patient.pk, template_id=template.pk, signer_kind="patient",
                  signer_name="Rosa Diaz", signature_kind="typed", typed_signature="Rosa Diaz")
    story = _story_text(made[0])
    for word in words:
        assert word in story, (word, story)
    for code in absent:
        assert code not in story, (code, story)


def _story_text(data: bytes) -> str:
    """Platypus writes table cells and paragraphs as Tj strings too; a paragraph may split a line in pieces."""
    return pdf_text(data).replace("\n", " ")


# --- the CSV exports ---------------------------------------------------------------------------------------------

def _export(client) -> list[dict[str, str]]:
    response = client.post("/patients/export/")
    assert response.status_code == 200
    return list(csv.DictReader(io.StringIO(b"".join(response.streaming_content).decode())))


@pytest.mark.parametrize(("language", "expected"), [
    ("en", {"sex_words": "Female", "birth_date_words": "05/17/1980", "preferred_language_words": "Spanish",
            "interpreter_needed_words": "Yes", "active_words": "Yes", "location_words": "Downtown"}),
    ("es", {"sex_words": "Femenino", "birth_date_words": "17/05/1980", "preferred_language_words": "Español",
            "interpreter_needed_words": "Sí", "active_words": "Sí", "location_words": "Downtown"}),
])
def test_patient_export_keeps_the_import_columns_and_adds_words(signed_in, location, clock, language, expected):
    PatientFactory(home_location=location, sex="female", birth_date=dt.date(1980, 5, 17), preferred_language="es",
                   interpreter_needed=True)
    rows = _export(signed_in(Role.PRACTICE_COORDINATOR, language=language))
    row = rows[0]
    # the machine contract: the import's columns and codes, whatever the reader's language
    assert row["sex"] == "female" and row["birth_date"] == "1980-05-17" and row["preferred_language"] == "es"
    assert row["interpreter_needed"] == "yes" and row["location"] == location.code
    for name, value in expected.items():
        assert row[name] == value, (name, row[name])


@pytest.mark.parametrize(("language", "action", "role"), [
    ("en", "Patient chart opened", "Front desk"), ("es", "Expediente del paciente abierto", "Recepción")])
def test_audit_export_keeps_the_codes_and_adds_words(signed_in, location, clinic_patient_read, language, action,
                                                     role):
    response = signed_in(Role.COMPLIANCE, language=language).post("/audit/export/", {"start": "2020-01-01"})
    rows = list(csv.DictReader(io.StringIO(b"".join(response.streaming_content).decode())))
    read = next(r for r in rows if r["action"] == "patient.read")
    assert read["actor_role"] == "front_desk"  # the stored code stays
    assert read["action_words"] == action and read["role_words"] == role
    assert re.search(r"\d{2}/\d{2}/\d{4}", read["at_words"])


@pytest.fixture
def clinic_patient_read(location):
    from clinicdesk.patients.selectors import patient_chart

    clerk = UserFactory(role=Role.FRONT_DESK, location=location)
    patient_chart(actor=clerk, patient_id=PatientFactory(home_location=location).pk)
