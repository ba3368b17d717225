"""The rostering engine: pure Python over OR-Tools CP-SAT, no database and no Django.

    instance.py  the problem (shifts, staff contracts, days off, requests, cover) as frozen dataclasses
    parser.py    the Curtois & Qu shift-scheduling benchmark text format -> Instance (errors name the line)
    greedy.py    a roster keeping every hard rule, built in about a second: CP-SAT's hint and the fallback
    model.py     the CP-SAT model, the solve with a time limit and the objective explained per soft rule
    evaluate.py  an independent checker of every hard rule and recomputation of the objective from a roster

The staffing services build an `Instance` from the practice's shift types, contracts and cover needs and call
`solve`; `clinicdesk roster benchmark` reads one from a benchmark file.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from .evaluate import Evaluation, Violation, evaluate
from .instance import Assignment, Cover, Instance, Request, Shift, Staff
from .parser import InstanceError, parse_instance, read_instance

if TYPE_CHECKING:
    from .model import SOFT_RULES, SolveResult, solve


def __getattr__(name: str) -> Any:
    """`solve`, `SolveResult` and `SOFT_RULES` load OR-Tools (and pandas) on first use: seconds of start-up that
    every web process and command would otherwise pay for with the URL conf."""
    if name in {"SOFT_RULES", "SolveResult", "solve"}:
        from . import model

        return getattr(model, name)
    raise AttributeError(name)

__all__ = [
    "SOFT_RULES", "Assignment", "Cover", "Evaluation", "Instance", "InstanceError", "Request", "Shift",
    "SolveResult", "Staff", "Violation", "evaluate", "parse_instance", "read_instance", "solve",
]
