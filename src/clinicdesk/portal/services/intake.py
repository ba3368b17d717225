"""Intake before the visit (issue #23, item 3): the patient's contact details, insurance (with card photos), medical
history and consent forms signed with a typed name. Each is kept as a pending `IntakeSubmission`; nothing a patient
typed reaches the chart until a staff member has seen the field-by-field difference and accepted it, and then only
through `patients.services` (the chart's own rules, field history and audit). Accepting an insurance card ticks the
pre-visit checklist item it satisfies on the patient's upcoming visits (`appointment_checklist_mark`).
"""

from __future__ import annotations

import datetime as dt
import functools
import re
import uuid
from typing import Any

from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import transaction
from django.utils.translation import gettext as _

from clinicdesk.audit.services import atomic_service, record
from clinicdesk.core import clock, request_context
from clinicdesk.core.exceptions import NotFound, ValidationFailed
from clinicdesk.core.permissions import Actor, Perm, require, staff_user
from clinicdesk.patients import services as patients
from clinicdesk.patients.models import Coverage, Document, FormTemplate, Patient, Payer, SignedForm
from clinicdesk.patients.selectors import outstanding_forms, require_patient_in_reach
from clinicdesk.patients.services.documents import read_upload
from clinicdesk.scheduling import services as scheduling
from clinicdesk.scheduling.models import Appointment, AppointmentStatus

from ..actor import PatientActor
from ..models import IntakeKind, IntakeSource, IntakeStatus, IntakeSubmission
from .common import subject_patient

DETAIL_FIELDS = ("phone", "email", "address_line", "address_line2", "city", "state", "postal_code")
HISTORY_LISTS = ("problems", "medications", "allergies")  # the chart's intake keys (conditions are "problems")
INSURANCE_FIELDS = ("payer_id", "member_id", "group_number", "plan_name")
CHECKLIST_DAYS = 60  # upcoming visits whose checklist an accepted card ticks
_ZIP = re.compile(r"^\d{5}(-\d{4})?$")
_MEMBER = re.compile(r"^[A-Za-z0-9][A-Za-z0-9-]{0,29}$")


def _refuse(code: str, errors: dict[str, list[str]]) -> None:
    if errors:
        raise ValidationFailed(code, " ".join(m for ms in errors.values() for m in ms), fields=errors)


def _create(actor: PatientActor, patient: Patient, kind: str, data: dict[str, Any], source: str,
            **extra: Any) -> IntakeSubmission:
    # One pending submission of a kind (per form) at a time: a newer one replaces what is still waiting.
    waiting = IntakeSubmission.objects.filter(patient=patient, kind=kind, status=IntakeStatus.PENDING,
                                              form_template_id=extra.get("form_template_id"))
    for old in waiting.select_for_update(of=("self",)).order_by("pk"):
        old.status, old.reviewed_at, old.review_note = IntakeStatus.REJECTED, clock.now(), "replaced"
        old.save(update_fields=["status", "reviewed_at", "review_note"])
        transaction.on_commit(functools.partial(_drop_cards, old))
    submission = IntakeSubmission.objects.create(
        patient=patient, submitted_by_id=actor.patient_id, kind=kind, source=source, data=data,
        ip=request_context.current().ip or None, created_at=clock.now(), **extra)
    record(actor, "portal.intake_submit", submission, patient=patient,
           detail=actor.audit_detail(kind=kind, source=source, fields=sorted(data)))
    return submission


def _source(source: str) -> str:
    return source if source in IntakeSource.values else IntakeSource.PORTAL


@atomic_service
def intake_details_submit(*, actor: PatientActor, values: dict[str, Any],
                          source: str = IntakeSource.PORTAL) -> IntakeSubmission | None:
    """Changed contact details, pending review. Unchanged values are not sent; nothing changed: None."""
    patient = subject_patient(actor)
    errors: dict[str, list[str]] = {}
    clean = {name: " ".join(str(values.get(name) or "").split())[:200] for name in DETAIL_FIELDS}
    if clean["email"] and ("@" not in clean["email"] or " " in clean["email"] or len(clean["email"]) > 254):
        errors["email"] = [_("Enter a valid e-mail address.")]
    if clean["phone"] and len(re.sub(r"\D", "", clean["phone"])) not in (10, 11):
        errors["phone"] = [_("Enter a 10-digit phone number.")]
    clean["state"] = clean["state"].upper()
    if clean["state"] and not re.fullmatch(r"[A-Z]{2}", clean["state"]):
        errors["state"] = [_("Use the two-letter state code, e.g. MA.")]
    if clean["postal_code"] and not _ZIP.match(clean["postal_code"]):
        errors["postal_code"] = [_("Enter a 5-digit ZIP code.")]
    _refuse("bad-details", errors)
    changed = {name: value for name, value in clean.items() if value != (getattr(patient, name) or "")}
    if not changed:
        return None
    return _create(actor, patient, IntakeKind.DETAILS, changed, _source(source))


def _save_card(patient: Patient, upload: Any, field: str) -> str:
    data, content_type = read_upload(upload, field=field)
    extension = "pdf" if content_type == "application/pdf" else "png" if content_type == "image/png" else "jpg"
    return default_storage.save(f"portal/intake/{patient.pk}/{uuid.uuid4().hex}.{extension}", ContentFile(data))


def _drop_cards(submission: IntakeSubmission) -> None:
    for name in (submission.card_front, submission.card_back):
        if name:
            default_storage.delete(name)


@atomic_service
def intake_insurance_submit(*, actor: PatientActor, payer_id: Any, member_id: str, group_number: str = "",
                            plan_name: str = "", card_front: Any = None, card_back: Any = None,
                            source: str = IntakeSource.PORTAL) -> IntakeSubmission:
    """The patient's insurance as on their card, with photos of both sides (optional), pending review."""
    patient = subject_patient(actor)
    errors: dict[str, list[str]] = {}
    payer = Payer.objects.filter(pk=payer_id, active=True).first() if str(payer_id or "").isdigit() else None
    if payer is None:
        errors["payer_id"] = [_("Choose your insurance company.")]
    member = (member_id or "").strip()
    if not _MEMBER.match(member):
        errors["member_id"] = [_("Enter the member ID as printed on the card (letters and digits).")]
    group = (group_number or "").strip()[:30]
    plan = " ".join((plan_name or "").split())[:120]
    _refuse("bad-insurance", errors)
    assert payer is not None
    names: dict[str, str] = {}
    try:
        for field, upload in (("card_front", card_front), ("card_back", card_back)):
            if upload:
                names[field] = _save_card(patient, upload, field)
    except ValidationFailed:
        for name in names.values():
            default_storage.delete(name)
        raise
    data = {"payer_id": payer.pk, "payer": payer.name, "member_id": member, "group_number": group,
            "plan_name": plan}
    return _create(actor, patient, IntakeKind.INSURANCE, data, _source(source), **names)


def _lines(value: Any) -> list[str]:
    items = value if isinstance(value, list | tuple) else str(value or "").splitlines()
    return [" ".join(str(item).split())[:200] for item in items if str(item).strip()][:50]


@atomic_service
def intake_history_submit(*, actor: PatientActor, problems: Any, medications: Any, allergies: Any,
                          source: str = IntakeSource.PORTAL) -> IntakeSubmission:
    """Conditions, medications and allergies (one per line), pending review."""
    patient = subject_patient(actor)
    data = {"problems": _lines(problems), "medications": _lines(medications), "allergies": _lines(allergies)}
    if not any(data.values()):
        _refuse("bad-history", {"problems": [_("Write at least one line, or 'none'.")]})
    return _create(actor, patient, IntakeKind.HISTORY, data, _source(source))


def forms_to_sign(patient: Patient, language: str) -> list[FormTemplate]:
    """The practice's required forms this patient has not signed in their current version, in `language` when
    the form has it (English otherwise)."""
    signed = list(SignedForm.objects.filter(patient=patient).select_related("template"))
    wanted = outstanding_forms(signed)
    rows = FormTemplate.objects.filter(active=True, code__in=[o.code for o in wanted])
    chosen: dict[str, FormTemplate] = {}
    for row in rows:
        match = next((o for o in wanted if o.code == row.code and o.version == row.version), None)
        if match is None:
            continue
        best = chosen.get(row.code)
        if best is None or (row.language == language) or (best.language != language and row.language == "en"):
            chosen[row.code] = row
    return [chosen[code] for code in sorted(chosen)]


@atomic_service
def intake_form_sign(*, actor: PatientActor, template_id: Any, typed_name: str, agree: bool,
                     source: str = IntakeSource.PORTAL) -> IntakeSubmission:
    """A consent form signed with the patient's typed name (the date and network address are kept), pending
    review: the desk accepts it into the chart as a signed form."""
    patient = subject_patient(actor)
    template = FormTemplate.objects.filter(pk=template_id, active=True).first() if str(template_id or "").isdigit() \
        else None
    if template is None:
        raise NotFound()
    errors: dict[str, list[str]] = {}
    name = " ".join((typed_name or "").split())[:160]
    if len(name) < 2:
        errors["typed_name"] = [_("Type your full name to sign.")]
    if not agree:
        errors["agree"] = [_("Tick the box to say you have read and agree to the form.")]
    _refuse("bad-signature", errors)
    now = clock.now()
    data = {"form": template.code, "title": template.title, "version": template.version,
            "language": template.language, "typed_name": name, "signed_at": now.isoformat(),
            "ip": request_context.current().ip or "", "proxy": actor.is_proxy}
    return _create(actor, patient, IntakeKind.FORM, data, _source(source), form_template_id=template.pk)


# --- staff review ----------------------------------------------------------------------------------------
def _lock_pending(actor: Actor, submission_id: int) -> IntakeSubmission:
    require(actor, Perm.FRONTDESK, resource_type="intakesubmission", resource_id=submission_id)
    require(actor, Perm.PATIENT_WRITE, resource_type="intakesubmission", resource_id=submission_id)
    submission = (IntakeSubmission.objects.select_for_update(of=("self",)).select_related("patient")
                  .filter(pk=submission_id).first())
    if submission is None:
        raise NotFound()
    require_patient_in_reach(actor, submission.patient, perm=Perm.PATIENT_WRITE, resource_type="intakesubmission",
                             resource_id=submission_id)
    if submission.status != IntakeStatus.PENDING:
        raise ValidationFailed("already-reviewed", _("This submission was already reviewed."))
    return submission


def _card_file(name: str) -> ContentFile:
    with default_storage.open(name, "rb") as handle:
        return ContentFile(handle.read(), name=name.rsplit("/", 1)[-1])


def _accept_insurance(actor: Actor, submission: IntakeSubmission) -> None:
    data, patient = submission.data, submission.patient
    today = clock.now().date()
    primary = next((c for c in Coverage.objects.filter(patient=patient, order=1).order_by("-start_date")
                    if c.is_active_on(today)), None)
    cards = {field: _card_file(name) for field, name in (("card_front", submission.card_front),
                                                         ("card_back", submission.card_back)) if name}
    if primary is not None and primary.payer_id == data["payer_id"] and primary.member_id == data["member_id"]:
        changes = {k: data[k] for k in ("group_number", "plan_name") if data[k] and data[k] != getattr(primary, k)}
        if changes:
            patients.coverage_update(actor=actor, coverage_id=primary.pk, **changes)
        for field, upload in cards.items():
            patients.document_upload(actor=actor, patient_id=patient.pk, kind=Document.Kind.INSURANCE_CARD,
                                     upload=upload, description=f"{data['payer']} "
                                     f"{'front' if field == 'card_front' else 'back'}")
    else:
        if primary is not None:
            patients.coverage_end(actor=actor, coverage_id=primary.pk,
                                  end_date=max(primary.start_date, today - dt.timedelta(days=1)))
        patients.coverage_add(actor=actor, patient_id=patient.pk, payer_id=data["payer_id"],
                              member_id=data["member_id"], start_date=today, group_number=data["group_number"],
                              plan_name=data["plan_name"], card_front=cards.get("card_front"),
                              card_back=cards.get("card_back"))
    if cards:
        _tick(actor, patient, "insurance_card")


def _tick(actor: Actor, patient: Patient, item: str) -> None:
    """Tick `item` on the patient's upcoming visits that ask for it (the schedule's own checklist path)."""
    now = clock.now()
    upcoming = Appointment.objects.filter(
        patient=patient, status__in=(AppointmentStatus.BOOKED, AppointmentStatus.PENDING, AppointmentStatus.ARRIVED),
        start__gte=now - dt.timedelta(hours=12), start__lte=now + dt.timedelta(days=CHECKLIST_DAYS),
    ).select_related("appointment_type", "location").order_by("pk")
    for appointment in upcoming:
        if item in scheduling.readiness(appointment).required and item not in appointment.checklist_done:
            scheduling.appointment_checklist_mark(actor=actor, appointment_id=appointment.pk, item=item)


def _accept_form(actor: Actor, submission: IntakeSubmission) -> None:
    data = submission.data
    proxy = bool(data.get("proxy"))
    patients.form_sign(actor=actor, patient_id=submission.patient_id, template_id=submission.form_template_id or 0,
                       signer_kind="representative" if proxy else "patient", signer_name=data["typed_name"],
                       signer_relationship=_("Proxy in the patient portal") if proxy else "",
                       signature_kind="typed", typed_signature=data["typed_name"])


@atomic_service
def intake_accept(*, actor: Actor, submission_id: int, note: str = "") -> IntakeSubmission:
    """Write a pending submission into the chart through `patients.services`; then it is accepted."""
    submission = _lock_pending(actor, submission_id)
    patient = submission.patient
    if submission.kind == IntakeKind.DETAILS:
        patients.patient_update(actor=actor, patient_id=patient.pk, changes=dict(submission.data))
    elif submission.kind == IntakeKind.HISTORY:
        merged = dict(patient.intake or {})
        for key in HISTORY_LISTS:
            merged[key] = list(submission.data.get(key) or [])
        patients.patient_update(actor=actor, patient_id=patient.pk, changes={"intake": merged})
    elif submission.kind == IntakeKind.INSURANCE:
        _accept_insurance(actor, submission)
    else:
        _accept_form(actor, submission)
    submission.status, submission.reviewed_at = IntakeStatus.ACCEPTED, clock.now()
    submission.reviewed_by, submission.review_note = staff_user(actor), note.strip()[:300]
    submission.save(update_fields=["status", "reviewed_at", "reviewed_by", "review_note"])
    record(actor, "portal.intake_accept", submission, patient=patient, detail={"kind": submission.kind})
    transaction.on_commit(lambda: _drop_cards(submission))  # the chart holds them now (as documents)
    return submission


@atomic_service
def intake_reject(*, actor: Actor, submission_id: int, note: str = "") -> IntakeSubmission:
    submission = _lock_pending(actor, submission_id)
    submission.status, submission.reviewed_at = IntakeStatus.REJECTED, clock.now()
    submission.reviewed_by, submission.review_note = staff_user(actor), note.strip()[:300]
    submission.save(update_fields=["status", "reviewed_at", "reviewed_by", "review_note"])
    record(actor, "portal.intake_reject", submission, patient=submission.patient, detail={"kind": submission.kind})
    transaction.on_commit(lambda: _drop_cards(submission))
    return submission
