"""`clinicdesk backup` and `clinicdesk restore` on the database the suite runs on (SQLite or PostgreSQL).

The round trip restores through a separate `clinicdesk restore` process pointed at a new, empty database and
a new document folder, as an operator would; the refusals run in-process against the test database."""

from __future__ import annotations

import hashlib
import json
import os
import subprocess
import sys
import tarfile
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from clinicdesk.audit.models import AuditEntry
from clinicdesk.patients.models import Document

from .conftest import source_snapshot


def _backup(path: Path) -> tuple[dict, str]:
    out = StringIO()
    call_command("backup", str(path), stdout=out)
    with tarfile.open(path) as tar:
        manifest = json.loads(tar.extractfile("manifest.json").read())
    return manifest, out.getvalue()


def _clinicdesk(*args: str, database_url: str, var: Path) -> subprocess.CompletedProcess:
    env = {**os.environ, "DATABASE_URL": database_url, "CLINICDESK_VAR": str(var)}
    return subprocess.run([sys.executable, "-m", "clinicdesk", *args], env=env, capture_output=True, text=True,
                          timeout=600, check=False)


def _files(root: Path) -> dict[str, str]:
    return {path.relative_to(root).as_posix(): hashlib.sha256(path.read_bytes()).hexdigest()
            for path in sorted(root.rglob("*")) if path.is_file()}


def _flip_a_byte(archive: Path, member_prefix: str) -> None:
    with tarfile.open(archive) as tar:
        member = next(m for m in tar.getmembers() if m.name.startswith(member_prefix))
        offset = member.offset_data + member.size // 2
    with archive.open("r+b") as handle:
        handle.seek(offset)
        byte = handle.read(1)
        handle.seek(offset)
        handle.write(bytes([byte[0] ^ 0x01]))


def _phi(practice) -> list[str]:
    return [value for patient in practice.patients for value in (patient.family_name, patient.given_name, patient.mrn)]


def test_backup_restores_into_an_empty_database_with_the_same_counts_documents_and_chain(
        practice, documents, empty_database, tmp_path, settings):
    before = source_snapshot()
    assert before["counts"]["patients_document"] == 4 and before["counts"]["scheduling_appointment"] == 4
    assert before["counts"]["billing_ledgerentry"] == 4 and len(before["chain"]) >= 12
    archive = tmp_path / "practice.tar"

    manifest, output = _backup(archive)

    assert manifest["format_version"] == 1 and manifest["database"]["engine"] in ("sqlite", "postgresql")
    assert manifest["tables"] == before["counts"]
    assert manifest["audit"] == {"length": len(before["chain"]), "head_position": before["chain"][-1][0],
                                 "head_hash": before["chain"][-1][2]}
    assert manifest["migrations"]["patients"] and manifest["migrations"]["audit"]
    assert {name.removeprefix("documents/") for name in manifest["files"] if name.startswith("documents/")} == set(
        _files(documents))
    # Taking a copy of every chart is audited in the live trail, after the snapshot, naming the archive.
    taken = AuditEntry.objects.get(action="backup.create")
    assert taken.prev_hash == manifest["audit"]["head_hash"] and taken.channel == "cli"
    assert taken.detail["archive_sha256"] == hashlib.sha256(archive.read_bytes()).hexdigest()
    assert oct(archive.stat().st_mode & 0o777) == "0o600"
    # The chain's end is anchored outside the database too (the per-test anchor file, see tests/conftest.py).
    anchored = [json.loads(line) for line in settings.AUDIT_ANCHOR_PATH.read_text().splitlines()]
    assert [(m["source"], m["position"], m["hash"]) for m in anchored] == [
        ("backup", manifest["audit"]["head_position"], manifest["audit"]["head_hash"])]

    restored_var = tmp_path / "restored-var"
    restore = _clinicdesk("restore", str(archive), database_url=empty_database.url, var=restored_var)
    assert restore.returncode == 0, restore.stderr
    assert "Restored and verified" in restore.stdout
    verify = _clinicdesk("audit", "verify", database_url=empty_database.url, var=restored_var)
    assert verify.returncode == 0, verify.stderr
    assert f"{len(before['chain'])} entries verified" in verify.stdout
    # The restored database's history starts at the archive's end, anchored on the server it was restored on.
    restarted = [json.loads(line) for line in (restored_var / "audit-anchor.jsonl").read_text().splitlines()]
    assert [(m["source"], m["position"]) for m in restarted] == [("restore", manifest["audit"]["head_position"])]

    after = empty_database.read()
    assert after["counts"] == before["counts"]
    assert after["chain"] == before["chain"]  # same entries, same hashes, same head
    assert after["head"] == [(before["chain"][-1][0], before["chain"][-1][2])]
    restored_files = _files(restored_var / "documents")
    assert restored_files == _files(documents)
    for document in Document.objects.all():
        assert restored_files[document.storage_name] == document.sha256
    for text in (output, restore.stdout, restore.stderr, verify.stdout):
        assert not any(value in text for value in _phi(practice))


@pytest.mark.parametrize("member", ["database/", "documents/"])
def test_restore_refuses_a_tampered_archive_and_changes_nothing(practice, documents, tmp_path, member):
    archive = tmp_path / "practice.tar"
    _backup(archive)
    _flip_a_byte(archive, member)
    before, files = source_snapshot(), _files(documents)
    errors = StringIO()
    # --force, so that only the checksum can stop it: even then nothing is touched.
    with pytest.raises(CommandError, match="damaged or was altered"):
        call_command("restore", str(archive), "--force", stdout=StringIO(), stderr=errors)
    assert f"{member}" in errors.getvalue() and "checksum does not match" in errors.getvalue()
    assert source_snapshot() == before
    assert _files(documents) == files


def test_restore_refuses_a_database_that_is_not_empty(practice, documents, tmp_path):
    archive = tmp_path / "practice.tar"
    _backup(archive)
    before = source_snapshot()
    with pytest.raises(CommandError, match="target is not empty"):
        call_command("restore", str(archive), stdout=StringIO(), stderr=StringIO())
    assert source_snapshot() == before


def test_restore_check_reads_every_checksum_and_changes_nothing(practice, documents, tmp_path):
    archive = tmp_path / "practice.tar"
    _backup(archive)
    before = source_snapshot()
    out = StringIO()
    call_command("restore", str(archive), "--check", stdout=out)
    assert "every checksum matches" in out.getvalue() and "4 files" in out.getvalue()
    assert source_snapshot() == before


def test_backup_refuses_to_overwrite_an_existing_file(practice, tmp_path):
    archive = tmp_path / "practice.tar"
    archive.write_bytes(b"an older backup")
    with pytest.raises(CommandError, match="already exists"):
        call_command("backup", str(archive), stdout=StringIO())
    assert archive.read_bytes() == b"an older backup"


def test_a_trail_erased_after_a_backup_is_shorter_than_the_backups_anchor(practice, tmp_path):
    from clinicdesk.audit.services import chain_verify
    from tests.audit.test_audit_trail import _raw

    manifest, _output = _backup(tmp_path / "practice.tar")
    _raw("DELETE FROM audit_auditentry", [])  # TRUNCATE as far as the rows go, and a head to match
    _raw("UPDATE audit_chainhead SET position = 0, last_hash = %s", ["0" * 64])
    report = chain_verify()
    assert not report.ok and "shorter than its anchor" in report.problem
    assert f"records entry {manifest['audit']['head_position']}" in report.problem
