from django.core.management import call_command

from clinicdesk.patients.models import Coverage, Patient, SignedForm
from clinicdesk.patients.selectors import outstanding_forms


def test_demo_gives_patients_insurance_and_signed_forms(db, clock):
    call_command("demo", patients=60, weeks=0, seed=3, history_years=0, no_progress=True)
    assert Coverage.objects.values("patient").distinct().count() > 40
    signed = list(SignedForm.objects.select_related("template").filter(patient=Patient.objects.order_by("pk")[0]))
    assert len(signed) == 3 and outstanding_forms(signed) == []
