"""Reorder worklist, purchase orders (approval, PDF by e-mail, partial receipts, over-receipt), invoice matching."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.core import mail

from clinicdesk.core.exceptions import Conflict, InvalidTransition, ValidationFailed
from clinicdesk.operations import selectors, services
from clinicdesk.operations.models import OrderStatus, StockBalance
from clinicdesk.operations.pdf import order_pdf
from clinicdesk.operations.services import InvoicedLine, OrderPick, ReceivedLine

from .conftest import PRICE, stock


@pytest.fixture
def catalogue(coordinator, gloves, vaccine, medline, henry):
    return {
        "gloves": services.supplier_item_set(actor=coordinator, supplier_id=medline.pk, item_id=gloves.pk,
                                             price=PRICE, pack_size=10, supplier_code="MDS-GL-M", preferred=True),
        "gloves_henry": services.supplier_item_set(actor=coordinator, supplier_id=henry.pk, item_id=gloves.pk,
                                                   price=Decimal("9.00"), pack_size=10),
        "vaccine": services.supplier_item_set(actor=coordinator, supplier_id=henry.pk, item_id=vaccine.pk,
                                              price=Decimal("150.00"), pack_size=10, supplier_code="FLU-10"),
    }


def test_worklist_lists_items_below_reorder_point_and_expiring_lots(coordinator, gloves, vaccine, location,
                                                                     catalogue, clock):
    stock(coordinator, gloves, location, 3)
    stock(coordinator, vaccine, location, 12, lot="A1", expires_on=dt.date(2026, 12, 10))
    stock(coordinator, vaccine, location, 5, lot="B2", expires_on=dt.date(2027, 6, 1))
    work = selectors.reorder_worklist(actor=coordinator, location_id=location.pk)
    [row] = work.reorder
    assert (row.item, row.on_hand, row.supplier_item, row.packs) == (gloves, 3, catalogue["gloves"], 2)
    assert [(lot.balance.lot, lot.days_left) for lot in work.expiring] == [("A1", 17)]


def test_worklist_counts_what_is_already_on_order(coordinator, gloves, location, catalogue):
    stock(coordinator, gloves, location, 3)
    services.orders_create(actor=coordinator, location_id=location.pk,
                           picks=[OrderPick(catalogue["gloves"].pk, 1)])
    rows = selectors.reorder_worklist(actor=coordinator, location_id=location.pk).reorder
    [row] = [r for r in rows if r.item.pk == gloves.pk]
    assert (row.on_order, row.packs) == (10, 1)


def test_orders_are_grouped_by_supplier(coordinator, location, catalogue):
    orders = services.orders_create(actor=coordinator, location_id=location.pk, picks=[
        OrderPick(catalogue["gloves"].pk, 2), OrderPick(catalogue["vaccine"].pk, 1),
        OrderPick(catalogue["gloves"].pk, 1)])
    assert sorted((o.supplier.name, o.lines.count(), o.total) for o in orders) == [
        ("Henry Schein", 1, Decimal("150.00")), ("Medline", 1, Decimal("37.50"))]
    assert all(o.number.startswith("PO-") and o.status == OrderStatus.DRAFT for o in orders)


def test_a_large_order_needs_another_coordinators_approval(coordinator, second_coordinator, location, catalogue):
    [order] = services.orders_create(actor=coordinator, location_id=location.pk,
                                     picks=[OrderPick(catalogue["vaccine"].pk, 7)])  # $1,050.00
    order = services.order_submit(actor=coordinator, order_id=order.pk)
    assert order.status == OrderStatus.AWAITING_APPROVAL
    with pytest.raises(InvalidTransition):
        services.order_send(actor=coordinator, order_id=order.pk)
    with pytest.raises(Conflict, match="another coordinator"):
        services.order_approve(actor=coordinator, order_id=order.pk)
    order = services.order_approve(actor=second_coordinator, order_id=order.pk)
    assert order.status == OrderStatus.APPROVED


def test_a_small_order_is_approved_on_submit_and_sent_as_pdf(coordinator, location, catalogue, settings,
                                                              django_capture_on_commit_callbacks):
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    [order] = services.orders_create(actor=coordinator, location_id=location.pk,
                                     picks=[OrderPick(catalogue["gloves"].pk, 2)])
    assert services.order_submit(actor=coordinator, order_id=order.pk).status == OrderStatus.APPROVED
    with django_capture_on_commit_callbacks(execute=True):
        services.order_send(actor=coordinator, order_id=order.pk)
    [message] = mail.outbox
    assert message.to == ["orders@medline.example"] and order.number in message.subject
    _name, content, kind = message.attachments[0]
    assert kind == "application/pdf" and content.startswith(b"%PDF")


def test_order_pdf_is_a_pdf(coordinator, location, catalogue):
    [order] = services.orders_create(actor=coordinator, location_id=location.pk,
                                     picks=[OrderPick(catalogue["gloves"].pk, 2)])
    assert order_pdf(order).startswith(b"%PDF")


def _sent(coordinator, location, catalogue, settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    [order] = services.orders_create(actor=coordinator, location_id=location.pk, picks=[
        OrderPick(catalogue["vaccine"].pk, 3), OrderPick(catalogue["gloves_henry"].pk, 2)])
    services.order_submit(actor=coordinator, order_id=order.pk)
    services.order_send(actor=coordinator, order_id=order.pk)
    lines = {line.item.name: line for line in order.lines.select_related("item")}
    return order, lines["Flu vaccine"], lines["Exam gloves, medium"]


def test_receiving_in_part_then_in_full(coordinator, nurse, location, catalogue, settings, vaccine, gloves):
    order, vaccine_line, gloves_line = _sent(coordinator, location, catalogue, settings)
    services.order_receive(actor=nurse, order_id=order.pk, lines=[
        ReceivedLine(vaccine_line.pk, 2, lot="FL-22", expires_on=dt.date(2027, 5, 1)),
        ReceivedLine(gloves_line.pk, 2)])
    order.refresh_from_db()
    assert order.status == OrderStatus.PARTIAL
    assert StockBalance.objects.get(item=vaccine, lot="FL-22").quantity == 20
    assert StockBalance.objects.get(item=gloves, lot="").quantity == 20
    services.order_receive(actor=nurse, order_id=order.pk, lines=[
        ReceivedLine(vaccine_line.pk, 1, lot="FL-23", expires_on=dt.date(2027, 7, 1))])
    order.refresh_from_db()
    assert order.status == OrderStatus.RECEIVED


def test_over_receipt_is_refused_with_a_clear_message(coordinator, nurse, location, catalogue, settings):
    order, _vaccine_line, gloves_line = _sent(coordinator, location, catalogue, settings)
    services.order_receive(actor=nurse, order_id=order.pk, lines=[ReceivedLine(gloves_line.pk, 1)])
    with pytest.raises(ValidationFailed, match=r"Only 1 packs of Exam gloves, medium are still expected on PO-"):
        services.order_receive(actor=nurse, order_id=order.pk, lines=[ReceivedLine(gloves_line.pk, 2)])
    gloves_line.refresh_from_db()
    assert gloves_line.received_packs == 1


def test_receiving_a_tracked_item_needs_lot_and_expiry(coordinator, nurse, location, catalogue, settings):
    order, vaccine_line, _gloves = _sent(coordinator, location, catalogue, settings)
    with pytest.raises(ValidationFailed, match="lot number"):
        services.order_receive(actor=nurse, order_id=order.pk, lines=[ReceivedLine(vaccine_line.pk, 1)])


def test_invoice_match_shows_quantity_and_price_variance(coordinator, nurse, location, catalogue, settings):
    order, vaccine_line, gloves_line = _sent(coordinator, location, catalogue, settings)
    services.order_receive(actor=nurse, order_id=order.pk, lines=[
        ReceivedLine(vaccine_line.pk, 2, lot="FL-22", expires_on=dt.date(2027, 5, 1)),
        ReceivedLine(gloves_line.pk, 2)])
    services.invoice_record(actor=coordinator, order_id=order.pk, number="INV-88", invoice_date=dt.date(2026, 11, 25),
                            lines=[InvoicedLine(vaccine_line.pk, 3, Decimal("155.00")),
                                   InvoicedLine(gloves_line.pk, 2, Decimal("9.00"))])
    match = {m.line.item.name: m for m in selectors.invoice_match(selectors.order_detail(actor=coordinator,
                                                                                         order_id=order.pk))}
    assert (match["Flu vaccine"].quantity_variance, match["Flu vaccine"].price_variance) == (1, Decimal("15.00"))
    assert match["Exam gloves, medium"].matched
