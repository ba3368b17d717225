"""Demo records for the patients the demo builder made: insurance on file for most of them, and signed
forms (with their PDFs) for a few, so that the chart shows both states. Deterministic from the seed."""

from __future__ import annotations

import datetime as dt
import hashlib
import random
import uuid

from django.core.files.base import ContentFile
from django.core.files.storage import default_storage

from clinicdesk.core import clock
from clinicdesk.core.l10n import in_language, moment_text

from .models import Coverage, FormTemplate, Patient, Payer, Sex, SignedForm
from .pdf import SignedFormContent, render_signed_form

SIGNED_PATIENTS = 40


def demo_patient_records(*, seed: int) -> None:
    """Call inside the builder's transaction, after the patients exist."""
    rng = random.Random(seed * 7919 + 4)
    payers = list(Payer.objects.exclude(kind="self-pay").order_by("pk"))
    today = clock.now().date()
    coverages = []
    rows = Patient.objects.order_by("pk").values_list("pk", "birth_date", "family_name")
    for patient_id, birth_date, family in rows.iterator(chunk_size=5000):
        if not payers or rng.random() >= 0.85:
            continue
        start = max(birth_date, today - dt.timedelta(days=rng.randrange(30, 3 * 365)))
        child = (today - birth_date).days < 18 * 365
        coverages.append(Coverage(
            patient_id=patient_id, payer=rng.choice(payers), plan_name=rng.choice(["PPO", "HMO", "EPO", "POS"]),
            member_id=f"{rng.choice('ABCDEFGHJKLMNPRSTUVW')}{rng.randrange(10**8, 10**9)}",
            group_number=f"G{rng.randrange(1000, 99999)}", relationship="child" if child else "self",
            subscriber_family_name=family if child else "", subscriber_given_name="Parent" if child else "",
            subscriber_birth_date=birth_date.replace(year=birth_date.year - 28) if child else None,
            # the whole subscriber (the scrubber holds a child's claim without it); no draw: the seed's stream stays
            subscriber_sex=(Sex.FEMALE if patient_id % 2 else Sex.MALE) if child else "",
            start_date=start, copay_primary=rng.choice([0, 10, 20, 25, 30]), copay_specialist=rng.choice([40, 50, 60])))
    Coverage.objects.bulk_create(coverages, batch_size=2000)
    templates = list(FormTemplate.objects.filter(active=True, language="en"))
    for patient in Patient.objects.select_related("home_location").order_by("pk")[:SIGNED_PATIENTS]:
        for template in templates:
            signer = f"{patient.given_name} {patient.family_name}"
            with in_language(template.language):  # as form_sign writes it (the form's language)
                signed_at = moment_text(clock.now(), patient.home_location.tz, zone_name=True)
            pdf = render_signed_form(SignedFormContent(
                title=template.title, version=template.version, language=template.language, body=template.body,
                patient_name=patient.display_name, mrn=patient.mrn, birth_date=patient.birth_date,
                signer_name=signer, signer_role="Patient", signed_at_text=signed_at,
                client_ip="demo", typed_signature=signer))
            name = default_storage.save(f"patients/{patient.pk}/forms/{uuid.UUID(int=rng.getrandbits(128)).hex}.pdf",
                                        ContentFile(pdf))
            SignedForm.objects.create(patient=patient, template=template, signer_name=signer,
                                      signature_kind=SignedForm.SignatureKind.TYPED, typed_signature=signer,
                                      signed_at=clock.now(), client_ip="", pdf=name,
                                      pdf_sha256=hashlib.sha256(pdf).hexdigest())
