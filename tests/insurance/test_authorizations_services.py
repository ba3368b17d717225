# ruff: noqa: F811  (pytest fixtures imported from referral_fixtures, then named as arguments)
"""Prior authorizations (#18 item 7): the transitions table, dates and units refused with a reason, the
pre-visit item "prior authorization" ticked only with an approved authorization covering the visit (the one
path: scheduling's appointment_checklist_mark asks insurance through its hook), units used on fulfilment, and
the two-week worklist."""

from __future__ import annotations

import datetime as dt

import pytest

from clinicdesk.audit.models import AuditEntry
from clinicdesk.core.exceptions import Conflict, InvalidTransition, NotFound, PermissionDenied, ValidationFailed
from clinicdesk.core.permissions import Role
from clinicdesk.insurance import selectors, services
from clinicdesk.insurance.models import PriorAuthorization
from clinicdesk.scheduling.models import Appointment
from clinicdesk.scheduling.services import appointment_checklist_mark, appointment_set_status

from .referral_fixtures import (  # noqa: F401
    TOMORROW,
    ana,
    coordinator,
    far_clerk,
    mri,
    mri_payer,
    rules,
    specialist_visit,
    visit,
)


def _request(patient, **extra):
    values = dict(patient_id=patient.pk, procedure_codes="73721", units_requested=2, requested_from="2026-11-23",
                  requested_to="2026-12-31", clinical_reason="Suspected meniscus tear")
    values.update(extra)
    return services.AuthorizationInput(**values)


def _approve(**extra):
    values = dict(status="approved", auth_number="PA-778899", units_approved=2, valid_from="2026-11-23",
                  valid_to="2026-12-31")
    values.update(extra)
    return services.Decision(**values)


def test_request_then_approve_is_audited(clock, coordinator, ana):
    found = services.authorization_request(actor=coordinator, data=_request(ana), idempotency_key="a1")
    assert found.status == "requested" and found.payer.name == "Riverbend Health"
    services.authorization_decide(actor=coordinator, authorization_id=found.pk, decision=_approve())
    found.refresh_from_db()
    assert (found.status, found.auth_number, found.units_approved) == ("approved", "PA-778899", 2)
    assert AuditEntry.objects.filter(action__in=["authorization.create", "authorization.status"]).count() == 2


def test_approval_whose_dates_end_before_they_start_is_refused(clock, coordinator, ana):
    found = services.authorization_request(actor=coordinator, data=_request(ana))
    with pytest.raises(ValidationFailed) as caught:
        services.authorization_decide(actor=coordinator, authorization_id=found.pk,
                                      decision=_approve(valid_from="2026-12-31", valid_to="2026-12-01"))
    assert "before the start date" in caught.value.detail
    found.refresh_from_db()
    assert found.status == "requested"


def test_request_whose_dates_end_before_they_start_writes_nothing(clock, coordinator, ana):
    with pytest.raises(ValidationFailed):
        services.authorization_request(actor=coordinator, data=_request(ana, requested_from="2026-12-31",
                                                                        requested_to="2026-12-01"))
    assert PriorAuthorization.objects.count() == 0


def test_bad_procedure_code_is_refused(clock, coordinator, ana):
    with pytest.raises(ValidationFailed) as caught:
        services.authorization_request(actor=coordinator, data=_request(ana, procedure_codes="MRI"))
    assert "procedure_codes" in caught.value.fields


def test_denied_is_final(clock, coordinator, ana):
    found = services.authorization_request(actor=coordinator, data=_request(ana))
    services.authorization_decide(actor=coordinator, authorization_id=found.pk,
                                  decision=services.Decision(status="denied"))
    with pytest.raises(InvalidTransition):
        services.authorization_decide(actor=coordinator, authorization_id=found.pk, decision=_approve())


def test_another_locations_user_cannot_reach_it(clock, coordinator, far_clerk, ana):
    found = services.authorization_request(actor=coordinator, data=_request(ana))
    with pytest.raises((NotFound, PermissionDenied)) as caught:
        services.authorization_decide(actor=far_clerk, authorization_id=found.pk, decision=_approve())
    assert caught.value.status == 404


def test_a_provider_cannot_record_one(clock, make_user, ana):
    with pytest.raises((NotFound, PermissionDenied)):
        services.authorization_request(actor=make_user(Role.PROVIDER), data=_request(ana))


def test_prior_auth_tick_is_refused_without_an_approval(clock, coordinator, ana, mri, visit):
    appointment = visit(ana, mri)
    with pytest.raises(Conflict) as caught:
        appointment_checklist_mark(actor=coordinator, appointment_id=appointment.pk, item="prior_auth")
    assert caught.value.code == "prior-auth-missing"
    appointment.refresh_from_db()
    assert not appointment.ready_for_visit


def test_prior_auth_tick_is_refused_with_only_a_request(clock, coordinator, ana, mri, visit):
    appointment = visit(ana, mri)
    services.authorization_request(actor=coordinator, data=_request(ana, appointment_ids=[appointment.pk]))
    with pytest.raises(Conflict):
        appointment_checklist_mark(actor=coordinator, appointment_id=appointment.pk, item="prior_auth")


def test_approval_makes_the_visit_ready(clock, coordinator, ana, mri, visit):
    appointment = visit(ana, mri)
    services.authorization_request(actor=coordinator, data=_request(ana, appointment_ids=[appointment.pk],
                                                                    decision=_approve()))
    appointment.refresh_from_db()
    assert appointment.checklist_done == ["prior_auth"]
    assert appointment.ready_for_visit


def test_approval_that_ends_before_the_visit_does_not_cover_it(clock, coordinator, ana, mri, visit):
    appointment = visit(ana, mri, day=dt.date(2027, 1, 15))
    services.authorization_request(actor=coordinator, data=_request(ana, decision=_approve()))
    with pytest.raises(Conflict):
        appointment_checklist_mark(actor=coordinator, appointment_id=appointment.pk, item="prior_auth")


def test_expiry_unticks_the_coming_visit(clock, coordinator, ana, mri, visit):
    appointment = visit(ana, mri)
    found = services.authorization_request(actor=coordinator, data=_request(ana, appointment_ids=[appointment.pk],
                                                                            decision=_approve()))
    services.authorization_decide(actor=coordinator, authorization_id=found.pk,
                                  decision=services.Decision(status="expired"))
    assert not Appointment.objects.get(pk=appointment.pk).ready_for_visit


def test_fulfilled_visit_uses_a_unit_and_never_more(clock, coordinator, ana, mri, visit):
    first = visit(ana, mri, day=dt.date(2026, 11, 23), hour=16)
    second = visit(ana, mri, day=dt.date(2026, 11, 23), hour=17)
    found = services.authorization_request(actor=coordinator, data=_request(
        ana, appointment_ids=[first.pk, second.pk], decision=_approve(units_approved=1)))
    clock.advance(dt.timedelta(hours=2, minutes=45))
    for status in ("arrived", "checked-in", "fulfilled"):
        appointment_set_status(actor=coordinator, appointment_id=first.pk, status=status)
    found.refresh_from_db()
    assert found.units_used == 1 and found.units_left == 0
    for status in ("arrived", "checked-in"):
        appointment_set_status(actor=coordinator, appointment_id=second.pk, status=status)
    with pytest.raises(Conflict) as caught:
        appointment_set_status(actor=coordinator, appointment_id=second.pk, status="fulfilled")
    assert caught.value.code == "authorization-used-up"
    assert Appointment.objects.get(pk=second.pk).status == "checked-in"
    found.refresh_from_db()
    assert found.units_used == 1


def test_payer_rule_warns_when_no_authorization(clock, coordinator, ana, rules, mri):
    found = selectors.referral_warnings_for(actor=coordinator, patient_id=ana.pk, appointment_type_id=mri.pk,
                                            day=TOMORROW)
    assert [w.kind for w in found] == ["prior-auth-missing"]


def test_worklist_shows_what_ends_within_two_weeks(clock, coordinator, ana):
    services.authorization_request(actor=coordinator, data=_request(ana, decision=_approve(
        valid_to="2026-12-01", units_approved=2)))
    services.authorization_request(actor=coordinator, data=_request(ana, decision=_approve(
        valid_to="2027-03-01", units_approved=2, auth_number="PA-2")))
    rows = selectors.expiring_worklist(actor=coordinator)
    assert [r.item.auth_number for r in rows] == ["PA-778899"]
    assert AuditEntry.objects.filter(action="authorization.list").count() == 1


def test_worklist_shows_the_last_unit(clock, coordinator, ana):
    services.authorization_request(actor=coordinator, data=_request(ana, decision=_approve(
        valid_to="2027-03-01", units_approved=1)))
    rows = selectors.expiring_worklist(actor=coordinator)
    assert len(rows) == 1 and "1 unit left" in rows[0].reasons[0]


def test_worklist_hides_another_locations_patients(clock, coordinator, far_clerk, ana):
    services.authorization_request(actor=coordinator, data=_request(ana, decision=_approve(valid_to="2026-12-01")))
    assert selectors.expiring_worklist(actor=far_clerk) == []


def test_a_procedure_code_rule_follows_the_types_usual_codes(clock, coordinator, ana, mri_payer, visit):
    """Per procedure code (#18 items 1, 7): the payer wants 73721 authorized; a visit of a type that usually bills
    73721 (billing's superbill defaults) warns and cannot be made ready until an approved authorization naming
    73721 covers it; one for another code does not."""
    from clinicdesk.billing.models import UsualCode
    from clinicdesk.insurance.models import PayerRule
    from clinicdesk.scheduling.models import ChecklistItem
    from tests.factories import AppointmentTypeFactory

    imaging = AppointmentTypeFactory(code="imaging", name="Imaging", duration_minutes=30,
                                     checklist=[ChecklistItem.PRIOR_AUTH])
    UsualCode.objects.create(appointment_type=imaging, code="73721")
    PayerRule.objects.create(payer=mri_payer, procedure_code="73721", needs_prior_auth=True, updated_at=clock.now())
    appointment = visit(ana, imaging)

    def warned() -> list[str]:
        return [w.kind for w in selectors.referral_warnings_for(
            actor=coordinator, patient_id=ana.pk, appointment_type_id=imaging.pk, day=TOMORROW,
            appointment_id=appointment.pk)]

    assert warned() == ["prior-auth-missing"]
    assert services.rules_for_visit(payer_id=mri_payer.pk, appointment_type_id=imaging.pk).prior_auth
    services.authorization_request(actor=coordinator, data=_request(ana, procedure_codes="97110",
                                                                    decision=_approve()))
    assert warned() == ["prior-auth-missing"]
    with pytest.raises(Conflict):
        appointment_checklist_mark(actor=coordinator, appointment_id=appointment.pk, item="prior_auth")
    services.authorization_request(actor=coordinator, data=_request(ana, procedure_codes="73721",
                                                                    decision=_approve()))
    assert warned() == []
    appointment.refresh_from_db()
    assert appointment.ready_for_visit and appointment.checklist_done == ["prior_auth"]
