"""Fee schedule and coded-visit fixtures for the billing tests (#19)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from clinicdesk.billing.services import fee_item_create, usual_code_add
from clinicdesk.core.permissions import Role
from tests.factories import AppointmentFactory, AppointmentTypeFactory, PractitionerFactory, UserFactory

DOS = dt.datetime(2026, 11, 20, 15, 0, tzinfo=dt.UTC)  # 10:00 in New York, the date of service


def fee_schedule(biller: Any) -> dict[str, Any]:
    """99213 at 120.00 (a new price, 130.00, from 2026-12-01), 99214 at 180.00 and J1885 at 12.50 per unit."""
    return {
        "99213": fee_item_create(actor=biller, code="99213", description="Office visit, established, low",
                                 price=Decimal("120.00"), effective_from=dt.date(2026, 1, 1),
                                 effective_to=dt.date(2026, 11, 30)),
        "99213-new": fee_item_create(actor=biller, code="99213", description="Office visit, established, low",
                                     price=Decimal("130.00"), effective_from=dt.date(2026, 12, 1)),
        "99214": fee_item_create(actor=biller, code="99214", description="Office visit, established, moderate",
                                 price=Decimal("180.00"), effective_from=dt.date(2026, 1, 1)),
        "J1885": fee_item_create(actor=biller, code="J1885", description="Ketorolac injection, 15 mg",
                                 price=Decimal("12.50"), effective_from=dt.date(2026, 1, 1)),
    }


def fulfilled_visit(location: Any, *, usual: list[str] = (), biller: Any = None, hour: int = 15,
                    **extra: Any) -> Any:
    """A visit that took place at `location`, its provider working there; its type usually bills `usual`."""
    kind = AppointmentTypeFactory(code="coded-visit", name="Coded visit")
    for code in usual:
        usual_code_add(actor=biller or UserFactory(role=Role.BILLING, location=location),
                       appointment_type_id=kind.pk, code=code)
    doctor = extra.pop("practitioner", None) or PractitionerFactory(location=location)
    return AppointmentFactory(location=location, practitioner=doctor, appointment_type=kind,
                              start=DOS.replace(hour=hour), status=extra.pop("status", "fulfilled"), bookings=False,
                              **extra)
