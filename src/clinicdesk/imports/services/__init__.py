"""Imports from the old system (CSV): providers, rooms, equipment, appointment types, availability templates, staff
accounts and future appointments. Every row goes through the owning app's service; see `batches` for the runs and
undo, `base` for the file rules, and one module per owning app for the columns of each kind (docs/imports.md).

Callers import from `clinicdesk.imports.services` (these names), not from the modules.
"""

from .base import MAX_BYTES, MAX_ROWS, Kind, Problem, Report, echo
from .batches import (
    KINDS,
    import_check,
    import_checked_run,
    import_file,
    import_passwords_issue,
    import_undo,
    kind_named,
    kinds_for,
)

__all__ = [
    "KINDS", "MAX_BYTES", "MAX_ROWS", "Kind", "Problem", "Report", "echo", "import_check", "import_checked_run",
    "import_file", "import_passwords_issue", "import_undo", "kind_named", "kinds_for",
]
