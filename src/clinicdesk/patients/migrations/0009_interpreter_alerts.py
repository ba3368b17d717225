"""Give "interpreter needed" one home: every chart whose old tick box is on gets an active interpreter alert
(services/alerts.py keeps Patient.interpreter_needed as a mirror of that alert from now on)."""

from django.db import migrations
from django.utils import timezone

# The registration form's languages (patients/forms.py LANGUAGE_CHOICES), in English: the alert's detail.
LANGUAGES = {"en": "English", "es": "Spanish", "zh": "Chinese", "vi": "Vietnamese", "ko": "Korean",
             "tl": "Tagalog", "ar": "Arabic", "ru": "Russian", "fr": "French", "ht": "Haitian Creole",
             "pt": "Portuguese", "other": "Other"}


def forward(apps, schema_editor):
    Patient = apps.get_model("patients", "Patient")
    AlertKind = apps.get_model("patients", "AlertKind")
    PatientAlert = apps.get_model("patients", "PatientAlert")
    kind, _created = AlertKind.objects.get_or_create(code="interpreter", defaults={
        "label_en": "Interpreter needed", "label_es": "Necesita intérprete", "severity": "info",
        "needs_detail": True})
    has_alert = set(PatientAlert.objects.filter(kind=kind, ended_at__isnull=True).values_list("patient_id", flat=True))
    now = timezone.now()
    PatientAlert.objects.bulk_create(
        [PatientAlert(patient_id=pk, kind=kind, detail=LANGUAGES.get(language, language)[:80], created_at=now,
                      reason="Interpreter needed, recorded at registration.")
         for pk, language in Patient.objects.filter(interpreter_needed=True).values_list("pk", "preferred_language")
         if pk not in has_alert], batch_size=500)
    # and the other way: a chart with an active interpreter alert has the mirror on
    Patient.objects.filter(interpreter_needed=False, alerts__kind=kind, alerts__ended_at__isnull=True) \
        .update(interpreter_needed=True)


class Migration(migrations.Migration):
    dependencies = [("patients", "0008_jellyfish_sound_keys")]
    operations = [migrations.RunPython(forward, migrations.RunPython.noop)]
