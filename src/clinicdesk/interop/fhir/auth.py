"""Who is calling: a bearer token from django-oauth-toolkit, its SMART scopes, and the actor the
services see. Back-end clients (client credentials) act as a SystemActor holding only the permissions
their system/* scopes imply; apps acting for a staff user act as that user (role and locations), limited
further by their user/* scopes. No token, no access."""

from __future__ import annotations

from dataclasses import dataclass

from django.http import HttpRequest
from oauth2_provider.oauth2_backends import get_oauthlib_core

from clinicdesk.core.permissions import Actor, SystemActor

from .errors import FhirError
from .models import FhirClient
from .scopes import ScopeSet, perms_for

# Who reads a public conformance resource without a token: holds no permission, so every data read refuses it.
ANONYMOUS = SystemActor("fhir:anonymous", frozenset())


@dataclass(frozen=True)
class Caller:
    actor: Actor  # ANONYMOUS for a read of a public conformance resource
    scopes: ScopeSet
    client_name: str
    application_id: int | None = None  # the OAuth application behind the token

    def default_location_id(self) -> int | None:
        """The location the client was registered with (`fhir-client create --location`), if any."""
        if self.application_id is None:
            return None
        return FhirClient.objects.filter(application_id=self.application_id).values_list(
            "location_id", flat=True).first()

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
        return Caller(SystemActor(f"fhir:{name}", perms_for(scopes)), scopes, name, token.application_id)
    user = token.user
    if not user.is_active:
        raise FhirError(401, "login", "The user behind this token is no longer active.")
    scopes = ScopeSet.of([w for w in words if w.startswith("user/")])
    return Caller(user, scopes, name, token.application_id)
