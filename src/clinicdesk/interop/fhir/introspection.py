"""Token introspection (RFC 7662) at `/o/introspect/`, limited to what the caller may know.

django-oauth-toolkit's view answers any authenticated client about any token. Here a client learns about its
own tokens only, unless it holds the `introspection` scope: registered with it (`clinicdesk fhir-client create
NAME --scopes introspection`) when it authenticates with its id and secret, or granted it in the bearer token
it presents (the toolkit already requires that scope of bearer callers). About anyone else's token the answer
is `{"active": false}`, exactly as for an unknown or expired one (RFC 7662 section 2.2: reveal nothing).
"""

from __future__ import annotations

import hashlib
from typing import Any

from django.http import HttpRequest, HttpResponse, JsonResponse
from oauth2_provider import views
from oauth2_provider.models import get_access_token_model
from oauthlib.common import Request as OauthlibRequest

from .models import FhirClient

INTROSPECTION_SCOPE = "introspection"


class IntrospectTokenView(views.IntrospectTokenView):
    # Who asks: (their application, whether they may introspect every client's tokens); set on authentication.
    caller: tuple[Any, bool] = (None, False)

    def authenticate_client(self, request: HttpRequest) -> bool:
        """Client id and secret (basic auth or the body), as the toolkit does; keeps which client it was."""
        core = self.get_oauthlib_core()
        uri, http_method, body, headers = core._extract_params(request)
        oauth_request = OauthlibRequest(uri, http_method, body, headers)
        if not core.server.request_validator.authenticate_client(oauth_request):
            return False
        application = oauth_request.client
        registered = FhirClient.objects.filter(application=application).values_list("scopes", flat=True).first()
        self.caller = (application, INTROSPECTION_SCOPE in (registered or "").split())
        return True

    def verify_request(self, request: HttpRequest) -> tuple[bool, Any]:
        """A bearer token, which the toolkit accepts only with the `introspection` scope (`required_scopes`)."""
        valid, oauth_request = super().verify_request(request)
        if valid:
            token = oauth_request.access_token
            self.caller = (token.application, INTROSPECTION_SCOPE in token.scope.split())
        return valid, oauth_request

    def _may_know(self, token_value: str) -> bool:
        application, everyone = self.caller
        if everyone:
            return True
        checksum = hashlib.sha256(token_value.encode("utf-8")).hexdigest()
        issued_to = get_access_token_model().objects.filter(token_checksum=checksum).values_list(
            "application_id", flat=True).first()
        return application is not None and issued_to == application.pk

    def _answer(self, token_value: str | None) -> HttpResponse:
        if token_value is not None and not self._may_know(token_value):
            return JsonResponse({"active": False}, status=200)
        return self.get_token_response(token_value)

    def get(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        return self._answer(request.GET.get("token"))

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        return self._answer(request.POST.get("token"))
