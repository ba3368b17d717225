"""Recompute `family_sound`/`given_sound` with jellyfish's Soundex, which replaced the hand-written code
(issue #17). Batched: 2,000 rows a statement."""

from django.db import migrations

FIELDS = ["family_sound", "given_sound"]
BATCH = 2000


def recompute(apps, schema_editor):
    from clinicdesk.patients.keys import sound

    Patient = apps.get_model("patients", "Patient")
    batch = []
    for patient in Patient.objects.only("pk", "family_name", "given_name").iterator(chunk_size=BATCH):
        family, given = sound(patient.family_name), sound(patient.given_name)
        if (family, given) == (patient.family_sound, patient.given_sound):
            continue
        patient.family_sound, patient.given_sound = family, given
        batch.append(patient)
        if len(batch) >= BATCH:
            Patient.objects.bulk_update(batch, FIELDS)
            batch.clear()
    Patient.objects.bulk_update(batch, FIELDS)


class Migration(migrations.Migration):
    dependencies = [("patients", "0007_patient_alerts")]
    operations = [migrations.RunPython(recompute, migrations.RunPython.noop)]
