"""What backup and restore print: counts, checksums and table names, never row contents."""

from __future__ import annotations

from django.core.management.base import BaseCommand

from clinicdesk.ops.services import ArchiveSummary


def describe(command: BaseCommand, summary: ArchiveSummary, *, verbose: bool) -> None:
    write = command.stdout.write
    write(f"archive:     {summary.path}")
    write(f"  sha256:    {summary.sha256}")
    write(f"  created:   {summary.created_at}")
    write(f"database:    {summary.engine}, {len(summary.tables)} tables, {summary.rows:,} rows")
    if verbose:
        for table, count in sorted(summary.tables.items()):
            write(f"  {table:<44} {count:>10,}")
    write(f"documents:   {summary.documents:,} files, {summary.document_bytes:,} bytes")
    write(f"audit trail: {summary.audit_length:,} entries, head {summary.audit_head}")
