"""The demo practice's coded visits (#19): the demo builder calls `coding_demo` once the appointments exist.

A fee schedule in the practice's own words (office visits, preventive visits, a wellness visit, an
injection, a vaccine, labs, an ECG), with this year's prices (99213 and 99214 also with last year's period, so a
price change shows), contracted amounts for the first payers, each appointment type's usual codes, and the most
recent fulfilled visits at each location coded: most posted to the patient's ledger, a few left as drafts on the
coder's worklist. Everything goes through the services, so it is audited like a biller's own work.

The desk's co-pays go with the visits the demo bills (`desk_copay`, here and in the revenue history): money is
taken only for a visit that is charged, so the payment reports' collection rates compare like with like.
"""

from __future__ import annotations

import datetime as dt
import random
from decimal import Decimal

from django.db import transaction

from clinicdesk.accounts.models import User
from clinicdesk.core import clock
from clinicdesk.core.permissions import Perm, Role, SystemActor
from clinicdesk.patients.models import Coverage, Payer
from clinicdesk.scheduling.models import Appointment, AppointmentStatus, AppointmentType

from . import services
from .models import Superbill

CODER = SystemActor("demo-coder", frozenset({Perm.BILLING_WRITE, Perm.BILLING_READ, Perm.CHARGE_CAPTURE,
                                             Perm.PATIENT_READ}))

# (code, description in the practice's words, price)
FEES: tuple[tuple[str, str, str], ...] = (
    ("99202", "New patient office visit, straightforward", "95.00"),
    ("99203", "New patient office visit, low complexity", "145.00"),
    ("99204", "New patient office visit, moderate complexity", "220.00"),
    ("99212", "Established patient visit, straightforward", "75.00"),
    ("99213", "Established patient visit, low complexity", "125.00"),
    ("99214", "Established patient visit, moderate complexity", "185.00"),
    ("99396", "Preventive visit, established, age 40-64", "210.00"),
    ("G0439", "Annual wellness visit, subsequent", "175.00"),
    ("96372", "Injection, therapeutic, under the skin or into muscle", "35.00"),
    ("J1885", "Ketorolac injection, 15 mg", "9.50"),
    ("90686", "Flu vaccine, quadrivalent, preservative free", "38.00"),
    ("90471", "Vaccine administration, first", "28.00"),
    ("36415", "Blood draw, venipuncture", "15.00"),
    ("81002", "Urinalysis by dipstick, non-automated", "12.00"),
    ("93000", "Electrocardiogram with interpretation", "65.00"),
    ("11102", "Skin biopsy, tangential, single lesion", "160.00"),
)
LAST_YEAR = {"99213": "118.00", "99214": "175.00"}
USUAL: dict[str, tuple[str, ...]] = {
    "new-patient": ("99203",), "follow-up": ("99213",), "annual": ("99396", "36415"),
    "procedure": ("99213", "11102"), "telehealth": ("99212",),
}
# (ICD-10-CM diagnoses, extra lines) seen in a family practice, picked per visit
CASES: tuple[tuple[tuple[str, ...], tuple[str, ...]], ...] = (
    (("I10",), ()), (("E11.9", "I10"), ("36415",)), (("J06.9",), ()), (("E78.5",), ("36415",)),
    (("M54.50",), ("96372", "J1885")), (("N39.0",), ("81002",)), (("Z00.00",), ()), (("J45.909",), ()),
    (("R07.89",), ("93000",)), (("F41.1",), ()), (("K21.9",), ()), (("Z23",), ("90686", "90471")),
)

# Most patients pay their co-pay at the desk as they leave; the others' is billed on a statement once the payer has
# answered (its 835 names the co-pay as the patient's share).
COPAY_SHARE = 0.8


def primary_copay(visit: Appointment) -> Decimal | None:
    """The office co-pay of the patient's primary coverage on the day of the visit (the newest active one)."""
    day = visit.start.astimezone(visit.location.tz).date()
    for coverage in Coverage.objects.filter(patient_id=visit.patient_id, order=1).order_by("-start_date", "-pk"):
        if coverage.is_active_on(day):
            return coverage.copay_primary
    return None


def desk_copay(visit: Appointment, copay: Decimal | None, rng: random.Random) -> bool:
    """The co-pay the front desk takes as the patient leaves (the caller holds the clock at that moment), through
    billing's `payment_collect` by the location's first front-desk user. Nothing when the coverage has no co-pay,
    for the patients who pay later, when nobody works the desk, or when money was already taken for the visit
    (today's desk). Returns whether it was taken."""
    if not copay or rng.random() >= COPAY_SHARE or services.collected_for_appointment(visit.pk) > 0:
        return False
    desk = (User.objects.filter(role=Role.FRONT_DESK, locations=visit.location_id, is_active=True).order_by("pk")
            .first())
    if desk is None:
        return False
    tender = (services.Tender("card", card_reference=f"T{rng.randrange(10**6):06d}",
                              card_last4=f"{rng.randrange(10**4):04d}") if rng.random() < 0.7
              else services.Tender("cash"))
    services.payment_collect(actor=desk, patient_id=visit.patient_id, location_id=visit.location_id,
                             amount=Decimal(copay), tender=tender, appointment_id=visit.pk, description="Co-pay",
                             copay=True)
    return True


def coding_demo(*, seed: int = 1, per_location: int = 12, drafts: int = 3) -> dict[str, int]:
    """Build the fee schedule and code the latest fulfilled visits of each location. Returns what it made."""
    rng = random.Random(seed)
    desk_rng = random.Random(seed * 7919 + 5)  # the co-pays' own draws: the coding stays as the seed made it
    today = clock.now().date()
    year = dt.date(today.year, 1, 1)
    made = {"fees": 0, "posted": 0, "drafts": 0, "copays": 0}
    with transaction.atomic():
        for code, description, price in FEES:
            if code in LAST_YEAR:
                services.fee_item_create(actor=CODER, code=code, description=description,
                                         price=Decimal(LAST_YEAR[code]), effective_from=dt.date(today.year - 1, 1, 1),
                                         effective_to=year - dt.timedelta(days=1))
            item = services.fee_item_create(actor=CODER, code=code, description=description, price=Decimal(price),
                                            effective_from=year)
            made["fees"] += 1
            for share, payer in zip(("0.80", "0.72", "0.65"), Payer.objects.order_by("name")[:3], strict=False):
                services.contract_set(actor=CODER, item_id=item.pk, payer_id=payer.pk,
                                      amount=(item.price * Decimal(share)).quantize(Decimal("0.01")))
        for kind in AppointmentType.objects.filter(code__in=USUAL):
            for code in USUAL[kind.code]:
                services.usual_code_add(actor=CODER, appointment_type_id=kind.pk, code=code)
    visits = (Appointment.objects.filter(status=AppointmentStatus.FULFILLED, start__date__gte=year)
              .exclude(pk__in=Superbill.objects.values("appointment_id")).select_related("practitioner", "location")
              .order_by("location_id", "-start"))
    counted: dict[int, int] = {}
    for visit in visits:
        n = counted.get(visit.location_id, 0)
        if n >= per_location + drafts:
            continue
        counted[visit.location_id] = n + 1
        if not visit.practitioner.locations.filter(pk=visit.location_id).exists():
            continue
        diagnoses, extra = rng.choice(CASES)
        with transaction.atomic():
            superbill = services.superbill_open(actor=CODER, appointment_id=visit.pk)
            pointers = tuple(range(1, len(diagnoses) + 1))[:4]
            lines = [services.LineInput(line.code, line.modifiers, line.units, pointers, line.place_of_service,
                                        line.rendering_id) for line in superbill.lines.all()]
            lines += [services.LineInput(code, "", 1, (1,), lines[0].place_of_service if lines else "11",
                                         visit.practitioner_id) for code in extra]
            if not lines:
                continue
            services.superbill_save(actor=CODER, superbill_id=superbill.pk, diagnoses=list(diagnoses), lines=lines)
            if n < per_location:
                services.superbill_post(actor=CODER, superbill_id=superbill.pk)
                made["posted"] += 1
                with clock.frozen_at(min(visit.end, clock.now())):
                    made["copays"] += desk_copay(visit, primary_copay(visit), desk_rng)
            else:
                made["drafts"] += 1
    return made
