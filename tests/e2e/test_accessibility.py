"""axe-core on the screens everyone uses: nothing serious or critical."""

from __future__ import annotations

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import expect

from clinicdesk.core.permissions import Role
from tests.factories import LocationFactory, UserFactory

pytestmark = pytest.mark.e2e

BLOCKING_IMPACTS = {"serious", "critical"}


def _blocking_violations(page) -> tuple[list[dict], str]:
    results = Axe().run(page)
    blocking = [v for v in results.response["violations"] if v.get("impact") in BLOCKING_IMPACTS]
    lines = []
    for v in blocking:
        lines.append(f"{v['id']} ({v['impact']}): {v['help']} - {v['helpUrl']}")
        for node in v["nodes"]:
            lines.append(f"    {', '.join(map(str, node['target']))}: {node.get('failureSummary', '')!s}"
                         .replace("\n", " "))
            lines.append(f"        {node.get('html', '')}")
    return blocking, "\n".join(lines)


def test_sign_in_home_and_patient_search_have_no_serious_accessibility_problems(
    page, page_problems, sign_in_as
):
    clerk = UserFactory(role=Role.FRONT_DESK, location=LocationFactory(name="Downtown"))
    report = {}

    page.goto("/accounts/login/")
    report["sign-in"] = _blocking_violations(page)

    sign_in_as(page, clerk)
    report["home"] = _blocking_violations(page)

    page.goto("/patients/")
    page.get_by_role("heading", name="Patients", level=1).wait_for()
    report["patients search"] = _blocking_violations(page)

    problems = {screen: text for screen, (found, text) in report.items() if found}
    assert not problems, "\n\n".join(f"== {screen}\n{text}" for screen, text in problems.items())
    page_problems.assert_none()


def test_aria_references_point_at_elements_that_exist(page, sign_in_as):
    """axe does not flag a dangling aria-describedby; Django 5 widgets point it at '<id>_helptext',
    so the help text _form_fields.html renders must carry exactly that id."""
    sign_in_as(page, UserFactory(role=Role.FRONT_DESK, location=LocationFactory(name="Downtown")))
    page.goto("/patients/")
    expect(page.locator("#id_q")).to_have_attribute("aria-describedby", "id_q_helptext")  # not vacuous
    dangling = page.evaluate("""() => [...document.querySelectorAll("[aria-describedby], [aria-labelledby]")]
        .flatMap(el => ["aria-describedby", "aria-labelledby"]
            .flatMap(attr => (el.getAttribute(attr) || "").split(/\\s+/).filter(Boolean)
                .filter(id => !document.getElementById(id))
                .map(id => `${el.id || el.tagName}[${attr}=${id}]`)))""")
    assert dangling == [], dangling
