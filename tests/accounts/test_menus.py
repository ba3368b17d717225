import re

from clinicdesk.core.permissions import Role


def _menu(client) -> list[str]:
    html = client.get("/").content.decode()
    return re.findall(r'data-screen="([a-z]+)"', html)


def test_each_role_sees_only_its_screens(signed_in):
    assert _menu(signed_in(Role.FRONT_DESK)) == ["home", "patients", "schedule", "frontdesk", "board", "inbox",
                                                 "portal", "drawer", "insurance", "authorizations", "supplies",
                                                 "roster", "correspondence", "compliance"]
    # Compliance reads reports but not the schedule: the no-show call list (appointments) is not theirs.
    assert _menu(signed_in(Role.COMPLIANCE)) == ["home", "patients", "roster", "compliance", "dashboards", "audit"]
    # The payer list is practice set-up data (practice.admin), like locations.
    assert _menu(signed_in(Role.SYSADMIN)) == ["home", "payers", "setup", "locations", "users"]
    assert _menu(signed_in(Role.PRACTICE_COORDINATOR)) == [
        "home", "patients", "schedule", "frontdesk", "board", "inbox", "portal", "drawer", "insurance",
        "authorizations", "payers", "supplies", "roster", "correspondence", "compliance", "dashboards", "noshow",
        "setup", "locations"]
    assert _menu(signed_in(Role.BILLING)) == [
        "home", "patients", "schedule", "drawer", "coding", "insurance", "authorizations", "payers", "roster",
        "correspondence", "compliance", "dashboards", "noshow"]


def test_user_interface_follows_the_users_language(signed_in):
    clerk = signed_in(Role.FRONT_DESK, language="es")
    html = clerk.get("/").content.decode()
    assert 'lang="es"' in html
    assert "Cerrar sesión" in html
