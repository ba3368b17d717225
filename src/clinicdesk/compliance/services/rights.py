"""Patient rights requests and the accounting of disclosures.

- Access to records (HIPAA right of access, 45 CFR 164.524): due 30 days after it was received.
- Amendment (45 CFR 164.526): due 60 days after it was received; accepted (fulfilled) or denied with a reason.
- Release of information to a third party on the patient's authorization (45 CFR 164.508): due 30 days after it
  was received (practice policy). Before anything is sent, the authorization is checked: signed (not in the
  future), not expired on the day it is sent, and covering every part of the record that is sent. What was sent
  and to whom is kept as a disclosure.

Every disclosure (a release, and any other one recorded here: public health, law, oversight, research) is in the
accounting of disclosures (45 CFR 164.528), which a patient may receive as a PDF for the last six years.

States (models.REQUEST_TRANSITIONS): received -> in-progress -> fulfilled | denied | withdrawn.
"""

from __future__ import annotations

import datetime as dt

from django.utils.translation import gettext as _

from clinicdesk.audit.services import atomic_service, record
from clinicdesk.core import clock
from clinicdesk.core.exceptions import Conflict, NotFound
from clinicdesk.core.permissions import Actor, Perm, require, staff_user

from ..models import (
    REQUEST_DAYS,
    REQUEST_TRANSITIONS,
    Disclosure,
    DisclosurePurpose,
    RecordPart,
    RequestKind,
    RequestStatus,
    RightsRequest,
)
from ..pdf import part_labels
from ._common import Errors, choice, clean_text, location, move, not_future, patient_by_mrn, today_at


def request_due(kind: str, received_on: dt.date) -> dt.date:
    return received_on + dt.timedelta(days=REQUEST_DAYS[RequestKind(kind)])


def _parts(errors: Errors, name: str, values: list[str] | None, *, label: str) -> list[str]:
    parts = sorted(set(values or []))
    if any(p not in RecordPart.values for p in parts):
        errors.add(name, _("%(label)s: choose parts of the record from the list.") % {"label": label})
        return []
    return parts


def _request(actor: Actor, request_id: int) -> RightsRequest:
    found = (RightsRequest.objects.select_for_update(of=("self",)).select_related("location", "patient")
             .filter(pk=request_id).first())
    if found is None:
        raise NotFound()
    require(actor, Perm.COMPLIANCE_ADMIN, location=found.location_id, resource_type="rightsrequest",
            resource_id=request_id, patient_id=found.patient_id, hide=True)
    return found


@atomic_service
def rights_request_log(*, actor: Actor, location_id: int, patient_mrn: str, kind: str, details: str,
                       received_on: dt.date | None = None, recipient: str = "", recipient_address: str = "",
                       authorization_signed_on: dt.date | None = None,
                       authorization_expires_on: dt.date | None = None,
                       authorization_covers: list[str] | None = None, idempotency_key: str = "") -> RightsRequest:
    require(actor, Perm.COMPLIANCE_ADMIN, location=location_id, resource_type="rightsrequest")
    if idempotency_key and (prior := RightsRequest.objects.filter(idempotency_key=idempotency_key).first()):
        return prior
    where = location(location_id)
    today = today_at(where)
    errors = Errors()
    patient = patient_by_mrn(actor, errors, patient_mrn, field="patient_mrn")
    kind = choice(errors, "kind", kind, RequestKind, label=_("The kind of request"))
    details = clean_text(errors, "details", details, label=_("What is asked"), max_length=2000, required=True,
                         multiline=True)
    received_on = received_on or today
    not_future(errors, "received_on", received_on, today, label=_("The date received"))
    recipient = clean_text(errors, "recipient", recipient, label=_("Recipient"), max_length=160,
                           required=kind == RequestKind.RELEASE)
    recipient_address = clean_text(errors, "recipient_address", recipient_address, label=_("Recipient's address"),
                                   max_length=300)
    covers = _parts(errors, "authorization_covers", authorization_covers, label=_("Authorization covers"))
    not_future(errors, "authorization_signed_on", authorization_signed_on, today, label=_("The signature date"))
    errors.raise_if_any("invalid-request")
    assert patient is not None
    request = RightsRequest.objects.create(
        location=where, patient=patient, kind=kind, received_on=received_on, due_on=request_due(kind, received_on),
        details=details, recipient=recipient, recipient_address=recipient_address,
        authorization_signed_on=authorization_signed_on, authorization_expires_on=authorization_expires_on,
        authorization_covers=covers, logged_by=staff_user(actor), idempotency_key=idempotency_key or None)
    record(actor, "rights-request.log", request, patient=patient,
           detail={"kind": kind, "due_on": request.due_on.isoformat()})
    return request


@atomic_service
def rights_request_start(*, actor: Actor, request_id: int) -> RightsRequest:
    request = _request(actor, request_id)
    move(request, RequestStatus.IN_PROGRESS, REQUEST_TRANSITIONS, _("A request"), RequestStatus)
    request.save(update_fields=["status"])
    record(actor, "rights-request.start", request, patient=request.patient_id)
    return request


def authorization_problems(request: RightsRequest, parts: list[str], on: dt.date) -> list[str]:
    """Why the authorization does not allow sending these parts on that day (empty: it does)."""
    problems = []
    if request.authorization_signed_on is None:
        problems.append(_("The patient's signed authorization is missing."))
    elif request.authorization_signed_on > on:
        problems.append(_("The authorization is dated after today."))
    if request.authorization_expires_on is None:
        problems.append(_("The authorization has no expiry date or event."))
    elif request.authorization_expires_on < on:
        problems.append(_("The authorization expired on %(date)s.") % {"date": request.authorization_expires_on})
    missing = [p for p in parts if p not in (request.authorization_covers or [])]
    if missing:
        problems.append(_("The authorization does not cover: %(parts)s.") % {"parts": part_labels(missing)})
    return problems


@atomic_service
def rights_request_fulfil(*, actor: Actor, request_id: int, outcome: str = "",
                          sent_parts: list[str] | None = None) -> RightsRequest:
    """Done: records given to the patient, an amendment made, or (a release) the parts sent to the recipient,
    after the authorization check; the release becomes a disclosure."""
    request = _request(actor, request_id)
    today = today_at(request.location)
    errors = Errors()
    outcome = clean_text(errors, "outcome", outcome, label=_("Outcome"), max_length=500)
    parts: list[str] = []
    if request.kind == RequestKind.RELEASE:
        parts = _parts(errors, "sent_parts", sent_parts, label=_("What was sent"))
        if not parts and "sent_parts" not in errors.fields:
            errors.add("sent_parts", _("Say which parts of the record were sent."))
    errors.raise_if_any("invalid-fulfilment")
    if request.kind == RequestKind.RELEASE and (problems := authorization_problems(request, parts, today)):
        raise Conflict("authorization-refused", " ".join(str(p) for p in problems))
    move(request, RequestStatus.FULFILLED, REQUEST_TRANSITIONS, _("A request"), RequestStatus)
    request.completed_on, request.outcome, request.sent_parts = today, outcome, parts
    request.save(update_fields=["status", "completed_on", "outcome", "sent_parts"])
    record(actor, "rights-request.fulfil", request, patient=request.patient_id,
           detail={"late": today > request.due_on, "parts": parts})
    if request.kind == RequestKind.RELEASE:
        _disclose(actor, request.patient_id, request.location_id, today, request.recipient, request.recipient_address,
                  DisclosurePurpose.AUTHORIZED, parts, outcome, request)
    return request


@atomic_service
def rights_request_close(*, actor: Actor, request_id: int, status: str, outcome: str) -> RightsRequest:
    """Denied (with the reason, as 164.524(d) and 164.526(d) require) or withdrawn by the patient."""
    request = _request(actor, request_id)
    errors = Errors()
    if status not in (RequestStatus.DENIED, RequestStatus.WITHDRAWN):
        errors.add("status", _("Choose denied or withdrawn."))
    outcome = clean_text(errors, "outcome", outcome, label=_("Reason"), max_length=500, required=True)
    errors.raise_if_any("invalid-close")
    move(request, status, REQUEST_TRANSITIONS, _("A request"), RequestStatus)
    request.completed_on, request.outcome = today_at(request.location), outcome
    request.save(update_fields=["status", "completed_on", "outcome"])
    if status == RequestStatus.DENIED:
        record(actor, "rights-request.deny", request, patient=request.patient_id)
    else:
        record(actor, "rights-request.withdraw", request, patient=request.patient_id)
    return request


def _disclose(actor: Actor, patient_id: int, location_id: int, day: dt.date, recipient: str, address: str,
              purpose: str, parts: list[str], description: str, request: RightsRequest | None) -> Disclosure:
    disclosure = Disclosure.objects.create(
        patient_id=patient_id, location_id=location_id, disclosed_on=day, recipient=recipient,
        recipient_address=address, purpose=purpose, parts=parts, description=description, request=request,
        recorded_by=staff_user(actor), recorded_at=clock.now())
    record(actor, "disclosure.record", disclosure, patient=patient_id,
           detail={"purpose": purpose, "parts": parts, "request": request.pk if request else None})
    return disclosure


@atomic_service
def disclosure_record(*, actor: Actor, location_id: int, patient_mrn: str, disclosed_on: dt.date | None,
                      recipient: str, purpose: str, parts: list[str] | None, recipient_address: str = "",
                      description: str = "") -> Disclosure:
    """Any other disclosure the accounting must list (public health, law, oversight, research, ...)."""
    require(actor, Perm.COMPLIANCE_ADMIN, location=location_id, resource_type="disclosure")
    where = location(location_id)
    errors = Errors()
    patient = patient_by_mrn(actor, errors, patient_mrn, field="patient_mrn")
    recipient = clean_text(errors, "recipient", recipient, label=_("Recipient"), max_length=160, required=True)
    recipient_address = clean_text(errors, "recipient_address", recipient_address, label=_("Recipient's address"),
                                   max_length=300)
    description = clean_text(errors, "description", description, label=_("Description"), max_length=500)
    purpose = choice(errors, "purpose", purpose, DisclosurePurpose, label=_("The purpose"))
    chosen = _parts(errors, "parts", parts, label=_("What was disclosed"))
    if not chosen and "parts" not in errors.fields:
        errors.add("parts", _("Say which parts of the record were disclosed."))
    if disclosed_on is None:
        errors.add("disclosed_on", _("Give the date of the disclosure."))
    not_future(errors, "disclosed_on", disclosed_on, today_at(where), label=_("The date of the disclosure"))
    errors.raise_if_any("invalid-disclosure")
    assert patient is not None and disclosed_on is not None
    return _disclose(actor, patient.pk, where.pk, disclosed_on, recipient, recipient_address, purpose, chosen,
                     description, None)
