"""clinicdesk fhir-client create NAME --scopes "system/Patient.rs system/Appointment.cruds" [--location CODE]
clinicdesk fhir-client create NAME --user-app --redirect-uri https://app.example/cb --scopes "user/Patient.rs"
clinicdesk fhir-client list

Registers an OAuth client of the FHIR API and prints its client id (and secret, once: only its hash is
kept). Back-end clients use client credentials; --user-app registers a public app that signs staff users in
with the authorization code flow and PKCE. --location CODE gives the client a default location: where the
patients it creates are registered when the Patient resource names none. The work is done (and audited) by
interop.fhir.services.fhir_client_create."""

from __future__ import annotations

import argparse
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from clinicdesk.core import request_context
from clinicdesk.core.exceptions import DomainError
from clinicdesk.interop.fhir.models import FhirClient
from clinicdesk.interop.fhir.services import fhir_client_create


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
        create.add_argument("--location", default="",
                            help="Location code or id where patients this client creates are registered when the "
                                 "Patient resource does not name one.")
        sub.add_parser("list", help="List registered clients.")

    def handle(self, *args: Any, **options: Any) -> None:
        if options["action"] == "list":
            for client in FhirClient.objects.select_related("application", "location").order_by("pk"):
                where = client.location.code if client.location is not None else "-"
                self.stdout.write(f"{client.application.client_id}\t{client.application.name}\t{where}\t"
                                  f"{client.scopes}")
            return
        token = request_context.bind(request_context.RequestInfo(channel="cli"))
        try:
            created = fhir_client_create(actor=None, name=options["name"], scopes=options["scopes"].split(),
                                         user_app=options["user_app"], redirect_uri=options["redirect_uri"],
                                         location=options["location"] or None)
        except DomainError as error:
            raise CommandError(error.detail) from error
        finally:
            request_context.reset(token)
        self.stdout.write(f"client_id: {created.client_id}")
        if created.client_secret:
            self.stdout.write(f"client_secret: {created.client_secret}")
        self.stdout.write(f"scopes: {created.client.scopes}")
        if created.client.location is not None:
            self.stdout.write(f"location: {created.client.location.code}")
