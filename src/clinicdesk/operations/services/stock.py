"""The stock ledger: every change of what is on hand is one `StockMovement` (append-only), and the item's
`StockBalance` row for that location and lot moves with it in the same transaction.

Concurrency: before a movement is written, the balance rows of the item at the location are locked
(`SELECT ... FOR UPDATE`, in primary-key order; the lot-less row is created first if missing, so there is always
a row to lock). Two nurses using the last box at once therefore queue on the lock: the second sees the first's
use, and either is refused or records a negative-stock exception, as the item says (`Item.over_use`). A
transfer locks both locations in location order. On SQLite the write transaction itself serialises writers.

Who: using supplies (and receiving an order, purchasing.py) is SUPPLIES_USE at the location; adjusting, wasting,
transferring and counting is the coordinator's (OPERATIONS_ADMIN). Automatic use when a visit is fulfilled runs
as the visit's consequence (scheduling's `status_changed` hook) and never refuses the visit: a shortage is
recorded as a negative-stock exception whatever the item's choice, because the supplies were used.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.utils.translation import gettext as _

from clinicdesk.audit.services import atomic_service, record
from clinicdesk.core import clock
from clinicdesk.core.exceptions import Conflict, NotFound, ValidationFailed
from clinicdesk.core.permissions import Actor, Perm, require, staff_user

from ..models import (
    CountLine,
    CountStatus,
    Item,
    MovementKind,
    OverUse,
    ReceiptLine,
    StockBalance,
    StockCount,
    StockMovement,
    StockPlace,
    VisitSupply,
    VisitUsePosted,
)
from ._common import Errors, clean_text, whole

MAX_QUANTITY = 1_000_000
# The audit action of each kind of movement (audit/labels.py has their words).
_ACTIONS: dict[str, str] = {
    MovementKind.RECEIVE: "stock.receive", MovementKind.USE: "stock.use", MovementKind.ADJUST: "stock.adjust",
    MovementKind.WASTE: "stock.waste", MovementKind.TRANSFER_OUT: "stock.transfer-out",
    MovementKind.TRANSFER_IN: "stock.transfer-in", MovementKind.COUNT: "stock.count"}
_FAR = dt.date(9999, 12, 31)


@dataclass
class _Take:
    balance: StockBalance
    quantity: int  # positive: how much leaves this lot


def _lock(item_id: int, location_id: int) -> list[StockBalance]:
    """Lock every balance row of the item at the location (creating the lot-less one if need be)."""
    StockBalance.objects.bulk_create([StockBalance(item_id=item_id, location_id=location_id, lot="", quantity=0)],
                                     ignore_conflicts=True)
    return list(StockBalance.objects.select_for_update().filter(item_id=item_id, location_id=location_id)
                .order_by("pk"))


def _balance_for(rows: list[StockBalance], item_id: int, location_id: int, lot: str,
                 expires_on: dt.date | None) -> StockBalance:
    for row in rows:
        if row.lot == lot:
            if expires_on and not row.expires_on:
                row.expires_on = expires_on
            return row
    StockBalance.objects.bulk_create([StockBalance(item_id=item_id, location_id=location_id, lot=lot,
                                                   expires_on=expires_on, quantity=0)], ignore_conflicts=True)
    row = StockBalance.objects.select_for_update().get(item_id=item_id, location_id=location_id, lot=lot)
    rows.append(row)
    return row


def _short(item: Item, on_hand: int, asked: int) -> Conflict:
    return Conflict("not-enough-stock",
                    _("Only %(on_hand)s %(unit)s of %(item)s on hand here; %(asked)s were entered. Nothing was "
                      "recorded.") % {"on_hand": max(on_hand, 0), "unit": item.unit, "item": item.name,
                                     "asked": asked},
                    fields={"quantity": [_("More than is on hand.")]})


def _takes(item: Item, rows: list[StockBalance], quantity: int, lot: str, *, allow_negative: bool) -> list[_Take]:
    """Which lots `quantity` leaves from: the named lot, or the earliest-expiring lots first (FEFO)."""
    if lot or not item.tracks_lots:
        row = next((r for r in rows if r.lot == lot), None)
        if row is None:
            raise ValidationFailed("unknown-lot", _("Lot %(lot)s of %(item)s is not on hand here.")
                                   % {"lot": lot, "item": item.name}, fields={"lot": [_("Not on hand here.")]})
        if row.quantity < quantity and not allow_negative:
            raise _short(item, row.quantity, quantity)
        return [_Take(row, quantity)]
    on_hand = sorted((r for r in rows if r.quantity > 0), key=lambda r: (r.expires_on or _FAR, r.pk))
    total = sum(r.quantity for r in on_hand)
    if total < quantity and not allow_negative:
        raise _short(item, total, quantity)
    takes, left = [], quantity
    for row in on_hand:
        if left <= 0:
            break
        part = min(row.quantity, left)
        takes.append(_Take(row, part))
        left -= part
    if left > 0:  # the exception: the shortfall is booked against the lot-less row
        blank = next(r for r in rows if r.lot == "")
        takes.append(_Take(blank, left))
    return takes


def _write(actor: Actor | None, item: Item, balance: StockBalance, kind: str, quantity: int, *, reason: str = "",
           appointment_id: int | None = None, receipt_line: ReceiptLine | None = None,
           count: StockCount | None = None, at: dt.datetime | None = None) -> StockMovement:
    balance.quantity += quantity
    balance.save(update_fields=["quantity", "expires_on"])
    movement = StockMovement.objects.create(
        item=item, location_id=balance.location_id, lot=balance.lot, expires_on=balance.expires_on, kind=kind,
        quantity=quantity, reason=reason, negative_exception=balance.quantity < 0 and quantity < 0,
        at=at or clock.now(), by=staff_user(actor), appointment_id=appointment_id, receipt_line=receipt_line,
        count=count)
    action = _ACTIONS[kind]
    record(actor, action, movement,
           detail={"item": item.pk, "location": balance.location_id, "lot": balance.lot, "quantity": quantity,
                   **({"negative_exception": True} if movement.negative_exception else {})})
    return movement


def _item(item_id: int) -> Item:
    item = Item.objects.filter(pk=item_id).first()
    if item is None:
        raise NotFound()
    return item


def _clean(quantity: Any, reason: Any, lot: Any, *, reason_required: bool) -> tuple[int, str, str]:
    errors = Errors()
    amount = whole(errors, "quantity", quantity, label=_("Quantity"), minimum=1, maximum=MAX_QUANTITY)
    why = clean_text(errors, "reason", reason, label=_("Reason"), max_length=200, required=reason_required)
    lot_text = clean_text(errors, "lot", lot, label=_("Lot"), max_length=40)
    errors.raise_if_any("invalid-movement")
    return amount, why, lot_text


def _take_out(actor: Actor | None, item: Item, location_id: int, kind: str, quantity: int, *, lot: str = "",
             reason: str = "", allow_negative: bool | None = None,
             appointment_id: int | None = None) -> list[StockMovement]:
    """Inside a service: `quantity` units leave the location (one movement per lot touched)."""
    if allow_negative is None:
        allow_negative = item.over_use == OverUse.EXCEPTION
    rows = _lock(item.pk, location_id)
    return [_write(actor, item, take.balance, kind, -take.quantity, reason=reason, appointment_id=appointment_id)
            for take in _takes(item, rows, quantity, lot, allow_negative=allow_negative)]


def put_in(actor: Actor | None, item: Item, location_id: int, kind: str, quantity: int, *, lot: str = "",
           expires_on: dt.date | None = None, reason: str = "",
           receipt_line: ReceiptLine | None = None) -> StockMovement:
    """Inside a service: `quantity` units arrive at the location (into `lot`)."""
    rows = _lock(item.pk, location_id)
    balance = _balance_for(rows, item.pk, location_id, lot, expires_on)
    return _write(actor, item, balance, kind, quantity, reason=reason, receipt_line=receipt_line)


def _lot_rules(item: Item, lot: str, expires_on: dt.date | None, errors: Errors) -> None:
    if item.tracks_lots:
        if not lot:
            errors.add("lot", _("%(item)s is tracked by lot: enter the lot number.") % {"item": item.name})
        if expires_on is None:
            errors.add("expires_on", _("%(item)s is tracked by lot: enter the expiry date.") % {"item": item.name})
    elif lot or expires_on:
        errors.add("lot", _("%(item)s is not tracked by lot: leave the lot and expiry empty.") % {"item": item.name})


# --- the services --------------------------------------------------------------------------------------------

@atomic_service
def stock_use(*, actor: Actor, item_id: int, location_id: int, quantity: int, lot: str = "",
              reason: str = "") -> list[StockMovement]:
    """Record supplies used at a location. More than is on hand is refused, or recorded as a negative-stock
    exception, as the item says."""
    require(actor, Perm.SUPPLIES_USE, location=location_id, resource_type="item", resource_id=item_id)
    item = _item(item_id)
    amount, why, lot = _clean(quantity, reason, lot, reason_required=False)
    return _take_out(actor, item, location_id, MovementKind.USE, amount, lot=lot, reason=why)


@atomic_service
def stock_waste(*, actor: Actor, item_id: int, location_id: int, quantity: int, reason: str,
                lot: str = "") -> list[StockMovement]:
    """Throw away damaged or expired stock (a reason is required); never more than is on hand."""
    require(actor, Perm.OPERATIONS_ADMIN, location=location_id, resource_type="item", resource_id=item_id)
    item = _item(item_id)
    amount, why, lot = _clean(quantity, reason, lot, reason_required=True)
    return _take_out(actor, item, location_id, MovementKind.WASTE, amount, lot=lot, reason=why, allow_negative=False)


@atomic_service
def stock_adjust(*, actor: Actor, item_id: int, location_id: int, quantity: int, reason: str, lot: str = "",
                 expires_on: dt.date | None = None) -> list[StockMovement]:
    """Correct the stock by `quantity` (signed: + found, - missing), with a reason. A correction never takes a
    lot below zero; a new lot of a tracked item needs its expiry date."""
    require(actor, Perm.OPERATIONS_ADMIN, location=location_id, resource_type="item", resource_id=item_id)
    item = _item(item_id)
    sign = -1 if isinstance(quantity, int) and not isinstance(quantity, bool) and quantity < 0 else 1
    amount, why, lot = _clean(abs(quantity) if sign < 0 else quantity, reason, lot, reason_required=True)
    if sign < 0:
        return _take_out(actor, item, location_id, MovementKind.ADJUST, amount, lot=lot, reason=why,
                        allow_negative=False)
    errors = Errors()
    known_lot = bool(lot) and StockBalance.objects.filter(item=item, location_id=location_id, lot=lot).exists()
    if not item.tracks_lots or not known_lot:
        _lot_rules(item, lot, expires_on, errors)
    errors.raise_if_any("invalid-movement")
    return [put_in(actor, item, location_id, MovementKind.ADJUST, amount, lot=lot, expires_on=expires_on,
                   reason=why)]


@atomic_service
def stock_transfer(*, actor: Actor, item_id: int, from_location_id: int, to_location_id: int, quantity: int,
                   lot: str = "", reason: str = "") -> list[StockMovement]:
    """Move stock between two locations (out of one, into the other, lot by lot). Never more than is on hand."""
    require(actor, Perm.OPERATIONS_ADMIN, location=from_location_id, resource_type="item", resource_id=item_id)
    require(actor, Perm.OPERATIONS_ADMIN, location=to_location_id, resource_type="item", resource_id=item_id)
    if from_location_id == to_location_id:
        raise ValidationFailed("same-location", _("Choose another location to send the stock to."),
                               fields={"to_location": [_("The same location.")]})
    item = _item(item_id)
    amount, why, lot = _clean(quantity, reason, lot, reason_required=False)
    first, second = sorted((from_location_id, to_location_id))
    _lock(item.pk, first), _lock(item.pk, second)  # both locations, in one order: no deadlock
    outs = _take_out(actor, item, from_location_id, MovementKind.TRANSFER_OUT, amount, lot=lot, reason=why,
                    allow_negative=False)
    ins = []
    for out in outs:
        ins.append(put_in(actor, item, to_location_id, MovementKind.TRANSFER_IN, -out.quantity, lot=out.lot,
                          expires_on=out.expires_on, reason=why))
    return outs + ins


# --- automatic use per visit --------------------------------------------------------------------------------------

def visit_supplies_post(*, appointment_id: int, appointment_type_id: int, location_id: int,
                        actor: Actor | None) -> list[StockMovement]:
    """What a fulfilled visit consumed, posted once per appointment (called inside the visit's transaction by
    the `status_changed` hook, apps.py). A shortage is a negative-stock exception, never a refusal."""
    uses = list(VisitSupply.objects.filter(appointment_type_id=appointment_type_id).select_related("item")
                .order_by("item_id"))
    if not uses:
        return []
    _posted, created = VisitUsePosted.objects.get_or_create(appointment_id=appointment_id,
                                                            defaults={"at": clock.now()})
    if not created:
        return []
    movements: list[StockMovement] = []
    for use in uses:
        movements += _take_out(actor, use.item, location_id, MovementKind.USE, use.quantity, allow_negative=True,
                              appointment_id=appointment_id, reason=_("Visit"))
    return movements


# --- cycle counts ---------------------------------------------------------------------------------------------

@atomic_service
def count_start(*, actor: Actor, location_id: int, note: str = "") -> StockCount:
    """Start a cycle count at a location: one line per item stocked there and per lot on hand, with what the
    ledger says is there. Posting compares with the ledger at that moment, so use during the count is fine."""
    require(actor, Perm.OPERATIONS_ADMIN, location=location_id, resource_type="stockcount")
    errors = Errors()
    note = clean_text(errors, "note", note, label=_("Note"), max_length=200)
    errors.raise_if_any("invalid-count")
    count = StockCount.objects.create(location_id=location_id, started_at=clock.now(), started_by=staff_user(actor),
                                      note=note)
    keys: dict[tuple[int, str], int] = {}
    for place in StockPlace.objects.filter(location_id=location_id, item__active=True):
        keys[(place.item_id, "")] = 0
    for bal in StockBalance.objects.filter(location_id=location_id).exclude(quantity=0):
        keys[(bal.item_id, bal.lot)] = bal.quantity
    items = dict(Item.objects.filter(pk__in={k[0] for k in keys}).values_list("pk", "tracks_lots"))
    CountLine.objects.bulk_create(
        CountLine(count=count, item_id=item_id, lot=lot, expected=expected)
        for (item_id, lot), expected in sorted(keys.items())
        if not (items.get(item_id) and lot == "" and expected == 0))
    record(actor, "stockcount.start", count, detail={"location": location_id, "lines": count.lines.count()})
    return count


def _open_count(actor: Actor, count_id: int) -> StockCount:
    count = StockCount.objects.select_for_update().filter(pk=count_id).first()
    if count is None:
        raise NotFound()
    require(actor, Perm.OPERATIONS_ADMIN, location=count.location_id, resource_type="stockcount",
            resource_id=count_id, hide=True)
    if count.status != CountStatus.OPEN:
        raise Conflict("count-posted", _("This count has been posted and can no longer change."))
    return count


@atomic_service
def count_enter(*, actor: Actor, count_id: int, counted: dict[int, int | None]) -> StockCount:
    """Enter what was counted, line by line (None: not counted yet)."""
    count = _open_count(actor, count_id)
    lines = {line.pk: line for line in count.lines.all()}
    errors = Errors()
    for line_id, value in counted.items():
        if line_id not in lines:
            errors.add(f"line-{line_id}", _("This line is not part of the count."))
        elif value is not None:
            whole(errors, f"line-{line_id}", value, label=_("Counted"), maximum=MAX_QUANTITY)
    errors.raise_if_any("invalid-count")
    changed = [lines[line_id] for line_id, value in counted.items() if lines[line_id].counted != value]
    for line in changed:
        line.counted = counted[line.pk]
    CountLine.objects.bulk_update(changed, ["counted"])
    if changed:
        record(actor, "stockcount.enter", count, detail={"lines": len(changed)})
    return count


@atomic_service
def count_post(*, actor: Actor, count_id: int) -> StockCount:
    """Post the count: each counted line's difference from the ledger (at posting time) becomes a count
    correction. Lines not counted change nothing."""
    count = _open_count(actor, count_id)
    lines = list(count.lines.select_related("item").order_by("item_id", "lot"))
    if not any(line.counted is not None for line in lines):
        raise ValidationFailed("nothing-counted", _("Enter at least one counted quantity before posting."))
    locked: dict[int, list[StockBalance]] = {}
    for line in lines:
        if line.counted is None:
            continue
        rows = locked.get(line.item_id) or locked.setdefault(line.item_id, _lock(line.item_id, count.location_id))
        balance = _balance_for(rows, line.item_id, count.location_id, line.lot, None)
        line.expected = balance.quantity
        line.save(update_fields=["expected"])
        if line.counted != balance.quantity:
            _write(actor, line.item, balance, MovementKind.COUNT, line.counted - balance.quantity,
                   reason=_("Cycle count"), count=count)
    count.status, count.posted_at = CountStatus.POSTED, clock.now()
    count.save(update_fields=["status", "posted_at"])
    record(actor, "stockcount.post", count, detail={"location": count.location_id})
    return count
