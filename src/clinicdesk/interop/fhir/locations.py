"""Where a Patient created through the API is registered (its home location), and the one extension this API
defines for saying so, published as a StructureDefinition.

A standard (US Core) client needs no extension. The home location is, in this order:
1. the extension HOME_LOCATION_URL (or the older ``urn:clinicdesk:home-location``, still accepted) with
   ``valueReference`` Location/<id>;
2. what ``generalPractitioner`` and ``managingOrganization`` determine: a PractitionerRole names its location
   (PractitionerRole/<practitioner>-<location>), a Practitioner the locations where they work, an Organization
   its locations; when several are given, the locations they have in common;
3. the default location the client was registered with (``clinicdesk fhir-client create --location CODE``);
4. the only location the caller may register at (a user of one location, a practice with one location).
Anything left open is a 422 whose message names each of these options.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings

from clinicdesk.practice.models import Location, Organization, Practitioner

from .auth import Caller
from .errors import FhirError
from .validation import REFERENCE, numeric_id, reference

HOME_LOCATION_ID = "clinicdesk-home-location"
LEGACY_HOME_LOCATION_URL = "urn:clinicdesk:home-location"
MAX_NAMED = 8  # locations listed in an error message


def fhir_canonical_base() -> str:
    """The stable http(s) base of this API's canonical URLs: FHIR_BASE_URL, else PUBLIC_BASE_URL + /fhir/r4."""
    configured = getattr(settings, "FHIR_BASE_URL", "")
    if configured:
        return configured.rstrip("/")
    return getattr(settings, "PUBLIC_BASE_URL", "http://localhost").rstrip("/") + "/fhir/r4"


def home_location_url() -> str:
    return f"{fhir_canonical_base()}/StructureDefinition/{HOME_LOCATION_ID}"


def is_home_location_url(url: Any) -> bool:
    """The published URL, under whichever base it was read from, or the legacy urn."""
    if not isinstance(url, str):
        return False
    return url == LEGACY_HOME_LOCATION_URL or (
        url.startswith(("http://", "https://")) and url.endswith(f"/StructureDefinition/{HOME_LOCATION_ID}"))


def structure_definitions() -> dict[str, dict[str, Any]]:
    """The StructureDefinitions this server publishes, by id (read-only, no token needed)."""
    url = home_location_url()
    return {HOME_LOCATION_ID: {
        "resourceType": "StructureDefinition", "id": HOME_LOCATION_ID, "url": url, "version": "1",
        "name": "HomeLocation", "title": "Home location", "status": "active", "date": "2026-12-05",
        "publisher": "Clinicdesk",
        "description": "The practice location where the patient's chart is kept (registration, restricted-chart "
                       "rules and who may see it follow it). Optional on Patient create: without it the location "
                       "comes from generalPractitioner (a PractitionerRole names one), managingOrganization (an "
                       "Organization with one location), the client's default location, or the caller's only "
                       f"location. The older URL {LEGACY_HOME_LOCATION_URL} is accepted too.",
        "fhirVersion": "4.0.1", "kind": "complex-type", "abstract": False,
        "context": [{"type": "element", "expression": "Patient"}],
        "type": "Extension", "baseDefinition": "http://hl7.org/fhir/StructureDefinition/Extension",
        "derivation": "constraint",
        "differential": {"element": [
            {"id": "Extension", "path": "Extension", "short": "Home location of the patient's chart",
             "definition": "The practice location where the patient's chart is kept.", "min": 0, "max": "1"},
            {"id": "Extension.extension", "path": "Extension.extension", "max": "0"},
            {"id": "Extension.url", "path": "Extension.url", "fixedUri": url},
            {"id": "Extension.value[x]", "path": "Extension.value[x]", "min": 1,
             "type": [{"code": "Reference", "targetProfile": ["http://hl7.org/fhir/StructureDefinition/Location"]}]},
        ]},
    }}


def _reach(caller: Caller) -> set[int]:
    """Active locations the caller may register a patient at (the service checks again)."""
    active = set(Location.objects.filter(active=True).values_list("pk", flat=True))
    actor = caller.actor
    if getattr(actor, "practice_wide", False) or not hasattr(actor, "location_ids"):
        return active
    return active & {int(pk) for pk in actor.location_ids()}


def _from_extension(resource: dict[str, Any]) -> int | None:
    for index, extension in enumerate(resource.get("extension") or []):
        if isinstance(extension, dict) and is_home_location_url(extension.get("url")):
            where = f"Patient.extension[{index}]"
            location_id = numeric_id(reference(extension.get("valueReference", {}), "Location", where))
            if location_id is None or not Location.objects.filter(pk=location_id).exists():
                raise FhirError(422, "invalid", f"{where}: no such Location.", expression=[where])
            return location_id
    return None


def _organization_locations(ident: str, where: str) -> set[int]:
    pk = numeric_id(ident)
    if pk is None or not Organization.objects.filter(pk=pk).exists():
        raise FhirError(422, "invalid", f"{where}: no such Organization.", expression=[where])
    return set(Location.objects.filter(organization_id=pk, active=True).values_list("pk", flat=True))


def _clues(resource: dict[str, Any]) -> list[tuple[str, set[int]]]:
    """(where, the locations it allows) for each reference in the resource that bears on the location."""
    clues: list[tuple[str, set[int]]] = []
    organization = resource.get("managingOrganization")
    if organization:
        where = "Patient.managingOrganization"
        clues.append((where, _organization_locations(reference(organization, "Organization", where), where)))
    for index, item in enumerate(resource.get("generalPractitioner") or []):
        where = f"Patient.generalPractitioner[{index}]"
        text = item.get("reference", "") if isinstance(item, dict) else ""
        match = REFERENCE.match(text or "")
        kind, ident = (match.group(1), match.group(2)) if match else ("", "")
        if kind == "Organization":
            clues.append((where, _organization_locations(ident, where)))
        elif kind == "Practitioner":
            pk = numeric_id(ident)
            practitioner = Practitioner.objects.filter(pk=pk).first() if pk is not None else None
            if practitioner is None:
                raise FhirError(422, "invalid", f"{where}: no such Practitioner.", expression=[where])
            clues.append((where, set(practitioner.locations.filter(active=True).values_list("pk", flat=True))))
        elif kind == "PractitionerRole":
            practitioner_id, _dash, location_id = ident.partition("-")
            p_pk, l_pk = numeric_id(practitioner_id), numeric_id(location_id)
            if p_pk is None or l_pk is None or not Practitioner.locations.through.objects.filter(
                    practitioner_id=p_pk, location_id=l_pk).exists():
                raise FhirError(422, "invalid", f"{where}: no such PractitionerRole.", expression=[where])
            clues.append((where, {l_pk}))
        # any other reference (none is valid here) is refused by the R4 validation before this runs
    return clues


def _names(ids: set[int]) -> str:
    rows = list(Location.objects.filter(pk__in=ids).order_by("name", "pk")[:MAX_NAMED + 1])
    named = ", ".join(f"Location/{loc.pk} ({loc.name}, code {loc.code})" for loc in rows[:MAX_NAMED])
    return named + (", ..." if len(rows) > MAX_NAMED else "")


def _options() -> str:
    return ("Do one of: name generalPractitioner as PractitionerRole/<practitioner>-<location> (GET "
            "PractitionerRole?location=Location/<id> lists them) or a Practitioner who works at one location; set "
            "managingOrganization to an Organization with one location; add the extension "
            f"{home_location_url()} with valueReference Location/<id>; or have this client registered with a "
            "default location (clinicdesk fhir-client create --location CODE).")


def home_location(caller: Caller, resource: dict[str, Any]) -> int:
    """The location a new Patient is registered at (see the module's docstring), or a 422 saying what to do."""
    named = _from_extension(resource)
    if named is not None:
        return named
    reach = _reach(caller)
    candidates = set(reach)
    used = []
    for where, allowed in _clues(resource):
        used.append(where)
        candidates &= allowed
        if not candidates:
            raise FhirError(422, "business-rule", f"{' and '.join(used)}: no location you may register a patient "
                            f"at matches. You may register at: {_names(reach) or 'no location'}. " + _options(),
                            expression=used)
    if len(candidates) == 1:
        return next(iter(candidates))
    default = caller.default_location_id()
    if default is not None and default in candidates:
        return default
    if not candidates:
        raise FhirError(422, "business-rule", "There is no location where you may register a patient.",
                        expression=["Patient"])
    among = f" ({' and '.join(used)} allow several)" if used else ""
    raise FhirError(422, "required", f"Patient: which location registers this patient? This client works for "
                    f"{len(candidates)} locations{among}: {_names(candidates)}. " + _options(),
                    expression=["Patient.generalPractitioner", "Patient.managingOrganization", "Patient.extension"])
