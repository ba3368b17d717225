"""The waiting-room kiosk (issue #23, item 5).

A desk user switches a tablet into kiosk mode for one location (`kiosk_enable`: a key in the kiosk's own cookie,
its digest in `KioskDevice`). A patient finds today's visit there by last name and date of birth, or by the code
(link) of their reminder; wrong look-ups are counted per device, audited, and lock the kiosk for a while. The
patient then confirms their details and insurance (changes become pending intake submissions, as in the portal),
signs outstanding forms, and is marked arrived through the desk's one arrival path, by the front desk's entry
for a patient arriving at their own visit (`frontdesk.self_arrival`: it checks the visit is theirs).
Between steps only a signed, short-lived visit token travels in the page: nothing of the patient stays on the
device, and the page resets after each patient and after KIOSK_IDLE_SECONDS (60) idle (static/portal/kiosk.js).
The server ends the visit too: the device holds the one open visit's nonce (in the token) and when the page last
showed a sign of life (`kiosk_keep_alive`, sent by the page while the patient touches it). A new look-up, the
check-in, the start screen (`kiosk_visit_end`) or KIOSK_IDLE_SECONDS without a sign of life end it, so Back or a
re-submitted form shows nothing of the previous patient.
"""

from __future__ import annotations

import datetime as dt
import secrets
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.core import signing
from django.db import transaction
from django.utils.translation import gettext as _

from clinicdesk.audit.services import atomic_service, record
from clinicdesk.comms import services as comms
from clinicdesk.core import clock
from clinicdesk.core.exceptions import NotFound, ValidationFailed
from clinicdesk.core.permissions import Actor, Perm, require, staff_user
from clinicdesk.frontdesk import services as frontdesk
from clinicdesk.patients.models import Coverage, FormTemplate, Patient
from clinicdesk.scheduling.models import Appointment, AppointmentStatus

from ..actor import PatientActor
from ..models import IntakeKind, IntakeSource, IntakeStatus, IntakeSubmission, KioskDevice
from . import intake
from .common import TooManyRequests, sha

KIOSK_COOKIE = "clinicdesk_kiosk"
KIOSK_SALT = "clinicdesk.portal.kiosk"
VISIT_SECONDS = 10 * 60  # a found visit stays open on the kiosk this long at most, however busy the patient


def idle_seconds() -> int:
    """Seconds without a touch after which the kiosk page resets and its open visit ends (setting, default 60)."""
    return int(getattr(settings, "KIOSK_IDLE_SECONDS", 60))
MAX_FAILURES = 5  # wrong look-ups per device ...
FAILURE_WINDOW = dt.timedelta(minutes=10)  # ... in this window lock the kiosk for the rest of it
FINDABLE = (AppointmentStatus.BOOKED, AppointmentStatus.ARRIVED)


class KioskPatientActor(PatientActor):
    """The patient at the kiosk: a patient's own permissions only (no front-desk right). Their own visit is marked
    arrived by `frontdesk.self_arrival`, which checks that the visit is theirs; the kiosk services hand it only the
    visit the patient found."""

    def __init__(self, *, patient_id: int, device_id: int) -> None:
        super().__init__(patient_id=patient_id, method="kiosk")
        self.device_id = device_id

    def audit_detail(self, **extra: Any) -> dict[str, Any]:
        return super().audit_detail(kiosk=self.device_id, **extra)


@atomic_service
def kiosk_enable(*, actor: Actor, location_id: int) -> str:
    """Switch this device into kiosk mode for `location_id`; the key goes into the kiosk cookie."""
    require(actor, Perm.FRONTDESK, location=location_id, resource_type="location", resource_id=location_id)
    key = secrets.token_urlsafe(32)
    device = KioskDevice.objects.create(location_id=location_id, key_hash=sha(key), enabled_by=staff_user(actor),
                                        enabled_at=clock.now())
    record(actor, "portal.kiosk_enable", device, detail={"location": location_id})
    return key


def kiosk_device(*, key: str, location_id: int) -> KioskDevice | None:
    if not key:
        return None
    return KioskDevice.objects.select_related("location").filter(
        key_hash=sha(key), location_id=location_id, ended_at__isnull=True).first()


def _normal(text: str) -> str:
    return " ".join((text or "").casefold().replace("-", " ").replace("'", "").split())


def _locked(device: KioskDevice, now: dt.datetime) -> bool:
    return (device.failures >= MAX_FAILURES and device.failures_since is not None
            and now - device.failures_since < FAILURE_WINDOW)


def _reminder_appointment(code: str) -> int | None:
    text = (code or "").strip().rstrip("/")
    token = text.rsplit("/", 1)[-1] if "/" in text else text
    if not token:
        return None
    try:
        payload = comms.answer_token_read(token)
    except NotFound:
        return None
    if payload.get("p") != "appointment":
        return None
    return int(payload["a"]) if str(payload.get("a", "")).isdigit() else None


def _today(device: KioskDevice) -> Any:
    tz = device.location.tz
    today = clock.today_in(tz)
    start = dt.datetime.combine(today, dt.time.min, tzinfo=tz)
    return Appointment.objects.select_related("patient").filter(
        location=device.location, status__in=FINDABLE, start__gte=start, start__lt=start + dt.timedelta(days=1),
        patient__active=True, patient__merged_into__isnull=True).order_by("start", "pk")


def _match(device: KioskDevice, family_name: str, birth_date: dt.date | None, code: str) -> Appointment | None:
    visits = _today(device)
    if code.strip():
        wanted = _reminder_appointment(code)
        return visits.filter(pk=wanted).first() if wanted else None
    if not family_name.strip() or birth_date is None:
        return None
    wanted_name = _normal(family_name)
    found = [a for a in visits.filter(patient__birth_date=birth_date) if _normal(a.patient.family_name) == wanted_name]
    if len({a.patient_id for a in found}) != 1:
        return None  # nobody, or two people with the same name and birthday: the desk sorts it out
    return next((a for a in found if a.status == AppointmentStatus.BOOKED), found[0])


def kiosk_find(*, device: KioskDevice, family_name: str = "", birth_date: dt.date | None = None,
               code: str = "") -> str:
    """Find today's visit at the kiosk's location; the answer is a short-lived visit token. A miss counts
    against the device (audited); too many lock it for FAILURE_WINDOW. Not atomic_service: a miss commits."""
    now = clock.now()
    with transaction.atomic():
        device = KioskDevice.objects.select_for_update().select_related("location").get(pk=device.pk)
        if _locked(device, now):
            record(None, "portal.kiosk_throttled", device, detail={"location": device.location_id})
            locked = True
        else:
            locked = False
            appointment = _match(device, family_name, birth_date, code)
            by = "code" if code.strip() else "name"
            if appointment is not None:
                device.failures, device.failures_since = 0, None
                device.visit_nonce, device.visit_seen_at = secrets.token_hex(16), now  # ends any earlier visit
                device.save(update_fields=["failures", "failures_since", "visit_nonce", "visit_seen_at"])
                actor = KioskPatientActor(patient_id=appointment.patient_id, device_id=device.pk)
                record(actor, "portal.kiosk_find", appointment, patient=appointment.patient_id,
                       detail=actor.audit_detail(by=by))
                return signing.dumps({"k": device.pk, "a": appointment.pk, "p": appointment.patient_id,
                                      "n": device.visit_nonce}, salt=KIOSK_SALT)
            if device.failures_since is None or now - device.failures_since >= FAILURE_WINDOW:
                device.failures, device.failures_since = 0, now
            device.failures += 1
            device.save(update_fields=["failures", "failures_since"])
            record(None, "portal.kiosk_find", device, outcome="denied",
                   detail={"by": by, "location": device.location_id, "failures": device.failures})
    if locked:
        raise TooManyRequests("kiosk-locked", _("Please see the front desk to check in."))
    raise ValidationFailed("not-found", _("We could not find a visit today with these details. Check them, or "
                                          "please see the front desk."))


@dataclass
class KioskVisit:
    appointment: Appointment
    patient: Patient
    actor: KioskPatientActor
    coverage: Coverage | None = None
    forms: list[FormTemplate] = field(default_factory=list)
    copay: Decimal | None = None


def _expired() -> NotFound:
    return NotFound("kiosk-expired", _("Your time ran out. Please start again."))


def _open(device: KioskDevice, token: str) -> tuple[Appointment, KioskPatientActor]:
    """The visit behind a token while it is the device's open visit and the page showed a sign of life within
    KIOSK_IDLE_SECONDS; that counts as one (the visit stays open). NotFound otherwise."""
    try:
        payload = signing.loads(token or "", salt=KIOSK_SALT, max_age=VISIT_SECONDS)
    except signing.BadSignature:
        raise _expired() from None
    if payload.get("k") != device.pk:
        raise NotFound()
    now = clock.now()
    live = KioskDevice.objects.select_for_update().filter(pk=device.pk).values("visit_nonce", "visit_seen_at").first()
    if (live is None or not live["visit_nonce"] or payload.get("n") != live["visit_nonce"]
            or live["visit_seen_at"] is None or now - live["visit_seen_at"] > dt.timedelta(seconds=idle_seconds())):
        raise _expired()
    KioskDevice.objects.filter(pk=device.pk).update(visit_seen_at=now)
    appointment = Appointment.objects.select_related("patient", "practitioner", "location", "appointment_type").filter(
        pk=payload.get("a"), patient_id=payload.get("p"), location_id=device.location_id,
        status__in=FINDABLE).first()
    if appointment is None:
        raise NotFound()
    return appointment, KioskPatientActor(patient_id=appointment.patient_id, device_id=device.pk)


@atomic_service
def kiosk_visit(*, device: KioskDevice, token: str, language: str) -> KioskVisit:
    """What the kiosk shows the patient who found their visit: their own details only."""
    appointment, actor = _open(device, token)
    patient = appointment.patient
    today = clock.today_in(device.location.tz)
    coverage = next((c for c in Coverage.objects.filter(patient=patient, order=1).select_related("payer")
                     .order_by("-start_date") if c.is_active_on(today)), None)
    copay = frontdesk.expected_copay(patient, appointment.practitioner, today, appointment)
    record(actor, "portal.read", appointment, patient=patient, detail=actor.audit_detail(page="kiosk"))
    signed_here = set(IntakeSubmission.objects.filter(patient=patient, kind=IntakeKind.FORM,
                                                      status=IntakeStatus.PENDING).values_list("form_template_id",
                                                                                               flat=True))
    forms = [t for t in intake.forms_to_sign(patient, language) if t.pk not in signed_here]
    return KioskVisit(appointment=appointment, patient=patient, actor=actor, coverage=coverage, forms=forms,
                      copay=copay)


@atomic_service
def kiosk_check_in(*, device: KioskDevice, token: str, details: dict[str, Any], insurance: dict[str, Any],
                   signatures: list[tuple[int, str]]) -> Any:
    """Changed details and insurance become pending submissions, typed signatures pending forms; then the visit
    is marked arrived through the desk's own path. Any refusal writes nothing."""
    appointment, actor = _open(device, token)
    intake.intake_details_submit(actor=actor, values=details, source=IntakeSource.KIOSK)
    coverage_now = next((c for c in Coverage.objects.filter(patient_id=appointment.patient_id, order=1)
                         .order_by("-start_date") if c.is_active_on(clock.today_in(device.location.tz))), None)
    member = (insurance.get("member_id") or "").strip()
    payer = str(insurance.get("payer_id") or "")
    if member and payer and (coverage_now is None or member != coverage_now.member_id
                             or payer != str(coverage_now.payer_id)):
        intake.intake_insurance_submit(actor=actor, payer_id=payer, member_id=member, source=IntakeSource.KIOSK,
                                       card_front=insurance.get("card_front"), card_back=insurance.get("card_back"))
    for template_id, typed_name in signatures:
        intake.intake_form_sign(actor=actor, template_id=template_id, typed_name=typed_name, agree=True,
                                source=IntakeSource.KIOSK)
    visit = frontdesk.self_arrival(actor=actor, appointment_id=appointment.pk)
    KioskDevice.objects.filter(pk=device.pk).update(visit_nonce="", visit_seen_at=None)  # Back shows nothing now
    record(actor, "portal.kiosk_check_in", appointment, patient=appointment.patient_id,
           detail=actor.audit_detail(forms=len(signatures)))
    return visit



@atomic_service
def kiosk_keep_alive(*, device: KioskDevice, token: str) -> None:
    """The patient is still touching the page: their visit stays open. NotFound once it has ended."""
    _open(device, token)


@atomic_service
def kiosk_visit_end(*, device: KioskDevice) -> bool:
    """The kiosk shows its start screen (idle reset, or the next patient): the open visit, if any, ends."""
    ended = KioskDevice.objects.filter(pk=device.pk).exclude(visit_nonce="").update(visit_nonce="",
                                                                                    visit_seen_at=None)
    if ended:
        record(None, "portal.kiosk_visit_end", device, detail={"location": device.location_id})
    return bool(ended)
