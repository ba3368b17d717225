"""The demo practice's eligibility checks: the demo builder calls `eligibility_demo` once appointments exist.

For the next day with booked appointments it verifies a dozen patients' primary coverage, without a network: each
270 is built as a real check builds it, the 271 comes from `x12.fake271` (what the tests' clearinghouse answers),
and the answer is stored by the same code that stores a real exchange's answer. So the results hold what a real
exchange would store: active with co-pay and deductible remaining, inactive, a rejection, a clearinghouse that
did not answer in time, and checks sent in the evening batch whose answers are still awaited.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter

from clinicdesk.audit.services import atomic_service
from clinicdesk.core import clock
from clinicdesk.core.permissions import Actor, Perm, require
from clinicdesk.patients.models import Coverage
from clinicdesk.practice.models import Location

from . import services
from .clearinghouse.core import ExchangeError
from .models import EligibilityChannel, EligibilityFailure
from .x12 import fake271

# What each checked appointment gets, in turn.
CASES = ("active", "active", "inactive", "active", "timeout", "pending", "active", "rejected", "active", "pending",
         "active", "inactive")


@atomic_service
def eligibility_demo(*, actor: Actor, limit: int = len(CASES)) -> dict[str, int]:
    """Results for up to `limit` appointments on the next day (from tomorrow) that has some; returns the count
    per result status."""
    require(actor, Perm.INSURANCE_WRITE, resource_type="coverage")
    locations = list(Location.objects.order_by("pk"))
    today = clock.now().date()
    appointments = []
    for ahead in range(1, 15):  # tomorrow, or the next day with appointments (weekends, holidays)
        day = today + dt.timedelta(days=ahead)
        appointments = services._appointments_on(day, locations)
        if appointments:
            break
    coverages: dict[int, Coverage] = {}
    for coverage in Coverage.objects.select_related("payer", "patient").filter(
            patient_id__in={a.patient_id for a in appointments}).exclude(payer__payer_code="").order_by(
            "order", "-start_date", "pk"):
        coverages.setdefault(coverage.patient_id, coverage)
    counts: Counter[str] = Counter()
    seen: set[int] = set()
    for appointment in appointments:
        primary = coverages.get(appointment.patient_id)
        if primary is None or appointment.patient_id in seen or len(seen) >= limit:
            continue
        service_date = appointment.start.astimezone(appointment.location.tz).date()
        if not primary.is_active_on(service_date):
            continue
        case = CASES[len(seen) % len(CASES)]
        seen.add(appointment.patient_id)
        channel = EligibilityChannel.FOLDER if case == "pending" else EligibilityChannel.REALTIME
        now = clock.now()
        prepared = services._prepare(actor, primary, appointment=appointment, channel=channel,
                                     service_date=service_date, created=now)
        if case == "pending":  # in tonight's batch file: the answer comes with the clearinghouse's next drop
            counts[prepared.result.status] += 1
            continue
        if case == "timeout":
            error = ExchangeError(EligibilityFailure.TIMEOUT, "No answer from the clearinghouse within 10 seconds.")
            result = services._apply(actor, prepared, text=None, error=error)
        else:
            text = fake271.answer_271(prepared.text, case=case, created=now.replace(tzinfo=None))
            result = services._apply(actor, prepared, text=text, error=None)
        counts[result.status] += 1
    return dict(counts)
