"""Cost estimates and Good Faith Estimates (#19 item 10): what a visit will cost before it happens.

The services expected (given, or the appointment type's usual codes) are priced from the fee schedule on the day of
service; for an insured patient the payer's contracted amount is what the plan allows, and the newest 271 answer
for the coverage splits it line by line: the co-pay once for the visit (on the first line), then what is left of
the deductible, then the co-insurance on the rest, the patient's share capped by what is left of the out-of-pocket
maximum. Every assumption behind the numbers is kept with the estimate and shown with it.

A patient with no coverage in effect on the day of service, or who asks to pay for themself, gets the Good Faith
Estimate of the No Surprises Act (45 CFR 149.610): the full expected charges, given within one business day when
the visit is booked 3 to 9 business days ahead, within three business days when booked 10 or more business days
ahead or when the patient asks without a booking (`_gfe_due_by`). Its PDF is stored on the chart when given and
again once signed (or marked received by a staff member, with the time). Money is Decimal throughout."""

from __future__ import annotations

import dataclasses
import datetime as dt
import uuid
from decimal import ROUND_HALF_UP, Decimal
from typing import Any
from zoneinfo import ZoneInfo

from django.db import IntegrityError, transaction
from django.utils import translation
from django.utils.translation import gettext as _

from clinicdesk.audit.services import atomic_service, record
from clinicdesk.core import clock
from clinicdesk.core.dates import business_days_after, business_days_between
from clinicdesk.core.exceptions import Conflict, InvalidTransition, NotFound, ValidationFailed
from clinicdesk.core.permissions import Actor, staff_user
from clinicdesk.insurance import selectors as insurance_selectors
from clinicdesk.patients.models import Coverage, Document
from clinicdesk.patients.services.documents import store_document
from clinicdesk.scheduling.models import Appointment
from clinicdesk.scheduling.selectors import closed_days

from ..codesets import icd_is_valid, icd_normalize
from ..estimate_models import Estimate, EstimateKind, EstimateStatus, SignatureMethod
from ..models import ContractedAmount, UsualCode
from ._common import _location, _patient, _require_cashier
from .fees import clean_code, clean_modifiers, fee_in_effect

CENT = Decimal("0.01")
ZERO = Decimal("0.00")
MAX_LINES = 20
LANGUAGES = ("en", "es")
DISPUTE_THRESHOLD = Decimal("400.00")


@dataclasses.dataclass(frozen=True)
class EstimateLine:
    code: str
    modifiers: str = ""
    units: int = 1


@dataclasses.dataclass
class Benefits:
    """The 271 figures as used (None: the payer did not say)."""

    copay: Decimal | None = None
    coinsurance: Decimal | None = None  # a fraction: 0.2 is 20 %
    deductible_remaining: Decimal | None = None
    out_of_pocket_remaining: Decimal | None = None
    answered_on: str = ""
    source: str = "none"  # 271, coverage (the card's co-pay), none

    def as_json(self) -> dict[str, Any]:
        return {"copay": _s(self.copay), "coinsurance": _s(self.coinsurance),
                "deductible_remaining": _s(self.deductible_remaining),
                "out_of_pocket_remaining": _s(self.out_of_pocket_remaining),
                "answered_on": self.answered_on, "source": self.source}


def _s(value: Decimal | None) -> str | None:
    return None if value is None else str(value)


def _money(value: Decimal) -> Decimal:
    return value.quantize(CENT, rounding=ROUND_HALF_UP)


def _gfe_due_by(*, requested_on: dt.date, service_date: dt.date, booked: bool,
                closed: frozenset[dt.date] | set[dt.date] = frozenset()) -> dt.date:
    """When a Good Faith Estimate must be given (45 CFR 149.610(b)(1)(iii)): booked 3 to 9 business days ahead,
    within 1 business day of booking; booked 10 or more ahead, or asked for without a booking, within 3. A business
    day is one the practice is open (149.610(a)(2)): weekdays that are not the location's holidays (`closed`)."""
    ahead = business_days_between(requested_on, service_date, closed)
    if booked and 3 <= ahead < 10:
        return business_days_after(requested_on, 1, closed)[-1]
    if booked and ahead < 3:
        return requested_on  # not required so soon before the visit; given now
    return business_days_after(requested_on, 3, closed)[-1]


def _split_line(allowed: Decimal, state: dict[str, Decimal | None], assumptions: set[str]) -> Decimal:
    """The patient's share of one line's allowed amount; `state` carries what is left of the co-pay, deductible
    and out-of-pocket maximum from line to line."""
    rest, patient = allowed, ZERO
    copay = state.get("copay")
    if copay:
        taken = min(copay, rest)
        patient, rest, state["copay"] = patient + taken, rest - taken, ZERO
    deductible = state.get("deductible")
    if deductible:
        taken = min(deductible, rest)
        patient, rest, state["deductible"] = patient + taken, rest - taken, deductible - taken
    coinsurance = state.get("coinsurance")
    if coinsurance:
        patient += _money(rest * coinsurance)
    oop = state.get("oop")
    if oop is not None:
        if patient > oop:
            assumptions.add("oop-reached")
        patient = min(patient, oop)
        state["oop"] = oop - patient
    return _money(patient)


def _benefits(coverage: Coverage, service_date: dt.date, assumptions: list[dict[str, Any]]) -> Benefits:
    result = insurance_selectors.latest_for_coverages([coverage.pk]).get(coverage.pk)
    if result is not None and result.status == "active":
        answered = (result.answered_at or result.requested_at).date()
        benefits = Benefits(result.copay, result.coinsurance_percent, result.deductible_remaining,
                            result.out_of_pocket_remaining, answered.isoformat(), "271")
        assumptions.append({"code": "benefits-271", "params": {"date": answered.isoformat()}})
        if (service_date - answered).days > 30:
            assumptions.append({"code": "benefits-old", "params": {"days": (service_date - answered).days}})
        return benefits
    copay = coverage.copay_specialist if coverage.copay_specialist is not None else coverage.copay_primary
    assumptions.append({"code": "benefits-none", "params": {}})
    return Benefits(copay=copay, source="coverage" if copay is not None else "none")


def _lines_for(appointment: Appointment | None, lines: list[EstimateLine]) -> list[EstimateLine]:
    if lines or appointment is None:
        return lines
    return [EstimateLine(u.code, u.modifiers, u.units)
            for u in UsualCode.objects.filter(appointment_type_id=appointment.appointment_type_id)
            .order_by("position", "pk")]


def _clean_lines(lines: list[EstimateLine]) -> list[EstimateLine]:
    if not lines:
        raise ValidationFailed("no-lines", _("Add at least one service to estimate."),
                               fields={"lines": [_("Required.")]})
    if len(lines) > MAX_LINES:
        raise ValidationFailed("too-many-lines", _("At most 20 services."), fields={"lines": [_("At most 20.")]})
    cleaned = []
    for n, line in enumerate(lines, start=1):
        units = line.units
        if not isinstance(units, int) or isinstance(units, bool) or not 1 <= units <= 99:
            raise ValidationFailed("bad-units", _("Line %(n)s: units are 1 to 99.") % {"n": n},
                                   fields={"lines": [_("Units are 1 to 99.")]})
        cleaned.append(EstimateLine(clean_code(line.code, field="lines"),
                                    clean_modifiers(line.modifiers, field="lines"), units))
    return cleaned


def _clean_diagnoses(diagnoses: list[str]) -> list[str]:
    out = []
    for raw in diagnoses[:12]:
        code = icd_normalize(str(raw))
        if not code:
            continue
        if not icd_is_valid(code):
            raise ValidationFailed("unknown-diagnosis", _("%(code)s is not an ICD-10-CM code.") % {"code": raw},
                                   fields={"diagnoses": [_("Not an ICD-10-CM code.")]})
        out.append(code)
    return out


def _coverage_on(patient: Any, day: dt.date) -> Coverage | None:
    for coverage in Coverage.objects.select_related("payer").filter(patient=patient).order_by("order", "pk"):
        if coverage.is_active_on(day):
            return coverage
    return None


def _store_pdf(actor: Actor, estimate: Estimate) -> None:
    from ..estimate_pdf import estimate_pdf

    data = estimate_pdf(estimate)
    with translation.override(estimate.language):
        label = str(EstimateKind(estimate.kind).label)
        signed = " (%s)" % _("signed") if estimate.status != EstimateStatus.ISSUED else ""  # noqa: UP031
    document = store_document(actor=actor, patient=estimate.patient, kind=Document.Kind.OTHER, data=data,
                              content_type="application/pdf", document_date=estimate.requested_on,
                              description=f"{label} {estimate.number}{signed}")
    estimate.document = document
    estimate.save(update_fields=["document"])


@atomic_service
def estimate_create(*, actor: Actor, patient_id: int, location_id: int | None = None,
                    appointment_id: int | None = None, lines: list[EstimateLine] | None = None,
                    diagnoses: list[str] | None = None, self_pay: bool = False, language: str = "",
                    service_date: dt.date | None = None, idempotency_key: str) -> Estimate:
    """Make (and store on the chart as PDF) the estimate of a visit: a cost estimate for an insured patient, the
    Good Faith Estimate for one uninsured or paying for themself. Desk staff at the location or billing staff."""
    if not idempotency_key or len(idempotency_key) > 64:
        raise ValidationFailed("bad-key", _("A request key is required."))
    if prior := Estimate.objects.filter(idempotency_key=idempotency_key).first():
        _require_cashier(actor, prior.location_id, hide=True, resource_type="estimate", resource_id=prior.pk)
        return prior
    appointment = None
    if appointment_id is not None:
        appointment = (Appointment.objects.select_related("location", "appointment_type")
                       .filter(pk=appointment_id).first() if isinstance(appointment_id, int) else None)
        if appointment is None or appointment.patient_id != patient_id:
            raise NotFound()
        location = appointment.location
    elif location_id is not None:
        location = _location(location_id)
    else:
        raise ValidationFailed("no-location", _("Choose the appointment or the location."),
                               fields={"location_id": [_("Required.")]})
    _require_cashier(actor, location, hide=True)
    patient = _patient(actor, patient_id, location)
    tz = ZoneInfo(location.time_zone)
    today = clock.today_in(tz)
    if appointment is not None:
        service_date = appointment.start.astimezone(tz).date()
    elif service_date is None:
        service_date = today
    if service_date < today:
        raise ValidationFailed("past-visit", _("An estimate is made before the visit."),
                               fields={"service_date": [_("Today or later.")]})
    language = language or patient.preferred_language or "en"
    if language not in LANGUAGES:
        language = "en"
    priced = _clean_lines(_lines_for(appointment, list(lines or [])))
    codes = _clean_diagnoses(list(diagnoses or []))
    coverage = None if self_pay else _coverage_on(patient, service_date)
    kind = EstimateKind.ESTIMATE if coverage is not None else EstimateKind.GOOD_FAITH
    assumptions: list[dict[str, Any]] = []
    if kind == EstimateKind.GOOD_FAITH:
        assumptions.append({"code": "self-pay" if self_pay else "uninsured", "params": {}})
        benefits = Benefits()
    else:
        assert coverage is not None
        benefits = _benefits(coverage, service_date, assumptions)
    state: dict[str, Decimal | None] = {"copay": benefits.copay, "deductible": benefits.deductible_remaining,
                                        "coinsurance": benefits.coinsurance, "oop": benefits.out_of_pocket_remaining}
    flags: set[str] = set()
    rows, totals = [], {"charge": ZERO, "allowed": ZERO, "payer": ZERO, "patient": ZERO}
    for line in priced:
        fee = fee_in_effect(line.code, line.modifiers, service_date)
        if fee is None:
            raise ValidationFailed("code-not-on-fee-schedule",
                                   _("%(code)s has no price on the fee schedule on %(day)s.")
                                   % {"code": line.code, "day": service_date.isoformat()},
                                   fields={"lines": [_("Not on the fee schedule.")]})
        charge = _money(fee.price * line.units)
        if coverage is None:
            allowed, patient_share = charge, charge
        else:
            contract = ContractedAmount.objects.filter(fee_item=fee, payer_id=coverage.payer_id).first()
            if contract is None:
                flags.add("no-contract")
                allowed = charge
            else:
                allowed = _money(contract.amount * line.units)
            patient_share = _split_line(allowed, state, flags)
        payer_share = allowed - patient_share
        rows.append({"code": line.code, "modifiers": line.modifiers, "description": fee.description,
                     "units": line.units, "charge": str(charge), "allowed": str(allowed),
                     "payer": str(payer_share), "patient": str(patient_share)})
        totals["charge"] += charge
        totals["allowed"] += allowed
        totals["payer"] += payer_share
        totals["patient"] += patient_share
    if coverage is not None:
        if benefits.copay:
            assumptions.append({"code": "copay-once", "params": {"amount": str(benefits.copay)}})
        if benefits.deductible_remaining is not None:
            assumptions.append({"code": "deductible", "params": {"amount": str(benefits.deductible_remaining)}})
        if benefits.coinsurance is not None:
            assumptions.append({"code": "coinsurance",
                                "params": {"percent": f"{(benefits.coinsurance * 100).normalize():f}"}})
        if benefits.out_of_pocket_remaining is not None:
            assumptions.append({"code": "oop", "params": {"amount": str(benefits.out_of_pocket_remaining)}})
        assumptions += [{"code": flag, "params": {}} for flag in sorted(flags)]
    assumptions.append({"code": "fee-schedule", "params": {"date": service_date.isoformat()}})
    due_by = (_gfe_due_by(requested_on=today, service_date=service_date, booked=appointment is not None,
                          closed=closed_days(location_id=location.pk, first=today,
                                             last=max(service_date, today) + dt.timedelta(days=30)))
              if kind == EstimateKind.GOOD_FAITH else today)
    prefix = "GFE" if kind == EstimateKind.GOOD_FAITH else "EST"
    try:
        with transaction.atomic():
            estimate = Estimate.objects.create(
                patient=patient, appointment=appointment, location=location, kind=kind,
                number=f"{prefix}-{today:%y%m%d}-{uuid.uuid4().hex[:6].upper()}", language=language,
                service_date=service_date, coverage=coverage,
                payer_name=coverage.payer.name if coverage is not None else "", benefits=benefits.as_json(),
                diagnoses=codes, lines=rows, assumptions=assumptions, total_charge=totals["charge"],
                total_allowed=totals["allowed"], payer_total=totals["payer"], patient_total=totals["patient"],
                requested_on=today, due_by=due_by, idempotency_key=idempotency_key, created_at=clock.now(),
                created_by=staff_user(actor))
    except IntegrityError as exc:
        raise Conflict("estimate-repeated", _("This estimate was just made: reload the page.")) from exc
    _store_pdf(actor, estimate)
    record(actor, "estimate.create", estimate, patient=patient,
           detail={"kind": kind, "lines": len(rows), "patient_total": str(totals["patient"]),
                   "document": estimate.document_id})
    return estimate


@atomic_service
def estimate_sign(*, actor: Actor, estimate_id: int, method: str, signed_name: str = "") -> Estimate:
    """The patient signed the estimate (their name as signed), or a staff member marks it received (who and when
    are kept); the signed copy is stored on the chart. Once only."""
    estimate = (Estimate.objects.select_for_update(of=("self",)).select_related("patient", "location")
                .filter(pk=estimate_id).first()) if isinstance(estimate_id, int) else None
    if estimate is None:
        raise NotFound()
    _require_cashier(actor, estimate.location_id, hide=True, resource_type="estimate", resource_id=estimate.pk)
    if method not in SignatureMethod.values:
        raise ValidationFailed("bad-field", _("Choose signed or received."), fields={"method": [_("Required.")]})
    name = (signed_name or "").strip()
    if method == SignatureMethod.SIGNED and not name:
        raise ValidationFailed("no-signature", _("Type the name the patient signed with."),
                               fields={"signed_name": [_("Required.")]})
    if len(name) > 120 or "\x00" in name:
        raise ValidationFailed("bad-field", _("The name is at most 120 characters."),
                               fields={"signed_name": [_("At most 120 characters.")]})
    if estimate.status != EstimateStatus.ISSUED:
        raise InvalidTransition("estimate-signed", _("This estimate is already signed or received."))
    staff = staff_user(actor)
    estimate.signature_method = method
    estimate.status = EstimateStatus.SIGNED if method == SignatureMethod.SIGNED else EstimateStatus.RECEIVED
    estimate.signed_name = name if method == SignatureMethod.SIGNED else (
        getattr(staff, "get_full_name", lambda: "")() or getattr(staff, "username", ""))
    estimate.signed_at, estimate.signed_by = clock.now(), staff
    estimate.save(update_fields=["signature_method", "status", "signed_name", "signed_at", "signed_by"])
    _store_pdf(actor, estimate)
    record(actor, "estimate.sign", estimate, patient=estimate.patient_id,
           detail={"method": method, "document": estimate.document_id})
    return estimate
