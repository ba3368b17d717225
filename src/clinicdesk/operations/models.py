"""Supplies (issue #21, items 1 and 2): items, where each is stocked, the stock ledger, counts, suppliers, purchase
orders, receipts and invoices.

Quantities are whole units of the item's `unit` (a box of gloves counts as one "box" if the unit is "box").
The ledger (`StockMovement`) is append-only: a mistake is corrected by a new movement. `StockBalance` is the sum
of the ledger per item, location and lot, kept in the same transaction as each movement under a row lock
(services.stock), so that two people using the last box at once cannot both take it unnoticed.
Suppliers sell in packs: a purchase-order line orders packs; receiving N packs adds N x pack size units.
"""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from clinicdesk.core.append_only import AppendOnlyModel


class ItemCategory(models.TextChoices):
    MEDICAL = "medical", _("Medical supplies")
    LAB = "lab", _("Lab and testing")
    PHARMACY = "pharmacy", _("Medications and vaccines")
    CLEANING = "cleaning", _("Cleaning and infection control")
    OFFICE = "office", _("Office supplies")
    EQUIPMENT = "equipment", _("Equipment")  # bought on a purchase order, counted as equipment in the budget
    OTHER = "other", _("Other")


class OverUse(models.TextChoices):
    """What happens when someone uses more than is on hand (the practice chooses per item)."""

    REFUSE = "refuse", _("Refuse the use")
    EXCEPTION = "exception", _("Record it as a negative-stock exception")


class Item(models.Model):
    name = models.CharField(_("name"), max_length=120, unique=True)
    unit = models.CharField(_("unit"), max_length=30, help_text=_("What one counts: each, box, roll, vial..."))
    category = models.CharField(_("category"), max_length=12, choices=ItemCategory.choices,
                                default=ItemCategory.MEDICAL)
    tracks_lots = models.BooleanField(_("track lots and expiry dates"), default=False)
    over_use = models.CharField(_("when more is used than is on hand"), max_length=10, choices=OverUse.choices,
                                default=OverUse.REFUSE)
    par_level = models.PositiveIntegerField(_("par level"), default=0,
                                            help_text=_("How many to have after an order arrives."))
    reorder_point = models.PositiveIntegerField(_("reorder point"), default=0,
                                                help_text=_("Order more when the stock falls below this."))
    active = models.BooleanField(_("active"), default=True)

    class Meta:
        ordering = ["name"]
        constraints = [models.CheckConstraint(condition=Q(reorder_point__lte=models.F("par_level")),
                                              name="operations_item_reorder_below_par")]

    def __str__(self) -> str:
        return self.name


class StockPlace(models.Model):
    """An item stocked at a practice location: where it is kept there, and that location's levels."""

    item = models.ForeignKey(Item, on_delete=models.PROTECT, related_name="places")
    location = models.ForeignKey("practice.Location", on_delete=models.PROTECT, related_name="+")
    storage = models.CharField(_("storage"), max_length=120, blank=True,
                               help_text=_("Where it is kept, e.g. supply room, shelf B2."))
    par_level = models.PositiveIntegerField(_("par level"), default=0)
    reorder_point = models.PositiveIntegerField(_("reorder point"), default=0)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["item", "location"], name="operations_place_once")]


class Supplier(models.Model):
    name = models.CharField(_("name"), max_length=120, unique=True)
    account_number = models.CharField(_("account number"), max_length=40, blank=True)
    contact_name = models.CharField(_("contact"), max_length=120, blank=True)
    email = models.EmailField(_("order e-mail"), blank=True)
    phone = models.CharField(_("phone"), max_length=20, blank=True)
    address = models.CharField(_("address"), max_length=250, blank=True)
    active = models.BooleanField(_("active"), default=True)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class SupplierItem(models.Model):
    supplier = models.ForeignKey(Supplier, on_delete=models.PROTECT, related_name="catalog")
    item = models.ForeignKey(Item, on_delete=models.PROTECT, related_name="supplier_items")
    supplier_code = models.CharField(_("supplier's code"), max_length=40, blank=True)
    price = models.DecimalField(_("price per pack"), max_digits=10, decimal_places=2)
    pack_size = models.PositiveIntegerField(_("units per pack"), default=1)
    preferred = models.BooleanField(_("preferred supplier"), default=False)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["supplier", "item"], name="operations_supplier_item_once"),
            models.UniqueConstraint(fields=["item"], condition=Q(preferred=True),
                                    name="operations_one_preferred_supplier"),
            models.CheckConstraint(condition=Q(price__gte=0) & Q(pack_size__gte=1),
                                   name="operations_supplier_item_price_pack"),
        ]


class MovementKind(models.TextChoices):
    RECEIVE = "receive", _("Received")
    USE = "use", _("Used")
    ADJUST = "adjust", _("Adjusted")
    WASTE = "waste", _("Wasted or expired")
    TRANSFER_OUT = "transfer-out", _("Sent to another location")
    TRANSFER_IN = "transfer-in", _("Received from another location")
    COUNT = "count", _("Count correction")


class StockMovement(AppendOnlyModel):
    """One line of the stock ledger. `quantity` is signed: + into the location, - out of it."""

    append_only_message = "A stock movement is immutable: record a correcting movement instead."

    item = models.ForeignKey(Item, on_delete=models.PROTECT, related_name="movements")
    location = models.ForeignKey("practice.Location", on_delete=models.PROTECT, related_name="+")
    lot = models.CharField(max_length=40, blank=True)
    expires_on = models.DateField(null=True, blank=True)
    kind = models.CharField(max_length=12, choices=MovementKind.choices)
    quantity = models.IntegerField()
    reason = models.CharField(max_length=200, blank=True)
    negative_exception = models.BooleanField(default=False)  # it took the balance below zero (allowed per item)
    at = models.DateTimeField()
    by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                           related_name="+")
    appointment_id = models.BigIntegerField(null=True, blank=True)  # automatic use: the visit's appointment
    receipt_line = models.ForeignKey("ReceiptLine", null=True, blank=True, on_delete=models.PROTECT,
                                     related_name="movements")
    count = models.ForeignKey("StockCount", null=True, blank=True, on_delete=models.PROTECT, related_name="+")

    class Meta:
        indexes = [models.Index(fields=["item", "location", "-at"], name="operations_move_item_at")]
        constraints = [models.CheckConstraint(condition=~Q(quantity=0), name="operations_move_not_zero")]


class StockBalance(models.Model):
    """The ledger's sum per item, location and lot, kept with each movement (row-locked)."""

    item = models.ForeignKey(Item, on_delete=models.PROTECT, related_name="balances")
    location = models.ForeignKey("practice.Location", on_delete=models.PROTECT, related_name="+")
    lot = models.CharField(max_length=40, blank=True)
    expires_on = models.DateField(null=True, blank=True)
    quantity = models.IntegerField(default=0)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["item", "location", "lot"], name="operations_balance_once")]
        indexes = [models.Index(fields=["location", "expires_on"], name="operations_balance_expiry")]


class VisitSupply(models.Model):
    """What one visit of an appointment type consumes; posted as use when the visit is fulfilled."""

    appointment_type = models.ForeignKey("scheduling.AppointmentType", on_delete=models.CASCADE, related_name="+")
    item = models.ForeignKey(Item, on_delete=models.PROTECT, related_name="visit_uses")
    quantity = models.PositiveIntegerField(default=1)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["appointment_type", "item"],
                                               name="operations_visit_supply_once")]


class VisitUsePosted(models.Model):
    """A visit whose supplies were posted: once per appointment, whatever happens to it afterwards."""

    appointment_id = models.BigIntegerField(unique=True)
    at = models.DateTimeField()


class CountStatus(models.TextChoices):
    OPEN = "open", _("Counting")
    POSTED = "posted", _("Posted")


class StockCount(models.Model):
    """A cycle count at one location: the counted quantities, and on posting the variance as count corrections."""

    location = models.ForeignKey("practice.Location", on_delete=models.PROTECT, related_name="+")
    status = models.CharField(max_length=8, choices=CountStatus.choices, default=CountStatus.OPEN)
    started_at = models.DateTimeField()
    started_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+")
    posted_at = models.DateTimeField(null=True, blank=True)
    note = models.CharField(max_length=200, blank=True)


class CountLine(models.Model):
    count = models.ForeignKey(StockCount, on_delete=models.CASCADE, related_name="lines")
    item = models.ForeignKey(Item, on_delete=models.PROTECT, related_name="+")
    lot = models.CharField(max_length=40, blank=True)
    expected = models.IntegerField(default=0)  # the balance when the count was posted (or started)
    counted = models.IntegerField(null=True, blank=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["count", "item", "lot"], name="operations_count_line_once")]

    @property
    def variance(self) -> int | None:
        return None if self.counted is None else self.counted - self.expected


class OrderStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    AWAITING_APPROVAL = "awaiting-approval", _("Awaiting approval")
    APPROVED = "approved", _("Approved")
    SENT = "sent", _("Sent")
    PARTIAL = "partial", _("Partly received")
    RECEIVED = "received", _("Received")
    CANCELLED = "cancelled", _("Cancelled")


S = OrderStatus
ORDER_TRANSITIONS: dict[str, frozenset[str]] = {
    S.DRAFT: frozenset({S.AWAITING_APPROVAL, S.APPROVED, S.CANCELLED}),
    S.AWAITING_APPROVAL: frozenset({S.APPROVED, S.DRAFT, S.CANCELLED}),
    S.APPROVED: frozenset({S.SENT, S.CANCELLED}),
    S.SENT: frozenset({S.PARTIAL, S.RECEIVED, S.CANCELLED}),
    S.PARTIAL: frozenset({S.PARTIAL, S.RECEIVED}),
    S.RECEIVED: frozenset(),
    S.CANCELLED: frozenset(),
}


class PurchaseOrder(models.Model):
    number = models.CharField(max_length=20, unique=True)
    supplier = models.ForeignKey(Supplier, on_delete=models.PROTECT, related_name="orders")
    location = models.ForeignKey("practice.Location", on_delete=models.PROTECT, related_name="+")
    status = models.CharField(max_length=18, choices=OrderStatus.choices, default=OrderStatus.DRAFT)
    created_at = models.DateTimeField()
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+")
    approved_at = models.DateTimeField(null=True, blank=True)
    approved_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                    related_name="+")
    sent_at = models.DateTimeField(null=True, blank=True)
    sent_to = models.EmailField(blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]

    def __str__(self) -> str:
        return self.number

    @property
    def total(self) -> Decimal:
        return sum((line.amount for line in self.lines.all()), Decimal("0.00"))


class OrderLine(models.Model):
    order = models.ForeignKey(PurchaseOrder, on_delete=models.CASCADE, related_name="lines")
    item = models.ForeignKey(Item, on_delete=models.PROTECT, related_name="+")
    supplier_item = models.ForeignKey(SupplierItem, on_delete=models.PROTECT, related_name="+")
    packs = models.PositiveIntegerField()
    pack_size = models.PositiveIntegerField()  # as ordered (the catalogue may change later)
    unit_price = models.DecimalField(max_digits=10, decimal_places=2)  # per pack, as ordered
    received_packs = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [
            models.CheckConstraint(condition=Q(packs__gte=1), name="operations_line_some"),
            models.CheckConstraint(condition=Q(received_packs__lte=models.F("packs")),
                                   name="operations_line_no_over_receipt"),
        ]

    @property
    def amount(self) -> Decimal:
        return self.unit_price * self.packs

    @property
    def outstanding(self) -> int:
        return self.packs - self.received_packs


class Receipt(models.Model):
    order = models.ForeignKey(PurchaseOrder, on_delete=models.PROTECT, related_name="receipts")
    at = models.DateTimeField()
    by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+")
    note = models.CharField(max_length=200, blank=True)


class ReceiptLine(models.Model):
    receipt = models.ForeignKey(Receipt, on_delete=models.PROTECT, related_name="lines")
    order_line = models.ForeignKey(OrderLine, on_delete=models.PROTECT, related_name="receipt_lines")
    packs = models.PositiveIntegerField()
    lot = models.CharField(max_length=40, blank=True)
    expires_on = models.DateField(null=True, blank=True)


class Invoice(models.Model):
    order = models.ForeignKey(PurchaseOrder, on_delete=models.PROTECT, related_name="invoices")
    number = models.CharField(max_length=40)
    invoice_date = models.DateField()
    recorded_at = models.DateTimeField()
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+")

    class Meta:
        constraints = [models.UniqueConstraint(fields=["order", "number"], name="operations_invoice_once")]


class InvoiceLine(models.Model):
    invoice = models.ForeignKey(Invoice, on_delete=models.CASCADE, related_name="lines")
    order_line = models.ForeignKey(OrderLine, on_delete=models.PROTECT, related_name="invoice_lines")
    packs = models.PositiveIntegerField()
    unit_price = models.DecimalField(max_digits=10, decimal_places=2)


from .models_budget import ActualEntry, Budget, BudgetCategory, BudgetLine, BudgetMonth  # noqa: E402, F401
