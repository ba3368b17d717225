"""Sealing (ADR 0007): verify reports the unsealed tail and fails on one older than the bound; the database lets the
seal through once and nothing else."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import DatabaseError, connection, transaction

from clinicdesk.audit.models import AuditEntry
from clinicdesk.audit.services import audit_seal, chain_verify, record
from clinicdesk.core import clock as clock_module

pytestmark = pytest.mark.django_db


def _unsealed(at: dt.datetime) -> AuditEntry:
    """An entry as `record()` writes it, left unsealed (as by a process that crashed right after its commit)."""
    entry = AuditEntry(position=None, at=at, action="test.crashed", prev_hash="", entry_hash="")
    entry.save(force_insert=True)
    return entry


def test_verify_reports_a_recent_unsealed_tail_and_fails_on_an_old_one(clock):
    record(None, "test.sealed")
    _unsealed(clock.now())
    report = chain_verify(seal=False)
    assert report.ok and report.unsealed == 1 and report.checked == 1
    clock.advance(dt.timedelta(seconds=61))
    report = chain_verify(seal=False)
    assert not report.ok and "not sealed into the chain" in report.problem and report.position == 2
    report = chain_verify()  # seals first, as `audit verify` does
    assert report.ok and report.unsealed == 0 and report.checked == 2


def test_the_sealer_chains_in_id_order_after_the_head(clock):
    first = record(None, "test.one")
    second, third = _unsealed(clock_module.now()), _unsealed(clock_module.now())
    assert audit_seal() == 2
    chain = list(AuditEntry.objects.order_by("position").values_list("pk", "position", "prev_hash"))
    assert [pk for pk, _p, _h in chain] == [first.pk, second.pk, third.pk]
    assert chain[1][2] == first.entry_hash and chain_verify().ok


@pytest.mark.skipif(connection.vendor != "postgresql", reason="the append-only trigger is PostgreSQL's")
def test_the_database_lets_the_seal_through_once_and_nothing_else(clock):
    entry = _unsealed(clock.now())
    with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("UPDATE audit_auditentry SET action = 'x', position = 1, entry_hash = 'h' WHERE id = %s",
                       [entry.pk])  # a seal that changes the content too
    with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("DELETE FROM audit_auditentry WHERE id = %s", [entry.pk])
    assert audit_seal() == 1
    with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("UPDATE audit_auditentry SET position = 7, entry_hash = 'h' WHERE id = %s", [entry.pk])
    assert chain_verify().ok
