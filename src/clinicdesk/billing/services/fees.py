"""The fee schedule (the practice's procedure list with prices over time), payers' contracted amounts and the
codes each appointment type usually bills. Billing staff keep them (billing write, practice-wide); every change
is audited. One code with the same modifiers never has two periods that overlap: the rows of that code are
locked while a period is checked and written."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from django.db.models import Q
from django.utils.translation import gettext as _

from clinicdesk.audit.services import atomic_service, record
from clinicdesk.core import clock
from clinicdesk.core.exceptions import NotFound, ValidationFailed
from clinicdesk.core.permissions import Actor, Perm, require
from clinicdesk.patients.models import Payer
from clinicdesk.scheduling.models import AppointmentType

from ..codesets import is_modifier, normalize_modifiers, procedure_code_kind
from ..models import ContractedAmount, FeeItem, UsualCode
from ..money import parse_amount

MAX_MODIFIERS = 4


def clean_code(code: str, *, field: str = "code") -> str:
    value = (code or "").strip().upper()
    if not procedure_code_kind(value):
        raise ValidationFailed("bad-procedure-code",
                               _("'%(code)s' is not a CPT code (five digits, or four and F, T or U) nor a HCPCS "
                                 "code (a letter A to V and four digits).") % {"code": value[:10]},
                               fields={field: [_("Enter a code like 99213 or G0438.")]})
    return value


def clean_modifiers(value: str | list[str], *, field: str = "modifiers") -> str:
    """Up to four two-character modifiers, as stored: '25 59'."""
    modifiers = normalize_modifiers(value)
    if len(modifiers) > MAX_MODIFIERS:
        raise ValidationFailed("too-many-modifiers", _("At most four modifiers."),
                               fields={field: [_("At most four modifiers.")]})
    for modifier in modifiers:
        if not is_modifier(modifier):
            raise ValidationFailed("bad-modifier", _("'%(modifier)s' is not a modifier (two letters or digits).")
                                   % {"modifier": modifier[:10]}, fields={field: [_("Two letters or digits each.")]})
    if len(set(modifiers)) != len(modifiers):
        raise ValidationFailed("repeated-modifier", _("A modifier is given twice."),
                               fields={field: [_("A modifier is given twice.")]})
    return " ".join(modifiers)


def _overlaps(code: str, modifiers: str, start: dt.date, end: dt.date | None, *, exclude: int | None = None
              ) -> FeeItem | None:
    """The first period of the code (with these modifiers) that shares a day with start..end (None: open).
    Every row of the code is locked first (ordered by pk), so two periods cannot be added side by side."""
    rows = list(FeeItem.objects.select_for_update().filter(code=code, modifiers=modifiers).order_by("pk"))
    for row in rows:
        if row.pk == exclude:
            continue
        if (row.effective_to is None or row.effective_to >= start) and (end is None or row.effective_from <= end):
            return row
    return None


def _check_period(code: str, modifiers: str, start: dt.date, end: dt.date | None, *,
                  exclude: int | None = None) -> None:
    if end is not None and end < start:
        raise ValidationFailed("period-reversed", _("The period ends before it starts."),
                               fields={"effective_to": [_("On or after the start.")]})
    clash = _overlaps(code, modifiers, start, end, exclude=exclude)
    if clash is not None:
        until = clash.effective_to.isoformat() if clash.effective_to else _("open-ended")
        raise ValidationFailed("fee-period-overlap",
                               _("%(code)s already has a price from %(start)s to %(end)s: periods of one code "
                                 "and modifiers may not overlap. End that period first.")
                               % {"code": f"{code} {modifiers}".strip(), "start": clash.effective_from.isoformat(),
                                  "end": until},
                               fields={"effective_from": [_("Overlaps another period of this code.")]})


def _fee_values(item: FeeItem) -> dict[str, Any]:
    return {"code": item.code, "modifiers": item.modifiers, "description": item.description,
            "price": str(item.price), "effective_from": item.effective_from.isoformat(),
            "effective_to": item.effective_to.isoformat() if item.effective_to else None}


def _text(value: str, field: str) -> str:
    text = (value or "").strip()
    if not text:
        raise ValidationFailed("description-required", _("Describe the procedure in the practice's words."),
                               fields={field: [_("Required.")]})
    return text[:200]


@atomic_service
def fee_item_create(*, actor: Actor, code: str, description: str, price: Decimal, effective_from: dt.date,
                    modifiers: str | list[str] = "", effective_to: dt.date | None = None) -> FeeItem:
    """A procedure on the fee schedule, priced over a period (open-ended without `effective_to`)."""
    require(actor, Perm.BILLING_WRITE)
    if not isinstance(price, Decimal):
        raise TypeError("fee_item_create takes a Decimal price: parse it in a form first.")
    code = clean_code(code)
    modifier_text = clean_modifiers(modifiers)
    text = _text(description, "description")
    value = parse_amount(price, field="price")
    _check_period(code, modifier_text, effective_from, effective_to)
    item = FeeItem.objects.create(code=code, modifiers=modifier_text, description=text, price=value,
                                  effective_from=effective_from, effective_to=effective_to, created_at=clock.now())
    record(actor, "fee.create", item, detail=_fee_values(item))
    return item


def _item(item_id: int, *, lock: bool = False) -> FeeItem:
    rows = FeeItem.objects.select_for_update() if lock else FeeItem.objects
    item = rows.filter(pk=item_id).first()
    if item is None:
        raise NotFound()
    return item


_UNSET: Any = object()


@atomic_service
def fee_item_update(*, actor: Actor, item_id: int, description: str | None = None, price: Decimal | None = None,
                    effective_from: dt.date | None = None, effective_to: dt.date | None = _UNSET) -> FeeItem:
    """Change a period's words, price or dates (charges already posted keep their amounts). The code and its
    modifiers are what the line is: a different code is a new line."""
    require(actor, Perm.BILLING_WRITE)
    item = _item(item_id, lock=True)
    before = _fee_values(item)
    if description is not None:
        item.description = _text(description, "description")
    if price is not None:
        if not isinstance(price, Decimal):
            raise TypeError("fee_item_update takes a Decimal price.")
        item.price = parse_amount(price, field="price")
    if effective_from is not None:
        item.effective_from = effective_from
    if effective_to is not _UNSET:
        item.effective_to = effective_to
    _check_period(item.code, item.modifiers, item.effective_from, item.effective_to, exclude=item.pk)
    item.save()
    after = _fee_values(item)
    record(actor, "fee.update", item, detail={k: [before[k], after[k]] for k in after if before[k] != after[k]})
    return item


@atomic_service
def contract_set(*, actor: Actor, item_id: int, payer_id: int, amount: Decimal | None) -> ContractedAmount | None:
    """The amount a payer has agreed to pay for a fee schedule line; None removes it."""
    require(actor, Perm.BILLING_WRITE)
    item = _item(item_id)
    payer = Payer.objects.filter(pk=payer_id).first()
    if payer is None:
        raise ValidationFailed("unknown-payer", _("No such payer."), fields={"payer": [_("Choose a payer.")]})
    if amount is None:
        removed, _count = ContractedAmount.objects.filter(fee_item=item, payer=payer).delete()
        if removed:
            record(actor, "fee.contract_remove", item, detail={"payer": payer.pk})
        return None
    if not isinstance(amount, Decimal):
        raise TypeError("contract_set takes a Decimal amount.")
    value = parse_amount(amount, field="amount")
    contract, _created = ContractedAmount.objects.update_or_create(fee_item=item, payer=payer,
                                                                   defaults={"amount": value})
    record(actor, "fee.contract_set", item, detail={"payer": payer.pk, "amount": str(value)})
    return contract


@atomic_service
def usual_code_add(*, actor: Actor, appointment_type_id: int, code: str, modifiers: str | list[str] = "",
                   units: int = 1) -> UsualCode:
    """A code that a visit of this type usually bills: it pre-fills the superbill. The code must be on the fee
    schedule (in some period)."""
    require(actor, Perm.BILLING_WRITE)
    kind = AppointmentType.objects.filter(pk=appointment_type_id).first()
    if kind is None:
        raise ValidationFailed("unknown-appointment-type", _("No such appointment type."),
                               fields={"appointment_type": [_("Choose an appointment type.")]})
    code = clean_code(code)
    modifier_text = clean_modifiers(modifiers)
    if not FeeItem.objects.filter(code=code).exists():
        raise ValidationFailed("code-not-on-fee-schedule", _("%(code)s is not on the fee schedule: add it there "
                                                             "first.") % {"code": code},
                               fields={"code": [_("Not on the fee schedule.")]})
    if not 1 <= units <= 999:
        raise ValidationFailed("bad-units", _("Units are 1 to 999."), fields={"units": [_("1 to 999.")]})
    if UsualCode.objects.filter(appointment_type=kind, code=code, modifiers=modifier_text).exists():
        raise ValidationFailed("usual-code-exists", _("This appointment type already lists that code."),
                               fields={"code": [_("Already listed.")]})
    last = UsualCode.objects.filter(appointment_type=kind).order_by("-position").first()
    usual = UsualCode.objects.create(appointment_type=kind, code=code, modifiers=modifier_text, units=units,
                                     position=(last.position + 1) if last else 1)
    record(actor, "fee.usual_add", usual, detail={"appointment_type": kind.pk, "code": code,
                                                  "modifiers": modifier_text, "units": units})
    return usual


@atomic_service
def usual_code_remove(*, actor: Actor, usual_code_id: int) -> None:
    require(actor, Perm.BILLING_WRITE)
    usual = UsualCode.objects.filter(pk=usual_code_id).first()
    if usual is None:
        raise NotFound()
    record(actor, "fee.usual_remove", usual, detail={"appointment_type": usual.appointment_type_id,
                                                     "code": usual.code})
    usual.delete()


def fee_in_effect(code: str, modifiers: str, day: dt.date) -> FeeItem | None:
    """The fee schedule line that prices `code` with `modifiers` on `day`: the one listing exactly those
    modifiers, else the code's line without modifiers (a modifier such as 25 does not change the price)."""
    rows = FeeItem.objects.filter(code=code, effective_from__lte=day).filter(
        Q(effective_to__isnull=True) | Q(effective_to__gte=day))
    exact = rows.filter(modifiers=modifiers).first()
    if exact is not None or not modifiers:
        return exact
    return rows.filter(modifiers="").first()
