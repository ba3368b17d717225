"""Supplies services (issue #21): the catalogue, the stock ledger and counts, purchasing."""

from .catalog import (
    item_create,
    item_deactivate,
    item_update,
    stock_place_set,
    supplier_create,
    supplier_deactivate,
    supplier_item_set,
    supplier_update,
    visit_supply_set,
)
from .purchasing import (
    InvoicedLine,
    OrderPick,
    ReceivedLine,
    approval_amount,
    invoice_record,
    order_approve,
    order_cancel,
    order_line_set,
    order_receive,
    order_send,
    order_submit,
    orders_create,
)
from .stock import (
    count_enter,
    count_post,
    count_start,
    stock_adjust,
    stock_transfer,
    stock_use,
    stock_waste,
    visit_supplies_post,
)

__all__ = [
    "InvoicedLine", "OrderPick", "ReceivedLine", "approval_amount", "count_enter", "count_post", "count_start",
    "invoice_record", "item_create", "item_deactivate", "item_update", "order_approve", "order_cancel",
    "order_line_set", "order_receive", "order_send", "order_submit", "orders_create", "stock_adjust",
    "stock_place_set", "stock_transfer", "stock_use", "stock_waste", "supplier_create", "supplier_deactivate",
    "supplier_item_set", "supplier_update", "visit_supplies_post", "visit_supply_set",
]
