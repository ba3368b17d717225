"""Registering patients, editing demographics (with field history) and the record's lifecycle."""

from __future__ import annotations

import copy
import datetime as dt
from collections.abc import Iterable
from typing import Any

from django.utils.translation import gettext as _

from clinicdesk.audit.services import atomic_service, record
from clinicdesk.core import clock
from clinicdesk.core.exceptions import Conflict, NotFound, ValidationFailed
from clinicdesk.core.identifiers import mrn_from_sequence
from clinicdesk.core.permissions import Actor, Perm, require, staff_user
from clinicdesk.practice.models import Location

from .. import hooks
from ..candidates import find_matches
from ..keys import fill_search_keys
from ..matching import Person
from ..models import DuplicateCandidate, MrnSequence, Patient, PatientChange, RelatedPerson
from ..validation import (
    Errors,
    check_birth_date,
    check_date,
    check_name,
    check_storable,
    clean_demographics,
    normalize_phone,
)
from ..visibility import require_patient_in_reach
from .alerts import interpreter_alert_sync

# Fields whose every change is kept in the history (who, when, old, new).
TRACKED_FIELDS = (
    "family_name", "given_name", "middle_name", "suffix", "preferred_name", "previous_family_name", "birth_date",
    "sex", "gender_identity", "pronouns", "race", "ethnicity", "phone", "phone_type", "alt_phone", "alt_phone_type",
    "email", "preferred_language", "interpreter_needed", "address_line", "address_line2", "city", "state",
    "postal_code", "employer", "primary_care_provider", "referring_provider", "sms_opt_in", "sms_opt_in_date",
    "sms_opt_in_source", "email_opt_in", "email_opt_in_date", "email_opt_in_source", "voicemail_opt_in",
    "voicemail_opt_in_date", "voicemail_opt_in_source", "intake", "guarantor_is_self", "restricted", "active",
    "inactive_reason", "deceased_date", "merged_into",
)


def mrns_allocate(count: int) -> list[str]:
    """Take `count` fresh MRNs; call inside a transaction (the sequence row is locked)."""
    sequence, _created = MrnSequence.objects.select_for_update().get_or_create(pk=1)
    first = sequence.last + 1
    sequence.last += count
    sequence.save(update_fields=["last"])
    return [mrn_from_sequence(n) for n in range(first, first + count)]


def lock_patient(patient_id: int, *, perm: Perm = Perm.PATIENT_WRITE, actor: Actor) -> Patient:
    """Load and row-lock a patient the actor may act on; a forbidden one looks like a missing one."""
    require(actor, perm, resource_type="patient", resource_id=patient_id, patient_id=patient_id)
    # FOR NO KEY UPDATE: excludes other writers of the patient, not the foreign-key checks of commits that add a
    # row for them (a payment, a visit) while holding the audit chain head (see scheduling's _lock).
    patient = Patient.objects.select_for_update(no_key=True).filter(pk=patient_id).first()
    if patient is None:
        raise NotFound()
    require_patient_in_reach(actor, patient, perm=perm, resource_id=patient_id)
    return patient


def _actor_name(actor: Actor) -> str:
    return actor.get_username() if getattr(actor, "is_authenticated", False) else "system"


def _as_text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, list):
        return ", ".join(str(v) for v in value)
    if isinstance(value, dict):
        return "; ".join(f"{k}: {', '.join(v) if isinstance(v, list) else v}" for k, v in value.items() if v)
    if isinstance(value, Patient):
        return value.mrn
    return str(value)


def history_write(actor: Actor, patient: Patient, before: dict[str, Any], after: dict[str, Any]) -> list[str]:
    """Write one PatientChange per changed field; returns the names of the changed fields."""
    now = clock.now()
    changed = [name for name in after if before.get(name) != after[name]]
    PatientChange.objects.bulk_create([
        PatientChange(patient=patient, field=name, old_value=_as_text(before.get(name)),
                      new_value=_as_text(after[name]), changed_by=staff_user(actor),
                      changed_by_name=_actor_name(actor), changed_at=now)
        for name in changed
    ])
    return changed


def _clean_contacts(contacts: Iterable[dict[str, Any]]) -> list[RelatedPerson]:
    errors = Errors()
    people = []
    for contact in contacts:
        prefix = "guarantor" if contact.get("kind") == RelatedPerson.Kind.GUARANTOR else "emergency"
        if not any(str(v).strip() for k, v in contact.items() if k != "kind" and v):
            continue
        check_storable(errors, contact, prefix=f"{prefix}_")
        name = check_name(errors, f"{prefix}_name", contact.get("name", ""), _("Name"), required=True)
        relationship = (contact.get("relationship") or "").strip()[:40]
        if not relationship:
            errors.add(f"{prefix}_relationship", _("Relationship is required."))
        phone = normalize_phone(errors, f"{prefix}_phone", contact.get("phone", ""))
        if prefix == "emergency" and not phone:
            errors.add("emergency_phone", _("An emergency contact needs a phone number."))
        birth = None
        if contact.get("birth_date"):
            birth = check_birth_date(errors, contact.get("birth_date"), name=f"{prefix}_birth_date")
        people.append(RelatedPerson(kind=contact.get("kind") or RelatedPerson.Kind.EMERGENCY, name=name,
                                    relationship=relationship, phone=phone, birth_date=birth,
                                    address=(contact.get("address") or "").strip()[:300]))
    errors.raise_if_any()
    return people


@atomic_service
def patient_register(*, actor: Actor, location: Location | int, given_name: str, family_name: str,
                     birth_date: dt.date | str | None, sex: str, duplicate_reason: str = "",
                     contacts: Iterable[dict[str, Any]] = (), idempotency_key: str = "",
                     source: str = "registration", **details: Any) -> Patient:
    """Register a new patient. Likely matches among existing patients refuse the registration
    (Conflict 'possible-duplicate', carrying them) unless a reason to register anyway is given;
    that reason is audited and the pairs go to the duplicate-review worklist."""
    require(actor, Perm.PATIENT_WRITE, location=location)
    if idempotency_key and (prior := Patient.objects.filter(registration_key=idempotency_key).first()):
        return prior
    values = clean_demographics({"given_name": given_name, "family_name": family_name, "birth_date": birth_date,
                                 "sex": sex, **details})
    related = _clean_contacts(contacts)
    person = Person.of(family_name=values["family_name"], given_name=values["given_name"],
                       birth_date=values["birth_date"], sex=values["sex"], phone=values.get("phone", ""),
                       alt_phone=values.get("alt_phone", ""), email=values.get("email", ""),
                       address_line=values.get("address_line", ""), postal_code=values.get("postal_code", ""),
                       previous_family_name=values.get("previous_family_name", ""),
                       middle_name=values.get("middle_name", ""))
    matches = find_matches(person)
    reason = " ".join((duplicate_reason or "").split())
    if matches and not reason:
        error = Conflict("possible-duplicate",
                         _("This person may already have a chart: %(mrns)s. Open that chart, or give a reason "
                           "to register anyway.") % {"mrns": ", ".join(m.patient.mrn for m in matches)})
        error.matches = matches  # type: ignore[attr-defined]
        error.audit_after_rollback = [  # each chart shown (desk, import, FHIR 409) is a disclosure
            {"actor": actor, "action": "patient.match.shown", "patient": m.patient.pk, "resource_type": "patient",
             "resource_id": m.patient.pk, "detail": {"source": source}} for m in matches]
        raise error
    if matches and len(reason) < 5:
        raise ValidationFailed("duplicate-reason", _("Say why this is a different person."),
                               fields={"duplicate_reason": [_("Say why this is a different person.")]})
    interpreter = values.pop("interpreter_needed", None)  # the interpreter alert is its one home (alerts.py)
    patient = Patient(home_location_id=getattr(location, "pk", location), mrn=mrns_allocate(1)[0],
                      registration_key=idempotency_key or None, **values)
    fill_search_keys(patient)
    patient.save()
    if interpreter:
        interpreter_alert_sync(actor=actor, patient=patient, needed=True,
                               reason=_("Interpreter needed, recorded at registration."))
    for person_row in related:
        person_row.patient = patient
    RelatedPerson.objects.bulk_create(related)
    if related and any(r.kind == RelatedPerson.Kind.GUARANTOR for r in related) and patient.guarantor_is_self:
        Patient.objects.filter(pk=patient.pk).update(guarantor_is_self=False)
        patient.guarantor_is_self = False
    record(actor, "patient.create", patient, patient=patient, detail={"source": source})
    hooks.fire_patient_changed(patient, previous=None)
    if matches:
        now = clock.now()
        for match in matches:
            first, second = sorted((patient.pk, match.patient.pk))
            DuplicateCandidate.objects.get_or_create(
                first_id=first, second_id=second,
                defaults={"score": match.result.score, "agreeing": match.result.agreeing, "source": source,
                          "reason": reason[:300], "found_at": now})
        record(actor, "patient.create.duplicate_override", patient, patient=patient,
               detail={"reason": reason[:300], "matches": [m.patient.pk for m in matches],
                       "scores": [m.result.score for m in matches]})
    return patient


@atomic_service
def patient_update(*, actor: Actor, patient_id: int, changes: dict[str, Any]) -> Patient:
    """Change demographic fields; each changed field is kept in the history."""
    patient = lock_patient(patient_id, actor=actor)
    if patient.merged_into_id:
        raise Conflict("merged", _("This chart was merged into another; edit that chart."))
    values = clean_demographics(changes, partial=True)
    interpreter = values.pop("interpreter_needed", None)  # the interpreter alert is its one home (alerts.py)
    for channel in ("sms", "email", "voicemail"):
        flag = f"{channel}_opt_in"
        # An unchanged opt-in keeps the date and source it was given.
        if flag in values and values[flag] == getattr(patient, flag) and f"{flag}_date" not in changes:
            values[f"{flag}_date"] = getattr(patient, f"{flag}_date")
            values[f"{flag}_source"] = values[f"{flag}_source"] or getattr(patient, f"{flag}_source")
    before = {name: getattr(patient, name) for name in values}
    previous = copy.copy(patient)
    for name, value in values.items():
        setattr(patient, name, value)
    changed = history_write(actor, patient, before, values)
    if changed:
        fill_search_keys(patient)
        patient.save()
        record(actor, "patient.update", patient, patient=patient, detail={"fields": changed})
        hooks.fire_patient_changed(patient, previous=previous)
    if interpreter is not None and interpreter != patient.interpreter_needed:
        interpreter_alert_sync(actor=actor, patient=patient, needed=interpreter,
                               reason=_("Interpreter needed, recorded on the patient's details.") if interpreter
                               else _("Interpreter no longer needed, recorded on the patient's details."))
    return patient


def _set_status(actor: Actor, patient: Patient, action: str, **values: Any) -> Patient:
    before = {name: getattr(patient, name) for name in values}
    previous = copy.copy(patient)
    for name, value in values.items():
        setattr(patient, name, value)
    changed = history_write(actor, patient, before, values)
    patient.save()
    record(actor, action, patient, patient=patient, detail={"fields": changed})
    hooks.fire_patient_changed(patient, previous=previous)
    return patient


@atomic_service
def patient_inactivate(*, actor: Actor, patient_id: int, reason: str) -> Patient:
    patient = lock_patient(patient_id, actor=actor)
    reason = " ".join((reason or "").split())[:200]
    if not reason:
        raise ValidationFailed("reason-required", _("Give a reason to inactivate the record."),
                               fields={"reason": [_("Give a reason to inactivate the record.")]})
    if not patient.active:
        raise Conflict("already-inactive", _("The record is already inactive."))
    return _set_status(actor, patient, "patient.inactivate", active=False, inactive_reason=reason)


@atomic_service
def patient_reactivate(*, actor: Actor, patient_id: int) -> Patient:
    patient = lock_patient(patient_id, actor=actor)
    if patient.merged_into_id:
        raise Conflict("merged", _("A merged-away chart cannot be reactivated."))
    if patient.active:
        raise Conflict("already-active", _("The record is already active."))
    return _set_status(actor, patient, "patient.reactivate", active=True, inactive_reason="")


@atomic_service
def patient_mark_deceased(*, actor: Actor, patient_id: int, deceased_date: dt.date | str | None) -> Patient:
    patient = lock_patient(patient_id, actor=actor)
    errors = Errors()
    day = check_date(errors, "deceased_date", deceased_date, _("Date of death"))
    if day is None and not errors:
        errors.add("deceased_date", _("Date of death is required."))
    if day is not None and day > clock.now().date():
        errors.add("deceased_date", _("Date of death cannot be in the future."))
    if day is not None and day < patient.birth_date:
        errors.add("deceased_date", _("Date of death cannot be before the date of birth."))
    errors.raise_if_any("invalid-deceased-date")
    return _set_status(actor, patient, "patient.deceased", deceased_date=day)


@atomic_service
def related_person_add(*, actor: Actor, patient_id: int, kind: str, name: str, relationship: str, phone: str = "",
                       birth_date: Any = None, address: str = "") -> RelatedPerson:
    patient = lock_patient(patient_id, actor=actor)
    if kind not in RelatedPerson.Kind.values:
        raise ValidationFailed("bad-kind", _("Unknown contact kind."), fields={"kind": [_("Unknown contact kind.")]})
    (person,) = _clean_contacts([{"kind": kind, "name": name, "relationship": relationship, "phone": phone,
                                  "birth_date": birth_date, "address": address}])
    person.patient = patient
    person.save()
    if kind == RelatedPerson.Kind.GUARANTOR and patient.guarantor_is_self:
        _set_status(actor, patient, "patient.update", guarantor_is_self=False)
    record(actor, "patient.contact.add", person, patient=patient, detail={"kind": kind})
    return person
