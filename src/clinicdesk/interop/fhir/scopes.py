"""SMART App Launch v2 scopes (`system/Patient.rs`, `user/Appointment.cruds`) and their v1 spellings
(`user/Patient.read`, `system/*.*`), parsed once into what they allow.

A token allows an interaction on a resource type when one of its scopes names that type (or `*`) and
that interaction (c create, r read/vread, u update/patch, d delete, s search). Scopes only narrow: the
actor behind the token (a client's SystemActor or a staff user) still needs the role and location.
"""

from __future__ import annotations

import itertools
import re
from dataclasses import dataclass
from typing import Any

from clinicdesk.core.permissions import Perm

CONTEXTS = ("system", "user", "patient")
INTERACTIONS = "cruds"
# Resource types a scope may name: what this server serves.
SCOPED_TYPES = ("Patient", "Practitioner", "PractitionerRole", "Organization", "Location", "HealthcareService",
                "Schedule", "Slot", "Appointment", "Coverage", "Flag", "AuditEvent", "CoverageEligibilityRequest",
                "CoverageEligibilityResponse", "ServiceRequest")
OTHER_SCOPES = {"openid": "Your identity", "fhirUser": "Your user resource", "launch": "Launch context",
                "launch/patient": "Patient launch context", "offline_access": "Refresh tokens",
                "online_access": "Refresh tokens while online",
                "introspection": "Ask about any client's tokens (token introspection)"}
_SCOPE = re.compile(r"^(system|user|patient)/(\*|[A-Z][A-Za-z]+)\.(\*|read|write|c?r?u?d?s?)$")


@dataclass(frozen=True)
class Grant:
    context: str
    resource_type: str  # a type or "*"
    interactions: frozenset[str]


def parse_scope(text: str) -> Grant | None:
    """One scope; None for non-resource scopes (openid, launch...) and for malformed ones."""
    match = _SCOPE.match(text)
    if not match or not match.group(3):
        return None
    context, resource_type, verbs = match.groups()
    if resource_type != "*" and resource_type not in SCOPED_TYPES:
        return None
    if verbs == "*":
        allowed = frozenset(INTERACTIONS)
    elif verbs == "read":
        allowed = frozenset("rs")
    elif verbs == "write":
        allowed = frozenset("cud")
    else:
        allowed = frozenset(verbs)
    return Grant(context, resource_type, allowed)


def valid_scope(text: str) -> bool:
    return text in OTHER_SCOPES or parse_scope(text) is not None


@dataclass(frozen=True)
class ScopeSet:
    grants: tuple[Grant, ...]

    @classmethod
    def of(cls, scopes: str | list[str]) -> ScopeSet:
        words = scopes.split() if isinstance(scopes, str) else scopes
        return cls(tuple(g for g in (parse_scope(w) for w in words) if g is not None))

    def allows(self, resource_type: str, interaction: str) -> bool:
        return any(interaction in g.interactions and g.resource_type in ("*", resource_type) for g in self.grants)

    @property
    def contexts(self) -> frozenset[str]:
        return frozenset(g.context for g in self.grants)


# What a back-end client's scopes let its SystemActor do; the scope check itself stays the first gate.
_PERMS: dict[tuple[str, str], frozenset[Perm]] = {
    ("Patient", "r"): frozenset({Perm.PATIENT_READ}),
    ("Patient", "s"): frozenset({Perm.PATIENT_READ}),
    ("Patient", "c"): frozenset({Perm.PATIENT_WRITE}),
    ("Patient", "u"): frozenset({Perm.PATIENT_WRITE}),
    ("Coverage", "r"): frozenset({Perm.PATIENT_READ}),
    ("Coverage", "s"): frozenset({Perm.PATIENT_READ}),
    ("Coverage", "c"): frozenset({Perm.PATIENT_WRITE}),
    ("Coverage", "u"): frozenset({Perm.PATIENT_WRITE}),
    ("CoverageEligibilityRequest", "c"): frozenset({Perm.INSURANCE_WRITE}),
    ("CoverageEligibilityRequest", "r"): frozenset({Perm.INSURANCE_READ}),
    ("CoverageEligibilityResponse", "r"): frozenset({Perm.INSURANCE_READ}),
    ("CoverageEligibilityResponse", "s"): frozenset({Perm.INSURANCE_READ}),
    ("ServiceRequest", "r"): frozenset({Perm.INSURANCE_READ}),
    ("ServiceRequest", "s"): frozenset({Perm.INSURANCE_READ}),
    ("Flag", "r"): frozenset({Perm.PATIENT_READ}),
    ("Flag", "s"): frozenset({Perm.PATIENT_READ}),
    ("Appointment", "r"): frozenset({Perm.SCHEDULE_READ}),
    ("Appointment", "s"): frozenset({Perm.SCHEDULE_READ}),
    ("Appointment", "c"): frozenset({Perm.SCHEDULE_WRITE}),
    ("Appointment", "u"): frozenset({Perm.SCHEDULE_WRITE, Perm.FRONTDESK}),
    ("Slot", "r"): frozenset({Perm.SCHEDULE_READ}),
    ("Slot", "s"): frozenset({Perm.SCHEDULE_READ}),
    ("Schedule", "r"): frozenset({Perm.SCHEDULE_READ}),
    ("Schedule", "s"): frozenset({Perm.SCHEDULE_READ}),
    ("AuditEvent", "r"): frozenset({Perm.AUDIT_READ}),
    ("AuditEvent", "s"): frozenset({Perm.AUDIT_READ}),
}


def perms_for(scopes: ScopeSet) -> frozenset[Perm]:
    perms: set[Perm] = set()
    for grant in scopes.grants:
        if grant.context != "system":
            continue
        for (resource_type, verb), granted in _PERMS.items():
            if verb in grant.interactions and grant.resource_type in ("*", resource_type):
                perms |= granted
    return frozenset(perms)


def _all_scopes() -> dict[str, str]:
    verbs = ["".join(c) for n in range(1, 6) for c in itertools.combinations(INTERACTIONS, n)]
    verbs += ["*", "read", "write"]
    scopes = dict(OTHER_SCOPES)
    for context, resource_type, verb in itertools.product(CONTEXTS, ("*", *SCOPED_TYPES), verbs):
        scopes[f"{context}/{resource_type}.{verb}"] = f"{context} {resource_type} {verb}"
    return scopes


ALL_SCOPES = _all_scopes()


class SmartScopes:
    """django-oauth-toolkit scopes backend: every SMART scope exists; an application may only get the
    scopes it was registered with (`clinicdesk fhir-client create NAME --scopes ...`)."""

    def get_all_scopes(self) -> dict[str, str]:
        return ALL_SCOPES

    def _registered(self, application: Any) -> list[str]:
        from .models import FhirClient

        client = FhirClient.objects.filter(application=application).first() if application is not None else None
        return client.scopes.split() if client is not None else []

    def get_available_scopes(self, application: Any = None, request: Any = None, *args: Any,
                             **kwargs: Any) -> list[str]:
        if application is None:
            return list(ALL_SCOPES)
        return self._registered(application)

    def get_default_scopes(self, application: Any = None, request: Any = None, *args: Any,
                           **kwargs: Any) -> list[str]:
        return self._registered(application) if application is not None else []
