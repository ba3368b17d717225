"""Access-matrix rows for the design system (#15): the living style page. See matrix.py for what a row means."""

from __future__ import annotations

from typing import Any

from .matrix import EVERYONE, Row, page

ROWS: list[Row] = [
    page("GET", "/styleguide", 200, EVERYONE, elsewhere=None,
         why="the style page shows sample components and no records: any signed-in staff user"),
]


def objects(world: Any) -> dict[str, Any]:
    """No objects: the page reads no records."""
    return {}
