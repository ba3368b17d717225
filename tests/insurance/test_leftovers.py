# ruff: noqa: F811  (pytest fixtures imported from referral_fixtures, then named as arguments)
"""#18 leftovers: the front desk's pre-visit worklist shows referral and authorization warnings; the hourly job
expires authorizations past their last day; internal helpers stay private."""

from __future__ import annotations

import datetime as dt

from clinicdesk.core import periodic
from clinicdesk.core.permissions import Role
from clinicdesk.insurance import services, tasks
from clinicdesk.insurance.models import PriorAuthorization

from .referral_fixtures import ana, mri, mri_payer, rules, specialist_visit, visit  # noqa: F401


def test_previsit_worklist_shows_a_missing_referral(clock, signed_in, ana, rules, specialist_visit, visit):
    desk = signed_in(Role.FRONT_DESK)
    appointment = visit(ana, specialist_visit)
    text = desk.get("/frontdesk/worklist/").content.decode()
    assert f'data-referral-appointment="{appointment.pk}"' in text and "needs a referral" in text


def test_authorizations_expire_on_the_hourly_job(clock, make_user, ana):
    coordinator = make_user(Role.PATIENT_COORDINATOR)
    found = services.authorization_request(actor=coordinator, data=services.AuthorizationInput(
        patient_id=ana.pk, procedure_codes="73721", units_requested=1, requested_from="2026-10-01",
        requested_to="2026-11-01", clinical_reason="Knee", decision=services.Decision(
            status="approved", auth_number="PA1", units_approved=1, valid_from="2026-10-01",
            valid_to="2026-11-01")))
    assert "expire-authorizations" in periodic.JOBS
    assert tasks.expire_authorizations.call() == 1
    assert PriorAuthorization.objects.get(pk=found.pk).status == "expired"
    clock.advance(dt.timedelta(hours=1))
    assert tasks.expire_authorizations.call() == 0


def test_internal_helpers_are_not_exported():
    for name in ("drop_folder", "inquiry_for", "require_channel_ready", "_prepare", "_apply", "_appointments_on"):
        assert name not in services.__all__ and not hasattr(services, name)
