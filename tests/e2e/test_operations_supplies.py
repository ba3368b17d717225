"""Supplies in a browser, in English and Spanish: a coordinator works the reorder list into a purchase order,
approves and sends it, receives it (lot and expiry captured), and starts a count. Screens photographed under the
test artifacts (and CLINICDESK_SHOTS, when set)."""

from __future__ import annotations

import datetime as dt
import os
from decimal import Decimal
from pathlib import Path

import pytest
from playwright.sync_api import expect

from clinicdesk.core.permissions import Role
from clinicdesk.operations import services
from clinicdesk.operations.models import OrderStatus, PurchaseOrder, StockBalance
from tests.factories import LocationFactory, UserFactory

from .test_accessibility import _blocking_violations

pytestmark = pytest.mark.e2e

ARTIFACTS = Path(os.environ.get("CLINICDESK_SHOTS") or os.environ.get("CLINICDESK_TEST_ARTIFACTS") or
                 Path(__file__).resolve().parents[2] / "var" / "test-artifacts")
WORDS = {"en": ("Supplies", "Draft purchase orders", "Send to supplier", "Record receipt", "Start a count"),
         "es": ("Suministros", "Preparar órdenes de compra", "Enviar al proveedor", "Registrar la recepción",
                "Iniciar un conteo")}


def _practice(location, coordinator):
    LocationFactory(name="Uptown", time_zone="America/Chicago")
    gloves = services.item_create(actor=coordinator, name="Exam gloves, medium", unit="box", par_level=20,
                                  reorder_point=8)
    vaccine = services.item_create(actor=coordinator, name="Flu vaccine", unit="vial", category="pharmacy",
                                   tracks_lots=True, par_level=30, reorder_point=10)
    paper = services.item_create(actor=coordinator, name="Exam table paper", unit="roll", par_level=12,
                                 reorder_point=4)
    for item, storage in ((gloves, "Supply room A"), (vaccine, "Vaccine fridge"), (paper, "Exam rooms")):
        services.stock_place_set(actor=coordinator, item_id=item.pk, location_id=location.pk, storage=storage)
    services.stock_adjust(actor=coordinator, item_id=gloves.pk, location_id=location.pk, quantity=3, reason="Opening")
    services.stock_adjust(actor=coordinator, item_id=paper.pk, location_id=location.pk, quantity=10, reason="Opening")
    services.stock_adjust(actor=coordinator, item_id=vaccine.pk, location_id=location.pk, quantity=6,
                          reason="Opening", lot="FL-2207", expires_on=dt.date(2026, 12, 5))
    supplier = services.supplier_create(actor=coordinator, name="Medline", account_number="AC-1001",
                                        contact_name="Jo Rep", email="orders@medline.example")
    services.supplier_item_set(actor=coordinator, supplier_id=supplier.pk, item_id=gloves.pk,
                               price=Decimal("12.50"), pack_size=10, supplier_code="MDS-GL-M", preferred=True)
    services.supplier_item_set(actor=coordinator, supplier_id=supplier.pk, item_id=vaccine.pk,
                               price=Decimal("150.00"), pack_size=10, supplier_code="FLU-10", preferred=True)
    return gloves, vaccine


@pytest.mark.parametrize("lang", ["en", "es"])
def test_a_coordinator_orders_from_the_reorder_list_and_receives(page, page_problems, sign_in_as, clock, settings,
                                                                 lang):
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    location = LocationFactory(name="Downtown", time_zone="America/New_York")
    coordinator = UserFactory(role=Role.PRACTICE_COORDINATOR, location=location, first_name="Pat",
                              last_name="Coordinator", language=lang)
    gloves, vaccine = _practice(location, coordinator)
    folder = ARTIFACTS / lang / "supplies"
    folder.mkdir(parents=True, exist_ok=True)
    title, draft, send, receive, start_count = WORDS[lang]
    page.set_default_navigation_timeout(60_000)  # the first page of a cold live server on a loaded machine
    page.set_default_timeout(30_000)
    sign_in_as(page, coordinator)

    page.goto(f"/operations/supplies/?location={location.pk}")
    expect(page.locator("h1")).to_contain_text(title)
    page.screenshot(path=str(folder / "items.png"), full_page=True)
    blocking, report = _blocking_violations(page)
    assert not blocking, report

    page.goto(f"/operations/supplies/{vaccine.pk}/?location={location.pk}")
    page.screenshot(path=str(folder / "item.png"), full_page=True)

    page.goto(f"/operations/reorder/?location={location.pk}")
    page.screenshot(path=str(folder / "reorder.png"), full_page=True)
    blocking, report = _blocking_violations(page)
    assert not blocking, report
    page.get_by_role("button", name=draft).click()
    expect(page.locator(".messages, [role=status], .message").first).to_be_visible()
    order = PurchaseOrder.objects.get()
    page.goto(f"/operations/orders/{order.pk}/")
    page.locator("form[action$='/submit/'] button").click()
    page.get_by_role("button", name=send).click()
    vaccine_line = order.lines.get(item=vaccine)
    gloves_line = order.lines.get(item=gloves)
    page.fill(f"#packs-{gloves_line.pk}", str(gloves_line.packs))
    page.fill(f"#packs-{vaccine_line.pk}", "1")
    page.fill(f"#lot-{vaccine_line.pk}", "FL-2301")
    page.fill(f"#expires-{vaccine_line.pk}", "2027-06-30")
    page.get_by_role("button", name=receive).click()
    expect(page.locator("h1")).to_contain_text(order.number)
    order.refresh_from_db()
    assert order.status == OrderStatus.PARTIAL
    assert StockBalance.objects.get(item=vaccine, location=location, lot="FL-2301").quantity == 10
    page.screenshot(path=str(folder / "order.png"), full_page=True)
    blocking, report = _blocking_violations(page)
    assert not blocking, report

    page.goto(f"/operations/counts/?location={location.pk}")
    page.get_by_role("button", name=start_count).click()
    expect(page.locator("table.grid")).to_contain_text("Exam gloves, medium")
    page.screenshot(path=str(folder / "count.png"), full_page=True)
    page_problems.assert_none()
