import re

from clinicdesk.core.permissions import Role


def _menu(client) -> list[str]:
    html = client.get("/").content.decode()
    return re.findall(r'data-screen="([a-z]+)"', html)


def test_each_role_sees_only_its_screens(signed_in):
    assert _menu(signed_in(Role.FRONT_DESK)) == ["home", "patients", "schedule", "frontdesk", "board", "inbox",
                                                 "drawer", "insurance", "supplies", "roster"]
    # Compliance reads reports but not the schedule: the no-show call list (appointments) is not theirs.
    assert _menu(signed_in(Role.COMPLIANCE)) == ["home", "patients", "roster", "audit"]
    assert _menu(signed_in(Role.SYSADMIN)) == ["home", "setup", "locations", "users"]
    assert _menu(signed_in(Role.PRACTICE_COORDINATOR)) == ["home", "patients", "schedule", "frontdesk", "board",
                                                           "inbox", "drawer", "insurance", "supplies", "roster",
                                                           "noshow", "setup", "locations"]


def test_user_interface_follows_the_users_language(signed_in):
    clerk = signed_in(Role.FRONT_DESK, language="es")
    html = clerk.get("/").content.decode()
    assert 'lang="es"' in html
    assert "Cerrar sesión" in html
