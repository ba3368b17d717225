"""`clinicdesk audit verify` draws a progress bar on a terminal, and verifies exactly as before."""

from __future__ import annotations

from io import StringIO

from django.core.management import call_command

from clinicdesk.audit.services import chain_verify, record


class Terminal(StringIO):
    def isatty(self) -> bool:
        return True


def test_verify_draws_a_bar_on_a_terminal_and_says_the_same(db):
    for n in range(2500):
        record(None, "test.event", resource_type="thing", resource_id=n)
    plain, with_bar, bar = StringIO(), StringIO(), Terminal()
    call_command("audit", "verify", stdout=plain, stderr=StringIO())
    call_command("audit", "verify", stdout=with_bar, stderr=bar)
    assert "audit trail" in bar.getvalue() and "2500/2500" in bar.getvalue() and "100%" in bar.getvalue()
    assert with_bar.getvalue() == plain.getvalue() and "2500 entries verified" in plain.getvalue()


def test_verify_is_quiet_off_a_terminal_and_with_quiet(db):
    record(None, "test.event")
    for stderr, args in ((StringIO(), ()), (Terminal(), ("--quiet",)), (Terminal(), ("--no-progress",))):
        call_command("audit", "verify", *args, stdout=StringIO(), stderr=stderr)
        assert stderr.getvalue() == ""


def test_chain_verify_reports_progress_and_the_same_result(db):
    for n in range(1200):
        record(None, "test.event", resource_type="thing", resource_id=n)
    heard: list[tuple[str, int, int]] = []
    report = chain_verify(progress=lambda stage, done, total: heard.append((stage, done, total)))
    assert report == chain_verify()
    assert heard == [("audit trail", 0, 1200), ("audit trail", 1000, 1200), ("audit trail", 1200, 1200)]
