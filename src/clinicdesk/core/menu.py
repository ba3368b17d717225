"""The main menu: each screen names the permission that opens it, so each role sees only its own; the screens a
role sees are shown in groups (front desk, insurance, billing, staff, back office, reports, setup), each group
only if the role has one of its screens."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.urls import reverse
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

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
    Screen("intake", _("Portal intake"), "portal:staff-intake", Perm.FRONTDESK),  # patients' pending changes (#23)
    Screen("insurance", _("Coverage checks"), "insurance:day", Perm.INSURANCE_READ),
    Screen("authorizations", _("Authorizations"), "insurance:worklist", Perm.INSURANCE_READ),
    # surgery readiness and admissions and transfers (#18 items 8, 9): the coordinators (desk with insurance.write)
    Screen("readiness", _("Readiness"), "insurance:readiness", Perm.INSURANCE_WRITE, also=Perm.FRONTDESK),
    Screen("transfers", _("Transfers"), "insurance:transfers", Perm.INSURANCE_WRITE, also=Perm.FRONTDESK),
    # the payer list: patients.services.may_edit_payers (coordinators and billing)
    Screen("payers", _("Payers"), "patients:payers", (Perm.PRACTICE_ADMIN, Perm.BILLING_WRITE)),
    Screen("drawer", _("Cash drawer"), "billing:drawer", Perm.BILLING_READ),
    Screen("coding", _("Coding"), "billing:coding", Perm.CHARGE_CAPTURE),
    Screen("claims", _("Claims"), "billing:claims", Perm.BILLING_WRITE),  # claims and remittances (#19)
    Screen("denials", _("Denials"), "billing:denials", (Perm.BILLING_WRITE, Perm.BILLING_APPROVE)),  # #19 item 7
    Screen("statements", _("Statements"), "billing:statements", Perm.BILLING_WRITE),  # #19 item 8
    Screen("disputes", _("Billing disputes"), "billing:disputes", Perm.BILLING_READ),  # #19 item 9
    # the approver's queue of credit refunds (#19 item 8): who may approve them (services.credit_refund_approve)
    Screen("refunds", _("Refunds to approve"), "billing:refunds", Perm.BILLING_APPROVE),
    Screen("payments", _("Payment reports"), "billing:reports", Perm.REPORTS_READ, also=Perm.BILLING_READ),
    Screen("roster", _("Staff roster"), "staffing:roster", Perm.STAFFING_READ),
    Screen("swaps", _("Shift swaps"), "staffing:swaps", Perm.STAFFING_READ),
    Screen("training", _("Training"), "staffing:training", Perm.STAFFING_READ),
    Screen("timeclock", _("Time clock"), "staffing:clock", Perm.STAFFING_READ),  # time and attendance (#20)
    Screen("supplies", _("Supplies"), "operations:items", (Perm.OPERATIONS_ADMIN, Perm.SUPPLIES_USE)),
    Screen("correspondence", _("Correspondence"), "comms:compose", Perm.CORRESPONDENCE_WRITE),
    Screen("workshops", _("Workshops and events"), "outreach:events", Perm.OUTREACH_USE),
    Screen("campaigns", _("Outreach campaigns"), "outreach:campaigns", Perm.OUTREACH_USE),  # #24 item 4
    Screen("compliance", _("Compliance"), "compliance:dashboard", (Perm.COMPLIANCE_ADMIN, Perm.COMPLIANCE_REPORT)),
    Screen("dashboards", _("Dashboards"), "insight:dashboards", Perm.REPORTS_READ),
    Screen("forecast", _("Demand forecast"), "insight:forecast", Perm.REPORTS_READ),
    # The "call the day before" list: the desk makes the calls (reports readers or the front desk, as the view).
    Screen("noshow", _("No-show risk"), "insight:noshow", (Perm.REPORTS_READ, Perm.FRONTDESK), also=Perm.SCHEDULE_READ),
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


@dataclass(frozen=True)
class MenuGroup:
    key: str
    label: str | Promise
    screens: tuple[str, ...]


# Every screen belongs to exactly one group (tests/core/test_menu_groups.py); the order here is the menu's order.
MENU_GROUPS: tuple[MenuGroup, ...] = (
    MenuGroup("desk", pgettext_lazy("menu group", "Front desk"),
              ("home", "patients", "schedule", "frontdesk", "board", "inbox", "portal", "intake")),
    MenuGroup("insurance", pgettext_lazy("menu group", "Insurance"),
              ("insurance", "authorizations", "readiness", "transfers", "payers")),
    MenuGroup("billing", pgettext_lazy("menu group", "Billing"),
              ("drawer", "coding", "claims", "denials", "statements", "disputes", "refunds", "payments")),
    MenuGroup("staff", pgettext_lazy("menu group", "Staff"), ("roster", "swaps", "training", "timeclock")),
    MenuGroup("office", pgettext_lazy("menu group", "Back office"),
              ("supplies", "correspondence", "workshops", "campaigns", "compliance")),
    MenuGroup("reports", pgettext_lazy("menu group", "Reports"), ("dashboards", "forecast", "noshow", "audit")),
    MenuGroup("setup", pgettext_lazy("menu group", "Setup"), ("setup", "locations", "users")),
)


def menu_groups(menu: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """A role's screens (what `menu_for` gave) in their groups, in the groups' order; empty groups left out."""
    items = {item["key"]: item for item in menu}
    groups = []
    for group in MENU_GROUPS:
        entries = [items.pop(key) for key in group.screens if key in items]
        if entries:
            groups.append({"key": group.key, "label": group.label, "items": entries})
    if items:  # a screen no group names yet: shown at the end rather than hidden
        groups.append({"key": "more", "label": pgettext_lazy("menu group", "More"), "items": list(items.values())})
    return groups
