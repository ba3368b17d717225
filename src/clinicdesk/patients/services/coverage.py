"""Insurance on file. Coverages of the same order may not overlap in time.

The patient row is locked while coverages are checked and written, so two clerks adding a primary
coverage at once cannot both pass the overlap check.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db.models import Q
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from clinicdesk.audit.services import atomic_service, record
from clinicdesk.core import clock
from clinicdesk.core.exceptions import Conflict, NotFound
from clinicdesk.core.permissions import Actor

from ..models import Coverage, CoverageOrder, Document, Patient, Payer, Sex, SubscriberRelationship
from ..validation import Errors, check_birth_date, check_date, check_member_id, check_money, check_name
from .documents import read_upload, store_document
from .registration import lock_patient


def _day(value: dt.date | None) -> str:
    return date_format(value, "m/d/Y") if value else _("open-ended")


def overlapping(patient: Patient, order: int, start: dt.date, end: dt.date | None,
                exclude_id: int | None = None) -> Coverage | None:
    clash = Coverage.objects.filter(patient=patient, order=order).filter(
        Q(end_date__isnull=True) | Q(end_date__gte=start))
    if end is not None:
        clash = clash.filter(start_date__lte=end)
    if exclude_id is not None:
        clash = clash.exclude(pk=exclude_id)
    return clash.select_related("payer").order_by("start_date", "pk").first()


def overlap_error(existing: Coverage) -> Conflict:
    message = _("The patient already has %(order)s coverage with %(payer)s from %(start)s to %(end)s, which "
                "overlaps these dates. End that coverage first, or choose another order.") % {
        "order": existing.get_order_display().lower(), "payer": existing.payer.name,
        "start": _day(existing.start_date), "end": _day(existing.end_date)}
    return Conflict("coverage-overlap", message, fields={"start_date": [message]})


@atomic_service
def coverage_add(*, actor: Actor, patient_id: int, payer_id: int, member_id: str, start_date: Any,
                 order: int = CoverageOrder.PRIMARY, end_date: Any = None, plan_name: str = "",
                 group_number: str = "", relationship: str = SubscriberRelationship.SELF,
                 subscriber_family_name: str = "", subscriber_given_name: str = "",
                 subscriber_birth_date: Any = None, subscriber_sex: str = "", copay_primary: Any = None,
                 copay_specialist: Any = None, card_front: Any = None, card_back: Any = None) -> Coverage:
    patient = lock_patient(patient_id, actor=actor)
    errors = Errors()
    payer = Payer.objects.filter(pk=payer_id, active=True).first() if str(payer_id or "").isdigit() else None
    if payer is None:
        errors.add("payer", _("Choose a payer from the list."))
    member = check_member_id(errors, member_id)
    group = (group_number or "").strip().upper()
    if group and not group.replace("-", "").isalnum():
        errors.add("group_number", _("Group number may hold only letters, digits and hyphens."))
    try:
        order = int(order)
    except (TypeError, ValueError):
        order = 0
    if order not in CoverageOrder.values:
        errors.add("order", _("Order must be primary, secondary or tertiary."))
    start = check_date(errors, "start_date", start_date, _("Effective date"))
    if start is None and "start_date" not in errors.fields:
        errors.add("start_date", _("Effective date is required."))
    end = check_date(errors, "end_date", end_date, _("End date"))
    if start and end and end < start:
        errors.add("end_date", _("End date cannot be before the effective date."))
    if relationship not in SubscriberRelationship.values:
        errors.add("relationship", _("Choose the subscriber's relationship to the patient."))
    subscriber: dict[str, Any] = {"subscriber_family_name": "", "subscriber_given_name": "",
                                  "subscriber_birth_date": None, "subscriber_sex": ""}
    if relationship != SubscriberRelationship.SELF:
        subscriber["subscriber_family_name"] = check_name(errors, "subscriber_family_name", subscriber_family_name,
                                                          _("Subscriber last name"), required=True)
        subscriber["subscriber_given_name"] = check_name(errors, "subscriber_given_name", subscriber_given_name,
                                                         _("Subscriber first name"), required=True)
        subscriber["subscriber_birth_date"] = check_birth_date(errors, subscriber_birth_date,
                                                               name="subscriber_birth_date")
        if subscriber_sex and subscriber_sex not in Sex.values:
            errors.add("subscriber_sex", _("Choose the subscriber's sex."))
        subscriber["subscriber_sex"] = subscriber_sex or ""
    if payer is not None:  # co-pays the desk leaves empty come from the payer's defaults (None when it has none)
        copay_primary = payer.default_copay_primary if copay_primary in (None, "") else copay_primary
        copay_specialist = payer.default_copay_specialist if copay_specialist in (None, "") else copay_specialist
    copays = {"copay_primary": check_money(errors, "copay_primary", copay_primary, _("Primary care co-pay")),
              "copay_specialist": check_money(errors, "copay_specialist", copay_specialist, _("Specialist co-pay"))}
    cards: dict[str, tuple[bytes, str]] = {}
    for name, upload in (("card_front", card_front), ("card_back", card_back)):
        if upload:
            try:
                cards[name] = read_upload(upload, field=name)
            except Exception as error:  # ValidationFailed with the field's message
                for field, messages in getattr(error, "fields", {name: [str(error)]}).items():
                    for message in messages:
                        errors.add(field, message)
    errors.raise_if_any("invalid-coverage")
    assert payer is not None and start is not None
    if (existing := overlapping(patient, order, start, end)) is not None:
        raise overlap_error(existing)
    coverage = Coverage.objects.create(
        patient=patient, payer=payer, plan_name=(plan_name or "").strip()[:120], member_id=member,
        group_number=group, relationship=relationship, order=order, start_date=start, end_date=end,
        **subscriber, **copays)
    for name, (data, content_type) in cards.items():
        document = store_document(actor=actor, patient=patient, kind=Document.Kind.INSURANCE_CARD, data=data,
                                  content_type=content_type, document_date=clock.now().date(),
                                  description=f"{payer.name} {'front' if name == 'card_front' else 'back'}")
        setattr(coverage, name, document)
    if cards:
        coverage.save(update_fields=list(cards))
    record(actor, "coverage.create", coverage, patient=patient, detail={"order": order, "payer": payer.pk})
    return coverage


@atomic_service
def coverage_end(*, actor: Actor, coverage_id: int, end_date: Any) -> Coverage:
    coverage = Coverage.objects.filter(pk=coverage_id).only("patient_id").first()
    if coverage is None:
        raise NotFound()
    patient = lock_patient(coverage.patient_id, actor=actor)
    coverage = Coverage.objects.select_related("payer").get(pk=coverage_id)
    errors = Errors()
    end = check_date(errors, "end_date", end_date, _("End date"))
    if end is None and not errors:
        errors.add("end_date", _("End date is required."))
    if end is not None and end < coverage.start_date:
        errors.add("end_date", _("End date cannot be before the effective date."))
    errors.raise_if_any("invalid-coverage")
    coverage.end_date = end
    coverage.save(update_fields=["end_date"])
    record(actor, "coverage.end", coverage, patient=patient, detail={"end_date": str(end)})
    return coverage
