"""The supplies catalogue: items, where each is stocked, suppliers and what they sell, what a visit consumes.
All of it is the practice coordinator's configuration (OPERATIONS_ADMIN); every change is audited with its diff."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.utils.translation import gettext as _

from clinicdesk.audit.services import atomic_service, record
from clinicdesk.core.changes import diff, snapshot
from clinicdesk.core.exceptions import Conflict, NotFound
from clinicdesk.core.permissions import Actor, Perm, require
from clinicdesk.scheduling.models import AppointmentType

from ..models import Item, ItemCategory, OverUse, StockPlace, Supplier, SupplierItem, VisitSupply
from ._common import Errors, clean_text, whole

ITEM_FIELDS = ("name", "unit", "category", "tracks_lots", "over_use", "par_level", "reorder_point", "active")
PLACE_FIELDS = ("storage", "par_level", "reorder_point")
SUPPLIER_FIELDS = ("name", "account_number", "contact_name", "email", "phone", "address", "active")
SUPPLIER_ITEM_FIELDS = ("supplier_code", "price", "pack_size", "preferred")


def _levels(errors: Errors, par_level: Any, reorder_point: Any) -> tuple[int, int]:
    par = whole(errors, "par_level", par_level, label=_("Par level"))
    point = whole(errors, "reorder_point", reorder_point, label=_("Reorder point"))
    if point > par:
        errors.add("reorder_point", _("The reorder point cannot be above the par level."))
    return par, point


def _item_values(values: dict[str, Any]) -> dict[str, Any]:
    errors = Errors()
    out: dict[str, Any] = {}
    out["name"] = clean_text(errors, "name", values.get("name"), label=_("Name"), max_length=120, required=True)
    out["unit"] = clean_text(errors, "unit", values.get("unit"), label=_("Unit"), max_length=30, required=True)
    if values.get("category") not in ItemCategory.values:
        errors.add("category", _("Choose a category from the list."))
    out["category"] = values.get("category")
    if values.get("over_use") not in OverUse.values:
        errors.add("over_use", _("Choose what happens when more is used than is on hand."))
    out["over_use"] = values.get("over_use")
    out["tracks_lots"] = bool(values.get("tracks_lots"))
    out["par_level"], out["reorder_point"] = _levels(errors, values.get("par_level"), values.get("reorder_point"))
    if "active" in values:
        out["active"] = bool(values["active"])
    errors.raise_if_any("invalid-item")
    return out


def _refuse_duplicate_item(name: str, exclude: int = 0) -> None:
    if Item.objects.filter(name__iexact=name).exclude(pk=exclude).exists():
        raise Conflict("item-exists", _("There is already an item named %(name)s.") % {"name": name},
                       fields={"name": [_("Already in use.")]})


@atomic_service
def item_create(*, actor: Actor, name: str, unit: str, category: str = ItemCategory.MEDICAL,
                tracks_lots: bool = False, over_use: str = OverUse.REFUSE, par_level: int = 0,
                reorder_point: int = 0) -> Item:
    require(actor, Perm.OPERATIONS_ADMIN, resource_type="item")
    values = _item_values({"name": name, "unit": unit, "category": category, "tracks_lots": tracks_lots,
                           "over_use": over_use, "par_level": par_level, "reorder_point": reorder_point})
    _refuse_duplicate_item(values["name"])
    item = Item.objects.create(**values)
    record(actor, "item.create", item, detail={"changes": diff({}, snapshot(item, ITEM_FIELDS))})
    return item


@atomic_service
def item_update(*, actor: Actor, item_id: int, **changes: Any) -> Item:
    require(actor, Perm.OPERATIONS_ADMIN, resource_type="item", resource_id=item_id)
    item = Item.objects.select_for_update().filter(pk=item_id).first()
    if item is None:
        raise NotFound()
    before = snapshot(item, ITEM_FIELDS)
    values = _item_values({**before, **{k: v for k, v in changes.items() if k in ITEM_FIELDS}})
    _refuse_duplicate_item(values["name"], exclude=item.pk)
    if item.tracks_lots and not values["tracks_lots"] and item.balances.exclude(lot="").exclude(quantity=0).exists():
        raise Conflict("lots-on-hand", _("Lots of this item are on hand: it keeps tracking lots until they are used."),
                       fields={"tracks_lots": [_("Lots are on hand.")]})
    for name, value in values.items():
        setattr(item, name, value)
    item.save()
    changed = diff(before, snapshot(item, ITEM_FIELDS))
    if changed:
        record(actor, "item.update", item, detail={"changes": changed})
    return item


@atomic_service
def item_deactivate(*, actor: Actor, item_id: int) -> Item:
    return item_update(actor=actor, item_id=item_id, active=False)


@atomic_service
def stock_place_set(*, actor: Actor, item_id: int, location_id: int, storage: str = "",
                    par_level: int | None = None, reorder_point: int | None = None) -> StockPlace:
    """Stock `item` at a location (or change where it is kept and its levels there). Levels default to the
    item's own."""
    require(actor, Perm.OPERATIONS_ADMIN, location=location_id, resource_type="item", resource_id=item_id)
    item = Item.objects.filter(pk=item_id).first()
    if item is None:
        raise NotFound()
    errors = Errors()
    storage = clean_text(errors, "storage", storage, label=_("Storage"), max_length=120)
    par, point = _levels(errors, item.par_level if par_level is None else par_level,
                         item.reorder_point if reorder_point is None else reorder_point)
    errors.raise_if_any("invalid-place")
    place = StockPlace.objects.select_for_update().filter(item=item, location_id=location_id).first()
    before = snapshot(place, PLACE_FIELDS) if place else {}
    if place is None:
        place = StockPlace(item=item, location_id=location_id)
    place.storage, place.par_level, place.reorder_point = storage, par, point
    place.save()
    changed = diff(before, snapshot(place, PLACE_FIELDS))
    if changed:
        record(actor, "item.place", item, detail={"location": location_id, "changes": changed})
    return place


# --- suppliers -----------------------------------------------------------------------------------------------

def _supplier_values(values: dict[str, Any]) -> dict[str, Any]:
    errors = Errors()
    out: dict[str, Any] = {
        "name": clean_text(errors, "name", values.get("name"), label=_("Name"), max_length=120, required=True),
        "account_number": clean_text(errors, "account_number", values.get("account_number"),
                                     label=_("Account number"), max_length=40),
        "contact_name": clean_text(errors, "contact_name", values.get("contact_name"), label=_("Contact"),
                                   max_length=120),
        "email": clean_text(errors, "email", values.get("email"), label=_("Order e-mail"), max_length=254),
        "phone": clean_text(errors, "phone", values.get("phone"), label=_("Phone"), max_length=20),
        "address": clean_text(errors, "address", values.get("address"), label=_("Address"), max_length=250),
    }
    if out["email"] and ("@" not in out["email"] or " " in out["email"]):
        errors.add("email", _("Enter an e-mail address such as orders@example.com."))
    if "active" in values:
        out["active"] = bool(values["active"])
    errors.raise_if_any("invalid-supplier")
    return out


def _refuse_duplicate_supplier(name: str, exclude: int = 0) -> None:
    if Supplier.objects.filter(name__iexact=name).exclude(pk=exclude).exists():
        raise Conflict("supplier-exists", _("There is already a supplier named %(name)s.") % {"name": name},
                       fields={"name": [_("Already in use.")]})


@atomic_service
def supplier_create(*, actor: Actor, name: str, account_number: str = "", contact_name: str = "",
                    email: str = "", phone: str = "", address: str = "") -> Supplier:
    require(actor, Perm.OPERATIONS_ADMIN, resource_type="supplier")
    values = _supplier_values({"name": name, "account_number": account_number, "contact_name": contact_name,
                               "email": email, "phone": phone, "address": address})
    _refuse_duplicate_supplier(values["name"])
    supplier = Supplier.objects.create(**values)
    record(actor, "supplier.create", supplier, detail={"changes": diff({}, snapshot(supplier, SUPPLIER_FIELDS))})
    return supplier


@atomic_service
def supplier_update(*, actor: Actor, supplier_id: int, **changes: Any) -> Supplier:
    require(actor, Perm.OPERATIONS_ADMIN, resource_type="supplier", resource_id=supplier_id)
    supplier = Supplier.objects.select_for_update().filter(pk=supplier_id).first()
    if supplier is None:
        raise NotFound()
    before = snapshot(supplier, SUPPLIER_FIELDS)
    values = _supplier_values({**before, **{k: v for k, v in changes.items() if k in SUPPLIER_FIELDS}})
    _refuse_duplicate_supplier(values["name"], exclude=supplier.pk)
    for name, value in values.items():
        setattr(supplier, name, value)
    supplier.save()
    changed = diff(before, snapshot(supplier, SUPPLIER_FIELDS))
    if changed:
        record(actor, "supplier.update", supplier, detail={"changes": changed})
    return supplier


@atomic_service
def supplier_deactivate(*, actor: Actor, supplier_id: int) -> Supplier:
    return supplier_update(actor=actor, supplier_id=supplier_id, active=False)


@atomic_service
def supplier_item_set(*, actor: Actor, supplier_id: int, item_id: int, price: Decimal, pack_size: int = 1,
                      supplier_code: str = "", preferred: bool = False) -> SupplierItem:
    """What a supplier sells an item at: their code, the price of one pack and how many units a pack holds.
    Marking it preferred unmarks the item's other suppliers (the reorder list orders from the preferred one)."""
    require(actor, Perm.OPERATIONS_ADMIN, resource_type="supplier", resource_id=supplier_id)
    supplier = Supplier.objects.filter(pk=supplier_id).first()
    item = Item.objects.filter(pk=item_id).first()
    if supplier is None or item is None:
        raise NotFound()
    errors = Errors()
    code = clean_text(errors, "supplier_code", supplier_code, label=_("Supplier's code"), max_length=40)
    if not isinstance(price, Decimal) or not Decimal("0") <= price < Decimal("100000000") or price != round(price, 2):
        errors.add("price", _("Enter a price such as 24.50."))
    size = whole(errors, "pack_size", pack_size, label=_("Units per pack"), minimum=1, maximum=100_000)
    errors.raise_if_any("invalid-supplier-item")
    entry = SupplierItem.objects.select_for_update().filter(supplier=supplier, item=item).first()
    before = snapshot(entry, SUPPLIER_ITEM_FIELDS) if entry else {}
    if preferred:
        SupplierItem.objects.filter(item=item, preferred=True).exclude(supplier=supplier).update(preferred=False)
    if entry is None:
        entry = SupplierItem(supplier=supplier, item=item)
    entry.supplier_code, entry.price, entry.pack_size, entry.preferred = code, price, size, bool(preferred)
    entry.save()
    changed = diff(before, snapshot(entry, SUPPLIER_ITEM_FIELDS))
    if changed:
        record(actor, "supplier.item", supplier, detail={"item": item.pk, "changes": changed})
    return entry


@atomic_service
def visit_supply_set(*, actor: Actor, appointment_type_id: int, item_id: int, quantity: int) -> VisitSupply | None:
    """What one visit of an appointment type uses of an item (0 removes it). Posted when the visit is done."""
    require(actor, Perm.OPERATIONS_ADMIN, resource_type="visitsupply")
    errors = Errors()
    quantity = whole(errors, "quantity", quantity, label=_("Quantity"), maximum=1000)
    errors.raise_if_any("invalid-visit-supply")
    if not Item.objects.filter(pk=item_id).exists() or not AppointmentType.objects.filter(
            pk=appointment_type_id).exists():
        raise NotFound()
    entry = VisitSupply.objects.filter(appointment_type_id=appointment_type_id, item_id=item_id).first()
    before = entry.quantity if entry else 0
    if quantity == 0:
        if entry is not None:
            entry.delete()
        result = None
    else:
        entry, _created = VisitSupply.objects.update_or_create(
            appointment_type_id=appointment_type_id, item_id=item_id, defaults={"quantity": quantity})
        result = entry
    if before != quantity:
        record(actor, "visit_supply.set", resource_type="visitsupply", resource_id=item_id,
               detail={"appointment_type": appointment_type_id, "item": item_id,
                       "changes": {"quantity": [before, quantity]}})
    return result
