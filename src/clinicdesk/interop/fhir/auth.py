"""Who is calling: a bearer token from django-oauth-toolkit, its SMART scopes, and the actor the
services see. Back-end clients (client credentials) act as a SystemActor holding only the permissions
their system/* scopes imply; apps acting for a staff user act as that user (role and locations), limited
further by their user/* scopes. No token, no access."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.http import HttpRequest
from oauth2_provider.oauth2_backends import get_oauthlib_core

from clinicdesk.core.permissions import SystemActor

from .errors import FhirError
from .scopes import ScopeSet, perms_for


@dataclass(frozen=True)
class Caller:
    actor: Any
    scopes: ScopeSet
    client_name: str

    def check(self, resource_type: str, interaction: str) -> None:
        """`interaction` is one SMART letter: c r u d s."""
        if not self.scopes.allows(resource_type, interaction):
            words = {"c": "create", "r": "read", "u": "update", "d": "delete", "s": "search"}
            raise FhirError(403, "forbidden", f"The access token's scopes do not allow {words[interaction]} "
                            f"on {resource_type}.")


def authenticate(request: HttpRequest) -> Caller:
    if not request.headers.get("Authorization", "").startswith("Bearer "):
        raise FhirError(401, "login", "An OAuth 2.0 bearer token is required.")
    valid, oauth_request = get_oauthlib_core().verify_request(request, scopes=[])
    token = getattr(oauth_request, "access_token", None)
    if not valid or token is None:
        raise FhirError(401, "login", "The access token is invalid or has expired.")
    words = token.scope.split()
    application = token.application
    name = application.name if application is not None else "unknown"
    if token.user is None:
        scopes = ScopeSet.of([w for w in words if w.startswith("system/")])
        return Caller(SystemActor(f"fhir:{name}", perms_for(scopes)), scopes, name)
    user = token.user
    if not user.is_active:
        raise FhirError(401, "login", "The user behind this token is no longer active.")
    scopes = ScopeSet.of([w for w in words if w.startswith("user/")])
    return Caller(user, scopes, name)
