"""Recompute the name search keys with `core.text.fold_name`: apostrophes dropped and family names kept
without spaces, so that "O'Brien", 'O’Brien' and 'o brien' find the same chart (issue #13, item 8)."""

from django.db import migrations

FIELDS = ["name_key", "given_key", "family_sound", "given_sound"]


def refold(apps, schema_editor):
    from clinicdesk.core.text import family_key, fold_name
    from clinicdesk.patients.keys import sound

    Patient = apps.get_model("patients", "Patient")
    batch = []
    for patient in Patient.objects.only("pk", "family_name", "given_name").iterator(chunk_size=2000):
        patient.given_key = fold_name(patient.given_name)[:80]
        patient.name_key = f"{family_key(patient.family_name)} {patient.given_key}".strip()[:170]
        patient.family_sound, patient.given_sound = sound(patient.family_name), sound(patient.given_name)
        batch.append(patient)
        if len(batch) >= 2000:
            Patient.objects.bulk_update(batch, FIELDS)
            batch.clear()
    Patient.objects.bulk_update(batch, FIELDS)


class Migration(migrations.Migration):
    dependencies = [("patients", "0004_search_index_tuning")]
    operations = [migrations.RunPython(refold, migrations.RunPython.noop)]
