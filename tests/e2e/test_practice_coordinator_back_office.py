"""The practice coordinator's back office in a browser, in English and Spanish (#21): one signed-in coordinator works
the reorder list into a purchase order, approves and sends it, receives it (lot and expiry captured) and starts a
count; then, in the same session, logs a complaint, marks it a grievance, sends the written acknowledgement and
answers it with a resolution letter (a PDF stored on the patient's chart). Every screen is photographed under the
test artifacts (and CLINICDESK_SHOTS, when set)."""

from __future__ import annotations

import datetime as dt
import os
from decimal import Decimal
from pathlib import Path

import pytest
from playwright.sync_api import expect

from clinicdesk.compliance import services as compliance_services
from clinicdesk.compliance.models import Complaint, ComplaintStatus
from clinicdesk.core.permissions import Role
from clinicdesk.operations import services as operations_services
from clinicdesk.operations.models import OrderStatus, PurchaseOrder, StockBalance
from clinicdesk.patients.models import Document
from tests.factories import LocationFactory, PatientFactory, UserFactory

from .test_accessibility import _blocking_violations

pytestmark = pytest.mark.e2e

ARTIFACTS = Path(os.environ.get("CLINICDESK_SHOTS") or os.environ.get("CLINICDESK_TEST_ARTIFACTS") or
                 Path(__file__).resolve().parents[2] / "var" / "test-artifacts")
SUPPLIES_WORDS = {"en": ("Supplies", "Draft purchase orders", "Send to supplier", "Record receipt", "Start a count"),
                  "es": ("Suministros", "Preparar órdenes de compra", "Enviar al proveedor",
                         "Registrar la recepción", "Iniciar un conteo")}
COMPLIANCE_WORDS = {"en": ("Compliance", "Log a complaint", "Grievance", "Acknowledgement", "Resolution"),
                    "es": ("Cumplimiento", "Registrar una queja", "Reclamo formal", "Acuse de recibo", "Resolución")}


def _practice(location, coordinator):
    """Supplies: three items placed and stocked at the location, one supplier with two of them."""
    services = operations_services
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


def _others(location, coordinator, desk, patient):
    """Compliance: something on every other screen: an incident with an action, a release request, a breach."""
    services = compliance_services
    incident = services.incident_report(actor=desk, location_id=location.pk, kind="workplace", severity="minor",
                                        what="A box fell from the top shelf.", place="Supply room",
                                        occurred_at=dt.datetime(2026, 11, 22, 15, 0, tzinfo=dt.UTC))
    services.incident_review(actor=coordinator, incident_id=incident.pk, notes="Heavy boxes stored high.")
    services.corrective_action_add(actor=coordinator, incident_id=incident.pk, description="Store heavy boxes low",
                                   owner_id=desk.pk, due_on=dt.date(2026, 11, 30))
    request = services.rights_request_log(
        actor=coordinator, location_id=location.pk, patient_mrn=patient.mrn, kind="release",
        details="Labs to the new cardiologist", recipient="Harbor Heart Associates",
        authorization_signed_on=dt.date(2026, 11, 20), authorization_expires_on=dt.date(2027, 5, 20),
        authorization_covers=["labs"], received_on=dt.date(2026, 10, 1))
    breach = services.breach_log(actor=coordinator, location_id=location.pk, discovered_on=dt.date(2026, 10, 1),
                                 individuals_affected=640, description="Statements mailed to the wrong addresses.")
    return incident, request, breach


def _shot(page, folder: Path, name: str) -> None:
    page.screenshot(path=str(folder / f"{name}.png"), full_page=True)


def _supplies(page, page_problems, location, lang: str, gloves, vaccine) -> None:
    """The reorder list into a purchase order, submitted, sent, received in part (lot and expiry), then a count."""
    folder = ARTIFACTS / lang / "supplies"
    folder.mkdir(parents=True, exist_ok=True)
    title, draft, send, receive, start_count = SUPPLIES_WORDS[lang]

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


def _grievance(page, page_problems, location, lang: str, patient, incident, request, breach) -> None:
    """A complaint logged, made a grievance, acknowledged and answered in writing; then every compliance screen."""
    folder = ARTIFACTS / lang / "compliance"
    folder.mkdir(parents=True, exist_ok=True)
    title, log_label, grievance_word, ack_word, resolution_word = COMPLIANCE_WORDS[lang]

    page.goto(f"/compliance/?location={location.pk}")
    expect(page.locator("h1")).to_contain_text(title)
    page.get_by_role("link", name=log_label).first.click()
    page.fill("#id_patient_mrn", patient.mrn)
    page.select_option("#id_channel", "phone")
    page.select_option("#id_topic", "billing")
    page.fill("#id_summary", "Billed twice for the October visit; nobody at the desk could fix it.")
    _shot(page, folder, "complaint-new")
    page.locator("form.config-form button[type=submit]").click()
    complaint = Complaint.objects.get()
    expect(page.locator("h1")).to_contain_text(str(complaint))
    _shot(page, folder, "complaint-open")
    blocking, report = _blocking_violations(page)
    assert not blocking, report

    page.locator("input[name=basis][value=not-resolved]").check()
    page.locator("form[action$='/grievance/'] button").click()
    expect(page.locator("h1")).to_contain_text(grievance_word)
    expect(page.locator("#ack-clock")).to_contain_text("11/30/2026" if lang == "en" else "30/11/2026")
    page.locator("form[action$='/acknowledge/'] button").click()
    expect(page.locator("#letters, #clocks")).to_contain_text(ack_word)
    page.fill("#id_steps_taken", "Checked the ledger and the claim; spoke with the billing office.")
    page.fill("#id_results", "The second charge was an error; it was reversed and the statement corrected.")
    page.fill("#id_contact_person", "Pat Coordinator, practice coordinator")
    page.locator("form[action$='/answer/'] button").click()
    expect(page.locator("#clocks")).to_contain_text(resolution_word)
    complaint.refresh_from_db()
    assert complaint.status == ComplaintStatus.ANSWERED
    letters = list(complaint.letters.order_by("pk"))
    assert [letter.language for letter in letters] == [lang, lang]
    assert Document.objects.filter(patient=patient, content_type="application/pdf").count() == 2
    _shot(page, folder, "complaint-answered")
    letter_url = page.locator("#clocks a").last.get_attribute("href")
    letter = page.request.get(letter_url)
    assert letter.ok and letter.headers["content-type"] == "application/pdf"

    for name, url in (("dashboard", f"/compliance/?location={location.pk}"),
                      ("complaints", "/compliance/complaints/?show=all"),
                      ("incidents", "/compliance/incidents/"), ("incident", f"/compliance/incidents/{incident.pk}/"),
                      ("incident-new", "/compliance/incidents/new/"), ("requests", "/compliance/requests/"),
                      ("request", f"/compliance/requests/{request.pk}/"), ("request-new", "/compliance/requests/new/"),
                      ("disclosures", "/compliance/disclosures/"), ("disclosure-new", "/compliance/disclosures/new/"),
                      ("breaches", "/compliance/breaches/"), ("breach", f"/compliance/breaches/{breach.pk}/"),
                      ("breach-new", "/compliance/breaches/new/")):
        page.goto(url)
        _shot(page, folder, name)
        blocking, report = _blocking_violations(page)
        assert not blocking, f"{name}: {report}"
    page.goto(f"/compliance/?location={location.pk}")
    expect(page.locator("tr[data-state=overdue]").first).to_be_visible()
    page_problems.assert_none()


@pytest.mark.parametrize("lang", ["en", "es"])
def test_a_coordinator_orders_receives_and_answers_a_grievance(page, page_problems, sign_in_as, clock, settings,
                                                              lang):
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    location = LocationFactory(name="Downtown", time_zone="America/New_York")
    # A practice coordinator: supplies and compliance at the location.
    coordinator = UserFactory(role=Role.PRACTICE_COORDINATOR, location=location, first_name="Pat",
                              last_name="Coordinator", language=lang)
    desk = UserFactory(role=Role.FRONT_DESK, location=location, first_name="Fran", last_name="Desk")
    patient = PatientFactory(home_location=location, given_name="Ana", family_name="Garcia",
                             preferred_language=lang, address_line="12 Elm St", city="Springfield", state="MA",
                             postal_code="01103")
    gloves, vaccine = _practice(location, coordinator)
    incident, request, breach = _others(location, coordinator, desk, patient)
    page.set_default_navigation_timeout(60_000)  # the first page of a cold live server on a loaded machine
    page.set_default_timeout(30_000)
    sign_in_as(page, coordinator)

    _supplies(page, page_problems, location, lang, gloves, vaccine)
    page.set_viewport_size({"width": 1400, "height": 900})  # the compliance screens are photographed wide
    _grievance(page, page_problems, location, lang, patient, incident, request, breach)
