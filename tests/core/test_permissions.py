import pytest

from clinicdesk.audit.models import AuditEntry
from clinicdesk.core.exceptions import NotFound, PermissionDenied
from clinicdesk.core.permissions import Perm, Role, has_perm
from clinicdesk.patients.selectors import patient_chart
from tests.factories import PatientFactory


def test_role_without_permission_gets_403_from_the_page(signed_in):
    billing = signed_in(Role.BILLING)
    response = billing.get("/audit/")
    assert response.status_code == 403


def test_role_without_permission_is_refused_by_the_service(make_user, location):
    provider_only = make_user(Role.SYSADMIN)
    patient = PatientFactory(home_location=location)
    with pytest.raises(PermissionDenied):
        patient_chart(actor=provider_only, patient_id=patient.pk)


def test_user_of_another_location_is_refused_like_a_missing_chart(make_user, location, other_location):
    clerk_elsewhere = make_user(Role.FRONT_DESK, at=other_location)
    patient = PatientFactory(home_location=location)
    with pytest.raises(PermissionDenied) as refused:
        patient_chart(actor=clerk_elsewhere, patient_id=patient.pk)
    with pytest.raises(NotFound) as missing:
        patient_chart(actor=clerk_elsewhere, patient_id=patient.pk + 1000)
    assert (refused.value.status, refused.value.detail) == (missing.value.status, missing.value.detail)


def test_practice_wide_roles_work_at_every_location(make_user, location, other_location):
    manager = make_user(Role.PRACTICE_COORDINATOR)
    assert has_perm(manager, Perm.PATIENT_READ, location=other_location)


def test_outsider_has_no_permission_at_all(db):
    from django.contrib.auth.models import AnonymousUser

    assert not has_perm(AnonymousUser(), Perm.PATIENT_READ)


def test_inactive_user_has_no_permission(make_user):
    clerk = make_user(Role.FRONT_DESK, is_active=False)
    assert not has_perm(clerk, Perm.PATIENT_READ)


def test_denied_page_access_is_audited(signed_in):
    billing = signed_in(Role.BILLING)
    billing.get("/audit/")
    denial = AuditEntry.objects.get(action="access.denied")
    assert denial.outcome == "denied"
    assert denial.actor_id == billing.user.pk
    assert denial.detail == {"permission": "audit.read"}
