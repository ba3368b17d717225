"""Reads of intake before the visit (issue #23, item 3): the patient's own intake page, and the desk's review queue
with a field-by-field difference between the chart and what the patient sent. Audited like every portal read."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django.utils.translation import gettext as _

from clinicdesk.audit.services import atomic_service, record
from clinicdesk.core import clock
from clinicdesk.core.exceptions import NotFound
from clinicdesk.core.permissions import Actor, Perm, require
from clinicdesk.patients import selectors as patient_selectors
from clinicdesk.patients.models import Coverage, FormTemplate, Patient, Payer

from .actor import PatientActor
from .models import IntakeKind, IntakeStatus, IntakeSubmission
from .services.common import subject_patient
from .services.intake import DETAIL_FIELDS, HISTORY_LISTS, forms_to_sign


@dataclass
class IntakePage:
    patient: Patient
    pending: dict[str, IntakeSubmission]  # kind (or "form:<template id>") -> the submission waiting for review
    forms: list[FormTemplate]
    payers: list[Payer]
    coverage: Coverage | None = None
    history: dict[str, str] = field(default_factory=dict)  # what to show in the history boxes (one per line)


def primary_coverage(patient: Patient) -> Coverage | None:
    today = clock.now().date()
    return next((c for c in Coverage.objects.filter(patient=patient, order=1).select_related("payer")
                 .order_by("-start_date") if c.is_active_on(today)), None)


def _key(submission: IntakeSubmission) -> str:
    return f"form:{submission.form_template_id}" if submission.kind == IntakeKind.FORM else submission.kind


@atomic_service
def portal_intake_page(*, actor: PatientActor, language: str) -> IntakePage:
    patient = subject_patient(actor)
    pending = {_key(s): s for s in IntakeSubmission.objects.filter(patient=patient, status=IntakeStatus.PENDING)
               .order_by("created_at", "pk")}
    history_source = pending["history"].data if "history" in pending else (patient.intake or {})
    history = {key: "\n".join(history_source.get(key) or []) for key in HISTORY_LISTS}
    record(actor, "portal.read", resource_type="patient", resource_id=patient.pk, patient=patient,
           detail=actor.audit_detail(page="intake"))
    return IntakePage(patient=patient, pending=pending, forms=forms_to_sign(patient, language),
                      payers=list(Payer.objects.filter(active=True).order_by("name")),
                      coverage=primary_coverage(patient), history=history)


# --- the desk's review -------------------------------------------------------------------------------------
@atomic_service
def intake_queue(*, actor: Actor) -> list[IntakeSubmission]:
    """Pending submissions of patients at the staff member's locations, oldest first."""
    require(actor, Perm.FRONTDESK)
    rows = list(IntakeSubmission.objects.filter(status=IntakeStatus.PENDING)
                .filter(patient_selectors.location_filter(actor, prefix="patient__"))
                .select_related("patient", "submitted_by").order_by("created_at", "pk")[:200])
    if rows:
        record(actor, "patient.list", resource_type="intakesubmission",
               detail={"patients": sorted({r.patient_id for r in rows}), "screen": "portal-intake"})
    return rows


@dataclass
class DiffRow:
    label: str
    chart: str
    submitted: str

    @property
    def changed(self) -> bool:
        return self.chart != self.submitted


@dataclass
class IntakeReview:
    submission: IntakeSubmission
    rows: list[DiffRow]
    cards: list[str]  # which card photos came with it ("front", "back")
    form_text: str = ""


def _labels() -> dict[str, str]:
    return {"phone": _("Phone"), "email": _("E-mail"), "address_line": _("Address"),
            "address_line2": _("Address line 2"), "city": _("City"), "state": _("State"),
            "postal_code": _("ZIP code"), "payer": _("Insurance company"), "member_id": _("Member ID"),
            "group_number": _("Group number"), "plan_name": _("Plan"), "problems": _("Conditions"),
            "medications": _("Medications"), "allergies": _("Allergies")}


def _diff(submission: IntakeSubmission, patient: Patient) -> tuple[list[DiffRow], str]:
    labels, data = _labels(), submission.data
    if submission.kind == IntakeKind.DETAILS:
        return [DiffRow(labels[n], getattr(patient, n) or "", str(data[n])) for n in DETAIL_FIELDS if n in data], ""
    if submission.kind == IntakeKind.HISTORY:
        chart = patient.intake or {}
        return [DiffRow(labels[k], "\n".join(chart.get(k) or []), "\n".join(data.get(k) or []))
                for k in HISTORY_LISTS], ""
    if submission.kind == IntakeKind.INSURANCE:
        coverage = primary_coverage(patient)
        on_file: dict[str, Any] = {"payer": "", "member_id": "", "group_number": "", "plan_name": ""}
        if coverage is not None:
            on_file = {"payer": coverage.payer.name, "member_id": coverage.member_id,
                       "group_number": coverage.group_number, "plan_name": coverage.plan_name}
        return [DiffRow(labels[k], on_file[k], str(data.get(k) or "")) for k in on_file], ""
    template = FormTemplate.objects.filter(pk=submission.form_template_id or 0).first()
    rows = [DiffRow(_("Form"), "", f"{data.get('title', '')} ({_('version')} {data.get('version', '')})"),
            DiffRow(_("Typed signature"), "", str(data.get("typed_name", ""))),
            DiffRow(_("Signed at"), "", str(data.get("signed_at", ""))[:16].replace("T", " ") + " UTC"),
            DiffRow(_("Network address"), "", str(data.get("ip") or "—"))]
    return rows, template.body if template else ""


@atomic_service
def intake_review(*, actor: Actor, submission_id: int) -> IntakeReview:
    require(actor, Perm.FRONTDESK, resource_type="intakesubmission", resource_id=submission_id)
    submission = IntakeSubmission.objects.select_related("patient", "submitted_by", "reviewed_by").filter(
        pk=submission_id).first()
    if submission is None:
        raise NotFound()
    patient_selectors.require_patient_in_reach(actor, submission.patient, perm=Perm.FRONTDESK,
                                               resource_type="intakesubmission", resource_id=submission_id)
    rows, text = _diff(submission, submission.patient)
    record(actor, "patient.read", submission, patient=submission.patient_id, detail={"screen": "portal-intake"})
    cards = [side for side, name in ((_("front"), submission.card_front), (_("back"), submission.card_back)) if name]
    return IntakeReview(submission=submission, rows=rows, cards=cards, form_text=text)
