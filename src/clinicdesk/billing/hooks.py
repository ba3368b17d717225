"""Where other apps plug into billing without billing importing them (registered in their AppConfig.ready()).

`statement_holds`: each handler gets a set of patient ids whose balance is about to be billed (a statement, a
collection step) and answers {patient id: reason code} for those it holds back. The portal registers one: a
patient paying a balance through an active payment plan gets no statement (`"payment-plan"`); when the plan
defaults, the portal stops answering for that patient and the balance returns to the statement cycle.

`plan_summaries`: each handler gets one patient id and answers a short list of dicts describing that patient's
payment plans (for the billing page: status, total, next instalment), read-only.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

statement_holds: list[Callable[[set[int]], dict[int, str]]] = []
plan_summaries: list[Callable[[int], list[dict[str, Any]]]] = []


def holds_from_other_apps(patient_ids: set[int]) -> dict[int, str]:
    held: dict[int, str] = {}
    if not patient_ids:
        return held
    for handler in statement_holds:
        for patient_id, reason in handler(set(patient_ids)).items():
            held.setdefault(patient_id, reason)
    return held


def plans_of(patient_id: int) -> list[dict[str, Any]]:
    return [summary for handler in plan_summaries for summary in handler(patient_id)]
