"""/api/v1/ routes of the supplies app: two declared resources (items, suppliers) and four described
operations (stock at a location, the reorder worklist, stock movements, receiving an order)."""

from typing import Any

from django.urls import path

from clinicdesk.core.openapi import SESSION, WRITE_AUTH, body, errors, ok
from clinicdesk.core.resources import describe

from . import api, budget_api

app_name = "operations-api"
urlpatterns = [
    *api.ITEMS.urls(),
    *api.SUPPLIERS.urls(),
    path("supply-stock/<int:location_id>", api.stock, name="supply-stock"),
    path("reorder-worklist/<int:location_id>", api.worklist, name="reorder-worklist"),
    path("stock-movements", api.movements, name="stock-movements"),
    path("purchase-orders/<int:pk>/receive", api.receive, name="purchase-order-receive"),
    path("budgets/<int:location_id>/<int:year>", budget_api.budget, name="budget-variance"),
]

_ID = {"type": "integer", "minimum": 1}
_INT = {"type": "integer"}
_TEXT = {"type": "string", "pattern": "^[^\u0000]*$"}
_DATE = {"type": "string", "format": "date"}
_LOCATION = {"name": "location_id", "in": "path", "required": True, "schema": {"type": "integer", "minimum": 0},
             "description": "The location's id."}
_ORDER = {"name": "pk", "in": "path", "required": True, "schema": {"type": "integer", "minimum": 0},
          "description": "The purchase order's id."}


def _nullable(schema: dict[str, Any]) -> dict[str, Any]:
    return {"oneOf": [schema, {"type": "null"}]}


describe("operations", paths={
    "/api/v1/supply-stock/{location_id}": {"get": {
        "operationId": "supplyStockRead", "tags": ["supplies"], "security": [SESSION],
        "summary": "What is on hand of every active item at a location, with its status.",
        "parameters": [_LOCATION], "responses": ok("Stock on hand.", "SupplyStock") | errors("401", "403", "404")}},
    "/api/v1/reorder-worklist/{location_id}": {"get": {
        "operationId": "reorderWorklistRead", "tags": ["supplies"], "security": [SESSION],
        "summary": "Items below their reorder point (with a suggested order) and lots expiring within 30 days.",
        "parameters": [_LOCATION],
        "responses": ok("The worklist.", "ReorderWorklist") | errors("401", "403", "404")}},
    "/api/v1/stock-movements": {"post": {
        "operationId": "stockMovementCreate", "tags": ["supplies"], "security": [WRITE_AUTH],
        "summary": "Record supplies used, wasted, adjusted (signed quantity, with a reason) or transferred.",
        "description": "Using more than is on hand is refused (409 `not-enough-stock`) or recorded as a "
                       "negative-stock exception, as the item says. Waste, transfers and downward adjustments "
                       "never go below zero.",
        "requestBody": body("StockMovementCreate"),
        "responses": ok("The movements written (one per lot).", "StockMovements", "201")
        | errors("400", "401", "403", "404", "409", "415", "422")}},
    "/api/v1/purchase-orders/{pk}/receive": {"post": {
        "operationId": "purchaseOrderReceive", "tags": ["supplies"], "security": [WRITE_AUTH],
        "summary": "Receive packs against a sent purchase order, in full or in part (lot and expiry for "
                   "tracked items).",
        "description": "More packs than are still expected on a line are refused (422 `invalid-receipt`); "
                       "nothing is received then.",
        "parameters": [_ORDER], "requestBody": body("PurchaseOrderReceive"),
        "responses": ok("The receipt.", "PurchaseOrderReceipt", "201")
        | errors("400", "401", "403", "404", "409", "415", "422")}},
}, schemas={
    "SupplyStock": {"type": "object", "required": ["location", "items"], "properties": {
        "location": _ID, "items": {"type": "array", "items": {"type": "object", "properties": {
            "item": _ID, "name": _TEXT, "unit": _TEXT, "onHand": _INT, "reorderPoint": _nullable(_INT),
            "status": {"type": "string", "enum": ["ok", "low", "out", "negative", "none"]}}}}}},
    "ReorderWorklist": {"type": "object", "required": ["location", "reorder", "expiring"], "properties": {
        "location": _ID,
        "reorder": {"type": "array", "items": {"type": "object", "properties": {
            "item": _ID, "onHand": _INT, "onOrder": _INT, "reorderPoint": _INT, "parLevel": _INT,
            "supplierItem": _nullable(_ID), "packs": _INT}}},
        "expiring": {"type": "array", "items": {"type": "object", "properties": {
            "item": _ID, "lot": _TEXT, "expiresOn": _nullable(_DATE), "onHand": _INT, "daysLeft": _INT}}}}},
    "StockMovementCreate": {"type": "object", "required": ["item", "location", "kind", "quantity"], "properties": {
        "item": _ID, "location": _ID, "kind": {"type": "string", "enum": list(api.MOVEMENT_KINDS)},
        "quantity": {"type": "integer", "minimum": -1_000_000, "maximum": 1_000_000,
                     "description": "Units; signed for an adjustment, positive otherwise."},
        "lot": _nullable(_TEXT | {"maxLength": 40}), "expiresOn": _nullable(_DATE),
        "reason": _nullable(_TEXT | {"maxLength": 200}), "toLocation": _nullable(_ID)}},
    "StockMovements": {"type": "object", "required": ["movements"], "properties": {"movements": {
        "type": "array", "items": {"type": "object", "properties": {
            "id": _ID, "item": _ID, "location": _ID, "kind": _TEXT, "quantity": _INT, "lot": _TEXT,
            "expiresOn": _nullable(_DATE), "negativeException": {"type": "boolean"},
            "at": {"type": "string", "format": "date-time"}}}}}},
    "PurchaseOrderReceive": {"type": "object", "required": ["lines"], "properties": {
        "note": _nullable(_TEXT), "lines": {"type": "array", "minItems": 1, "maxItems": 500, "items": {
            "type": "object", "required": ["line", "packs"], "properties": {
                "line": _ID, "packs": {"type": "integer", "minimum": 0, "maximum": 100_000},
                "lot": _nullable(_TEXT | {"maxLength": 40}), "expiresOn": _nullable(_DATE)}}}}},
    "PurchaseOrderReceipt": {"type": "object", "required": ["receipt", "order", "status", "lines"], "properties": {
        "receipt": _ID, "order": _ID, "status": _TEXT, "lines": {"type": "array", "items": {"type": "object"}}}},
})
