import re

from clinicdesk.core.permissions import Role


def _menu(client) -> list[str]:
    html = client.get("/").content.decode()
    return re.findall(r'data-screen="([a-z]+)"', html)


def test_each_role_sees_only_its_screens(signed_in):
    # In the menu's groups (core/menu.py MENU_GROUPS): front desk, insurance, billing, staff, back office,
    # reports, setup.
    assert _menu(signed_in(Role.FRONT_DESK)) == [
        "home", "patients", "schedule", "frontdesk", "board", "inbox", "portal", "intake",
        "insurance", "authorizations", "readiness", "transfers",
        "drawer", "disputes",
        "roster", "swaps", "training", "timeclock",
        "supplies", "correspondence", "workshops", "campaigns", "compliance",
        "noshow"]  # the "call the day before" list
    # Compliance reads reports but not the schedule: the no-show call list (appointments) is not theirs.
    assert _menu(signed_in(Role.COMPLIANCE)) == [
        "home", "patients",
        "roster", "swaps", "training", "timeclock",
        "compliance",
        "dashboards", "forecast", "audit"]
    # The payer list is practice set-up data (practice.admin), like locations.
    assert _menu(signed_in(Role.SYSADMIN)) == ["home", "payers", "setup", "locations", "users"]
    assert _menu(signed_in(Role.PRACTICE_COORDINATOR)) == [
        "home", "patients", "schedule", "frontdesk", "board", "inbox", "portal", "intake",
        "insurance", "authorizations", "readiness", "transfers", "payers",
        "drawer", "denials", "disputes", "refunds", "payments",
        "roster", "swaps", "training", "timeclock",
        "supplies", "correspondence", "workshops", "campaigns", "compliance",
        "dashboards", "forecast", "noshow",
        "setup", "locations"]
    assert _menu(signed_in(Role.BILLING)) == [
        "home", "patients", "schedule",
        "insurance", "authorizations", "payers",
        "drawer", "coding", "claims", "denials", "statements", "disputes", "payments",
        "roster", "swaps", "training", "timeclock",
        "correspondence", "compliance",
        "dashboards", "forecast", "noshow"]


def test_user_interface_follows_the_users_language(signed_in):
    clerk = signed_in(Role.FRONT_DESK, language="es")
    html = clerk.get("/").content.decode()
    assert 'lang="es"' in html
    assert "Cerrar sesión" in html
