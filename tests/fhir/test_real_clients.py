"""The API driven over HTTP by two FHIR client libraries from PyPI (fhirpy and fhirclient) against a live
server: OAuth client credentials over the wire, patient search, slots, booking, cancelling, paging."""

from __future__ import annotations

import datetime as dt

import pytest
import requests
from fhirclient.models.appointment import Appointment as FcAppointment
from fhirclient.models.patient import Patient as FcPatient
from fhirclient.models.slot import Slot as FcSlot
from fhirclient.server import FHIRServer
from fhirpy import SyncFHIRClient

from clinicdesk.core import clock as clock_module
from clinicdesk.scheduling.models import Appointment
from tests.factories import PatientFactory

from .conformance import collect_resources
from .conftest import register_client

pytestmark = pytest.mark.django_db(transaction=True)
MOMENT = dt.datetime(2026, 11, 23, 15, 0, tzinfo=dt.UTC)


@pytest.fixture(autouse=True)
def close_server_connections(monkeypatch):
    """The live server answers on a thread per request; with persistent connections (CONN_MAX_AGE) they would
    outlive their threads and keep the PostgreSQL test database from being dropped."""
    from django.db import connections

    monkeypatch.setitem(connections.settings["default"], "CONN_MAX_AGE", 0)


@pytest.fixture
def frozen():
    with clock_module.frozen_at(MOMENT):
        yield


def _token(live_server, scopes: str) -> str:
    client_id, secret = register_client("Live", scopes)
    response = requests.post(f"{live_server.url}/o/token/", data={"grant_type": "client_credentials"},
                             auth=(client_id, secret), timeout=10)
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["token_type"] == "Bearer" and set(body["scope"].split()) == set(scopes.split())
    return body["access_token"]


SCOPES = "system/Patient.rs system/Appointment.cruds system/Slot.rs system/Schedule.rs"


@pytest.fixture
def many_patients(clinic):
    for n in range(7):
        PatientFactory(family_name="Garcia", given_name=f"Extra{n}", birth_date=dt.date(1960, 1, 1 + n),
                       home_location=clinic.location)
    return clinic


def test_fhirpy_search_slots_book_cancel_and_page(live_server, many_patients, frozen, returned):
    clinic = many_patients
    client = SyncFHIRClient(f"{live_server.url}/fhir/r4", authorization=f"Bearer {_token(live_server, SCOPES)}")
    found = client.resources("Patient").search(family="garcia", birthdate="ge1979-01-01").fetch()
    assert [p["name"][0]["given"][0] for p in found] == ["Ana"]
    ana = found[0]
    # paging: 9 Garcias, 4 per page, fhirpy follows the next links
    everyone = client.resources("Patient").search(family="garcia").limit(4).fetch_all()
    assert len(everyone) == 9 and len({p.id for p in everyone}) == 9
    slots = client.resources("Slot").search(
        schedule=f"Schedule/{clinic.practitioner.pk}-{clinic.location.pk}", status="free",
        **{"service-type": "follow-up"}).search(start__ge="2026-11-24T14:00:00Z").limit(3).fetch()
    assert len(slots) == 3
    appointment = client.resource("Appointment", status="booked", slot=[{"reference": f"Slot/{slots[0].id}"}],
                                  participant=[{"actor": ana.to_reference(), "status": "accepted"}])
    appointment.save()
    assert appointment.id and appointment["status"] == "booked"
    client.patch("Appointment", appointment.id, status="cancelled", cancelationReason={"text": "Feeling better"})
    fetched = client.reference("Appointment", appointment.id).to_resource()
    assert fetched["status"] == "cancelled"
    assert Appointment.objects.get(pk=appointment.id).status == "cancelled"
    for resource in [*found, *everyone, *slots, fetched]:
        collect_resources(resource.serialize(), returned)


def test_fhirclient_search_read_slots_book_cancel_and_page(live_server, many_patients, frozen, returned):
    clinic = many_patients
    server = FHIRServer(None, base_uri=f"{live_server.url}/fhir/r4")
    server.session.headers["Authorization"] = f"Bearer {_token(live_server, SCOPES)}"
    bundle = FcPatient.where(struct={"family": "garcia", "_count": "4"}).perform(server)
    assert bundle.total == 9 and len(bundle.entry) == 4
    pages, seen = 1, {e.resource.id for e in bundle.entry}
    next_link = next((link.url for link in bundle.link if link.relation == "next"), None)
    while next_link:
        page = server.request_json(next_link)
        pages += 1
        seen |= {e["resource"]["id"] for e in page.get("entry", [])}
        next_link = next((link["url"] for link in page["link"] if link["relation"] == "next"), None)
    assert pages == 3 and len(seen) == 9
    ana = FcPatient.read(str(clinic.patients[0].pk), server)
    assert ana.name[0].family == "Garcia" and ana.birthDate.isostring == "1980-05-17"
    slots = FcSlot.where(struct={"schedule": f"{clinic.practitioner.pk}-{clinic.location.pk}",
                                 "service-type": "follow-up", "status": "free", "start": "ge2026-11-24T15:00:00Z",
                                 "_count": "2"}).perform(server)
    assert slots.total > 2
    slots = [entry.resource for entry in slots.entry]
    assert len(slots) == 2 and slots[0].status == "free"
    booking = FcAppointment({"resourceType": "Appointment", "status": "booked",
                             "slot": [{"reference": f"Slot/{slots[0].id}"}],
                             "participant": [{"actor": {"reference": f"Patient/{ana.id}"}, "status": "accepted"}]})
    created = booking.create(server)
    appointment = FcAppointment(created)
    assert appointment.status == "booked"
    again = FcAppointment({"resourceType": "Appointment", "status": "booked",
                           "slot": [{"reference": f"Slot/{slots[0].id}"}],
                           "participant": [{"actor": {"reference": f"Patient/{clinic.patients[1].pk}"},
                                            "status": "accepted"}]})
    with pytest.raises(requests.HTTPError) as taken:
        again.create(server)
    assert taken.value.response.status_code == 409
    assert taken.value.response.json()["resourceType"] == "OperationOutcome"
    appointment.status = "cancelled"
    from fhirclient.models.codeableconcept import CodeableConcept

    appointment.cancelationReason = CodeableConcept({"text": "Rescheduling elsewhere"})
    updated = appointment.update(server)
    assert updated["status"] == "cancelled"
    assert Appointment.objects.get(pk=appointment.id).cancel_reason == "Rescheduling elsewhere"
    for item in (created, updated, ana.as_json(), *[s.as_json() for s in slots]):
        collect_resources(item, returned)


def test_live_server_refuses_anonymous_requests(live_server, db):
    response = requests.get(f"{live_server.url}/fhir/r4/Patient", timeout=10)
    assert response.status_code == 401
    assert response.json()["resourceType"] == "OperationOutcome"
    assert requests.get(f"{live_server.url}/fhir/r4/metadata", timeout=10).status_code == 200
