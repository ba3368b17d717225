"""Spanish is complete: the catalogue is current (the CI check), the patient's answer page and receipt
speak the patient's language, names the practice enters have a Spanish form, money and dates follow the
locale."""

from __future__ import annotations

import datetime as dt
import subprocess
import sys
from decimal import Decimal
from pathlib import Path

import pytest
from django.test import Client
from django.utils import translation

from clinicdesk.billing.money import format_money
from clinicdesk.billing.receipts import receipt_lines
from clinicdesk.billing.services import Tender, payment_collect
from clinicdesk.comms.services import answer_token
from clinicdesk.core.permissions import Role
from clinicdesk.scheduling.services import BookingRequest, appointment_book
from tests.comms.conftest import at
from tests.factories import PatientFactory, UserFactory

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "scripts"))
import check_messages  # noqa: E402


def test_the_spanish_catalogue_is_current_and_complete():
    """The CI check itself: makemessages would change nothing, and no entry is empty or fuzzy."""
    run = subprocess.run([sys.executable, str(ROOT / "scripts" / "check_messages.py")], capture_output=True,
                         text=True, cwd=ROOT, timeout=300)
    assert run.returncode == 0, run.stdout + run.stderr


def test_the_check_finds_missing_stale_empty_and_fuzzy_entries():
    committed = check_messages.parse_po(
        'msgid ""\nmsgstr "Language: es\\n"\n\n#, fuzzy\n#| msgid "Appointment type"\nmsgid "Appointment reminder"\n'
        'msgstr "Tipo de cita"\n\nmsgid "Gone"\nmsgstr "Ido"\n\nmsgid "Empty"\nmsgstr ""\n\n'
        'msgid "one visit"\nmsgid_plural "%(n)s visits"\nmsgstr[0] "una visita"\nmsgstr[1] ""\n\n'
        '#~ msgid "Old"\n#~ msgstr "Viejo"\n')
    generated = check_messages.parse_po(
        'msgid "Appointment reminder"\nmsgstr ""\n\nmsgid "Empty"\nmsgstr ""\n\nmsgid "New"\nmsgstr ""\n\n'
        'msgid "one visit"\nmsgid_plural "%(n)s visits"\nmsgstr[0] ""\nmsgstr[1] ""\n')
    found = "\n".join(check_messages.problems(committed, generated))
    assert "missing (makemessages would add it): 'New'" in found
    assert "stale (no longer in the code; makemessages would drop it): 'Gone'" in found
    assert "fuzzy (a guess: translate it and remove the flag): 'Appointment reminder'" in found
    assert "empty (no translation): 'Empty'" in found and "empty (no translation): 'one visit'" in found
    assert "Old" not in found  # obsolete entries are not part of the catalogue


def test_a_multi_line_entry_is_read_whole():
    [entry] = check_messages.parse_po('msgid ""\n"The database did not "\n"answer."\nmsgstr ""\n"No respondió."\n')
    assert entry.msgid == "The database did not answer." and entry.msgstr == {0: "No respondió."}


@pytest.fixture
def spanish_booking(location, provider, follow_up, clock, django_capture_on_commit_callbacks):
    follow_up.patient_facing_name = "Follow-up visit"
    follow_up.patient_facing_name_es = "Consulta de seguimiento"
    follow_up.name_es = "Seguimiento"
    follow_up.save()
    patient = PatientFactory(home_location=location, given_name="Lucía", preferred_language="es")
    clerk = UserFactory(role=Role.FRONT_DESK, location=location)
    with django_capture_on_commit_callbacks(execute=True):
        return appointment_book(actor=clerk, request=BookingRequest(
            patient_id=patient.pk, practitioner_id=provider.pk, location_id=location.pk,
            appointment_type_id=follow_up.pk, start=at(dt.date(2026, 11, 25), 9)))


def test_the_answer_page_speaks_the_patients_language(spanish_booking):
    """Before: the page was in the browser's language (English here) and named no appointment."""
    token = answer_token(appointment_id=spanish_booking.pk)
    page = Client(HTTP_ACCEPT_LANGUAGE="en").get(f"/r/{token}/")
    text = page.content.decode()
    assert page.status_code == 200 and page["Content-Language"] == "es"
    assert "¿Vendrá a su cita?" in text and "Cancelar mi cita" in text and "Will you come" not in text
    assert "Consulta de seguimiento" in text and "25 de noviembre de 2026" in text
    done = Client(HTTP_ACCEPT_LANGUAGE="en").post(f"/r/{token}/", {"answer": "confirm"})
    assert "Gracias, su cita está confirmada." in done.content.decode()


def test_the_answer_page_for_an_english_patient_stays_english(spanish_booking):
    spanish_booking.patient.preferred_language = "en"
    spanish_booking.patient.save()
    token = answer_token(appointment_id=spanish_booking.pk)
    text = Client(HTTP_ACCEPT_LANGUAGE="es").get(f"/r/{token}/").content.decode()
    assert "Will you come to your appointment?" in text and "Follow-up visit" in text
    assert "Nov. 25, 2026" in text


def test_appointment_type_names_follow_the_language_with_english_as_fallback(follow_up):
    follow_up.name_es = "Seguimiento"
    with translation.override("es"):
        assert str(follow_up) == "Seguimiento"
    with translation.override("en"):
        assert str(follow_up) == follow_up.name
    follow_up.name_es = ""
    with translation.override("es"):
        assert follow_up.local_name == follow_up.name
    assert follow_up.patient_name_in("es") == follow_up.patient_facing_name  # no Spanish name: English


def test_the_receipt_is_in_the_patients_language(location, clock):
    """Before: every label, the date (12/01/2026 09:00 AM) and the amount ($1,025.50) were English."""
    patient = PatientFactory(home_location=location, preferred_language="es")
    clerk = UserFactory(role=Role.FRONT_DESK, location=location)
    entry = payment_collect(actor=clerk, patient_id=patient.pk, location_id=location.pk, amount=Decimal("1025.50"),
                            tender=Tender("cash"))
    with translation.override("en"):  # whoever prints it
        lines = dict(receipt_lines(entry, Decimal("-25.00")))
    assert lines["Recibo"] == entry.receipt_number
    assert lines["Importe pagado"] == "1\xa0025,50\xa0US$"
    local = entry.created_at.astimezone(location.tz)
    assert lines["Fecha"] == local.strftime("%d/%m/%Y %H:%M")
    assert "Saldo de la cuenta" in lines and "(MRN " in lines["Paciente"]


def test_money_follows_the_locale():
    with translation.override("en"):
        assert format_money(Decimal("1025.5")) == "$1,025.50"
    with translation.override("es"):
        assert format_money(Decimal("1025.5")) == "1\xa0025,50\xa0US$"
        assert format_money(Decimal("-25")) == "crédito de 25,00\xa0US$"
