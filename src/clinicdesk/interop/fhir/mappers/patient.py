"""Patient <-> FHIR R4 Patient (US Core: race and ethnicity extensions, MRN identifier)."""

from __future__ import annotations

from typing import Any

from clinicdesk.patients.models import Ethnicity, Patient, Race

from ..errors import FhirError
from . import MRN_SYSTEM

RACE_URL = "http://hl7.org/fhir/us/core/StructureDefinition/us-core-race"
ETHNICITY_URL = "http://hl7.org/fhir/us/core/StructureDefinition/us-core-ethnicity"
CDC_SYSTEM = "urn:oid:2.16.840.1.113883.6.238"
NULL_FLAVOR = "http://terminology.hl7.org/CodeSystem/v3-NullFlavor"
MR_TYPE = {"coding": [{"system": "http://terminology.hl7.org/CodeSystem/v2-0203", "code": "MR",
                       "display": "Medical record number"}]}
DECLINED = "asked-declined"


def _coding(code: str, labels: dict[str, Any]) -> dict[str, Any]:
    if code == DECLINED:
        return {"system": NULL_FLAVOR, "code": "ASKU", "display": "Asked but no answer"}
    return {"system": CDC_SYSTEM, "code": code, "display": str(labels.get(code, code))}


def _race_extension(codes: list[str]) -> dict[str, Any]:
    labels = dict(Race.choices)
    parts: list[dict[str, Any]] = [{"url": "ombCategory", "valueCoding": _coding(c, labels)} for c in codes]
    parts.append({"url": "text", "valueString": ", ".join(str(labels.get(c, c)) for c in codes)})
    return {"url": RACE_URL, "extension": parts}


def _ethnicity_extension(code: str) -> dict[str, Any]:
    labels = dict(Ethnicity.choices)
    return {"url": ETHNICITY_URL, "extension": [{"url": "ombCategory", "valueCoding": _coding(code, labels)},
                                                {"url": "text", "valueString": str(labels.get(code, code))}]}


def to_fhir(patient: Patient) -> dict[str, Any]:
    given = [patient.given_name] + ([patient.middle_name] if patient.middle_name else [])
    official: dict[str, Any] = {"use": "official", "family": patient.family_name, "given": given}
    if patient.suffix:
        official["suffix"] = [patient.suffix]
    names = [official]
    if patient.preferred_name:
        names.append({"use": "usual", "given": [patient.preferred_name]})
    if patient.previous_family_name:
        names.append({"use": "old", "family": patient.previous_family_name, "given": [patient.given_name]})
    telecom = []
    if patient.phone:
        telecom.append({"system": "phone", "value": patient.phone, "use": patient.phone_type, "rank": 1})
    if patient.alt_phone:
        telecom.append({"system": "phone", "value": patient.alt_phone, "use": patient.alt_phone_type, "rank": 2})
    if patient.email:
        telecom.append({"system": "email", "value": patient.email})
    resource: dict[str, Any] = {
        "resourceType": "Patient",
        "id": str(patient.pk),
        "identifier": [{"use": "usual", "type": MR_TYPE, "system": MRN_SYSTEM, "value": patient.mrn}],
        "active": patient.active,
        "name": names,
        "gender": patient.sex,
        "birthDate": patient.birth_date.isoformat(),
    }
    extensions = []
    if patient.race:
        extensions.append(_race_extension(list(patient.race)))
    if patient.ethnicity:
        extensions.append(_ethnicity_extension(patient.ethnicity))
    if extensions:
        resource["extension"] = extensions
    if telecom:
        resource["telecom"] = telecom
    if patient.deceased_date:
        resource["deceasedDateTime"] = patient.deceased_date.isoformat()
    if patient.address_line or patient.city or patient.postal_code:
        address: dict[str, Any] = {"use": "home", "country": "US"}
        lines = [line for line in (patient.address_line, patient.address_line2) if line]
        if lines:
            address["line"] = lines
        for key, value in (("city", patient.city), ("state", patient.state), ("postalCode", patient.postal_code)):
            if value:
                address[key] = value
        resource["address"] = [address]
    resource["communication"] = [{"language": {"coding": [{"system": "urn:ietf:bcp:47",
                                                           "code": patient.preferred_language}]},
                                  "preferred": True}]
    if patient.merged_into_id:
        resource["link"] = [{"other": {"reference": f"Patient/{patient.merged_into_id}"}, "type": "replaced-by"}]
    return resource


def _race_codes(extension: dict[str, Any]) -> list[str]:
    codes = []
    for part in extension.get("extension", []):
        if part.get("url") in ("ombCategory", "detailed") and "valueCoding" in part:
            coding = part["valueCoding"]
            codes.append(DECLINED if coding.get("code") in ("ASKU", "UNK") else coding.get("code", ""))
    return codes


def mrn_of(resource: dict[str, Any]) -> str | None:
    for identifier in resource.get("identifier", []):
        if identifier.get("system") == MRN_SYSTEM:
            return str(identifier.get("value", ""))
    return None


def _present(values: list[Any] | None) -> list[Any]:
    """A repeating primitive without the nulls FHIR JSON allows where only an extension (`_given`) is sent."""
    return [value for value in values or [] if value is not None]


def from_fhir(resource: dict[str, Any]) -> dict[str, Any]:
    """The demographic fields a Patient resource sets (every mapped field, so a PUT replaces them all).
    The services validate the values and name each bad field."""
    names = resource.get("name") or []
    official = next((n for n in names if n.get("use") in (None, "official")), None)
    given = _present(official.get("given")) if official else []
    if official is None or not official.get("family") or not given:
        raise FhirError(422, "required", "Patient.name: an official name with family and given is required.",
                        expression=["Patient.name"])
    values: dict[str, Any] = {
        "family_name": official["family"],
        "given_name": given[0],
        "middle_name": " ".join(given[1:]),
        "suffix": " ".join(_present(official.get("suffix"))),
        "preferred_name": next((_present(n.get("given"))[0] for n in names if n.get("use") in ("usual", "nickname")
                                and _present(n.get("given"))), ""),
        "previous_family_name": next((n.get("family", "") for n in names if n.get("use") in ("old", "maiden")), ""),
        "birth_date": resource.get("birthDate"),
        "sex": resource.get("gender") or "",
        "phone": "", "alt_phone": "", "email": "",
        "address_line": "", "address_line2": "", "city": "", "state": "", "postal_code": "",
        "race": [], "ethnicity": "",
    }
    phones = [t for t in resource.get("telecom", []) if t.get("system") == "phone"]
    phones.sort(key=lambda t: t.get("rank", 99))
    for (field, type_field), telecom in zip((("phone", "phone_type"), ("alt_phone", "alt_phone_type")), phones,
                                            strict=False):
        values[field] = telecom.get("value", "")
        if telecom.get("use") in ("mobile", "home", "work"):
            values[type_field] = telecom["use"]
    emails = [t for t in resource.get("telecom", []) if t.get("system") == "email"]
    if emails:
        values["email"] = emails[0].get("value", "")
    if resource.get("address"):
        address = resource["address"][0]
        lines = _present(address.get("line"))
        values.update(address_line=lines[0] if lines else "", address_line2=" ".join(lines[1:]),
                      city=address.get("city", ""), state=address.get("state", ""),
                      postal_code=address.get("postalCode", ""))
    for extension in resource.get("extension", []):
        if extension.get("url") == RACE_URL:
            values["race"] = _race_codes(extension)
        elif extension.get("url") == ETHNICITY_URL:
            codes = _race_codes(extension)
            values["ethnicity"] = codes[0] if codes else ""
    for communication in resource.get("communication", []):
        codings = communication.get("language", {}).get("coding", [])
        if codings and (communication.get("preferred") or len(resource["communication"]) == 1):
            values["preferred_language"] = codings[0].get("code", "en").split("-")[0]
    return values
