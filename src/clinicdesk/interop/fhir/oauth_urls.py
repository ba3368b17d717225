"""The OAuth 2.0 endpoints the FHIR API uses, and only those: authorize (code + PKCE), token, revoke and
introspect (a client learns about its own tokens only, unless granted the `introspection` scope:
`introspection.py`). django-oauth-toolkit's application-management pages are not mounted: clients are registered
with `clinicdesk fhir-client create`, which also records the scopes a client may be granted."""

from django.urls import path
from oauth2_provider import views

from .introspection import IntrospectTokenView

app_name = "oauth2_provider"

urlpatterns = [
    path("authorize/", views.AuthorizationView.as_view(), name="authorize"),
    path("token/", views.TokenView.as_view(), name="token"),
    path("revoke_token/", views.RevokeTokenView.as_view(), name="revoke-token"),
    path("introspect/", IntrospectTokenView.as_view(), name="introspect"),
]
