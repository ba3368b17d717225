import pytest
from django.db import connection, transaction

from clinicdesk.audit.models import AppendOnlyError, AuditEntry
from clinicdesk.audit.services import chain_verify, record
from clinicdesk.core.permissions import Role
from tests.factories import PatientFactory


def test_chart_view_writes_an_audit_entry_with_who_what_where(signed_in, location):
    clerk = signed_in(Role.FRONT_DESK, at=location)
    patient = PatientFactory(home_location=location)
    response = clerk.get(f"/patients/{patient.pk}/", HTTP_USER_AGENT="pytest-browser", REMOTE_ADDR="10.1.2.3")
    assert response.status_code == 200
    entry = AuditEntry.objects.get(action="patient.read")
    assert (entry.actor_id, entry.actor_role, entry.patient_id) == (clerk.user.pk, "front_desk", patient.pk)
    assert (entry.resource_type, entry.resource_id) == ("patient", str(patient.pk))
    assert (entry.ip, entry.user_agent, entry.outcome, entry.channel) == ("10.1.2.3", "pytest-browser",
                                                                          "allowed", "web")


def test_denied_chart_view_is_audited_with_the_patient(signed_in, location, other_location):
    clerk_elsewhere = signed_in(Role.FRONT_DESK, at=other_location)
    patient = PatientFactory(home_location=location)
    response = clerk_elsewhere.get(f"/patients/{patient.pk}/")
    assert response.status_code == 404  # looks exactly like a chart that does not exist
    denial = AuditEntry.objects.get(outcome="denied")
    assert denial.patient_id == patient.pk
    assert not AuditEntry.objects.filter(action="patient.read").exists()


def test_search_results_that_show_patients_are_audited(signed_in, location):
    clerk = signed_in(Role.FRONT_DESK, at=location)
    shown = PatientFactory(home_location=location, family_name="Okafor")
    clerk.post("/patients/", {"q": "okafor"})
    entry = AuditEntry.objects.get(action="patient.search")
    assert entry.detail["shown"] == [shown.pk]


def test_chain_verifies_when_untouched(db):
    for n in range(5):
        record(None, "test.event", resource_type="thing", resource_id=n)
    report = chain_verify()
    assert report.ok and report.checked == 5


def test_the_app_has_no_path_to_change_or_delete_entries(db):
    entry = record(None, "test.event")
    with pytest.raises(AppendOnlyError):
        entry.save()
    with pytest.raises(AppendOnlyError):
        entry.delete()
    with pytest.raises(AppendOnlyError):
        AuditEntry.objects.filter(pk=entry.pk).update(action="x")
    with pytest.raises(AppendOnlyError):
        AuditEntry.objects.all().delete()


def _bypass_triggers():
    """What someone with database access could do: bypass the app (and, on PostgreSQL, the trigger)."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SET session_replication_role = replica")


def _raw(sql: str, params: list) -> None:
    _bypass_triggers()
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SET session_replication_role = origin")


@pytest.fixture
def chain(db):
    return [record(None, "test.event", resource_type="thing", resource_id=n) for n in range(6)]


def test_verify_names_an_edited_entry(chain):
    _raw("UPDATE audit_auditentry SET action = %s WHERE position = %s", ["patient.read", 3])
    report = chain_verify()
    assert not report.ok and report.position == 3 and "altered" in report.problem


def test_verify_names_a_deleted_entry(chain):
    _raw("DELETE FROM audit_auditentry WHERE position = %s", [4])
    report = chain_verify()
    assert not report.ok and report.position == 4 and "missing" in report.problem


def test_verify_notices_a_deleted_last_entry(chain):
    _raw("DELETE FROM audit_auditentry WHERE position = %s", [6])
    report = chain_verify()
    assert not report.ok and report.position == 6


def test_verify_names_an_inserted_entry(chain):
    # A forger renumbers the tail and slips in an entry with a self-consistent hash.
    _raw("UPDATE audit_auditentry SET position = position + 100 WHERE position >= %s", [4])
    forged = AuditEntry(position=4, at=chain[3].at, action="forged", prev_hash=chain[2].entry_hash)
    forged.entry_hash = forged.compute_hash()
    forged.save()
    report = chain_verify()
    assert not report.ok and report.position == 5


def test_verify_command_fails_loudly_on_tampering(chain):
    from django.core.management import CommandError, call_command

    _raw("UPDATE audit_auditentry SET patient_id = %s WHERE position = %s", [42, 2])
    with pytest.raises(CommandError, match="entry 2 was altered"):
        call_command("audit", "verify")


@pytest.mark.skipif(connection.vendor != "postgresql", reason="the append-only trigger is PostgreSQL's")
def test_postgres_refuses_update_and_delete_of_audit_rows(chain):
    from django.db import InternalError, ProgrammingError

    for sql in ("UPDATE audit_auditentry SET action = 'x' WHERE position = 1",
                "DELETE FROM audit_auditentry WHERE position = 1"):
        with pytest.raises((InternalError, ProgrammingError)), transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(sql)
    assert chain_verify().ok
