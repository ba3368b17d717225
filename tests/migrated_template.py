"""A migrated database for the tests that need a database of their own (a worker process, app servers, a
benchmark): cloned from a template in about a second instead of a fresh `migrate` (about a minute, longer under
load: Django renders the project state of some 250 models again).

The template is the test database itself, copied right after pytest-django has created and migrated it and before
any test runs (tests/conftest.py, django_db_setup), so its content is exactly what `migrate` leaves: the schema,
the content types and permissions, the rows of the data migrations (plus Django's cache table, which
`createcachetable` would add anyway). It lives for one test session, so it can never be older than the
migrations. Names come from the test database's name (`test_clinicdesk_x` -> `test_clinicdesk_x_migrated`,
`test_clinicdesk_x_race_1a2b3c4d`), so two sessions on two test databases never meet.

- PostgreSQL: the template is a database (`CREATE DATABASE ... TEMPLATE test_...` while nothing is connected to
  the test database yet); each copy is `CREATE DATABASE copy TEMPLATE template`.
- SQLite: the template is a file (the backup API, which reads a WAL database consistently); each copy is a
  file copy.

Whoever uses a copy may still run `migrate` on it (the product's path): it finds nothing to apply. Without a
template (`--reuse-db`, where the test database may hold what earlier sessions' tests left) a copy is an empty
database, as before, and that `migrate` does the whole work.
"""

from __future__ import annotations

import shutil
import sqlite3
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any
from urllib.parse import quote

from django.db import connections

FIXTURE = "migrated_database"  # the fixture (tests/conftest.py) whose use makes the session build a template
_MAX_NAME = 63  # PostgreSQL's identifier length


class Template:
    """The session's migrated template, of the test database's engine."""

    def __init__(self, vendor: str, settings: dict[str, Any], source: str | None) -> None:
        self.vendor = vendor
        self.settings = settings  # the test database's connection settings (NAME is the test database)
        self.source = source  # PostgreSQL: the template database's name; SQLite: its file; None: no template

    # -- PostgreSQL ------------------------------------------------------------------------------------------
    @contextmanager
    def _admin(self) -> Iterator[Any]:
        import psycopg

        params = self.settings
        with psycopg.connect(host=params["HOST"] or None, port=params["PORT"] or None, user=params["USER"] or None,
                             password=params["PASSWORD"] or None, dbname="postgres", autocommit=True) as admin:
            yield admin

    def url(self, name: str) -> str:
        """The URL of database `name` on the test database's PostgreSQL server."""
        params = self.settings
        credentials = quote(params["USER"] or "", safe="") + (
            ":" + quote(params["PASSWORD"], safe="") if params["PASSWORD"] else "")
        return f"postgres://{credentials}@{params['HOST'] or '127.0.0.1'}:{params['PORT'] or 5432}/{name}"

    def name_for(self, purpose: str) -> str:
        """A new database name for `purpose`, derived from the test database's name."""
        suffix = f"_{purpose}_{uuid.uuid4().hex[:8]}"
        return self.settings["NAME"][: _MAX_NAME - len(suffix)] + suffix

    def create(self, name: str) -> None:
        """Database `name`: a migrated copy, or empty without a template."""
        with self._admin() as admin:
            if self.source:
                admin.execute(f'CREATE DATABASE "{name}" TEMPLATE "{self.source}"')
            else:
                admin.execute(f'CREATE DATABASE "{name}"')

    def drop(self, name: str) -> None:
        with self._admin() as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')

    # -- SQLite ----------------------------------------------------------------------------------------------
    def copy_to(self, path: Path) -> None:
        """A migrated copy at `path` (nothing, so an empty database, without a template)."""
        if self.source:
            shutil.copyfile(self.source, path)


def capture(tmp_dir: Path) -> Template:
    """Copy the freshly migrated test database into the session's template (SQLite: a file in `tmp_dir`); call it
    before any test runs."""
    connection = connections["default"]
    settings = dict(connection.settings_dict)
    if connection.vendor == "sqlite":
        path = tmp_dir / f"{Path(settings['NAME']).stem}-migrated.sqlite3"
        source, target = sqlite3.connect(settings["NAME"]), sqlite3.connect(path)
        try:
            source.backup(target)
        finally:
            source.close()
            target.close()
        return Template("sqlite", settings, str(path))
    template = Template(connection.vendor, settings, None)
    name = f"{settings['NAME'][: _MAX_NAME - len('_migrated')]}_migrated"
    connections.close_all()  # a template must have no other session; nothing else uses the test database yet
    template.drop(name)  # left over by a session that was killed
    with template._admin() as admin:
        admin.execute(f'CREATE DATABASE "{name}" TEMPLATE "{settings["NAME"]}"')
    template.source = name
    return template


def release(template: Template) -> None:
    """Remove the session's template (the SQLite file goes with pytest's temporary directory)."""
    if template.vendor == "postgresql" and template.source:
        template.drop(template.source)


def empty() -> Template:
    """No template: copies are empty databases, and their `migrate` does the whole work."""
    connection = connections["default"]
    return Template(connection.vendor, dict(connection.settings_dict), None)


class MigratedDatabases:
    """What the `migrated_database` fixture gives a test: migrated copies, dropped when the test ends."""

    def __init__(self, template: Template, tmp_path: Path) -> None:
        self.template = template
        self.vendor = template.vendor
        self._tmp_path = tmp_path
        self._names: list[str] = []

    def url(self, purpose: str) -> str:
        """A DATABASE_URL of a new migrated copy (PostgreSQL: a database; SQLite: a file in the test's tmp_path)."""
        if self.vendor == "sqlite":
            path = self._tmp_path / f"{purpose}.sqlite3"
            self.template.copy_to(path)
            return f"sqlite:///{path}"
        name = self.name(purpose)
        self.template.create(name)
        return self.template.url(name)

    def name(self, purpose: str) -> str:
        """PostgreSQL: a new database name, dropped when the test ends, for a program that creates it itself
        (from `template_name`, e.g. a benchmark with BENCH_TEMPLATE_DATABASE)."""
        name = self.template.name_for(purpose)
        self._names.append(name)
        return name

    @property
    def template_name(self) -> str | None:
        """PostgreSQL: the database to create copies from (None: no template, create empty databases)."""
        return self.template.source if self.vendor == "postgresql" else None

    def close(self) -> None:
        for name in self._names:
            self.template.drop(name)
