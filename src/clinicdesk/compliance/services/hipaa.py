"""The HIPAA program: the yearly security risk assessment as a checklist (seeded questions, each with an owner,
evidence and a status), business associate agreements (their review or expiry date shows on the calendar), and
the practice's privacy and security officers."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.utils.translation import gettext as _

from clinicdesk.accounts.models import User
from clinicdesk.audit.services import atomic_service, record
from clinicdesk.core.exceptions import Conflict, NotFound
from clinicdesk.core.permissions import Actor, Perm, require
from clinicdesk.practice.models import Organization

from ..models import (
    AssessmentStatus,
    BusinessAssociate,
    ItemStatus,
    Officer,
    OfficerRole,
    RiskAssessment,
    RiskItem,
)
from ..questions import RISK_QUESTIONS
from ._common import Errors, choice, clean_text
from ._files import store_file


def _organization() -> Organization:
    found = Organization.objects.order_by("pk").first()
    if found is None:
        raise NotFound()
    return found


def _user(errors: Errors, name: str, user_id: Any, *, required: bool = True) -> User | None:
    if user_id is None and not required:
        return None
    found = User.objects.filter(pk=user_id, is_active=True).first() if isinstance(user_id, int) else None
    if found is None:
        errors.add(name, _("Choose a staff member."))
    return found


@atomic_service
def risk_assessment_start(*, actor: Actor, year: int, owner_id: int | None) -> RiskAssessment:
    """Open the year's assessment with every seeded question not yet assessed."""
    require(actor, Perm.COMPLIANCE_ADMIN, resource_type="riskassessment")
    org = _organization()
    errors = Errors()
    owner = _user(errors, "owner", owner_id)
    if not (2000 <= year <= 2100):
        errors.add("year", _("Give a year."))
    errors.raise_if_any("invalid-assessment")
    assert owner is not None
    if RiskAssessment.objects.filter(organization=org, year=year).exists():
        raise Conflict("assessment-exists", _("The assessment for %(year)s is already open.") % {"year": year})
    assessment = RiskAssessment.objects.create(organization=org, year=year, owner=owner)
    RiskItem.objects.bulk_create([RiskItem(assessment=assessment, question=key) for key in RISK_QUESTIONS])
    record(actor, "risk-assessment.start", assessment, detail={"year": year})
    return assessment


@atomic_service
def risk_item_update(*, actor: Actor, item_id: int, status: str, owner_id: int | None = None,
                     evidence_note: str = "", evidence_file: Any = None) -> RiskItem:
    require(actor, Perm.COMPLIANCE_ADMIN, resource_type="riskitem")
    item = RiskItem.objects.select_for_update(of=("self",)).select_related("assessment").filter(pk=item_id).first()
    if item is None:
        raise NotFound()
    if item.assessment.status == AssessmentStatus.COMPLETE:
        raise Conflict("assessment-complete", _("This assessment is complete; open next year's."))
    errors = Errors()
    status = choice(errors, "status", status, ItemStatus, label=_("Status"))
    owner = _user(errors, "owner", owner_id, required=False)
    note = clean_text(errors, "evidence_note", evidence_note, label=_("Evidence"), max_length=500)
    if status in (ItemStatus.MET, ItemStatus.PARTIAL) and not note and evidence_file is None and not (
            item.evidence_note or item.evidence_file_id):
        errors.add("evidence_note", _("Give the evidence that it is in place."))
    errors.raise_if_any("invalid-risk-item")
    item.status, item.owner = status, owner or item.owner
    if note:
        item.evidence_note = note
    if evidence_file is not None:
        item.evidence_file = store_file(actor, evidence_file, field="evidence_file")
    item.save()
    record(actor, "risk-assessment.answer", item, detail={"question": item.question, "status": status})
    return item


@atomic_service
def risk_assessment_complete(*, actor: Actor, assessment_id: int, today: dt.date) -> RiskAssessment:
    require(actor, Perm.COMPLIANCE_ADMIN, resource_type="riskassessment")
    assessment = RiskAssessment.objects.select_for_update().filter(pk=assessment_id).first()
    if assessment is None:
        raise NotFound()
    if assessment.status == AssessmentStatus.COMPLETE:
        raise Conflict("assessment-complete", _("This assessment is already complete."))
    if assessment.items.filter(status=ItemStatus.OPEN).exists():
        raise Conflict("assessment-open-items", _("Every question must be assessed before the assessment is "
                                                  "complete."))
    assessment.status, assessment.completed_on = AssessmentStatus.COMPLETE, today
    assessment.save(update_fields=["status", "completed_on"])
    record(actor, "risk-assessment.complete", assessment, detail={"year": assessment.year})
    return assessment


@atomic_service
def baa_add(*, actor: Actor, vendor: str, services: str, signed_on: dt.date | None, review_on: dt.date | None,
            expires_on: dt.date | None = None, file: Any = None) -> BusinessAssociate:
    require(actor, Perm.COMPLIANCE_ADMIN, resource_type="businessassociate")
    errors = Errors()
    vendor = clean_text(errors, "vendor", vendor, label=_("Vendor"), max_length=160, required=True)
    services = clean_text(errors, "services", services, label=_("Services"), max_length=300, required=True)
    if signed_on is None:
        errors.add("signed_on", _("Give the day the agreement was signed."))
    if review_on is None:
        errors.add("review_on", _("Give the day the agreement is next reviewed."))
    if signed_on and expires_on and expires_on <= signed_on:
        errors.add("expires_on", _("An agreement expires after it is signed."))
    if signed_on and review_on and review_on <= signed_on:
        errors.add("review_on", _("The review falls after the signing."))
    errors.raise_if_any("invalid-baa")
    assert signed_on is not None and review_on is not None
    baa = BusinessAssociate.objects.create(organization=_organization(), vendor=vendor, services=services,
                                           signed_on=signed_on, review_on=review_on, expires_on=expires_on,
                                           file=store_file(actor, file))
    record(actor, "baa.add", baa, detail={"signed_on": signed_on.isoformat(), "review_on": review_on.isoformat()})
    return baa


@atomic_service
def officer_set(*, actor: Actor, role: str, user_id: int | None, since: dt.date | None) -> Officer:
    require(actor, Perm.COMPLIANCE_ADMIN, resource_type="officer")
    errors = Errors()
    role = choice(errors, "role", role, OfficerRole, label=_("Role"))
    user = _user(errors, "user", user_id)
    if since is None:
        errors.add("since", _("Give the day the designation starts."))
    errors.raise_if_any("invalid-officer")
    assert user is not None and since is not None
    officer, _created = Officer.objects.update_or_create(organization=_organization(), role=role,
                                                         defaults={"user": user, "since": since})
    record(actor, "officer.designate", officer, detail={"role": role, "user": user.pk})
    return officer
