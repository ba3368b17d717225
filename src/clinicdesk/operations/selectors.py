"""Reads of the supplies app: stock on hand, the ledger, the reorder worklist, orders and their invoice match,
counts with their variance. Stock data is not patient data: reads are permission-checked, not audited."""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.db.models import F, Prefetch, QuerySet, Sum

from clinicdesk.core import clock
from clinicdesk.core.exceptions import NotFound
from clinicdesk.core.permissions import Actor, Perm, SystemActor, has_perm, require
from clinicdesk.practice.selectors import locations_for

from .models import (
    CountLine,
    Item,
    OrderLine,
    OrderStatus,
    PurchaseOrder,
    StockBalance,
    StockCount,
    StockMovement,
    StockPlace,
    Supplier,
    SupplierItem,
    VisitSupply,
)

EXPIRY_WINDOW_DAYS = 30
OPEN_ORDER_STATUSES = (OrderStatus.DRAFT, OrderStatus.AWAITING_APPROVAL, OrderStatus.APPROVED, OrderStatus.SENT,
                       OrderStatus.PARTIAL)


def may_manage(actor: Actor, location_id: Any = None) -> bool:
    return has_perm(actor, Perm.OPERATIONS_ADMIN, location=location_id)


def require_supplies(actor: Actor, location_id: Any = None) -> None:
    """Reading stock: the coordinator, or anyone who uses supplies (at the location, when given)."""
    if not may_manage(actor, location_id):
        require(actor, Perm.SUPPLIES_USE, location=location_id, resource_type="item")
    _known_location(location_id)


def _known_location(location_id: Any) -> None:
    """A location that does not exist is missing (404), not an empty stock list."""
    if location_id is not None and not locations_for(SystemActor("supplies", frozenset())).filter(
            pk=location_id).exists():
        raise NotFound()


# --- stock on hand -------------------------------------------------------------------------------------------

class StockStatus:
    OK = "stock-ok"
    LOW = "stock-low"
    OUT = "stock-out"
    NEGATIVE = "stock-negative"
    NOT_STOCKED = "stock-none"


def stock_status(on_hand: int, reorder_point: int | None) -> str:
    if reorder_point is None:
        return StockStatus.NOT_STOCKED if on_hand == 0 else StockStatus.OK
    if on_hand < 0:
        return StockStatus.NEGATIVE
    if on_hand == 0:
        return StockStatus.OUT
    if on_hand < reorder_point:
        return StockStatus.LOW
    return StockStatus.OK


@dataclass
class StockLine:
    item: Item
    on_hand: int
    place: StockPlace | None
    status: str

    @property
    def reorder_point(self) -> int | None:
        return self.place.reorder_point if self.place else None


def items_list(*, actor: Actor, include_inactive: bool = False) -> QuerySet[Item]:
    require_supplies(actor)
    items = Item.objects.all()
    return items if include_inactive else items.filter(active=True)


def item_detail(*, actor: Actor, item_id: int) -> Item:
    require_supplies(actor)
    item = Item.objects.filter(pk=item_id).first()
    if item is None:
        raise NotFound()
    return item


def _on_hand_at(location_id: int) -> dict[int, int]:
    """{item id: units on hand} at a location: one grouped read of the balances."""
    return dict(StockBalance.objects.filter(location_id=location_id).order_by().values("item_id")
                .annotate(total=Sum("quantity")).values_list("item_id", "total"))


def stock_at(*, actor: Actor, location_id: int, include_inactive: bool = False, category: str = "",
             status: str = "") -> list[StockLine]:
    """Every item with what is on hand at the location (from the balances), its place there and its status."""
    require_supplies(actor, location_id)
    items = Item.objects.all()
    if not include_inactive:
        items = items.filter(active=True)
    if category:
        items = items.filter(category=category)
    on_hand = _on_hand_at(location_id)
    places = {p.item_id: p for p in StockPlace.objects.filter(location_id=location_id)}
    lines = []
    for item in items.order_by("name"):
        place = places.get(item.pk)
        units = on_hand.get(item.pk, 0)
        line = StockLine(item, units, place, stock_status(units, place.reorder_point if place else None))
        if not status or line.status == status:
            lines.append(line)
    return lines


def stock_on_hand(*, actor: Actor, location_id: int) -> dict[int, int]:
    """{item id: units on hand} at a location, from the maintained balances."""
    require_supplies(actor, location_id)
    return _on_hand_at(location_id)


def stock_on_hand_from_ledger(*, actor: Actor, location_id: int) -> dict[int, int]:
    """The same, summed from the ledger itself (the balances' proof; slower)."""
    require_supplies(actor, location_id)
    return dict(StockMovement.objects.filter(location_id=location_id).order_by().values("item_id")
                .annotate(total=Sum("quantity")).values_list("item_id", "total"))


def item_lots(*, actor: Actor, item_id: int, location_id: int) -> list[StockBalance]:
    require_supplies(actor, location_id)
    return list(StockBalance.objects.filter(item_id=item_id, location_id=location_id).exclude(quantity=0)
                .order_by(F("expires_on").asc(nulls_last=True), "lot"))


def item_ledger(*, actor: Actor, item_id: int, location_id: int, limit: int = 200) -> list[StockMovement]:
    require_supplies(actor, location_id)
    return list(StockMovement.objects.filter(item_id=item_id, location_id=location_id).select_related("by")
                .order_by("-at", "-pk")[:limit])


def item_place(*, actor: Actor, item_id: int, location_id: int) -> StockPlace | None:
    require_supplies(actor, location_id)
    return StockPlace.objects.filter(item_id=item_id, location_id=location_id).first()


# --- the reorder worklist -----------------------------------------------------------------------------------------

@dataclass
class ReorderRow:
    place: StockPlace
    on_hand: int
    on_order: int  # units on open orders not yet received
    supplier_item: SupplierItem | None
    packs: int  # suggested: enough packs to bring the stock back to par

    @property
    def item(self) -> Item:
        return self.place.item

    @property
    def short(self) -> int:
        return max(self.place.par_level - self.on_hand - self.on_order, 0)


@dataclass
class ExpiringLot:
    balance: StockBalance
    days_left: int


@dataclass
class Worklist:
    reorder: list[ReorderRow] = field(default_factory=list)
    expiring: list[ExpiringLot] = field(default_factory=list)


def _best_offer(offers: list[SupplierItem]) -> SupplierItem | None:
    live = [o for o in offers if o.supplier.active]
    if not live:
        return None
    preferred = [o for o in live if o.preferred]
    return preferred[0] if preferred else min(live, key=lambda o: (o.price / o.pack_size, o.pk))


def reorder_worklist(*, actor: Actor, location_id: int, today: dt.date | None = None) -> Worklist:
    """Items below their reorder point at the location (with what is already on order, and a suggested order
    from the preferred or cheapest supplier to bring them back to par), and lots expiring within 30 days."""
    require(actor, Perm.OPERATIONS_ADMIN, location=location_id, resource_type="worklist")
    _known_location(location_id)
    on_hand = _on_hand_at(location_id)
    points = StockPlace.objects.filter(location_id=location_id, item__active=True).values_list(
        "pk", "item_id", "reorder_point")
    below = [pk for pk, item_id, point in points if on_hand.get(item_id, 0) < point]
    on_order = dict(
        OrderLine.objects.filter(order__location_id=location_id, order__status__in=OPEN_ORDER_STATUSES)
        .order_by().values("item_id").annotate(units=Sum((F("packs") - F("received_packs")) * F("pack_size")))
        .values_list("item_id", "units"))
    places = (StockPlace.objects.filter(pk__in=below).select_related("item")
              .prefetch_related(Prefetch("item__supplier_items",
                                         queryset=SupplierItem.objects.select_related("supplier")))
              .order_by("item__name"))
    rows = []
    for place in places:
        units, ordered = on_hand.get(place.item_id, 0), on_order.get(place.item_id, 0)
        offer = _best_offer(list(place.item.supplier_items.all()))
        short = max(place.par_level - units - ordered, 0)
        packs = math.ceil(short / offer.pack_size) if offer and short else 0
        rows.append(ReorderRow(place, units, ordered, offer, packs))
    today = today or clock.now().date()
    horizon = today + dt.timedelta(days=EXPIRY_WINDOW_DAYS)
    lots = (StockBalance.objects.filter(location_id=location_id, expires_on__isnull=False, expires_on__lte=horizon,
                                        quantity__gt=0).select_related("item").order_by("expires_on", "item__name"))
    expiring = [ExpiringLot(b, (b.expires_on - today).days) for b in lots if b.expires_on]
    return Worklist(rows, expiring)


# --- suppliers, orders -------------------------------------------------------------------------------------------

def suppliers_list(*, actor: Actor, include_inactive: bool = False) -> QuerySet[Supplier]:
    require(actor, Perm.OPERATIONS_ADMIN, resource_type="supplier")
    suppliers = Supplier.objects.all()
    return suppliers if include_inactive else suppliers.filter(active=True)


def supplier_detail(*, actor: Actor, supplier_id: int) -> Supplier:
    require(actor, Perm.OPERATIONS_ADMIN, resource_type="supplier", resource_id=supplier_id)
    supplier = Supplier.objects.filter(pk=supplier_id).prefetch_related(
        Prefetch("catalog", queryset=SupplierItem.objects.select_related("item").order_by("item__name"))).first()
    if supplier is None:
        raise NotFound()
    return supplier


def orders_list(*, actor: Actor, location_id: int | None = None, open_only: bool = False) -> list[PurchaseOrder]:
    require_supplies(actor, location_id)
    orders = PurchaseOrder.objects.select_related("supplier", "location").prefetch_related("lines")
    if location_id is not None:
        orders = orders.filter(location_id=location_id)
    elif not may_manage(actor):
        orders = orders.filter(location_id__in=actor.location_ids())
    if open_only:
        orders = orders.filter(status__in=OPEN_ORDER_STATUSES)
    return list(orders[:300])


def order_detail(*, actor: Actor, order_id: int) -> PurchaseOrder:
    order = (PurchaseOrder.objects.select_related("supplier", "location", "created_by", "approved_by")
             .prefetch_related(Prefetch("lines", queryset=OrderLine.objects.select_related(
                 "item", "supplier_item").order_by("item__name")), "receipts__lines", "invoices__lines")
             .filter(pk=order_id).first())
    if order is None:
        raise NotFound()
    if not may_manage(actor, order.location_id):
        require(actor, Perm.SUPPLIES_USE, location=order.location_id, resource_type="purchaseorder",
                resource_id=order_id, hide=True)
    return order


@dataclass
class MatchLine:
    line: OrderLine
    received: int
    invoiced: int
    invoiced_price: Decimal | None

    @property
    def quantity_variance(self) -> int:
        """Invoiced minus received packs: + billed for what did not arrive."""
        return self.invoiced - self.received

    @property
    def price_variance(self) -> Decimal:
        """(Invoiced price - ordered price) x invoiced packs."""
        if self.invoiced_price is None:
            return Decimal("0.00")
        return (self.invoiced_price - self.line.unit_price) * self.invoiced

    @property
    def matched(self) -> bool:
        return self.quantity_variance == 0 and self.price_variance == 0


def invoice_match(order: PurchaseOrder) -> list[MatchLine]:
    """Per order line: packs received and invoiced, and the invoiced price against the ordered one (an average
    when several invoices bill the line). `order` comes from order_detail (its lines and invoices prefetched)."""
    billed: dict[int, list[tuple[int, Decimal]]] = {}
    for invoice in order.invoices.all():
        for billed_line in invoice.lines.all():
            billed.setdefault(billed_line.order_line_id, []).append((billed_line.packs, billed_line.unit_price))
    result = []
    for line in order.lines.all():
        entries = billed.get(line.pk, [])
        packs = sum(p for p, _price in entries)
        price = (sum((p * price for p, price in entries), Decimal("0")) / packs).quantize(Decimal("0.01")) \
            if packs else None
        result.append(MatchLine(line, line.received_packs, packs, price))
    return result


# --- counts and visit supplies ------------------------------------------------------------------------------------

def counts_list(*, actor: Actor, location_id: int) -> list[StockCount]:
    require(actor, Perm.OPERATIONS_ADMIN, location=location_id, resource_type="stockcount")
    return list(StockCount.objects.filter(location_id=location_id).select_related("started_by")
                .order_by("-started_at")[:100])


def count_detail(*, actor: Actor, count_id: int) -> tuple[StockCount, list[CountLine]]:
    count = StockCount.objects.select_related("location").filter(pk=count_id).first()
    if count is None:
        raise NotFound()
    require(actor, Perm.OPERATIONS_ADMIN, location=count.location_id, resource_type="stockcount",
            resource_id=count_id, hide=True)
    lines = list(count.lines.select_related("item").order_by("item__name", "lot"))
    return count, lines


def visit_supplies(*, actor: Actor) -> list[VisitSupply]:
    require(actor, Perm.OPERATIONS_ADMIN, resource_type="visitsupply")
    return list(VisitSupply.objects.select_related("item").order_by("appointment_type_id", "item__name"))


def appointment_type_choices(*, actor: Actor) -> list[tuple[int, str]]:
    """The active appointment types (id, name) for the visit-supplies screen."""
    from clinicdesk.scheduling.models import AppointmentType

    require(actor, Perm.OPERATIONS_ADMIN, resource_type="visitsupply")
    return list(AppointmentType.objects.filter(active=True).order_by("name").values_list("pk", "name"))


def appointment_type_names() -> dict[int, str]:
    from clinicdesk.scheduling.models import AppointmentType

    return dict(AppointmentType.objects.values_list("pk", "name"))
