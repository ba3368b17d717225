"""One handler per resource type: its interactions and search parameters (the CapabilityStatement is
built from this table, so it cannot claim what is not served) and thin functions that turn a FHIR
request into calls of the same services and selectors the web UI uses."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Q

from clinicdesk.core import clock
from clinicdesk.core.exceptions import Conflict, NotFound
from clinicdesk.core.permissions import Perm, require
from clinicdesk.patients import selectors as patient_selectors
from clinicdesk.patients import services as patient_services
from clinicdesk.patients.matching import LIKELY, MatchResult, Person
from clinicdesk.patients.models import Patient
from clinicdesk.practice.models import Location, Organization, Practitioner
from clinicdesk.scheduling import selectors as schedule_selectors
from clinicdesk.scheduling import services as schedule_services
from clinicdesk.scheduling.models import AppointmentStatus, AppointmentType
from clinicdesk.scheduling.search import SearchQuery

from . import coverage_handlers, flags, history, locations, selectors, service_requests, slots, versions
from .auth import Caller
from .errors import FhirError, issue
from .mappers import TYPE_SYSTEM, auditevent, coverage, healthcareservice, practice, schedule
from .mappers import appointment as appointment_mapper
from .mappers import patient as patient_mapper
from .search import Param, Query, date_bounds, parse_date, token
from .validation import numeric_id, reference, refuse_nul, validate_resource

MAX_SLOT_DAYS = 62
DEFAULT_SLOT_DAYS = 7
MATCH_GRADE_URL = "http://hl7.org/fhir/StructureDefinition/match-grade"


@dataclass
class Result:
    """What a handler hands back to the view: resources to render and the patients they show."""

    resources: list[dict[str, Any]] = field(default_factory=list)
    total: int | None = None
    included: list[dict[str, Any]] = field(default_factory=list)
    patient_ids: set[Any] = field(default_factory=set)
    status: int = 200
    scores: list[tuple[float, str]] | None = None  # $match: (score, grade) per resource


@dataclass
class Handler:
    type: str
    interactions: tuple[str, ...]
    params: dict[str, Param]
    read: Callable[[Caller, str], Result] | None = None
    search: Callable[[Caller, Query], Result] | None = None
    create: Callable[[Caller, dict[str, Any], dict[str, str]], Result] | None = None
    update: Callable[[Caller, str, dict[str, Any]], Result] | None = None
    patch: Callable[[Caller, str, list[dict[str, Any]]], Result] | None = None
    current_version: Callable[[Caller, str], str] | None = None
    includes: tuple[str, ...] = ()
    versioned: bool = False
    conditional_create: bool = False
    profile: str = ""
    doc: str = ""
    public: bool = False  # a conformance resource: no data, served without a token and not audited
    own_transactions: bool = False  # create runs its own transactions (a network exchange must not hold one)


def _pk(text: str) -> int:
    if not text.isdigit() or len(text) > 18:
        raise NotFound()
    return int(text)


def _id_param(resource_type: str) -> Param:
    return Param("_id", "token", f"The {resource_type} id")


# --- Patient ----------------------------------------------------------------------------------------------

def _patient_render(items: list[Patient]) -> list[dict[str, Any]]:
    """Rendered with meta from the stored versions (versions are stored when a patient changes, not here)."""
    rendered = [patient_mapper.to_fhir(p) for p in items]
    versions.stamp("Patient", [(p.pk, r, p.updated_at) for p, r in zip(items, rendered, strict=True)])
    return rendered


def patient_read(caller: Caller, ident: str) -> Result:
    patient = patient_selectors.patient_chart(actor=caller.actor, patient_id=_pk(ident))
    return Result([_patient_render([patient])[0]], patient_ids={patient.pk})


def patient_search(caller: Caller, query: Query) -> Result:
    items, total = selectors.patients_search(actor=caller.actor, query=query)
    return Result(_patient_render(items), total, patient_ids={p.pk for p in items})


def _checked_values(resource: dict[str, Any]) -> dict[str, Any]:
    values = patient_mapper.from_fhir(resource)
    if not values["sex"]:
        raise FhirError(422, "required", "Patient.gender is required: male, female, other or unknown.",
                        expression=["Patient.gender"])
    if values["sex"] not in ("male", "female", "other", "unknown"):
        raise FhirError(422, "value", f"Patient.gender: '{values['sex']}' is not an administrative gender.",
                        expression=["Patient.gender"])
    return values


DUPLICATE_OVERRIDE_ID = "clinicdesk-duplicate-override"
LEGACY_DUPLICATE_OVERRIDE_URL = "urn:clinicdesk:duplicate-override"


def _duplicate_override(resource: dict[str, Any]) -> str:
    """The reason given in the duplicate-override extension (valueString), '' when there is none."""
    for extension in resource.get("extension") or []:
        url = extension.get("url") if isinstance(extension, dict) else None
        if isinstance(url, str) and (url == LEGACY_DUPLICATE_OVERRIDE_URL
                                     or url.endswith(f"/StructureDefinition/{DUPLICATE_OVERRIDE_ID}")):
            reason = extension.get("valueString")
            if not isinstance(reason, str) or len(" ".join(reason.split())) < 5:
                raise FhirError(422, "required", "The duplicate-override extension needs a valueString saying why "
                                "this is a different person (at least 5 characters).", expression=["Patient.extension"])
            return reason
    return ""


def _duplicate_conflict(error: Conflict) -> FhirError:
    """409 naming each existing chart the new Patient resembles, and how to go on."""
    matches = getattr(error, "matches", [])
    mrns = ", ".join(f"MRN {match.patient.mrn}" for match in matches)
    issues = [issue("duplicate", f"This Patient resembles existing charts ({mrns}). Use one of them (Patient/$match "
                    "grades them), or create with If-None-Exist, or, for a different person who looks alike, send "
                    f"the extension StructureDefinition/{DUPLICATE_OVERRIDE_ID} with valueString: the reason "
                    "(audited; the pair goes to duplicate review).", details="possible-duplicate")]
    for match in matches:
        issues.append(issue(
            "duplicate", f"Patient/{match.patient.pk} (MRN {match.patient.mrn}), {_grade(match.result)} match: "
            f"{', '.join(match.result.agreeing)}", severity="information", expression=[f"Patient/{match.patient.pk}"]))
    return FhirError(409, "duplicate", issues[0]["diagnostics"], issues=issues)


def patient_create(caller: Caller, resource: dict[str, Any], headers: dict[str, str]) -> Result:
    values = _checked_values(resource)
    require(caller.actor, Perm.PATIENT_WRITE)
    location_id = locations.home_location(caller, resource)
    try:
        patient = patient_services.patient_register(
            actor=caller.actor, location=location_id, idempotency_key=headers.get("Idempotency-Key", "")[:64],
            source="fhir", duplicate_reason=_duplicate_override(resource), **values)
    except Conflict as error:
        if error.code == "possible-duplicate" and getattr(error, "matches", None):
            raise _duplicate_conflict(error) from error
        raise
    return Result([_patient_render([patient])[0]], patient_ids={patient.pk}, status=201)


def patient_update(caller: Caller, ident: str, resource: dict[str, Any]) -> Result:
    pk = _pk(ident)
    # As on the edit screen: the chart must open for the caller first (a restricted one only after breaking the
    # glass), or the update would change - and hand back - a record the caller may not read.
    patient_selectors.patient_chart(actor=caller.actor, patient_id=pk)
    if resource.get("id") != ident:
        raise FhirError(400, "invalid", f"Patient.id must be '{ident}', the id in the URL.", expression=["Patient.id"])
    values = _checked_values(resource)
    patient = patient_services.patient_update(actor=caller.actor, patient_id=pk, changes=values)
    return Result([_patient_render([patient])[0]], patient_ids={patient.pk})


def patient_version(caller: Caller, ident: str) -> str:
    return str(patient_read(caller, ident).resources[0]["meta"]["versionId"])


def patient_match(caller: Caller, resource: dict[str, Any], params: dict[str, Any]) -> Result:
    validate_resource(resource, "Patient")
    names = resource.get("name") or [{}]
    name = names[0]
    given = [g for g in name.get("given") or [] if g is not None] or [""]  # FHIR JSON may pad with nulls
    phone = next((t.get("value", "") for t in resource.get("telecom", []) if t.get("system") == "phone"), "")
    email = next((t.get("value", "") for t in resource.get("telecom", []) if t.get("system") == "email"), "")
    address = (resource.get("address") or [{}])[0]
    birth = resource.get("birthDate")
    if not name.get("family") and not birth:
        raise FhirError(422, "required", "$match needs at least a family name or a birth date.",
                        expression=["Patient"])
    person = Person.of(family_name=name.get("family", ""), given_name=given[0],
                       middle_name=" ".join(given[1:]), birth_date=birth or None,  # '1980' and '1980-04' too
                       sex=resource.get("gender", ""), phone=phone, email=email,
                       address_line=next((line for line in address.get("line") or [] if line), ""),
                       postal_code=address.get("postalCode", ""))
    count = max(1, min(_whole_number(params.get("count"), "count", default=10), 50))
    matches = selectors.patient_matches(actor=caller.actor, person=person, limit=50)
    only_certain = params.get("onlyCertainMatches")
    if only_certain is True or (isinstance(only_certain, str) and only_certain.lower() == "true"):
        matches = [m for m in matches if m.result.certain]
    matches = matches[:count]
    rendered = _patient_render([m.patient for m in matches])
    scores = [(round(m.result.probability, 4), _grade(m.result)) for m in matches]
    return Result(rendered, len(rendered), patient_ids={m.patient.pk for m in matches}, scores=scores)


def _grade(result: MatchResult) -> str:
    """FHIR match-grade: certain only when no human needs to look (`MatchResult.certain`: names, full birth
    date and a contact detail agree, nothing disagrees), probable when someone should (the worklist
    threshold), possible below."""
    if result.certain:
        return "certain"
    if result.score >= LIKELY:
        return "probable"
    return "possible"


# --- Appointment ------------------------------------------------------------------------------------------

def _appointment_render(items: list[Any], *, created: bool = False) -> list[dict[str, Any]]:
    """Rendered with meta from the stored versions (versions are stored when an appointment changes).
    `created`: booked in this request, so version 1 (nothing stored yet; nothing read)."""
    rendered = [appointment_mapper.to_fhir(a) for a in items]
    versions.stamp("Appointment", [(a.pk, r, a.updated_at) for a, r in zip(items, rendered, strict=True)],
                   created=created)
    return rendered


def _appointment_item(caller: Caller, ident: str) -> Any:
    item = schedule_selectors.appointment_detail(actor=caller.actor, appointment_id=_pk(ident))
    if item.patient.restricted:
        raise NotFound()
    return item


def _appointment_result(item: Any, *, created: bool = False) -> Result:
    return Result([_appointment_render([item], created=created)[0]], patient_ids={item.patient_id})


def appointment_read(caller: Caller, ident: str) -> Result:
    return _appointment_result(_appointment_item(caller, ident))


def appointment_search(caller: Caller, query: Query) -> Result:
    items, total = selectors.appointments_search(actor=caller.actor, query=query)
    result = Result(_appointment_render(items), total, patient_ids={a.patient_id for a in items})
    if "Appointment:patient" in query.include and caller.scopes.allows("Patient", "r"):
        patients = selectors.patients_for_include(caller.actor, {a.patient_id for a in items})
        result.included += _patient_render(patients)
    if "Appointment:practitioner" in query.include and caller.scopes.allows("Practitioner", "r"):
        result.included += [practice.practitioner(p) for p in
                            Practitioner.objects.filter(pk__in={a.practitioner_id for a in items}).order_by("pk")]
    if "Appointment:location" in query.include and caller.scopes.allows("Location", "r"):
        result.included += [practice.location(loc) for loc in
                            Location.objects.filter(pk__in={a.location_id for a in items}).order_by("pk")]
    return result


def _appointment_type(code: str | None) -> AppointmentType:
    if not code:
        raise FhirError(422, "required", "Appointment.serviceType: name the appointment type (a HealthcareService "
                        f"code, system {TYPE_SYSTEM}).", expression=["Appointment.serviceType"])
    kind = AppointmentType.objects.filter(Q(code=code) | Q(pk=numeric_id(code) or -1), active=True).first()
    if kind is None:
        raise FhirError(422, "code-invalid", f"Appointment.serviceType: no appointment type '{code}'.",
                        expression=["Appointment.serviceType"])
    return kind


def appointment_create(caller: Caller, resource: dict[str, Any], headers: dict[str, str]) -> Result:
    data = appointment_mapper.from_fhir(resource)
    practitioner_id, location_id, start, end = data.practitioner_id, data.location_id, data.start, data.end
    type_code = data.type_code
    if data.slot_id:
        key = schedule.SlotKey.parse(data.slot_id)
        if key is None:
            raise FhirError(422, "invalid", f"Appointment.slot[0]: no such slot '{data.slot_id}'.",
                            expression=["Appointment.slot[0]"])
        practitioner_id, location_id = practitioner_id or key.practitioner_id, location_id or key.location_id
        start, end = start or key.start, end or key.end
        if type_code is None and key.type_id:
            type_code = str(key.type_id)
    missing = [name for name, value in (("Patient participant", data.patient_id),
                                        ("Practitioner participant", practitioner_id),
                                        ("Location participant", location_id), ("start", start)) if value is None]
    if missing:
        raise FhirError(422, "required", f"Appointment: {', '.join(missing)} required.",
                        expression=["Appointment.participant"])
    if data.status not in (AppointmentStatus.BOOKED, AppointmentStatus.PENDING, AppointmentStatus.PROPOSED):
        raise FhirError(422, "business-rule", f"Appointment.status: a new appointment is booked, pending or proposed,"
                        f" not '{data.status}'.", expression=["Appointment.status"])
    assert start is not None and data.patient_id is not None and practitioner_id and location_id
    kind = _appointment_type(type_code)
    request = schedule_services.BookingRequest(
        patient_id=data.patient_id, practitioner_id=practitioner_id, location_id=location_id,
        appointment_type_id=kind.pk, start=start, end=end, note=data.comment, status=data.status)
    idempotency_key = headers.get("Idempotency-Key") or None
    item = schedule_services.appointment_book(actor=caller.actor, request=request, idempotency_key=idempotency_key)
    # The answer is rendered from the appointment the booking returns (its provider, location and type are the
    # plan's rows, already read): no second read of what was just written, and no "appointment.read" entry beside
    # the booking's own and the fhir.create entry the view records for this answer (docs/adr/0006).
    # No version is written here, under the booking's row locks: version 1 is stored after the commit by
    # history.on_appointment_changed, and until then `versions.stamp` serves the same content as version 1 (a
    # replayed Idempotency-Key: the latest stored version), so the answer's versionId and ETag are the same.
    # Without a key the booking cannot be a replay: it was created here, so it is version 1 without a read.
    result = _appointment_result(item, created=idempotency_key is None)
    result.status = 201
    return result


def _change_status(caller: Caller, pk: int, status: str, reason: str) -> None:
    actor = caller.actor
    if status == AppointmentStatus.CANCELLED:
        if not reason.strip():
            raise FhirError(422, "required", "Appointment.cancelationReason: say why the appointment is cancelled.",
                            expression=["Appointment.cancelationReason"])
        schedule_services.appointment_cancel(actor=actor, appointment_id=pk, reason=reason)
    elif status == AppointmentStatus.NOSHOW:
        schedule_services.appointment_mark_noshow(actor=actor, appointment_id=pk)
    elif status == AppointmentStatus.ARRIVED:
        schedule_services.appointment_arrive(actor=actor, appointment_id=pk)
    else:
        schedule_services.appointment_set_status(actor=actor, appointment_id=pk, status=status)


def appointment_update(caller: Caller, ident: str, resource: dict[str, Any]) -> Result:
    pk = _pk(ident)
    if resource.get("id") != ident:
        raise FhirError(400, "invalid", f"Appointment.id must be '{ident}', the id in the URL.",
                        expression=["Appointment.id"])
    before = _appointment_item(caller, ident)
    current = _appointment_result(before).resources[0]
    data = appointment_mapper.from_fhir(resource)
    was = appointment_mapper.from_fhir(current)
    fixed = ("patient_id", "practitioner_id", "location_id", "type_code")
    changed = [name for name in fixed if getattr(data, name) != getattr(was, name)]
    if changed:
        raise FhirError(422, "business-rule", f"Appointment: only status and start can change; not "
                        f"{', '.join(changed)} (book a new appointment instead).", expression=["Appointment"])
    if data.start is not None and data.start != was.start:
        schedule_services.appointment_reschedule(actor=caller.actor, appointment_id=pk, start=data.start,
                                                 reason="FHIR update")
    if data.status != was.status:
        _change_status(caller, pk, data.status, data.cancel_reason)
    return _recorded(caller, ident, before)


def _recorded(caller: Caller, ident: str, before: Any) -> Result:
    """The appointment after a FHIR write, its new version stored in this transaction (a status move is stored
    by history.on_status_changed; a reschedule would otherwise wait for the commit)."""
    after = _appointment_item(caller, ident)
    history.record_appointment(after, previous=before)
    return _appointment_result(after)


def appointment_patch(caller: Caller, ident: str, operations: list[dict[str, Any]]) -> Result:
    """JSON Patch on /status (with /cancelationReason for a cancellation) - the status changes the desk makes."""
    pk = _pk(ident)
    status, reason = None, ""
    for index, operation in enumerate(operations):
        if not isinstance(operation, dict) or operation.get("op") not in ("replace", "add", "test"):
            raise FhirError(422, "not-supported", f"Patch operation [{index}]: only replace, add and test are "
                            "supported.", expression=[f"[{index}]"])
        path = operation.get("path")
        if operation["op"] == "test":
            continue
        if path == "/status":
            status = operation.get("value")
        elif path == "/cancelationReason":
            value = operation.get("value") or {}
            reason = _patch_text(value.get("text", "") if isinstance(value, dict) else value, index)
        elif path == "/cancelationReason/text":
            reason = _patch_text(operation.get("value") or "", index)
        else:
            raise FhirError(422, "not-supported", f"Patch operation [{index}]: path '{path}' cannot be patched; "
                            "/status and /cancelationReason can.", expression=[str(path)])
    if not isinstance(status, str) or status not in AppointmentStatus.values:
        raise FhirError(422, "value", "The patch must set /status to an appointment status.", expression=["/status"])
    before = _appointment_item(caller, ident)
    for index, operation in enumerate(operations):
        if operation.get("op") == "test" and operation.get("path") == "/status" \
                and operation.get("value") != before.status:
            raise FhirError(409, "conflict", f"Patch test [{index}] failed: status is {before.status}.")
    _change_status(caller, pk, status, reason)
    return _recorded(caller, ident, before)


def _patch_text(value: Any, index: int) -> str:
    """A cancellation reason from a patch: text (a CodeableConcept's text), nothing else."""
    if not isinstance(value, str):
        raise FhirError(422, "value", f"Patch operation [{index}]: the cancellation reason must be text.",
                        expression=[f"[{index}]"])
    refuse_nul(value, f"[{index}]", 422)
    return value


def _whole_number(value: Any, name: str, *, default: int) -> int:
    if value in (None, ""):
        return default
    if isinstance(value, bool) or not isinstance(value, int | str):
        raise FhirError(400, "invalid", f"{name} must be a whole number.", expression=[name])
    try:
        return int(value)
    except ValueError as exc:
        raise FhirError(400, "invalid", f"{name} must be a whole number.", expression=[name]) from exc


def _param_id(value: Any, resource_type: str, name: str) -> int:
    """An operation parameter naming a record: '<id>' or '<Type>/<id>'; an id no record has finds nothing."""
    text = str(value)
    found = numeric_id(reference(text, resource_type, name) if "/" in text else text)
    if found is None:
        raise FhirError(400, "invalid", f"{name}: '{text}' is not a {resource_type} id.", expression=[name])
    return found


def _param_day(value: Any, name: str) -> dt.date:
    day = parse_date(name, str(value)).low.date()
    if not schedule_services.EARLIEST.date() <= day < schedule_services.LATEST.date():
        raise FhirError(400, "invalid", f"{name}: not between {schedule_services.EARLIEST.year} and "
                        f"{schedule_services.LATEST.year - 1}.", expression=[name])
    return day


def appointment_version(caller: Caller, ident: str) -> str:
    return str(appointment_read(caller, ident).resources[0]["meta"]["versionId"])


def appointment_find(caller: Caller, params: dict[str, Any]) -> Result:
    """Argonaut Scheduling $find: proposed appointments (the first-available search of the booking screen)."""
    code = params.get("service-type") or params.get("visit-type") or params.get("serviceType")
    kind = _appointment_type(token(str(code))[1] if code else None)
    location_id = _single_location(params.get("location"))
    first = _param_day(params["start"], "start") if params.get("start") else None
    last = _param_day(params["end"], "end") if params.get("end") else None
    practitioner_ids: tuple[int, ...] = ()
    if params.get("practitioner"):
        practitioner_ids = (_param_id(params["practitioner"], "Practitioner", "practitioner"),)
    patient_id = None
    if params.get("patient"):
        patient_id = _param_id(params["patient"], "Patient", "patient")
    limit = _whole_number(params.get("_count") or params.get("count"), "_count", default=10)
    query = SearchQuery(appointment_type_id=kind.pk, location_id=location_id, practitioner_ids=practitioner_ids,
                        patient_id=patient_id, first_day=first, last_day=last, limit=max(1, min(limit, 50)))
    options = schedule_selectors.slots_search(actor=caller.actor, query=query)
    resources = []
    for option in options:
        key = schedule.SlotKey(option.practitioner.pk, option.location.pk, kind.pk, option.start, option.end)
        participants: list[dict[str, Any]] = [
            {"actor": {"reference": f"Practitioner/{option.practitioner.pk}", "display": str(option.practitioner)},
             "required": "required", "status": "needs-action"},
            {"actor": {"reference": f"Location/{option.location.pk}", "display": option.location.name},
             "required": "required", "status": "needs-action"}]
        if patient_id is not None:
            participants.insert(0, {"actor": {"reference": f"Patient/{patient_id}"}, "required": "required",
                                    "status": "needs-action"})
        resources.append({
            "resourceType": "Appointment", "status": "proposed", "serviceType": [healthcareservice.service_type(kind)],
            "start": appointment_mapper.instant(option.start), "end": appointment_mapper.instant(option.end),
            "minutesDuration": kind.duration_minutes, "slot": [{"reference": f"Slot/{key.id}"}],
            "comment": " ".join(option.reasons), "participant": participants})
    return Result(resources, len(resources), patient_ids={patient_id} if patient_id else set())


def _single_location(value: Any) -> int:
    if value:
        text = str(value)
        return numeric_id(reference(text, "Location", "location") if "/" in text else text) or -1
    ids = list(Location.objects.filter(active=True).values_list("pk", flat=True)[:2])
    if len(ids) != 1:
        raise FhirError(400, "required", "Name the location (location=Location/<id>).", expression=["location"])
    return int(ids[0])


# --- directory: Practitioner, PractitionerRole, Organization, Location, HealthcareService ------------------

def _page(items: list[Any], query: Query) -> list[Any]:
    return items[query.offset:query.offset + query.count]


def practitioner_read(caller: Caller, ident: str) -> Result:
    item = Practitioner.objects.filter(pk=_pk(ident)).first()
    if item is None:
        raise NotFound()
    return Result([practice.practitioner(item)])


def practitioner_search(caller: Caller, query: Query) -> Result:
    qs = Practitioner.objects.all()
    if query.all("_id"):
        qs = qs.filter(pk__in=selectors._ids(query, "_id", "Practitioner"))
    for _m, value in query.all("name"):
        qs = qs.filter(Q(last_name__istartswith=value) | Q(first_name__istartswith=value))
    for _m, value in query.all("family"):
        qs = qs.filter(last_name__istartswith=value)
    for _m, value in query.all("given"):
        qs = qs.filter(first_name__istartswith=value)
    for _m, value in query.all("identifier"):
        qs = qs.filter(npi=token(value)[1])
    for _m, value in query.all("active"):
        qs = qs.filter(active=value == "true")
    total = qs.count()
    items = list(qs.order_by("last_name", "first_name", "pk")[query.offset:query.offset + query.count])
    return Result([practice.practitioner(p) for p in items], total)


def _roles(practitioner_ids: list[int] | None = None, location_ids: list[int] | None = None
           ) -> list[tuple[Practitioner, Location]]:
    rows = Practitioner.locations.through.objects.select_related("practitioner", "location").prefetch_related(
        "practitioner__specialties").order_by("practitioner_id", "location_id")  # specialties: one query
    if practitioner_ids is not None:
        rows = rows.filter(practitioner_id__in=practitioner_ids)
    if location_ids is not None:
        rows = rows.filter(location_id__in=location_ids)
    return [(r.practitioner, r.location) for r in rows]


def role_read(caller: Caller, ident: str) -> Result:
    parsed = schedule.parse_schedule_id(ident)
    found = _roles([parsed[0]], [parsed[1]]) if parsed else []
    if not found:
        raise NotFound()
    return Result([practice.practitioner_role(*found[0])])


def role_search(caller: Caller, query: Query) -> Result:
    p_ids = selectors._ids(query, "practitioner", "Practitioner") if query.all("practitioner") else None
    l_ids = selectors._ids(query, "location", "Location") if query.all("location") else None
    pairs = _roles(p_ids, l_ids)
    if query.all("_id"):
        wanted = {v for _m, value in query.all("_id") for v in value.split(",")}
        pairs = [(p, loc) for p, loc in pairs if practice.role_id(p.pk, loc.pk) in wanted]
    return Result([practice.practitioner_role(p, loc) for p, loc in _page(pairs, query)], len(pairs))


def _read_by_pk(model: Any, ident: str, to_fhir: Any) -> Result:
    item = model.objects.filter(pk=_pk(ident)).first()
    if item is None:
        raise NotFound()
    return Result([to_fhir(item)])


def _by_id_and_name(qs: Any, query: Query, resource_type: str) -> Any:
    """The `_id` and `name` (contains) parameters that Organization and Location share."""
    if query.all("_id"):
        qs = qs.filter(pk__in=selectors._ids(query, "_id", resource_type))
    for _m, value in query.all("name"):
        qs = qs.filter(name__icontains=value)
    return qs


def organization_read(caller: Caller, ident: str) -> Result:
    return _read_by_pk(Organization, ident, practice.organization)


def organization_search(caller: Caller, query: Query) -> Result:
    items = list(_by_id_and_name(Organization.objects.all(), query, "Organization").order_by("pk"))
    return Result([practice.organization(o) for o in _page(items, query)], len(items))


def location_read(caller: Caller, ident: str) -> Result:
    return _read_by_pk(Location, ident, practice.location)


def location_search(caller: Caller, query: Query) -> Result:
    qs = _by_id_and_name(Location.objects.all(), query, "Location")
    for _m, value in query.all("address-postalcode"):
        qs = qs.filter(postal_code__startswith=value)
    for _m, value in query.all("status"):
        qs = qs.filter(active=value == "active")
    items = list(qs.order_by("name", "pk"))
    return Result([practice.location(loc) for loc in _page(items, query)], len(items))


def _organization_id() -> int | None:
    return Organization.objects.order_by("pk").values_list("pk", flat=True).first()


def service_read(caller: Caller, ident: str) -> Result:
    item = AppointmentType.objects.filter(pk=_pk(ident)).first()
    if item is None:
        raise NotFound()
    return Result([healthcareservice.to_fhir(item, _organization_id())])


def service_search(caller: Caller, query: Query) -> Result:
    qs = AppointmentType.objects.all()
    if query.all("_id"):
        qs = qs.filter(pk__in=selectors._ids(query, "_id", "HealthcareService"))
    for _m, value in query.all("service-type"):
        qs = qs.filter(code=token(value)[1])
    for _m, value in query.all("identifier"):
        qs = qs.filter(code=token(value)[1])
    for _m, value in query.all("name"):
        qs = qs.filter(name__icontains=value)
    for _m, value in query.all("active"):
        qs = qs.filter(active=value == "true")
    items = list(qs.order_by("name", "pk"))
    organization_id = _organization_id()
    return Result([healthcareservice.to_fhir(t, organization_id) for t in _page(items, query)], len(items))


# --- Schedule and Slot (computed) ---------------------------------------------------------------------------

def _types_for(practitioner: Practitioner, types: list[AppointmentType]) -> list[AppointmentType]:
    return [t for t in types if not t.allowed or practitioner.pk in t.allowed]  # type: ignore[attr-defined]


def _all_types() -> list[AppointmentType]:
    types = list(AppointmentType.objects.filter(active=True).prefetch_related("allowed_practitioners")
                 .order_by("name"))
    for kind in types:
        kind.allowed = {p.pk for p in kind.allowed_practitioners.all()}  # type: ignore[attr-defined]
    return types


def _schedule_resource(practitioner: Practitioner, location: Location, types: list[AppointmentType]
                       ) -> dict[str, Any]:
    today = clock.today_in(location.tz)
    return schedule.schedule(practitioner, location, _types_for(practitioner, types), today,
                             today + dt.timedelta(days=92))


def schedule_read(caller: Caller, ident: str) -> Result:
    parsed = schedule.parse_schedule_id(ident)
    pairs = selectors.schedule_pairs(caller.actor, practitioner_ids=[parsed[0]], location_ids=[parsed[1]]) \
        if parsed else []
    if not pairs:
        raise NotFound()
    return Result([_schedule_resource(*pairs[0], _all_types())])


def schedule_search(caller: Caller, query: Query) -> Result:
    practitioner_ids: list[int] | None = None
    location_ids: list[int] | None = None
    for _m, value in query.all("actor"):
        for part in value.split(","):
            kind = part.split("/")[0] if "/" in part else ""
            ident = part.split("/")[-1]
            if kind not in ("Practitioner", "Location") or not (ident.isascii() and ident.isdigit()):
                raise FhirError(400, "invalid", f"actor: '{part}' is not a Practitioner or Location reference.",
                                expression=["actor"])
            number = numeric_id(ident) or -1  # past the key range: names nobody
            if kind == "Practitioner":
                practitioner_ids = (practitioner_ids or []) + [number]
            else:
                location_ids = (location_ids or []) + [number]
    active = None
    for _m, value in query.all("active"):
        active = value == "true"
    pairs = selectors.schedule_pairs(caller.actor, practitioner_ids=practitioner_ids, location_ids=location_ids,
                                     active=active)
    if query.all("_id"):
        wanted = {v for _m, value in query.all("_id") for v in value.split(",")}
        pairs = [(p, loc) for p, loc in pairs if schedule.schedule_id(p.pk, loc.pk) in wanted]
    if query.all("date"):  # the planning horizon: today to 92 days out
        low, high, _excluded = date_bounds([parse_date("date", v) for _m, v in query.all("date")])
        today = clock.now()
        if (high is not None and high <= today) or (low is not None and low > today + dt.timedelta(days=92)):
            pairs = []
    types = _all_types()
    return Result([_schedule_resource(p, loc, types) for p, loc in _page(pairs, query)], len(pairs))


def slot_read(caller: Caller, ident: str) -> Result:
    key = schedule.SlotKey.parse(ident)
    if key is None:
        raise NotFound()
    pairs = selectors.schedule_pairs(caller.actor, practitioner_ids=[key.practitioner_id],
                                     location_ids=[key.location_id])
    if not pairs:
        raise NotFound()
    kind = AppointmentType.objects.filter(pk=key.type_id).first() if key.type_id else None
    if key.type_id and kind is None:
        raise NotFound()
    status = slots.slot_status(key, pairs[0][1], pairs[0][0], kind)
    if status is None:
        # Taken since it was offered (or never a slot): report it busy when something occupies it, else gone.
        raise NotFound("slot-gone", "That slot is no longer offered.")
    return Result([schedule.slot(key, status, kind)])


def slot_search(caller: Caller, query: Query) -> Result:
    practitioner_ids: list[int] | None = None
    location_ids: list[int] | None = None
    for _m, value in query.all("schedule"):
        for part in value.split(","):
            parsed = schedule.parse_schedule_id(part.split("/")[-1])
            if parsed is None:
                return Result([], 0)
            practitioner_ids = (practitioner_ids or []) + [parsed[0]]
            location_ids = (location_ids or []) + [parsed[1]]
    kind = None
    for _m, value in query.all("service-type"):
        kind = _appointment_type(token(value)[1])
    statuses = frozenset({"free", "busy"})
    for _m, value in query.all("status"):
        statuses = frozenset(value.split(",")) & {"free", "busy"}
    now = clock.now()
    ranges = [parse_date("start", v) for _m, v in query.all("start")]
    low, high, _excluded = date_bounds(ranges)
    low = low or now
    if not schedule_services.EARLIEST <= low < schedule_services.LATEST:
        raise FhirError(400, "invalid", f"start: slots are offered between {schedule_services.EARLIEST.year} and "
                        f"{schedule_services.LATEST.year - 1}.", expression=["start"])
    high = high or low + dt.timedelta(days=DEFAULT_SLOT_DAYS)
    if high - low > dt.timedelta(days=MAX_SLOT_DAYS):
        raise FhirError(400, "too-costly", f"A Slot search covers at most {MAX_SLOT_DAYS} days; narrow 'start'.",
                        expression=["start"])
    pairs = selectors.schedule_pairs(caller.actor, practitioner_ids=practitioner_ids, location_ids=location_ids,
                                     active=True)
    if practitioner_ids is not None:
        wanted = set(zip(practitioner_ids, location_ids or [], strict=False))
        pairs = [(p, loc) for p, loc in pairs if (p.pk, loc.pk) in wanted]
    if kind is not None:
        allowed = set(kind.allowed_practitioners.values_list("pk", flat=True))
        pairs = [(p, loc) for p, loc in pairs if not allowed or p.pk in allowed]
    by_location: dict[int, tuple[Location, list[Practitioner]]] = {}
    for practitioner, location in pairs:
        by_location.setdefault(location.pk, (location, []))[1].append(practitioner)
    found: list[slots.ComputedSlot] = []
    for location, practitioners in by_location.values():
        found += slots.compute(location=location, practitioners=practitioners, kind=kind, low=low, high=high,
                               statuses=statuses)
    found.sort(key=lambda s: (s.key.start, s.key.practitioner_id, s.key.location_id))
    return Result([schedule.slot(s.key, s.status, s.kind) for s in _page(found, query)], len(found))


# --- Flag (patient alerts; flags.py) ------------------------------------------------------------------------

def flag_read(caller: Caller, ident: str) -> Result:
    item = flags.flag_read(actor=caller.actor, alert_id=_pk(ident))
    return Result(flags.render([item]), patient_ids={item.patient_id})


def flag_search(caller: Caller, query: Query) -> Result:
    items, total = flags.flags_search(actor=caller.actor, query=query)
    return Result(flags.render(items), total, patient_ids={a.patient_id for a in items})


# --- Coverage, AuditEvent -----------------------------------------------------------------------------------

def coverage_read(caller: Caller, ident: str) -> Result:
    item = selectors.coverage_read(actor=caller.actor, coverage_id=_pk(ident))
    return Result([coverage.to_fhir(item, clock.now().date())], patient_ids={item.patient_id})


def coverage_search(caller: Caller, query: Query) -> Result:
    items, total = selectors.coverages_search(actor=caller.actor, query=query)
    today = clock.now().date()
    return Result([coverage.to_fhir(c, today) for c in items], total, patient_ids={c.patient_id for c in items})


def audit_read(caller: Caller, ident: str) -> Result:
    entry = selectors.audit_read(actor=caller.actor, entry_id=_pk(ident))
    return Result([auditevent.to_fhir(entry)])


def audit_search(caller: Caller, query: Query) -> Result:
    items, total = selectors.audit_search(actor=caller.actor, query=query)
    return Result([auditevent.to_fhir(e) for e in items], total)


def structure_definition_read(caller: Caller, ident: str) -> Result:
    found = locations.structure_definitions().get(ident)
    if found is None:
        raise NotFound()
    return Result([found])


# --- the table -----------------------------------------------------------------------------------------------

def _params(*items: Param) -> dict[str, Param]:
    return {p.name: p for p in items}


S, T, D, R = "string", "token", "date", "reference"
READ_SEARCH = ("read", "search-type")
HANDLERS: dict[str, Handler] = {
    "Patient": Handler(
        "Patient", ("read", "vread", "history-instance", "search-type", "create", "update"), _params(
            _id_param("Patient"), Param("identifier", T, "MRN (system urn:clinicdesk:mrn)"),
            Param("name", S, "Start of the family or given name (each word)"),
            Param("family", S, "Start of the family name; :exact for the whole name", ("exact",)),
            Param("given", S, "Start of the given name; :exact for the whole name", ("exact",)),
            Param("birthdate", D, "Date of birth; prefixes eq ne lt le gt ge, partial dates"),
            Param("gender", T, "Administrative gender"), Param("phone", T, "Phone number (any format)"),
            Param("email", T, "E-mail address"), Param("address-postalcode", S, "Start of the ZIP code")),
        read=patient_read, search=patient_search, create=patient_create, update=patient_update,
        current_version=patient_version, versioned=True, conditional_create=True,
        profile="http://hl7.org/fhir/us/core/StructureDefinition/us-core-patient",
        doc="Create: the home location comes from generalPractitioner (a PractitionerRole names one), "
            "managingOrganization (an Organization with one location), the client's default location, or the "
            "caller's only location; the optional extension StructureDefinition/clinicdesk-home-location names it "
            "outright. _history and vread show every change, whichever face made it. A Patient that resembles an "
            "existing chart is refused with 409 and an OperationOutcome naming each candidate (Patient/<id>, "
            "grade, what agrees); go on with If-None-Exist (conditional create), or, for a different person who "
            "looks alike, the extension StructureDefinition/clinicdesk-duplicate-override (or "
            "urn:clinicdesk:duplicate-override) with valueString: why (audited; the pair goes to duplicate "
            "review). $match: grades certain (names, full birth date and a contact agree, nothing disagrees), "
            "probable, possible; onlyCertainMatches and count (at most 50) honoured; partial birthDate accepted."),
    "Practitioner": Handler("Practitioner", READ_SEARCH, _params(
        _id_param("Practitioner"), Param("name", S, "Start of the family or given name"),
        Param("family", S, "Start of the family name"), Param("given", S, "Start of the given name"),
        Param("identifier", T, "NPI"), Param("active", T, "true or false")),
        read=practitioner_read, search=practitioner_search),
    "PractitionerRole": Handler("PractitionerRole", READ_SEARCH, _params(
        _id_param("PractitionerRole"), Param("practitioner", R, "The practitioner"),
        Param("location", R, "The location")), read=role_read, search=role_search),
    "Organization": Handler("Organization", READ_SEARCH, _params(
        _id_param("Organization"), Param("name", S, "Part of the name")),
        read=organization_read, search=organization_search),
    "Location": Handler("Location", READ_SEARCH, _params(
        _id_param("Location"), Param("name", S, "Part of the name"),
        Param("address-postalcode", S, "Start of the ZIP code"), Param("status", T, "active or inactive")),
        read=location_read, search=location_search),
    "HealthcareService": Handler("HealthcareService", READ_SEARCH, _params(
        _id_param("HealthcareService"), Param("service-type", T, "Appointment type code"),
        Param("identifier", T, "Appointment type code"), Param("name", S, "Part of the name"),
        Param("active", T, "true or false")), read=service_read, search=service_search,
        doc="Appointment types: what can be booked."),
    "Schedule": Handler("Schedule", READ_SEARCH, _params(
        _id_param("Schedule"), Param("actor", R, "Practitioner/<id> or Location/<id>"),
        Param("date", D, "Overlaps the planning horizon (today to 92 days out)"),
        Param("active", T, "true or false")), read=schedule_read, search=schedule_search,
        doc="One practitioner at one location."),
    "Slot": Handler("Slot", READ_SEARCH, _params(
        Param("schedule", R, "Schedule/<practitioner>-<location>"),
        Param("start", D, "Slot start; ge gt le lt eq; at most 62 days; default the next 7 days"),
        Param("status", T, "free or busy (comma-separated)"),
        Param("service-type", T, "Appointment type code: free slots of its length, buffers and rooms")),
        read=slot_read, search=slot_search, doc="Computed from availability; never stored."),
    "Appointment": Handler(
        "Appointment", ("read", "vread", "history-instance", "search-type", "create", "update", "patch"), _params(
            _id_param("Appointment"), Param("patient", R, "Patient/<id>"),
            Param("practitioner", R, "Practitioner/<id>"),
            Param("location", R, "Location/<id>"), Param("date", D, "Start; prefixes eq ne lt le gt ge"),
            Param("status", T, "Status codes (comma-separated)")),
        read=appointment_read, search=appointment_search, create=appointment_create, update=appointment_update,
        patch=appointment_patch, current_version=appointment_version, versioned=True,
        includes=("Appointment:patient", "Appointment:practitioner", "Appointment:location")),
    "Coverage": Handler("Coverage", (*READ_SEARCH, "create", "update"), _params(
        _id_param("Coverage"), Param("patient", R, "Patient/<id>"), Param("beneficiary", R, "Patient/<id>")),
        read=coverage_read, search=coverage_search, create=coverage_handlers.coverage_create,
        update=coverage_handlers.coverage_update,
        doc="Create and update go through the insurance form's rules (same order may not overlap, the payer's "
            "default co-pays, a plan of that payer). payor: identifier (system urn:clinicdesk:payer-id, the "
            "electronic payer id) or display (the payer's name); class plan: a plan on the payer's list by name or "
            "network id; costToBeneficiary gpvisit/spvisit: the co-pays. Update replaces (a co-pay left out is "
            "cleared); the beneficiary cannot change."),
    "CoverageEligibilityRequest": Handler(
        "CoverageEligibilityRequest", ("read", "create"), {}, read=coverage_handlers.eligibility_request_read,
        create=coverage_handlers.eligibility_request_create, own_transactions=True,
        doc="Create = verify the coverage now (an X12 270 to the clearinghouse): patient, and optionally "
            "insurance.coverage (else the patient's first coverage active on servicedDate, default today). The "
            "answer names its CoverageEligibilityResponse (same id) in the extension urn:clinicdesk:eligibility-"
            "response; on a batch channel the response stays queued until the 271 comes back."),
    "CoverageEligibilityResponse": Handler("CoverageEligibilityResponse", READ_SEARCH, _params(
        _id_param("CoverageEligibilityResponse"), Param("patient", R, "Patient/<id>")),
        read=coverage_handlers.eligibility_response_read, search=coverage_handlers.eligibility_response_search,
        doc="The stored 271: outcome complete (active or inactive: insurance.inforce), error (rejected, no usable "
            "answer, another patient's answer; error lists the AAA reject reasons), queued (waiting); benefits by "
            "X12 service type with in/out of network, unit, term, amounts (usedMoney: the amount remaining)."),
    "ServiceRequest": Handler(
        "ServiceRequest", READ_SEARCH, _params(*service_requests.PARAMS), read=service_requests.read,
        search=service_requests.search,
        doc="Referrals and prior authorizations (read-only; recorded on the insurance screens and API). Ids: "
            "referral-<id> (an incoming referral: requester the referring provider with NPI, occurrencePeriod the "
            "valid dates, quantity the visits authorized, identifier the payer's referral number), outgoing-<id> "
            "(a referral to a specialist: performer the specialist, status active until seen or closed), "
            "authorization-<id> (the service a prior authorization covers: code the CPT/HCPCS codes, quantity the "
            "units approved or requested, occurrencePeriod the approved or requested dates, insurance the "
            "Coverage, identifier the payer's authorization number; status on-hold while requested, active "
            "approved or partly approved, revoked denied, completed expired). Category system "
            "urn:clinicdesk:service-request-kind."),
    "Flag": Handler("Flag", READ_SEARCH, _params(*flags.PARAMS), read=flag_read, search=flag_search,
                    doc="Patient alerts (behaviour, fall risk, interpreter needed, latex allergy and the practice's "
                        "own kinds); code system urn:clinicdesk:alert-kind."),
    "AuditEvent": Handler("AuditEvent", READ_SEARCH, _params(
        _id_param("AuditEvent"), Param("date", D, "When recorded; prefixes lt le gt ge eq"),
        Param("patient", R, "Patient/<id>"), Param("type", T, "Action code, e.g. patient.read"),
        Param("outcome", T, "0 (allowed) or 8 (denied)")), read=audit_read, search=audit_search,
        doc="The audit trail; compliance role only."),
    "StructureDefinition": Handler(
        "StructureDefinition", ("read",), {}, read=structure_definition_read, public=True,
        doc="The extensions this server defines (read without a token)."),
}
OPERATIONS = {
    ("Appointment", "find"): appointment_find,
    ("Patient", "match"): patient_match,
}

