"""Charge capture: the superbill (encounter form) of a fulfilled visit, and posting its charges.

`superbill_open` starts one from a fulfilled appointment, with the appointment type's usual codes pre-filled;
`superbill_save` replaces a draft's diagnoses and lines (every code checked: billable ICD-10-CM only, procedure
codes on the fee schedule on the date of service, pointers to listed diagnoses); `superbill_post` writes one
charge per line through the ledger's `charge_write`, priced from the fee schedule in effect on the date of
service, once: a second post returns the posted superbill and writes nothing. A posted superbill is never edited:
`superbill_reverse` reverses its charges (billing write) and the visit may be coded again.

Who: charge capture (the provider or the biller) at the visit's location; anyone else gets 403, and a user of
another location 404 (the visit looks missing)."""

from __future__ import annotations

import dataclasses
from decimal import Decimal
from typing import Any

from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from clinicdesk.audit.services import atomic_service, record
from clinicdesk.core import clock
from clinicdesk.core.exceptions import Conflict, InvalidTransition, NotFound, ValidationFailed
from clinicdesk.core.permissions import Actor, Perm, require, staff_user
from clinicdesk.patients import selectors as patient_selectors
from clinicdesk.practice.models import Practitioner
from clinicdesk.scheduling.models import Appointment, AppointmentStatus

from ..codesets import icd_dotted, icd_is_billable, icd_is_valid, icd_normalize
from ..models import PLACES_OF_SERVICE, Superbill, SuperbillDiagnosis, SuperbillLine, SuperbillStatus, UsualCode
from .fees import clean_code, clean_modifiers, fee_in_effect
from .ledger import charge_write, entry_reverse

MAX_DIAGNOSES = 12
MAX_POINTERS = 4
MAX_LINES = 50


@dataclasses.dataclass(frozen=True)
class LineInput:
    """A procedure line as parsed by a form or the API (codes as typed; the service checks them)."""

    code: str
    modifiers: str | list[str] = ""
    units: int = 1
    pointers: tuple[int, ...] = ()
    place_of_service: str = "11"
    rendering_id: int | None = None


def _require_capture(actor: Actor, superbill_or_appointment: Any, *, patient_id: int | None = None) -> None:
    """Charge capture at all (403 otherwise), then at the visit's location (404: it looks missing)."""
    require(actor, Perm.CHARGE_CAPTURE)
    require(actor, Perm.CHARGE_CAPTURE, location=superbill_or_appointment.location_id, hide=True,
            resource_type=type(superbill_or_appointment).__name__.lower(), resource_id=superbill_or_appointment.pk,
            patient_id=patient_id)


def _superbill(superbill_id: int, *, lock: bool = False) -> Superbill:
    rows = Superbill.objects.select_for_update(of=("self",)) if lock else Superbill.objects
    superbill = rows.select_related("appointment", "location").filter(pk=superbill_id).first()
    if superbill is None:
        raise NotFound()
    return superbill


def _default_place(appointment: Appointment) -> str:
    return "10" if appointment.telehealth else "11"


@atomic_service
def superbill_open(*, actor: Actor, appointment_id: int) -> Superbill:
    """The visit's superbill being coded (or posted): an existing one, or a new draft with the appointment type's
    usual codes, the visit's provider rendering and the office (telehealth: the patient's home) as the place."""
    require(actor, Perm.CHARGE_CAPTURE)
    appointment = (Appointment.objects.select_for_update(of=("self",)).select_related("location")
                   .filter(pk=appointment_id).first())
    if appointment is None:
        raise NotFound()
    _require_capture(actor, appointment, patient_id=appointment.patient_id)
    live = Superbill.objects.filter(appointment=appointment).exclude(status=SuperbillStatus.REVERSED).first()
    if live is not None:
        return live
    if appointment.status != AppointmentStatus.FULFILLED:
        raise InvalidTransition("visit-not-fulfilled", _("Only a visit that took place (marked done) is coded."))
    patient = patient_selectors.patient_in_reach(actor, appointment.patient_id, perm=Perm.CHARGE_CAPTURE,
                                                 location=appointment.location_id)
    day = appointment.start.astimezone(appointment.location.tz).date()
    try:
        with transaction.atomic():
            superbill = Superbill.objects.create(appointment=appointment, patient=patient,
                                                 location=appointment.location, date_of_service=day,
                                                 created_by=staff_user(actor), created_at=clock.now())
    except IntegrityError as exc:  # another request opened it first
        raise Conflict("superbill-exists", _("This visit is already being coded: open it again.")) from exc
    usual = UsualCode.objects.filter(appointment_type_id=appointment.appointment_type_id).order_by("position", "pk")
    SuperbillLine.objects.bulk_create([
        SuperbillLine(superbill=superbill, position=n, code=u.code, modifiers=u.modifiers, units=u.units,
                      pointers=[], place_of_service=_default_place(appointment),
                      rendering_id=appointment.practitioner_id,
                      description=getattr(fee_in_effect(u.code, u.modifiers, day), "description", ""))
        for n, u in enumerate(usual, start=1)])
    record(actor, "superbill.open", superbill, patient=patient,
           detail={"appointment": appointment.pk, "prefilled": [u.code for u in usual]})
    return superbill


def _clean_diagnoses(codes: list[str]) -> list[str]:
    cleaned = [icd_normalize(c) for c in codes if (c or "").strip()]
    if len(cleaned) > MAX_DIAGNOSES:
        raise ValidationFailed("too-many-diagnoses", _("A superbill holds at most 12 diagnoses."),
                               fields={"diagnoses": [_("At most 12 diagnoses.")]})
    for n, code in enumerate(cleaned, start=1):
        field = {f"dx{n}": [_("Not billable.")]}
        if not icd_is_valid(code):
            raise ValidationFailed("unknown-diagnosis", _("Diagnosis %(n)s: %(code)s is not an ICD-10-CM code.")
                                   % {"n": n, "code": code[:10]}, fields={f"dx{n}": [_("Unknown code.")]})
        if not icd_is_billable(code):
            raise ValidationFailed("diagnosis-not-billable",
                                   _("Diagnosis %(n)s: %(code)s is a category, not billable: choose one of its more "
                                     "specific codes.") % {"n": n, "code": icd_dotted(code)}, fields=field)
    if len(set(cleaned)) != len(cleaned):
        raise ValidationFailed("repeated-diagnosis", _("A diagnosis is listed twice."),
                               fields={"diagnoses": [_("Listed twice.")]})
    return cleaned


def _clean_line(n: int, line: LineInput, diagnoses: list[str], superbill: Superbill) -> dict[str, Any]:
    code = clean_code(line.code, field=f"line{n}-code")
    modifiers = clean_modifiers(line.modifiers, field=f"line{n}-modifiers")
    fee = fee_in_effect(code, modifiers, superbill.date_of_service)
    if fee is None:
        raise ValidationFailed("code-not-on-fee-schedule",
                               _("Line %(n)s: %(code)s has no price on the fee schedule on %(day)s.")
                               % {"n": n, "code": code, "day": superbill.date_of_service.isoformat()},
                               fields={f"line{n}-code": [_("Not on the fee schedule.")]})
    if not isinstance(line.units, int) or not 1 <= line.units <= 999:
        raise ValidationFailed("bad-units", _("Line %(n)s: units are 1 to 999.") % {"n": n},
                               fields={f"line{n}-units": [_("1 to 999.")]})
    pointers = list(line.pointers)
    if len(pointers) > MAX_POINTERS:
        raise ValidationFailed("too-many-pointers", _("Line %(n)s points to at most four diagnoses.") % {"n": n},
                               fields={f"line{n}-pointers": [_("At most four.")]})
    if len(set(pointers)) != len(pointers):
        raise ValidationFailed("repeated-pointer", _("Line %(n)s points to a diagnosis twice.") % {"n": n},
                               fields={f"line{n}-pointers": [_("Twice.")]})
    for pointer in pointers:
        if not isinstance(pointer, int) or not 1 <= pointer <= len(diagnoses):
            raise ValidationFailed("pointer-to-no-diagnosis",
                                   _("Line %(n)s points to diagnosis %(pointer)s, which is not listed.")
                                   % {"n": n, "pointer": pointer},
                                   fields={f"line{n}-pointers": [_("No such diagnosis.")]})
    if line.place_of_service not in PLACES_OF_SERVICE:
        raise ValidationFailed("bad-place-of-service", _("Line %(n)s: choose the place of service.") % {"n": n},
                               fields={f"line{n}-place_of_service": [_("Choose a place.")]})
    rendering = line.rendering_id or superbill.appointment.practitioner_id
    if not Practitioner.objects.filter(pk=rendering, locations=superbill.location_id).exists():
        raise ValidationFailed("bad-rendering-provider",
                               _("Line %(n)s: the rendering provider does not work at this location.") % {"n": n},
                               fields={f"line{n}-rendering": [_("Choose a provider of this location.")]})
    return {"position": n, "code": code, "modifiers": modifiers, "units": line.units, "pointers": pointers,
            "place_of_service": line.place_of_service, "rendering_id": rendering, "description": fee.description}


def _editable(actor: Actor, superbill_id: int) -> Superbill:
    require(actor, Perm.CHARGE_CAPTURE)
    superbill = _superbill(superbill_id, lock=True)
    _require_capture(actor, superbill, patient_id=superbill.patient_id)
    return superbill


@atomic_service
def superbill_save(*, actor: Actor, superbill_id: int, diagnoses: list[str], lines: list[LineInput]) -> Superbill:
    """Replace a draft's diagnoses (in order) and lines. A posted superbill is not edited (409)."""
    superbill = _editable(actor, superbill_id)
    if superbill.status != SuperbillStatus.DRAFT:
        raise InvalidTransition("superbill-not-draft",
                                _("A posted superbill is not edited: reverse its charges and code the visit again."))
    codes = _clean_diagnoses(diagnoses)
    if len(lines) > MAX_LINES:
        raise ValidationFailed("too-many-lines", _("At most 50 lines."), fields={"lines": [_("At most 50.")]})
    cleaned = [_clean_line(n, line, codes, superbill) for n, line in enumerate(lines, start=1)]
    superbill.diagnoses.all().delete()
    superbill.lines.all().delete()
    SuperbillDiagnosis.objects.bulk_create([SuperbillDiagnosis(superbill=superbill, position=n, code=code)
                                            for n, code in enumerate(codes, start=1)])
    SuperbillLine.objects.bulk_create([SuperbillLine(superbill=superbill, **values) for values in cleaned])
    record(actor, "superbill.save", superbill, patient=superbill.patient_id,
           detail={"diagnoses": codes, "lines": [f"{v['code']} {v['modifiers']}".strip() for v in cleaned]})
    return superbill


def _ready(superbill: Superbill) -> tuple[list[SuperbillDiagnosis], list[SuperbillLine]]:
    diagnoses = list(superbill.diagnoses.order_by("position"))
    lines = list(superbill.lines.order_by("position"))
    if not diagnoses:
        raise ValidationFailed("no-diagnosis", _("Add at least one diagnosis before posting."),
                               fields={"dx1": [_("Required.")]})
    if not lines:
        raise ValidationFailed("no-lines", _("Add at least one procedure line before posting."),
                               fields={"lines": [_("Required.")]})
    codes = [d.code for d in diagnoses]
    _clean_diagnoses(codes)  # the code set may have changed since the draft was saved
    for line in lines:
        if not line.pointers:
            raise ValidationFailed("pointer-required",
                                   _("Line %(n)s (%(code)s) points to no diagnosis: give one to four.")
                                   % {"n": line.position, "code": line.code},
                                   fields={f"line{line.position}-pointers": [_("Required.")]})
        _clean_line(line.position, LineInput(line.code, line.modifiers, line.units, tuple(line.pointers),
                                             line.place_of_service, line.rendering_id), codes, superbill)
    return diagnoses, lines


@atomic_service
def superbill_post(*, actor: Actor, superbill_id: int) -> Superbill:
    """Write one charge per line on the patient's ledger, priced from the fee schedule in effect on the date of
    service (price x units), once. Posting a posted superbill again writes nothing and returns it."""
    superbill = _editable(actor, superbill_id)
    if superbill.status == SuperbillStatus.POSTED:
        return superbill
    if superbill.status == SuperbillStatus.REVERSED:
        raise InvalidTransition("superbill-reversed", _("This superbill was reversed: code the visit again."))
    _diagnoses, lines = _ready(superbill)
    patient = patient_selectors.patient_in_reach(actor, superbill.patient_id, perm=Perm.CHARGE_CAPTURE,
                                                 location=superbill.location_id, current=True)
    total = Decimal("0.00")
    for line in lines:
        fee = fee_in_effect(line.code, line.modifiers, superbill.date_of_service)
        assert fee is not None  # _ready checked it
        amount = (fee.price * line.units).quantize(Decimal("0.01"))
        label = " ".join(filter(None, [line.code, line.modifiers, fee.description]))
        if line.units > 1:
            label += " " + ngettext("(%(units)s unit)", "(%(units)s units)", line.units) % {"units": line.units}
        entry = charge_write(actor=actor, patient=patient, location=superbill.location, amount=amount,
                             description=label, appointment_id=superbill.appointment_id,
                             idempotency_key=f"superbill:{superbill.pk}:{line.position}",
                             detail={"superbill": superbill.pk, "code": line.code})
        line.charge, line.ledger_entry, line.description = amount, entry, fee.description
        line.save(update_fields=["charge", "ledger_entry", "description"])
        total += amount
    superbill.status = SuperbillStatus.POSTED
    superbill.posted_at, superbill.posted_by = clock.now(), staff_user(actor)
    superbill.save(update_fields=["status", "posted_at", "posted_by"])
    record(actor, "superbill.post", superbill, patient=patient,
           detail={"lines": len(lines), "total": str(total)})
    return superbill


@atomic_service
def superbill_reverse(*, actor: Actor, superbill_id: int, reason: str) -> Superbill:
    """Correct a posted superbill: each of its charges not yet reversed gets its reversing entry (the ledger's
    `entry_reverse`, billing write), the superbill is marked reversed and the visit may be coded again."""
    require(actor, Perm.BILLING_WRITE)
    superbill = _superbill(superbill_id, lock=True)
    require(actor, Perm.BILLING_WRITE, location=superbill.location_id, hide=True, resource_type="superbill",
            resource_id=superbill.pk, patient_id=superbill.patient_id)
    if superbill.status != SuperbillStatus.POSTED:
        raise InvalidTransition("superbill-not-posted", _("Only a posted superbill is reversed."))
    if not (reason or "").strip():
        raise ValidationFailed("reason-required", _("Say why the charges are reversed."),
                               fields={"reason": [_("A reason is required.")]})
    reversed_ids = []
    for line in superbill.lines.select_related("ledger_entry").order_by("position"):
        entry = line.ledger_entry
        if entry is None or hasattr(entry, "reversed_by"):
            continue
        reversal = entry_reverse(actor=actor, entry_id=entry.pk, reason=reason)
        reversed_ids.append(reversal.pk)
    superbill.status, superbill.reversed_at = SuperbillStatus.REVERSED, clock.now()
    superbill.save(update_fields=["status", "reversed_at"])
    record(actor, "superbill.reverse", superbill, patient=superbill.patient_id,
           detail={"reversals": reversed_ids, "reason": reason.strip()[:200]})
    return superbill
