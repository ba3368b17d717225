"""Access-matrix rows for the outreach app. See matrix.py for what a row means."""

from __future__ import annotations

from typing import Any

from .matrix import Row

ROWS: list[Row] = []


def objects(world: Any) -> dict[str, Any]:
    return {}
