"""The demo practice names its appointment types in Spanish too (name_es, patient_facing_name_es), so a
Spanish-speaking clerk and patient read them in their language."""

from django.core.management import call_command
from django.utils import translation

from clinicdesk.scheduling.models import AppointmentType


def test_demo_appointment_types_have_spanish_names(db, clock):
    call_command("demo", patients=20, weeks=0, seed=3, history_years=0, no_progress=True)
    types = list(AppointmentType.objects.all())
    assert types and all(t.name_es and t.patient_facing_name_es for t in types)
    follow_up = AppointmentType.objects.get(code="follow-up")
    with translation.override("es"):
        assert str(follow_up) == "Seguimiento"
    assert follow_up.patient_name_in("es") == "Consulta de seguimiento"
    assert str(follow_up) == "Follow-up"
