"""Late-bound hooks so that core never imports an app. Apps fill them in AppConfig.ready()."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

# Called with a PermissionDenied that reached the web layer without being audited.
record_denial: Callable[[Any], None] = lambda error: None  # noqa: E731
