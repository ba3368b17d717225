"""What every import shares: reading the file, parsing cells, the row runner (a savepoint per row, every problem
collected by line and column, everything rolled back unless the whole file is clean), and the kind registry."""

from __future__ import annotations

import csv
import datetime as dt
import io
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

from django.db import DatabaseError, transaction
from django.db.models import Model
from django.utils.functional import Promise
from django.utils.translation import gettext as _

from clinicdesk.core.exceptions import DomainError, ValidationFailed
from clinicdesk.core.permissions import Actor, Perm

MAX_BYTES = 2 * 1024 * 1024
MAX_ROWS = 5000
_TRUE = {"1", "y", "yes", "true", "t", "x", "si", "sí"}
_FALSE = {"", "0", "n", "no", "false", "f"}


@dataclass(frozen=True)
class Problem:
    line: int  # the line number in the file (the header is line 1)
    column: str  # the CSV column, or "" when the problem is the whole row / file
    message: str


@dataclass
class Report:
    kind: str
    rows: int = 0
    problems: list[Problem] = field(default_factory=list)
    committed: bool = False
    batch_id: int | None = None

    @property
    def ok(self) -> bool:
        return not self.problems

    @property
    def failed_rows(self) -> int:
        return len({p.line for p in self.problems if p.line > 1})


@dataclass(frozen=True)
class Row:
    line: int
    cells: dict[str, str]


@dataclass(frozen=True)
class ParsedFile:
    header: list[str]
    rows: list[Row]


class CellError(Exception):
    """A cell that cannot be read (a bad date, an unknown code). The runner reports it by line and column."""

    def __init__(self, column: str, message: str) -> None:
        super().__init__(message)
        self.column, self.message = column, message


@dataclass(frozen=True)
class Created:
    model: str  # the model name in lower case (as the audit trail writes it)
    object_id: int


@dataclass(frozen=True)
class Kind:
    """One kind of import: its columns, who may run it, how a row is imported and how its records are undone."""

    code: str
    label: Promise
    perms: tuple[Perm, ...]
    columns: tuple[str, ...]
    required: tuple[str, ...]
    import_row: Callable[[Actor, dict[str, str]], list[Model]]
    # service field name -> CSV column, for the `fields` of a DomainError
    field_columns: dict[str, str]
    # model name -> (why it cannot be undone or "", undo it through its owning service)
    used: Callable[[str, list[int]], str]
    undo: Callable[[Actor, str, list[int]], None]


def echo(value: str, limit: int = 60) -> str:
    """A cell value quoted back in a message: shortened, and never able to start a spreadsheet formula when the
    report is pasted into one (OWASP's list: a tab or carriage return first can still start one)."""
    text = value if len(value) <= limit else value[: limit - 1] + "…"
    return "'" + text if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text


def read_file(data: bytes, *, columns: Iterable[str] = ()) -> ParsedFile:
    """The header and the rows of an uploaded CSV (UTF-8 with or without BOM, comma-separated, header row), or a
    ValidationFailed that says what is wrong with the file as a whole (too big, not UTF-8, too many rows)."""
    if len(data) > MAX_BYTES:
        raise ValidationFailed("file-too-large", _("The file is larger than 2 MB. Split it into smaller files."),
                               fields={"file": [_("At most 2 MB.")]})
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        raise ValidationFailed("not-utf8", _("The file is not UTF-8 text. Save it as \"CSV UTF-8\" and try again."),
                               fields={"file": [_("Not UTF-8 text.")]}) from error
    if not text.strip():
        raise ValidationFailed("empty-file", _("The file is empty."), fields={"file": [_("The file is empty.")]})
    reader = csv.reader(io.StringIO(text, newline=""))
    try:
        header = [name.strip().lower() for name in next(reader)]
        rows: list[Row] = []
        line = reader.line_num + 1
        for cells in reader:
            if any(cell.strip() for cell in cells):
                if len(rows) == MAX_ROWS:
                    raise ValidationFailed(
                        "too-many-rows", _("The file has more than %(max)d rows. Split it into smaller files.")
                        % {"max": MAX_ROWS}, fields={"file": [_("At most %(max)d rows.") % {"max": MAX_ROWS}]})
                values = {name: cell.strip() for name, cell in zip(header, cells, strict=False) if name}
                if len(cells) > len(header):
                    values["\0extra"] = "1"
                rows.append(Row(line, values))
            line = reader.line_num + 1
    except csv.Error as error:
        raise ValidationFailed("bad-csv", _("Line %(line)d cannot be read as CSV: %(reason)s.")
                               % {"line": reader.line_num, "reason": error},
                               fields={"file": [_("Not a CSV file.")]}) from error
    return ParsedFile(header, rows)


def header_problems(kind: Kind, header: list[str]) -> list[Problem]:
    problems = [Problem(1, name, _("Required column is missing.")) for name in kind.required if name not in header]
    problems += [Problem(1, name, _("Unknown column (known: %(known)s).") % {"known": ", ".join(kind.columns)})
                 for name in header if name and name not in kind.columns]
    seen: set[str] = set()
    for name in header:
        if name and name in seen:
            problems.append(Problem(1, name, _("The column appears twice.")))
        seen.add(name)
    return problems


# --- cells ---------------------------------------------------------------------------------------------------

def text(cells: dict[str, str], column: str, *, required: bool = False) -> str:
    value = cells.get(column, "")
    if required and not value:
        raise CellError(column, _("Required."))
    return value


def listed(cells: dict[str, str], column: str) -> list[str]:
    """A list in one cell: values separated by semicolons (or vertical bars)."""
    raw = cells.get(column, "").replace("|", ";")
    return [part.strip() for part in raw.split(";") if part.strip()]


def boolean(cells: dict[str, str], column: str) -> bool:
    value = cells.get(column, "").lower()
    if value in _TRUE:
        return True
    if value in _FALSE:
        return False
    raise CellError(column, _("Write yes or no, not '%(value)s'.") % {"value": echo(value)})


def integer(cells: dict[str, str], column: str, *, default: int | None = None, required: bool = False) -> int | None:
    value = cells.get(column, "")
    if not value:
        if required:
            raise CellError(column, _("Required."))
        return default
    try:
        return int(value)
    except ValueError:
        raise CellError(column, _("Not a whole number: '%(value)s'.") % {"value": echo(value)}) from None


def day(cells: dict[str, str], column: str, *, required: bool = False) -> dt.date | None:
    value = cells.get(column, "")
    if not value:
        if required:
            raise CellError(column, _("Required."))
        return None
    try:
        parsed = dt.date.fromisoformat(value)
    except ValueError:
        raise CellError(column, _("Not a date: '%(value)s'. Write it as 2027-03-15 (year-month-day).")
                        % {"value": echo(value)}) from None
    if not 1900 <= parsed.year < 9000:
        raise CellError(column, _("Not a year one can book."))
    return parsed


def clock_time(cells: dict[str, str], column: str) -> dt.time:
    value = cells.get(column, "")
    if not value:
        raise CellError(column, _("Required."))
    try:
        return dt.time.fromisoformat(value if len(value) != 4 else "0" + value)  # 9:30 -> 09:30
    except ValueError:
        raise CellError(column, _("Not a time: '%(value)s'. Write it as 09:30 or 14:00 (24-hour clock).")
                        % {"value": echo(value)}) from None


def choice(cells: dict[str, str], column: str, choices: Iterable[tuple[str, Any]], *, default: str = "") -> str:
    """A code or its label (English or the user's language), case-insensitive."""
    value = cells.get(column, "")
    if not value:
        if not default:
            raise CellError(column, _("Required."))
        return default
    options = list(choices)
    for code, label in options:
        if value.lower() in (str(code).lower(), str(label).lower()):
            return str(code)
    raise CellError(column, _("'%(value)s' is not one of: %(known)s.")
                    % {"value": echo(value), "known": ", ".join(str(code) for code, _label in options)})


# --- the runner ----------------------------------------------------------------------------------------------

class _Rollback(Exception):
    pass


def _problems_of(kind: Kind, line: int, error: DomainError) -> list[Problem]:
    if error.fields:
        found = [Problem(line, kind.field_columns.get(name, name), str(message))
                 for name, messages in error.fields.items() for message in messages]
        # The field message is short ("Unknown."): keep the detail as well when it says more.
        if error.detail and all(p.message != error.detail for p in found):
            found.insert(0, Problem(line, found[0].column if len(found) == 1 else "", error.detail))
        return found
    return [Problem(line, "", error.detail)]


def run_rows(actor: Actor, kind: Kind, parsed: ParsedFile, report: Report, *,
             commit: Callable[[list[tuple[int, Created]]], None] | None) -> None:
    """Every row through its service, each in its own savepoint, so that each row sees the rows before it (two
    rows for one slot: the second is refused) and a refused row leaves nothing behind. Then everything is rolled
    back, unless `commit` is given and there is no problem at all: then `commit(created)` records the batch in the
    same transaction."""
    created: list[tuple[int, Created]] = []
    try:
        with transaction.atomic():
            for row in parsed.rows:
                if "\0extra" in row.cells:
                    report.problems.append(Problem(row.line, "", _("The row has more cells than the header has "
                                                                   "columns.")))
                    continue
                try:
                    with transaction.atomic():
                        objects = kind.import_row(actor, row.cells)
                except CellError as error:
                    report.problems.append(Problem(row.line, error.column, error.message))
                except DomainError as error:
                    report.problems.extend(_problems_of(kind, row.line, error))
                except DatabaseError:
                    report.problems.append(Problem(row.line, "", _("The database refused this row (it breaks a "
                                                                   "rule of the stored data).")))
                else:
                    created += [(row.line, Created(obj._meta.model_name or "", int(obj.pk))) for obj in objects]
            if commit is None or report.problems:
                raise _Rollback
            commit(created)
            report.committed = True
    except _Rollback:
        pass

