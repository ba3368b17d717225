from django.urls import path

from . import budget_views, views

app_name = "operations"
urlpatterns = [
    path("supplies/", views.items, name="items"),
    path("supplies/new/", views.item_new, name="item-new"),
    path("supplies/<int:item_id>/", views.item, name="item"),
    path("supplies/<int:item_id>/edit/", views.item_edit, name="item-edit"),
    path("supplies/<int:item_id>/use/", views.item_use, name="item-use"),
    path("supplies/<int:item_id>/adjust/", views.item_adjust, name="item-adjust"),
    path("supplies/<int:item_id>/transfer/", views.item_transfer, name="item-transfer"),
    path("supplies/<int:item_id>/place/", views.item_place, name="item-place"),
    path("reorder/", views.reorder, name="reorder"),
    path("suppliers/", views.suppliers, name="suppliers"),
    path("suppliers/new/", views.supplier_new, name="supplier-new"),
    path("suppliers/<int:supplier_id>/", views.supplier, name="supplier"),
    path("suppliers/<int:supplier_id>/items/", views.supplier_item, name="supplier-item"),
    path("orders/", views.orders, name="orders"),
    path("orders/<int:order_id>/", views.order, name="order"),
    path("orders/<int:order_id>/pdf/", views.order_pdf, name="order-pdf"),
    path("orders/<int:order_id>/submit/", views.order_submit, name="order-submit"),
    path("orders/<int:order_id>/approve/", views.order_approve, name="order-approve"),
    path("orders/<int:order_id>/send/", views.order_send, name="order-send"),
    path("orders/<int:order_id>/cancel/", views.order_cancel, name="order-cancel"),
    path("orders/<int:order_id>/receive/", views.order_receive, name="order-receive"),
    path("orders/<int:order_id>/invoice/", views.order_invoice, name="order-invoice"),
    path("counts/", views.counts, name="counts"),
    path("counts/<int:count_id>/", views.count, name="count"),
    path("visit-supplies/", views.visit_supplies, name="visit-supplies"),
    # budgets (#21 item 11)
    path("budgets/", budget_views.budgets, name="budgets"),
    path("budgets/new/", budget_views.budget_new, name="budget-new"),
    path("budgets/export.csv", budget_views.budget_csv, name="budget-csv"),
    path("budgets/<int:budget_id>/lines/", budget_views.budget_lines, name="budget-lines"),
    path("budgets/<int:budget_id>/lines/<slug:category>/remove/", budget_views.budget_line_remove,
         name="budget-line-remove"),
    path("budgets/actuals/", budget_views.budget_actuals, name="budget-actuals"),
    path("budgets/actuals/<int:entry_id>/remove/", budget_views.budget_actual_remove, name="budget-actual-remove"),
]
