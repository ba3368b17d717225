"""Writes the FHIR app owns: registering API clients. (Patients and appointments are written by their own apps'
services; resource versions by history.py when those apps announce a change.)"""

from __future__ import annotations

import secrets
from collections.abc import Sequence
from dataclasses import dataclass

from django.db.models import Q
from django.utils.translation import gettext as _
from oauth2_provider.models import get_application_model

from clinicdesk.audit.services import atomic_service, record
from clinicdesk.core.exceptions import ValidationFailed
from clinicdesk.core.permissions import Actor, Perm, require
from clinicdesk.practice.models import Location

from .models import FhirClient
from .scopes import parse_scope, valid_scope


@dataclass(frozen=True)
class RegisteredClient:
    client: FhirClient
    client_id: str
    client_secret: str  # shown once ("" for a public app): only its hash is kept


def _refuse(field: str, message: str) -> ValidationFailed:
    return ValidationFailed("invalid-fhir-client", message, fields={field: [message]})


def _location(code_or_id: str | int | None) -> Location | None:
    """An active location by its code or its id; None when none is named."""
    if code_or_id in (None, ""):
        return None
    text = str(code_or_id).strip()
    match = Q(code__iexact=text) | (Q(pk=int(text)) if text.isdigit() and len(text) < 18 else Q(pk__in=[]))
    found = Location.objects.filter(match, active=True).order_by("pk").first()
    if found is None:
        codes = ", ".join(Location.objects.filter(active=True).order_by("code").values_list("code", flat=True))
        raise _refuse("location", _("No active location '%(location)s'. Locations: %(codes)s.")
                      % {"location": text, "codes": codes or _("none")})
    return found


@atomic_service
def fhir_client_create(*, actor: Actor | None, name: str, scopes: Sequence[str], user_app: bool = False,
                       redirect_uri: str = "", location: str | int | None = None) -> RegisteredClient:
    """Register an OAuth client of the FHIR API with the SMART scopes it may be granted.

    Back-end clients (client credentials) take system/... scopes and get a secret; a user app (authorization
    code with PKCE, public) takes user/... scopes and a redirect URI. `location` (code or id) is where the
    patients this client creates are registered when the Patient resource does not name a location. Only a
    user administrator, or the system (`actor=None`: the `clinicdesk fhir-client` command), may; audited."""
    if actor is not None:
        require(actor, Perm.USER_ADMIN, resource_type="oauth-application")
    name = " ".join((name or "").split())
    if not name:
        raise _refuse("name", _("Name the client."))
    if len(name) > 255:
        raise _refuse("name", _("The client's name is longer than 255 characters."))
    scope_list = [s for s in scopes if s]
    bad = [s for s in scope_list if not valid_scope(s)]
    if bad or not scope_list:
        raise _refuse("scopes", _("Not SMART scopes served here: %(scopes)s.")
                      % {"scopes": ", ".join(bad) or _("(none given)")})
    contexts = {g.context for g in (parse_scope(s) for s in scope_list) if g is not None}
    if user_app and "system" in contexts:
        raise _refuse("scopes", _("A user app takes user/... scopes, not system/... ones."))
    if not user_app and contexts - {"system"}:
        raise _refuse("scopes", _("A back-end client takes system/... scopes; register a user app for user/... "
                                  "scopes."))
    if user_app and not redirect_uri:
        raise _refuse("redirect_uri", _("A user app needs a redirect URI."))
    home = _location(location)
    application_model = get_application_model()
    secret = "" if user_app else secrets.token_urlsafe(32)
    application = application_model.objects.create(
        name=name,
        client_type=application_model.CLIENT_PUBLIC if user_app else application_model.CLIENT_CONFIDENTIAL,
        authorization_grant_type=(application_model.GRANT_AUTHORIZATION_CODE if user_app
                                  else application_model.GRANT_CLIENT_CREDENTIALS),
        client_secret=secret, redirect_uris=redirect_uri, skip_authorization=False, algorithm="",
    )
    client = FhirClient.objects.create(application=application, scopes=" ".join(scope_list), location=home)
    record(actor, "fhir.client.create", resource_type="oauth-application", resource_id=application.pk,
           detail={"name": name, "scopes": scope_list, "user_app": user_app,
                   "location": home.code if home is not None else ""})
    return RegisteredClient(client, application.client_id, secret)
