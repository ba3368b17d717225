"""Access-matrix rows for the first run, the setup guide and the practice settings (#14). See matrix.py for
what a row means. The matrix world has users, so the first-run page answers 404 to everyone there (its flow on
an empty database is tested in tests/setup)."""

from __future__ import annotations

import json
from typing import Any

from .matrix import PRACTICE_ADMINS, Row, page, public

_SETTINGS_FORM = {"short_name": "Riverside", "late_cancel_hours": "24", "records_retention_years": "7",
                  "receipt_footer": "", "default_language": "en"}

ROWS: list[Row] = [
    public("GET", "/setup/start/", 404, why="the first run is over once any staff user exists"),
    public("POST", "/setup/start/", 404, data=lambda w: {"token": "x"},
           why="no token can claim an install that has users"),
    page("GET", "/setup/", 200, PRACTICE_ADMINS, elsewhere=None),
    page("POST", "/setup/steps/rooms/skip/", 302, PRACTICE_ADMINS, elsewhere=None),
    page("GET", "/practice/settings/", 200, PRACTICE_ADMINS, elsewhere=None),
    page("POST", "/practice/settings/", 302, PRACTICE_ADMINS, elsewhere=None, data=lambda w: _SETTINGS_FORM),
    Row("GET", "/api/v1/practice-settings", 200, PRACTICE_ADMINS, elsewhere=None, anon=401),
    Row("PATCH", "/api/v1/practice-settings", 200, PRACTICE_ADMINS, elsewhere=None, anon=401,
        data=lambda w: json.dumps({"lateCancelHours": 36}), content_type="application/json"),
]


def objects(world: Any) -> dict[str, Any]:
    """Extra objects the rows above name ("{name.pk}"), built once per module at Downtown; {} when none."""
    return {}
