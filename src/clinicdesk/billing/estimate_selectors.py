"""Reads of estimates (#19 item 10): a patient's estimates with the visits they can be made for, one estimate
with its assumptions in words, its PDF, and the API's shape. Desk staff and billing staff, as for money at the
desk; a patient out of reach or an estimate of another location is missing. Every read is audited here."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from clinicdesk.audit.services import atomic_service, record
from clinicdesk.core import clock
from clinicdesk.core.exceptions import NotFound
from clinicdesk.core.permissions import Actor, Perm, has_perm
from clinicdesk.patients import selectors as patient_selectors
from clinicdesk.patients.models import Patient
from clinicdesk.scheduling.models import Appointment, AppointmentStatus

from .estimate_models import Estimate, EstimateKind, EstimateStatus
from .estimate_words import assumption_words, estimate_disclaimer, gfe_notices
from .services._common import _require_cashier

SHOWN = 50
_UPCOMING = (AppointmentStatus.BOOKED, "arrived", "pending", "proposed")


@dataclass
class PatientEstimates:
    patient: Patient
    estimates: list[Estimate]
    appointments: list[Appointment]


def _may(actor: Actor, location_id: int) -> bool:
    return has_perm(actor, Perm.FRONTDESK, location=location_id) or has_perm(actor, Perm.BILLING_WRITE,
                                                                                location=location_id)


@atomic_service
def patient_estimates(*, actor: Actor, patient_id: int) -> PatientEstimates:
    """The patient's estimates at the actor's locations (newest first) and their upcoming visits there."""
    patient = patient_selectors.patient_in_reach(actor, patient_id, perm=(Perm.FRONTDESK, Perm.BILLING_WRITE))
    rows = [e for e in Estimate.objects.filter(patient=patient).select_related("location", "appointment")
            .order_by("-created_at", "-pk")[:SHOWN] if _may(actor, e.location_id)]
    visits = [a for a in Appointment.objects.filter(patient=patient, start__gte=clock.now(), status__in=_UPCOMING)
              .select_related("location", "practitioner", "appointment_type").order_by("start")[:20]
              if _may(actor, a.location_id)]
    record(actor, "estimate.list", resource_type="patient", patient=patient.pk,
           detail={"estimates": [e.pk for e in rows]})
    return PatientEstimates(patient, rows, visits)


def _load(actor: Actor, estimate_id: int) -> Estimate:
    estimate = (Estimate.objects.select_related("patient", "location", "appointment__practitioner", "signed_by",
                                                "coverage").filter(pk=estimate_id).first()
                if isinstance(estimate_id, int) else None)
    if estimate is None:
        raise NotFound()
    _require_cashier(actor, estimate.location_id, hide=True, resource_type="estimate", resource_id=estimate.pk)
    return estimate


@atomic_service
def estimate_detail(*, actor: Actor, estimate_id: int) -> Estimate:
    estimate = _load(actor, estimate_id)
    record(actor, "estimate.view", estimate, patient=estimate.patient_id)
    return estimate


@atomic_service
def estimate_file(*, actor: Actor, estimate_id: int) -> tuple[bytes, str]:
    """The estimate's PDF as kept on the chart (drawn again from the stored estimate: the same content)."""
    from .estimate_pdf import estimate_pdf

    estimate = _load(actor, estimate_id)
    record(actor, "estimate.print", estimate, patient=estimate.patient_id)
    return estimate_pdf(estimate), f"{estimate.number}.pdf"


def estimate_words(estimate: Estimate) -> dict[str, Any]:
    from clinicdesk.practice import selectors as practice_selectors

    from .codesets import icd_dotted

    organization = practice_selectors.organization_current()
    return {"assumptions": [assumption_words(a) for a in estimate.assumptions],
            "diagnoses": [icd_dotted(code) for code in estimate.diagnoses],
            "npi": (organization.npi if organization else "") or "—",
            "tax_id": (organization.tax_id if organization else "") or "—",
            "disclaimer": estimate_disclaimer(),
            "notices": gfe_notices() if estimate.kind == EstimateKind.GOOD_FAITH else []}


def estimate_as_json(estimate: Estimate) -> dict[str, Any]:
    words = estimate_words(estimate)
    return {
        "id": estimate.pk, "number": estimate.number, "kind": estimate.kind,
        "kind_label": str(EstimateKind(estimate.kind).label), "status": estimate.status,
        "status_label": str(EstimateStatus(estimate.status).label), "patient_id": estimate.patient_id,
        "appointment_id": estimate.appointment_id, "location_id": estimate.location_id,
        "language": estimate.language, "service_date": estimate.service_date.isoformat(),
        "requested_on": estimate.requested_on.isoformat(), "due_by": estimate.due_by.isoformat(),
        "payer": estimate.payer_name or None, "benefits": estimate.benefits, "diagnoses": list(estimate.diagnoses),
        "lines": list(estimate.lines), "total_charge": str(estimate.total_charge),
        "total_allowed": str(estimate.total_allowed), "payer_total": str(estimate.payer_total),
        "patient_total": str(estimate.patient_total),
        "assumptions": [{"code": a["code"], "text": text} for a, text in zip(estimate.assumptions,
                                                                               words["assumptions"], strict=True)],
        "signature": None if estimate.signed_at is None else {
            "method": estimate.signature_method, "name": estimate.signed_name,
            "at": estimate.signed_at.isoformat()},
        "document_id": estimate.document_id,
    }
