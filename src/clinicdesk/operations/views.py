"""The supplies screens: stock at the current location, an item with its ledger, the reorder worklist, suppliers,
purchase orders (approve, send, receive, invoice), cycle counts and what visits consume. Thin over the services;
a refusal the user can fix (409/422) comes back as a flash message or on the form."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from decimal import Decimal, InvalidOperation
from typing import Any, cast

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from clinicdesk.audit.selectors import change_history
from clinicdesk.core.exceptions import DomainError, NotFound
from clinicdesk.core.forms import form_add_domain_error
from clinicdesk.core.locations import current_location
from clinicdesk.core.permissions import Actor, Perm, has_perm, require
from clinicdesk.practice.selectors import locations_for

from . import selectors, services
from .forms import (
    AdjustForm,
    InvoiceHeadForm,
    ItemEditForm,
    ItemForm,
    PlaceForm,
    SupplierEditForm,
    SupplierForm,
    SupplierItemForm,
    TransferForm,
    UseForm,
    VisitSupplyForm,
    whole_or_none,
)
from .models import CountStatus, ItemCategory, OrderStatus
from .pdf import money

FIXABLE = (409, 422)


def _actor(request: HttpRequest) -> Actor:
    return cast(Actor, request.user)


def _locations(request: HttpRequest) -> tuple[Any, list[Any]]:
    locations = list(locations_for(_actor(request)))
    if not locations:
        raise NotFound("no-location", _("You are not assigned to any location."))
    chosen = current_location(request, locations)
    if chosen is None and (request.GET.get("location") or request.POST.get("location")):
        raise NotFound()  # a location the user does not work at looks like a missing one
    return (chosen if chosen is not None else locations[0]), locations


def _tabs(request: HttpRequest, current: str) -> list[dict[str, Any]]:
    """The supplies section's tabs: what this user may open."""
    tabs = [("items", _("Stock"), "operations:items", None), ("orders", _("Purchase orders"), "operations:orders",
                                                                  None)]
    if has_perm(_actor(request), Perm.OPERATIONS_ADMIN):
        tabs += [("reorder", _("Reorder"), "operations:reorder", None),
                 ("counts", _("Counts"), "operations:counts", None),
                 ("suppliers", _("Suppliers"), "operations:suppliers", None),
                 ("visit-supplies", _("Used per visit"), "operations:visit-supplies", None),
                 ("budgets", _("Budgets"), "operations:budgets", None)]
    return [{"label": label, "url": reverse(name), "current": key == current} for key, label, name, _x in tabs]


def _page(request: HttpRequest, template: str, context: dict[str, Any], current: str,
          status: int = 200) -> HttpResponse:
    return render(request, template, {"tabs": _tabs(request, current), **context}, status=status)


def _try(request: HttpRequest, action: Callable[[], Any], done: str) -> Any:
    """Run a service: a flash for what it did, or for why it refused (a refusal the user can fix)."""
    try:
        result = action()
    except DomainError as error:
        if error.status not in FIXABLE:
            raise
        messages.error(request, error.detail)
        return None
    messages.success(request, done)
    return result


def _form_try(request: HttpRequest, form: Any, action: Callable[[dict[str, Any]], Any], done: str) -> Any:
    if request.method != "POST" or not form.is_valid():
        return None
    try:
        result = action(form.cleaned_data)
    except DomainError as error:
        if error.status not in FIXABLE:
            raise
        form_add_domain_error(form, error)
        return None
    messages.success(request, done)
    return result


def _form_page(request: HttpRequest, form: Any, context: dict[str, Any]) -> HttpResponse:
    status = 422 if request.method == "POST" and form.errors else 200
    return render(request, "config/form.html", {"form": form, **context}, status=status)


def _invalid(request: HttpRequest, form: Any) -> None:
    for field, problems in form.errors.items():
        label = form.fields[field].label if field in form.fields else ""
        messages.error(request, f"{label}: {' '.join(problems)}" if label else " ".join(problems))


# --- stock at the current location ----------------------------------------------------------------------------

def _status_label(status: str) -> str:
    return str({
        selectors.StockStatus.OK: _("In stock"), selectors.StockStatus.LOW: _("Below reorder point"),
        selectors.StockStatus.OUT: _("Out of stock"), selectors.StockStatus.NEGATIVE: _("Negative stock"),
        selectors.StockStatus.NOT_STOCKED: _("Not stocked here"),
    }[status])


@login_required
@require_GET
def items(request: HttpRequest) -> HttpResponse:
    location, _all = _locations(request)
    category = request.GET.get("category", "")
    status = request.GET.get("status", "")
    if category not in ItemCategory.values:
        category = ""
    lines = selectors.stock_at(actor=_actor(request), location_id=location.pk, category=category, status=status,
                               include_inactive=request.GET.get("inactive") == "include")
    rows = [{"line": line, "status_label": _status_label(line.status), "category": line.item.get_category_display()}
            for line in lines]
    manage = selectors.may_manage(_actor(request), location.pk)
    statuses = [(code, _status_label(code)) for code in (selectors.StockStatus.LOW, selectors.StockStatus.OUT,
                                                         selectors.StockStatus.NEGATIVE, selectors.StockStatus.OK)]
    return _page(request, "operations/items.html", {
        "location": location, "rows": rows, "manage": manage, "categories": ItemCategory.choices,
        "statuses": statuses, "category": category, "status": status}, "items")


@login_required
@require_http_methods(["GET", "POST"])
def item_new(request: HttpRequest) -> HttpResponse:
    require(_actor(request), Perm.OPERATIONS_ADMIN, resource_type="item")
    location, _all = _locations(request)
    form = ItemForm(request.POST or None, initial={"unit": "each", "over_use": "refuse", "par_level": 0,
                                                   "reorder_point": 0})

    def create(data: dict[str, Any]) -> Any:
        item = services.item_create(actor=_actor(request), **data)
        services.stock_place_set(actor=_actor(request), item_id=item.pk, location_id=location.pk)
        return item

    item = _form_try(request, form, create, _("Item added and stocked at %(location)s.") % {"location": location.name})
    if item:
        return redirect("operations:item", item_id=item.pk)
    return _form_page(request, form, {"title": _("New supply item"), "submit_label": _("Add item"),
                                      "cancel_url": reverse("operations:items")})


@login_required
@require_http_methods(["GET", "POST"])
def item_edit(request: HttpRequest, item_id: int) -> HttpResponse:
    require(_actor(request), Perm.OPERATIONS_ADMIN, resource_type="item", resource_id=item_id)
    item = selectors.item_detail(actor=_actor(request), item_id=item_id)
    initial = {name: getattr(item, name) for name in services.catalog.ITEM_FIELDS}
    form = ItemEditForm(request.POST or None, initial=initial)
    if _form_try(request, form, lambda data: services.item_update(actor=_actor(request), item_id=item_id, **data),
                 _("Item saved.")):
        return redirect("operations:item", item_id=item_id)
    labels = {name: field.label for name, field in ItemEditForm.base_fields.items()}
    history = change_history(actor=_actor(request), resource_type="item", resource_id=item_id, field_labels=labels)
    return _form_page(request, form, {"title": _("Edit %(item)s") % {"item": item.name}, "history": history,
                                      "submit_label": _("Save item"),
                                      "cancel_url": reverse("operations:item", args=[item_id])})


@login_required
@require_GET
def item(request: HttpRequest, item_id: int) -> HttpResponse:
    location, locations = _locations(request)
    supply = selectors.item_detail(actor=_actor(request), item_id=item_id)
    require_use = has_perm(_actor(request), Perm.SUPPLIES_USE, location=location.pk)
    lots = selectors.item_lots(actor=_actor(request), item_id=item_id, location_id=location.pk)
    ledger = selectors.item_ledger(actor=_actor(request), item_id=item_id, location_id=location.pk)
    place = selectors.item_place(actor=_actor(request), item_id=item_id, location_id=location.pk)
    on_hand = sum(lot.quantity for lot in lots)
    status = selectors.stock_status(on_hand, place.reorder_point if place else None)
    manage = selectors.may_manage(_actor(request), location.pk)
    facts = [(_("On hand"), f"{on_hand} {supply.unit}"), (_("Category"), supply.get_category_display()),
             (_("Storage"), place.storage if place and place.storage else None),
             (_("Par level"), place.par_level if place else supply.par_level),
             (_("Reorder point"), place.reorder_point if place else supply.reorder_point),
             (_("Lots and expiry"), _("Tracked") if supply.tracks_lots else _("Not tracked")),
             (_("When more is used than is on hand"), supply.get_over_use_display())]
    offers = list(supply.supplier_items.select_related("supplier").order_by("supplier__name")) if manage else []
    others = [loc for loc in locations if loc.pk != location.pk]
    return _page(request, "operations/item.html", {
        "item": supply, "location": location, "facts": facts, "lots": lots, "ledger": ledger, "manage": manage,
        "status": status, "status_label": _status_label(status), "may_use": require_use, "offers": offers,
        "use_form": UseForm(), "adjust_form": AdjustForm(), "transfer_form": TransferForm(locations=others),
        "place_form": PlaceForm(initial={"storage": place.storage if place else "",
                                         "par_level": place.par_level if place else supply.par_level,
                                         "reorder_point": place.reorder_point if place else supply.reorder_point}),
        "has_others": bool(others)}, "items")


def _back_to_item(item_id: int, location_id: int) -> HttpResponse:
    return redirect(f"{reverse('operations:item', args=[item_id])}?location={location_id}")


@login_required
@require_POST
def item_use(request: HttpRequest, item_id: int) -> HttpResponse:
    location, _all = _locations(request)
    form = UseForm(request.POST)
    if form.is_valid():
        data = form.cleaned_data
        _try(request, lambda: services.stock_use(actor=_actor(request), item_id=item_id, location_id=location.pk,
                                                 quantity=data["quantity"], lot=data["lot"], reason=data["reason"]),
             _("Use recorded."))
    else:
        require(_actor(request), Perm.SUPPLIES_USE, location=location.pk)
        _invalid(request, form)
    return _back_to_item(item_id, location.pk)


@login_required
@require_POST
def item_adjust(request: HttpRequest, item_id: int) -> HttpResponse:
    location, _all = _locations(request)
    require(_actor(request), Perm.OPERATIONS_ADMIN, location=location.pk, resource_type="item", resource_id=item_id)
    form = AdjustForm(request.POST)
    if form.is_valid():
        data = form.cleaned_data
        if data["kind"] == "waste":
            _try(request, lambda: services.stock_waste(actor=_actor(request), item_id=item_id, location_id=location.pk,
                                                       quantity=abs(data["quantity"]), lot=data["lot"],
                                                       reason=data["reason"]), _("Waste recorded."))
        else:
            _try(request, lambda: services.stock_adjust(actor=_actor(request), item_id=item_id,
                                                        location_id=location.pk, quantity=data["quantity"],
                                                        lot=data["lot"], expires_on=data["expires_on"],
                                                        reason=data["reason"]), _("Stock corrected."))
    else:
        _invalid(request, form)
    return _back_to_item(item_id, location.pk)


@login_required
@require_POST
def item_transfer(request: HttpRequest, item_id: int) -> HttpResponse:
    location, locations = _locations(request)
    require(_actor(request), Perm.OPERATIONS_ADMIN, location=location.pk, resource_type="item", resource_id=item_id)
    form = TransferForm(request.POST, locations=[loc for loc in locations if loc.pk != location.pk])
    if form.is_valid():
        data = form.cleaned_data
        _try(request, lambda: services.stock_transfer(actor=_actor(request), item_id=item_id,
                                                      from_location_id=location.pk,
                                                      to_location_id=data["to_location"], quantity=data["quantity"],
                                                      lot=data["lot"]), _("Transfer recorded."))
    else:
        _invalid(request, form)
    return _back_to_item(item_id, location.pk)


@login_required
@require_POST
def item_place(request: HttpRequest, item_id: int) -> HttpResponse:
    location, _all = _locations(request)
    require(_actor(request), Perm.OPERATIONS_ADMIN, location=location.pk, resource_type="item", resource_id=item_id)
    form = PlaceForm(request.POST)
    if form.is_valid():
        _try(request, lambda: services.stock_place_set(actor=_actor(request), item_id=item_id, location_id=location.pk,
                                                       **form.cleaned_data), _("Storage and levels saved."))
    else:
        _invalid(request, form)
    return _back_to_item(item_id, location.pk)


# --- the reorder worklist -------------------------------------------------------------------------------------

@login_required
@require_http_methods(["GET", "POST"])
def reorder(request: HttpRequest) -> HttpResponse:
    location, _all = _locations(request)
    work = selectors.reorder_worklist(actor=_actor(request), location_id=location.pk)
    if request.method == "POST":
        picks = []
        for row in work.reorder:
            raw = request.POST.get(f"packs-{row.place.pk}", "")
            offer = request.POST.get(f"offer-{row.place.pk}", "")
            if request.POST.get(f"pick-{row.place.pk}") and raw.strip().isdigit() and offer.isdigit() \
                    and int(raw) > 0:
                picks.append(services.OrderPick(int(offer), int(raw)))
        orders = _try(request, lambda: services.orders_create(actor=_actor(request), location_id=location.pk,
                                                              picks=picks), _("Purchase orders drafted."))
        if orders:
            messages.info(request, _("%(count)s draft orders: %(numbers)s.")
                          % {"count": len(orders), "numbers": ", ".join(o.number for o in orders)})
            return redirect(f"{reverse('operations:orders')}?location={location.pk}")
        return redirect(f"{reverse('operations:reorder')}?location={location.pk}")
    rows = [{"row": row, "offers": list(row.item.supplier_items.all())} for row in work.reorder]
    return _page(request, "operations/reorder.html", {"location": location, "rows": rows,
                                                     "expiring": work.expiring}, "reorder")


# --- suppliers ----------------------------------------------------------------------------------------------------

@login_required
@require_GET
def suppliers(request: HttpRequest) -> HttpResponse:
    show_inactive = request.GET.get("inactive") == "include"
    found = selectors.suppliers_list(actor=_actor(request), include_inactive=show_inactive)
    list_url = reverse("operations:suppliers")
    rows = [{"cells": [s.name, s.account_number or "—", s.contact_name or "—", s.email or "—"],
             "url": reverse("operations:supplier", args=[s.pk]), "inactive": not s.active} for s in found]
    return render(request, "config/list.html", {
        "title": _("Suppliers"), "columns": [_("Name"), _("Account number"), _("Contact"), _("Order e-mail")],
        "rows": rows, "new_url": reverse("operations:supplier-new"), "new_label": _("Add a supplier"),
        "empty": _("No suppliers yet."), "show_inactive": show_inactive,
        "toggle_url": list_url if show_inactive else f"{list_url}?inactive=include",
        "intro": _("Who the practice buys supplies from, with the account and where orders are sent.")})


@login_required
@require_http_methods(["GET", "POST"])
def supplier_new(request: HttpRequest) -> HttpResponse:
    require(_actor(request), Perm.OPERATIONS_ADMIN, resource_type="supplier")
    form = SupplierForm(request.POST or None)
    supplier = _form_try(request, form, lambda data: services.supplier_create(actor=_actor(request), **data),
                         _("Supplier added."))
    if supplier:
        return redirect("operations:supplier", supplier_id=supplier.pk)
    return _form_page(request, form, {"title": _("New supplier"), "submit_label": _("Add supplier"),
                                      "cancel_url": reverse("operations:suppliers")})


@login_required
@require_http_methods(["GET", "POST"])
def supplier(request: HttpRequest, supplier_id: int) -> HttpResponse:
    found = selectors.supplier_detail(actor=_actor(request), supplier_id=supplier_id)
    initial = {name: getattr(found, name) for name in services.catalog.SUPPLIER_FIELDS}
    form = SupplierEditForm(request.POST or None, initial=initial)
    if _form_try(request, form, lambda data: services.supplier_update(actor=_actor(request), supplier_id=supplier_id,
                                                                      **data), _("Supplier saved.")):
        return redirect("operations:supplier", supplier_id=supplier_id)
    labels = {name: field.label for name, field in SupplierEditForm.base_fields.items()}
    history = change_history(actor=_actor(request), resource_type="supplier", resource_id=supplier_id,
                             field_labels=labels)
    items = list(selectors.items_list(actor=_actor(request)))
    catalog = [[entry.item.name, entry.supplier_code or "—", money(entry.price), entry.pack_size,
                _("Preferred") if entry.preferred else ""] for entry in found.catalog.all()]
    return _page(request, "operations/supplier.html", {
        "form": form, "title": found.name, "submit_label": _("Save supplier"), "history": history,
        "cancel_url": reverse("operations:suppliers"), "catalog": catalog, "supplier": found,
        "item_form": SupplierItemForm(items=items),
        "catalog_columns": [_("Item"), _("Supplier's code"), _("Price per pack"), _("Units per pack"), ""]},
        "suppliers", status=422 if form.errors else 200)


@login_required
@require_POST
def supplier_item(request: HttpRequest, supplier_id: int) -> HttpResponse:
    require(_actor(request), Perm.OPERATIONS_ADMIN, resource_type="supplier", resource_id=supplier_id)
    form = SupplierItemForm(request.POST, items=list(selectors.items_list(actor=_actor(request))))
    if form.is_valid():
        data = form.cleaned_data
        _try(request, lambda: services.supplier_item_set(
            actor=_actor(request), supplier_id=supplier_id, item_id=data["item"], price=data["price"],
            pack_size=data["pack_size"], supplier_code=data["supplier_code"], preferred=data["preferred"]),
            _("Price saved."))
    else:
        _invalid(request, form)
    return redirect("operations:supplier", supplier_id=supplier_id)


# --- purchase orders ----------------------------------------------------------------------------------------------

@login_required
@require_GET
def orders(request: HttpRequest) -> HttpResponse:
    location, _all = _locations(request)
    found = selectors.orders_list(actor=_actor(request), location_id=location.pk,
                                  open_only=request.GET.get("show") != "all")
    return _page(request, "operations/orders.html", {"location": location, "orders": found,
                                                    "show_all": request.GET.get("show") == "all",
                                                    "manage": selectors.may_manage(_actor(request), location.pk)},
                 "orders")


@login_required
@require_GET
def order(request: HttpRequest, order_id: int) -> HttpResponse:
    found = selectors.order_detail(actor=_actor(request), order_id=order_id)
    manage = selectors.may_manage(_actor(request), found.location_id)
    match = selectors.invoice_match(found) if found.invoices.all() else []
    receivable = found.status in (OrderStatus.SENT, OrderStatus.PARTIAL)
    facts = [(_("Supplier"), found.supplier.name), (_("Deliver to"), found.location.name),
             (_("Total"), money(found.total)),
             (_("Made by"), found.created_by.get_full_name() if found.created_by else None),
             (_("Approved by"), found.approved_by.get_full_name() if found.approved_by else None),
             (_("Sent to"), found.sent_to or None)]
    return _page(request, "operations/order.html", {
        "order": found, "facts": facts, "manage": manage, "match": match, "receivable": receivable,
        "needs_approval": found.total > services.approval_amount(), "approval_amount": services.approval_amount(),
        "invoice_form": InvoiceHeadForm(), "open_lines": [line for line in found.lines.all() if line.outstanding]},
        "orders")


@login_required
@require_GET
def order_pdf(request: HttpRequest, order_id: int) -> HttpResponse:
    from .pdf import order_pdf as render_pdf

    found = selectors.order_detail(actor=_actor(request), order_id=order_id)
    response = HttpResponse(render_pdf(found), content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="{found.number}.pdf"'
    return response


def _order_action(service: Callable[..., Any], done: str) -> Callable[[HttpRequest, int], HttpResponse]:
    @login_required
    @require_POST
    def view(request: HttpRequest, order_id: int) -> HttpResponse:
        _try(request, lambda: service(actor=_actor(request), order_id=order_id), done)
        return redirect("operations:order", order_id=order_id)

    return view


order_submit = _order_action(services.order_submit, _("Order submitted."))
order_approve = _order_action(services.order_approve, _("Order approved."))
order_send = _order_action(services.order_send, _("Order sent to the supplier."))
order_cancel = _order_action(services.order_cancel, _("Order cancelled."))


def _date(value: str) -> dt.date | None:
    try:
        return dt.date.fromisoformat(value.strip()) if value.strip() else None
    except ValueError:
        return None


@login_required
@require_POST
def order_receive(request: HttpRequest, order_id: int) -> HttpResponse:
    found = selectors.order_detail(actor=_actor(request), order_id=order_id)
    lines = []
    for line in found.lines.all():
        raw = request.POST.get(f"packs-{line.pk}", "").strip()
        if not raw:
            continue
        if not raw.isdigit():
            messages.error(request, _("Enter the packs received as a whole number."))
            return redirect("operations:order", order_id=order_id)
        lines.append(services.ReceivedLine(line.pk, int(raw), request.POST.get(f"lot-{line.pk}", ""),
                                           _date(request.POST.get(f"expires-{line.pk}", ""))))
    _try(request, lambda: services.order_receive(actor=_actor(request), order_id=order_id, lines=lines,
                                                 note=request.POST.get("note", "")), _("Receipt recorded."))
    return redirect("operations:order", order_id=order_id)


@login_required
@require_POST
def order_invoice(request: HttpRequest, order_id: int) -> HttpResponse:
    found = selectors.order_detail(actor=_actor(request), order_id=order_id)
    require(_actor(request), Perm.OPERATIONS_ADMIN, location=found.location_id, hide=True)
    head = InvoiceHeadForm(request.POST)
    if not head.is_valid():
        _invalid(request, head)
        return redirect("operations:order", order_id=order_id)
    lines = []
    for line in found.lines.all():
        packs = request.POST.get(f"inv-packs-{line.pk}", "").strip()
        price = request.POST.get(f"inv-price-{line.pk}", "").strip()
        if not packs:
            continue
        try:
            lines.append(services.InvoicedLine(line.pk, int(packs), Decimal(price or line.unit_price)))
        except (ValueError, InvalidOperation):
            messages.error(request, _("Enter packs as a whole number and prices such as 24.50."))
            return redirect("operations:order", order_id=order_id)
    _try(request, lambda: services.invoice_record(actor=_actor(request), order_id=order_id,
                                                  number=head.cleaned_data["number"],
                                                  invoice_date=head.cleaned_data["invoice_date"], lines=lines),
         _("Invoice recorded."))
    return redirect("operations:order", order_id=order_id)


# --- cycle counts -------------------------------------------------------------------------------------------------

@login_required
@require_http_methods(["GET", "POST"])
def counts(request: HttpRequest) -> HttpResponse:
    location, _all = _locations(request)
    if request.method == "POST":
        count = _try(request, lambda: services.count_start(actor=_actor(request), location_id=location.pk,
                                                           note=request.POST.get("note", "")),
                     _("Count started: enter what is on the shelves."))
        if count:
            return redirect("operations:count", count_id=count.pk)
        return redirect(f"{reverse('operations:counts')}?location={location.pk}")
    found = selectors.counts_list(actor=_actor(request), location_id=location.pk)
    return _page(request, "operations/counts.html", {"location": location, "counts": found}, "counts")


@login_required
@require_http_methods(["GET", "POST"])
def count(request: HttpRequest, count_id: int) -> HttpResponse:
    found, lines = selectors.count_detail(actor=_actor(request), count_id=count_id)
    if request.method == "POST":
        counted: dict[int, int | None] = {}
        try:
            for line in lines:
                counted[line.pk] = whole_or_none(request.POST.get(f"counted-{line.pk}", ""))
        except ValueError:
            messages.error(request, _("Enter each count as a whole number (or leave it empty)."))
            return redirect("operations:count", count_id=count_id)

        def save() -> Any:
            services.count_enter(actor=_actor(request), count_id=count_id, counted=counted)
            if request.POST.get("post"):
                services.count_post(actor=_actor(request), count_id=count_id)

        _try(request, save, _("Count posted: the differences are in the ledger.") if request.POST.get("post")
             else _("Counts saved."))
        return redirect("operations:count", count_id=count_id)
    variance = sum(abs(line.variance or 0) for line in lines)
    return _page(request, "operations/count.html", {
        "count": found, "lines": lines, "open": found.status == CountStatus.OPEN, "total_variance": variance,
        "counted": sum(1 for line in lines if line.counted is not None)}, "counts")


# --- what a visit consumes ----------------------------------------------------------------------------------------

@login_required
@require_http_methods(["GET", "POST"])
def visit_supplies(request: HttpRequest) -> HttpResponse:
    kinds = selectors.appointment_type_choices(actor=_actor(request))
    items = list(selectors.items_list(actor=_actor(request)))
    form = VisitSupplyForm(request.POST or None, kinds=kinds, items=items)
    if _form_try(request, form, lambda data: services.visit_supply_set(
            actor=_actor(request), appointment_type_id=data["appointment_type"], item_id=data["item"],
            quantity=data["quantity"]), _("Visit supplies saved.")):
        return redirect("operations:visit-supplies")
    names = selectors.appointment_type_names()
    rows = [[names.get(entry.appointment_type_id, "—"), entry.item.name, f"{entry.quantity} {entry.item.unit}"]
            for entry in selectors.visit_supplies(actor=_actor(request))]
    status = 422 if request.method == "POST" and form.errors else 200
    return _page(request, "operations/visit_supplies.html", {"form": form, "rows": rows, "columns": [
        _("Appointment type"), _("Item"), _("Used per visit")]}, "visit-supplies",
                 status=status)
