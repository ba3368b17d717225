"""clinicdesk fhir-client create NAME --scopes "system/Patient.rs system/Appointment.cruds"
clinicdesk fhir-client create NAME --user-app --redirect-uri https://app.example/cb --scopes "user/Patient.rs"
clinicdesk fhir-client list

Registers an OAuth client of the FHIR API and prints its client id (and secret, once: only its hash is
kept). Back-end clients use client credentials; --user-app registers a public app that signs staff users in
with the authorization code flow and PKCE."""

from __future__ import annotations

import argparse
import secrets
from typing import Any

from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from oauth2_provider.models import get_application_model

from clinicdesk.audit.services import record
from clinicdesk.core import request_context
from clinicdesk.interop.fhir.models import FhirClient
from clinicdesk.interop.fhir.scopes import parse_scope, valid_scope


class Command(BaseCommand):
    help = "Register and list FHIR API clients (OAuth 2.0 with SMART scopes)."

    def add_arguments(self, parser: argparse.ArgumentParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        create = sub.add_parser("create", help="Register a client and print its id and secret.")
        create.add_argument("name")
        create.add_argument("--scopes", required=True, help='e.g. "system/Patient.rs system/Appointment.cruds"')
        create.add_argument("--user-app", action="store_true",
                            help="A public app for staff users (authorization code with PKCE).")
        create.add_argument("--redirect-uri", default="")
        sub.add_parser("list", help="List registered clients.")

    def handle(self, *args: Any, **options: Any) -> None:
        if options["action"] == "list":
            for client in FhirClient.objects.select_related("application").order_by("pk"):
                self.stdout.write(f"{client.application.client_id}\t{client.application.name}\t{client.scopes}")
            return
        scopes = options["scopes"].split()
        bad = [s for s in scopes if not valid_scope(s)]
        if bad or not scopes:
            raise CommandError(f"Not SMART scopes served here: {', '.join(bad) or '(none given)'}.")
        user_app = options["user_app"]
        contexts = {g.context for g in (parse_scope(s) for s in scopes) if g is not None}
        if user_app and "system" in contexts:
            raise CommandError("A user app takes user/... scopes, not system/... ones.")
        if not user_app and contexts - {"system"}:
            raise CommandError("A back-end client takes system/... scopes; use --user-app for user/... scopes.")
        if user_app and not options["redirect_uri"]:
            raise CommandError("--redirect-uri is required for a user app.")
        application_model = get_application_model()
        secret = "" if user_app else secrets.token_urlsafe(32)
        token = request_context.bind(request_context.RequestInfo(channel="cli"))
        try:
            with transaction.atomic():
                application = application_model.objects.create(
                    name=options["name"],
                    client_type=application_model.CLIENT_PUBLIC if user_app else application_model.CLIENT_CONFIDENTIAL,
                    authorization_grant_type=(application_model.GRANT_AUTHORIZATION_CODE if user_app
                                              else application_model.GRANT_CLIENT_CREDENTIALS),
                    client_secret=secret, redirect_uris=options["redirect_uri"], skip_authorization=False,
                    algorithm="",
                )
                FhirClient.objects.create(application=application, scopes=" ".join(scopes))
                record(None, "fhir.client.create", resource_type="oauth-application", resource_id=application.pk,
                       detail={"name": options["name"], "scopes": scopes, "user_app": user_app})
        finally:
            request_context.reset(token)
        self.stdout.write(f"client_id: {application.client_id}")
        if secret:
            self.stdout.write(f"client_secret: {secret}")
        self.stdout.write(f"scopes: {' '.join(scopes)}")
