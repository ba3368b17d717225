"""Helpers every billing service shares: the cashier check, the chart in reach, the location, receipt numbers,
idempotent replays and the one insert of a ledger entry."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from clinicdesk.core import clock
from clinicdesk.core.exceptions import Conflict, ValidationFailed
from clinicdesk.core.permissions import Actor, Perm, has_perm, require
from clinicdesk.patients import selectors as patient_selectors
from clinicdesk.patients.models import Patient
from clinicdesk.practice.models import Location

from ..models import LedgerEntry, ReceiptSequence


def _require_cashier(actor: Actor, location: Location | int | None, **hidden: Any) -> None:
    """Desk staff collect money at their own locations; billing staff anywhere they work."""
    if has_perm(actor, Perm.FRONTDESK, location=location) or has_perm(actor, Perm.BILLING_WRITE, location=location):
        return
    require(actor, Perm.BILLING_WRITE, location=location, **hidden)


def _patient(actor: Actor, patient_id: int, location: Location) -> Patient:
    """The chart money is posted to, as patients.visibility decides: one the user could have found (a cashier or
    biller at its home location) or a patient seen at this location (check-in and check-out send their
    appointment's location); any other chart named by id is hidden, as in the search, since its receipt would
    show the name and the balance. Never a merged-away chart: its balance moved to the surviving one."""
    return patient_selectors.patient_in_reach(actor, patient_id, perm=(Perm.FRONTDESK, Perm.BILLING_WRITE),
                                              location=location, current=True)


def _location(location_id: int) -> Location:
    location = Location.objects.filter(pk=getattr(location_id, "pk", location_id), active=True).first()
    if location is None:
        raise ValidationFailed("unknown-location", _("No such location."))
    return location


def _receipt_number() -> str:
    sequence, _created = ReceiptSequence.objects.select_for_update().get_or_create(pk=1)
    sequence.last += 1
    sequence.save(update_fields=["last"])
    return f"R{sequence.last:07d}"


def _replay(idempotency_key: str, actor: Actor, kind: str) -> LedgerEntry | None:
    prior = LedgerEntry.objects.filter(idempotency_key=idempotency_key).first()
    if prior is None:
        return None
    _require_cashier(actor, prior.location_id, hide=True, resource_type="ledgerentry", resource_id=prior.pk)
    if prior.kind != kind:
        raise Conflict("idempotency-key-reused", _("This form was already used for something else."))
    return prior


def _replay_locked(idempotency_key: str, actor: Actor, kind: str) -> LedgerEntry | None:
    """The replay check again, holding the receipt counter that every payment takes: the same form sent twice
    at once was recorded by the other request while this one waited for it."""
    ReceiptSequence.objects.select_for_update().get_or_create(pk=1)
    return _replay(idempotency_key, actor, kind)


def _create(**values: Any) -> LedgerEntry:
    try:
        with transaction.atomic():
            return LedgerEntry.objects.create(created_at=clock.now(), **values)
    except IntegrityError as exc:
        raise Conflict("duplicate-entry", _("This was already recorded.")) from exc


def _key(idempotency_key: str | None) -> str | None:
    key = (idempotency_key or "").strip()[:80]
    return key or None



def _require_parsed(amount: Any, *ids: Any) -> None:
    """Money comes as Decimal and ids as int, parsed by a form (billing/forms.py): text here is a caller's bug."""
    if not isinstance(amount, Decimal) or not all(isinstance(i, int) for i in ids):
        raise TypeError("billing services take a Decimal amount and int ids: parse the input in a form first.")


