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
from clinicdesk.core.changes import diff, snapshot
from clinicdesk.core.exceptions import Conflict, NotFound, ValidationFailed
from clinicdesk.core.permissions import Actor

from ..models import Coverage, CoverageOrder, Document, Patient, Payer, PayerPlan, Sex, SubscriberRelationship
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


COVERAGE_FIELDS = ("payer_id", "plan_id", "plan_name", "member_id", "group_number", "relationship", "order",
                   "start_date", "end_date", "subscriber_family_name", "subscriber_given_name", "subscriber_birth_date",
                   "subscriber_sex", "copay_primary", "copay_specialist")


def _checked(errors: Errors, *, payer_id: Any, plan_id: Any, member_id: str, start_date: Any, order: Any,
             end_date: Any, plan_name: str, group_number: str, relationship: str, subscriber_family_name: str,
             subscriber_given_name: str, subscriber_birth_date: Any, subscriber_sex: str, copay_primary: Any,
             copay_specialist: Any, current: Coverage | None = None) -> dict[str, Any]:
    """The coverage's values, cleaned (one set of rules for a new coverage and a changed one); problems are
    added to `errors`. A changed coverage may keep a payer or plan deactivated since; a new one may not."""
    kept_payer = current.payer_id if current is not None else None
    payer = (Payer.objects.filter(pk=payer_id).filter(Q(active=True) | Q(pk=kept_payer or -1)).first()
             if str(payer_id or "").isdigit() else None)
    if payer is None:
        errors.add("payer", _("Choose a payer from the list."))
    plan = None
    if plan_id not in (None, ""):
        kept_plan = current.plan_id if current is not None else None
        plan = (PayerPlan.objects.filter(pk=plan_id).filter(Q(active=True) | Q(pk=kept_plan or -1)).first()
                if str(plan_id).isdigit() else None)
        if plan is None or (payer is not None and plan.payer_id != payer.pk):
            errors.add("plan", _("Choose one of the payer's plans, or leave the plan empty."))
            plan = None
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
    if payer is not None and current is None:  # co-pays left empty on a new coverage: the payer's defaults
        copay_primary = payer.default_copay_primary if copay_primary in (None, "") else copay_primary
        copay_specialist = payer.default_copay_specialist if copay_specialist in (None, "") else copay_specialist
    copays = {"copay_primary": check_money(errors, "copay_primary", copay_primary, _("Primary care co-pay")),
              "copay_specialist": check_money(errors, "copay_specialist", copay_specialist, _("Specialist co-pay"))}
    name = (plan_name or "").strip()[:120] or (plan.name if plan is not None else "")
    return {"payer": payer, "plan": plan, "plan_name": name, "member_id": member, "group_number": group,
            "relationship": relationship, "order": order, "start_date": start, "end_date": end, **subscriber,
            **copays}


@atomic_service
def coverage_add(*, actor: Actor, patient_id: int, payer_id: int, member_id: str, start_date: Any,
                 order: int = CoverageOrder.PRIMARY, end_date: Any = None, plan_name: str = "",
                 plan_id: int | str | None = None, group_number: str = "",
                 relationship: str = SubscriberRelationship.SELF, subscriber_family_name: str = "",
                 subscriber_given_name: str = "", subscriber_birth_date: Any = None, subscriber_sex: str = "",
                 copay_primary: Any = None, copay_specialist: Any = None, card_front: Any = None,
                 card_back: Any = None) -> Coverage:
    patient = lock_patient(patient_id, actor=actor)
    errors = Errors()
    values = _checked(errors, payer_id=payer_id, plan_id=plan_id, member_id=member_id, start_date=start_date,
                      order=order, end_date=end_date, plan_name=plan_name, group_number=group_number,
                      relationship=relationship, subscriber_family_name=subscriber_family_name,
                      subscriber_given_name=subscriber_given_name, subscriber_birth_date=subscriber_birth_date,
                      subscriber_sex=subscriber_sex, copay_primary=copay_primary, copay_specialist=copay_specialist)
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
    payer, start = values["payer"], values["start_date"]
    assert payer is not None and start is not None
    if (existing := overlapping(patient, values["order"], start, values["end_date"])) is not None:
        raise overlap_error(existing)
    coverage = Coverage.objects.create(patient=patient, **values)
    for name, (data, content_type) in cards.items():
        document = store_document(actor=actor, patient=patient, kind=Document.Kind.INSURANCE_CARD, data=data,
                                  content_type=content_type, document_date=clock.now().date(),
                                  description=f"{payer.name} {'front' if name == 'card_front' else 'back'}")
        setattr(coverage, name, document)
    if cards:
        coverage.save(update_fields=list(cards))
    record(actor, "coverage.create", coverage, patient=patient,
           detail={"order": values["order"], "payer": payer.pk, "plan": coverage.plan_id})
    return coverage


@atomic_service
def coverage_update(*, actor: Actor, coverage_id: int, **changes: Any) -> Coverage:
    """Change a coverage on file (the members given; the others stay): the same rules as a new one, audited
    with what changed. The patient it belongs to cannot change (add a coverage to the other patient)."""
    found = Coverage.objects.filter(pk=coverage_id).only("patient_id").first() if str(coverage_id).isdigit() \
        else None
    if found is None:
        raise NotFound()
    patient = lock_patient(found.patient_id, actor=actor)
    coverage = Coverage.objects.select_related("payer").get(pk=coverage_id)
    allowed = set(COVERAGE_FIELDS)
    if unknown := sorted(set(changes) - allowed):
        raise ValidationFailed("unknown-field", _("These cannot be changed here: %(names)s.") % {
            "names": ", ".join(unknown)}, fields={name: [_("Cannot be changed.")] for name in unknown})
    current = {name: getattr(coverage, name) for name in COVERAGE_FIELDS}
    merged = current | changes
    errors = Errors()
    values = _checked(errors, current=coverage, **merged)
    errors.raise_if_any("invalid-coverage")
    assert values["start_date"] is not None
    if (existing := overlapping(patient, values["order"], values["start_date"], values["end_date"],
                                exclude_id=coverage.pk)) is not None:
        raise overlap_error(existing)
    before = snapshot(coverage, COVERAGE_FIELDS)
    for name, value in values.items():
        setattr(coverage, name, value)
    coverage.save()
    coverage.refresh_from_db()
    if changed := diff(before, snapshot(coverage, COVERAGE_FIELDS)):
        record(actor, "coverage.update", coverage, patient=patient, detail={"changes": changed})
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
