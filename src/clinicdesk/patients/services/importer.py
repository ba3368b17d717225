"""CSV import of patients from another system: every row through `patient_register`, all or nothing."""

from __future__ import annotations

import csv
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _

from clinicdesk.audit.services import atomic_service, record
from clinicdesk.core.exceptions import Conflict, DomainError, ValidationFailed
from clinicdesk.core.permissions import Actor, Perm, require

from ..csvio import IMPORT_COLUMNS, REQUIRED_COLUMNS, WORD_COLUMNS, row_to_fields
from .registration import patient_register


@dataclass
class RowProblem:
    row: int  # the line number in the file (the header is line 1)
    field: str
    message: str


@dataclass
class ImportReport:
    rows: int = 0
    created: int = 0
    problems: list[RowProblem] = field(default_factory=list)
    committed: bool = False

    @property
    def failed_rows(self) -> int:
        return len({p.row for p in self.problems})


class _Rollback(Exception):
    pass


def read_csv(handle: Iterable[str]) -> tuple[list[str], list[dict[str, str]]]:
    """The header and the rows; a file the csv module cannot read (a cell over its size limit) is a
    ValidationFailed naming the line."""
    reader = csv.DictReader(handle)
    try:
        header = [h.strip() for h in (reader.fieldnames or [])]
        reader.fieldnames = header
        return header, list(reader)
    except csv.Error as error:
        raise ValidationFailed("bad-csv", _("Line %(line)d cannot be read as CSV: %(reason)s.")
                               % {"line": reader.line_num + 1, "reason": error}) from error  # the record read


def header_problems(header: list[str]) -> list[RowProblem]:
    problems = [RowProblem(1, name, _("Required column is missing.")) for name in REQUIRED_COLUMNS
                if name not in header]
    problems += [RowProblem(1, name, _("Unknown column (known: %(known)s).") % {"known": ", ".join(IMPORT_COLUMNS)})
                 for name in header if name and name not in IMPORT_COLUMNS and name not in WORD_COLUMNS]
    return problems


@atomic_service
def patients_import(*, actor: Actor, rows: list[dict[str, str]], header: list[str], locations: dict[str, Any],
                    default_location: Any = None, dry_run: bool = False, all_or_nothing: bool = True,
                    allow_duplicates: bool = False,
                    progress: Callable[[int], None] | None = None) -> ImportReport:
    """Register each row; report every bad row by line and field. With `all_or_nothing` (the
    default) one bad row saves nothing; `dry_run` checks everything and saves nothing."""
    require(actor, Perm.PATIENT_WRITE)
    report = ImportReport(rows=len(rows), problems=header_problems(header))
    if report.problems:
        return report
    try:
        with transaction.atomic():
            for line, raw in enumerate(rows, start=2):
                _import_row(actor, report, line, raw, locations, default_location, allow_duplicates)
                if progress is not None:
                    progress(1)
            if dry_run or (report.problems and all_or_nothing):
                raise _Rollback
    except _Rollback:
        pass  # `created` then counts the rows that would have been saved
    else:
        report.committed = True
        record(actor, "patient.import", resource_type="patient",
               detail={"rows": report.rows, "created": report.created, "failed_rows": report.failed_rows})
    return report


def _import_row(actor: Actor, report: ImportReport, line: int, raw: dict[str, str], locations: dict[str, Any],
                default_location: Any, allow_duplicates: bool) -> None:
    if None in raw:  # more cells than columns
        report.problems.append(RowProblem(line, "*", _("The row has more cells than the header has columns.")))
        return
    fields, contacts = row_to_fields(raw)
    code = fields.pop("location", "")
    location = locations.get(code) if code else default_location
    if location is None:
        report.problems.append(RowProblem(line, "location", _("Unknown location code '%(code)s'.") % {"code": code}
                                          if code else _("Give a location code (or --location).")))
        return
    try:
        with transaction.atomic():
            patient_register(actor=actor, location=location, contacts=contacts, source="import",
                             duplicate_reason=_("CSV import with --allow-duplicates") if allow_duplicates else "",
                             **fields)
    except Conflict as error:
        matches = getattr(error, "matches", [])
        described = "; ".join(f"MRN {m.patient.mrn} (score {m.result.score:.1f}: {', '.join(m.result.agreeing)})"
                              for m in matches)
        report.problems.append(RowProblem(line, "duplicate", _("Likely already registered: %(matches)s.")
                                          % {"matches": described or error.detail}))
    except DomainError as error:
        if error.fields:
            for name, messages in error.fields.items():
                report.problems.extend(RowProblem(line, name, message) for message in messages)
        else:
            report.problems.append(RowProblem(line, "*", error.detail))
    else:
        report.created += 1
