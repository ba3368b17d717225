"""Reads of the compliance program: the calendar (open duty occurrences and the review dates of safety documents,
business associate agreements, policies and the year's risk assessment, overdue first), OSHA logs and the 300A
summary, the HIPAA program and the policy manual with its acknowledgements. Every read is permission-checked."""

from __future__ import annotations

import datetime as dt
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Count, Max, Q
from django.urls import reverse
from django.utils.translation import gettext as _

from clinicdesk.accounts.models import User
from clinicdesk.audit.services import atomic_service, record
from clinicdesk.core import clock
from clinicdesk.core.exceptions import DomainError, NotFound
from clinicdesk.core.permissions import Actor, Perm, require, staff_user
from clinicdesk.operations import selectors as operations_selectors
from clinicdesk.practice.models import Location, Organization

from .models import (
    AssessmentStatus,
    BusinessAssociate,
    CaseOutcome,
    CaseType,
    ComplianceFile,
    InjuryCase,
    ItemStatus,
    Occurrence,
    Officer,
    Policy,
    PolicyAck,
    PolicyVersion,
    RiskAssessment,
    SafetyDocument,
    SharpsInjury,
)
from .selectors_clia import clia_due  # CLIA: the certificate's renewal, QC runs awaiting corrective action

HORIZON_DAYS = 30  # review dates this close show on the calendar
SOON_DAYS = 3
DONE_WINDOW_DAYS = 90


def _location(actor: Actor, location_id: int) -> Location:
    place = Location.objects.filter(pk=location_id).first()
    if place is None:
        raise NotFound()
    require(actor, Perm.COMPLIANCE_ADMIN, location=location_id, resource_type="location", resource_id=location_id)
    return place


def _name(user: Any) -> str:
    return (f"{user.first_name} {user.last_name}".strip() or user.username) if user else "—"


# --- the calendar -----------------------------------------------------------------------------------------------
@dataclass
class Due:
    """One dated duty on the calendar: an occurrence of a recurring duty, or a review date kept elsewhere."""

    area_label: str
    title: str
    owner: str
    due_on: dt.date
    today: dt.date
    url: str
    occurrence: Occurrence | None = None
    escalated: bool = False

    @property
    def state(self) -> str:
        if self.due_on < self.today:
            return "overdue"
        return "soon" if (self.due_on - self.today).days <= SOON_DAYS else "ok"

    @property
    def days_left(self) -> int:
        return (self.due_on - self.today).days

    @property
    def days_late(self) -> int:
        return max(0, -self.days_left)


@dataclass
class Calendar:
    location: Location
    today: dt.date
    rows: list[Due] = field(default_factory=list)
    done: list[Occurrence] = field(default_factory=list)

    @property
    def overdue(self) -> int:
        return sum(1 for r in self.rows if r.state == "overdue")


def calendar_rows(place: Location, today: dt.date) -> list[Due]:
    """Every open dated duty at a location, overdue first (no permission check: callers check)."""
    rows: list[Due] = []
    horizon = today + dt.timedelta(days=HORIZON_DAYS)
    for o in (Occurrence.objects.filter(duty__location=place, done_on__isnull=True, duty__active=True)
              .select_related("duty", "owner")):
        rows.append(Due(_("Recurring duty"), o.duty.display_title, _name(o.owner), o.due_on, today,
                        reverse("compliance:occurrence", args=[o.pk]), occurrence=o,
                        escalated=o.escalated_at is not None))
    for d in SafetyDocument.objects.filter(location=place, active=True, review_on__lte=horizon):
        rows.append(Due(_("OSHA"), _("Review: %(title)s") % {"title": d.title}, "—", d.review_on, today,
                        reverse("compliance:osha") + f"?location={place.pk}"))
    org = place.organization_id
    for b in BusinessAssociate.objects.filter(organization_id=org, active=True).filter(
            Q(review_on__lte=horizon) | Q(expires_on__lte=horizon)):
        rows.append(Due(_("Business associate agreement"), _("Review or renew: %(vendor)s") % {"vendor": b.vendor},
                        "—", b.due_on, today, reverse("compliance:hipaa")))
    for p in Policy.objects.filter(active=True, review_on__lte=horizon).select_related("owner"):
        rows.append(Due(_("Policy"), _("Review: %(title)s") % {"title": p.title}, _name(p.owner), p.review_on, today,
                        reverse("compliance:policy", args=[p.pk])))
    assessment = RiskAssessment.objects.filter(organization_id=org, year=today.year).select_related("owner").first()
    year_end = dt.date(today.year, 12, 31)
    if year_end <= horizon and (assessment is None or assessment.status != AssessmentStatus.COMPLETE):
        rows.append(Due(_("HIPAA"), _("Security risk assessment %(year)s") % {"year": today.year},
                        _name(assessment.owner) if assessment else "—", year_end, today, reverse("compliance:hipaa")))
    rows += [Due(_("CLIA"), d.title, d.owner, d.due_on, today, d.url) for d in clia_due(place, today)]
    order = {"overdue": 0, "soon": 1, "ok": 2}
    rows.sort(key=lambda r: (order[r.state], r.due_on, r.title))
    return rows


@atomic_service
def compliance_calendar(*, actor: Actor, location_id: int) -> Calendar:
    place = _location(actor, location_id)
    today = clock.today_in(place.tz)
    done = list(Occurrence.objects.filter(duty__location=place, done_on__gte=today - dt.timedelta(
        days=DONE_WINDOW_DAYS)).select_related("duty", "done_by", "evidence_file").order_by("-done_on", "-pk")[:100])
    return Calendar(location=place, today=today, rows=calendar_rows(place, today), done=done)


@atomic_service
def occurrence_detail(*, actor: Actor, occurrence_id: int) -> Occurrence:
    found = (Occurrence.objects.select_related("duty", "duty__location", "owner", "done_by", "evidence_file",
                                               "escalated_to").filter(pk=occurrence_id).first())
    if found is None:
        raise NotFound()
    require(actor, Perm.COMPLIANCE_ADMIN, location=found.duty.location_id, resource_type="occurrence",
            resource_id=occurrence_id, hide=True)
    return found


# --- OSHA ---------------------------------------------------------------------------------------------------------
@dataclass
class Osha:
    location: Location
    today: dt.date
    year: int
    documents: list[SafetyDocument]
    sharps: list[SharpsInjury]
    cases: list[InjuryCase]


@atomic_service
def osha_overview(*, actor: Actor, location_id: int, year: int) -> Osha:
    place = _location(actor, location_id)
    cases = list(InjuryCase.objects.filter(location=place, year=year))
    record(actor, "osha-log.read", detail={"location": location_id, "year": year, "cases": len(cases)})
    return Osha(location=place, today=clock.today_in(place.tz), year=year,
                documents=list(SafetyDocument.objects.filter(location=place, active=True).select_related("file")),
                sharps=list(SharpsInjury.objects.filter(location=place, occurred_on__year=year)
                            .select_related("case")),
                cases=cases)


def hazardous_item_choices(actor: Actor) -> list[tuple[int, str]]:
    """Supply items a data sheet may name (through the operations app; none when the actor may not read stock)."""
    try:
        return [(i.pk, i.name) for i in operations_selectors.items_list(actor=actor)
                if i.category in ("lab", "cleaning", "pharmacy", "medical")]
    except DomainError:
        return []


@dataclass
class Summary300A:
    """OSHA Form 300A: the year's totals, computed from the 300 log."""

    year: int
    cases: int
    deaths: int
    days_away_cases: int
    restricted_cases: int
    other_cases: int
    days_away: int
    days_restricted: int
    types: dict[str, int]


def summary_300a(cases: list[InjuryCase], year: int) -> Summary300A:
    outcomes = Counter(c.outcome for c in cases)
    types = Counter(c.case_type for c in cases)
    return Summary300A(year=year, cases=len(cases), deaths=outcomes[CaseOutcome.DEATH],
                       days_away_cases=outcomes[CaseOutcome.DAYS_AWAY],
                       restricted_cases=outcomes[CaseOutcome.RESTRICTED], other_cases=outcomes[CaseOutcome.OTHER],
                       days_away=sum(c.days_away for c in cases), days_restricted=sum(c.days_restricted for c in cases),
                       types={str(t.value): types[t.value] for t in CaseType})


# --- HIPAA program ------------------------------------------------------------------------------------------------
@dataclass
class Program:
    today: dt.date
    year: int
    assessment: RiskAssessment | None
    items: list[Any]
    baas: list[BusinessAssociate]
    officers: dict[str, Officer]


@atomic_service
def hipaa_program(*, actor: Actor, year: int) -> Program:
    require(actor, Perm.COMPLIANCE_ADMIN, resource_type="riskassessment")
    org = Organization.objects.order_by("pk").first()
    assessment = (RiskAssessment.objects.filter(organization=org, year=year).select_related("owner").first()
                  if org else None)
    items = list(assessment.items.select_related("owner", "evidence_file")) if assessment else []
    place = Location.objects.filter(organization=org).order_by("pk").first()
    today = clock.today_in(place.tz) if place else clock.now().date()
    return Program(today=today, year=year, assessment=assessment, items=items,
                   baas=list(BusinessAssociate.objects.filter(organization=org, active=True).select_related("file")),
                   officers={o.role: o for o in Officer.objects.filter(organization=org).select_related("user")})


def open_items(assessment: RiskAssessment) -> int:
    return assessment.items.filter(status=ItemStatus.OPEN).count()


# --- the policy manual ------------------------------------------------------------------------------------------
@dataclass
class PolicyRow:
    policy: Policy
    latest: PolicyVersion | None
    acknowledged: int
    expected: int


@atomic_service
def policies_list(*, actor: Actor) -> list[PolicyRow]:
    require(actor, Perm.COMPLIANCE_ADMIN, resource_type="policy")
    policies = list(Policy.objects.filter(active=True).select_related("owner"))
    latest_numbers = dict(PolicyVersion.objects.values("policy").annotate(n=Max("number")).values_list("policy", "n"))
    versions = {v.policy_id: v for v in PolicyVersion.objects.filter(
        policy__in=policies).annotate(done=Count("acks", filter=Q(acks__acknowledged_at__isnull=False)),
                                      asked=Count("acks")) if latest_numbers.get(v.policy_id) == v.number}
    return [PolicyRow(p, versions.get(p.pk), getattr(versions.get(p.pk), "done", 0),
                      getattr(versions.get(p.pk), "asked", 0)) for p in policies]


@dataclass
class Tracking:
    policy: Policy
    versions: list[PolicyVersion]
    latest: PolicyVersion | None
    acks: list[PolicyAck]


@atomic_service
def policy_tracking(*, actor: Actor, policy_id: int) -> Tracking:
    require(actor, Perm.COMPLIANCE_ADMIN, resource_type="policy")
    policy = Policy.objects.select_related("owner").filter(pk=policy_id).first()
    if policy is None:
        raise NotFound()
    versions = list(policy.versions.select_related("published_by", "file"))
    latest = versions[0] if versions else None
    acks = (list(latest.acks.select_related("user").order_by("acknowledged_at", "user__last_name", "user__pk"))
            if latest else [])
    return Tracking(policy=policy, versions=versions, latest=latest, acks=acks)


@dataclass
class PersonRow:
    user: User
    acknowledged: int
    missing: list[PolicyAck]


@atomic_service
def policy_people(*, actor: Actor) -> list[PersonRow]:
    """Per person: acknowledgements of the current versions, and the ones missing."""
    require(actor, Perm.COMPLIANCE_ADMIN, resource_type="policy")
    latest = set(PolicyVersion.objects.values("policy").annotate(n=Max("number")).values_list("policy", "n"))
    people: dict[int, PersonRow] = {}
    for ack in (PolicyAck.objects.filter(user__is_active=True, version__policy__active=True)
                .select_related("user", "version", "version__policy").order_by("user__last_name", "user__pk")):
        if (ack.version.policy_id, ack.version.number) not in latest:
            continue
        row = people.setdefault(ack.user_id, PersonRow(ack.user, 0, []))
        if ack.acknowledged_at:
            row.acknowledged += 1
        else:
            row.missing.append(ack)
    return sorted(people.values(), key=lambda r: (-len(r.missing), r.user.last_name, r.user.pk))


def my_pending(*, actor: Actor) -> list[PolicyAck]:
    """The current versions the signed-in staff member has yet to acknowledge (their own rows; no check needed)."""
    user = staff_user(actor)
    if user is None:
        return []
    latest = set(PolicyVersion.objects.values("policy").annotate(n=Max("number")).values_list("policy", "n"))
    rows = (PolicyAck.objects.filter(user=user, acknowledged_at__isnull=True, version__policy__active=True)
            .select_related("version", "version__policy", "version__file"))
    return [a for a in rows if (a.version.policy_id, a.version.number) in latest]


@atomic_service
def file_detail(*, actor: Actor, file_id: int) -> ComplianceFile:
    """A kept file: for the compliance administrators, and for staff asked to acknowledge a policy it holds."""
    found = ComplianceFile.objects.filter(pk=file_id).first()
    if found is None:
        raise NotFound()
    if not PolicyAck.objects.filter(user=staff_user(actor), version__file=found).exists():
        require(actor, Perm.COMPLIANCE_ADMIN, resource_type="compliancefile", resource_id=file_id, hide=True)
    record(actor, "compliance-file.read", found)
    return found
