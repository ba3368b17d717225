"""The CapabilityStatement, built from the handler table the views dispatch on, so that it tells the truth."""

from __future__ import annotations

from typing import Any

from django.conf import settings

from .handlers import HANDLERS, OPERATIONS
from .locations import home_location_url, structure_definitions

SMART_CAPABILITIES = ["client-confidential-symmetric", "client-public", "launch-standalone", "permission-v1",
                      "permission-v2", "permission-user"]


def endpoints(base: str) -> dict[str, str]:
    root = base.split("/fhir/r4")[0]
    return {"token_endpoint": f"{root}/o/token/", "authorization_endpoint": f"{root}/o/authorize/",
            "revocation_endpoint": f"{root}/o/revoke_token/", "introspection_endpoint": f"{root}/o/introspect/"}


def capability_statement(base: str) -> dict[str, Any]:
    urls = endpoints(base)
    resources = []
    for handler in HANDLERS.values():
        entry: dict[str, Any] = {
            "type": handler.type,
            "interaction": [{"code": code} for code in handler.interactions],
            "versioning": "versioned" if handler.versioned else "no-version",
            "readHistory": handler.versioned,
            "updateCreate": False,
            "conditionalCreate": handler.conditional_create,
            "conditionalUpdate": False,
            "conditionalDelete": "not-supported",
            "searchParam": [{"name": p.name, "type": p.type, "documentation": p.doc} for p in handler.params.values()],
        }
        if handler.profile:
            entry["supportedProfile"] = [handler.profile]
        if handler.includes:
            entry["searchInclude"] = list(handler.includes)
        documentation = handler.doc
        if handler.type == "StructureDefinition":  # name each one by its canonical (http) URL
            documentation += " " + ", ".join(d["url"] for d in structure_definitions().values())
        elif handler.type == "Patient":
            documentation += f" Extension: {home_location_url()}"
        if documentation:
            entry["documentation"] = documentation.strip()
        operations = [{"name": name, "definition": _operation_definition(name)}
                      for (resource_type, name) in OPERATIONS if resource_type == handler.type]
        if operations:
            entry["operation"] = operations
        resources.append(entry)
    return {
        "resourceType": "CapabilityStatement",
        "status": "active",
        "date": "2026-11-23",
        "publisher": "Clinicdesk",
        "kind": "instance",
        "software": {"name": "Clinicdesk", "version": getattr(settings, "CLINICDESK_VERSION", "0.1")},
        "implementation": {"description": "Clinicdesk FHIR R4 API", "url": base},
        "fhirVersion": "4.0.1",
        "format": ["application/fhir+json", "json"],
        "patchFormat": ["application/json-patch+json", "application/merge-patch+json"],
        "rest": [{
            "mode": "server",
            "security": {
                "cors": False,
                "service": [{"coding": [{"system": "http://terminology.hl7.org/CodeSystem/restful-security-service",
                                         "code": "SMART-on-FHIR"}]}],
                "description": "OAuth 2.0 bearer tokens with SMART v2 scopes: client credentials for back-end "
                               "systems, authorization code with PKCE for apps acting for a staff user.",
                "extension": [{
                    "url": "http://fhir-registry.smarthealthit.org/StructureDefinition/oauth-uris",
                    "extension": [{"url": "token", "valueUri": urls["token_endpoint"]},
                                  {"url": "authorize", "valueUri": urls["authorization_endpoint"]},
                                  {"url": "revoke", "valueUri": urls["revocation_endpoint"]},
                                  {"url": "introspect", "valueUri": urls["introspection_endpoint"]}]}],
            },
            "resource": resources,
        }],
    }


def _operation_definition(name: str) -> str:
    return {"find": "http://fhir.org/guides/argonaut-scheduling/OperationDefinition/appointment-find",
            "match": "http://hl7.org/fhir/OperationDefinition/Patient-match"}[name]


def smart_configuration(base: str) -> dict[str, Any]:
    urls = endpoints(base)
    return {
        "issuer": base.split("/fhir/r4")[0],
        **urls,
        "token_endpoint_auth_methods_supported": ["client_secret_basic", "client_secret_post"],
        "grant_types_supported": ["authorization_code", "client_credentials", "refresh_token"],
        "scopes_supported": ["system/*.rs", "system/Patient.rs", "system/Patient.cruds", "system/Appointment.cruds",
                             "system/Slot.rs", "system/Schedule.rs", "user/Patient.rs", "user/Appointment.cruds",
                             "user/Slot.rs", "user/AuditEvent.rs", "offline_access"],
        "response_types_supported": ["code"],
        "code_challenge_methods_supported": ["S256"],
        "capabilities": SMART_CAPABILITIES,
    }
