"""The audit trail and the ledger are append-only in the same way: one mixin, one error, one set of triggers."""

from __future__ import annotations

import uuid
from decimal import Decimal

import pytest
from django.db import DatabaseError, connection, transaction

from clinicdesk.audit.models import AuditEntry
from clinicdesk.audit.services import record
from clinicdesk.billing.models import LedgerEntry
from clinicdesk.billing.services import charge_post
from clinicdesk.core.append_only import AppendOnlyModel, append_only_sql
from clinicdesk.core.exceptions import AppendOnlyError
from clinicdesk.core.permissions import Role
from tests.factories import UserFactory

TABLES = {"audit": "audit_auditentry", "ledger": "billing_ledgerentry"}


@pytest.fixture
def rows(location, patient, clock):
    """One stored row of each append-only table."""
    biller = UserFactory(role=Role.BILLING, location=location)
    charge = charge_post(actor=biller, patient_id=patient.pk, location_id=location.pk, amount=Decimal("80"),
                         description="Visit")
    return {"audit": record(None, "test.event"), "ledger": charge}


def _model(kind: str) -> type[AppendOnlyModel]:
    return {"audit": AuditEntry, "ledger": LedgerEntry}[kind]


@pytest.mark.parametrize("kind", ["audit", "ledger"])
def test_both_tables_use_the_one_mixin(kind):
    assert issubclass(_model(kind), AppendOnlyModel)


@pytest.mark.parametrize("kind", ["audit", "ledger"])
def test_every_way_to_change_or_delete_a_row_raises_the_same_error(rows, kind):
    row, model = rows[kind], _model(kind)
    field = "description" if kind == "ledger" else "action"
    stored = model.objects.filter(pk=row.pk)
    attempts = {
        "save": row.save,
        "delete": row.delete,
        "queryset update": lambda: stored.update(**{field: "x"}),
        "queryset delete": stored.delete,
        "manager delete": model.objects.all().delete,
        "bulk update": lambda: model.objects.bulk_update([row], [field]),
    }
    for name, attempt in attempts.items():
        with pytest.raises(AppendOnlyError) as error:
            attempt()
        assert str(error.value) == model.append_only_message, name
    assert model.objects.filter(pk=row.pk).count() == 1


@pytest.mark.parametrize("kind", ["audit", "ledger"])
def test_new_rows_are_still_written(rows, kind):
    assert _model(kind).objects.filter(pk=rows[kind].pk).exists()


def test_the_helper_names_the_refused_operation_and_refuses_odd_identifiers():
    create, drop = append_only_sql(name="ledger", message="the ledger is append-only (% refused)",
                                   tables={"billing_ledgerentry": "ledger_entry"})
    assert "BEFORE UPDATE OR DELETE ON billing_ledgerentry" in create
    assert "BEFORE TRUNCATE ON billing_ledgerentry" in create
    assert "'the ledger is append-only (TRUNCATE refused)'" in create
    assert drop.strip().endswith("DROP FUNCTION IF EXISTS clinicdesk_ledger_append_only();")
    with pytest.raises(ValueError):
        append_only_sql(name="x; DROP TABLE y", message="m", tables={"t": "t"})


# --- PostgreSQL: the database refuses the same, whoever asks ---------------------------------------------

def _referring(cursor, tables: tuple[str, ...]) -> list[str]:
    """Every table whose foreign keys reach these (a superbill line names its charge, a claim posting its payment,
    and so on down): a TRUNCATE ... CASCADE reaches them too, so the role that tries it must own them as well."""
    cursor.execute("""
        WITH RECURSIVE reached(oid) AS (
            SELECT c.oid FROM pg_class c WHERE c.relname = ANY(%s) AND c.relkind = 'r'
            UNION
            SELECT con.conrelid FROM pg_constraint con JOIN reached r ON con.confrelid = r.oid WHERE con.contype = 'f'
        )
        SELECT c.relname FROM reached r JOIN pg_class c ON c.oid = r.oid WHERE c.relname <> ALL(%s) ORDER BY 1
    """, [list(tables), list(tables)])
    return [row[0] for row in cursor.fetchall()]


def _owner_role() -> str:
    """A role that owns both tables but is not a superuser (rolled back with the test's transaction)."""
    name = f"clinicdesk_test_{uuid.uuid4().hex[:12]}"
    with connection.cursor() as cursor:
        cursor.execute(f"CREATE ROLE {name} NOLOGIN")
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")  # no pending foreign-key checks block ALTER TABLE
        for table in (*TABLES.values(), *_referring(cursor, tuple(TABLES.values()))):
            cursor.execute(f"ALTER TABLE {table} OWNER TO {name}")
        cursor.execute("SET CONSTRAINTS ALL DEFERRED")
    return name


@pytest.mark.postgres
@pytest.mark.skipif(connection.vendor != "postgresql", reason="the append-only triggers are PostgreSQL's")
@pytest.mark.parametrize("kind", ["audit", "ledger"])
def test_postgres_refuses_update_delete_and_truncate(rows, kind):
    table, pk = TABLES[kind], rows[kind].pk
    owner = _owner_role()
    statements = [f"UPDATE {table} SET id = id WHERE id = {pk}",
                  f"DELETE FROM {table} WHERE id = {pk}",
                  f"TRUNCATE {table} CASCADE"]  # CASCADE: past the foreign keys, to the trigger
    for sql in statements:
        with pytest.raises(DatabaseError, match="append-only"), transaction.atomic(), \
                connection.cursor() as cursor:
            cursor.execute(f"SET LOCAL ROLE {owner}")
            cursor.execute(sql)
    assert _model(kind).objects.filter(pk=pk).count() == 1
    if kind == "ledger":
        assert LedgerEntry.objects.get(pk=pk).amount == Decimal("80.00")
