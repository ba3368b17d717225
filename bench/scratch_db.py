"""The scratch PostgreSQL database a benchmark builds once and reuses (`--rebuild` starts over)."""

from __future__ import annotations

from urllib.parse import urlparse


def ensure_scratch_database(url: str, *, rebuild: bool) -> None:
    """Create the database named in `url` if it is missing; drop it first when `rebuild`."""
    import psycopg

    parts = urlparse(url)
    name = parts.path.lstrip("/")
    with psycopg.connect(host=parts.hostname, port=parts.port or 5432, user=parts.username,
                         password=parts.password, dbname="postgres", autocommit=True) as conn:
        exists = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", (name,)).fetchone()
        if exists and rebuild:
            conn.execute(f'DROP DATABASE "{name}" WITH (FORCE)')
            exists = None
        if not exists:
            conn.execute(f'CREATE DATABASE "{name}"')
