"""Reads of the compliance app: the dashboard of open items with their clocks, lists and details, the grievance
log for surveyors, the accounting of disclosures. Every read is permission-checked at the location; reads that
show patients write one audit entry naming them."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from django.db.models import F, Q
from django.urls import reverse
from django.utils.translation import gettext as _

from clinicdesk.accounts.models import User
from clinicdesk.audit.services import atomic_service, record
from clinicdesk.core import clock
from clinicdesk.core.exceptions import NotFound
from clinicdesk.core.permissions import PRACTICE_WIDE_ROLES, ROLE_PERMISSIONS, Actor, Perm, has_perm, require
from clinicdesk.patients.models import Patient
from clinicdesk.patients.selectors import patient_record_check
from clinicdesk.practice.models import Location

from .models import (
    OPEN_REQUEST,
    Audience,
    Breach,
    BreachStatus,
    Complaint,
    ComplaintStatus,
    CorrectiveAction,
    Disclosure,
    Incident,
    IncidentStatus,
    RightsRequest,
)
from .selectors_program import calendar_rows

ACCOUNTING_YEARS = 6  # 45 CFR 164.528(a): the six years before the request
LATE_WINDOW_DAYS = 90  # letters and notices sent late stay on the dashboard this long
SOON_DAYS = 3  # a clock this close to its date is "due soon"


def may_administer(actor: Actor, location_id: Any = None) -> bool:
    return has_perm(actor, Perm.COMPLIANCE_ADMIN, location=location_id)


def _location(actor: Actor, location_id: int, perm: Perm = Perm.COMPLIANCE_ADMIN) -> Location:
    place = Location.objects.filter(pk=location_id).select_related("organization").first()
    if place is None:
        raise NotFound()
    require(actor, perm, location=location_id, resource_type="location", resource_id=location_id)
    return place


def _audit_patients(actor: Actor, action: str, patient_ids: Iterable[Any], **detail: Any) -> None:
    ids = sorted({pid for pid in patient_ids if pid})
    if ids:
        record(actor, action, detail={"patients": ids, **detail})


# --- the dashboard ----------------------------------------------------------------------------------------------
@dataclass
class Clock:
    """One open duty with its deadline (or a late item already done)."""

    area: str  # grievance, incident, request, breach
    area_label: str
    ref: str
    what: str
    who: str
    due_on: dt.date | None
    url: str
    today: dt.date
    done_on: dt.date | None = None  # set for an item done late
    flag: str = ""

    @property
    def days_left(self) -> int | None:
        return (self.due_on - self.today).days if self.due_on else None

    @property
    def days_late(self) -> int:
        left = self.days_left
        return -left if left is not None and left < 0 else 0

    @property
    def state(self) -> str:
        if self.done_on is not None:
            return "late"
        if self.due_on is None:
            return "open"
        if self.due_on < self.today:
            return "overdue"
        return "soon" if (self.due_on - self.today).days <= SOON_DAYS else "ok"


@dataclass
class Dashboard:
    location: Location
    today: dt.date
    clocks: list[Clock] = field(default_factory=list)
    late: list[Clock] = field(default_factory=list)
    counts: dict[str, int] = field(default_factory=dict)


def _name(patient: Patient) -> str:
    return f"{patient.family_name}, {patient.given_name}"


@atomic_service
def compliance_dashboard(*, actor: Actor, location_id: int) -> Dashboard:
    place = _location(actor, location_id)
    today = clock.today_in(place.tz)
    board = Dashboard(location=place, today=today)
    since = today - dt.timedelta(days=LATE_WINDOW_DAYS)
    seen: list[int] = []
    patient_fields = ("patient__given_name", "patient__family_name")
    complaints = list(Complaint.objects.filter(location_id=location_id).filter(
        Q(status__in=[ComplaintStatus.OPEN, ComplaintStatus.GRIEVANCE, ComplaintStatus.ACKNOWLEDGED])
        | Q(ack_sent_on__gte=since, ack_sent_on__gt=F("ack_due_on"))
        | Q(resolution_sent_on__gte=since, resolution_sent_on__gt=F("resolution_due_on")))
        .select_related("patient").only("pk", "status", "summary", "high_level", "escalated_at", "ack_due_on",
                                        "ack_sent_on", "resolution_due_on", "resolution_sent_on", "patient_id",
                                        *patient_fields))
    for c in complaints:
        seen.append(c.patient_id)
        url = reverse("compliance:complaint", args=[c.pk])
        who = _name(c.patient)
        flag = _("Escalated to the practice coordinator") if c.escalated_at else ""
        if c.status == ComplaintStatus.OPEN:
            board.clocks.append(Clock("complaint", _("Complaint"), str(c), _("Decide: resolved or a grievance"),
                                      who, None, url, today, flag=flag))
        if c.status == ComplaintStatus.GRIEVANCE:
            board.clocks.append(Clock("grievance", _("Grievance"), str(c), _("Written acknowledgement"), who,
                                      c.ack_due_on, url, today, flag=flag))
        if c.status in (ComplaintStatus.GRIEVANCE, ComplaintStatus.ACKNOWLEDGED):
            board.clocks.append(Clock("grievance", _("Grievance"), str(c), _("Written resolution"), who,
                                      c.resolution_due_on, url, today, flag=flag))
        if c.ack_sent_on and c.ack_due_on and c.ack_sent_on > c.ack_due_on and c.ack_sent_on >= since:
            board.late.append(Clock("grievance", _("Grievance"), str(c), _("Written acknowledgement"), who,
                                    c.ack_due_on, url, today, done_on=c.ack_sent_on))
        if (c.resolution_sent_on and c.resolution_due_on and c.resolution_sent_on > c.resolution_due_on
                and c.resolution_sent_on >= since):
            board.late.append(Clock("grievance", _("Grievance"), str(c), _("Written resolution"), who,
                                    c.resolution_due_on, url, today, done_on=c.resolution_sent_on))
    for r in (RightsRequest.objects.filter(location_id=location_id).filter(
            Q(status__in=OPEN_REQUEST) | Q(completed_on__gte=since, completed_on__gt=F("due_on")))
            .select_related("patient").only("pk", "kind", "status", "due_on", "completed_on", "patient_id",
                                            *patient_fields)):
        seen.append(r.patient_id)
        item = Clock("request", _("Rights request"), str(r), r.get_kind_display(), _name(r.patient), r.due_on,
                     reverse("compliance:request", args=[r.pk]), today)
        if r.status in OPEN_REQUEST:
            board.clocks.append(item)
        else:
            item.done_on = r.completed_on
            board.late.append(item)
    incidents = list(Incident.objects.filter(location_id=location_id).exclude(status=IncidentStatus.CLOSED)
                     .only("pk", "status", "severity", "kind", "place"))
    for i in incidents:
        if i.status == IncidentStatus.REPORTED:
            board.clocks.append(Clock("incident", _("Incident"), str(i), _("Review the report"),
                                      i.get_severity_display(), None, reverse("compliance:incident", args=[i.pk]),
                                      today))
    for a in (CorrectiveAction.objects.filter(incident__location_id=location_id, done_on__isnull=True)
              .select_related("owner", "incident").only("pk", "description", "due_on", "incident_id",
                                                       "owner__first_name", "owner__last_name")):
        board.clocks.append(Clock("incident", _("Corrective action"), str(a.incident), a.description,
                                  f"{a.owner.first_name} {a.owner.last_name}", a.due_on,
                                  reverse("compliance:incident", args=[a.incident_id]), today))
    for b in Breach.objects.filter(location_id=location_id).exclude(status=BreachStatus.CLOSED).prefetch_related(
            "notices"):
        notices = {n.audience: n for n in b.notices.all()}
        url = reverse("compliance:breach", args=[b.pk])
        affected = _("%(n)s individuals") % {"n": b.individuals_affected}
        for audience in b.audiences():
            label = {Audience.INDIVIDUALS: _("Notice to the affected individuals"), Audience.HHS: _("Notice to HHS"),
                     Audience.MEDIA: _("Notice to prominent media outlets")}[Audience(audience)]
            notice = notices.get(audience)
            item = Clock("breach", _("Breach"), str(b), label, affected, b.due_for(audience), url, today)
            if notice is None:
                board.clocks.append(item)
            elif notice.sent_on > item.due_on and notice.sent_on >= since:  # type: ignore[operator]
                item.done_on = notice.sent_on
                board.late.append(item)
        if b.status == BreachStatus.NOTIFIED:
            board.clocks.append(Clock("breach", _("Breach"), str(b), _("Close the breach file"), affected, None, url,
                                      today))
    for due in calendar_rows(place, today):  # the compliance calendar: recurring duties and review dates
        board.clocks.append(Clock("calendar", due.area_label, str(due.area_label), due.title, due.owner, due.due_on,
                                  due.url, today, flag=_("Escalated to the practice coordinator")
                                  if due.escalated else ""))
    order = {"overdue": 0, "soon": 1, "ok": 2, "open": 3}
    board.clocks.sort(key=lambda c: (order[c.state], c.due_on or dt.date.max, c.ref))
    board.late.sort(key=lambda c: c.done_on or today, reverse=True)
    board.counts = {
        "overdue": sum(1 for c in board.clocks if c.state == "overdue"),
        "soon": sum(1 for c in board.clocks if c.state == "soon"),
        "open": len(board.clocks),
        "late": len(board.late),
        "escalated": sum(1 for c in complaints if c.escalated_at and c.status in (
            ComplaintStatus.OPEN, ComplaintStatus.GRIEVANCE, ComplaintStatus.ACKNOWLEDGED)),
        "incidents": len(incidents),
        "calendar_overdue": sum(1 for c in board.clocks if c.area == "calendar" and c.state == "overdue"),
    }
    _audit_patients(actor, "compliance.dashboard", seen, location=location_id)
    return board


# --- lists and details ------------------------------------------------------------------------------------------
@atomic_service
def complaints_list(*, actor: Actor, location_id: int, include_closed: bool = False,
                    limit: int = 200) -> list[Complaint]:
    _location(actor, location_id)
    rows = Complaint.objects.filter(location_id=location_id).select_related("patient")
    if not include_closed:
        rows = rows.filter(status__in=[ComplaintStatus.OPEN, ComplaintStatus.GRIEVANCE,
                                       ComplaintStatus.ACKNOWLEDGED])
    found = list(rows[:limit])
    _audit_patients(actor, "complaint.list", (c.patient_id for c in found), location=location_id)
    return found


@atomic_service
def complaint_detail(*, actor: Actor, complaint_id: int) -> Complaint:
    found = (Complaint.objects.select_related("patient", "location", "location__organization", "logged_by")
             .prefetch_related("letters__document").filter(pk=complaint_id).first())
    if found is None:
        raise NotFound()
    require(actor, Perm.COMPLIANCE_ADMIN, location=found.location_id, resource_type="complaint",
            resource_id=complaint_id, patient_id=found.patient_id, hide=True)
    record(actor, "complaint.read", found, patient=found.patient_id)
    return found


@atomic_service
def grievance_log(*, actor: Actor, location_id: int, since: dt.date | None = None) -> list[Complaint]:
    """Every grievance (and complaint) at a location for surveyors, oldest first."""
    _location(actor, location_id)
    rows = Complaint.objects.filter(location_id=location_id).select_related("patient").order_by("received_at", "pk")
    if since:
        rows = rows.filter(received_at__date__gte=since)
    found = list(rows)
    _audit_patients(actor, "grievance.log-export", (c.patient_id for c in found), location=location_id)
    return found


@atomic_service
def incidents_list(*, actor: Actor, location_id: int, include_closed: bool = False) -> list[Incident]:
    _location(actor, location_id)
    rows = Incident.objects.filter(location_id=location_id).select_related("reported_by")
    if not include_closed:
        rows = rows.exclude(status=IncidentStatus.CLOSED)
    return list(rows[:200])


@atomic_service
def incident_detail(*, actor: Actor, incident_id: int) -> Incident:
    found = (Incident.objects.select_related("patient", "location", "reported_by", "reviewed_by")
             .prefetch_related("actions__owner").filter(pk=incident_id).first())
    if found is None:
        raise NotFound()
    require(actor, Perm.COMPLIANCE_ADMIN, location=found.location_id, resource_type="incident",
            resource_id=incident_id, patient_id=found.patient_id, hide=True)
    if found.patient_id:
        record(actor, "incident.read", found, patient=found.patient_id)
    return found


@atomic_service
def requests_list(*, actor: Actor, location_id: int, include_closed: bool = False) -> list[RightsRequest]:
    _location(actor, location_id)
    rows = RightsRequest.objects.filter(location_id=location_id).select_related("patient")
    if not include_closed:
        rows = rows.filter(status__in=OPEN_REQUEST)
    found = list(rows[:200])
    _audit_patients(actor, "rights-request.list", (r.patient_id for r in found), location=location_id)
    return found


@atomic_service
def request_detail(*, actor: Actor, request_id: int) -> RightsRequest:
    found = RightsRequest.objects.select_related("patient", "location").filter(pk=request_id).first()
    if found is None:
        raise NotFound()
    require(actor, Perm.COMPLIANCE_ADMIN, location=found.location_id, resource_type="rightsrequest",
            resource_id=request_id, patient_id=found.patient_id, hide=True)
    record(actor, "rights-request.read", found, patient=found.patient_id)
    return found


@atomic_service
def breaches_list(*, actor: Actor, location_id: int) -> list[Breach]:
    _location(actor, location_id)
    return list(Breach.objects.filter(location_id=location_id).prefetch_related("notices")[:200])


@atomic_service
def breach_detail(*, actor: Actor, breach_id: int) -> Breach:
    found = Breach.objects.select_related("location").prefetch_related("notices").filter(pk=breach_id).first()
    if found is None:
        raise NotFound()
    require(actor, Perm.COMPLIANCE_ADMIN, location=found.location_id, resource_type="breach", resource_id=breach_id,
            hide=True)
    return found


@dataclass
class Accounting:
    patient: Patient
    location: Location
    since: dt.date
    today: dt.date
    disclosures: list[Disclosure]


@atomic_service
def disclosures_accounting(*, actor: Actor, location_id: int, patient_mrn: str) -> Accounting:
    """The patient's accounting of disclosures: every disclosure of the last six years, newest first."""
    place = _location(actor, location_id)
    mrn = " ".join(str(patient_mrn or "").split()).upper()
    found = Patient.objects.filter(mrn=mrn).only("pk").first() if mrn else None
    if found is None:
        raise NotFound("no-patient", _("No patient has that MRN."))
    patient_record_check(actor=actor, patient_id=found.pk, resource_type="disclosure")
    patient = Patient.objects.get(pk=found.pk)
    today = clock.today_in(place.tz)
    since = today.replace(year=today.year - ACCOUNTING_YEARS) if not (today.month == 2 and today.day == 29) \
        else dt.date(today.year - ACCOUNTING_YEARS, 2, 28)
    rows = list(Disclosure.objects.filter(patient=patient, disclosed_on__gte=since).select_related("request"))
    record(actor, "disclosure.accounting", patient, patient=patient, detail={"count": len(rows)})
    return Accounting(patient=patient, location=place, since=since, today=today, disclosures=rows)


def staff_at(location_id: int) -> list[tuple[int, str]]:
    """Who may own a corrective action at a location: active staff who report there (not patient data)."""
    roles = [role.value for role, perms in ROLE_PERMISSIONS.items() if Perm.COMPLIANCE_REPORT in perms]
    wide = [role.value for role in PRACTICE_WIDE_ROLES]
    users = (User.objects.filter(is_active=True, role__in=roles)
             .filter(Q(locations=location_id) | Q(role__in=wide)).distinct().order_by("last_name", "first_name"))
    return [(u.pk, f"{u.first_name} {u.last_name}".strip() or u.username) for u in users]
