"""Coalesced after-commit sealing (ADR 0007): a process seals after a commit only if it has not sealed (or tried to)
within the last AUDIT_SEAL_COALESCE_MS; a skipped commit's entries go with the next commit's seal after the window,
or the ticker's. 0 seals after every commit.

Real commits (transaction=True), the production path. The window is measured on the module's monotonic clock, which
these tests move by hand: no sleeps."""

from __future__ import annotations

import threading

import pytest
from django.db import transaction

from clinicdesk.audit import services
from clinicdesk.audit.models import AuditEntry, ChainHead
from clinicdesk.audit.services import chain_verify, record
from clinicdesk.core import periodic


class MonotonicClock:
    """Stands in for `services._monotonic`: stays where it is until `advance`d."""

    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += seconds


@pytest.fixture
def monotonic(monkeypatch) -> MonotonicClock:
    """The coalescing clock under the test's control, and no after-commit seal yet in this process."""
    fake = MonotonicClock()
    monkeypatch.setattr(services, "_monotonic", fake)
    monkeypatch.setattr(services, "_last_commit_seal", None)
    return fake


def _commit(action: str) -> AuditEntry:
    """One audited transaction, committed; the entry as the database now holds it."""
    with transaction.atomic():
        entry = record(None, action)
    return AuditEntry.objects.get(pk=entry.pk)


def _chain() -> list[tuple[str, int | None]]:
    return list(AuditEntry.objects.order_by("pk").values_list("action", "position"))


def _assert_clean_chain(length: int) -> None:
    report = chain_verify(seal=False)
    assert report.ok and report.problems == () and report.unsealed == 0, report.problem
    assert report.checked == length
    last = AuditEntry.objects.get(position=length)
    assert (ChainHead.objects.get(pk=1).position, ChainHead.objects.get(pk=1).last_hash) == (length, last.entry_hash)


@pytest.mark.django_db(transaction=True)
def test_with_no_window_every_commit_seals_at_once(settings, monotonic):
    settings.AUDIT_SEAL_COALESCE_MS = 0
    for number in range(1, 4):  # the clock does not move: only a zero window lets each one seal
        assert _commit(f"test.commit{number}").position == number
    _assert_clean_chain(3)


@pytest.mark.django_db(transaction=True)
def test_a_commit_within_the_window_leaves_its_entry_to_the_next_commit_after_it(settings, monotonic):
    settings.AUDIT_SEAL_COALESCE_MS = 10_000
    assert _commit("test.first").position == 1  # nothing sealed recently in this process: it seals
    assert _commit("test.second").position is None  # within the window: left for later
    monotonic.advance(9.999)
    assert _commit("test.third").position is None  # still within it
    monotonic.advance(0.001)
    assert _commit("test.fourth").position == 4  # after the window: it seals everything pending, in id order
    assert _chain() == [("test.first", 1), ("test.second", 2), ("test.third", 3), ("test.fourth", 4)]
    _assert_clean_chain(4)
    assert _commit("test.fifth").position is None  # and the window starts again from that seal


@pytest.mark.django_db(transaction=True)
def test_the_ticker_seals_a_skipped_tail_when_traffic_stops(settings, monotonic):
    settings.AUDIT_SEAL_COALESCE_MS = 10_000
    _commit("test.first")
    assert _commit("test.last").position is None  # then no more commits: nothing after the window to seal it
    report = chain_verify(seal=False)
    assert report.ok and report.unsealed == 1  # recent: within AUDIT_SEAL_BOUND_SECONDS, not a problem
    periodic.JOBS["seal-audit-chain"].enqueue()  # what the ticker runs every AUDIT_SEAL_SECONDS: seal_quietly
    assert _chain() == [("test.first", 1), ("test.last", 2)]
    _assert_clean_chain(2)


@pytest.mark.django_db(transaction=True)
def test_outside_a_transaction_record_seals_at_once_whatever_the_window(settings, monotonic):
    settings.AUDIT_SEAL_COALESCE_MS = 10_000
    _commit("test.first")  # claims the window
    pending = _commit("test.pending")
    entry = record(None, "test.autocommit")  # not in an atomic block: sealed at once, as before
    assert (entry.position, AuditEntry.objects.get(pk=pending.pk).position) == (3, 2)
    _assert_clean_chain(3)


@pytest.mark.django_db
def test_inside_a_tests_transaction_record_seals_at_once_whatever_the_window(settings, monotonic):
    settings.AUDIT_SEAL_COALESCE_MS = 10_000
    assert [record(None, f"test.{n}").position for n in range(3)] == [1, 2, 3]


def test_threads_committing_together_claim_one_seal_per_window(settings, monotonic):
    settings.AUDIT_SEAL_COALESCE_MS = 250
    threads, start, due = 16, threading.Barrier(16), []

    def commit() -> None:
        start.wait()
        due.append(services._commit_seal_due())

    workers = [threading.Thread(target=commit) for _ in range(threads)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join(timeout=30)
    assert sorted(due) == [False] * (threads - 1) + [True]
    monotonic.advance(0.25)
    assert services._commit_seal_due() and not services._commit_seal_due()
