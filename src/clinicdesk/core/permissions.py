"""Roles, permissions and the one check every service makes.

`require(actor, Perm.X, location=...)` is called inside services and selectors. Templates may
hide a button for a role, but the rule is only here. A missing object and a forbidden one look
the same from outside (views turn both into the same answer where it matters).
"""

from __future__ import annotations

from enum import StrEnum
from typing import Any, Protocol

from django.utils.translation import gettext_lazy as _

from .exceptions import NotFound, PermissionDenied


class Role(StrEnum):
    FRONT_DESK = "front_desk"
    PATIENT_COORDINATOR = "patient_coordinator"
    PRACTICE_COORDINATOR = "practice_coordinator"
    BILLING = "billing"
    PROVIDER = "provider"
    NURSE = "nurse"
    COMPLIANCE = "compliance"
    SYSADMIN = "sysadmin"

    @property
    def label(self) -> str:
        return str(ROLE_LABELS[self])


ROLE_LABELS = {
    Role.FRONT_DESK: _("Front desk"),
    Role.PATIENT_COORDINATOR: _("Patient coordinator"),
    Role.PRACTICE_COORDINATOR: _("Practice coordinator"),
    Role.BILLING: _("Billing"),
    Role.PROVIDER: _("Provider"),
    Role.NURSE: _("Nurse / medical assistant"),
    Role.COMPLIANCE: _("Compliance officer"),
    Role.SYSADMIN: _("System administrator"),
}
ROLE_CHOICES = [(role.value, label) for role, label in ROLE_LABELS.items()]

# Roles whose sign-in always needs a second factor.
MFA_REQUIRED_ROLES = frozenset({Role.SYSADMIN, Role.COMPLIANCE})
# Roles that work across every location of the practice.
PRACTICE_WIDE_ROLES = frozenset({Role.PRACTICE_COORDINATOR, Role.COMPLIANCE, Role.SYSADMIN})


class Perm(StrEnum):
    PATIENT_READ = "patient.read"
    PATIENT_WRITE = "patient.write"
    PATIENT_MERGE = "patient.merge"
    # Merge away a chart registered in the last 24 hours (the duplicate just made at the desk).
    PATIENT_MERGE_RECENT = "patient.merge_recent"
    PATIENT_EXPORT = "patient.export"
    SCHEDULE_READ = "schedule.read"
    SCHEDULE_WRITE = "schedule.write"
    SCHEDULE_OVERBOOK = "schedule.overbook"
    FRONTDESK = "frontdesk.operate"
    BILLING_READ = "billing.read"
    BILLING_WRITE = "billing.write"
    # Approving what a biller asks for (#19): a denied claim's write-off, a credit refund; the practice coordinator
    BILLING_APPROVE = "billing.approve"
    CLINICAL_TRIAGE = "clinical.triage"
    REPORTS_READ = "reports.read"
    AUDIT_READ = "audit.read"
    AUDIT_EXPORT = "audit.export"
    PRACTICE_ADMIN = "practice.admin"
    USER_ADMIN = "users.admin"
    # Coverage and eligibility (270/271), referrals, authorizations (#18)
    INSURANCE_READ = "insurance.read"
    INSURANCE_WRITE = "insurance.write"
    # Staff rosters, leave, trainings (#20): everyone sees the roster; the coordinator makes it
    STAFFING_READ = "staffing.read"
    STAFFING_ADMIN = "staffing.admin"
    # The back office (#21): supplies used and received by the staff; stock, suppliers, orders run by the coordinator
    SUPPLIES_USE = "supplies.use"
    OPERATIONS_ADMIN = "operations.admin"
    # The coded visit (#19): the provider or the biller codes a fulfilled visit into charges
    CHARGE_CAPTURE = "charges.capture"
    # Compliance (#21): any staff member reports an incident or logs a complaint; the coordinator and the
    # compliance officer work grievances, rights requests and breaches
    COMPLIANCE_REPORT = "compliance.report"
    COMPLIANCE_ADMIN = "compliance.admin"
    # CLIA waived testing (#21): the clinical staff run quality control and test patients
    LAB_TESTING = "lab.testing"
    # Correspondence (#24): letters and messages written by staff, the incoming-mail log
    CORRESPONDENCE_WRITE = "correspondence.write"
    # Outreach (#24): the desk registers people for workshops and takes attendance; the coordinator runs
    # workshops, events and campaigns
    OUTREACH_USE = "outreach.use"
    OUTREACH_ADMIN = "outreach.admin"


_DESK = {Perm.PATIENT_READ, Perm.PATIENT_WRITE, Perm.SCHEDULE_READ, Perm.SCHEDULE_WRITE, Perm.FRONTDESK,
         Perm.INSURANCE_READ, Perm.INSURANCE_WRITE, Perm.STAFFING_READ, Perm.SUPPLIES_USE, Perm.COMPLIANCE_REPORT,
         Perm.CORRESPONDENCE_WRITE, Perm.OUTREACH_USE}

ROLE_PERMISSIONS: dict[Role, frozenset[Perm]] = {
    Role.FRONT_DESK: frozenset(_DESK | {Perm.PATIENT_MERGE_RECENT, Perm.BILLING_READ}),
    Role.PATIENT_COORDINATOR: frozenset(_DESK | {Perm.PATIENT_MERGE, Perm.BILLING_READ}),
    Role.PRACTICE_COORDINATOR: frozenset(
        _DESK
        | {
            Perm.PATIENT_MERGE,
            Perm.PATIENT_EXPORT,
            Perm.SCHEDULE_OVERBOOK,
            Perm.BILLING_READ,
            Perm.BILLING_APPROVE,
            Perm.REPORTS_READ,
            Perm.PRACTICE_ADMIN,
            Perm.STAFFING_ADMIN,
            Perm.OPERATIONS_ADMIN,
            Perm.COMPLIANCE_ADMIN,
            Perm.OUTREACH_ADMIN,
            Perm.LAB_TESTING,
        }
    ),
    Role.BILLING: frozenset({Perm.PATIENT_READ, Perm.SCHEDULE_READ, Perm.BILLING_READ, Perm.BILLING_WRITE,
                             Perm.REPORTS_READ, Perm.INSURANCE_READ, Perm.INSURANCE_WRITE, Perm.STAFFING_READ,
                             Perm.CHARGE_CAPTURE, Perm.COMPLIANCE_REPORT, Perm.CORRESPONDENCE_WRITE}),
    Role.PROVIDER: frozenset({Perm.PATIENT_READ, Perm.SCHEDULE_READ, Perm.CLINICAL_TRIAGE, Perm.INSURANCE_READ,
                              Perm.STAFFING_READ, Perm.CHARGE_CAPTURE, Perm.COMPLIANCE_REPORT,
                              Perm.LAB_TESTING}),
    Role.NURSE: frozenset({Perm.PATIENT_READ, Perm.SCHEDULE_READ, Perm.FRONTDESK, Perm.CLINICAL_TRIAGE,
                           Perm.INSURANCE_READ, Perm.STAFFING_READ, Perm.SUPPLIES_USE, Perm.COMPLIANCE_REPORT,
                           Perm.LAB_TESTING}),
    Role.COMPLIANCE: frozenset({Perm.PATIENT_READ, Perm.AUDIT_READ, Perm.AUDIT_EXPORT, Perm.REPORTS_READ,
                                Perm.STAFFING_READ, Perm.COMPLIANCE_REPORT, Perm.COMPLIANCE_ADMIN}),
    Role.SYSADMIN: frozenset({Perm.USER_ADMIN, Perm.PRACTICE_ADMIN}),
}


class StaffActor(Protocol):
    """Who a service or selector acts for: what `require()` and the audit trail read of it. A signed-in
    `accounts.User` is one (core imports no app, so it is described here by shape); so is a `SystemActor`.
    Services and selectors type their `actor` parameter `Actor` (below), or `Actor | None` where an operator
    on the server (a command with no user) may call them."""

    @property
    def pk(self) -> Any: ...
    @property
    def role(self) -> str: ...
    @property
    def is_active(self) -> bool: ...
    @property
    def is_authenticated(self) -> bool: ...

    def get_username(self) -> str: ...
    def works_at(self, location_id: Any) -> bool: ...
    def location_ids(self) -> frozenset[Any]: ...


class SystemActor:
    """Work done on a patient's own instruction or by the practice's automation, not by a staff user:
    a patient's confirm/cancel link, an SMS reply, the reminder worker. It holds only the permissions it
    is built with; the service that uses it has already proven who the patient is (a signed token)."""

    pk = None
    is_active = True
    is_authenticated = True
    practice_wide = True

    def __init__(self, name: str, perms: frozenset[Perm]) -> None:
        self.name = name
        self.perms = perms
        self.role = f"system:{name}"

    def get_username(self) -> str:
        return self.role

    def works_at(self, location_id: Any) -> bool:
        return True

    def location_ids(self) -> frozenset[Any]:
        return frozenset()


# The type of every service's and selector's `actor`: a staff user or the practice's automation.
Actor = StaffActor | SystemActor


def staff_user(actor: Actor | None) -> Any:
    """The staff user behind `actor`, for "created by" columns; None for the system and anonymous. (An
    `accounts.User`, which core cannot name: the columns' own type checks the assignment.)"""
    if isinstance(actor, SystemActor) or not getattr(actor, "is_authenticated", False):
        return None
    return actor


def has_perm(actor: Actor | None, perm: Perm, *, location: Any = None) -> bool:
    if isinstance(actor, SystemActor):
        return perm in actor.perms
    if actor is None or not getattr(actor, "is_authenticated", False) or not actor.is_active:
        return False
    try:
        role = Role(actor.role)
    except ValueError:
        return False
    if perm not in ROLE_PERMISSIONS[role]:
        return False
    if location is not None:
        location_id = getattr(location, "pk", location)
        return bool(actor.works_at(location_id))
    return True


def require(
    actor: Actor | None,
    perm: Perm,
    *,
    location: Any = None,
    resource_type: str = "",
    resource_id: Any = "",
    patient_id: Any = None,
    hide: bool = False,
) -> None:
    """Raise PermissionDenied unless `actor` holds `perm` (at `location`, when given).

    With `hide=True` (object-level checks) the refusal answers exactly like a missing record, so
    an outsider cannot learn that it exists; it is still audited as a denial.
    """
    if not has_perm(actor, perm, location=location):
        error = PermissionDenied(
            actor=actor,
            permission=str(perm),
            resource_type=resource_type,
            resource_id=str(resource_id or ""),
            patient_id=patient_id,
        )
        if hide:
            error.status, error.title = NotFound.status, NotFound.title
            error.code, error.detail = "not-found", NotFound().detail
            error.args = (error.detail,)
        raise error
