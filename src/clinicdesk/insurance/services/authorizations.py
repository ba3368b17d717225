"""Prior authorizations (#18 item 7): the request (procedure codes, units, dates, clinical reason, documents),
the payer's answer as a transitions table (requested, approved, partly approved, denied, expired), the units used
as visits are fulfilled. The appointment's pre-visit item "prior authorization" is ticked only when an approved
authorization covers its date: `checklist_guard` is the one rule, asked by scheduling's
`appointment_checklist_mark` through its `checklist_marking` hook (insurance/hooks.py)."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from django.utils.translation import gettext as _

from clinicdesk.audit.services import atomic_service, record
from clinicdesk.core import clock
from clinicdesk.core.exceptions import Conflict, InvalidTransition, NotFound
from clinicdesk.core.permissions import Actor, Perm, has_perm, require, staff_user
from clinicdesk.patients.models import Coverage, Document
from clinicdesk.patients.services import document_upload
from clinicdesk.patients.visibility import patient_in_reach
from clinicdesk.scheduling.models import ACTIVE_STATUSES, Appointment, AppointmentType, ChecklistItem
from clinicdesk.scheduling.services import appointment_checklist_mark

from ..models import (
    APPROVED_STATUSES,
    AUTHORIZATION_TRANSITIONS,
    AuthorizationStatus,
    AuthorizationVisit,
    PriorAuthorization,
)
from ._common import Fields, a_count, a_date, dates_in_order, procedure_codes, shown
from .rules import authorization_fits, prior_auth_codes, rules_for, rules_for_visit, visit_codes


@dataclass
class Decision:
    """The payer's answer: approved or partly approved need the number, the units and the dates."""

    status: str
    auth_number: str = ""
    units_approved: Any = None
    valid_from: Any = None
    valid_to: Any = None
    note: str = ""


@dataclass
class AuthorizationInput:
    patient_id: int
    procedure_codes: Any
    units_requested: Any
    requested_from: Any
    requested_to: Any
    clinical_reason: str
    coverage_id: int | None = None
    appointment_type_id: int | None = None
    document_ids: list[int] = field(default_factory=list)
    upload: Any = None
    appointment_ids: list[int] = field(default_factory=list)
    decision: Decision | None = None  # the payer answered at once (on the phone, on its portal)


def _day(appointment: Appointment) -> dt.date:
    return appointment.start.astimezone(appointment.location.tz).date()


def _primary_coverage(patient_id: int, day: dt.date) -> Coverage | None:
    for coverage in (Coverage.objects.select_related("payer").filter(patient_id=patient_id)
                     .order_by("order", "-start_date", "pk")):
        if coverage.is_active_on(day):
            return coverage
    return None


def _needed_codes(appointment: Appointment, day: dt.date) -> frozenset[str]:
    """The visit's procedure codes (its type's usual codes) that the primary payer's rules want authorized."""
    coverage = _primary_coverage(appointment.patient_id, day)
    if coverage is None:
        return frozenset()
    codes = visit_codes([appointment.appointment_type_id]).get(appointment.appointment_type_id, [])
    needs = rules_for(payer_id=coverage.payer_id, appointment_type_id=appointment.appointment_type_id,
                      procedure_codes=codes)
    return prior_auth_codes(needs.rules, codes)


def covering_authorization(appointment: Appointment) -> PriorAuthorization | None:
    """The approved authorization that covers the appointment: the one linked to it, else one of the patient's
    valid on its date with units left, for its type (or for any type; when the payer's rule is about procedure
    codes, one that names a code the visit usually bills)."""
    day = _day(appointment)
    linked = (PriorAuthorization.objects.filter(visits__appointment=appointment).first())
    if linked is not None:
        return linked if linked.status in APPROVED_STATUSES and linked.valid_from and linked.valid_to \
            and linked.valid_from <= day <= linked.valid_to else None
    needed: frozenset[str] | None = None
    for found in PriorAuthorization.objects.filter(patient_id=appointment.patient_id, status__in=APPROVED_STATUSES,
                                                   valid_from__lte=day, valid_to__gte=day).order_by("valid_to", "pk"):
        if not found.covers(day):
            continue
        needed = _needed_codes(appointment, day) if needed is None else needed
        if authorization_fits(found, appointment_type_id=appointment.appointment_type_id, needed_codes=needed):
            return found
    return None


def _rule_words(rule: Any, payer_name: str, type_name: str) -> str:
    if rule.procedure_code:
        return _("%(payer)s requires a prior authorization for procedure %(code)s (a usual code of %(type)s).") % {
            "payer": payer_name, "code": rule.procedure_code, "type": type_name}
    return _("%(payer)s requires a prior authorization for %(type)s.") % {"payer": payer_name, "type": type_name}


def readiness_requirements(appointments: Sequence[Appointment]) -> dict[int, list[Any]]:
    """For scheduling's readiness (hook `readiness_requirements`), for many appointments at once: "prior
    authorization" is required when the primary payer on the visit's date has a rule needing one for the visit's
    type or one of its usual procedure codes, and no approved authorization covers the visit
    (`covering_authorization`, the one check). Each rule that needs it is named. The patients' coverages are read
    in one query and each payer's rules for a type once, so a list's queries do not grow with its rows."""
    from clinicdesk.scheduling.hooks import Requirement

    coverages: dict[int, list[Coverage]] = defaultdict(list)
    for held in (Coverage.objects.select_related("payer")
                 .filter(patient_id__in={a.patient_id for a in appointments})
                 .order_by("order", "-start_date", "pk")):
        coverages[held.patient_id].append(held)
    rules: dict[tuple[int, int], Any] = {}
    found: dict[int, list[Any]] = {}
    for appointment in appointments:
        day = _day(appointment)
        coverage = next((c for c in coverages[appointment.patient_id] if c.is_active_on(day)), None)
        found[appointment.pk] = []
        if coverage is None:
            continue
        payer_id, type_id = key = (coverage.payer_id, appointment.appointment_type_id)
        if key not in rules:
            rules[key] = rules_for_visit(payer_id=payer_id, appointment_type_id=type_id)
        needs = rules[key]
        if not needs.prior_auth or covering_authorization(appointment) is not None:
            continue
        payer_name, type_name = coverage.payer.name, appointment.appointment_type.local_name
        found[appointment.pk] = [
            Requirement(ChecklistItem.PRIOR_AUTH, _rule_words(rule, payer_name, type_name), "prior-auth-missing")
            for rule in sorted(needs.rules, key=lambda r: (r.procedure_code, r.pk)) if rule.needs_prior_auth]
    return found


def checklist_guard(*, appointment: Appointment, item: str, done: bool) -> None:
    """Refuse ticking "prior authorization" unless an approved authorization covers the visit's date."""
    if item != ChecklistItem.PRIOR_AUTH or not done:
        return
    if covering_authorization(appointment) is None:
        raise Conflict("prior-auth-missing",
                       _("No approved prior authorization covers this visit on %(day)s. Record the payer's "
                         "approval first; the item is then ticked.") % {"day": shown(_day(appointment))})


def _validate_decision(fields: Fields, decision: Decision, *, units_requested: int | None) -> dict[str, Any]:
    if decision.status not in AuthorizationStatus.values or decision.status == AuthorizationStatus.REQUESTED:
        fields.add("status", _("Choose the payer's answer."))
        return {}
    out: dict[str, Any] = {"status": decision.status, "decision_note": (decision.note or "").strip()[:300]}
    if decision.status in APPROVED_STATUSES:
        number = (decision.auth_number or "").strip()
        if not number:
            fields.add("auth_number", _("Enter the payer's authorization number."))
        units = a_count(fields, decision.units_approved, "units_approved")
        start = a_date(fields, decision.valid_from, "valid_from")
        end = a_date(fields, decision.valid_to, "valid_to")
        dates_in_order(fields, start, end, "valid_to")
        if units is not None and units_requested is not None and units > units_requested:
            fields.add("units_approved", _("More units approved (%(a)s) than requested (%(r)s).")
                       % {"a": units, "r": units_requested})
        out.update(auth_number=number[:40], units_approved=units, valid_from=start, valid_to=end)
    elif decision.auth_number:
        out["auth_number"] = decision.auth_number.strip()[:40]
    return out


def _apply_decision(actor: Actor, authorization: PriorAuthorization, values: dict[str, Any]) -> None:
    before = authorization.status
    for name, value in values.items():
        setattr(authorization, name, value)
    authorization.decided_at = clock.now()
    authorization.save()
    record(actor, "authorization.status", authorization, patient=authorization.patient_id,
           detail={"from": before, "to": authorization.status, "units": authorization.units_approved})
    _follow_checklists(actor, authorization)


def _link(actor: Actor, authorization: PriorAuthorization, appointment: Appointment) -> None:
    if appointment.patient_id != authorization.patient_id:
        raise Conflict("authorization-other-patient", _("That appointment is another patient's."))
    prior = AuthorizationVisit.objects.filter(appointment=appointment).first()
    if prior is not None and prior.authorization_id != authorization.pk:
        raise Conflict("appointment-has-authorization",
                       _("That appointment is already covered by another authorization."))
    if prior is None:
        AuthorizationVisit.objects.create(authorization=authorization, appointment=appointment)
        record(actor, "authorization.link", authorization, patient=authorization.patient_id,
               detail={"appointment": appointment.pk})


def _follow_checklists(actor: Actor, authorization: PriorAuthorization) -> None:
    """Approved: the linked visits (and the patient's coming visits of its type in its dates) get "prior
    authorization" ticked; denied or expired: untick it on the visits still to come."""
    today = clock.now()
    if authorization.status in APPROVED_STATUSES:
        assert authorization.valid_from is not None and authorization.valid_to is not None
        candidates = list(Appointment.objects.select_related("location", "appointment_type").filter(
            patient_id=authorization.patient_id, status__in=ACTIVE_STATUSES, start__gte=today,
            start__date__gte=authorization.valid_from - dt.timedelta(days=1),
            start__date__lte=authorization.valid_to + dt.timedelta(days=1)).order_by("start", "pk"))
        linked = set(authorization.visits.values_list("appointment_id", flat=True))
        for appointment in candidates:
            wanted = ChecklistItem.PRIOR_AUTH in (appointment.appointment_type.checklist or [])
            same_type = wanted and authorization_fits(
                authorization, appointment_type_id=appointment.appointment_type_id,
                needed_codes=_needed_codes(appointment, _day(appointment)))
            fits = authorization.valid_from <= _day(appointment) <= authorization.valid_to and (
                appointment.pk in linked or same_type)
            if not (wanted and fits) or ChecklistItem.PRIOR_AUTH in (appointment.checklist_done or []):
                continue
            if not has_perm(actor, Perm.SCHEDULE_WRITE, location=appointment.location_id):
                continue  # billing records the answer; the desk ticks the item (the guard lets it now)
            if appointment.pk not in linked:
                if AuthorizationVisit.objects.filter(appointment=appointment).exists():
                    continue
                _link(actor, authorization, appointment)
            appointment_checklist_mark(actor=actor, appointment_id=appointment.pk, item=ChecklistItem.PRIOR_AUTH)
    elif authorization.status in (AuthorizationStatus.DENIED, AuthorizationStatus.EXPIRED):
        for visit in authorization.visits.select_related("appointment__appointment_type").filter(counted=False):
            appointment = visit.appointment
            if appointment.start >= today and ChecklistItem.PRIOR_AUTH in (appointment.checklist_done or []) \
                    and has_perm(actor, Perm.SCHEDULE_WRITE, location=appointment.location_id):
                appointment_checklist_mark(actor=actor, appointment_id=appointment.pk,
                                           item=ChecklistItem.PRIOR_AUTH, done=False)


@atomic_service
def authorization_request(*, actor: Actor, data: AuthorizationInput, idempotency_key: str | None = None
                          ) -> PriorAuthorization:
    """Record a request for a prior authorization (and, when the payer answered at once, its answer)."""
    require(actor, Perm.INSURANCE_WRITE)
    if idempotency_key and (prior := PriorAuthorization.objects.filter(idempotency_key=idempotency_key).first()):
        return prior
    patient = patient_in_reach(actor, data.patient_id, perm=Perm.INSURANCE_WRITE, record=True)
    fields = Fields()
    codes = procedure_codes(fields, data.procedure_codes)
    units = a_count(fields, data.units_requested, "units_requested")
    start = a_date(fields, data.requested_from, "requested_from")
    end = a_date(fields, data.requested_to, "requested_to")
    dates_in_order(fields, start, end, "requested_to")
    reason = (data.clinical_reason or "").strip()
    if not reason:
        fields.add("clinical_reason", _("Enter the clinical reason the payer will read."))
    coverage = None
    if data.coverage_id not in (None, ""):
        coverage = Coverage.objects.select_related("payer").filter(pk=data.coverage_id, patient=patient).first() \
            if str(data.coverage_id).isdigit() else None
        if coverage is None:
            fields.add("coverage", _("Choose one of the patient's coverages."))
    elif start is not None:
        coverage = _primary_coverage(patient.pk, start)
    kind = None
    if data.appointment_type_id not in (None, ""):
        kind = AppointmentType.objects.filter(pk=data.appointment_type_id).first() \
            if str(data.appointment_type_id).isdigit() else None
        if kind is None:
            fields.add("appointment_type", _("Choose an appointment type."))
    documents = list(Document.objects.filter(patient=patient, pk__in=[d for d in data.document_ids
                                                                      if str(d).isdigit()]))
    if len(documents) != len(set(data.document_ids)):
        fields.add("documents", _("Choose the patient's documents."))
    appointments = list(Appointment.objects.select_related("location").filter(
        patient=patient, pk__in=[a for a in data.appointment_ids if str(a).isdigit()]).order_by("pk"))
    if len(appointments) != len(set(data.appointment_ids)):
        fields.add("appointments", _("Choose the patient's appointments."))
    decided: dict[str, Any] = {}
    if data.decision is not None:
        decided = _validate_decision(fields, data.decision, units_requested=units)
    fields.raise_if_any("invalid-authorization")
    assert units is not None and start is not None and end is not None
    if data.upload is not None:
        documents.append(document_upload(actor=actor, patient_id=patient.pk, kind=Document.Kind.OTHER,
                                         upload=data.upload, description=_("Prior authorization request")))
    authorization = PriorAuthorization.objects.create(
        patient=patient, coverage=coverage, payer=coverage.payer if coverage else None, appointment_type=kind,
        procedure_codes=codes, units_requested=units, requested_from=start, requested_to=end,
        clinical_reason=reason[:500], idempotency_key=idempotency_key or None, created_at=clock.now(),
        created_by=staff_user(actor))
    if documents:
        authorization.documents.set(documents)
    record(actor, "authorization.create", authorization, patient=patient.pk,
           detail={"codes": codes, "units": units, "documents": len(documents)})
    for appointment in appointments:
        _link(actor, authorization, appointment)
    if decided:
        _apply_decision(actor, authorization, decided)
    return authorization


def _load(actor: Actor, authorization_id: int) -> PriorAuthorization:
    require(actor, Perm.INSURANCE_WRITE)
    authorization = PriorAuthorization.objects.select_for_update(of=("self",)).filter(pk=authorization_id).first() \
        if str(authorization_id).isdigit() else None
    if authorization is None:
        raise NotFound()
    patient_in_reach(actor, authorization.patient_id, perm=Perm.INSURANCE_WRITE)
    return authorization


@atomic_service
def authorization_decide(*, actor: Actor, authorization_id: int, decision: Decision) -> PriorAuthorization:
    """Record the payer's answer or a change of it (the transitions table)."""
    authorization = _load(actor, authorization_id)
    if decision.status not in AUTHORIZATION_TRANSITIONS.get(authorization.status, frozenset()):
        raise InvalidTransition(
            "authorization-transition",
            _("An authorization that is “%(now)s” cannot become “%(next)s”.")
            % {"now": authorization.get_status_display(),
               "next": AuthorizationStatus(decision.status).label if decision.status in AuthorizationStatus.values
               else decision.status})
    fields = Fields()
    if decision.status == AuthorizationStatus.EXPIRED:
        values: dict[str, Any] = {"status": decision.status, "decision_note": (decision.note or "").strip()[:300]}
    else:
        values = _validate_decision(fields, decision, units_requested=authorization.units_requested)
    fields.raise_if_any("invalid-authorization")
    if values.get("units_approved") is not None and values["units_approved"] < authorization.units_used:
        raise Conflict("authorization-units-used",
                       _("%(used)s units are already used; the approval cannot be lower.")
                       % {"used": authorization.units_used})
    _apply_decision(actor, authorization, values)
    return authorization


def count_unit(*, appointment: Appointment, actor: Actor) -> PriorAuthorization | None:
    """The appointment was fulfilled: one unit of its authorization is used (scheduling status hook); never
    beyond the units approved (refused, rolling the move back, with the reason)."""
    visit = AuthorizationVisit.objects.filter(appointment=appointment, counted=False).first()
    if visit is None:
        return None
    authorization = PriorAuthorization.objects.select_for_update(of=("self",)).get(pk=visit.authorization_id)
    if authorization.status not in APPROVED_STATUSES:
        return None
    if authorization.units_used >= (authorization.units_approved or 0):
        raise Conflict("authorization-used-up",
                       _("Authorization %(number)s allows %(n)s units and all are used: ask the payer for more "
                         "before this visit is completed.")
                       % {"number": authorization.auth_number, "n": authorization.units_approved})
    authorization.units_used += 1
    authorization.save(update_fields=["units_used"])
    visit.counted, visit.counted_at = True, clock.now()
    visit.save(update_fields=["counted", "counted_at"])
    record(actor, "authorization.unit-used", authorization, patient=authorization.patient_id,
           detail={"appointment": appointment.pk, "used": authorization.units_used})
    return authorization


@atomic_service
def authorizations_expire(*, actor: Actor) -> int:
    """Approved authorizations whose last valid day has passed become expired (the nightly sweep)."""
    today = clock.now().date()
    count = 0
    for authorization in (PriorAuthorization.objects.select_for_update(of=("self",))
                          .filter(status__in=APPROVED_STATUSES, valid_to__lt=today).order_by("pk")):
        _apply_decision(actor, authorization, {"status": AuthorizationStatus.EXPIRED})
        count += 1
    return count
