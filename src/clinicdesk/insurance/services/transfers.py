"""Admissions and transfers of care (#18 item 9): a directory of outside facilities (hospitals, rehabilitation,
skilled nursing, other) with their NPI, contact and the payers they accept; a patient's admission or transfer
with its status (requested, accepted, scheduled, completed, declined: the transitions table in models.py) and
dates; follow-up tasks through the front desk's task service; its packet (PDF and FHIR Bundle) is printed from
the selectors' `transfer_packet`."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from django.utils.translation import gettext as _

from clinicdesk.audit.services import atomic_service, record
from clinicdesk.core import clock
from clinicdesk.core.exceptions import InvalidTransition, NotFound
from clinicdesk.core.identifiers import npi_valid
from clinicdesk.core.permissions import Actor, Perm, require, staff_user
from clinicdesk.patients.models import Document, Payer
from clinicdesk.patients.visibility import patient_in_reach
from clinicdesk.practice.models import Location

from ..models import (
    TRANSFER_TRANSITIONS,
    Facility,
    FacilityKind,
    OutgoingReferral,
    Transfer,
    TransferKind,
    TransferStatus,
)
from ._common import Fields, a_date, diagnosis_codes
from .rules import _require_rules_editor


@dataclass
class FacilityInput:
    name: str
    kind: str
    npi: str = ""
    phone: str = ""
    fax: str = ""
    address: str = ""
    contact_name: str = ""
    payer_ids: list[int] = field(default_factory=list)
    active: bool = True


@atomic_service
def facility_save(*, actor: Actor, data: FacilityInput, facility_id: int | None = None) -> Facility:
    """Add or change a facility of the directory (the practice coordinator or billing, as payer rules)."""
    _require_rules_editor(actor)
    facility = None
    if facility_id is not None:
        facility = Facility.objects.select_for_update().filter(pk=facility_id).first() \
            if str(facility_id).isdigit() else None
        if facility is None:
            raise NotFound()
    fields = Fields()
    name = (data.name or "").strip()
    if not name:
        fields.add("name", _("Enter the facility's name."))
    if data.kind not in FacilityKind.values:
        fields.add("kind", _("Choose the kind of facility."))
    npi = (data.npi or "").strip()
    if npi and not npi_valid(npi):
        fields.add("npi", _("An NPI is 10 digits with a valid check digit; check the number."))
    elif npi and Facility.objects.filter(npi=npi).exclude(pk=facility.pk if facility else 0).exists():
        fields.add("npi", _("Another facility has this NPI."))
    payers = list(Payer.objects.filter(pk__in=[p for p in data.payer_ids if str(p).isdigit()]))
    if len(payers) != len({p for p in data.payer_ids}):
        fields.add("payers", _("Choose payers from the list."))
    fields.raise_if_any("invalid-facility")
    values = {"name": name[:120], "kind": data.kind, "npi": npi, "phone": (data.phone or "").strip()[:30],
              "fax": (data.fax or "").strip()[:30], "address": (data.address or "").strip()[:200],
              "contact_name": (data.contact_name or "").strip()[:120], "active": bool(data.active),
              "updated_at": clock.now(), "updated_by": staff_user(actor)}
    if facility is None:
        facility = Facility.objects.create(**values)
    else:
        for key, value in values.items():
            setattr(facility, key, value)
        facility.save()
    facility.accepted_payers.set(payers)
    record(actor, "facility.save", facility, detail={"kind": facility.kind, "payers": [p.pk for p in payers]})
    return facility


@dataclass
class TransferInput:
    patient_id: int
    location_id: int
    facility_id: int
    kind: str
    reason: str
    requested_on: Any = None
    planned_for: Any = None
    diagnosis_codes: Any = ""
    referral_id: int | None = None
    document_ids: list[int] = field(default_factory=list)


@atomic_service
def transfer_request(*, actor: Actor, data: TransferInput, idempotency_key: str | None = None) -> Transfer:
    """Record an admission or a transfer of care, status requested."""
    require(actor, Perm.INSURANCE_WRITE)
    if idempotency_key and (prior := Transfer.objects.filter(idempotency_key=idempotency_key).first()):
        return prior
    patient = patient_in_reach(actor, data.patient_id, perm=Perm.INSURANCE_WRITE, record=True)
    location = Location.objects.filter(pk=data.location_id).first() if str(data.location_id).isdigit() else None
    if location is None or not actor.works_at(location.pk):
        raise NotFound()
    require(actor, Perm.INSURANCE_WRITE, location=location.pk, patient_id=patient.pk)
    fields = Fields()
    facility = Facility.objects.filter(pk=data.facility_id, active=True).first() \
        if str(data.facility_id).isdigit() else None
    if facility is None:
        fields.add("facility", _("Choose a facility from the directory."))
    if data.kind not in TransferKind.values:
        fields.add("kind", _("Choose an admission or a transfer."))
    reason = (data.reason or "").strip()
    if not reason:
        fields.add("reason", _("Enter the reason."))
    codes = diagnosis_codes(fields, data.diagnosis_codes)
    requested = a_date(fields, data.requested_on, "requested_on", required=False) or clock.now().date()
    planned = a_date(fields, data.planned_for, "planned_for", required=False)
    if planned and planned < requested:
        fields.add("planned_for", _("The planned date is before the request."))
    referral = None
    if data.referral_id not in (None, ""):
        referral = OutgoingReferral.objects.filter(pk=data.referral_id, patient=patient).first() \
            if str(data.referral_id).isdigit() else None
        if referral is None:
            fields.add("referral", _("Choose one of the patient's referral letters."))
    documents = list(Document.objects.filter(patient=patient, pk__in=[d for d in data.document_ids
                                                                       if str(d).isdigit()]))
    if len(documents) != len(set(data.document_ids)):
        fields.add("documents", _("Choose the patient's documents."))
    fields.raise_if_any("invalid-transfer")
    assert facility is not None
    now = clock.now()
    transfer = Transfer.objects.create(
        patient=patient, location=location, facility=facility, kind=data.kind, reason=reason[:500],
        diagnosis_codes=codes, status=TransferStatus.REQUESTED, requested_on=requested, planned_for=planned,
        status_changed_at=now, referral=referral, idempotency_key=idempotency_key or None, created_at=now,
        created_by=staff_user(actor))
    transfer.documents.set(documents)
    record(actor, "transfer.create", transfer, patient=patient.pk,
           detail={"facility": facility.pk, "kind": data.kind, "documents": [d.pk for d in documents]})
    return transfer


def _locked(actor: Actor, transfer_id: Any) -> Transfer:
    transfer = Transfer.objects.select_for_update(of=("self",)).select_related("facility").filter(
        pk=transfer_id).first() if str(transfer_id).isdigit() else None
    if transfer is None or not actor.works_at(transfer.location_id):
        raise NotFound()
    require(actor, Perm.INSURANCE_WRITE, location=transfer.location_id, patient_id=transfer.patient_id)
    patient_in_reach(actor, transfer.patient_id, perm=Perm.INSURANCE_WRITE)
    return transfer


@atomic_service
def transfer_set_status(*, actor: Actor, transfer_id: int, status: str, planned_for: Any = None, note: str = ""
                        ) -> Transfer:
    """Move a transfer along the transitions table; scheduling it needs the date."""
    require(actor, Perm.INSURANCE_WRITE)
    transfer = _locked(actor, transfer_id)
    if status not in TRANSFER_TRANSITIONS.get(transfer.status, frozenset()):
        raise InvalidTransition("transfer-transition", _("A transfer that is “%(now)s” cannot become “%(next)s”.")
                                % {"now": transfer.get_status_display(),
                                   "next": TransferStatus(status).label if status in TransferStatus.values
                                   else status})
    fields = Fields()
    planned = a_date(fields, planned_for, "planned_for", required=status == TransferStatus.SCHEDULED
                     and transfer.planned_for is None)
    if planned and planned < transfer.requested_on:
        fields.add("planned_for", _("The planned date is before the request."))
    fields.raise_if_any("invalid-transfer-status")
    now = clock.now()
    before = transfer.status
    transfer.status, transfer.status_note, transfer.status_changed_at = status, note.strip()[:200], now
    if planned:
        transfer.planned_for = planned
    stamp = {TransferStatus.ACCEPTED: "accepted_at", TransferStatus.COMPLETED: "completed_at",
             TransferStatus.DECLINED: "declined_at"}.get(TransferStatus(status))
    if stamp:
        setattr(transfer, stamp, now)
    transfer.save()
    record(actor, "transfer.status", transfer, patient=transfer.patient_id, detail={"from": before, "to": status})
    return transfer


@atomic_service
def transfer_follow_up(*, actor: Actor, transfer_id: int, title: str, due_date: Any) -> Transfer:
    """A follow-up task for the coordinators' pool (the front desk's task service), kept on the transfer."""
    require(actor, Perm.INSURANCE_WRITE)
    transfer = _locked(actor, transfer_id)
    fields = Fields()
    due = a_date(fields, due_date, "due_date")
    if not (title or "").strip():
        fields.add("title", _("Say what needs doing."))
    fields.raise_if_any("invalid-follow-up")
    assert due is not None
    from clinicdesk.frontdesk.services import task_create  # frontdesk imports insurance's selectors at load

    task = task_create(actor=actor, location_id=transfer.location_id, title=title.strip()[:200], due_date=due,
                       pool="patient_coordinator", patient_id=transfer.patient_id)
    transfer.follow_up_task_ids = [*transfer.follow_up_task_ids, task.pk]
    transfer.save(update_fields=["follow_up_task_ids"])
    record(actor, "transfer.follow-up", transfer, patient=transfer.patient_id, detail={"task": task.pk})
    return transfer


def transfer_day(transfer: Transfer) -> dt.date:
    return transfer.planned_for or transfer.requested_on
