"""The boundaries between apps (docs/architecture.md, "Boundaries"): the import contracts in pyproject.toml hold,
and nothing reaches around them with a hidden import or `apps.get_model`."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

SRC = Path(__file__).resolve().parents[2] / "src" / "clinicdesk"
ROOT = SRC.parents[1]


def _modules() -> list[tuple[str, Path, ast.Module]]:
    return [(path.relative_to(SRC).parts[0], path, ast.parse(path.read_text(encoding="utf-8")))
            for path in sorted(SRC.rglob("*.py")) if "migrations" not in path.parts]


def test_import_contracts_are_kept() -> None:
    lint = Path(sys.executable).with_name("lint-imports")
    done = subprocess.run([str(lint), "--no-cache", "--no-logo"], cwd=ROOT, capture_output=True, text=True,
                          check=False)
    assert done.returncode == 0, done.stdout + done.stderr


def test_no_app_reaches_another_apps_model_through_get_model() -> None:
    reaching = []
    for app, path, tree in _modules():
        for node in ast.walk(tree):
            if (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr == "get_model"
                    and node.args and isinstance(node.args[0], ast.Constant) and node.args[0].value != app):
                reaching.append(f"{path.relative_to(SRC)}:{node.lineno}")
    assert reaching == []


def test_comms_imports_other_apps_at_module_level() -> None:
    """comms used to import scheduling inside its functions, out of sight of the contracts' reader. Only the
    AppConfig.ready() hook registrations stay inside a function."""
    hidden = []
    for app, path, tree in _modules():
        if app != "comms":
            continue
        for function in ast.walk(tree):
            if not isinstance(function, ast.FunctionDef | ast.AsyncFunctionDef) or function.name == "ready":
                continue
            for node in ast.walk(function):
                if (isinstance(node, ast.ImportFrom) and node.module and node.module.startswith("clinicdesk.")
                        and node.module.split(".")[1] not in ("comms", "core")):
                    hidden.append(f"{path.relative_to(SRC)}:{node.lineno} {node.module}")
    assert hidden == []
