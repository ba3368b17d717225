"""Reads of eligibility results. Every read that shows a patient's result is audited here."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal
from zoneinfo import ZoneInfo

from django.conf import settings

from clinicdesk.audit.services import atomic_service, record
from clinicdesk.core import clock
from clinicdesk.core.exceptions import NotFound
from clinicdesk.core.permissions import Actor, Perm, has_perm, require
from clinicdesk.patients.models import Coverage
from clinicdesk.patients.selectors import patient_in_reach, visible_patients
from clinicdesk.practice.models import Location
from clinicdesk.scheduling.models import Appointment

from .models import EligibilityBenefit, EligibilityChannel, EligibilityResult, EligibilityStatus
from .services import _LIVE, coverage_fingerprint, service_types_for


def latest_for_coverages(coverage_ids: Iterable[int]) -> dict[int, EligibilityResult]:
    """The newest result per coverage (no permission: for other selectors and services)."""
    latest: dict[int, EligibilityResult] = {}
    for result in (EligibilityResult.objects.filter(coverage_id__in=list(coverage_ids))
                   .order_by("coverage_id", "-requested_at", "-pk")):
        if result.coverage_id is not None:
            latest.setdefault(result.coverage_id, result)
    return latest


def pending_batch_channels() -> list[str]:
    """The batch channels (SFTP, local folder) with a request still waiting for its answer (for the collector)."""
    batch = [EligibilityChannel.SFTP, EligibilityChannel.FOLDER]
    waiting = set(EligibilityResult.objects.filter(status=EligibilityStatus.PENDING, channel__in=batch)
                  .values_list("channel", flat=True).distinct())
    return [channel for channel in batch if channel in waiting]


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


# --- the visit's expected co-pay (#18 leftover): one rule for check-in, the summary and the desk -----------

_GENERAL = "30"  # health benefit plan coverage: a benefit stated for the plan as a whole


def _copay_rank(benefit: EligibilityBenefit, wanted: set[str]) -> tuple[int, int] | None:
    """How well a co-payment benefit (EB01 B) fits the visit: its service type first, the plan as a whole
    second; in network before unstated before out of network. None when it does not fit."""
    types = set(benefit.service_types or [])
    if types & wanted:
        fit = 0
    elif not types or _GENERAL in types:
        fit = 1
    else:
        return None
    network = {True: 0, None: 1, False: 2}[benefit.in_network]
    return fit, network


def copay_from_eligibility(coverage: Coverage, *, service_types: Iterable[str],
                           today: dt.date | None = None) -> Decimal | None:
    """The co-pay a fresh, active 271 for `coverage` states for these service types (EB03), or None when there
    is no such answer (then the coverage's own co-pay applies). No permission: for the services and selectors
    that compute the expected co-pay (frontdesk.services.expected_copay)."""
    result = (EligibilityResult.objects.filter(coverage_id=coverage.pk).order_by("-requested_at", "-pk")
              .prefetch_related("benefits").first())
    if result is None or result.status != EligibilityStatus.ACTIVE:
        return None
    if needs_new_verification(result, coverage, today=today):
        return None
    wanted = {str(code) for code in service_types}
    ranked = sorted(((rank, b.position, b.amount) for b in result.benefits.all()
                     if b.info == "B" and b.amount is not None
                     and (rank := _copay_rank(b, wanted)) is not None), key=lambda item: (item[0], item[1]))
    if ranked:
        return ranked[0][2]
    # No co-payment benefit fits: the answer's office-visit co-pay holds only for a visit asked about in general.
    return result.copay if wanted <= {_GENERAL} else None


def visit_copay_from_eligibility(coverage: Coverage, appointment: Appointment | None) -> Decimal | None:
    """`copay_from_eligibility` for the service types the appointment's type asks about."""
    return copay_from_eligibility(coverage, service_types=service_types_for(appointment))


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


@atomic_service
def eligibility_results_search(*, actor: Actor, patient_ids: list[int] | None = None,
                               result_ids: list[int] | None = None, offset: int = 0,
                               count: int = 50) -> tuple[list[EligibilityResult], int]:
    """Results of the charts the actor may read coverage checks of (FHIR CoverageEligibilityResponse search),
    newest first, with their benefits; the page and the total. The FHIR face records what it shows."""
    require(actor, Perm.INSURANCE_READ)
    results = EligibilityResult.objects.filter(
        patient__in=visible_patients(actor, perm=Perm.INSURANCE_READ, record=True))
    if patient_ids is not None:
        results = results.filter(patient_id__in=patient_ids)
    if result_ids is not None:
        results = results.filter(pk__in=result_ids)
    total = results.count()
    page = list(results.select_related("coverage").prefetch_related("benefits")
                .order_by("-requested_at", "-pk")[offset:offset + count])
    return page, total


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


# --- for the front desk (#18 item 4): the check-in page and the pre-visit worklist ---------------------------

# The statuses the desk must act on before the visit (no usable "active" answer came back).
PROBLEM_STATUSES = (EligibilityStatus.INACTIVE, EligibilityStatus.FAILED, EligibilityStatus.REJECTED,
                    EligibilityStatus.MISMATCH)


@dataclass
class DeskEligibility:
    """The newest answer for one coverage, ready for a desk screen (words, never codes)."""

    coverage: Coverage
    result: EligibilityResult | None
    age_days: int | None
    stale: bool
    pill: str  # the status pill's colour token
    label: str  # the pill's words
    reason: str  # one sentence for the desk

    @property
    def usable_copay(self) -> Decimal | None:
        """The 271's co-pay, only when the payer said active and the answer is still fresh."""
        if self.result is None or self.stale or self.result.status != EligibilityStatus.ACTIVE:
            return None
        return self.result.copay

    @property
    def coinsurance(self) -> str:
        value = self.result.coinsurance_percent if self.result else None
        return "" if value is None else f"{(value * 100).normalize():f} %"


def _desk_view(coverage: Coverage, result: EligibilityResult | None, today: dt.date) -> DeskEligibility:
    from django.utils.translation import gettext as _

    from . import words

    if result is None:
        return DeskEligibility(coverage=coverage, result=None, age_days=None, stale=True, pill="pending",
                               label=_("Not checked yet"), reason=_("This coverage has not been checked yet."))
    stale = result.status in (EligibilityStatus.ACTIVE, EligibilityStatus.INACTIVE) and needs_new_verification(
        result, coverage, today=today)
    reason = words.summary(result)
    if result.status == EligibilityStatus.REJECTED:
        reasons = [line.reason for line in words.rejection_lines(result) if line.reason]
        if reasons:
            reason = _("Rejected by the payer: %(reasons)s.") % {"reasons": "; ".join(reasons)}
    return DeskEligibility(coverage=coverage, result=result, age_days=result_age_days(result, today=today),
                           stale=stale, pill=words.pill(result.status), label=result.get_status_display(),
                           reason=reason)


@atomic_service
def eligibility_for_coverage(*, actor: Actor, coverage_id: int | None) -> DeskEligibility | None:
    """The newest answer for the coverage the check-in page shows; None when the actor may not read coverage
    checks or there is no coverage (a screen shows nothing then, it does not refuse)."""
    if coverage_id is None or not has_perm(actor, Perm.INSURANCE_READ):
        return None
    coverage = Coverage.objects.select_related("payer").filter(pk=coverage_id).first()
    if coverage is None:
        return None
    patient_in_reach(actor, coverage.patient_id, perm=Perm.INSURANCE_READ, record=True)
    result = latest_for_coverages([coverage.pk]).get(coverage.pk)
    if result is not None:
        record(actor, "eligibility.view", result, patient=result.patient_id)
    return _desk_view(coverage, result, clock.today_in(ZoneInfo(settings.TIME_ZONE)))


@dataclass
class ProblemRow:
    appointment: Appointment
    eligibility: DeskEligibility


@atomic_service
def eligibility_problems(*, actor: Actor, location: Location, days: Iterable[dt.date]) -> list[ProblemRow]:
    """The location's live appointments on `days` (the pre-visit worklist's) whose patient's primary coverage
    that day has a newest answer that is not usable: inactive, failed, rejected, or about another person. A fixed
    number of queries, whatever the list's size; [] for a user without insurance.read at the location."""
    if not has_perm(actor, Perm.INSURANCE_READ, location=location.pk) or not actor.works_at(location.pk):
        return []
    wanted = sorted(set(days))
    if not wanted:
        return []
    zone = ZoneInfo(location.time_zone or settings.TIME_ZONE)
    start = dt.datetime.combine(wanted[0], dt.time.min, tzinfo=zone)
    end = dt.datetime.combine(wanted[-1] + dt.timedelta(days=1), dt.time.min, tzinfo=zone)
    appointments = [a for a in Appointment.objects.filter(location=location, start__gte=start, start__lt=end,
                                                          status__in=_LIVE)
                    .select_related("patient", "practitioner", "appointment_type").order_by("start", "pk")
                    if a.start.astimezone(zone).date() in wanted]
    held_by_patient: dict[int, list[Coverage]] = {}
    for coverage in (Coverage.objects.filter(patient_id__in={a.patient_id for a in appointments})
                     .select_related("payer").order_by("patient_id", "order", "-start_date")):
        held_by_patient.setdefault(coverage.patient_id, []).append(coverage)
    primary: dict[int, Coverage] = {}
    for appointment in appointments:
        day = appointment.start.astimezone(zone).date()
        held = next((c for c in held_by_patient.get(appointment.patient_id, []) if c.is_active_on(day)), None)
        if held is not None:
            primary[appointment.pk] = held
    latest = latest_for_coverages({c.pk for c in primary.values()})
    today = clock.today_in(ZoneInfo(settings.TIME_ZONE))
    rows: list[ProblemRow] = []
    for appointment in appointments:
        asked = primary.get(appointment.pk)
        result = latest.get(asked.pk) if asked else None
        if asked is not None and result is not None and result.status in PROBLEM_STATUSES:
            rows.append(ProblemRow(appointment=appointment, eligibility=_desk_view(asked, result, today)))
    if rows:  # one entry for the list, as the eligibility day does (the patients named in it)
        record(actor, "eligibility.list", None, resource_type="eligibility-worklist", resource_id=location.pk,
               detail={"rows": len(rows), "patients": sorted({r.appointment.patient_id for r in rows})})
    return rows


# --- referrals, prior authorizations, payer rules (#18 items 1, 6, 7): insurance/referral_selectors.py ---------
from .referral_selectors import (  # noqa: E402
    ReferralWarning,
    actor_locations,
    authorization_detail,
    expiring_worklist,
    outgoing_referral_detail,
    outgoing_referral_packet,
    patient_referrals,
    payer_rule_detail,
    payer_rules,
    referral_detail,
    referral_problems,
    referral_warnings_for,
    service_request_item,
    service_requests_search,
    warnings_for_appointments,
)

__all__ = ["ReferralWarning", "actor_locations", "authorization_detail", "expiring_worklist",
           "outgoing_referral_detail", "outgoing_referral_packet",
           "patient_referrals", "payer_rule_detail", "payer_rules", "referral_detail", "referral_problems",
           "referral_warnings_for", "service_request_item", "service_requests_search", "warnings_for_appointments"]
