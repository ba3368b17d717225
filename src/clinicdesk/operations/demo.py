"""The demo practice's supply room: the demo builder calls `supplies_demo` once the locations exist.

About twenty everyday items, three suppliers with their prices and pack sizes, a received order that stocked each
location, some use since, two items below their reorder point at the first location, a lot of glucose test strips
expiring within 30 days, one order sent and waiting, one partly received, and what an annual physical uses.
Everything goes through the services, so it is audited and shaped like a coordinator's own work.

Call it outside any transaction: it opens its own, and the suppliers' order e-mails (sent after the commit) go to
Django's dummy e-mail backend, since the demo's suppliers do not exist.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass, field
from decimal import Decimal

from django.db import transaction
from django.test.utils import override_settings

from clinicdesk.core import clock
from clinicdesk.core.permissions import Actor

from . import services
from .models import Item, ItemCategory, OrderLine, OverUse, PurchaseOrder, Supplier, SupplierItem

# (name, unit, category, tracks lots, par level, reorder point)
ITEMS: tuple[tuple[str, str, str, bool, int, int], ...] = (
    ("Exam table paper, 21 in", "roll", ItemCategory.MEDICAL, False, 24, 8),
    ("Nitrile exam gloves, medium", "box", ItemCategory.MEDICAL, False, 30, 10),
    ("Nitrile exam gloves, large", "box", ItemCategory.MEDICAL, False, 20, 8),
    ("Alcohol prep pads", "box", ItemCategory.MEDICAL, False, 16, 5),
    ("Tongue depressors, sterile", "box", ItemCategory.MEDICAL, False, 10, 3),
    ("Cotton-tipped applicators, 6 in", "box", ItemCategory.MEDICAL, False, 10, 3),
    ("Adhesive bandages, assorted", "box", ItemCategory.MEDICAL, False, 12, 4),
    ("Gauze sponges, 4 x 4 in", "pack", ItemCategory.MEDICAL, False, 20, 6),
    ("Disposable otoscope specula", "box", ItemCategory.MEDICAL, False, 8, 2),
    ("Specimen cups, 4 oz, sterile", "each", ItemCategory.LAB, False, 200, 60),
    ("Urine test strips, 10-parameter", "bottle", ItemCategory.LAB, True, 12, 4),
    ("Glucose test strips", "box", ItemCategory.LAB, True, 12, 4),
    ("Lancets, safety, 28 G", "box", ItemCategory.LAB, False, 10, 3),
    ("Vacutainer tubes, lavender top", "box", ItemCategory.LAB, True, 8, 3),
    ("Influenza vaccine, prefilled syringe", "syringe", ItemCategory.PHARMACY, True, 60, 20),
    ("Lidocaine 1%, 20 mL vial", "vial", ItemCategory.PHARMACY, True, 10, 3),
    ("Syringes, 3 mL, with 25 G needle", "box", ItemCategory.PHARMACY, False, 10, 3),
    ("Surface disinfectant wipes", "canister", ItemCategory.CLEANING, False, 18, 6),
    ("Hand sanitizer, 16 oz pump", "bottle", ItemCategory.CLEANING, False, 12, 4),
    ("Sharps container, 2 gal", "each", ItemCategory.CLEANING, False, 8, 2),
    ("Printer paper, letter", "ream", ItemCategory.OFFICE, False, 20, 5),
)
SUPPLIERS = (
    {"name": "Bayside Medical Supply", "account_number": "RMG-20417", "contact_name": "Dana Whitaker",
     "email": "orders@bayside-medical.example", "phone": "(617) 555-0182",
     "address": "88 Harbor Way, Boston, MA 02210"},
    {"name": "Summit Lab & Pharma", "account_number": "C-771903", "contact_name": "Luis Ortega",
     "email": "purchasing@summitlabpharma.example", "phone": "(480) 555-0117",
     "address": "2100 W University Dr, Tempe, AZ 85281"},
    {"name": "Greenleaf Office & Janitorial", "account_number": "GL-5532", "contact_name": "Priya Natarajan",
     "email": "sales@greenleaf-supply.example", "phone": "(413) 555-0164",
     "address": "15 Industrial Park Rd, Chicopee, MA 01020"},
)
# Item name -> [(supplier index, price of a pack, units per pack, preferred)]
CATALOGUE: dict[str, list[tuple[int, str, int, bool]]] = {
    "Exam table paper, 21 in": [(0, "38.40", 12, True), (2, "41.10", 12, False)],
    "Nitrile exam gloves, medium": [(0, "89.00", 10, True), (1, "92.50", 10, False)],
    "Nitrile exam gloves, large": [(0, "89.00", 10, True), (1, "92.50", 10, False)],
    "Alcohol prep pads": [(0, "3.25", 1, True), (1, "3.10", 1, False)],
    "Tongue depressors, sterile": [(0, "9.80", 1, True)],
    "Cotton-tipped applicators, 6 in": [(0, "4.60", 1, True)],
    "Adhesive bandages, assorted": [(0, "6.75", 1, True)],
    "Gauze sponges, 4 x 4 in": [(0, "24.00", 10, True)],
    "Disposable otoscope specula": [(0, "11.90", 1, True)],
    "Specimen cups, 4 oz, sterile": [(1, "42.00", 100, True), (0, "45.50", 100, False)],
    "Urine test strips, 10-parameter": [(1, "27.80", 1, True)],
    "Glucose test strips": [(1, "31.50", 1, True)],
    "Lancets, safety, 28 G": [(1, "14.20", 1, True)],
    "Vacutainer tubes, lavender top": [(1, "19.90", 1, True)],
    "Influenza vaccine, prefilled syringe": [(1, "172.50", 10, True)],
    "Lidocaine 1%, 20 mL vial": [(1, "48.00", 10, True)],
    "Syringes, 3 mL, with 25 G needle": [(1, "16.40", 1, True), (0, "17.20", 1, False)],
    "Surface disinfectant wipes": [(2, "78.00", 12, True), (0, "84.00", 12, False)],
    "Hand sanitizer, 16 oz pump": [(2, "54.00", 12, True)],
    "Sharps container, 2 gal": [(2, "36.00", 6, True), (0, "39.90", 6, False)],
    "Printer paper, letter": [(2, "44.50", 10, True)],
}
STORAGE = {ItemCategory.MEDICAL: "Supply closet", ItemCategory.LAB: "Lab cabinet",
           ItemCategory.PHARMACY: "Medication refrigerator", ItemCategory.CLEANING: "Utility room",
           ItemCategory.OFFICE: "Front office"}
# What a visit of the given appointment type uses: item name -> units.
VISIT_SUPPLIES = {"Exam table paper, 21 in": 1, "Nitrile exam gloves, medium": 1, "Alcohol prep pads": 2,
                  "Specimen cups, 4 oz, sterile": 1, "Tongue depressors, sterile": 1}
# Left below the reorder point at the first location by the week's use: item name -> units used.
RUN_LOW = {"Nitrile exam gloves, large": 15, "Specimen cups, 4 oz, sterile": 160}


@dataclass
class DemoSupplies:
    items: dict[str, Item]
    suppliers: list[Supplier]
    orders: list[PurchaseOrder] = field(default_factory=list)


def _lot(item: Item, location_index: int, today: dt.date) -> tuple[str, dt.date | None]:
    if not item.tracks_lots:
        return "", None
    if item.name == "Glucose test strips" and location_index == 0:
        return "GS24K118", today + dt.timedelta(days=21)  # the lot to use first: it expires within 30 days
    months = 6 + (item.pk * 5 + location_index * 3) % 14
    return f"L{today:%y}{item.pk:03d}{location_index + 1}", today + dt.timedelta(days=30 * months)


def _order(actor: Actor, location_id: int, picks: Sequence[services.OrderPick]) -> list[PurchaseOrder]:
    orders = services.orders_create(actor=actor, location_id=location_id, picks=list(picks))
    sent = []
    for order in orders:
        order = services.order_submit(actor=actor, order_id=order.pk)
        if order.status == "awaiting-approval":
            order = services.order_approve(actor=actor, order_id=order.pk)
        sent.append(services.order_send(actor=actor, order_id=order.pk))
    return sent


def _receive(actor: Actor, order: PurchaseOrder, location_index: int, today: dt.date, *,
             share: float = 1.0) -> None:
    lines = []
    for line in OrderLine.objects.filter(order=order).select_related("item").order_by("pk"):
        packs = line.packs if share >= 1 else int(line.packs * share)
        if packs:
            lot, expires = _lot(line.item, location_index, today)
            lines.append(services.ReceivedLine(order_line_id=line.pk, packs=packs, lot=lot, expires_on=expires))
    services.order_receive(actor=actor, order_id=order.pk, lines=lines, note="Checked against the packing slip")


def supplies_demo(*, actor: Actor, location_ids: Sequence[int], appointment_type_id: int | None = None
                  ) -> DemoSupplies:
    """Build the supply room for the given locations (the first one is the busy one). `actor` holds
    operations.admin and supplies.use."""
    with override_settings(EMAIL_BACKEND="django.core.mail.backends.dummy.EmailBackend"), transaction.atomic():
        return _build(actor=actor, location_ids=location_ids, appointment_type_id=appointment_type_id)


def _build(*, actor: Actor, location_ids: Sequence[int], appointment_type_id: int | None) -> DemoSupplies:
    today = clock.now().date()
    items = {name: services.item_create(actor=actor, name=name, unit=unit, category=category, tracks_lots=lots,
                                        over_use=OverUse.EXCEPTION if category == ItemCategory.MEDICAL
                                        else OverUse.REFUSE, par_level=par, reorder_point=point)
             for name, unit, category, lots, par, point in ITEMS}
    suppliers = [services.supplier_create(actor=actor, **spec) for spec in SUPPLIERS]
    preferred: dict[str, SupplierItem] = {}
    for name, offers in CATALOGUE.items():
        for index, price, pack, best in offers:
            entry = services.supplier_item_set(actor=actor, supplier_id=suppliers[index].pk, item_id=items[name].pk,
                                               price=Decimal(price), pack_size=pack,
                                               supplier_code=f"{suppliers[index].name[:2].upper()}-"
                                                             f"{items[name].pk:04d}-{pack}", preferred=best)
            if best:
                preferred[name] = entry
    result = DemoSupplies(items=items, suppliers=suppliers)
    for location_index, location_id in enumerate(location_ids):
        for item in items.values():
            services.stock_place_set(actor=actor, item_id=item.pk, location_id=location_id,
                                     storage=STORAGE.get(ItemCategory(item.category), ""))
        # The opening order: the location stocked to its par levels, received in full.
        picks = [services.OrderPick(supplier_item_id=entry.pk, packs=max(1, -(-items[name].par_level
                                                                              // entry.pack_size)))
                 for name, entry in preferred.items()]
        for order in _order(actor, location_id, picks):
            _receive(actor, order, location_index, today)
        # A week of use.
        for position, (name, item) in enumerate(items.items()):
            used = RUN_LOW.get(name) if location_index == 0 else None
            if used is None:
                used = max(1, item.par_level // (4 + (position + location_index) % 4))
            services.stock_use(actor=actor, item_id=item.pk, location_id=location_id, quantity=used,
                               reason="Used in clinic")
    first = location_ids[0]
    # Sent and waiting: the first location's reorder of what ran low.
    result.orders += _order(actor, first, [services.OrderPick(supplier_item_id=preferred[name].pk, packs=2)
                                           for name in RUN_LOW if preferred[name].supplier_id == suppliers[0].pk])
    # Partly received: the last location's flu vaccine and lidocaine, half of it arrived.
    last = location_ids[-1]
    partial = _order(actor, last, [services.OrderPick(supplier_item_id=preferred[name].pk, packs=4)
                                   for name in ("Influenza vaccine, prefilled syringe", "Lidocaine 1%, 20 mL vial")])
    for order in partial:
        _receive(actor, order, len(location_ids) - 1, today, share=0.5)
    result.orders += partial
    if appointment_type_id is not None:
        for name, quantity in VISIT_SUPPLIES.items():
            services.visit_supply_set(actor=actor, appointment_type_id=appointment_type_id, item_id=items[name].pk,
                                      quantity=quantity)
    return result
