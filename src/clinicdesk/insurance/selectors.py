"""Reads of eligibility results. Every read that shows a patient's result is audited here."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass
from zoneinfo import ZoneInfo

from django.conf import settings

from clinicdesk.audit.services import atomic_service, record
from clinicdesk.core import clock
from clinicdesk.core.exceptions import NotFound
from clinicdesk.core.permissions import Actor, Perm, require
from clinicdesk.patients.models import Coverage
from clinicdesk.patients.selectors import patient_in_reach
from clinicdesk.practice.models import Location
from clinicdesk.scheduling.models import Appointment

from .models import EligibilityResult, EligibilityStatus
from .services import _LIVE, coverage_fingerprint


def latest_for_coverages(coverage_ids: Iterable[int]) -> dict[int, EligibilityResult]:
    """The newest result per coverage (no permission: for other selectors and services)."""
    latest: dict[int, EligibilityResult] = {}
    for result in (EligibilityResult.objects.filter(coverage_id__in=list(coverage_ids))
                   .order_by("coverage_id", "-requested_at", "-pk")):
        if result.coverage_id is not None:
            latest.setdefault(result.coverage_id, result)
    return latest


def result_age_days(result: EligibilityResult, *, today: dt.date | None = None) -> int:
    today = today or clock.today_in(ZoneInfo(settings.TIME_ZONE))
    return (today - result.requested_at.astimezone(ZoneInfo(settings.TIME_ZONE)).date()).days


def needs_new_verification(result: EligibilityResult | None, coverage: Coverage | None, *,
                           today: dt.date | None = None) -> bool:
    """No settled answer, an answer older than ELIGIBILITY_MAX_AGE_DAYS, or a coverage changed since."""
    if result is None or coverage is None:
        return True
    if result.status not in (EligibilityStatus.ACTIVE, EligibilityStatus.INACTIVE):
        return True
    if result.coverage_fingerprint != coverage_fingerprint(coverage):
        return True
    return result_age_days(result, today=today) > settings.ELIGIBILITY_MAX_AGE_DAYS


@atomic_service
def eligibility_latest(*, actor: Actor, coverage_id: int) -> EligibilityResult:
    """The newest result for a coverage (404 when there is none, or the coverage is out of reach)."""
    require(actor, Perm.INSURANCE_READ)
    coverage = Coverage.objects.filter(pk=coverage_id).only("patient_id").first() if str(coverage_id).isdigit() \
        else None
    if coverage is None:
        raise NotFound()
    patient_in_reach(actor, coverage.patient_id, perm=Perm.INSURANCE_READ, record=True)
    result = latest_for_coverages([coverage.pk]).get(coverage.pk)
    if result is None:
        raise NotFound()
    record(actor, "eligibility.view", result, patient=result.patient_id)
    return result


@atomic_service
def eligibility_result_detail(*, actor: Actor, result_id: int) -> EligibilityResult:
    require(actor, Perm.INSURANCE_READ)
    result = (EligibilityResult.objects.select_related("patient", "coverage__payer", "appointment")
              .prefetch_related("benefits").filter(pk=result_id).first()) if str(result_id).isdigit() else None
    if result is None:
        raise NotFound()
    patient_in_reach(actor, result.patient_id, perm=Perm.INSURANCE_READ, record=True, resource_type="eligibility",
                     resource_id=result.pk)
    record(actor, "eligibility.view", result, patient=result.patient_id)
    return result


@dataclass
class DayRow:
    appointment: Appointment
    coverage: Coverage | None
    result: EligibilityResult | None
    age_days: int | None
    needs_verification: bool


@atomic_service
def eligibility_day(*, actor: Actor, day: dt.date, location_id: int | None = None) -> list[DayRow]:
    """The day's appointments at the actor's locations, each with the patient's primary coverage that day and
    its newest result. A fixed number of queries, whatever the day's size."""
    require(actor, Perm.INSURANCE_READ)
    locations = [loc for loc in Location.objects.order_by("pk")
                 if actor.works_at(loc.pk) and (location_id is None or loc.pk == location_id)]
    appointments: list[Appointment] = []
    for location in locations:
        zone = ZoneInfo(location.time_zone or settings.TIME_ZONE)
        start = dt.datetime.combine(day, dt.time.min, tzinfo=zone)
        appointments += list(Appointment.objects.filter(location=location, start__gte=start,
                                                        start__lt=start + dt.timedelta(days=1), status__in=_LIVE)
                             .select_related("patient", "appointment_type", "location").order_by("start", "pk"))
    appointments.sort(key=lambda a: (a.start, a.pk))
    coverages: dict[int, Coverage] = {}
    for coverage in (Coverage.objects.filter(patient_id__in={a.patient_id for a in appointments})
                     .select_related("payer").order_by("patient_id", "order", "-start_date")):
        if coverage.is_active_on(day) and coverage.patient_id not in coverages:
            coverages[coverage.patient_id] = coverage
    latest = latest_for_coverages(c.pk for c in coverages.values())
    today = clock.today_in(ZoneInfo(settings.TIME_ZONE))
    rows = []
    for appointment in appointments:
        held = coverages.get(appointment.patient_id)
        result = latest.get(held.pk) if held else None
        rows.append(DayRow(appointment=appointment, coverage=held, result=result,
                           age_days=result_age_days(result, today=today) if result else None,
                           needs_verification=held is not None and needs_new_verification(result, held, today=today)))
    if rows:
        record(actor, "eligibility.list", None, resource_type="eligibility-day", resource_id=day.isoformat(),
               detail={"rows": len(rows)})
    return rows
