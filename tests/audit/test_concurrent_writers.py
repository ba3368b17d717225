"""The audit chain without a global lock (ADR 0007): concurrent requests append without waiting for each other, and
the chain they leave is complete and verifiable, with no entry lost and none from a rolled-back transaction.

Real transactions, one database connection per thread (transaction=True): the sealer runs after each commit, as in
production. On SQLite one transaction writes at a time (BEGIN IMMEDIATE), so the writers take turns there, but the
chain must come out the same.

Every commit seals here (AUDIT_SEAL_COALESCE_MS=0), so that the hand-off between sealers is what is tested; the
32 writers also run with the after-commit seals coalesced, where the ticker's seal completes the chain."""

from __future__ import annotations

import threading
import time

import pytest
from django.db import connection, connections, transaction

from clinicdesk.audit import services
from clinicdesk.audit.models import AuditEntry, ChainHead
from clinicdesk.audit.services import chain_verify, record, seal_quietly

pytestmark = pytest.mark.django_db(transaction=True)

WRITERS = 32
ENTRIES = 5  # per writer and transaction
ROUNDS = 3  # transactions per writer; the last one of every fourth writer rolls back


@pytest.fixture(autouse=True)
def _no_window_left_over(monkeypatch):
    """Every commit seals here (tests/conftest.py sets AUDIT_SEAL_COALESCE_MS=0); the coalesced run starts with no
    window claimed by an earlier test."""
    monkeypatch.setattr(services, "_last_commit_seal", None)


class RolledBack(Exception):
    pass


def _run_threads(target, count: int) -> list[BaseException]:
    errors: list[BaseException] = []

    def run(number: int) -> None:
        try:
            target(number)
        except BaseException as error:  # reported by the test
            errors.append(error)
        finally:
            connections.close_all()  # this thread's connection

    threads = [threading.Thread(target=run, args=(n,)) for n in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert not any(thread.is_alive() for thread in threads), "a writer hung"
    return errors


@pytest.mark.parametrize("coalesce_ms", [0, 250], ids=["every-commit-seals", "coalesced"])
def test_32_concurrent_writers_leave_a_complete_verifiable_chain(coalesce_ms, settings):
    settings.AUDIT_SEAL_COALESCE_MS = coalesce_ms
    start = threading.Barrier(WRITERS)

    def writer(number: int) -> None:
        start.wait()
        for round_ in range(ROUNDS):
            try:
                with transaction.atomic():
                    for n in range(ENTRIES):
                        record(None, "test.concurrent", resource_type="writer", resource_id=number + 1,
                               detail={"writer": number, "round": round_, "n": n})
                        time.sleep(0.001)  # keep transactions open side by side
                    if round_ == ROUNDS - 1 and number % 4 == 0:
                        raise RolledBack
            except RolledBack:
                pass

    assert _run_threads(writer, WRITERS) == []
    committed = WRITERS * ROUNDS * ENTRIES - (WRITERS // 4) * ENTRIES
    if coalesce_ms:  # the last commits within a window wait for the ticker (or the next commit after it)
        seal_quietly()
    entries = list(AuditEntry.objects.order_by("pk"))
    assert len(entries) == committed  # none lost, none from a rolled-back transaction
    # Sealed by the writers' own after-commit sealers (without coalescing no explicit seal was needed).
    assert [entry for entry in entries if entry.position is None] == []
    assert sorted(entry.position for entry in entries) == list(range(1, committed + 1))
    per_writer = {(e.detail["writer"], e.detail["round"], e.detail["n"]) for e in entries}
    assert len(per_writer) == committed
    assert not any(round_ == ROUNDS - 1 and writer % 4 == 0 for writer, round_, _n in per_writer)
    head = ChainHead.objects.get(pk=1)
    last = max(entries, key=lambda entry: entry.position or 0)
    assert (head.position, head.last_hash) == (committed, last.entry_hash)
    report = chain_verify(seal=False)
    assert report.ok and report.checked == committed and report.unsealed == 0, report.problem


@pytest.mark.skipif(connection.vendor != "postgresql",
                    reason="SQLite lets one transaction write at a time (BEGIN IMMEDIATE): writers wait by design")
def test_a_writer_does_not_wait_for_another_open_transaction():
    recorded, release = threading.Event(), threading.Event()
    took: list[float] = []

    def slow(_number: int) -> None:
        with transaction.atomic():
            record(None, "test.slow")
            recorded.set()
            assert release.wait(30)

    def fast(_number: int) -> None:
        assert recorded.wait(30)
        started = time.perf_counter()
        with transaction.atomic():
            record(None, "test.fast")
        took.append(time.perf_counter() - started)
        release.set()

    errors = _run_threads(lambda n: (slow if n == 0 else fast)(n), 2)
    assert errors == []
    assert took and took[0] < 5  # with the old head lock it waited until the slow one committed (30 s)
    # The fast one was sealed at once; the slow one after its own commit, behind it.
    chain = list(AuditEntry.objects.order_by("position").values_list("action", flat=True))
    assert chain == ["test.fast", "test.slow"]
    assert chain_verify(seal=False).ok
