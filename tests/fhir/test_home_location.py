"""#13 item 14: a standard (US Core) client can create a Patient in a practice with several locations, without the
proprietary extension; the extension that stays is published as a StructureDefinition with an http URL; and the
API client's registration is a service (audited) with a default location."""

from __future__ import annotations

import io

import pytest
from django.core.management import CommandError, call_command
from django.test import Client

from clinicdesk.audit.models import AuditEntry
from clinicdesk.core.exceptions import PermissionDenied, ValidationFailed
from clinicdesk.core.permissions import Role
from clinicdesk.interop.fhir.models import FhirClient
from clinicdesk.interop.fhir.services import fhir_client_create
from clinicdesk.patients.models import Patient
from tests.factories import LocationFactory, OrganizationFactory, PractitionerFactory

from .conftest import Api, client_credentials_token, register_client

SCOPES = "system/Patient.cruds system/Location.rs system/PractitionerRole.rs"


def _us_core(**extra):
    resource = {"resourceType": "Patient", "name": [{"use": "official", "family": "Newcomb", "given": ["Nell"]}],
                "gender": "female", "birthDate": "1990-02-03"}
    resource.update(extra)
    return resource


@pytest.fixture
def two_locations(clinic, other_location):
    return clinic.location, other_location


def _api(returned, *extra: str) -> Api:
    out = io.StringIO()
    call_command("fhir-client", "create", "EHR", "--scopes", SCOPES, *extra, stdout=out)
    lines = dict(line.split(": ", 1) for line in out.getvalue().splitlines())
    client = Client()
    return Api(client, client_credentials_token(client, lines["client_id"], lines["client_secret"])["access_token"],
               returned)


def _home(response) -> int:
    assert response.status_code == 201, response.content
    return Patient.objects.get(pk=response.json()["id"]).home_location_id


def test_without_a_clue_the_error_names_every_option(two_locations, system_api):
    api = system_api(SCOPES)
    response = api.post("Patient", _us_core())
    assert response.status_code == 422
    message = response.json()["issue"][0]["diagnostics"]
    for option in ("generalPractitioner", "PractitionerRole/", "managingOrganization", "--location",
                   "http://", "/StructureDefinition/clinicdesk-home-location", "Downtown", "Uptown"):
        assert option in message, option
    assert "urn:clinicdesk" not in message
    assert not Patient.objects.filter(family_name="Newcomb").exists()


def test_a_client_registered_with_a_location_creates_patients_there(two_locations, returned):
    downtown, uptown = two_locations
    api = _api(returned, "--location", uptown.code)
    assert FhirClient.objects.get(application__name="EHR").location == uptown
    assert _home(api.post("Patient", _us_core())) == uptown.pk
    # What the resource says wins over the client's default.
    role = f"PractitionerRole/{PractitionerFactory(location=downtown).pk}-{downtown.pk}"
    assert _home(api.post("Patient", _us_core(name=[{"family": "Other", "given": ["Olga"]}],
                                              generalPractitioner=[{"reference": role}]))) == downtown.pk


def test_general_practitioner_decides_the_location(two_locations, system_api):
    downtown, uptown = two_locations
    api = system_api(SCOPES)
    uptown_doctor = PractitionerFactory(location=uptown)
    assert _home(api.post("Patient", _us_core(generalPractitioner=[
        {"reference": f"PractitionerRole/{uptown_doctor.pk}-{uptown.pk}"}]))) == uptown.pk
    # A practitioner who works at one location only names it too.
    assert _home(api.post("Patient", _us_core(name=[{"family": "Second", "given": ["Sam"]}], generalPractitioner=[
        {"reference": f"Practitioner/{uptown_doctor.pk}"}]))) == uptown.pk
    # A role at a location where the practitioner does not work is refused by name.
    wrong = api.post("Patient", _us_core(generalPractitioner=[
        {"reference": f"PractitionerRole/{uptown_doctor.pk}-{downtown.pk}"}]))
    assert wrong.status_code == 422 and "generalPractitioner[0]" in wrong.json()["issue"][0]["diagnostics"]


def test_managing_organization_with_one_location_decides_it(two_locations, system_api):
    downtown, _uptown = two_locations
    satellite_group = OrganizationFactory(name="Satellite Group")
    satellite = LocationFactory(organization=satellite_group, name="Satellite")
    api = system_api(SCOPES)
    assert _home(api.post("Patient", _us_core(
        managingOrganization={"reference": f"Organization/{satellite_group.pk}"}))) == satellite.pk
    # The main organization has two locations: it does not decide alone, and the message says so.
    main_group = {"reference": f"Organization/{downtown.organization_id}"}
    vague = api.post("Patient", _us_core(managingOrganization=main_group))
    assert vague.status_code == 422
    assert "managingOrganization allow several" in vague.json()["issue"][0]["diagnostics"]


def test_the_extension_is_published_and_the_old_urn_still_works(two_locations, system_api, returned):
    _downtown, uptown = two_locations
    metadata = Client().get("/fhir/r4/metadata").json()
    types = {r["type"]: r for r in metadata["rest"][0]["resource"]}
    assert types["StructureDefinition"]["interaction"] == [{"code": "read"}]
    url = next(word for word in types["StructureDefinition"]["documentation"].split() if word.startswith("http"))
    assert url.endswith("/StructureDefinition/clinicdesk-home-location") and url in types["Patient"]["documentation"]
    published = Api(Client(), "", returned).get("StructureDefinition/clinicdesk-home-location")  # no token
    assert published.status_code == 200
    definition = published.json()
    assert definition["url"] == url and definition["type"] == "Extension"
    from fhir.resources.R4B.structuredefinition import StructureDefinition

    StructureDefinition.model_validate(definition)
    api = system_api(SCOPES)
    for index, extension_url in enumerate((url, "urn:clinicdesk:home-location")):
        resource = _us_core(name=[{"family": ("Abbott", "Zielinski")[index], "given": [("Eve", "Ula")[index]]}],
                            birthDate=f"19{60 + index}-07-0{index + 1}", extension=[
            {"url": extension_url, "valueReference": {"reference": f"Location/{uptown.pk}"}}])
        assert _home(api.post("Patient", resource)) == uptown.pk


def test_one_location_needs_nothing(clinic, system_api):
    assert _home(system_api(SCOPES).post("Patient", _us_core())) == clinic.location.pk


# --- registering a client: a service, audited -------------------------------------------------------------

def test_fhir_client_create_is_an_audited_service(two_locations, staff):
    _downtown, uptown = two_locations
    created = fhir_client_create(actor=None, name=" Lab  bridge ", scopes=["system/Patient.rs"],
                                 location=str(uptown.pk))
    assert created.client.location == uptown and created.client_secret
    entry = AuditEntry.objects.get(action="fhir.client.create")
    assert entry.detail["name"] == "Lab bridge" and entry.detail["location"] == uptown.code
    with pytest.raises(ValidationFailed, match="No active location 'nowhere'"):
        fhir_client_create(actor=None, name="X", scopes=["system/Patient.rs"], location="nowhere")
    with pytest.raises(ValidationFailed, match="user/"):
        fhir_client_create(actor=None, name="X", scopes=["user/Patient.rs"])
    with pytest.raises(PermissionDenied):
        fhir_client_create(actor=staff(Role.FRONT_DESK), name="X", scopes=["system/Patient.rs"])
    assert fhir_client_create(actor=staff(Role.SYSADMIN), name="Y", scopes=["system/Patient.rs"]).client.location \
        is None
    assert FhirClient.objects.count() == 2


def test_the_command_calls_the_service_and_reports_its_refusals(two_locations):
    with pytest.raises(CommandError, match="No active location"):
        call_command("fhir-client", "create", "Bad", "--scopes", "system/Patient.rs", "--location", "nowhere",
                     stdout=io.StringIO())
    assert not FhirClient.objects.exists()
    client_id, _secret = register_client("Good", "system/Patient.rs")
    out = io.StringIO()
    call_command("fhir-client", "list", stdout=out)
    assert client_id in out.getvalue()
    assert AuditEntry.objects.filter(action="fhir.client.create").count() == 1
