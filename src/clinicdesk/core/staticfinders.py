"""Serves front-end packages installed from npm (node_modules) under /static/vendor/."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.conf import settings
from django.contrib.staticfiles.finders import BaseFinder
from django.core.checks import CheckMessage, Error
from django.core.files.storage import FileSystemStorage


class VendorAssetFinder(BaseFinder):
    prefix = "vendor/"

    def _assets(self) -> dict[str, Path]:
        return {name: Path(path) for name, path in settings.VENDOR_ASSETS.items()}

    def check(self, **kwargs: Any) -> list[CheckMessage]:
        missing = [str(p) for p in self._assets().values() if not p.exists()]
        if missing:
            return [Error(f"Front-end assets are not installed: {', '.join(missing)}",
                          hint="Run 'make assets' (npm ci) first.", id="clinicdesk.E001")]
        return []

    def find(self, path: str, find_all: bool = False, **kwargs: Any) -> Any:
        if not path.startswith(self.prefix):
            return [] if find_all else None
        asset = self._assets().get(path[len(self.prefix):])
        if asset is None or not asset.exists():
            return [] if find_all else None
        return [str(asset)] if find_all else str(asset)

    def list(self, ignore_patterns: Any) -> Any:
        for asset in self._assets().values():
            if asset.exists():
                storage = FileSystemStorage(location=str(asset.parent))
                storage.prefix = self.prefix.rstrip("/")  # type: ignore[attr-defined]
                yield asset.name, storage
