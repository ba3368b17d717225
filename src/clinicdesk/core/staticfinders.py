"""Serves front-end packages installed from npm (node_modules) under /static/vendor/.

`settings.VENDOR_ASSETS` maps a name to a file ("htmx.min.js": .../htmx.min.js) or, for a name ending in "/", to a
folder whose files are served under that prefix ("lucide/": .../lucide-static/icons gives vendor/lucide/<x>.svg)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.conf import settings
from django.contrib.staticfiles.finders import BaseFinder
from django.core.checks import CheckMessage, Error
from django.core.files.storage import FileSystemStorage


def vendor_assets() -> dict[str, Path]:
    return {name: Path(path) for name, path in settings.VENDOR_ASSETS.items()}


def vendor_file(path: str) -> Path | None:
    """The installed file behind `path` (relative to vendor/), or None. Never leaves an asset's folder."""
    for name, asset in vendor_assets().items():
        if name.endswith("/"):
            if not path.startswith(name):
                continue
            rest = path[len(name):]
            if not rest or rest.startswith("/") or ".." in Path(rest).parts or "\\" in rest:
                return None
            candidate = asset / rest
            return candidate if candidate.is_file() else None
        if path == name:
            return asset if asset.is_file() else None
    return None


class VendorAssetFinder(BaseFinder):
    prefix = "vendor/"

    def _assets(self) -> dict[str, Path]:
        return vendor_assets()

    def check(self, **kwargs: Any) -> list[CheckMessage]:
        missing = [str(p) for p in self._assets().values() if not p.exists()]
        if missing:
            return [Error(f"Front-end assets are not installed: {', '.join(missing)}",
                          hint="Run 'make assets' (npm ci) first.", id="clinicdesk.E001")]
        return []

    def find(self, path: str, find_all: bool = False, **kwargs: Any) -> Any:
        asset = vendor_file(path[len(self.prefix):]) if path.startswith(self.prefix) else None
        if asset is None:
            return [] if find_all else None
        return [str(asset)] if find_all else str(asset)

    def list(self, ignore_patterns: Any) -> Any:
        """What collectstatic copies: the single files. A folder entry (the icon set: 2,000 SVGs, 14,000 files once
        compressed) is not collected: `{% icon %}` inlines the few icons the pages use, read from the folder."""
        for name, asset in self._assets().items():
            if name.endswith("/"):
                continue
            if asset.exists():
                storage = FileSystemStorage(location=str(asset.parent))
                storage.prefix = self.prefix.rstrip("/")  # type: ignore[attr-defined]
                yield asset.name, storage
