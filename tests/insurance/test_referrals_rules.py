# ruff: noqa: F811  (pytest fixtures imported from referral_fixtures, then named as arguments)
"""Payer rules (#18 item 1): edited by the practice coordinator and billing only, one per payer and type or
code, audited; what they ask is read by `rules_for`."""

from __future__ import annotations

import pytest

from clinicdesk.audit.models import AuditEntry
from clinicdesk.core.exceptions import Conflict, PermissionDenied, ValidationFailed
from clinicdesk.core.permissions import Role
from clinicdesk.insurance import services
from clinicdesk.insurance.models import PayerRule

from .referral_fixtures import mri, mri_payer  # noqa: F401


def test_coordinator_saves_a_rule_and_it_is_audited(clock, make_user, mri_payer, mri):
    actor = make_user(Role.PRACTICE_COORDINATOR)
    rule = services.payer_rule_save(actor=actor, data=services.RuleInput(
        payer_id=mri_payer.pk, appointment_type_id=mri.pk, needs_prior_auth=True))
    assert services.rules_for(payer_id=mri_payer.pk, appointment_type_id=mri.pk).prior_auth
    assert AuditEntry.objects.filter(action="payer-rule.create", resource_id=str(rule.pk)).exists()


def test_billing_saves_a_procedure_code_rule(clock, make_user, mri_payer):
    services.payer_rule_save(actor=make_user(Role.BILLING), data=services.RuleInput(
        payer_id=mri_payer.pk, procedure_code="73721", needs_prior_auth=True))
    assert services.rules_for(payer_id=mri_payer.pk, procedure_codes=["73721"]).prior_auth


def test_front_desk_cannot_edit_rules(clock, make_user, mri_payer, mri):
    with pytest.raises(PermissionDenied):
        services.payer_rule_save(actor=make_user(Role.FRONT_DESK), data=services.RuleInput(
            payer_id=mri_payer.pk, appointment_type_id=mri.pk, needs_referral=True))
    assert PayerRule.objects.count() == 0


def test_rule_needs_a_type_or_a_code_not_both(clock, make_user, mri_payer, mri):
    with pytest.raises(ValidationFailed):
        services.payer_rule_save(actor=make_user(Role.PRACTICE_COORDINATOR), data=services.RuleInput(
            payer_id=mri_payer.pk, appointment_type_id=mri.pk, procedure_code="73721", needs_referral=True))


def test_rule_must_ask_for_something(clock, make_user, mri_payer, mri):
    with pytest.raises(ValidationFailed):
        services.payer_rule_save(actor=make_user(Role.PRACTICE_COORDINATOR), data=services.RuleInput(
            payer_id=mri_payer.pk, appointment_type_id=mri.pk))


def test_second_rule_for_the_same_type_is_refused(clock, make_user, mri_payer, mri):
    actor = make_user(Role.PRACTICE_COORDINATOR)
    data = services.RuleInput(payer_id=mri_payer.pk, appointment_type_id=mri.pk, needs_referral=True)
    services.payer_rule_save(actor=actor, data=data)
    with pytest.raises(Conflict):
        services.payer_rule_save(actor=actor, data=data)


def test_delete_is_audited(clock, make_user, mri_payer, mri):
    actor = make_user(Role.PRACTICE_COORDINATOR)
    rule = services.payer_rule_save(actor=actor, data=services.RuleInput(
        payer_id=mri_payer.pk, appointment_type_id=mri.pk, needs_referral=True))
    services.payer_rule_delete(actor=actor, rule_id=rule.pk)
    assert PayerRule.objects.count() == 0
    assert AuditEntry.objects.filter(action="payer-rule.delete").count() == 1
