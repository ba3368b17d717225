"""Purchase orders: built from the reorder worklist (one order per supplier), approved when large, sent to the
supplier as a PDF by e-mail, received in full or in part (lots and expiries captured), matched to invoices.

Approval: an order whose total is above `approval_amount()` waits for approval by a practice coordinator other
than the one who made it (four eyes); at or below it, submitting approves it. The amount is the Django setting
`CLINICDESK_PO_APPROVAL_AMOUNT` (a string such as "1000.00"), $1,000.00 when unset.

States (models.ORDER_TRANSITIONS): draft -> awaiting-approval -> approved -> sent -> partial -> received;
cancelled from any state before the first receipt.
"""

from __future__ import annotations

import datetime as dt
import uuid
from dataclasses import dataclass
from decimal import Decimal

from django.conf import settings
from django.core.mail import EmailMessage
from django.db import transaction
from django.utils.translation import gettext as _

from clinicdesk.audit.services import atomic_service, record
from clinicdesk.core import clock
from clinicdesk.core.exceptions import Conflict, InvalidTransition, NotFound, ValidationFailed
from clinicdesk.core.permissions import Actor, Perm, require, staff_user

from ..models import (
    ORDER_TRANSITIONS,
    Invoice,
    InvoiceLine,
    MovementKind,
    OrderLine,
    OrderStatus,
    PurchaseOrder,
    Receipt,
    ReceiptLine,
    SupplierItem,
)
from ._common import Errors, clean_text, whole
from .stock import _lot_rules, put_in

DEFAULT_APPROVAL_AMOUNT = Decimal("1000.00")


def approval_amount() -> Decimal:
    """Orders above this total need a second coordinator's approval."""
    return Decimal(str(getattr(settings, "CLINICDESK_PO_APPROVAL_AMOUNT", DEFAULT_APPROVAL_AMOUNT)))


@dataclass(frozen=True)
class OrderPick:
    """One line to order: `packs` packs of what `supplier_item_id` sells."""

    supplier_item_id: int
    packs: int


@dataclass(frozen=True)
class ReceivedLine:
    order_line_id: int
    packs: int
    lot: str = ""
    expires_on: dt.date | None = None


@dataclass(frozen=True)
class InvoicedLine:
    order_line_id: int
    packs: int
    unit_price: Decimal


def _move(order: PurchaseOrder, to: str) -> None:
    if to not in ORDER_TRANSITIONS[order.status]:
        raise InvalidTransition("bad-order-transition",
                                _("A purchase order that is %(now)s cannot become %(to)s.")
                                % {"now": order.get_status_display().lower(),
                                   "to": str(OrderStatus(to).label).lower()})
    order.status = to


def _order(actor: Actor, order_id: int, perm: Perm = Perm.OPERATIONS_ADMIN) -> PurchaseOrder:
    order = PurchaseOrder.objects.select_for_update().select_related("supplier").filter(pk=order_id).first()
    if order is None:
        raise NotFound()
    require(actor, perm, location=order.location_id, resource_type="purchaseorder", resource_id=order_id, hide=True)
    return order


@atomic_service
def orders_create(*, actor: Actor, location_id: int, picks: list[OrderPick]) -> list[PurchaseOrder]:
    """Draft purchase orders for a location: one per supplier, a line per pick (prices as the catalogue says
    today)."""
    require(actor, Perm.OPERATIONS_ADMIN, location=location_id, resource_type="purchaseorder")
    errors = Errors()
    if not picks:
        errors.add("picks", _("Choose at least one item to order."))
    catalogue = SupplierItem.objects.select_related("supplier", "item").in_bulk(
        [p.supplier_item_id for p in picks])
    for index, pick in enumerate(picks):
        entry = catalogue.get(pick.supplier_item_id)
        if entry is None or not entry.supplier.active or not entry.item.active:
            errors.add(f"picks[{index}]", _("That supplier no longer sells this item."))
        whole(errors, f"picks[{index}]", pick.packs, label=_("Packs"), minimum=1, maximum=100_000)
    errors.raise_if_any("invalid-order")
    by_supplier: dict[int, list[OrderPick]] = {}
    for pick in picks:
        by_supplier.setdefault(catalogue[pick.supplier_item_id].supplier_id, []).append(pick)
    orders = []
    for supplier_id, group in sorted(by_supplier.items()):
        order = PurchaseOrder.objects.create(number=uuid.uuid4().hex[:20], supplier_id=supplier_id,
                                             location_id=location_id, created_at=clock.now(),
                                             created_by=staff_user(actor))
        order.number = f"PO-{order.pk:06d}"
        order.save(update_fields=["number"])
        merged: dict[int, int] = {}
        for pick in group:
            merged[pick.supplier_item_id] = merged.get(pick.supplier_item_id, 0) + pick.packs
        OrderLine.objects.bulk_create(
            OrderLine(order=order, item_id=catalogue[sid].item_id, supplier_item_id=sid, packs=packs,
                      pack_size=catalogue[sid].pack_size, unit_price=catalogue[sid].price)
            for sid, packs in merged.items())
        record(actor, "purchaseorder.create", order,
               detail={"supplier": supplier_id, "location": location_id, "lines": len(merged),
                       "total": str(order.total)})
        orders.append(order)
    return orders


@atomic_service
def order_line_set(*, actor: Actor, order_id: int, line_id: int, packs: int) -> PurchaseOrder:
    """Change how many packs a draft order asks for (0 removes the line)."""
    order = _order(actor, order_id)
    if order.status != OrderStatus.DRAFT:
        raise Conflict("order-not-draft", _("Only a draft order can change; this one is %(status)s.")
                       % {"status": order.get_status_display().lower()})
    line = order.lines.filter(pk=line_id).first()
    if line is None:
        raise NotFound()
    errors = Errors()
    packs = whole(errors, "packs", packs, label=_("Packs"), maximum=100_000)
    errors.raise_if_any("invalid-order")
    before = line.packs
    if packs == 0:
        line.delete()
    else:
        line.packs = packs
        line.save(update_fields=["packs"])
    record(actor, "purchaseorder.line", order, detail={"line": line_id, "changes": {"packs": [before, packs]}})
    return order


@atomic_service
def order_submit(*, actor: Actor, order_id: int) -> PurchaseOrder:
    """A draft is submitted: approved at once up to the approval amount, else it awaits a second coordinator."""
    order = _order(actor, order_id)
    if not order.lines.exists():
        raise ValidationFailed("empty-order", _("The order has no lines."))
    if order.total > approval_amount():
        _move(order, OrderStatus.AWAITING_APPROVAL)
    else:
        _move(order, OrderStatus.APPROVED)
        order.approved_at, order.approved_by = clock.now(), staff_user(actor)
    order.save()
    record(actor, "purchaseorder.submit", order, detail={"status": order.status, "total": str(order.total)})
    return order


@atomic_service
def order_approve(*, actor: Actor, order_id: int) -> PurchaseOrder:
    order = _order(actor, order_id)
    if order.status == OrderStatus.AWAITING_APPROVAL and order.created_by_id is not None \
            and order.created_by_id == getattr(actor, "pk", None):
        raise Conflict("four-eyes", _("An order above %(amount)s is approved by another coordinator than the "
                                        "one who made it.") % {"amount": approval_amount()})
    _move(order, OrderStatus.APPROVED)
    order.approved_at, order.approved_by = clock.now(), staff_user(actor)
    order.save()
    record(actor, "purchaseorder.approve", order, detail={"total": str(order.total)})
    return order


@atomic_service
def order_send(*, actor: Actor, order_id: int) -> PurchaseOrder:
    """E-mail the approved order to the supplier as a PDF (after commit) and mark it sent."""
    from ..pdf import order_pdf

    order = _order(actor, order_id)
    if not order.supplier.email:
        raise ValidationFailed("no-email", _("%(supplier)s has no order e-mail address: add one to the supplier "
                                             "first.") % {"supplier": order.supplier.name})
    _move(order, OrderStatus.SENT)
    order.sent_at, order.sent_to = clock.now(), order.supplier.email
    order.save()
    pdf = order_pdf(order)
    number, address, account = order.number, order.supplier.email, order.supplier.account_number

    def send() -> None:
        body = _("Please find our purchase order %(number)s attached.") % {"number": number}
        if account:
            body += "\n" + _("Our account number: %(account)s") % {"account": account}
        message = EmailMessage(subject=_("Purchase order %(number)s") % {"number": number}, body=body,
                               from_email=settings.DEFAULT_FROM_EMAIL, to=[address])
        message.attach(f"{number}.pdf", pdf, "application/pdf")
        message.send()

    transaction.on_commit(send)
    record(actor, "purchaseorder.send", order, detail={"to": address})
    return order


@atomic_service
def order_cancel(*, actor: Actor, order_id: int) -> PurchaseOrder:
    order = _order(actor, order_id)
    if order.receipts.exists():
        raise Conflict("order-received", _("Part of this order has been received: it can no longer be cancelled."))
    _move(order, OrderStatus.CANCELLED)
    order.save()
    record(actor, "purchaseorder.cancel", order)
    return order


@atomic_service
def order_receive(*, actor: Actor, order_id: int, lines: list[ReceivedLine], note: str = "") -> Receipt:
    """Receive what arrived against a sent order: packs per line, with lot and expiry for tracked items. More
    than is still expected on a line is refused (nothing is received); the stock goes up by packs x pack size."""
    order = _order(actor, order_id, Perm.SUPPLIES_USE)
    if order.status not in (OrderStatus.SENT, OrderStatus.PARTIAL):
        raise InvalidTransition("order-not-sent", _("Only a sent order can be received; this one is %(status)s.")
                                % {"status": order.get_status_display().lower()})
    order_lines = {line.pk: line for line in order.lines.select_related("item").select_for_update()}
    errors = Errors()
    note = clean_text(errors, "note", note, label=_("Note"), max_length=200)
    arriving = [line for line in lines if line.packs]
    if not arriving:
        errors.add("lines", _("Enter how many packs arrived."))
    expected: dict[int, int] = {}
    for received in arriving:
        line = order_lines.get(received.order_line_id)
        name = f"line-{received.order_line_id}"
        if line is None:
            errors.add(name, _("This line is not on the order."))
            continue
        packs = whole(errors, name, received.packs, label=_("Packs"), maximum=100_000)
        expected[line.pk] = expected.get(line.pk, 0) + packs
        if expected[line.pk] > line.outstanding:
            errors.add(name, _("Only %(left)s packs of %(item)s are still expected on %(number)s; %(got)s were "
                               "entered. Receive at most what was ordered.")
                       % {"left": line.outstanding, "item": line.item.name, "number": order.number,
                          "got": expected[line.pk]})
        lot = clean_text(errors, name, received.lot, label=_("Lot"), max_length=40)
        _lot_rules(line.item, lot, received.expires_on, errors)
    errors.raise_if_any("invalid-receipt")
    receipt = Receipt.objects.create(order=order, at=clock.now(), by=staff_user(actor), note=note)
    for received in arriving:
        line = order_lines[received.order_line_id]
        entry = ReceiptLine.objects.create(receipt=receipt, order_line=line, packs=received.packs,
                                           lot=received.lot.strip(), expires_on=received.expires_on)
        line.received_packs += received.packs
        line.save(update_fields=["received_packs"])
        put_in(actor, line.item, order.location_id, MovementKind.RECEIVE, received.packs * line.pack_size,
               lot=entry.lot, expires_on=entry.expires_on, reason=order.number, receipt_line=entry)
    done = all(line.received_packs >= line.packs for line in order_lines.values())
    _move(order, OrderStatus.RECEIVED if done else OrderStatus.PARTIAL)
    order.save(update_fields=["status"])
    record(actor, "purchaseorder.receive", order, detail={"receipt": receipt.pk, "status": order.status})
    return receipt


@atomic_service
def invoice_record(*, actor: Actor, order_id: int, number: str, invoice_date: dt.date,
                   lines: list[InvoicedLine]) -> Invoice:
    """Record the supplier's invoice against an order, line by line; the match (quantity and price variance
    against what was received and ordered) is selectors.invoice_match."""
    order = _order(actor, order_id)
    if order.status in (OrderStatus.DRAFT, OrderStatus.AWAITING_APPROVAL, OrderStatus.CANCELLED):
        raise InvalidTransition("order-not-sent", _("An invoice is matched to an order that was sent."))
    errors = Errors()
    number = clean_text(errors, "number", number, label=_("Invoice number"), max_length=40, required=True)
    if not isinstance(invoice_date, dt.date):
        errors.add("invoice_date", _("Enter the invoice date."))
    order_lines = {line.pk: line for line in order.lines.all()}
    billed = [line for line in lines if line.packs]
    if not billed:
        errors.add("lines", _("Enter at least one invoiced line."))
    for line in billed:
        name = f"line-{line.order_line_id}"
        if line.order_line_id not in order_lines:
            errors.add(name, _("This line is not on the order."))
        whole(errors, name, line.packs, label=_("Packs"), maximum=100_000)
        if not isinstance(line.unit_price, Decimal) or line.unit_price < 0 or line.unit_price >= Decimal("1e8"):
            errors.add(name, _("Enter a price such as 24.50."))
    errors.raise_if_any("invalid-invoice")
    if Invoice.objects.filter(order=order, number__iexact=number).exists():
        raise Conflict("invoice-exists", _("Invoice %(number)s is already recorded on this order.")
                       % {"number": number}, fields={"number": [_("Already recorded.")]})
    invoice = Invoice.objects.create(order=order, number=number, invoice_date=invoice_date,
                                     recorded_at=clock.now(), recorded_by=staff_user(actor))
    InvoiceLine.objects.bulk_create(InvoiceLine(invoice=invoice, order_line_id=line.order_line_id, packs=line.packs,
                                                unit_price=line.unit_price.quantize(Decimal("0.01")))
                                    for line in billed)
    record(actor, "invoice.record", invoice, detail={"order": order.pk, "number": number})
    return invoice

