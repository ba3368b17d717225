"""Payer rules (#18 item 1): which appointment types or procedure codes a payer wants a referral or a prior
authorization for. Edited by the practice coordinator and billing; every write audited. `rules_for` is what the
referral and authorization checks ask."""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.utils.translation import gettext as _

from clinicdesk.audit.services import atomic_service, record
from clinicdesk.billing import selectors as billing_selectors
from clinicdesk.core import clock
from clinicdesk.core.exceptions import Conflict, NotFound, PermissionDenied, ValidationFailed
from clinicdesk.core.permissions import Actor, Perm, has_perm, require, staff_user
from clinicdesk.patients.models import Payer
from clinicdesk.scheduling.models import AppointmentType

from ..models import PayerRule

PROCEDURE_CODE = re.compile(r"^[A-Z0-9]{5}$")  # CPT (5 digits, or 4 + letter) or HCPCS level II (letter + 4)


def _require_rules_editor(actor: Actor) -> None:
    """Rules are the practice's contract with the payer: the practice coordinator (practice.admin) or billing
    (billing.write) edits them, with insurance.write."""
    require(actor, Perm.INSURANCE_WRITE)
    if not (has_perm(actor, Perm.PRACTICE_ADMIN) or has_perm(actor, Perm.BILLING_WRITE)):
        raise PermissionDenied(actor=actor, permission=Perm.PRACTICE_ADMIN, resource_type="payer-rule")


def can_edit_rules(actor: Actor) -> bool:
    return has_perm(actor, Perm.INSURANCE_WRITE) and (has_perm(actor, Perm.PRACTICE_ADMIN)
                                                       or has_perm(actor, Perm.BILLING_WRITE))


def _clean_procedure_code(value: str) -> str:
    return (value or "").strip().upper()


@dataclass(frozen=True)
class RuleInput:
    payer_id: int
    appointment_type_id: int | None = None
    procedure_code: str = ""
    needs_referral: bool = False
    needs_prior_auth: bool = False
    note: str = ""


def _validate(data: RuleInput) -> tuple[Payer, AppointmentType | None, str]:
    fields: dict[str, list[str]] = {}
    payer = Payer.objects.filter(pk=data.payer_id).first() if str(data.payer_id).isdigit() else None
    if payer is None:
        fields["payer"] = [_("Choose a payer.")]
    kind = None
    if data.appointment_type_id is not None:
        kind = AppointmentType.objects.filter(pk=data.appointment_type_id).first() \
            if str(data.appointment_type_id).isdigit() else None
        if kind is None:
            fields["appointment_type"] = [_("Choose an appointment type.")]
    code = _clean_procedure_code(data.procedure_code)
    if code and not PROCEDURE_CODE.match(code):
        fields["procedure_code"] = [_("A procedure code is five letters or digits (CPT or HCPCS), e.g. 73721.")]
    if (kind is None) == (not code) and "appointment_type" not in fields:
        fields["appointment_type"] = [_("Choose an appointment type or enter a procedure code, not both.")]
    if not (data.needs_referral or data.needs_prior_auth):
        fields["needs_referral"] = [_("A rule asks for a referral, a prior authorization, or both.")]
    if len(data.note) > 200:
        fields["note"] = [_("200 characters at most.")]
    if fields:
        raise ValidationFailed("invalid-payer-rule", next(iter(fields.values()))[0], fields=fields)
    assert payer is not None
    return payer, kind, code


@atomic_service
def payer_rule_save(*, actor: Actor, data: RuleInput, rule_id: int | None = None) -> PayerRule:
    """Create a rule, or change one (`rule_id`); one rule per payer and appointment type or procedure code."""
    _require_rules_editor(actor)
    payer, kind, code = _validate(data)
    if rule_id is not None:
        rule = PayerRule.objects.select_for_update(of=("self",)).filter(pk=rule_id).first() \
            if str(rule_id).isdigit() else None
        if rule is None:
            raise NotFound()
    else:
        rule = PayerRule()
    clash = PayerRule.objects.filter(payer=payer, appointment_type=kind, procedure_code=code).exclude(pk=rule.pk)
    if clash.exists():
        raise Conflict("payer-rule-exists", _("This payer already has a rule for that appointment type or procedure "
                                              "code: change that one."))
    rule.payer, rule.appointment_type, rule.procedure_code = payer, kind, code
    rule.needs_referral, rule.needs_prior_auth = data.needs_referral, data.needs_prior_auth
    rule.note = data.note.strip()
    rule.updated_at, rule.updated_by = clock.now(), staff_user(actor)
    created = rule.pk is None
    rule.save()
    detail = {"payer": payer.pk, "appointment_type": kind.pk if kind else None, "procedure_code": code,
              "referral": data.needs_referral, "prior_auth": data.needs_prior_auth}
    if created:
        record(actor, "payer-rule.create", rule, detail=detail)
    else:
        record(actor, "payer-rule.update", rule, detail=detail)
    return rule


@atomic_service
def payer_rule_delete(*, actor: Actor, rule_id: int) -> None:
    _require_rules_editor(actor)
    rule = PayerRule.objects.select_for_update(of=("self",)).filter(pk=rule_id).first() \
        if str(rule_id).isdigit() else None
    if rule is None:
        raise NotFound()
    record(actor, "payer-rule.delete", rule, detail={"payer": rule.payer_id,
                                                     "appointment_type": rule.appointment_type_id,
                                                     "procedure_code": rule.procedure_code})
    rule.delete()


@dataclass(frozen=True)
class Needs:
    referral: bool = False
    prior_auth: bool = False
    rules: tuple[PayerRule, ...] = ()


def rule_applies(rule: PayerRule, *, appointment_type_id: int | None, procedure_codes: Iterable[str]) -> bool:
    """A payer's rule is about this visit: it names the visit's appointment type, or one of its procedure codes."""
    return bool((appointment_type_id is not None and rule.appointment_type_id == appointment_type_id)
                or (rule.procedure_code and rule.procedure_code in set(procedure_codes)))


def rules_for(*, payer_id: int | None, appointment_type_id: int | None = None,
              procedure_codes: tuple[str, ...] | list[str] = ()) -> Needs:
    """What the payer asks for this appointment type and these procedure codes (no permission: a check other
    services and selectors make)."""
    if payer_id is None:
        return Needs()
    codes = [_clean_procedure_code(c) for c in procedure_codes if c]
    found = [r for r in PayerRule.objects.filter(payer_id=payer_id)
             if rule_applies(r, appointment_type_id=appointment_type_id, procedure_codes=codes)]
    return Needs(referral=any(r.needs_referral for r in found), prior_auth=any(r.needs_prior_auth for r in found),
                 rules=tuple(found))


def visit_codes(type_ids: Iterable[int]) -> dict[int, list[str]]:
    """The procedure codes a visit of each type is expected to bill before it is coded: the type's usual codes
    (billing's superbill defaults). The per-code rules of a payer are checked against them."""
    return billing_selectors.usual_procedure_codes({t for t in type_ids if t is not None})


def rules_for_visit(*, payer_id: int | None, appointment_type_id: int) -> Needs:
    """What the payer asks for a visit of this type: rules on the type and on its usual procedure codes."""
    codes = visit_codes([appointment_type_id]).get(appointment_type_id, [])
    return rules_for(payer_id=payer_id, appointment_type_id=appointment_type_id, procedure_codes=codes)


def prior_auth_codes(rules: Iterable[PayerRule], procedure_codes: Iterable[str]) -> frozenset[str]:
    """The visit's procedure codes that a payer rule wants authorized (an authorization must name one of them)."""
    codes = set(procedure_codes)
    return frozenset(r.procedure_code for r in rules if r.needs_prior_auth and r.procedure_code in codes)


def authorization_fits(authorization: Any, *, appointment_type_id: int | None, needed_codes: frozenset[str]) -> bool:
    """An authorization is for this visit: it names the visit's type; or it names no type and, when the payer's
    rule is about procedure codes, it authorizes one of them."""
    if authorization.appointment_type_id is not None:
        return bool(authorization.appointment_type_id == appointment_type_id)
    return not needed_codes or bool(needed_codes & set(authorization.procedure_codes or []))
