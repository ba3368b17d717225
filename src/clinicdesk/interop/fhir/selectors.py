"""Reads the FHIR API needs that the patients and scheduling apps do not offer (their models read only):
FHIR-parameter searches, coverage and audit-trail reads. Each checks permission here; what is returned
is audited once per response by `record_shown`."""

from __future__ import annotations

from typing import Any

from django.db.models import Q, QuerySet

from clinicdesk.audit.models import AuditEntry
from clinicdesk.audit.services import atomic_service, record
from clinicdesk.core.exceptions import NotFound
from clinicdesk.core.permissions import Actor, Perm, has_perm, require
from clinicdesk.core.text import family_key, fold_name
from clinicdesk.patients import selectors as visibility  # who may see a patient: patients.visibility
from clinicdesk.patients.candidates import Match, find_matches
from clinicdesk.patients.keys import phone_key
from clinicdesk.patients.matching import Person
from clinicdesk.patients.models import Coverage, Patient
from clinicdesk.practice.models import Location, Practitioner
from clinicdesk.scheduling.models import Appointment

from .errors import FhirError
from .search import Query, date_bounds, parse_date, token
from .validation import REFERENCE, numeric_id

PYTHON_SORT_CAP = 2000


def record_shown(actor: Actor, action: str, refs: list[str], *, patient_ids: set[Any]) -> None:
    """One audit entry per FHIR response naming every resource it returned (and the patients in it)."""
    if not refs:
        return
    single = next(iter(patient_ids)) if len(patient_ids) == 1 else None
    record(actor, action, resource_type="fhir", resource_id=refs[0] if len(refs) == 1 else "",
           patient=single, detail={"returned": refs[:500], "patients": sorted(patient_ids)[:500]})


def _location_filter(actor: Actor, field: str) -> Q:
    if getattr(actor, "practice_wide", False):
        return Q()
    return Q(**{f"{field}__in": sorted(actor.location_ids())})


def _ids(query: Query, name: str, resource_type: str) -> list[int]:
    out = []
    for _modifier, value in query.all(name):
        for part in value.split(","):
            match = REFERENCE.match(part)
            if match and match.group(1) != resource_type:
                raise FhirError(400, "invalid", f"{name}: '{part}' is not a {resource_type} reference.",
                                expression=[name])
            number = numeric_id(match.group(2) if match else part)
            if number is None:
                return [-1]  # no such resource: an empty result, not an error
            out.append(number)
    return out


def visible_patients(actor: Actor) -> QuerySet[Patient]:
    """Charts a FHIR response may hold: the patients app decides (a resource is the record itself, so a restricted
    chart only while the caller's glass is open; merged-away charts are left out of searches)."""
    return visibility.visible_patients(actor, record=True)


def _prefix(field: str, value: str) -> Q:
    """A prefix of a patient's search key, folded as the key is (`name_key` starts with the family key)."""
    key = family_key(value) if field == "name_key" else fold_name(value)
    return Q(**{f"{field}__startswith": key})


@atomic_service
def patients_search(*, actor: Actor, query: Query) -> tuple[list[Patient], int]:
    require(actor, Perm.PATIENT_READ)
    qs = visible_patients(actor)
    for name in ("_id",):
        if query.all(name):
            qs = qs.filter(pk__in=_ids(query, name, "Patient"))
    for _modifier, value in query.all("identifier"):
        system, code = token(value)
        if system not in (None, "", "urn:clinicdesk:mrn"):
            return [], 0
        qs = qs.filter(mrn=code)
    for _modifier, value in query.all("name"):
        every_word = Q()
        for word in value.replace(",", " ").split():
            every_word &= _prefix("name_key", word) | _prefix("given_key", word)
        qs = qs.filter(every_word | _prefix("name_key", value))  # 'o brien' is one family name: O'Brien
    for modifier, value in query.all("family"):
        qs = qs.filter(family_name__iexact=value) if modifier == "exact" else qs.filter(_prefix("name_key", value))
    for modifier, value in query.all("given"):
        qs = qs.filter(given_name__iexact=value) if modifier == "exact" else qs.filter(_prefix("given_key", value))
    ranges = [parse_date("birthdate", v) for _m, v in query.all("birthdate")]
    if ranges:
        low, high, excluded = date_bounds(ranges)
        if low is not None:
            qs = qs.filter(birth_date__gte=low.date())
        if high is not None:
            qs = qs.filter(birth_date__lt=high.date())
        for item in excluded:
            qs = qs.exclude(birth_date__gte=item.low_date, birth_date__lt=item.high_date)
    for _modifier, value in query.all("gender"):
        qs = qs.filter(sex__in=token(value)[1].split(","))
    for _modifier, value in query.all("phone"):
        key = phone_key(token(value)[1])
        qs = qs.filter(Q(phone_digits=key) | Q(alt_phone_digits=key))
    for _modifier, value in query.all("email"):
        qs = qs.filter(email=token(value)[1].strip().lower())
    for _modifier, value in query.all("address-postalcode"):
        qs = qs.filter(postal_code__startswith=value.strip())
    # Few matches (the usual case): fetch their sort keys and sort here, which also gives the total. An ORDER BY
    # tempts the planners to walk the whole name index in order (the LIKE-prefix index is not in collation
    # order) instead of using the filter's own index.
    keys = list(qs.order_by().values_list("name_key", "pk")[:PYTHON_SORT_CAP + 1])
    if len(keys) <= PYTHON_SORT_CAP:
        keys.sort()
        wanted = [pk for _key, pk in keys[query.offset:query.offset + query.count]]
        by_pk = Patient.objects.in_bulk(wanted) if wanted else {}
        return [by_pk[pk] for pk in wanted], len(keys)
    total = qs.count()
    return list(qs.order_by("name_key", "pk")[query.offset:query.offset + query.count]), total


@atomic_service
def patient_matches(*, actor: Actor, person: Person, limit: int) -> list[Match]:
    """$match: the registration screen's matcher (patients.candidates / matching), limited to charts the
    actor may see (one query: the blocking keys and the visibility rules together)."""
    require(actor, Perm.PATIENT_READ)
    return find_matches(person, limit=limit, among=visible_patients(actor))


def _visible_appointments(actor: Actor) -> QuerySet[Appointment]:
    return Appointment.objects.filter(_location_filter(actor, "location_id"))


@atomic_service
def appointments_search(*, actor: Actor, query: Query) -> tuple[list[Appointment], int]:
    require(actor, Perm.SCHEDULE_READ)
    qs = _visible_appointments(actor).select_related("practitioner", "location", "appointment_type")
    if query.all("_id"):
        qs = qs.filter(pk__in=_ids(query, "_id", "Appointment"))
    if query.all("patient"):
        qs = qs.filter(patient_id__in=_ids(query, "patient", "Patient"))
        qs = qs.filter(visibility.record_filter(actor, prefix="patient__"))
    if query.all("practitioner"):
        qs = qs.filter(practitioner_id__in=_ids(query, "practitioner", "Practitioner"))
    if query.all("location"):
        qs = qs.filter(location_id__in=_ids(query, "location", "Location"))
    for _modifier, value in query.all("status"):
        qs = qs.filter(status__in=value.split(","))
    ranges = [parse_date("date", v) for _m, v in query.all("date")]
    if ranges:
        low, high, excluded = date_bounds(ranges)
        if low is not None:
            qs = qs.filter(start__gte=low)
        if high is not None:
            qs = qs.filter(start__lt=high)
        for item in excluded:
            qs = qs.exclude(start__gte=item.low, start__lt=item.high)
    total = qs.count()
    page = list(qs.order_by("start", "pk")[query.offset:query.offset + query.count]) if query.count else []
    return page, total


def patients_for_include(actor: Actor, ids: set[int]) -> list[Patient]:
    if not ids or not has_perm(actor, Perm.PATIENT_READ):
        return []
    return list(visible_patients(actor).filter(pk__in=ids).order_by("pk"))


@atomic_service
def coverage_read(*, actor: Actor, coverage_id: int) -> Coverage:
    require(actor, Perm.PATIENT_READ, resource_type="coverage", resource_id=coverage_id)
    item = Coverage.objects.select_related("payer", "patient").filter(pk=coverage_id).first()
    if item is None:
        raise NotFound()
    visibility.require_record_open(actor, item.patient, resource_type="coverage", resource_id=coverage_id)
    return item


@atomic_service
def coverages_search(*, actor: Actor, query: Query) -> tuple[list[Coverage], int]:
    require(actor, Perm.PATIENT_READ)
    qs = Coverage.objects.select_related("payer").filter(patient__in=visible_patients(actor))
    if query.all("_id"):
        qs = qs.filter(pk__in=_ids(query, "_id", "Coverage"))
    for name in ("patient", "beneficiary"):
        if query.all(name):
            qs = qs.filter(patient_id__in=_ids(query, name, "Patient"))
    total = qs.count()
    page = list(qs.order_by("patient_id", "order", "-start_date", "pk")[query.offset:query.offset + query.count])
    return page, total


@atomic_service
def audit_read(*, actor: Actor, entry_id: int) -> AuditEntry:
    require(actor, Perm.AUDIT_READ, resource_type="auditentry", resource_id=entry_id)
    entry = AuditEntry.objects.filter(pk=entry_id).first()
    if entry is None:
        raise NotFound()
    return entry


@atomic_service
def audit_search(*, actor: Actor, query: Query) -> tuple[list[AuditEntry], int]:
    require(actor, Perm.AUDIT_READ)
    qs = AuditEntry.objects.all()
    if query.all("_id"):
        qs = qs.filter(pk__in=_ids(query, "_id", "AuditEvent"))
    if query.all("patient"):
        qs = qs.filter(patient_id__in=_ids(query, "patient", "Patient"))
    for _modifier, value in query.all("type"):
        qs = qs.filter(action__in=[token(v)[1] for v in value.split(",")])
    for _modifier, value in query.all("outcome"):
        qs = qs.filter(outcome={"0": "allowed", "8": "denied"}.get(value, value))
    ranges = [parse_date("date", v) for _m, v in query.all("date")]
    if ranges:
        low, high, _excluded = date_bounds(ranges)
        if low is not None:
            qs = qs.filter(at__gte=low)
        if high is not None:
            qs = qs.filter(at__lt=high)
    total = qs.count()
    return list(qs.order_by("-position")[query.offset:query.offset + query.count]), total


def schedule_pairs(actor: Actor, *, practitioner_ids: list[int] | None = None, location_ids: list[int] | None = None,
                   active: bool | None = None) -> list[tuple[Practitioner, Location]]:
    """Practitioner x location pairs (the schedules) at locations the actor may read the schedule of."""
    require(actor, Perm.SCHEDULE_READ)
    through = Practitioner.locations.through.objects.select_related("practitioner", "location").order_by(
        "practitioner_id", "location_id")
    if practitioner_ids is not None:
        through = through.filter(practitioner_id__in=practitioner_ids)
    if location_ids is not None:
        through = through.filter(location_id__in=location_ids)
    pairs = []
    for row in through:
        if not has_perm(actor, Perm.SCHEDULE_READ, location=row.location_id):
            continue
        is_active = row.practitioner.active and row.location.active
        if active is not None and is_active != active:
            continue
        pairs.append((row.practitioner, row.location))
    return pairs
