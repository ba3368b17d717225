import csv
import io

from clinicdesk.audit.models import AuditEntry
from clinicdesk.core.permissions import Role
from tests.factories import PatientFactory


def test_compliance_officer_sees_who_opened_a_patient_record(signed_in, location):
    clerk = signed_in(Role.FRONT_DESK, at=location)
    patient = PatientFactory(home_location=location)
    clerk.get(f"/patients/{patient.pk}/")
    officer = signed_in(Role.COMPLIANCE)
    response = officer.post("/audit/", {"patient": patient.mrn, "action": "patient.read"})
    assert response.status_code == 200
    assert clerk.user.username.encode() in response.content
    assert response.content.count(b"<td>Patient chart opened</td>") == 1


def test_compliance_officer_sees_what_one_user_did(signed_in, location):
    clerk = signed_in(Role.FRONT_DESK, at=location)
    clerk.get(f"/patients/{PatientFactory(home_location=location).pk}/")
    officer = signed_in(Role.COMPLIANCE)
    response = officer.post("/audit/", {"actor": clerk.user.pk})
    rows = response.content.count(b"<tr class=")
    assert rows == AuditEntry.objects.filter(actor=clerk.user).count()


def test_audit_export_is_csv_and_is_itself_audited(signed_in, location):
    officer = signed_in(Role.COMPLIANCE)
    PatientFactory(home_location=location)
    response = officer.post("/audit/export/", {"start": "2020-01-01"})
    assert response.status_code == 200 and response["Content-Type"] == "text/csv"
    rows = list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode())))
    assert rows[0][:5] == ["position", "at", "actor_username", "actor_role", "action"]
    assert AuditEntry.objects.filter(action="audit.export", actor=officer.user).exists()


def test_front_desk_cannot_read_the_audit_trail(signed_in):
    assert signed_in(Role.FRONT_DESK).post("/audit/export/", {}).status_code == 403
