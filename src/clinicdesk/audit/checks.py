"""System check: on PostgreSQL the app must not connect as the audit table's owner (or a superuser).

The owner can drop or disable the append-only triggers, and TRUNCATE; `clinicdesk check --deploy` warns
(clinicdesk.W010) and `clinicdesk serve` prints the same warning. SQLite has no roles: nothing to check.
"""

from __future__ import annotations

from typing import Any

from django.core.checks import CheckMessage, Tags, register
from django.core.checks import Warning as CheckWarning
from django.db import DEFAULT_DB_ALIAS, DatabaseError, connections

AUDIT_TABLE = "audit_auditentry"


def audit_table_owner_problem(connection: Any = None) -> str:
    """Why the connection's role could switch off the audit trail's protections, or "" when it cannot."""
    connection = connection if connection is not None else connections[DEFAULT_DB_ALIAS]
    if connection.vendor != "postgresql":
        return ""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT current_user, r.rolsuper, pg_has_role(current_user, c.relowner, 'MEMBER'), "
            "pg_get_userbyid(c.relowner) FROM pg_class c JOIN pg_roles r ON r.rolname = current_user "
            "WHERE c.oid = to_regclass(%s)", [AUDIT_TABLE])
        row = cursor.fetchone()
    if row is None:
        return ""  # not migrated yet
    user, superuser, owner, owner_name = row
    if superuser:
        return f"the app connects as {user}, a superuser, who can switch off every trigger on {AUDIT_TABLE}"
    if owner:
        return (f"the app connects as {user}, which owns {AUDIT_TABLE} (owner role {owner_name}) and can drop "
                "its append-only triggers or TRUNCATE it")
    return ""


@register(Tags.security, deploy=True)
def audit_role_check(app_configs: Any = None, **kwargs: Any) -> list[CheckMessage]:
    try:
        problem = audit_table_owner_problem()
    except DatabaseError:
        return []  # no database to ask (the check runs before deployment too)
    if not problem:
        return []
    return [CheckWarning(
        f"Audit trail unprotected: {problem}.",
        hint="Run migrations as an owner role and the app as a role with only SELECT and INSERT on "
             "audit_auditentry (docs/operations.md, \"The audit table's owner\").",
        id="clinicdesk.W010")]
