"""A payer's plans (products: HMO, PPO, ...), kept with the payer by the same people (`may_edit_payers`).
A coverage may name one of them; plans are deactivated, never deleted."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from django.utils.translation import gettext as _

from clinicdesk.audit.services import atomic_service, record
from clinicdesk.core.changes import diff, snapshot
from clinicdesk.core.exceptions import NotFound, ValidationFailed
from clinicdesk.core.permissions import Actor

from ..models import Payer, PayerPlan, PlanType
from ..validation import Errors
from .payers import require_payer_editor

PLAN_FIELDS = ("name", "plan_type", "network_id", "active")
_CHANGEABLE = frozenset(PLAN_FIELDS)


def _check(errors: Errors, values: dict[str, Any]) -> dict[str, Any]:
    clean: dict[str, Any] = {}
    if "name" in values:
        name = " ".join(str(values["name"] or "").split())
        if not name:
            errors.add("name", _("Name is required."))
        elif len(name) > 120 or "\x00" in name:
            errors.add("name", _("Name may hold at most 120 characters."))
        clean["name"] = name
    if "plan_type" in values:
        if values["plan_type"] not in PlanType.values:
            errors.add("plan_type", _("Choose a plan type from the list."))
        clean["plan_type"] = values["plan_type"]
    if "network_id" in values:
        network = str(values["network_id"] or "").strip()
        if len(network) > 40 or "\x00" in network:
            errors.add("network_id", _("At most %(count)d characters.") % {"count": 40})
        clean["network_id"] = network
    if "active" in values:
        if not isinstance(values["active"], bool):
            errors.add("active", _("Must be true or false."))
        clean["active"] = values["active"]
    return clean


def _refuse_taken_name(errors: Errors, payer_id: int, name: str | None, exclude_id: int | None = None) -> None:
    if not name or "name" in errors.fields:
        return
    same = PayerPlan.objects.filter(payer_id=payer_id, name__iexact=name)
    if exclude_id is not None:
        same = same.exclude(pk=exclude_id)
    if same.exists():
        errors.add("name", _("This payer already has a plan with that name."))


def _lock(plan_id: Any) -> PayerPlan:
    plan = (PayerPlan.objects.select_for_update().filter(pk=plan_id).first()
            if str(plan_id).isdigit() else None)
    if plan is None:
        raise NotFound()
    return plan


@atomic_service
def payer_plan_create(*, actor: Actor, payer_id: int, name: str, plan_type: str = PlanType.PPO,
                      network_id: str = "", active: bool = True) -> PayerPlan:
    require_payer_editor(actor, payer_id)
    payer = Payer.objects.select_for_update().filter(pk=payer_id).first() if str(payer_id).isdigit() else None
    errors = Errors()
    if payer is None:
        errors.add("payer", _("Choose a payer from the list."))
    values = _check(errors, {"name": name, "plan_type": plan_type, "network_id": network_id, "active": active})
    if payer is not None:
        _refuse_taken_name(errors, payer.pk, values.get("name"))
    errors.raise_if_any("invalid-plan")
    assert payer is not None
    plan = PayerPlan.objects.create(payer=payer, **values)
    record(actor, "payer_plan.create", plan, detail={"payer": plan.payer_id,
                                                     "changes": diff({}, snapshot(plan, PLAN_FIELDS))})
    return plan


@atomic_service
def payer_plan_update(*, actor: Actor, plan_id: int, **changes: Any) -> PayerPlan:
    """Change the members given; `active` takes a plan off the list or puts it back."""
    require_payer_editor(actor, plan_id)
    if unknown := sorted(set(changes) - _CHANGEABLE):
        raise ValidationFailed("unknown-field", _("These cannot be changed here: %(names)s.") % {
            "names": ", ".join(unknown)}, fields={name: [_("Cannot be changed.")] for name in unknown})
    plan = _lock(plan_id)
    errors = Errors()
    values = _check(errors, changes)
    _refuse_taken_name(errors, plan.payer_id, values.get("name"), exclude_id=plan.pk)
    errors.raise_if_any("invalid-plan")
    before = snapshot(plan, PLAN_FIELDS)
    for name, value in values.items():
        setattr(plan, name, value)
    plan.save()
    if changed := diff(before, snapshot(plan, PLAN_FIELDS)):
        action = "payer_plan.deactivate" if changed.get("active") == [True, False] and len(changed) == 1 \
            else "payer_plan.update"
        record(actor, action, plan, detail={"payer": plan.payer_id, "changes": changed})
    return plan


@atomic_service
def payer_plan_deactivate(*, actor: Actor, plan_id: int) -> PayerPlan:
    """Take a plan off the list offered for new coverage; coverages that name it keep it."""
    require_payer_editor(actor, plan_id)
    plan = _lock(plan_id)
    if plan.active:
        plan.active = False
        plan.save(update_fields=["active"])
        record(actor, "payer_plan.deactivate", plan, detail={"payer": plan.payer_id,
                                                             "changes": {"active": [True, False]}})
    return plan


def payer_plans_list(*, actor: Actor, include_inactive: bool = False,
                     payer_id: int | None = None) -> QuerySet[PayerPlan]:
    """The plans for their editors (of one payer when `payer_id` is given), active first."""
    require_payer_editor(actor)
    plans = PayerPlan.objects.select_related("payer")
    if payer_id is not None:
        plans = plans.filter(payer_id=payer_id)
    if not include_inactive:
        plans = plans.filter(active=True)
    return plans.order_by("payer__name", "-active", "name")


def payer_plan_detail(*, actor: Actor, plan_id: int) -> PayerPlan:
    require_payer_editor(actor, plan_id)
    plan = PayerPlan.objects.select_related("payer").filter(pk=plan_id).first() if str(plan_id).isdigit() else None
    if plan is None:
        raise NotFound()
    return plan


def plans_offered(payer_ids: list[int] | None = None) -> dict[int, list[PayerPlan]]:
    """The active plans of active payers, by payer id: what the coverage form offers (reference data, no
    patient in it, so no permission beyond the form's own)."""
    plans = PayerPlan.objects.filter(active=True, payer__active=True).order_by("payer_id", "name")
    if payer_ids is not None:
        plans = plans.filter(payer_id__in=payer_ids)
    offered: dict[int, list[PayerPlan]] = {}
    for plan in plans:
        offered.setdefault(plan.payer_id, []).append(plan)
    return offered
