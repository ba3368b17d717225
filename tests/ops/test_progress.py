"""`backup` and `restore` draw progress bars on a terminal's stderr, as `demo` and `import` do, and only there."""

from __future__ import annotations

import json
import tarfile
from io import StringIO

from django.core.management import call_command

from .conftest import source_snapshot


class Terminal(StringIO):
    def isatty(self) -> bool:
        return True


def _manifest(path) -> dict:
    with tarfile.open(path) as tar:
        return json.loads(tar.extractfile("manifest.json").read())


def test_backup_draws_bars_on_a_terminal_and_writes_the_same_archive(practice, tmp_path):
    before = source_snapshot()
    out, bars = StringIO(), Terminal()
    call_command("backup", str(tmp_path / "a.tar"), stdout=out, stderr=bars)
    assert "checksums" in bars.getvalue() and "archive" in bars.getvalue() and "100%" in bars.getvalue()
    assert "Backup written" in out.getvalue() and "checksums" not in out.getvalue()  # bars stay off stdout
    manifest = _manifest(tmp_path / "a.tar")
    assert manifest["tables"] == before["counts"] and len(manifest["files"]) == 5  # the database and 4 documents


def test_no_bars_off_a_terminal_or_when_asked(practice, tmp_path):
    for name, stderr, args in (("pipe.tar", StringIO(), ()), ("quiet.tar", Terminal(), ("--quiet",)),
                               ("none.tar", Terminal(), ("--no-progress",))):
        out = StringIO()
        call_command("backup", str(tmp_path / name), *args, stdout=out, stderr=stderr)
        assert stderr.getvalue() == "" and "Backup written" in out.getvalue(), name


def test_restore_check_draws_the_checksum_bar(practice, tmp_path):
    archive = tmp_path / "a.tar"
    call_command("backup", str(archive), "--no-progress", stdout=StringIO())
    out, bars = StringIO(), Terminal()
    call_command("restore", str(archive), "--check", stdout=out, stderr=bars)
    assert "checksums" in bars.getvalue() and "100%" in bars.getvalue()
    assert "Archive checked: every checksum matches" in out.getvalue()
    quiet = Terminal()
    call_command("restore", str(archive), "--check", "--quiet", stdout=StringIO(), stderr=quiet)
    assert quiet.getvalue() == ""


def test_restore_reports_every_stage_to_its_progress_callback(practice, tmp_path, monkeypatch):
    """A full restore's stages (checksums, documents, the audit chain) reach the bars: the service is called
    the way the command calls it, with the restore itself left out (it needs an empty database)."""
    from clinicdesk.ops import services

    archive = tmp_path / "a.tar"
    call_command("backup", str(archive), "--no-progress", stdout=StringIO())
    heard: dict[str, tuple[int, int]] = {}
    monkeypatch.setattr(services, "_check_target", lambda vendor, root, force: ([], []))
    monkeypatch.setattr(services, "_sqlite_restore", lambda copy: None)
    monkeypatch.setattr(services, "_postgres_restore", lambda dump, replace: None)
    monkeypatch.setattr(services, "_verify", lambda manifest, vendor, tell: (
        services.chain_verify(anchor=False, progress=tell), [])[1])
    services.backup_restore(source=archive, progress=lambda stage, done, total: heard.__setitem__(stage,
                                                                                                   (done, total)))
    assert heard["checksums"][0] == heard["checksums"][1] == 6  # manifest, database, 4 documents
    assert heard["documents"] == (4, 4)
    assert heard["audit trail"][0] == heard["audit trail"][1] > 10
