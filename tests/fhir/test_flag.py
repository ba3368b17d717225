"""FHIR Flag: patient alerts read and searched, audited, in the CapabilityStatement, valid R4 (the `returned`
fixture validates every resource the server sends)."""

from __future__ import annotations

from typing import Any

from clinicdesk.audit.models import AuditEntry
from clinicdesk.core.permissions import Role
from clinicdesk.patients.models import AlertKind
from clinicdesk.patients.services import patient_alert_add, patient_alert_end
from tests.factories import LocationFactory

FLAG_SCOPES = "user/Flag.rs user/Patient.rs"


def _alerts(clinic: Any, desk: Any) -> tuple[Any, Any, Any]:
    ana, luis = clinic.patients[0], clinic.patients[1]
    latex = patient_alert_add(actor=desk, patient_id=ana.pk, kind_id=AlertKind.objects.get(code="latex-allergy").pk,
                              reason="Hives in 2024")
    interpreter = patient_alert_add(actor=desk, patient_id=ana.pk,
                                    kind_id=AlertKind.objects.get(code="interpreter").pk, reason="Asked for one",
                                    detail="Portuguese")
    ended = patient_alert_add(actor=desk, patient_id=luis.pk, kind_id=AlertKind.objects.get(code="behaviour").pk,
                              reason="Raised voice")
    patient_alert_end(actor=desk, alert_id=ended.pk, reason="Calm since")
    return latex, interpreter, ended


def test_flag_read_maps_the_alert_and_is_audited(clinic, staff, user_api):
    desk = staff()
    latex, interpreter, ended = _alerts(clinic, desk)
    api = user_api(desk, FLAG_SCOPES)
    body = api.get(f"Flag/{latex.pk}").json()
    assert body["resourceType"] == "Flag" and body["status"] == "active"
    assert body["code"]["coding"][0] == {"system": "urn:clinicdesk:alert-kind", "code": "latex-allergy",
                                         "display": "Latex allergy"}
    assert body["category"][0]["coding"][0]["code"] == "clinical"
    assert body["subject"] == {"reference": f"Patient/{clinic.patients[0].pk}"}
    assert "end" not in body["period"]
    assert AuditEntry.objects.filter(action="fhir.read.Flag", patient_id=clinic.patients[0].pk).exists()
    assert api.get(f"Flag/{interpreter.pk}").json()["code"]["text"] == "Interpreter needed: Portuguese"
    closed = api.get(f"Flag/{ended.pk}").json()
    assert closed["status"] == "inactive" and closed["period"]["end"] > closed["period"]["start"]
    assert api.get("Flag/999999").status_code == 404


def test_flag_search_by_patient_status_and_id(clinic, staff, user_api):
    desk = staff()
    latex, interpreter, ended = _alerts(clinic, desk)
    api = user_api(desk, FLAG_SCOPES)
    ana, luis = clinic.patients[0], clinic.patients[1]

    def ids(params: dict[str, str]) -> set[str]:
        bundle = api.get("Flag", params).json()
        assert bundle["total"] == len(bundle.get("entry", []))
        return {e["resource"]["id"] for e in bundle.get("entry", [])}

    assert ids({"patient": f"Patient/{ana.pk}"}) == {str(latex.pk), str(interpreter.pk)}
    assert ids({"subject": str(luis.pk)}) == {str(ended.pk)}
    assert ids({"status": "active"}) == {str(latex.pk), str(interpreter.pk)}
    assert ids({"status": "inactive"}) == {str(ended.pk)}
    assert ids({"status": "active,inactive", "patient": str(luis.pk)}) == {str(ended.pk)}
    assert ids({"_id": str(interpreter.pk)}) == {str(interpreter.pk)}
    assert ids({"patient": f"Patient/{luis.pk}", "status": "active"}) == set()
    assert api.get("Flag", {"status": "deleted"}).status_code == 400
    assert api.get("Flag", {"patient": "Location/1"}).status_code == 400
    shown = AuditEntry.objects.filter(action="fhir.search.Flag", detail__patients=[luis.pk]).first()
    assert shown is not None and shown.patient_id == luis.pk


def test_flag_needs_its_scope_and_a_patient_reader(clinic, staff, user_api):
    desk = staff()
    latex, _interpreter, _ended = _alerts(clinic, desk)
    assert user_api(desk, "user/Patient.rs").get(f"Flag/{latex.pk}").status_code == 403
    elsewhere = staff(Role.FRONT_DESK, at=LocationFactory(name="Uptown", time_zone="America/Chicago"))
    assert user_api(elsewhere, FLAG_SCOPES).get(f"Flag/{latex.pk}").status_code == 404
    assert user_api(elsewhere, FLAG_SCOPES).get("Flag").json()["total"] == 0


def test_flag_is_in_the_capability_statement(db, client):
    body = client.get("/fhir/r4/metadata").json()
    flag = next(r for r in body["rest"][0]["resource"] if r["type"] == "Flag")
    assert {i["code"] for i in flag["interaction"]} == {"read", "search-type"}
    assert {p["name"] for p in flag["searchParam"]} == {"_id", "patient", "subject", "status"}


def test_system_client_with_flag_scope_reads_flags(clinic, staff, system_api):
    latex, _interpreter, _ended = _alerts(clinic, staff())
    api = system_api("system/Flag.rs")
    assert api.get(f"Flag/{latex.pk}").json()["id"] == str(latex.pk)
