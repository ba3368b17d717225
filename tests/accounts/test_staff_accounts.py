"""Staff accounts administered by a system administrator: create, edit, deactivate and reactivate, with the
rules of docs/adr/0001 (one role; locations for a location-bound role) and the last administrator kept."""

import pytest
from django.test import Client

from clinicdesk.accounts.models import User
from clinicdesk.accounts.services import user_create, user_deactivate, user_two_factor_require, user_update
from clinicdesk.audit.models import AuditEntry
from clinicdesk.core.exceptions import Conflict, PermissionDenied, ValidationFailed
from clinicdesk.core.permissions import Role
from tests.factories import UserFactory

USERS = "/accounts/users/"


@pytest.fixture
def admin(make_user):
    return make_user(Role.SYSADMIN)


def _form(location, **changes):
    return {"username": "nina", "first_name": "Nina", "last_name": "Nurse", "email": "nina@example.org",
            "role": "nurse", "locations": [str(location.pk)], "language": "es", **changes}


def test_user_create_makes_an_account_with_role_and_locations(admin, location):
    nurse = user_create(actor=admin, username="nina", role=Role.NURSE, locations=[location.pk], language="es")
    assert nurse.role == "nurse" and nurse.location_ids() == {location.pk} and nurse.language == "es"
    assert not nurse.has_usable_password()
    entry = AuditEntry.objects.get(action="user.create")
    assert entry.detail["changes"]["role"] == [None, "nurse"]


def test_user_create_refuses_a_location_bound_role_without_a_location(admin):
    with pytest.raises(ValidationFailed) as error:
        user_create(actor=admin, username="nina", role=Role.NURSE)
    assert "locations" in error.value.fields
    assert not User.objects.filter(username="nina").exists()


def test_user_create_lets_a_practice_wide_role_have_no_location(admin):
    coordinator = user_create(actor=admin, username="pat", role=Role.PRACTICE_COORDINATOR)
    assert coordinator.practice_wide and coordinator.location_ids() == frozenset()


@pytest.mark.parametrize(("changes", "field"), [
    ({"username": "bad name!"}, "username"), ({"role": "owner"}, "role"), ({"email": "not-an-address"}, "email"),
    ({"language": "fr"}, "language"), ({"locations": [999999]}, "locations")])
def test_user_create_refuses_bad_input_and_writes_nothing(admin, location, changes, field):
    values = {"username": "nina", "role": "nurse", "locations": [location.pk], **changes}
    with pytest.raises(ValidationFailed) as error:
        user_create(actor=admin, **values)
    assert field in error.value.fields
    assert User.objects.count() == 1 and not AuditEntry.objects.filter(action="user.create").exists()


def test_user_create_refuses_a_username_in_use_whatever_the_case(admin, location):
    UserFactory(username="nina")
    with pytest.raises(ValidationFailed) as error:
        user_create(actor=admin, username="NINA", role=Role.NURSE, locations=[location.pk])
    assert error.value.code == "username-taken"


@pytest.mark.parametrize("role", [Role.PRACTICE_COORDINATOR, Role.FRONT_DESK, Role.COMPLIANCE])
def test_only_a_system_administrator_manages_accounts(make_user, location, role):
    other = make_user(role)
    with pytest.raises(PermissionDenied):
        user_create(actor=other, username="nina", role=Role.NURSE, locations=[location.pk])
    with pytest.raises(PermissionDenied):
        user_update(actor=other, user_id=other.pk, role=Role.SYSADMIN)
    assert User.objects.get(pk=other.pk).role == role and not User.objects.filter(username="nina").exists()


def test_user_update_changes_role_and_locations_and_records_the_change(admin, make_user, location, other_location):
    clerk = make_user(Role.FRONT_DESK)
    user_update(actor=admin, user_id=clerk.pk, role=Role.BILLING, locations=[location.pk, other_location.pk])
    clerk = User.objects.get(pk=clerk.pk)
    assert clerk.role == "billing" and clerk.location_ids() == {location.pk, other_location.pk}
    changes = AuditEntry.objects.get(action="user.update").detail["changes"]
    assert changes["role"] == ["front_desk", "billing"]
    assert changes["locations"] == [[location.pk], sorted([location.pk, other_location.pk])]


def test_user_update_refuses_removing_every_location_of_a_location_bound_role(admin, make_user):
    clerk = make_user(Role.FRONT_DESK)
    with pytest.raises(ValidationFailed):
        user_update(actor=admin, user_id=clerk.pk, locations=[])
    assert clerk.location_ids() and not AuditEntry.objects.filter(action="user.update").exists()


def test_user_update_refuses_a_field_it_does_not_change(admin, make_user):
    clerk = make_user(Role.FRONT_DESK)
    with pytest.raises(ValidationFailed):
        user_update(actor=admin, user_id=clerk.pk, username="renamed")
    assert User.objects.get(pk=clerk.pk).username == clerk.username


def test_administrator_cannot_deactivate_themselves(admin, make_user):
    make_user(Role.SYSADMIN)  # another administrator: the refusal is about oneself
    with pytest.raises(Conflict) as error:
        user_deactivate(actor=admin, user_id=admin.pk)
    assert error.value.code == "deactivate-self" and User.objects.get(pk=admin.pk).is_active


def test_last_active_administrator_cannot_lose_the_role(admin, make_user):
    second = make_user(Role.SYSADMIN)
    user_deactivate(actor=admin, user_id=second.pk)
    with pytest.raises(Conflict) as error:
        user_update(actor=admin, user_id=admin.pk, role=Role.PRACTICE_COORDINATOR)
    assert error.value.code == "last-administrator"
    assert User.objects.get(pk=admin.pk).role == "sysadmin"


def test_an_administrator_is_deactivated_while_another_remains(admin, make_user):
    second = make_user(Role.SYSADMIN)
    user_deactivate(actor=admin, user_id=second.pk)
    assert not User.objects.get(pk=second.pk).is_active
    assert AuditEntry.objects.get(action="user.deactivate").detail == {"changes": {"is_active": [True, False]}}


def test_deactivated_user_cannot_sign_in(admin, make_user, password):
    clerk = make_user(Role.FRONT_DESK)
    user_deactivate(actor=admin, user_id=clerk.pk)
    response = Client().post("/accounts/login/", {"username": clerk.username, "password": password})
    assert response.status_code == 401


def test_deactivation_ends_the_users_open_sessions(admin, signed_in):
    clerk = signed_in(Role.FRONT_DESK)
    assert clerk.get("/").status_code == 200
    user_deactivate(actor=admin, user_id=clerk.user.pk)
    response = clerk.get("/patients/")
    assert response.status_code == 302 and response["Location"].startswith("/accounts/login/")


def test_reactivated_user_signs_in_again(admin, make_user, password):
    clerk = make_user(Role.FRONT_DESK)
    user_deactivate(actor=admin, user_id=clerk.pk)
    user_update(actor=admin, user_id=clerk.pk, active=True)
    assert Client().post("/accounts/login/", {"username": clerk.username, "password": password}).status_code == 302


def test_forced_two_factor_sends_a_front_desk_user_to_set_it_up(admin, make_user, password):
    clerk = make_user(Role.FRONT_DESK)
    user_two_factor_require(actor=admin, user_id=clerk.pk, required=True)
    client = Client()
    client.post("/accounts/login/", {"username": clerk.username, "password": password})
    assert client.get("/")["Location"] == "/accounts/two-factor/setup/"
    assert AuditEntry.objects.get(action="user.two_factor_require").detail == {
        "changes": {"two_factor_required": [False, True]}}


def test_front_desk_user_without_forced_two_factor_goes_straight_in(make_user, password):
    clerk = make_user(Role.FRONT_DESK)
    client = Client()
    client.post("/accounts/login/", {"username": clerk.username, "password": password})
    assert client.get("/").status_code == 200


# --- screens --------------------------------------------------------------------------------------------------

def test_users_list_links_to_add_and_edit(signed_in, make_user):
    admin = signed_in(Role.SYSADMIN)
    clerk = make_user(Role.FRONT_DESK, username="carla")
    page = admin.get(USERS)
    assert page.status_code == 200
    assert b"/accounts/users/new/" in page.content and f"/accounts/users/{clerk.pk}/".encode() in page.content
    assert b"Front desk" in page.content and b"front_desk" not in page.content


def test_users_list_hides_inactive_accounts_unless_asked(signed_in, make_user):
    admin = signed_in(Role.SYSADMIN)
    gone = make_user(Role.FRONT_DESK, username="gone-user", is_active=False)
    assert gone.username.encode() not in admin.get(USERS).content
    assert gone.username.encode() in admin.get(USERS + "?inactive=include").content


@pytest.mark.parametrize("role", [Role.PRACTICE_COORDINATOR, Role.FRONT_DESK])
def test_account_screens_refuse_other_roles(signed_in, role, location):
    other = signed_in(role)
    assert other.get(USERS).status_code == 403
    assert other.get(USERS + "new/").status_code == 403
    assert other.post(USERS + "new/", _form(location)).status_code == 403
    assert not User.objects.filter(username="nina").exists()


def test_add_screen_creates_the_account_and_shows_the_temporary_password_once(signed_in, location):
    admin = signed_in(Role.SYSADMIN)
    assert admin.get(USERS + "new/").status_code == 200
    response = admin.post(USERS + "new/", _form(location))
    assert response.status_code == 200 and response["Cache-Control"] == "no-store"
    nina = User.objects.get(username="nina")
    temporary = response.context["password"]
    assert temporary.encode() in response.content and nina.check_password(temporary)
    assert nina.password_must_change and nina.role == "nurse" and nina.location_ids() == {location.pk}
    assert temporary not in str(list(AuditEntry.objects.values_list("detail", flat=True)))


def test_add_screen_shows_the_rule_on_the_field(signed_in):
    admin = signed_in(Role.SYSADMIN)
    response = admin.post(USERS + "new/", {"username": "nina", "role": "nurse", "language": "en"})
    assert response.status_code == 422 and "locations" in response.context["form"].errors
    assert not User.objects.filter(username="nina").exists()


def test_edit_screen_saves_and_shows_the_history(signed_in, make_user, location):
    admin = signed_in(Role.SYSADMIN)
    clerk = make_user(Role.FRONT_DESK, username="carla")
    url = f"{USERS}{clerk.pk}/"
    assert admin.get(url).status_code == 200
    response = admin.post(url, _form(location, role="billing", first_name="Carla"), follow=True)
    assert response.redirect_chain[-1][0] == url
    assert b"Staff account carla saved." in response.content
    assert User.objects.get(pk=clerk.pk).role == "billing"
    history = response.context["history"]
    assert history[0].action == "Staff user changed"
    assert ("role", "Front desk", "Billing") in history[0].changes


def test_edit_screen_refuses_demoting_the_last_administrator_with_the_message(signed_in, location):
    admin = signed_in(Role.SYSADMIN)
    response = admin.post(f"{USERS}{admin.user.pk}/", _form(location, role="front_desk"))
    assert response.status_code == 422 and b"last active system administrator" in response.content
    assert User.objects.get(pk=admin.user.pk).role == "sysadmin"


def test_deactivate_button_refuses_oneself_with_a_message(signed_in):
    admin = signed_in(Role.SYSADMIN)
    response = admin.post(f"{USERS}{admin.user.pk}/deactivate/", follow=True)
    assert b"You cannot deactivate your own account" in response.content
    assert User.objects.get(pk=admin.user.pk).is_active


def test_deactivate_and_reactivate_buttons(signed_in, make_user):
    admin = signed_in(Role.SYSADMIN)
    clerk = make_user(Role.FRONT_DESK)
    response = admin.post(f"{USERS}{clerk.pk}/deactivate/")
    assert response.status_code == 302 and not User.objects.get(pk=clerk.pk).is_active
    admin.post(f"{USERS}{clerk.pk}/reactivate/")
    assert User.objects.get(pk=clerk.pk).is_active


def test_require_two_factor_button(signed_in, make_user):
    admin = signed_in(Role.SYSADMIN)
    clerk = make_user(Role.FRONT_DESK)
    assert admin.post(f"{USERS}{clerk.pk}/two-factor/require/", {"required": "1"}).status_code == 302
    assert User.objects.get(pk=clerk.pk).two_factor_required
    admin.post(f"{USERS}{clerk.pk}/two-factor/require/", {"required": "0"})
    assert not User.objects.get(pk=clerk.pk).two_factor_required
