"""OSHA: the exposure control plan and safety data sheets (each with a review date; overdue reviews show on the
calendar and the dashboard), the sharps-injury log, and the OSHA 300 log with its privacy-case rule (29 CFR
1904.29(b)(7)): a privacy case shows "Privacy case" instead of the employee's name on the log and its export. A
sharps injury from a contaminated sharp entered on the 300 log is always a privacy case. The 300A yearly summary
is computed from the 300 log (see selectors)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.utils.translation import gettext as _

from clinicdesk.audit.services import atomic_service, record
from clinicdesk.core import clock
from clinicdesk.core.exceptions import Conflict, NotFound
from clinicdesk.core.permissions import Actor, Perm, require, staff_user

from ..models import (
    CaseOutcome,
    CaseType,
    InjuryCase,
    PrivacyReason,
    SafetyDocKind,
    SafetyDocument,
    SharpsInjury,
)
from ._common import Errors, choice, clean_text, location, not_future, today_at
from ._files import store_file

MAX_DAYS = 180  # OSHA caps the day counts at 180 (1904.7(b)(3)(vii))


@atomic_service
def safety_document_add(*, actor: Actor, location_id: int, kind: str, title: str, review_on: dt.date | None,
                        manufacturer: str = "", item_id: int | None = None, file: Any = None) -> SafetyDocument:
    require(actor, Perm.COMPLIANCE_ADMIN, location=location_id, resource_type="safetydocument")
    where = location(location_id)
    errors = Errors()
    kind = choice(errors, "kind", kind, SafetyDocKind, label=_("Document"))
    title = clean_text(errors, "title", title, label=_("Product or title"), max_length=160, required=True)
    manufacturer = clean_text(errors, "manufacturer", manufacturer, label=_("Manufacturer"), max_length=120)
    if review_on is None:
        errors.add("review_on", _("Give the day the next review is due."))
    if kind == SafetyDocKind.SDS and item_id is None and not manufacturer:
        errors.add("manufacturer", _("A safety data sheet names its hazardous item or its manufacturer."))
    errors.raise_if_any("invalid-safety-document")
    assert review_on is not None
    doc = SafetyDocument.objects.create(location=where, kind=kind, title=title, manufacturer=manufacturer,
                                        item_id=item_id, review_on=review_on, file=store_file(actor, file))
    record(actor, "safety-document.add", doc, detail={"kind": kind, "review_on": review_on.isoformat()})
    return doc


@atomic_service
def safety_document_reviewed(*, actor: Actor, document_id: int, next_review_on: dt.date | None,
                             file: Any = None) -> SafetyDocument:
    doc = SafetyDocument.objects.select_for_update().select_related("location").filter(pk=document_id).first()
    if doc is None:
        raise NotFound()
    require(actor, Perm.COMPLIANCE_ADMIN, location=doc.location_id, resource_type="safetydocument",
            resource_id=document_id, hide=True)
    today = today_at(doc.location)
    errors = Errors()
    if next_review_on is None or next_review_on <= today:
        errors.add("next_review_on", _("Give the next review day, after today."))
    errors.raise_if_any("invalid-review")
    assert next_review_on is not None
    doc.reviewed_on, doc.review_on = today, next_review_on
    if file is not None:
        doc.file = store_file(actor, file)
    doc.save(update_fields=["reviewed_on", "review_on", "file"])
    record(actor, "safety-document.review", doc, detail={"next_review_on": next_review_on.isoformat()})
    return doc


@atomic_service
def sharps_injury_log(*, actor: Actor, location_id: int, occurred_on: dt.date | None, device: str, work_area: str,
                      how: str) -> SharpsInjury:
    require(actor, Perm.COMPLIANCE_ADMIN, location=location_id, resource_type="sharpsinjury")
    where = location(location_id)
    errors = Errors()
    device = clean_text(errors, "device", device, label=_("Type and brand of device"), max_length=160,
                        required=True)
    work_area = clean_text(errors, "work_area", work_area, label=_("Department or work area"), max_length=120,
                           required=True)
    how = clean_text(errors, "how", how, label=_("How the incident occurred"), max_length=500, required=True)
    if occurred_on is None:
        errors.add("occurred_on", _("Give the date of the injury."))
    not_future(errors, "occurred_on", occurred_on, today_at(where), label=_("The date of the injury"))
    errors.raise_if_any("invalid-sharps-injury")
    assert occurred_on is not None
    entry = SharpsInjury.objects.create(location=where, occurred_on=occurred_on, device=device, work_area=work_area,
                                        how=how, recorded_by=staff_user(actor))
    record(actor, "sharps-injury.log", entry, detail={"occurred_on": str(occurred_on)})
    return entry


@atomic_service
def injury_case_record(*, actor: Actor, location_id: int, employee_name: str, job_title: str,
                       occurred_on: dt.date | None, where: str, description: str, outcome: str, case_type: str,
                       days_away: int | None = 0, days_restricted: int | None = 0, privacy_reason: str = "",
                       sharps_id: int | None = None) -> InjuryCase:
    """A case on the OSHA 300 log, numbered per location and year. Linked to a sharps injury it is a privacy case."""
    require(actor, Perm.COMPLIANCE_ADMIN, location=location_id, resource_type="injurycase")
    place = location(location_id)
    errors = Errors()
    employee_name = clean_text(errors, "employee_name", employee_name, label=_("Employee's name"), max_length=160,
                               required=True)
    job_title = clean_text(errors, "job_title", job_title, label=_("Job title"), max_length=120, required=True)
    where = clean_text(errors, "where", where, label=_("Where the event occurred"), max_length=120, required=True)
    description = clean_text(errors, "description", description, label=_("Injury or illness"), max_length=300,
                             required=True)
    outcome = choice(errors, "outcome", outcome, CaseOutcome, label=_("Outcome"))
    case_type = choice(errors, "case_type", case_type, CaseType, label=_("Injury or illness"))
    if privacy_reason:
        privacy_reason = choice(errors, "privacy_reason", privacy_reason, PrivacyReason, label=_("Privacy case"))
    if occurred_on is None:
        errors.add("occurred_on", _("Give the date of the injury or the onset of the illness."))
    not_future(errors, "occurred_on", occurred_on, today_at(place), label=_("The date of the injury"))
    for name, value in (("days_away", days_away), ("days_restricted", days_restricted)):
        if value is not None and not (0 <= value <= MAX_DAYS):
            errors.add(name, _("Count at most 180 days."))
    if outcome == CaseOutcome.DAYS_AWAY and not days_away:
        errors.add("days_away", _("A days-away case counts the days away from work."))
    sharps = None
    if sharps_id is not None:
        sharps = SharpsInjury.objects.select_for_update().filter(pk=sharps_id, location=place).first()
        if sharps is None:
            errors.add("sharps_id", _("Choose a sharps injury at this location."))
    errors.raise_if_any("invalid-injury-case")
    assert occurred_on is not None
    if sharps is not None:
        if sharps.case_id:
            raise Conflict("sharps-on-log", _("This sharps injury is already on the OSHA 300 log."))
        privacy_reason = PrivacyReason.SHARPS  # 1904.29(b)(7)(v): always a privacy case
    year = occurred_on.year
    last = InjuryCase.objects.filter(location=place, year=year).order_by("-case_number").first()
    case = InjuryCase.objects.create(
        location=place, year=year, case_number=(last.case_number + 1) if last else 1, employee_name=employee_name,
        job_title=job_title, occurred_on=occurred_on, where=where, description=description, outcome=outcome,
        case_type=case_type, days_away=days_away or 0, days_restricted=days_restricted or 0,
        privacy_reason=privacy_reason, recorded_by=staff_user(actor), recorded_at=clock.now())
    if sharps is not None:
        sharps.case = case
        sharps.save(update_fields=["case"])
    record(actor, "osha-case.record", case, detail={"year": year, "outcome": outcome,
                                                    "privacy": bool(privacy_reason)})
    return case
