from __future__ import annotations

import datetime as dt

from clinicdesk.audit.models import AuditEntry
from clinicdesk.scheduling.models import Appointment


def _booking(clinic, patient, start="2026-11-24T14:00:00Z", **extra):
    resource = {
        "resourceType": "Appointment", "status": "booked",
        "serviceType": [{"coding": [{"system": "urn:clinicdesk:appointment-type", "code": clinic.kind.code}]}],
        "start": start,
        "participant": [
            {"actor": {"reference": f"Patient/{patient.pk}"}, "status": "accepted"},
            {"actor": {"reference": f"Practitioner/{clinic.practitioner.pk}"}, "status": "accepted"},
            {"actor": {"reference": f"Location/{clinic.location.pk}"}, "status": "accepted"},
        ],
    }
    resource.update(extra)
    return resource


def test_schedule_search_by_actor(clinic, system_api, clock):
    api = system_api()
    bundle = api.get("Schedule", {"actor": f"Practitioner/{clinic.practitioner.pk}"}).json()
    assert bundle["total"] == 1
    schedule = bundle["entry"][0]["resource"]
    assert schedule["id"] == f"{clinic.practitioner.pk}-{clinic.location.pk}"
    assert api.get(f"Schedule/{schedule['id']}").status_code == 200


def test_slot_search_computes_free_slots_from_availability(clinic, system_api, clock):
    api = system_api()
    schedule = f"Schedule/{clinic.practitioner.pk}-{clinic.location.pk}"
    bundle = api.get("Slot", {"schedule": schedule, "start": ["ge2026-11-24T00:00:00Z", "lt2026-11-25T00:00:00Z"],
                              "service-type": "follow-up", "status": "free", "_count": "100"}).json()
    # 08:00-17:00 New York is 13:00-22:00 UTC: 27 slots of 20 minutes.
    assert bundle["total"] == 27
    first = bundle["entry"][0]["resource"]
    assert first["start"] == "2026-11-24T13:00:00Z" and first["end"] == "2026-11-24T13:20:00Z"
    assert api.get(f"Slot/{first['id']}").json()["status"] == "free"


def test_book_a_slot_then_it_is_busy_and_a_second_booking_is_409(clinic, system_api, clock):
    api = system_api()
    schedule = f"Schedule/{clinic.practitioner.pk}-{clinic.location.pk}"
    slot = api.get("Slot", {"schedule": schedule, "start": "ge2026-11-24T14:00:00Z", "service-type": "follow-up",
                            "status": "free", "_count": "1"}).json()["entry"][0]["resource"]
    booking = {"resourceType": "Appointment", "status": "booked", "slot": [{"reference": f"Slot/{slot['id']}"}],
               "participant": [{"actor": {"reference": f"Patient/{clinic.patients[0].pk}"}, "status": "accepted"}]}
    response = api.post("Appointment", booking)
    assert response.status_code == 201, response.content
    created = response.json()
    assert created["start"] == slot["start"] and created["status"] == "booked"
    assert Appointment.objects.filter(pk=created["id"], patient=clinic.patients[0]).exists()
    taken = api.post("Appointment", _booking(clinic, clinic.patients[1], start=slot["start"]))
    assert taken.status_code == 409
    assert taken.json()["issue"][0]["code"] == "conflict"
    assert Appointment.objects.count() == 1
    free = api.get("Slot", {"schedule": schedule, "start": ["ge2026-11-24T14:00:00Z", "lt2026-11-24T15:00:00Z"],
                            "service-type": "follow-up", "status": "free"}).json()
    assert slot["id"] not in {e["resource"]["id"] for e in free.get("entry", [])}
    assert api.get(f"Slot/{slot['id']}").json()["status"] == "busy"


def test_appointment_read_search_include_and_versions(clinic, system_api, clock):
    api = system_api()
    created = api.post("Appointment", _booking(clinic, clinic.patients[0])).json()
    response = api.get(f"Appointment/{created['id']}")
    assert response.status_code == 200 and response["ETag"] == 'W/"1"'
    bundle = api.get("Appointment", {"patient": f"Patient/{clinic.patients[0].pk}", "date": "ge2026-11-24",
                                     "status": "booked", "_include": "Appointment:patient"}).json()
    assert bundle["total"] == 1
    modes = [e["search"]["mode"] for e in bundle["entry"]]
    assert modes == ["match", "include"]
    assert bundle["entry"][1]["resource"]["resourceType"] == "Patient"
    assert api.get("Appointment", {"practitioner": str(clinic.practitioner.pk)}).json()["total"] == 1
    assert api.get("Appointment", {"location": f"Location/{clinic.location.pk}", "date": "2026-11-25"}).json()[
        "total"] == 0


def test_appointment_patch_cancels_through_the_service(clinic, system_api, clock):
    api = system_api()
    created = api.post("Appointment", _booking(clinic, clinic.patients[0])).json()
    no_reason = api.patch(f"Appointment/{created['id']}", [{"op": "replace", "path": "/status", "value": "cancelled"}])
    assert no_reason.status_code == 422
    response = api.patch(f"Appointment/{created['id']}", [
        {"op": "replace", "path": "/status", "value": "cancelled"},
        {"op": "add", "path": "/cancelationReason", "value": {"text": "Patient called"}}])
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["status"] == "cancelled" and body["meta"]["versionId"] == "2"
    assert body["cancelationReason"]["text"] == "Patient called"
    appointment = Appointment.objects.get(pk=created["id"])
    assert appointment.status == "cancelled" and appointment.late_cancel
    assert AuditEntry.objects.filter(action="appointment.cancel").exists()
    assert api.get(f"Appointment/{created['id']}/_history/1").json()["status"] == "booked"
    again = api.patch(f"Appointment/{created['id']}", [{"op": "replace", "path": "/status", "value": "arrived"}])
    assert again.status_code == 409


def test_appointment_update_arrived_then_noshow_is_refused(clinic, system_api, clock):
    api = system_api()
    created = api.post("Appointment", _booking(clinic, clinic.patients[0], start="2026-11-23T16:00:00Z")).json()
    arrived = dict(created, status="arrived")
    response = api.put(f"Appointment/{created['id']}", arrived, **{"If-Match": 'W/"1"'})
    assert response.status_code == 200, response.content
    assert response.json()["status"] == "arrived"
    stale = api.put(f"Appointment/{created['id']}", dict(created, status="noshow"), **{"If-Match": 'W/"1"'})
    assert stale.status_code == 412
    other = {"actor": {"reference": "Practitioner/999999"}, "status": "accepted"}
    moved = dict(response.json(), participant=[created["participant"][0], other, created["participant"][2]])
    refused = api.put(f"Appointment/{created['id']}", moved)
    assert refused.status_code == 422


def test_appointment_noshow_patch(clinic, system_api, clock):
    api = system_api()
    created = api.post("Appointment", _booking(clinic, clinic.patients[0], start="2026-11-23T16:00:00Z")).json()
    clock.advance(dt.timedelta(hours=2))
    response = api.patch(f"Appointment/{created['id']}", [{"op": "replace", "path": "/status", "value": "noshow"}])
    assert response.status_code == 200, response.content
    assert response.json()["status"] == "noshow"


def test_appointment_create_refuses_a_bad_reference_and_writes_nothing(clinic, system_api, clock):
    api = system_api()
    bad = _booking(clinic, clinic.patients[0])
    bad["participant"][0]["actor"]["reference"] = "Patients/x y"
    response = api.post("Appointment", bad)
    assert response.status_code == 422
    assert "participant[0]" in response.json()["issue"][0]["diagnostics"]
    unknown_type = _booking(clinic, clinic.patients[0])
    unknown_type["serviceType"][0]["coding"][0]["code"] = "nope"
    assert api.post("Appointment", unknown_type).status_code == 422
    assert Appointment.objects.count() == 0


def test_appointment_find_returns_proposed_appointments(clinic, system_api, clock):
    api = system_api()
    response = api.get("Appointment/$find", {"service-type": "follow-up", "start": "2026-11-24",
                                             "end": "2026-11-26", "location": f"Location/{clinic.location.pk}"})
    assert response.status_code == 200, response.content
    bundle = response.json()
    assert bundle["total"] >= 1
    proposal = bundle["entry"][0]["resource"]
    assert proposal["status"] == "proposed" and proposal["slot"][0]["reference"].startswith("Slot/")
    booked = api.post("Appointment", {"resourceType": "Appointment", "status": "booked", "slot": proposal["slot"],
                                      "participant": [{"actor": {"reference": f"Patient/{clinic.patients[2].pk}"},
                                                       "status": "accepted"}]})
    assert booked.status_code == 201, booked.content


def test_user_of_another_location_cannot_see_or_book(clinic, staff, user_api, other_location, clock):
    outsider = user_api(staff(at=other_location))
    insider_api = user_api(staff())
    created = insider_api.post("Appointment", _booking(clinic, clinic.patients[0])).json()
    assert outsider.get(f"Appointment/{created['id']}").status_code == 404
    assert outsider.get("Appointment", {"patient": str(clinic.patients[0].pk)}).json()["total"] == 0
    response = outsider.post("Appointment", _booking(clinic, clinic.patients[1], start="2026-11-24T16:00:00Z"))
    assert response.status_code in (403, 404)
    assert Appointment.objects.count() == 1


def test_directory_resources_read_and_search(clinic, system_api, clock):
    api = system_api()
    practitioner = api.get(f"Practitioner/{clinic.practitioner.pk}").json()
    assert practitioner["identifier"][0]["value"] == clinic.practitioner.npi
    assert api.get("Practitioner", {"family": "hop"}).json()["total"] == 1
    assert api.get("PractitionerRole", {"practitioner": str(clinic.practitioner.pk)}).json()["total"] == 1
    assert api.get(f"Location/{clinic.location.pk}").json()["name"] == "Downtown"
    assert api.get(f"Organization/{clinic.location.organization_id}").status_code == 200
    services = api.get("HealthcareService", {"service-type": "follow-up"}).json()
    assert services["total"] == 1
    assert api.get("Location", {"name": "down"}).json()["total"] == 1
    assert api.get("Organization").json()["total"] >= 1


def test_coverage_search_by_patient(clinic, system_api, clock):
    from clinicdesk.patients.models import Coverage, Payer

    payer = Payer.objects.create(name="Acme Health")
    Coverage.objects.create(patient=clinic.patients[0], payer=payer, member_id="M123", start_date=dt.date(2026, 1, 1))
    api = system_api()
    bundle = api.get("Coverage", {"patient": f"Patient/{clinic.patients[0].pk}"}).json()
    assert bundle["total"] == 1
    coverage = bundle["entry"][0]["resource"]
    assert coverage["beneficiary"]["reference"] == f"Patient/{clinic.patients[0].pk}"
    assert api.get(f"Coverage/{coverage['id']}").json()["subscriberId"] == "M123"


def test_audit_events_for_the_compliance_role_only(clinic, staff, user_api, system_api, clock):
    from clinicdesk.core.permissions import Role

    system_api().get(f"Patient/{clinic.patients[0].pk}")
    compliance = user_api(staff(Role.COMPLIANCE))
    bundle = compliance.get("AuditEvent", {"patient": f"Patient/{clinic.patients[0].pk}"}).json()
    assert bundle["total"] >= 1
    event = bundle["entry"][0]["resource"]
    assert compliance.get(f"AuditEvent/{event['id']}").status_code == 200
    desk = user_api(staff(Role.FRONT_DESK))
    assert desk.get("AuditEvent").status_code == 403
