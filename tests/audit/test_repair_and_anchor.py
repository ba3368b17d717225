"""Repairing entries hashed with the old serialisation; the anchor outside the database; TRUNCATE; roles."""

import json
import uuid

import pytest
from django.core.management import CommandError, call_command
from django.db import DatabaseError, connection, transaction

from clinicdesk.audit.models import AuditEntry, ChainHead
from clinicdesk.audit.services import chain_verify, record
from clinicdesk.core import clock
from tests.audit.test_audit_trail import _raw


def _legacy_record(patient_text: str) -> AuditEntry:
    """What record() did before values were normalised: hash the id as given ("7"), store it as a number."""
    head, _ = ChainHead.objects.get_or_create(pk=1)
    entry = AuditEntry(position=head.position + 1, at=clock.now(), action="task.create", resource_type="task",
                       resource_id="1", patient_id=patient_text, prev_hash=head.last_hash)
    entry.entry_hash = entry.compute_hash()
    entry.save(force_insert=True)
    ChainHead.objects.filter(pk=1).update(position=entry.position, last_hash=entry.entry_hash)
    return entry


@pytest.fixture
def legacy_chain(db):
    record(None, "test.event")
    _legacy_record("7")
    record(None, "test.event")


def test_an_entry_with_the_old_id_as_text_hash_is_named_as_such_and_repairable(legacy_chain):
    report = chain_verify()
    assert not report.ok and report.position == 2
    assert "old serialisation" in report.problem and "audit repair --entry 2" in report.problem
    call_command("audit", "repair", "--entry", "2", "--reason", "ticket 481: inbox task id as text")
    report = chain_verify()
    assert report.ok and report.repaired == (2,) and report.checked == 4
    repair = AuditEntry.objects.get(action="audit.repair")
    stored = AuditEntry.objects.get(position=2)
    assert repair.detail["entry"] == 2 and repair.detail["old_hash"] == stored.entry_hash
    assert repair.detail["new_hash"] == stored.compute_hash() and "ticket 481" in repair.detail["reason"]
    with pytest.raises(CommandError, match="already repaired"):
        call_command("audit", "repair", "--entry", "2", "--reason", "again")


def test_a_repaired_entry_hides_no_later_tampering(legacy_chain):
    call_command("audit", "repair", "--entry", "2", "--reason", "ticket 481")
    _raw("UPDATE audit_auditentry SET action = %s WHERE position = %s", ["patient.read", 3])
    _raw("UPDATE audit_auditentry SET patient_id = %s WHERE position = %s", [8, 2])  # the repaired one, too
    report = chain_verify()
    assert [p.position for p in report.problems] == [2, 3]
    assert all("altered" in p.problem for p in report.problems)


def test_repair_refuses_an_entry_that_was_altered(db):
    for _ in range(3):
        record(None, "test.event", patient=5)
    _raw("UPDATE audit_auditentry SET patient_id = %s WHERE position = %s", [6, 2])
    with pytest.raises(CommandError, match="Treat it as tampering"):
        call_command("audit", "repair", "--entry", "2", "--reason", "hide it")
    with pytest.raises(CommandError, match="nothing to repair"):
        call_command("audit", "repair", "--entry", "1", "--reason", "x")
    with pytest.raises(CommandError, match="needs --entry"):
        call_command("audit", "repair", "--entry", "1")
    assert not AuditEntry.objects.filter(action="audit.repair").exists()


def test_a_forged_repair_entry_does_not_excuse_tampering(db):
    for _ in range(3):
        record(None, "test.event")
    _raw("UPDATE audit_auditentry SET action = %s WHERE position = %s", ["patient.read", 2])
    altered = AuditEntry.objects.get(position=2)
    record(None, "audit.repair", detail={"entry": 2, "old_hash": altered.entry_hash,
                                         "new_hash": altered.compute_hash(), "reason": "forged"})
    report = chain_verify()
    assert not report.ok and report.position == 2 and "altered" in report.problem and report.repaired == ()


# --- the anchor -------------------------------------------------------------------------------------------

def _erase_trail() -> None:
    """TRUNCATE-equivalent plus a reset head: what someone with the database alone can do."""
    _raw("DELETE FROM audit_auditentry", [])
    _raw("UPDATE audit_chainhead SET position = 0, last_hash = %s", ["0" * 64])


def test_an_erased_trail_is_shorter_than_its_anchor(db, settings):
    for n in range(4):
        record(None, "test.event", resource_id=n)
    call_command("audit", "anchor")
    assert chain_verify().ok
    _erase_trail()
    report = chain_verify()
    assert not report.ok and "shorter than its anchor" in report.problem and "entry 4" in report.problem
    with pytest.raises(CommandError, match="shorter than its anchor"):
        call_command("audit", "verify")
    assert chain_verify(anchor=False).ok  # the chain alone cannot tell


def test_a_rewritten_tail_does_not_match_its_anchor(db):
    for n in range(3):
        record(None, "test.event", resource_id=n)
    call_command("audit", "anchor")
    _erase_trail()
    for n in range(5):  # a self-consistent forged trail, longer than the anchored one
        record(None, "forged.event", resource_id=n)
    report = chain_verify()
    assert not report.ok and report.position == 3 and "does not match the audit anchor" in report.problem


def test_the_ticker_anchors_the_chain_end_and_a_restore_line_starts_afresh(db, settings):
    from clinicdesk.audit.anchor import anchor_append, anchor_marks
    from clinicdesk.core import periodic

    record(None, "test.event")
    periodic.JOBS["anchor-audit-chain"].enqueue()
    lines = [json.loads(line) for line in settings.AUDIT_ANCHOR_PATH.read_text().splitlines()]
    assert [(line["source"], line["position"]) for line in lines] == [("tick", 1)]
    assert "password" not in lines[0]["database"] and "@" not in lines[0]["database"]
    anchor_append(source="restore", position=0, entry_hash="0" * 64)
    assert [mark.source for mark in anchor_marks()] == ["restore"]
    settings.AUDIT_ANCHOR_PATH.write_text(settings.AUDIT_ANCHOR_PATH.read_text() + '{"torn')
    assert len(anchor_marks()) == 1


# --- PostgreSQL: TRUNCATE refused; who owns the table -----------------------------------------------------

def _role(**grants: str) -> str:
    name = f"clinicdesk_test_{uuid.uuid4().hex[:12]}"  # rolled back with the test's transaction
    with connection.cursor() as cursor:
        cursor.execute(f"CREATE ROLE {name} NOLOGIN")
        for table, privileges in grants.items():
            cursor.execute(f"GRANT {privileges} ON {table} TO {name}")
    return name


@pytest.mark.postgres
@pytest.mark.skipif(connection.vendor != "postgresql", reason="TRUNCATE triggers and roles are PostgreSQL's")
def test_postgres_refuses_truncate_of_the_audit_trail_even_to_its_owner(db):
    record(None, "test.event")
    owner = _role()
    with connection.cursor() as cursor:
        cursor.execute(f"ALTER TABLE audit_auditentry OWNER TO {owner}")
        cursor.execute(f"ALTER TABLE audit_chainhead OWNER TO {owner}")
    for table in ("audit_auditentry", "audit_chainhead"):
        with pytest.raises(DatabaseError, match="append-only"), transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(f"SET LOCAL ROLE {owner}")
            cursor.execute(f"TRUNCATE {table}")
    assert AuditEntry.objects.count() == 1 and chain_verify().ok


@pytest.mark.postgres
@pytest.mark.skipif(connection.vendor != "postgresql", reason="roles are PostgreSQL's")
def test_check_warns_when_the_app_owns_the_audit_table_and_not_for_an_insert_only_role(db):
    from clinicdesk.audit.checks import audit_role_check

    superuser = audit_role_check()  # the test suite connects as postgres
    assert [m.id for m in superuser] == ["clinicdesk.W010"] and "superuser" in superuser[0].msg
    owner = _role()
    app = _role(audit_auditentry="SELECT, INSERT", audit_chainhead="SELECT, INSERT, UPDATE")
    with connection.cursor() as cursor:
        cursor.execute(f"ALTER TABLE audit_auditentry OWNER TO {owner}")
        cursor.execute(f"SET LOCAL ROLE {owner}")
        owning = audit_role_check()
        cursor.execute("RESET ROLE")
        cursor.execute(f"SET LOCAL ROLE {app}")
        plain = audit_role_check()
        cursor.execute("RESET ROLE")
    assert [m.id for m in owning] == ["clinicdesk.W010"] and "owns audit_auditentry" in owning[0].msg
    assert plain == []


@pytest.mark.skipif(connection.vendor == "postgresql", reason="SQLite has no roles")
def test_check_is_silent_on_sqlite(db):
    from clinicdesk.audit.checks import audit_role_check, audit_table_owner_problem

    assert audit_table_owner_problem() == "" and audit_role_check() == []


def test_check_reports_a_warning_that_deploy_checks_show(monkeypatch):
    from django.core.checks import WARNING, registry

    from clinicdesk.audit import checks

    monkeypatch.setattr(checks, "audit_table_owner_problem", lambda: "the app connects as clinic, which owns it")
    messages = checks.audit_role_check()
    assert [(m.id, m.level) for m in messages] == [("clinicdesk.W010", WARNING)]
    assert checks.audit_role_check in registry.registry.get_checks(include_deployment_checks=True)
    assert checks.audit_role_check not in registry.registry.get_checks(include_deployment_checks=False)
