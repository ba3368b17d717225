"""Reads of referrals, prior authorizations and payer rules (#18 items 1, 6, 7). PHI reads are audited here.

`referral_warnings_for` is the one check the booking dialog (scheduling) and the pre-visit worklist ask: the
payer needs a referral and there is none, it is used up, or it expires before the visit; the payer or the type
needs a prior authorization and none approved covers the date."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass, field

from django.db.models import QuerySet
from django.utils.translation import gettext as _

from clinicdesk.audit.services import atomic_service, record
from clinicdesk.core import clock
from clinicdesk.core.exceptions import NotFound
from clinicdesk.core.permissions import Actor, Perm, has_perm, require
from clinicdesk.patients.models import Coverage, Document, Patient, Payer
from clinicdesk.patients.visibility import (
    listed_rows,
    location_filter,
    patient_in_reach,
    record_filter,
    visible_patients,
)
from clinicdesk.practice.models import Location
from clinicdesk.scheduling.models import ACTIVE_STATUSES, Appointment, AppointmentType, ChecklistItem

from .models import (
    APPROVED_STATUSES,
    OUTGOING_TRANSITIONS,
    AuthorizationStatus,
    AuthorizationVisit,
    OutgoingReferral,
    OutgoingReferralStatus,
    PayerRule,
    PriorAuthorization,
    Referral,
    ReferralVisit,
)
from .services._common import shown
from .services.rules import authorization_fits, prior_auth_codes, rule_applies, visit_codes

WORKLIST_DAYS = 14


@dataclass(frozen=True)
class ReferralWarning:
    kind: str  # "referral-missing", "referral-used-up", "referral-expires", "prior-auth-missing"
    text: str


@dataclass
class _Facts:
    """What the warnings need, loaded once for many appointments."""

    coverages: dict[int, list[Coverage]] = field(default_factory=dict)
    rules: dict[int, list[PayerRule]] = field(default_factory=dict)
    referrals: dict[int, list[Referral]] = field(default_factory=dict)
    reserved: dict[int, set[int]] = field(default_factory=dict)  # referral -> appointments still to come
    referral_of: dict[int, int] = field(default_factory=dict)  # appointment -> referral
    authorizations: dict[int, list[PriorAuthorization]] = field(default_factory=dict)
    authorization_of: dict[int, int] = field(default_factory=dict)
    codes: dict[int, list[str]] = field(default_factory=dict)  # appointment type -> its usual procedure codes


def _facts(patient_ids: set[int], type_ids: set[int]) -> _Facts:
    facts = _Facts(codes=visit_codes(type_ids))
    payer_ids: set[int] = set()
    for coverage in Coverage.objects.select_related("payer").filter(patient_id__in=patient_ids).order_by(
            "patient_id", "order", "-start_date", "pk"):
        facts.coverages.setdefault(coverage.patient_id, []).append(coverage)
        payer_ids.add(coverage.payer_id)
    for rule in PayerRule.objects.filter(payer_id__in=payer_ids):
        facts.rules.setdefault(rule.payer_id, []).append(rule)
    for referral in Referral.objects.filter(patient_id__in=patient_ids).order_by("valid_to", "pk"):
        facts.referrals.setdefault(referral.patient_id, []).append(referral)
    for visit in ReferralVisit.objects.filter(referral__patient_id__in=patient_ids).select_related("appointment"):
        facts.referral_of[visit.appointment_id] = visit.referral_id
        if not visit.counted and visit.appointment.status in ACTIVE_STATUSES:
            facts.reserved.setdefault(visit.referral_id, set()).add(visit.appointment_id)
    for authorization in PriorAuthorization.objects.filter(patient_id__in=patient_ids).order_by("valid_to", "pk"):
        facts.authorizations.setdefault(authorization.patient_id, []).append(authorization)
    for link in AuthorizationVisit.objects.filter(authorization__patient_id__in=patient_ids):
        facts.authorization_of[link.appointment_id] = link.authorization_id
    return facts


def _warnings(facts: _Facts, *, patient_id: int, kind: AppointmentType, day: dt.date,
              appointment_id: int | None) -> list[ReferralWarning]:
    coverage = next((c for c in facts.coverages.get(patient_id, []) if c.is_active_on(day)), None)
    codes = facts.codes.get(kind.pk, [])
    rules = [r for r in facts.rules.get(coverage.payer_id, [])
             if rule_applies(r, appointment_type_id=kind.pk, procedure_codes=codes)] if coverage else []
    out: list[ReferralWarning] = []
    payer = coverage.payer.name if coverage else ""
    if any(r.needs_referral for r in rules):
        assert coverage is not None
        mine = [r for r in facts.referrals.get(patient_id, []) if r.payer_id in (None, coverage.payer_id)]
        linked = facts.referral_of.get(appointment_id) if appointment_id else None
        usable = []
        for referral in mine:
            reserved = facts.reserved.get(referral.pk, set()) - ({appointment_id} if appointment_id else set())
            left = referral.visits_authorized - referral.visits_used - len(reserved)
            if referral.pk == linked:
                left += 1
            if referral.valid_from <= day <= referral.valid_to and left > 0:
                usable.append(referral)
        if not usable:
            current = [r for r in mine if r.valid_from <= day <= r.valid_to]
            earlier = [r for r in mine if r.valid_to < day and r.valid_to >= clock.now().date()]
            if current:
                ref = current[-1]
                out.append(ReferralWarning("referral-used-up", _(
                    "%(payer)s needs a referral: the one from %(name)s has no visits left (%(used)s of %(n)s used "
                    "or booked).") % {"payer": payer, "name": ref.referring_name, "used": ref.visits_authorized,
                                      "n": ref.visits_authorized}))
            elif earlier:
                ref = earlier[-1]
                out.append(ReferralWarning("referral-expires", _(
                    "%(payer)s needs a referral: the one from %(name)s ends on %(end)s, before the visit.")
                    % {"payer": payer, "name": ref.referring_name, "end": shown(ref.valid_to)}))
            else:
                out.append(ReferralWarning("referral-missing", _(
                    "%(payer)s needs a referral for this visit and there is none on file.") % {"payer": payer}))
    type_needs = ChecklistItem.PRIOR_AUTH in (kind.checklist or [])
    if type_needs or any(r.needs_prior_auth for r in rules):
        linked_auth = facts.authorization_of.get(appointment_id) if appointment_id else None
        needed = prior_auth_codes(rules, codes)
        covering = [a for a in facts.authorizations.get(patient_id, [])
                    if a.status in APPROVED_STATUSES and a.valid_from and a.valid_to
                    and a.valid_from <= day <= a.valid_to
                    and (a.pk == linked_auth or (a.units_left > 0 and authorization_fits(
                        a, appointment_type_id=kind.pk, needed_codes=needed)))]
        if not covering:
            who = payer if any(r.needs_prior_auth for r in rules) else kind.local_name
            out.append(ReferralWarning("prior-auth-missing", _(
                "%(who)s needs a prior authorization: none approved covers %(day)s.")
                % {"who": who, "day": shown(day)}))
    return out


def referral_warnings_for(*, actor: Actor, patient_id: int, appointment_type_id: int, day: dt.date,
                          appointment_id: int | None = None) -> list[ReferralWarning]:
    """Warnings for one visit (booked or about to be): [] for a user without insurance.read, an unknown type,
    or a patient out of reach. Not audited: it names no more than the screen asking already shows."""
    if not has_perm(actor, Perm.INSURANCE_READ):
        return []
    kind = AppointmentType.objects.filter(pk=appointment_type_id).first() if str(appointment_type_id).isdigit() \
        else None
    if kind is None or not str(patient_id).isdigit():
        return []
    return _warnings(_facts({int(patient_id)}, {kind.pk}), patient_id=int(patient_id), kind=kind, day=day,
                     appointment_id=appointment_id)


def warnings_for_appointments(appointments: Iterable[Appointment]) -> dict[int, list[ReferralWarning]]:
    """The same warnings for a list (the pre-visit worklist), in a fixed number of queries. The caller has
    checked access to the list; appointments carry `appointment_type` and `location`."""
    listed = list(appointments)
    facts = _facts({a.patient_id for a in listed}, {a.appointment_type_id for a in listed})
    out: dict[int, list[ReferralWarning]] = {}
    for appointment in listed:
        found = _warnings(facts, patient_id=appointment.patient_id, kind=appointment.appointment_type,
                          day=appointment.start.astimezone(appointment.location.tz).date(),
                          appointment_id=appointment.pk)
        if found:
            out[appointment.pk] = found
    return out


@dataclass
class Problem:
    appointment: Appointment
    warnings: list[ReferralWarning]


@atomic_service
def referral_problems(*, actor: Actor, location_id: int, days: Iterable[dt.date]) -> list[Problem]:
    """The location's live appointments on `days` with a referral or authorization warning (the pre-visit
    worklist's); [] without insurance.read there. Audited as one list read."""
    if not has_perm(actor, Perm.INSURANCE_READ, location=location_id) or not actor.works_at(location_id):
        return []
    wanted = sorted(set(days))
    if not wanted:
        return []
    first = dt.datetime.combine(wanted[0] - dt.timedelta(days=1), dt.time.min, tzinfo=dt.UTC)
    last = dt.datetime.combine(wanted[-1] + dt.timedelta(days=2), dt.time.min, tzinfo=dt.UTC)
    appointments = [a for a in Appointment.objects.filter(location_id=location_id, start__gte=first, start__lt=last,
                                                          status__in=("pending", "booked"))
                    .filter(listed_rows())
                    .select_related("patient", "appointment_type", "location", "practitioner").order_by("start", "pk")
                    if a.start.astimezone(a.location.tz).date() in wanted]
    found = warnings_for_appointments(appointments)
    rows = [Problem(appointment=a, warnings=found[a.pk]) for a in appointments if a.pk in found]
    if rows:
        record(actor, "referral.list", None, resource_type="referral-worklist", resource_id=location_id,
               detail={"rows": len(rows), "patients": sorted({r.appointment.patient_id for r in rows})})
    return rows


# --- a patient's referrals and authorizations ------------------------------------------------------------------

@dataclass
class PatientInsurance:
    patient: Patient
    referrals: list[Referral]
    outgoing: list[OutgoingReferral]
    authorizations: list[PriorAuthorization]
    coverages: list[Coverage]
    appointments: list[Appointment]  # coming visits (to link)
    documents: list[Document]
    payers: list[Payer]
    appointment_types: list[AppointmentType]
    outgoing_moves: dict[int, list[tuple[str, str]]]
    authorization_moves: dict[int, list[tuple[str, str]]]


@atomic_service
def patient_referrals(*, actor: Actor, patient_id: int) -> PatientInsurance:
    """Everything on the patient's referrals page, audited as one read of the chart's insurance records."""
    require(actor, Perm.INSURANCE_READ)
    patient = patient_in_reach(actor, patient_id, perm=Perm.INSURANCE_READ, record=True)
    referrals = list(Referral.objects.filter(patient=patient).select_related("payer", "document")
                     .prefetch_related("visits__appointment"))
    outgoing = list(OutgoingReferral.objects.filter(patient=patient).select_related("referring_practitioner"))
    authorizations = list(PriorAuthorization.objects.filter(patient=patient)
                          .select_related("payer", "appointment_type").prefetch_related("documents",
                                                                                        "visits__appointment"))
    now = clock.now()
    appointments = list(Appointment.objects.filter(patient=patient, start__gte=now - dt.timedelta(days=1),
                                                   status__in=ACTIVE_STATUSES)
                        .select_related("appointment_type", "location", "practitioner").order_by("start")[:30])
    record(actor, "referral.view", patient, patient=patient.pk,
           detail={"referrals": len(referrals), "outgoing": len(outgoing), "authorizations": len(authorizations)})
    status_label = dict(OutgoingReferralStatus.choices)
    auth_label = dict(AuthorizationStatus.choices)
    return PatientInsurance(
        patient=patient, referrals=referrals, outgoing=outgoing, authorizations=authorizations,
        coverages=list(Coverage.objects.filter(patient=patient).select_related("payer").order_by("order", "pk")),
        appointments=appointments,
        documents=list(Document.objects.filter(patient=patient).order_by("-document_date", "-pk")[:50]),
        payers=list(Payer.objects.filter(active=True).order_by("name")),
        appointment_types=list(AppointmentType.objects.filter(active=True).order_by("name")),
        outgoing_moves={o.pk: [(s, str(status_label[s])) for s in OutgoingReferralStatus.values
                               if s in OUTGOING_TRANSITIONS[o.status]] for o in outgoing},
        authorization_moves={a.pk: [(s, str(auth_label[s])) for s in AuthorizationStatus.values
                                    if s in _auth_moves(a.status)] for a in authorizations},
    )


def _auth_moves(status: str) -> frozenset[str]:
    from .models import AUTHORIZATION_TRANSITIONS

    return AUTHORIZATION_TRANSITIONS.get(status, frozenset())


@atomic_service
def outgoing_referral_detail(*, actor: Actor, referral_id: int) -> OutgoingReferral:
    """One outgoing referral (for its letter), audited."""
    require(actor, Perm.INSURANCE_READ)
    referral = (OutgoingReferral.objects.select_related("patient", "location", "referring_practitioner")
                .filter(pk=referral_id).first()) if str(referral_id).isdigit() else None
    if referral is None or not actor.works_at(referral.location_id):
        raise NotFound()
    patient_in_reach(actor, referral.patient_id, perm=Perm.INSURANCE_READ, record=True)
    record(actor, "outgoing-referral.print", referral, patient=referral.patient_id)
    return referral


@dataclass
class ReferralPacket:
    """What the outgoing referral's PDF carries: the letter, and the patient's coverage and current prior
    authorizations (the specialist's office checks them before it books)."""

    referral: OutgoingReferral
    coverages: list[Coverage]
    authorizations: list[PriorAuthorization]


@atomic_service
def outgoing_referral_packet(*, actor: Actor, referral_id: int) -> ReferralPacket:
    """The letter and packet of one outgoing referral (audited as its printing)."""
    referral = outgoing_referral_detail(actor=actor, referral_id=referral_id)
    today = clock.now().date()
    coverages = [c for c in Coverage.objects.filter(patient_id=referral.patient_id).select_related("payer")
                 .order_by("order", "-start_date", "pk") if c.is_active_on(today)]
    authorizations = list(PriorAuthorization.objects.filter(
        patient_id=referral.patient_id, status__in=APPROVED_STATUSES, valid_to__gte=today)
        .order_by("valid_to", "pk"))
    return ReferralPacket(referral=referral, coverages=coverages, authorizations=authorizations)


@atomic_service
def referral_detail(*, actor: Actor, referral_id: int) -> Referral:
    require(actor, Perm.INSURANCE_READ)
    referral = (Referral.objects.select_related("payer", "document").prefetch_related("visits")
                .filter(pk=referral_id).first()) if str(referral_id).isdigit() else None
    if referral is None:
        raise NotFound()
    patient_in_reach(actor, referral.patient_id, perm=Perm.INSURANCE_READ, record=True)
    record(actor, "referral.view", referral, patient=referral.patient_id)
    return referral


@atomic_service
def authorization_detail(*, actor: Actor, authorization_id: int) -> PriorAuthorization:
    require(actor, Perm.INSURANCE_READ)
    found = (PriorAuthorization.objects.select_related("payer", "appointment_type").prefetch_related("documents",
                                                                                                     "visits")
             .filter(pk=authorization_id).first()) if str(authorization_id).isdigit() else None
    if found is None:
        raise NotFound()
    patient_in_reach(actor, found.patient_id, perm=Perm.INSURANCE_READ, record=True)
    record(actor, "authorization.view", found, patient=found.patient_id)
    return found


# --- the worklist: authorizations and referrals running out in the next two weeks -------------------------------

@dataclass
class Expiring:
    kind: str  # "authorization" | "referral"
    patient: Patient
    item: PriorAuthorization | Referral
    ends: dt.date
    left: int
    reasons: list[str]


@atomic_service
def expiring_worklist(*, actor: Actor, today: dt.date | None = None, days: int = WORKLIST_DAYS) -> list[Expiring]:
    """Approved authorizations and referrals of patients in reach that end within `days`, or have at most one
    unit (visit) left, or fewer left than the visits booked on them. A fixed number of queries."""
    require(actor, Perm.INSURANCE_READ)
    today = today or clock.now().date()
    horizon = today + dt.timedelta(days=days)
    reach = location_filter(actor, prefix="patient__") & record_filter(actor, prefix="patient__") & listed_rows()
    booked: dict[tuple[str, int], int] = {}
    for link in AuthorizationVisit.objects.filter(counted=False, appointment__status__in=("pending", "booked"),
                                                  appointment__start__gte=clock.now()).values("authorization_id"):
        key = ("authorization", link["authorization_id"])
        booked[key] = booked.get(key, 0) + 1
    for rlink in ReferralVisit.objects.filter(counted=False, appointment__status__in=("pending", "booked"),
                                              appointment__start__gte=clock.now()).values("referral_id"):
        key = ("referral", rlink["referral_id"])
        booked[key] = booked.get(key, 0) + 1
    rows: list[Expiring] = []
    for auth in (PriorAuthorization.objects.filter(reach, status__in=APPROVED_STATUSES, valid_to__gte=today)
                 .select_related("patient", "payer").order_by("valid_to", "pk")):
        assert auth.valid_to is not None
        reasons = _reasons(auth.valid_to, horizon, auth.units_left, booked.get(("authorization", auth.pk), 0),
                           units=True)
        if reasons:
            rows.append(Expiring("authorization", auth.patient, auth, auth.valid_to, auth.units_left, reasons))
    for ref in (Referral.objects.filter(reach, valid_to__gte=today).select_related("patient", "payer")
                .order_by("valid_to", "pk")):
        reasons = _reasons(ref.valid_to, horizon, ref.visits_left, booked.get(("referral", ref.pk), 0), units=False)
        if reasons:
            rows.append(Expiring("referral", ref.patient, ref, ref.valid_to, ref.visits_left, reasons))
    rows.sort(key=lambda r: (r.ends, r.kind, r.item.pk))
    if rows:
        record(actor, "authorization.list", None, resource_type="authorization-worklist",
               resource_id=today.isoformat(), detail={"rows": len(rows),
                                                      "patients": sorted({r.patient.pk for r in rows})})
    return rows


def _reasons(ends: dt.date, horizon: dt.date, left: int, booked: int, *, units: bool) -> list[str]:
    reasons = []
    if ends <= horizon:
        reasons.append(_("Ends on %(day)s") % {"day": shown(ends)})
    if left <= 1:
        reasons.append(_("%(n)s unit left") % {"n": left} if units else _("%(n)s visit left") % {"n": left})
    elif booked > left:
        reasons.append(_("%(booked)s visits booked, %(left)s left") % {"booked": booked, "left": left})
    return reasons


# --- payer rules ---------------------------------------------------------------------------------------------

@dataclass
class RulesPage:
    rules: list[PayerRule]
    payers: list[Payer]
    appointment_types: list[AppointmentType]


def payer_rules(*, actor: Actor) -> RulesPage:
    """The practice's payer rules (no patient data: not audited as a read)."""
    require(actor, Perm.INSURANCE_READ)
    return RulesPage(
        rules=list(PayerRule.objects.select_related("payer", "appointment_type", "updated_by")),
        payers=list(Payer.objects.filter(active=True).order_by("name")),
        appointment_types=list(AppointmentType.objects.filter(active=True).order_by("name")))


def payer_rule_detail(*, actor: Actor, rule_id: int) -> PayerRule:
    require(actor, Perm.INSURANCE_READ)
    rule = PayerRule.objects.select_related("payer", "appointment_type").filter(pk=rule_id).first() \
        if str(rule_id).isdigit() else None
    if rule is None:
        raise NotFound()
    return rule


def actor_locations(*, actor: Actor) -> list[Location]:
    return [loc for loc in Location.objects.order_by("pk") if actor.works_at(loc.pk)]


# --- the FHIR ServiceRequest face: incoming and outgoing referrals and prior authorizations ----------------------

REQUEST_MODELS: dict[str, type[Referral] | type[OutgoingReferral] | type[PriorAuthorization]] = {
    "referral": Referral, "outgoing": OutgoingReferral, "authorization": PriorAuthorization}
RequestItem = Referral | OutgoingReferral | PriorAuthorization


def _request_rows(kind: str) -> QuerySet:
    if kind == "referral":
        return Referral.objects.select_related("payer")
    if kind == "outgoing":
        return OutgoingReferral.objects.select_related("referring_practitioner")
    return PriorAuthorization.objects.select_related("payer", "coverage", "appointment_type")


@atomic_service
def service_request_item(*, actor: Actor, kind: str, item_id: int) -> RequestItem:
    """One incoming referral, outgoing referral or prior authorization (FHIR ServiceRequest read): missing, out of
    reach, or another location's outgoing referral all look missing. The FHIR face records what it shows."""
    require(actor, Perm.INSURANCE_READ)
    item = _request_rows(kind).filter(pk=item_id).first() if kind in REQUEST_MODELS else None
    if item is None or (isinstance(item, OutgoingReferral) and not actor.works_at(item.location_id)):
        raise NotFound()
    patient_in_reach(actor, item.patient_id, perm=Perm.INSURANCE_READ, record=True)
    return item


@atomic_service
def service_requests_search(*, actor: Actor, patient_ids: list[int] | None = None,
                            kinds: Iterable[str] = tuple(REQUEST_MODELS), item_ids: dict[str, list[int]] | None = None,
                            offset: int = 0, count: int = 50) -> tuple[list[RequestItem], int]:
    """Referrals, outgoing referrals and prior authorizations of the charts the actor may read insurance records
    of (outgoing ones of the actor's locations), newest first; the page and the total. Each kind loads at most
    offset + count rows (the page of the merged list lies within them)."""
    require(actor, Perm.INSURANCE_READ)
    patients = visible_patients(actor, perm=Perm.INSURANCE_READ, record=True)
    if patient_ids is not None:
        patients = patients.filter(pk__in=patient_ids)
    found: list[RequestItem] = []
    total = 0
    for kind in REQUEST_MODELS:
        if kind not in kinds:
            continue
        rows = _request_rows(kind).filter(patient__in=patients)
        if kind == "outgoing" and not getattr(actor, "practice_wide", False):
            rows = rows.filter(location_id__in=sorted(actor.location_ids()))
        if item_ids is not None:
            rows = rows.filter(pk__in=item_ids.get(kind, []))
        total += rows.count()
        found += list(rows.order_by("-created_at", "-pk")[:offset + count])
    found.sort(key=lambda item: (item.created_at, item.pk), reverse=True)
    return found[offset:offset + count], total
