"""The demo practice's correspondence (#24): the demo builder calls `correspondence_demo` once patients exist.

At each location a patient coordinator has written letters from the shipped templates (an appointment letter, a
balance letter), stored as PDFs on the charts, and an incoming-mail queue waits: a referral fax already filed to
a patient, a records request assigned to medical records, a payer letter for billing, and a new complaint
nobody has taken yet. Everything goes through the services, so it is audited like a coordinator's own work.
"""

from __future__ import annotations

import datetime as dt
import io
from collections.abc import Sequence

from django.db import transaction
from reportlab.lib.pagesizes import letter
from reportlab.pdfgen import canvas

from clinicdesk.accounts.models import User
from clinicdesk.core import clock
from clinicdesk.core.permissions import Role
from clinicdesk.patients.models import Patient

from .compose import compose_send, compose_templates_seed
from .consent_records import consent_record, consent_sms_keyword
from .incoming import incoming_log
from .models import ComposeTemplate, ConsentRecord

# (medium, kind, sender, days ago, pool, assign to the coordinator, due in days, link a patient)
INCOMING: tuple[tuple[str, str, str, int, str, bool, int | None, bool], ...] = (
    ("fax", "referral", "Valley Cardiology Associates", 1, "", True, 3, True),
    ("letter", "records-request", "Law Office of Kim & Ortiz", 2, "records", False, 10, True),
    ("letter", "payer-letter", "Aetna Claims Department", 3, "billing", False, 14, False),
    ("email", "complaint", "j.doe@example.org", 0, "", False, None, False),
)


class _Scan(io.BytesIO):
    name = "scan.pdf"


def _scan(title: str) -> _Scan:
    buffer = _Scan()
    pdf = canvas.Canvas(buffer, pagesize=letter, invariant=True)
    pdf.setFont("Helvetica", 12)
    pdf.drawString(72, 720, title)
    pdf.showPage()
    pdf.save()
    buffer.seek(0)
    return buffer


CONSENT_PATIENTS = 120  # per location, the first charts with a channel agreed to


def consent_demo(*, location_ids: Sequence[int]) -> int:
    """Recorded consents at each location, written at the desk through the consent services (audited): of the
    first charts with e-mail or text messages agreed to, half granted outreach and marketing on that channel,
    one in ten refused it, and two texted STOP (every purpose by text withdrawn). The demo campaign
    (`outreach.demo_campaigns`) contacts only those who granted it. Returns how many records were written."""
    from .services import PATIENT_LINK

    if ConsentRecord.objects.exists():
        return 0
    made = 0
    for location_id in location_ids:
        desk = User.objects.filter(locations=location_id, role__in=[Role.FRONT_DESK, Role.PATIENT_COORDINATOR],
                                   is_active=True).order_by("role", "pk").first()
        if desk is None:
            continue
        patients = (Patient.objects.filter(home_location_id=location_id, active=True, restricted=False,
                                           deceased_date__isnull=True, merged_into__isnull=True)
                    .exclude(email_opt_in=False, sms_opt_in=False).order_by("pk")[:CONSENT_PATIENTS])
        stops = 0
        for n, patient in enumerate(patients):
            channel = "email" if patient.email_opt_in and patient.email else "sms" if patient.phone else ""
            if not channel:
                continue
            if n % 10 < 5:
                consent_record(actor=desk, patient_id=patient.pk, channel=channel, purpose="outreach", granted=True,
                               source="desk" if n % 2 else "written", note="")
                made += 1
            elif n % 10 == 6:
                consent_record(actor=desk, patient_id=patient.pk, channel=channel, purpose="outreach",
                               granted=False, source="desk", note="Does not want news or event invitations.")
                made += 1
            elif n % 10 == 8 and stops < 2 and patient.sms_opt_in and patient.phone:
                with transaction.atomic():
                    made += consent_sms_keyword(actor=PATIENT_LINK, phone=patient.phone, stop=True)
                stops += 1
    ConsentRecord.objects.update(at=clock.now() - dt.timedelta(days=60))  # recorded at earlier visits
    return made


def correspondence_demo(*, location_ids: Sequence[int]) -> int:
    """Sent letters and an incoming-mail queue at each location; returns how many items were made (the consent
    records `consent_demo` writes are not counted)."""
    consent_demo(location_ids=location_ids)
    compose_templates_seed()
    letters = {t.seed_key: t for t in ComposeTemplate.objects.filter(seed_key__in=["appointment-letter",
                                                                                    "balance-letter"])}
    made = 0
    today = clock.now().date()
    for location_id in location_ids:
        coordinator = User.objects.filter(locations=location_id, role=Role.PATIENT_COORDINATOR,
                                          is_active=True).order_by("pk").first()
        if coordinator is None:
            continue
        patients = list(Patient.objects.filter(home_location_id=location_id, active=True, restricted=False,
                                               deceased_date__isnull=True, merged_into__isnull=True)
                        .exclude(address_line="").exclude(postal_code="").exclude(city="").order_by("pk")[:40])
        booked = (Patient.objects.filter(pk__in=[p.pk for p in patients], appointments__status="booked",
                                         appointments__start__gt=clock.now()).values_list("pk", flat=True).first())
        writes = [("appointment-letter", booked), ("balance-letter", patients[0].pk if patients else None)]
        for key, patient_id in writes:
            if key in letters and patient_id is not None:
                compose_send(actor=coordinator, patient_ids=[patient_id], channel="letter",
                             template_id=letters[key].pk, batch=f"demo-{location_id}-{key}")
                made += 1
        for medium, kind, sender, days_ago, pool, assign, due, link in INCOMING:
            patient = patients[1 + made % 2] if link and len(patients) > 2 else None
            incoming_log(actor=coordinator, location_id=location_id, medium=medium, kind=kind, sender=sender,
                         received_on=today - dt.timedelta(days=days_ago), upload=_scan(f"{sender}"),
                         patient_id=patient.pk if patient else None, pool=pool,
                         assignee_id=coordinator.pk if assign else None,
                         due_date=today + dt.timedelta(days=due) if due is not None else None)
            made += 1
    return made
