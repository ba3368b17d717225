"""The living style page in a browser (axe finds nothing serious) and the busy state: a double-clicked submit
button sends its form once."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from clinicdesk.core.permissions import Role
from clinicdesk.practice.models import Room
from tests.factories import LocationFactory, UserFactory

from .test_accessibility import _blocking_violations

pytestmark = pytest.mark.e2e


@pytest.mark.parametrize(("language", "heading"), [("en", "Style guide"), ("es", "Guía de estilo")])
def test_styleguide_has_no_serious_accessibility_violations(page, sign_in_as, page_problems, language, heading):
    user = UserFactory(role=Role.FRONT_DESK, location=LocationFactory(name="Downtown"), language=language)
    sign_in_as(page, user)
    page.goto("/styleguide")
    expect(page.get_by_role("heading", level=1)).to_have_text(heading)
    blocking, report = _blocking_violations(page)
    assert not blocking, report
    page_problems.assert_none()


def test_styleguide_dialog_opens_and_closes(page, sign_in_as, page_problems):
    sign_in_as(page, UserFactory(role=Role.FRONT_DESK, location=LocationFactory(name="Downtown")))
    page.goto("/styleguide")
    page.get_by_role("button", name="Open a dialog").click()
    dialog = page.get_by_role("dialog", name="Add a room")
    expect(dialog).to_be_visible()
    page.keyboard.press("Escape")
    expect(dialog).to_be_hidden()
    page_problems.assert_none()


def test_a_double_clicked_submit_posts_once(page, sign_in_as, page_problems):
    downtown = LocationFactory(name="Downtown")
    sign_in_as(page, UserFactory(role=Role.PRACTICE_COORDINATOR, location=downtown))
    page.goto("/practice/rooms/new/")
    page.get_by_label("Name").fill("Room 9")
    posts: list[str] = []
    page.on("request", lambda request: posts.append(request.url) if request.method == "POST" else None)
    page.get_by_role("button", name="Save").dblclick()
    expect(page.locator(".messages")).to_be_visible()
    assert len(posts) == 1, posts
    assert Room.objects.filter(name="Room 9").count() == 1
    page_problems.assert_none()


def test_a_submit_button_shows_busy_until_the_answer(page, sign_in_as, page_problems):
    downtown = LocationFactory(name="Downtown")
    sign_in_as(page, UserFactory(role=Role.PRACTICE_COORDINATOR, location=downtown))
    page.goto("/practice/rooms/new/")
    page.get_by_label("Name").fill("Room 8")
    # The page goes away with the answer: the button's states are noted in sessionStorage, read afterwards.
    page.evaluate("""() => { const b = document.querySelector(".config-form button[type=submit]");
        new MutationObserver(() => sessionStorage.setItem("seen", sessionStorage.getItem("seen") + "|" +
            b.getAttribute("aria-busy") + "/" + b.disabled)).observe(b, {attributes: true});
        sessionStorage.setItem("seen", ""); }""")
    page.get_by_role("button", name="Save").click()
    expect(page.locator(".messages")).to_contain_text("Room added.")
    assert "|true/true" in page.evaluate("() => sessionStorage.getItem('seen')")
    page_problems.assert_none()
