"""The chart's change history speaks words: the field's label and the values in the user's language."""

from __future__ import annotations

from clinicdesk.patients.services import patient_update
from tests.factories import PatientFactory


def test_change_history_shows_field_labels_and_value_words(signed_in, location, clock):
    client = signed_in(at=location)
    patient = PatientFactory(home_location=location, preferred_language="en", sms_opt_in=False)
    patient_update(actor=client.user, patient_id=patient.pk, changes={"preferred_language": "es", "sms_opt_in": True,
                                                                       "sms_opt_in_source": "verbal"})
    html = client.get(f"/patients/{patient.pk}/").content.decode()
    history = html[html.index('id="change-history"'):]
    assert "Preferred language" in history and "<td>Spanish</td>" in history and "<td>English</td>" in history
    assert "preferred_language" not in history and "<td>True</td>" not in history and "<td>Yes</td>" in history
