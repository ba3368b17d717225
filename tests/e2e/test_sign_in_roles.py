"""Signing in through the browser: each role lands on its own menu, with a clean console."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from clinicdesk.core.permissions import Role
from tests.factories import LocationFactory, UserFactory

pytestmark = pytest.mark.e2e

EXPECTED_SCREENS = {  # as tests/accounts/test_menus.py, in the menu's groups
    Role.FRONT_DESK: ["home", "patients", "schedule", "frontdesk", "board", "inbox", "portal", "intake",
                      "insurance", "authorizations", "readiness", "transfers", "drawer", "disputes", "roster", "swaps",
                      "training",
                      "timeclock", "supplies", "correspondence", "workshops", "campaigns", "compliance", "noshow"],
    Role.PRACTICE_COORDINATOR: ["home", "patients", "schedule", "frontdesk", "board", "inbox", "portal", "intake",
                                "insurance", "authorizations", "readiness", "transfers", "payers", "drawer",
                                "denials", "disputes", "refunds", "payments", "roster", "swaps", "training",
                                "timeclock",
                                "supplies", "correspondence", "workshops",
                                "campaigns", "compliance", "dashboards", "forecast", "noshow", "setup", "locations"],
}


def main_menu_screens(page) -> list[str]:
    menu = page.get_by_role("navigation", name="Main menu")
    return menu.locator("a[data-screen]").evaluate_all("links => links.map(a => a.dataset.screen)")


def test_two_roles_sign_in_and_see_their_own_menus(page, page_problems, sign_in_as, live_server):
    location = LocationFactory(name="Downtown")
    clerk = UserFactory(role=Role.FRONT_DESK, location=location, first_name="Dana")
    coordinator = UserFactory(role=Role.PRACTICE_COORDINATOR, location=location, first_name="Chris")

    menus = {}
    for user in (clerk, coordinator):
        sign_in_as(page, user)
        expect(page.get_by_role("heading", level=1)).to_have_text(f"Good day, {user.first_name}")
        # The shell's scripts came from our own origin and ran (htmx is what the search box needs).
        page.wait_for_function("() => typeof window.htmx === 'object'")
        menus[user.role] = main_menu_screens(page)
        # Every screen the menu offers opens for this role (the session cookie rides along).
        for href in page.locator("#main-menu a").evaluate_all("links => links.map(a => a.href)"):
            assert page.request.get(href).status == 200, (user.role, href)

        page.get_by_role("button", name="Sign out").click()
        page.wait_for_url(f"{live_server.url}/accounts/login/")
        expect(page.get_by_label("Username")).to_be_visible()
        expect(page.get_by_role("navigation", name="Main menu")).to_have_count(0)

    assert menus[Role.FRONT_DESK] == EXPECTED_SCREENS[Role.FRONT_DESK]
    assert menus[Role.PRACTICE_COORDINATOR] == EXPECTED_SCREENS[Role.PRACTICE_COORDINATOR]
    assert menus[Role.FRONT_DESK] != menus[Role.PRACTICE_COORDINATOR]
    page_problems.assert_none()


def test_vendored_htmx_is_served(page):
    response = page.request.get("/static/vendor/htmx.min.js")
    assert response.status == 200, response.status
    assert "javascript" in response.headers.get("content-type", "")
    assert b"htmx" in response.body()[:2000]


def test_the_page_watchers_catch_console_errors_and_csp_violations(page, page_problems):
    """Guards the guard: the checks above would pass vacuously if these listeners were broken."""
    page.goto("/accounts/login/")
    page.evaluate("""() => {
        const script = document.createElement("script");
        script.textContent = "window.inlineRan = true";
        document.body.append(script);
        console.error("deliberate");
    }""")
    for _ in range(50):  # the violation event reaches Python asynchronously
        if page_problems.csp_violations:
            break
        page.wait_for_timeout(20)
    assert page.evaluate("() => window.inlineRan === undefined"), "the CSP let an inline script run"
    assert [v["directive"] for v in page_problems.csp_violations] == ["script-src-elem"]
    assert any("deliberate" in e for e in page_problems.console_errors)
    with pytest.raises(AssertionError):
        page_problems.assert_none()
