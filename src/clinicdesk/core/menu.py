"""The main menu: each screen names the permission that opens it, so each role sees only its own."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.urls import reverse
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from .permissions import Perm, has_perm


@dataclass(frozen=True)
class Screen:
    key: str
    label: str | Promise
    url_name: str
    perm: Perm | tuple[Perm, ...] | None = None  # a tuple: any one of them opens the screen
    also: Perm | None = None  # a second permission the screen needs as well


SCREENS: tuple[Screen, ...] = (
    Screen("home", _("Home"), "home"),
    Screen("patients", _("Patients"), "patients:search", Perm.PATIENT_READ),
    Screen("schedule", _("Schedule"), "scheduling:day", Perm.SCHEDULE_READ),
    Screen("frontdesk", _("Front desk"), "frontdesk:arrivals", Perm.FRONTDESK),
    Screen("board", _("Flow board"), "frontdesk:board", (Perm.FRONTDESK, Perm.CLINICAL_TRIAGE)),
    Screen("inbox", _("Inbox"), "frontdesk:inbox", (Perm.FRONTDESK, Perm.CLINICAL_TRIAGE)),
    Screen("portal", _("Portal messages"), "portal:staff-inbox", Perm.FRONTDESK),  # the patient portal (#23)
    Screen("drawer", _("Cash drawer"), "billing:drawer", Perm.BILLING_READ),
    Screen("coding", _("Coding"), "billing:coding", Perm.CHARGE_CAPTURE),
    Screen("insurance", _("Coverage checks"), "insurance:day", Perm.INSURANCE_READ),
    Screen("authorizations", _("Authorizations"), "insurance:worklist", Perm.INSURANCE_READ),
    # the payer list: patients.services.may_edit_payers (coordinators and billing)
    Screen("payers", _("Payers"), "patients:payers", (Perm.PRACTICE_ADMIN, Perm.BILLING_WRITE)),
    Screen("supplies", _("Supplies"), "operations:items", (Perm.OPERATIONS_ADMIN, Perm.SUPPLIES_USE)),
    Screen("roster", _("Staff roster"), "staffing:roster", Perm.STAFFING_READ),
    Screen("correspondence", _("Correspondence"), "comms:compose", Perm.CORRESPONDENCE_WRITE),
    Screen("compliance", _("Compliance"), "compliance:dashboard", (Perm.COMPLIANCE_ADMIN, Perm.COMPLIANCE_REPORT)),
    Screen("dashboards", _("Dashboards"), "insight:dashboards", Perm.REPORTS_READ),
    Screen("noshow", _("No-show risk"), "insight:noshow", Perm.REPORTS_READ, also=Perm.SCHEDULE_READ),
    Screen("audit", _("Audit trail"), "audit:entries", Perm.AUDIT_READ),
    Screen("setup", _("Practice setup"), "setup:guide", Perm.PRACTICE_ADMIN),
    Screen("locations", _("Locations"), "practice:locations", Perm.PRACTICE_ADMIN),
    Screen("users", _("Staff accounts"), "accounts:users", Perm.USER_ADMIN),
)


def menu_for(actor: Any) -> list[dict[str, Any]]:
    return [
        {"key": s.key, "label": s.label, "url": reverse(s.url_name)}
        for s in SCREENS
        if (s.perm is None or any(has_perm(actor, p) for p in (s.perm if isinstance(s.perm, tuple) else (s.perm,))))
        and (s.also is None or has_perm(actor, s.also))
    ]
