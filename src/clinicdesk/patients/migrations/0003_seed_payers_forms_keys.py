"""Seed the payer list and the standard forms (English and Spanish, version 1); fill the new
phonetic search keys of existing patients."""

from django.db import migrations

def seed(apps, schema_editor):
    from clinicdesk.patients.keys import phone_key, sound
    from clinicdesk.patients.seed import seed_reference_data

    Payer = apps.get_model("patients", "Payer")
    FormTemplate = apps.get_model("patients", "FormTemplate")
    Patient = apps.get_model("patients", "Patient")
    seed_reference_data(Payer, FormTemplate)
    batch = []
    for patient in Patient.objects.only("pk", "family_name", "given_name", "alt_phone").iterator(chunk_size=2000):
        patient.family_sound, patient.given_sound = sound(patient.family_name), sound(patient.given_name)
        patient.alt_phone_digits = phone_key(patient.alt_phone)
        batch.append(patient)
        if len(batch) >= 2000:
            Patient.objects.bulk_update(batch, ["family_sound", "given_sound", "alt_phone_digits"])
            batch.clear()
    Patient.objects.bulk_update(batch, ["family_sound", "given_sound", "alt_phone_digits"])


class Migration(migrations.Migration):
    dependencies = [("patients", "0002_us_core_record")]
    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
