"""Transaction-scoped locks on things that have no row to lock: "this provider's day", say, whose summary row may not
exist yet. Work that reads some rows and writes what it derived from them (a recount) must not interleave with the
same work for the same thing: under READ COMMITTED, two recounts can both read, and the later write can carry the
earlier read. Taking `hold` on the thing first serializes them, and the statement that reads after it sees every
transaction that held the lock before.

PostgreSQL: `pg_advisory_xact_lock` on a 64-bit key derived from the name (a collision only serializes two unrelated
things a little longer), released at commit or rollback. SQLite: nothing to do, as every transaction is IMMEDIATE
(settings): it holds the database's write lock from its first statement, so such work is serialized already.
"""

from __future__ import annotations

import hashlib

from django.db import connections, transaction


def lock_key(*parts: object) -> int:
    """The signed 64-bit key of a name made of `parts` (the same in every process, unlike `hash`)."""
    digest = hashlib.blake2b("\x1f".join(map(str, parts)).encode(), digest_size=8).digest()
    return int.from_bytes(digest, "big", signed=True)


def hold(*parts: object, using: str = "default") -> None:
    """Wait for, then hold until this transaction ends, the lock named by `parts`. Several locks of one
    transaction must be taken in a fixed order (e.g. sorted), as row locks are."""
    connection = connections[using]
    if not connection.in_atomic_block:
        raise transaction.TransactionManagementError("an advisory lock is held by a transaction: call it in one")
    if connection.vendor != "postgresql":
        return
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_advisory_xact_lock(%s)", [lock_key(*parts)])
