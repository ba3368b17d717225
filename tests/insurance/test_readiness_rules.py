# ruff: noqa: F811  (pytest fixtures imported from referral_fixtures, then named as arguments)
"""Ready for visit has one home (scheduling.services.readiness, #18 item 7): a payer rule that needs a prior
authorization for the visit's type, or for one of its usual procedure codes, keeps the visit not ready until an
approved authorization covers its date, even when the type's own checklist has no "prior authorization" item;
ticking it anyway is refused with the rule named, writing nothing."""

from __future__ import annotations

import pytest

from clinicdesk.audit.models import AuditEntry
from clinicdesk.billing.models import UsualCode
from clinicdesk.core import clock as core_clock
from clinicdesk.core.exceptions import Conflict
from clinicdesk.frontdesk.selectors import checklist_lines
from clinicdesk.insurance import services
from clinicdesk.insurance.models import PayerRule
from clinicdesk.scheduling.models import Appointment, ChecklistItem
from clinicdesk.scheduling.services import appointment_checklist_mark, readiness
from tests.factories import AppointmentTypeFactory

from .referral_fixtures import ana, coordinator, mri_payer, visit  # noqa: F401


@pytest.fixture
def scope(db):
    """A type whose checklist asks only for a photo ID (no "prior authorization" item)."""
    return AppointmentTypeFactory(code="scope", name="Knee arthroscopy", duration_minutes=30,
                                  checklist=[ChecklistItem.PHOTO_ID])


def _authorize(actor, patient, *, valid_from="2026-11-23", valid_to="2026-12-31", **extra):
    data = services.AuthorizationInput(
        patient_id=patient.pk, procedure_codes="29881", units_requested=2, requested_from=valid_from,
        requested_to=valid_to, clinical_reason="Meniscus tear", **extra,
        decision=services.Decision(status="approved", auth_number="PA-1", units_approved=2, valid_from=valid_from,
                                   valid_to=valid_to))
    return services.authorization_request(actor=actor, data=data)


def _fresh(appointment):
    return Appointment.objects.select_related("appointment_type", "location").get(pk=appointment.pk)


def test_type_rule_keeps_visit_not_ready_and_refuses_the_tick_until_an_approval(clock, coordinator, ana, mri_payer,
                                                                              scope, visit):
    PayerRule.objects.create(payer=mri_payer, appointment_type=scope, needs_prior_auth=True,
                             updated_at=core_clock.now())
    appointment = visit(ana, scope)
    appointment_checklist_mark(actor=coordinator, appointment_id=appointment.pk, item=ChecklistItem.PHOTO_ID)
    appointment = _fresh(appointment)
    needs = readiness(appointment)
    assert not appointment.ready_for_visit and needs.missing == [ChecklistItem.PRIOR_AUTH]
    assert needs.reasons[ChecklistItem.PRIOR_AUTH] == [
        "Riverbend Health requires a prior authorization for Knee arthroscopy."]
    # The front desk's lines (check-in page, worklist) ask the same function.
    lines = checklist_lines(appointment, documents=set())
    assert [(line.item, line.done) for line in lines] == [("photo_id", True), ("prior_auth", False)]
    before = AuditEntry.objects.filter(action="appointment.checklist").count()
    with pytest.raises(Conflict) as caught:
        appointment_checklist_mark(actor=coordinator, appointment_id=appointment.pk, item=ChecklistItem.PRIOR_AUTH)
    assert caught.value.code == "prior-auth-missing" and "Riverbend Health requires" in caught.value.detail
    assert _fresh(appointment).checklist_done == [ChecklistItem.PHOTO_ID]  # nothing written
    assert AuditEntry.objects.filter(action="appointment.checklist").count() == before

    _authorize(coordinator, ana, appointment_type_id=scope.pk)
    appointment = _fresh(appointment)
    assert appointment.ready_for_visit and readiness(appointment).missing == []


def test_authorization_that_ended_before_the_visit_does_not_count(clock, coordinator, ana, mri_payer, scope, visit):
    PayerRule.objects.create(payer=mri_payer, appointment_type=scope, needs_prior_auth=True,
                             updated_at=core_clock.now())
    appointment = visit(ana, scope)  # tomorrow, 2026-11-24
    _authorize(coordinator, ana, valid_from="2026-11-01", valid_to="2026-11-23", appointment_type_id=scope.pk)
    appointment = _fresh(appointment)
    assert not appointment.ready_for_visit
    assert ChecklistItem.PRIOR_AUTH in appointment.checklist_missing


def test_code_rule_applies_through_the_types_usual_codes(clock, coordinator, ana, mri_payer, scope, visit):
    UsualCode.objects.create(appointment_type=scope, code="29881")
    PayerRule.objects.create(payer=mri_payer, procedure_code="29881", needs_prior_auth=True,
                             updated_at=core_clock.now())
    appointment = visit(ana, scope)
    needs = readiness(_fresh(appointment))
    assert needs.missing == [ChecklistItem.PHOTO_ID, ChecklistItem.PRIOR_AUTH]
    assert "procedure 29881" in needs.reasons[ChecklistItem.PRIOR_AUTH][0]
    _authorize(coordinator, ana)  # names code 29881, no type
    assert readiness(_fresh(appointment)).missing == [ChecklistItem.PHOTO_ID]  # the rule is met
