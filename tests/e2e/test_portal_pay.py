"""Paying a co-pay online on a 360 x 740 phone, in English and in Spanish: the balance and payments page, the fake
payment provider's checkout (a real server on loopback: the card is typed there, never into Clinicdesk), its signed
webhook back to the live server, and the paid page with the receipt; axe finds nothing serious or critical."""

from __future__ import annotations

import datetime as dt
import os
from decimal import Decimal
from pathlib import Path

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import expect

from clinicdesk.billing.models import LedgerEntry
from clinicdesk.core import clock
from clinicdesk.core.permissions import Role
from clinicdesk.patients.models import Coverage, Payer
from clinicdesk.portal.actor import COOKIE_NAME
from clinicdesk.portal.decorators import LANGUAGE_COOKIE
from clinicdesk.portal.fake_gateway import FakeGateway
from clinicdesk.portal.models import OnlinePayment
from tests.factories import AppointmentFactory, LocationFactory, PatientFactory, PractitionerFactory, UserFactory
from tests.portal.helpers import portal_session_key

pytestmark = pytest.mark.e2e
SHOTS = Path(os.environ.get("PORTAL_PAY_SHOTS", "/tmp/h/shots_portalpay"))


def _blocking(page) -> list[str]:
    violations = Axe().run(page).response["violations"]
    return [f"{v['id']}: {[n['target'] for n in v['nodes']]}" for v in violations
            if v.get("impact") in {"serious", "critical"}]


def _shot(page, language: str, name: str) -> None:
    if SHOTS.parent.exists():
        SHOTS.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(SHOTS / f"{language}_{name}.png"), full_page=True)


@pytest.mark.parametrize("language", ["en", "es"])
def test_a_patient_pays_a_co_pay_at_the_fake_gateway_on_a_phone(browser, live_server, page_problems, settings,
                                                                 language):
    location = LocationFactory(name="Downtown", time_zone="America/New_York")
    UserFactory(role=Role.FRONT_DESK, location=location)
    doctor = PractitionerFactory(first_name="Grace", last_name="Hopper")
    patient = PatientFactory(home_location=location, given_name="Rosa", family_name="Diaz", email="rosa@example.org",
                             birth_date=dt.date(1950, 3, 9), preferred_language=language)
    Coverage.objects.create(patient=patient, payer=Payer.objects.create(name="Acme Health"), member_id="M1",
                            start_date=dt.date(2020, 1, 1), copay_primary=Decimal("25.00"))
    visit = AppointmentFactory(location=location, patient=patient, practitioner=doctor,
                               start=clock.now().replace(second=0, microsecond=0) + dt.timedelta(days=1))
    with FakeGateway(key="e2e-key", secret="e2e-secret") as fake:
        settings.PAYMENT_GATEWAY_URL, settings.PAYMENT_GATEWAY_KEY = fake.url, "e2e-key"
        settings.PAYMENT_WEBHOOK_SECRET = "e2e-secret"
        context = browser.new_context(base_url=live_server.url, viewport={"width": 360, "height": 740},
                                      locale="en-US", is_mobile=True, has_touch=True)
        context.add_cookies([{"name": COOKIE_NAME, "value": portal_session_key(patient, language=language),
                              "url": f"{live_server.url}/"},
                             {"name": LANGUAGE_COOKIE, "value": language, "url": f"{live_server.url}/portal/"}])
        page = context.new_page()
        page.on("console", page_problems.on_console)
        page.on("pageerror", lambda error: page_problems.page_errors.append(str(error)))
        try:
            page.goto("/portal/home/")
            page.locator(".portal-nav a[href='/portal/pay/']").click()
            expect(page.locator("#owed")).to_contain_text("25")
            expect(page.locator(f"input[value='copay:{visit.pk}']")).to_be_checked()
            _shot(page, language, "1_balance")
            assert _blocking(page) == []
            assert page.evaluate("document.documentElement.scrollWidth") <= 360

            page.locator("#pay-now").click()
            page.wait_for_url(f"{fake.url}/checkout/**")
            expect(page.locator("#amount")).to_contain_text("25.00" if language == "en" else "25,00")
            assert page.evaluate("document.documentElement.lang") == language  # the app's language, passed on
            page.fill("#card", "4242 4242 4242 4242")
            _shot(page, language, "2_fake_gateway")
            page.locator("#pay").click()

            page.wait_for_url("**/portal/pay/CD*/")
            expect(page.locator("#receipt-number")).to_be_visible()
            _shot(page, language, "3_paid")
            assert _blocking(page) == []
            assert page.evaluate("document.documentElement.scrollWidth") <= 360
            payment = OnlinePayment.objects.get(patient=patient)
            assert payment.status == "paid" and fake.sent[-1]["status"] == 200
            entry = LedgerEntry.objects.get(pk=payment.ledger_entry_id)
            assert entry.amount == Decimal("-25.00") and entry.appointment_id == visit.pk

            page.goto("/portal/pay/")
            expect(page.locator("#nothing-owed")).to_be_visible()
            expect(page.locator("#paid")).to_contain_text("25")
            _shot(page, language, "4_after")
            assert _blocking(page) == []
            page_problems.assert_none()
        finally:
            context.close()
