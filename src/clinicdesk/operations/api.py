"""Supplies in the JSON API (/api/v1/): items and suppliers as declared resources (core.resources); stock at a
location, the reorder worklist, stock movements and receiving an order as described operations (api_urls.py).
The services decide everything."""

from __future__ import annotations

from typing import Any, cast

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from clinicdesk.core.api import api_login_required, json_body
from clinicdesk.core.exceptions import ValidationFailed
from clinicdesk.core.permissions import Actor, Perm
from clinicdesk.core.resources import ApiField, ApiResource

from . import selectors, services
from .models import ItemCategory, OverUse, StockMovement

ITEMS = ApiResource(
    write_perm=Perm.OPERATIONS_ADMIN,
    path="supply-items", schema="SupplyItem", tag="supplies", noun="supply item",
    description="A supply the practice stocks: counted in `unit`s, reordered below `reorderPoint` up to "
                "`parLevel` (each location may set its own levels).",
    fields=(ApiField.ident(), ApiField.text("name", required=True, max_length=120),
            ApiField.text("unit", required=True, max_length=30, description="What one counts: each, box, vial..."),
            ApiField.choice("category", ItemCategory.values, required=True),
            ApiField.flag("tracksLots", description="Lots and expiry dates are captured on receipt."),
            ApiField.choice("overUse", OverUse.values,
                            description="Using more than is on hand: refused, or recorded as an exception."),
            ApiField.integer("parLevel", minimum=0, maximum=1_000_000),
            ApiField.integer("reorderPoint", minimum=0, maximum=1_000_000),
            ApiField.flag("active", description="Send true to reactivate.")),
    list=lambda actor, include_inactive: selectors.items_list(actor=actor, include_inactive=include_inactive),
    read=lambda actor, pk: selectors.item_detail(actor=actor, item_id=pk),
    create=lambda actor, values: services.item_create(actor=actor, **{k: v for k, v in values.items()
                                                                      if k != "active"}),
    update=lambda actor, pk, values: services.item_update(actor=actor, item_id=pk, **values),
    deactivate=lambda actor, pk: services.item_deactivate(actor=actor, item_id=pk),
)

SUPPLIERS = ApiResource(
    write_perm=Perm.OPERATIONS_ADMIN,
    path="suppliers", schema="Supplier", tag="supplies", noun="supplier",
    fields=(ApiField.ident(), ApiField.text("name", required=True, max_length=120),
            ApiField.text("accountNumber", max_length=40, description="The practice's account with the supplier."),
            ApiField.text("contactName", max_length=120), ApiField.text("email", max_length=254,
                                                                         description="Where orders are sent."),
            ApiField.text("phone", max_length=20), ApiField.text("address", max_length=250),
            ApiField.flag("active", description="Send true to reactivate.")),
    list=lambda actor, include_inactive: selectors.suppliers_list(actor=actor, include_inactive=include_inactive),
    read=lambda actor, pk: selectors.supplier_detail(actor=actor, supplier_id=pk),
    create=lambda actor, values: services.supplier_create(actor=actor, **{k: v for k, v in values.items()
                                                                          if k != "active"}),
    update=lambda actor, pk, values: services.supplier_update(actor=actor, supplier_id=pk, **values),
    deactivate=lambda actor, pk: services.supplier_deactivate(actor=actor, supplier_id=pk),
)

MOVEMENT_KINDS = ("use", "waste", "adjust", "transfer")
_MOVE_FIELDS = (ApiField.ref("item", required=True), ApiField.ref("location", required=True),
                ApiField.choice("kind", MOVEMENT_KINDS, required=True),
                ApiField.integer("quantity", required=True, minimum=-1_000_000, maximum=1_000_000),
                ApiField.text("lot", max_length=40), ApiField.date("expiresOn"),
                ApiField.text("reason", max_length=200), ApiField.ref("toLocation"))


def _parse(fields: tuple[ApiField, ...], data: dict[str, Any]) -> dict[str, Any]:
    values: dict[str, Any] = {}
    for field in fields:
        raw = data.get(field.name)
        if raw is None:
            if field.required:
                raise ValidationFailed("missing-field", _("'%(name)s' is required.") % {"name": field.name},
                                       fields={field.name: [_("Required.")]})
            continue
        values[field.attr] = field.parse(raw)
    return values


def movement_json(movement: StockMovement) -> dict[str, Any]:
    return {"id": movement.pk, "item": movement.item_id, "location": movement.location_id, "kind": movement.kind,
            "quantity": movement.quantity, "lot": movement.lot,
            "expiresOn": movement.expires_on.isoformat() if movement.expires_on else None,
            "negativeException": movement.negative_exception, "at": movement.at.isoformat()}


@require_POST
@api_login_required
def movements(request: HttpRequest) -> HttpResponse:
    v = _parse(_MOVE_FIELDS, json_body(request, required=True))
    actor: Any = request.user
    common = {"actor": actor, "item_id": v["item_id"], "quantity": v["quantity"], "lot": v.get("lot", "")}
    kind = v["kind"]
    if kind == "use":
        done = services.stock_use(location_id=v["location_id"], reason=v.get("reason", ""), **common)
    elif kind == "waste":
        done = services.stock_waste(location_id=v["location_id"], reason=v.get("reason", ""), **common)
    elif kind == "adjust":
        done = services.stock_adjust(location_id=v["location_id"], reason=v.get("reason", ""),
                                     expires_on=v.get("expires_on"), **common)
    else:
        if "to_location_id" not in v:
            raise ValidationFailed("missing-field", _("'%(name)s' is required.") % {"name": "toLocation"},
                                   fields={"toLocation": [_("Required.")]})
        done = services.stock_transfer(from_location_id=v["location_id"], to_location_id=v["to_location_id"],
                                       reason=v.get("reason", ""), **common)
    return JsonResponse({"movements": [movement_json(m) for m in done]}, status=201)


@require_GET
@api_login_required
def stock(request: HttpRequest, location_id: int) -> HttpResponse:
    lines = selectors.stock_at(actor=cast(Actor, request.user), location_id=location_id)
    return JsonResponse({"location": location_id, "items": [
        {"item": line.item.pk, "name": line.item.name, "unit": line.item.unit, "onHand": line.on_hand,
         "reorderPoint": line.reorder_point, "status": line.status.removeprefix("stock-")} for line in lines]})


@require_GET
@api_login_required
def worklist(request: HttpRequest, location_id: int) -> HttpResponse:
    work = selectors.reorder_worklist(actor=cast(Actor, request.user), location_id=location_id)
    return JsonResponse({"location": location_id, "reorder": [
        {"item": row.item.pk, "onHand": row.on_hand, "onOrder": row.on_order,
         "reorderPoint": row.place.reorder_point, "parLevel": row.place.par_level,
         "supplierItem": row.supplier_item.pk if row.supplier_item else None, "packs": row.packs}
        for row in work.reorder], "expiring": [
        {"item": lot.balance.item_id, "lot": lot.balance.lot, "expiresOn": lot.balance.expires_on.isoformat()
         if lot.balance.expires_on else None, "onHand": lot.balance.quantity, "daysLeft": lot.days_left}
        for lot in work.expiring]})


_RECEIVE_LINE = (ApiField.ref("line", required=True), ApiField.integer("packs", required=True, minimum=0,
                                                                         maximum=100_000),
                 ApiField.text("lot", max_length=40), ApiField.date("expiresOn"))


@require_POST
@api_login_required
def receive(request: HttpRequest, pk: int) -> HttpResponse:
    data = json_body(request, required=True)
    rows = data.get("lines")
    if not isinstance(rows, list) or not rows or len(rows) > 500 or not all(isinstance(r, dict) for r in rows):
        raise ValidationFailed("bad-field", _("'lines' must be a list of objects (line, packs, lot, expiresOn)."),
                               fields={"lines": [_("Must be a list of objects.")]})
    note = data.get("note")
    if note is not None and not isinstance(note, str):
        raise ValidationFailed("bad-field", _("'note' must be text."), fields={"note": [_("Must be text.")]})
    lines = []
    for row in rows:
        v = _parse(_RECEIVE_LINE, row)
        lines.append(services.ReceivedLine(v["line_id"], v["packs"], v.get("lot", ""), v.get("expires_on")))
    receipt = services.order_receive(actor=cast(Actor, request.user), order_id=pk, lines=lines, note=note or "")
    order = receipt.order
    return JsonResponse({"receipt": receipt.pk, "order": order.pk, "status": order.status,
                         "lines": [{"line": line.order_line_id, "packs": line.packs, "lot": line.lot}
                                   for line in receipt.lines.all()]}, status=201)
