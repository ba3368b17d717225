"""Access-matrix rows for the imports screens and API (#14). See matrix.py for what a row means."""

from __future__ import annotations

from typing import Any

from .matrix import ADMIN, PRACTICE_ADMINS, Row, page

ROWS: list[Row] = [
    page("GET", "/setup/imports/", 200, PRACTICE_ADMINS, elsewhere=None,
         why="imports set the practice up: practice administrators (the staff kind also needs users.admin)"),
    page("POST", "/setup/imports/", 422, PRACTICE_ADMINS, elsewhere=None, data=lambda w: {"kind": "rooms"},
         case="no file", why="the form asks for the file (422) once the page's permission passed"),
    page("GET", "/setup/imports/{checked_batch.pk}/", 404, PRACTICE_ADMINS, elsewhere=None,
         why="a checked file belongs to the user who checked it: anyone else's is missing (404)"),
    page("POST", "/setup/imports/{checked_batch.pk}/", 404, PRACTICE_ADMINS, elsewhere=None,
         why="as the GET: only the user who checked the file may import it"),
    page("POST", "/setup/imports/undo/", 302, PRACTICE_ADMINS, elsewhere=None, flash_ok=False,
         why="nothing imported in the matrix world: the refusal is a message on the import page"),
    page("POST", "/setup/imports/{undone_staff_batch.pk}/passwords/", 302, frozenset({ADMIN}), elsewhere=None,
         flash_ok=False, why="temporary passwords need users.admin; an undone import has none to give (message)"),
]


def objects(world: Any) -> dict[str, Any]:
    """Extra objects the rows above name ("{name.pk}"), built once per module at Downtown; {} when none."""
    from clinicdesk.core import clock
    from clinicdesk.imports.models import ImportBatch

    from ..factories import UserFactory

    owner = UserFactory(role="practice_coordinator", location=world.home)
    return {
        "checked_batch": ImportBatch.objects.create(kind="rooms", file_name="rooms.csv", rows=1, content="x",
                                                    created_by=owner, created_at=clock.now()),
        "undone_staff_batch": ImportBatch.objects.create(kind="staff", file_name="staff.csv", rows=1,
                                                         status=ImportBatch.Status.UNDONE, created_at=clock.now(),
                                                         imported_at=clock.now(), undone_at=clock.now()),
    }
