"""Access-matrix rows for the operations app (supplies, purchasing). See matrix.py for what a row means.

Who: everyone who uses supplies (supplies.use: the front desk, patient and practice coordinators, nurses) sees the
stock, records use and receives deliveries at their own locations; the practice coordinator (operations.admin)
runs items, suppliers, orders, approvals, counts and what visits consume. Pages that work at one location are
asked with ?location=<Downtown>: a user of another location gets 404 for the location before any permission
(`outsider`). A purchase order or count is hidden (404) from anyone who may not act on it."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from .matrix import DESK, PRC, Row, api, page

USERS = DESK  # supplies.use: front desk, patient coordinator, practice coordinator, nurse
ADMINS = frozenset({PRC})
OPS = "/operations"
AT = "?location={home.pk}"


def _at(w: Any, **data: Any) -> dict[str, Any]:
    return {"location": str(w.home.pk), **data}


def _item_form(**changes: Any) -> dict[str, Any]:
    return {"name": "Matrix tongue depressors", "unit": "box", "category": "medical", "over_use": "refuse",
            "par_level": "10", "reorder_point": "4", **changes}


def _supplier_form(**changes: Any) -> dict[str, Any]:
    return {"name": "Matrix Medical Supply", "account_number": "M-1", "email": "po@matrix.example", **changes}


def _reorder(w: Any) -> dict[str, Any]:
    place = w.objects["low_place"]
    return _at(w, **{f"pick-{place.pk}": "1", f"packs-{place.pk}": "2",
                     f"offer-{place.pk}": str(w.objects["low_offer"].pk)})


HIDDEN = {"denied": 404}  # the order / count answers like a missing one to a caller who may not act on it

ROWS: list[Row] = [
    # stock
    page("GET", f"{OPS}/supplies/{AT}", 200, USERS, outsider=404),
    page("GET", f"{OPS}/supplies/new/", 200, ADMINS),
    page("POST", f"{OPS}/supplies/new/", 302, ADMINS, data=lambda w: _item_form()),
    page("GET", f"{OPS}/supplies/{{supply.pk}}/{AT}", 200, USERS, outsider=404),
    page("GET", f"{OPS}/supplies/{{supply.pk}}/edit/", 200, ADMINS),
    page("POST", f"{OPS}/supplies/{{supply.pk}}/edit/", 302, ADMINS,
         data=lambda w: _item_form(name="Matrix gloves", active="on")),
    page("POST", f"{OPS}/supplies/{{supply.pk}}/use/", 302, USERS, outsider=404, data=lambda w: _at(w, quantity="1")),
    page("POST", f"{OPS}/supplies/{{supply.pk}}/adjust/", 302, ADMINS, outsider=404,
         data=lambda w: _at(w, kind="adjust", quantity="-2", reason="Found torn")),
    page("POST", f"{OPS}/supplies/{{supply.pk}}/transfer/", 302, ADMINS, outsider=404,
         data=lambda w: _at(w, to_location=str(w.other.pk), quantity="1")),
    page("POST", f"{OPS}/supplies/{{supply.pk}}/place/", 302, ADMINS, outsider=404,
         data=lambda w: _at(w, storage="Closet B", par_level="40", reorder_point="10")),
    # reorder, suppliers
    page("GET", f"{OPS}/reorder/{AT}", 200, ADMINS, outsider=404),
    page("POST", f"{OPS}/reorder/", 302, ADMINS, outsider=404, data=_reorder),
    page("GET", f"{OPS}/suppliers/", 200, ADMINS),
    page("GET", f"{OPS}/suppliers/new/", 200, ADMINS),
    page("POST", f"{OPS}/suppliers/new/", 302, ADMINS, data=lambda w: _supplier_form()),
    page("GET", f"{OPS}/suppliers/{{supply_supplier.pk}}/", 200, ADMINS),
    page("POST", f"{OPS}/suppliers/{{supply_supplier.pk}}/", 302, ADMINS,
         data=lambda w: _supplier_form(name="Matrix Medline", active="on")),
    page("POST", f"{OPS}/suppliers/{{supply_supplier.pk}}/items/", 302, ADMINS,
         data=lambda w: {"item": str(w.objects["supply"].pk), "price": "11.00", "pack_size": "10"}),
    # purchase orders
    page("GET", f"{OPS}/orders/{AT}", 200, USERS, outsider=404),
    page("GET", f"{OPS}/orders/{{po_sent.pk}}/", 200, USERS, **HIDDEN),
    page("GET", f"{OPS}/orders/{{po_sent.pk}}/pdf/", 200, USERS, **HIDDEN),
    page("POST", f"{OPS}/orders/{{po_draft.pk}}/submit/", 302, ADMINS, **HIDDEN),
    page("POST", f"{OPS}/orders/{{po_awaiting.pk}}/approve/", 302, ADMINS, **HIDDEN,
         why="made by another coordinator: the matrix's coordinator is the second pair of eyes"),
    page("POST", f"{OPS}/orders/{{po_approved.pk}}/send/", 302, ADMINS, **HIDDEN),
    page("POST", f"{OPS}/orders/{{po_draft.pk}}/cancel/", 302, ADMINS, **HIDDEN),
    page("POST", f"{OPS}/orders/{{po_sent.pk}}/receive/", 302, USERS, **HIDDEN,
         data=lambda w: {f"packs-{w.objects['po_sent_line'].pk}": "1"}),
    page("POST", f"{OPS}/orders/{{po_sent.pk}}/invoice/", 302, ADMINS, **HIDDEN,
         data=lambda w: {"number": "INV-1", "invoice_date": "2026-11-20",
                         f"inv-packs-{w.objects['po_sent_line'].pk}": "1"}),
    # counts, visit supplies
    page("GET", f"{OPS}/counts/{AT}", 200, ADMINS, outsider=404),
    page("POST", f"{OPS}/counts/", 302, ADMINS, outsider=404, data=_at),
    page("GET", f"{OPS}/counts/{{supply_count.pk}}/", 200, ADMINS, **HIDDEN),
    page("POST", f"{OPS}/counts/{{supply_count.pk}}/", 302, ADMINS, **HIDDEN,
         data=lambda w: {f"counted-{w.objects['supply_count_line'].pk}": "90", "post": "1"}),
    page("GET", f"{OPS}/visit-supplies/", 200, ADMINS),
    page("POST", f"{OPS}/visit-supplies/", 302, ADMINS,
         data=lambda w: {"appointment_type": str(w.objects["supply_visit_kind"].pk),
                         "item": str(w.objects["supply"].pk), "quantity": "2"}),

    # JSON API
    api("GET", "/api/v1/supply-items", 200, USERS, elsewhere=None),
    api("POST", "/api/v1/supply-items", 201, ADMINS,
        body=lambda w: {"name": "Matrix API swabs", "unit": "box", "category": "medical"}),
    api("GET", "/api/v1/supply-items/{supply.pk}", 200, USERS, elsewhere=None),
    api("PATCH", "/api/v1/supply-items/{supply.pk}", 200, ADMINS, body=lambda w: {"parLevel": 60}),
    api("POST", "/api/v1/supply-items/{supply.pk}/deactivate", 200, ADMINS),
    api("GET", "/api/v1/suppliers", 200, ADMINS),
    api("POST", "/api/v1/suppliers", 201, ADMINS, body=lambda w: {"name": "Matrix API Supply"}),
    api("GET", "/api/v1/suppliers/{supply_supplier.pk}", 200, ADMINS),
    api("PATCH", "/api/v1/suppliers/{supply_supplier.pk}", 200, ADMINS, body=lambda w: {"phone": "800-555-0101"}),
    api("POST", "/api/v1/suppliers/{supply_supplier.pk}/deactivate", 200, ADMINS),
    api("GET", "/api/v1/supply-stock/{home.pk}", 200, USERS, elsewhere=403,
        why="stock is not hidden: another location's user is refused with 403, as for a permission"),
    api("GET", "/api/v1/reorder-worklist/{home.pk}", 200, ADMINS),
    api("POST", "/api/v1/stock-movements", 201, USERS, elsewhere=403,
        body=lambda w: {"item": w.objects["supply"].pk, "location": w.home.pk, "kind": "use", "quantity": 1}),
    api("POST", "/api/v1/purchase-orders/{po_sent.pk}/receive", 201, USERS, denied=404,
        body=lambda w: {"lines": [{"line": w.objects["po_sent_line"].pk, "packs": 1}]}),
]


def objects(world: Any) -> dict[str, Any]:
    """A stocked item, a low one with a supplier price, a supplier, orders in each state, a count and an
    appointment type, at Downtown."""
    from clinicdesk.operations import services
    from clinicdesk.operations.services import OrderPick
    from tests.factories import AppointmentTypeFactory, UserFactory

    coordinator = world.users[PRC]
    other_coordinator = UserFactory(role=PRC, location=world.home, username="m-second-coordinator")
    home = world.home.pk
    supply = services.item_create(actor=coordinator, name="Matrix gloves", unit="box", par_level=50,
                                  reorder_point=10)
    services.stock_place_set(actor=coordinator, item_id=supply.pk, location_id=home, storage="Closet A")
    services.stock_adjust(actor=coordinator, item_id=supply.pk, location_id=home, quantity=100, reason="Opening")
    low = services.item_create(actor=coordinator, name="Matrix gauze", unit="pack", par_level=20, reorder_point=5)
    low_place = services.stock_place_set(actor=coordinator, item_id=low.pk, location_id=home)
    supplier = services.supplier_create(actor=coordinator, name="Matrix Supply Co", email="po@supply.example")
    low_offer = services.supplier_item_set(actor=coordinator, supplier_id=supplier.pk, item_id=low.pk,
                                           price=Decimal("5.00"), pack_size=10, preferred=True)
    offer = services.supplier_item_set(actor=coordinator, supplier_id=supplier.pk, item_id=supply.pk,
                                       price=Decimal("2000.00"), pack_size=10)

    def order(*, by: Any = coordinator, packs: int = 1, item_offer: Any = low_offer) -> Any:
        [made] = services.orders_create(actor=by, location_id=home, picks=[OrderPick(item_offer.pk, packs)])
        return made

    po_draft = order()
    po_awaiting = services.order_submit(actor=other_coordinator, order_id=order(by=other_coordinator,
                                                                                item_offer=offer).pk)
    po_approved = services.order_submit(actor=coordinator, order_id=order().pk)
    po_sent = services.order_submit(actor=coordinator, order_id=order(packs=3).pk)
    services.order_send(actor=coordinator, order_id=po_sent.pk)
    count = services.count_start(actor=coordinator, location_id=home)
    return {"supply": supply, "low_place": low_place, "low_offer": low_offer, "supply_supplier": supplier,
            "po_draft": po_draft, "po_awaiting": po_awaiting, "po_approved": po_approved, "po_sent": po_sent,
            "po_sent_line": po_sent.lines.get(), "supply_count": count,
            "supply_count_line": count.lines.get(item=supply),
            "supply_visit_kind": AppointmentTypeFactory(code="matrix-supplied-visit", name="Supplied visit")}
