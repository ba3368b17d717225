"""axe-core on the front-desk screens, filled with a little data: nothing serious or critical."""

from __future__ import annotations

import datetime as dt

import pytest
from axe_playwright_python.sync_playwright import Axe

from clinicdesk.core import clock
from clinicdesk.core.permissions import Role
from clinicdesk.frontdesk.services import visit_arrive, visitor_sign_in
from tests.factories import (
    AppointmentFactory,
    AppointmentTypeFactory,
    LocationFactory,
    PatientFactory,
    PractitionerFactory,
    RoomFactory,
    UserFactory,
)

pytestmark = pytest.mark.e2e


def _blocking(page) -> list[str]:
    violations = Axe().run(page).response["violations"]
    return [f"{v['id']}: {[n['target'] for n in v['nodes']]}" for v in violations
            if v.get("impact") in {"serious", "critical"}]


def test_front_desk_screens_have_no_serious_accessibility_problems(page, page_problems, sign_in_as, live_server):
    page.set_default_navigation_timeout(20_000)
    location = LocationFactory(name="Downtown")
    clerk = UserFactory(role=Role.FRONT_DESK, location=location)
    RoomFactory(location=location, name="Exam 1")
    appointment = AppointmentFactory(location=location, practitioner=PractitionerFactory(),
                                     patient=PatientFactory(home_location=location),
                                     appointment_type=AppointmentTypeFactory(),
                                     start=clock.now().replace(second=0, microsecond=0) + dt.timedelta(minutes=5))
    visit_arrive(actor=clerk, appointment_id=appointment.pk)
    visitor_sign_in(actor=clerk, location_id=location.pk, name="Sam", visiting="x", id_type="passport",
                    id_last4="1234", badge="B1")
    sign_in_as(page, clerk)
    problems = {}
    for url in ["/frontdesk/", f"/frontdesk/appointments/{appointment.pk}/check-in", "/frontdesk/board/",
                "/frontdesk/visitors/", "/frontdesk/calls/", "/frontdesk/inbox/", "/frontdesk/worklist/",
                "/frontdesk/wait-times/", "/billing/drawer/", f"/billing/patients/{appointment.patient_id}/"]:
        page.goto(url)
        found = _blocking(page)
        if found:
            problems[url] = found
    assert not problems, problems
    page_problems.assert_none()
