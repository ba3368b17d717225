"""The payer list: each payer's address, phone, electronic id, claim and eligibility channels, default co-pays
and plans (#14, #18). Kept by a practice coordinator or a billing user (`may_edit_payers`, the one rule).
Payers and plans are referred to by coverages, so they are deactivated, never deleted; an inactive one is no
longer offered for new coverage."""

from __future__ import annotations

import re
from decimal import Decimal
from typing import Any

from django.db.models import Count, Q, QuerySet
from django.utils.translation import gettext as _

from clinicdesk.audit.services import atomic_service, record
from clinicdesk.core.changes import diff, snapshot
from clinicdesk.core.exceptions import NotFound, ValidationFailed
from clinicdesk.core.permissions import Actor, Perm, has_perm, require

from ..models import Payer, PayerChannel, PayerKind
from ..validation import US_STATES, Errors, check_money, normalize_phone

PAYER_FIELDS = ("name", "payer_code", "kind", "address_line", "city", "state", "postal_code", "phone",
                "claim_channel", "eligibility_channel", "default_copay_primary", "default_copay_specialist", "active")
_ZIP = re.compile(r"^\d{5}(-\d{4})?$")


def may_edit_payers(actor: Actor | None) -> bool:
    """The payer list is kept by whoever administers the practice (a practice coordinator) or works its claims
    (a billing user): the one rule for the payer screens, the JSON API and the menu."""
    return has_perm(actor, Perm.PRACTICE_ADMIN) or has_perm(actor, Perm.BILLING_WRITE)


def require_payer_editor(actor: Actor | None, resource_id: Any = "") -> None:
    if not may_edit_payers(actor):
        require(actor, Perm.PRACTICE_ADMIN, resource_type="payer", resource_id=str(resource_id or ""))
_CHANGEABLE = frozenset(PAYER_FIELDS)
_PAYER_CODE = re.compile(r"^[A-Za-z0-9-]*$")


def _check(errors: Errors, values: dict[str, Any]) -> dict[str, Any]:
    """The payer fields given in `values`, cleaned; problems are added to `errors`."""
    clean: dict[str, Any] = {}
    if "name" in values:
        name = " ".join(str(values["name"] or "").split())
        if not name:
            errors.add("name", _("Name is required."))
        elif len(name) > 120 or "\x00" in name:
            errors.add("name", _("Name may hold at most 120 characters."))
        clean["name"] = name
    if "payer_code" in values:
        code = str(values["payer_code"] or "").strip().upper()
        if len(code) > 20 or not _PAYER_CODE.match(code):
            errors.add("payer_code", _("The electronic payer id holds up to 20 letters, digits and hyphens."))
        clean["payer_code"] = code
    if "kind" in values:
        if values["kind"] not in PayerKind.values:
            errors.add("kind", _("Choose a kind from the list."))
        clean["kind"] = values["kind"]
    _check_contact(errors, values, clean)
    for name, label in (("default_copay_primary", _("Primary care co-pay")),
                        ("default_copay_specialist", _("Specialist co-pay"))):
        if name in values:
            clean[name] = check_money(errors, name, values[name], label)
    if "active" in values:
        if not isinstance(values["active"], bool):
            errors.add("active", _("Must be true or false."))
        clean["active"] = values["active"]
    return clean


def _check_contact(errors: Errors, values: dict[str, Any], clean: dict[str, Any]) -> None:
    for name, limit in (("address_line", 120), ("city", 60)):
        if name in values:
            text = " ".join(str(values[name] or "").split())
            if len(text) > limit or "\x00" in text:
                errors.add(name, _("At most %(count)d characters.") % {"count": limit})
            clean[name] = text
    if "state" in values:
        state = str(values["state"] or "").strip().upper()
        if state and state not in US_STATES:
            errors.add("state", _("Enter a US state as two letters, e.g. MA."))
        clean["state"] = state
    if "postal_code" in values:
        code = str(values["postal_code"] or "").strip()
        if code and not _ZIP.match(code):
            errors.add("postal_code", _("Enter a ZIP code of five digits (or ZIP+4)."))
        clean["postal_code"] = code
    if "phone" in values:
        clean["phone"] = normalize_phone(errors, "phone", str(values["phone"] or ""))
    for name in ("claim_channel", "eligibility_channel"):
        if name in values:
            if values[name] not in PayerChannel.values:
                errors.add(name, _("Choose a channel from the list."))
            clean[name] = values[name]


def _refuse_taken_name(errors: Errors, name: str | None, exclude_id: int | None = None) -> None:
    if not name or "name" in errors.fields:
        return
    same = Payer.objects.filter(name__iexact=name)
    if exclude_id is not None:
        same = same.exclude(pk=exclude_id)
    if same.exists():
        errors.add("name", _("A payer with that name is already on the list."))


def _lock(payer_id: Any) -> Payer:
    payer = Payer.objects.select_for_update().filter(pk=payer_id).first() if str(payer_id).isdigit() else None
    if payer is None:
        raise NotFound()
    return payer


@atomic_service
def payer_create(*, actor: Actor, name: str, payer_code: str = "", kind: str = PayerKind.COMMERCIAL,
                 address_line: str = "", city: str = "", state: str = "", postal_code: str = "", phone: str = "",
                 claim_channel: str = PayerChannel.NONE, eligibility_channel: str = PayerChannel.NONE,
                 default_copay_primary: Decimal | str | None = None,
                 default_copay_specialist: Decimal | str | None = None, active: bool = True) -> Payer:
    require_payer_editor(actor)
    errors = Errors()
    values = _check(errors, {"name": name, "payer_code": payer_code, "kind": kind, "address_line": address_line,
                             "city": city, "state": state, "postal_code": postal_code, "phone": phone,
                             "claim_channel": claim_channel, "eligibility_channel": eligibility_channel,
                             "default_copay_primary": default_copay_primary,
                             "default_copay_specialist": default_copay_specialist, "active": active})
    _refuse_taken_name(errors, values.get("name"))
    errors.raise_if_any("invalid-payer")
    payer = Payer.objects.create(**values)
    record(actor, "payer.create", payer, detail={"changes": diff({}, snapshot(payer, PAYER_FIELDS))})
    return payer


@atomic_service
def payer_update(*, actor: Actor, payer_id: int, **changes: Any) -> Payer:
    """Change the members given; `active=True` puts a deactivated payer back on the list, `active=False`
    deactivates it (as `payer_deactivate`)."""
    require_payer_editor(actor, payer_id)
    if unknown := sorted(set(changes) - _CHANGEABLE):
        raise ValidationFailed("unknown-field", _("These cannot be changed here: %(names)s.") % {
            "names": ", ".join(unknown)}, fields={name: [_("Cannot be changed.")] for name in unknown})
    payer = _lock(payer_id)
    errors = Errors()
    values = _check(errors, changes)
    _refuse_taken_name(errors, values.get("name"), exclude_id=payer.pk)
    errors.raise_if_any("invalid-payer")
    before = snapshot(payer, PAYER_FIELDS)
    for name, value in values.items():
        setattr(payer, name, value)
    payer.save()
    payer.refresh_from_db()  # amounts as the database holds them (two places)
    if changed := diff(before, snapshot(payer, PAYER_FIELDS)):
        action = "payer.deactivate" if changed.get("active") == [True, False] and len(changed) == 1 \
            else "payer.update"
        record(actor, action, payer, detail={"changes": changed})
    return payer


@atomic_service
def payer_deactivate(*, actor: Actor, payer_id: int) -> Payer:
    """Take a payer off the list offered for new coverage; coverages that name it keep it."""
    require_payer_editor(actor, payer_id)
    payer = _lock(payer_id)
    if payer.active:
        payer.active = False
        payer.save(update_fields=["active"])
        record(actor, "payer.deactivate", payer, detail={"changes": {"active": [True, False]}})
    return payer


def payers_list(*, actor: Actor, include_inactive: bool = False) -> QuerySet[Payer]:
    """The payer list for its administrators, active first (a read, kept beside the writes it serves)."""
    require_payer_editor(actor)
    payers = Payer.objects.annotate(plan_count=Count("plans", filter=Q(plans__active=True)))
    if not include_inactive:
        payers = payers.filter(active=True)
    return payers.order_by("-active", "name")


def payer_detail(*, actor: Actor, payer_id: int) -> Payer:
    require_payer_editor(actor, payer_id)
    payer = Payer.objects.filter(pk=payer_id).first()
    if payer is None:
        raise NotFound()
    return payer
