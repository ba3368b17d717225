"""Access-matrix rows for the practice screens and API (#14). See matrix.py for what a row means."""

from __future__ import annotations

from typing import Any

from .matrix import Row  # and page, api, the role groups, as the rows need them

ROWS: list[Row] = []


def objects(world: Any) -> dict[str, Any]:
    """Extra objects the rows above name ("{name.pk}"), built once per module at Downtown; {} when none."""
    return {}
