"""Append-only tables (the audit trail, the ledger): one model mixin, one migration helper.

`AppendOnlyModel` refuses, in the application, every path that changes or removes a stored row: `save()` of
an existing row, `delete()`, and the queryset's `update()`, `delete()` and `bulk_update()`. All raise
`core.exceptions.AppendOnlyError` with the model's `append_only_message`. A mistake is corrected by a new
row (a reversing ledger entry), never by an edit.

`append_only_triggers()` is the migration operation that makes PostgreSQL refuse the same changes whatever
the client: a row trigger refuses UPDATE and DELETE, and a statement trigger refuses TRUNCATE (row triggers
do not see a TRUNCATE). The TRUNCATE trigger lets a superuser through: a superuser can switch every trigger
off anyway (session_replication_role), and Django's test runner flushes tables with TRUNCATE as one; the app
must not connect as a superuser or as the table's owner (`clinicdesk check --deploy`, clinicdesk.W010).
On other databases the operation does nothing.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any, ClassVar

from django.db import migrations, models

from .exceptions import AppendOnlyError


class AppendOnlyQuerySet(models.QuerySet):
    """A queryset that can read and insert rows, never change or remove them."""

    def _refuse(self) -> AppendOnlyError:
        return AppendOnlyError(getattr(self.model, "append_only_message", "This table is append-only."))

    def update(self, **kwargs: Any) -> int:
        raise self._refuse()

    def delete(self) -> tuple[int, dict[str, int]]:
        raise self._refuse()

    def bulk_update(self, objs: Any, fields: Any, batch_size: int | None = None) -> int:
        raise self._refuse()


class AppendOnlyModel(models.Model):
    """Abstract base of a model whose rows, once written, are never changed or deleted."""

    append_only_message: ClassVar[str] = "This table is append-only."

    objects = AppendOnlyQuerySet.as_manager()

    class Meta:
        abstract = True

    def save(self, *args: Any, **kwargs: Any) -> None:
        if not self._state.adding:
            raise AppendOnlyError(self.append_only_message)
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> Any:
        raise AppendOnlyError(self.append_only_message)


# --- The migration helper ------------------------------------------------------------------------------

_IDENTIFIER = re.compile(r"^[a-z_][a-z0-9_]*$")


def _identifier(name: str) -> str:
    if not _IDENTIFIER.match(name):
        raise ValueError(f"{name!r} is not a plain SQL identifier")
    return name


def _literal(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def _row_sql(name: str, message: str, tables: Mapping[str, str]) -> tuple[str, str]:
    function = f"clinicdesk_{name}_append_only"
    create = f"""
CREATE OR REPLACE FUNCTION {function}() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION {_literal(message)}, TG_OP
        USING ERRCODE = 'insufficient_privilege';
END;
$$ LANGUAGE plpgsql;
"""
    drop = "\n"
    for table, prefix in tables.items():
        trigger = f"{prefix}_append_only"
        create += f"""DROP TRIGGER IF EXISTS {trigger} ON {table};
CREATE TRIGGER {trigger} BEFORE UPDATE OR DELETE ON {table}
    FOR EACH ROW EXECUTE FUNCTION {function}();
"""
    for table, prefix in reversed(list(tables.items())):
        drop += f"DROP TRIGGER IF EXISTS {prefix}_append_only ON {table};\n"
    drop += f"DROP FUNCTION IF EXISTS {function}();\n"
    return create, drop


def _truncate_sql(name: str, message: str, tables: Mapping[str, str]) -> tuple[str, str]:
    function = f"clinicdesk_{name}_no_truncate"
    create = f"""
CREATE OR REPLACE FUNCTION {function}() RETURNS trigger AS $$
BEGIN
    IF (SELECT rolsuper FROM pg_roles WHERE rolname = current_user) THEN
        RETURN NULL;
    END IF;
    RAISE EXCEPTION {_literal(message.replace("%", "TRUNCATE"))}
        USING ERRCODE = 'insufficient_privilege';
END;
$$ LANGUAGE plpgsql;
"""  # noqa: S608 (identifiers checked by _identifier, the message quoted by _literal)
    drop = "\n"
    for table, prefix in tables.items():
        trigger = f"{prefix}_no_truncate"
        create += f"""DROP TRIGGER IF EXISTS {trigger} ON {table};
CREATE TRIGGER {trigger} BEFORE TRUNCATE ON {table}
    FOR EACH STATEMENT EXECUTE FUNCTION {function}();
"""
    for table, prefix in reversed(list(tables.items())):
        drop += f"DROP TRIGGER IF EXISTS {prefix}_no_truncate ON {table};\n"
    drop += f"DROP FUNCTION IF EXISTS {function}();\n"
    return create, drop


def append_only_sql(*, name: str, message: str, tables: Mapping[str, str], rows: bool = True,
                    truncate: bool = True) -> tuple[str, str]:
    """PostgreSQL (create, drop) SQL refusing changes to `tables` ({table: trigger name prefix}).

    `rows`: a row trigger refusing UPDATE and DELETE (function `clinicdesk_<name>_append_only`, triggers
    `<prefix>_append_only`). `truncate`: a statement trigger refusing TRUNCATE except to a superuser (function
    `clinicdesk_<name>_no_truncate`, triggers `<prefix>_no_truncate`). `message` names the refused operation
    with `%` (e.g. "the ledger is append-only (% refused)")."""
    _identifier(name)
    for table, prefix in tables.items():
        _identifier(table), _identifier(prefix)
    if not tables or not (rows or truncate):
        raise ValueError("name at least one table and one kind of trigger")
    parts = ([_row_sql(name, message, tables)] if rows else []) + (
        [_truncate_sql(name, message, tables)] if truncate else [])
    return "".join(create for create, _ in parts), "".join(drop for _, drop in reversed(parts))


def append_only_triggers(*, name: str, message: str, tables: Mapping[str, str], rows: bool = True,
                         truncate: bool = True) -> migrations.RunPython:
    """The migration operation applying `append_only_sql(...)` on PostgreSQL (and removing it on reverse)."""
    create, drop = append_only_sql(name=name, message=message, tables=tables, rows=rows, truncate=truncate)

    def run(sql: str) -> Any:
        def apply(apps: Any, schema_editor: Any) -> None:
            if schema_editor.connection.vendor == "postgresql":
                schema_editor.execute(sql, params=None)

        return apply

    return migrations.RunPython(run(create), run(drop))
