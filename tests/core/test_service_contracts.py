"""Typed service contracts (#13 item 19): every service and selector names who acts (`Actor`, from
core/permissions.py) and takes parsed values, so mypy checks each caller against it."""

from __future__ import annotations

import ast
import inspect
from pathlib import Path

from clinicdesk.billing.services import payment_collect

SRC = Path(__file__).resolve().parents[2] / "src" / "clinicdesk"


def _service_and_selector_modules() -> list[Path]:
    return sorted(path for path in SRC.rglob("*.py") if "migrations" not in path.parts and (
        path.name in ("services.py", "selectors.py", "visibility.py") or path.parent.name == "services"))


def test_every_service_and_selector_types_its_actor() -> None:
    untyped = []
    for path in _service_and_selector_modules():
        for function in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if not isinstance(function, ast.FunctionDef | ast.AsyncFunctionDef):
                continue
            for argument in [*function.args.posonlyargs, *function.args.args, *function.args.kwonlyargs]:
                annotation = ast.unparse(argument.annotation) if argument.annotation else "Any"
                if argument.arg == "actor" and annotation in ("Any", "typing.Any"):
                    untyped.append(f"{path.relative_to(SRC)}:{function.lineno} {function.name}")
    assert untyped == []


def test_payment_collect_takes_a_decimal_and_int_ids() -> None:
    parameters = inspect.signature(payment_collect).parameters
    assert {name: parameters[name].annotation for name in ("actor", "patient_id", "location_id", "amount")} == {
        "actor": "Actor", "patient_id": "int", "location_id": "int", "amount": "Decimal"}
