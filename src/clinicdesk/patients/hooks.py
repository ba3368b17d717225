"""Where other apps take part in a patient merge without the patients app importing them.

`patient_merge` announces `patient_merged(survivor, merged, actor)`; every app that holds rows naming a patient
subscribes in its AppConfig.ready() and moves its own rows:

    from clinicdesk.patients import hooks
    hooks.subscribe("frontdesk", merge.move_patient_rows,
                    handles=("frontdesk.Visit.patient", "frontdesk.Task.patient"))

Unlike the schedule's hooks (after commit, failures logged), merge subscribers run INSIDE the merge transaction,
in registration order (INSTALLED_APPS order), with the two charts locked. A subscriber that cannot move its rows
without breaking a rule (a double booking, two visits in progress) raises `Conflict` naming what overlaps: the
whole merge rolls back, nothing is written. A subscriber returns counts ({"appointments": 2}) for the merge's
audit entry.

`handles` names each relation the subscriber takes care of, as "<app_label>.<Model>.<field>" (a kind/id pair as
"<app_label>.<Model>.<x>_id[<x>_kind=patient]"); an app names only its own relations. `KEPT_ON_MERGE` lists the
references that stay on the merged-away chart on purpose. tests/patients/test_merge_seams.py enumerates every
reference to a Patient in every installed model and fails on any that is neither handled nor kept.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import Any, Protocol


class MergeHandler(Protocol):
    def __call__(self, *, survivor: Any, merged: Any, actor: Any) -> Mapping[str, int] | None: ...


class CoverageReplacedHandler(Protocol):
    def __call__(self, *, replaced: Mapping[int, int], actor: Any) -> Mapping[str, int] | None: ...


@dataclass(frozen=True)
class MergeSubscriber:
    """A subscriber to one of the merge's events (`patient_merged`, `coverage_replaced`)."""

    app: str  # the app label whose rows the handler moves
    handler: MergeHandler | CoverageReplacedHandler | Callable[..., Mapping[str, int] | None]
    handles: frozenset[str]


def _add(registry: list[MergeSubscriber], app: str, handler: Callable[..., Mapping[str, int] | None],
         handles: Iterable[str]) -> None:
    """Idempotent per (app, handler) so a second ready() adds nothing; an app names only its own relations."""
    names = frozenset(handles)
    for relation in names:
        if relation.split(".")[0] != app:
            raise ValueError(f"{app} may only handle its own relations, not {relation}")
    if not any(s.app == app and s.handler is handler for s in registry):
        registry.append(MergeSubscriber(app, handler, names))


def _fire(registry: list[MergeSubscriber], **event: Any) -> dict[str, int]:
    """Run every subscriber inside the caller's transaction, summing the counts they return; an exception
    propagates and aborts the merge."""
    moved: dict[str, int] = {}
    for subscriber in list(registry):
        counts = subscriber.handler(**event) or {}
        for name, count in counts.items():
            moved[name] = moved.get(name, 0) + count
    return moved


patient_merged: list[MergeSubscriber] = []

# References to a patient that a merge leaves on the merged-away chart on purpose, and why.
KEPT_ON_MERGE: dict[str, str] = {
    "audit.AuditEntry.patient_id": (
        "The audit trail is history: append-only and hash-chained, so an entry keeps the chart it was written "
        "about. The merge's own entries (patient.merge on the survivor, patient.merged_away on the merged chart) "
        "name both charts, and the merged chart points at the survivor (merged_into)."),
}


def subscribe(app: str, handler: MergeHandler | Callable[..., Mapping[str, int] | None], *,
              handles: Iterable[str]) -> None:
    """Register `handler` for `patient_merged`; idempotent per (app, handler) so a second ready() adds nothing."""
    _add(patient_merged, app, handler, handles)


def handled_relations() -> dict[str, str]:
    """Relation -> app label of the subscriber that handles it."""
    return {relation: s.app for s in patient_merged for relation in s.handles}


def fire_patient_merged(*, survivor: Any, merged: Any, actor: Any) -> dict[str, int]:
    """Run every subscriber inside the caller's transaction; an exception propagates and aborts the merge."""
    return _fire(patient_merged, survivor=survivor, merged=merged, actor=actor)


# --- coverage_replaced -----------------------------------------------------------------------------------------
# When both charts carry the same card (payer, member id, order), the merge keeps the survivor's coverage and
# deletes the merged chart's copy. Before deleting it, the patients app announces
# `coverage_replaced(replaced={dropped coverage pk: kept coverage pk}, actor)`, INSIDE the merge transaction;
# every app holding rows that name a coverage re-points them to the kept one (a claim's coverage is PROTECTed, so
# a row left behind would abort the merge). A subscriber returns counts for the merge's audit entry, like a
# `patient_merged` subscriber, and names the relations it handles ("<app_label>.<Model>.<field>");
# tests/patients/test_merge_seams.py fails on any reference to a Coverage that no subscriber handles.

coverage_replaced: list[MergeSubscriber] = []


def subscribe_coverage_replaced(app: str, handler: CoverageReplacedHandler | Callable[..., Mapping[str, int] | None],
                                *, handles: Iterable[str]) -> None:
    """Register `handler` for `coverage_replaced`; idempotent per (app, handler)."""
    _add(coverage_replaced, app, handler, handles)


def coverage_handled_relations() -> dict[str, str]:
    """Relation to a Coverage -> app label of the subscriber that re-points it."""
    return {relation: s.app for s in coverage_replaced for relation in s.handles}


def fire_coverage_replaced(*, replaced: Mapping[int, int], actor: Any) -> dict[str, int]:
    """Run every subscriber inside the caller's transaction (nothing to do when no card was dropped)."""
    return _fire(coverage_replaced, replaced=dict(replaced), actor=actor) if replaced else {}


# --- where a patient is seen ------------------------------------------------------------------------------------
# patients.visibility puts a chart of another location in reach at a location where the patient is seen (has an
# appointment); the schedule answers that question by registering `check(patient_id, location_id) -> bool` here
# from its AppConfig.ready().

seen_at_checks: list[Callable[[Any, Any], bool]] = []


def register_seen_at(check: Callable[[Any, Any], bool]) -> None:
    """Idempotent: a second ready() adds nothing."""
    if check not in seen_at_checks:
        seen_at_checks.append(check)


def seen_at(patient_id: Any, location_id: Any) -> bool:
    return any(check(patient_id, location_id) for check in seen_at_checks)


# --- patient_changed -------------------------------------------------------------------------------------------
# Announced by the services that change a chart's demographics or status (patient_register, patient_update,
# inactivate / reactivate / deceased), INSIDE their transaction, right after the row is written. `previous` is
# a copy of the chart as it was before the change (None for a new chart). A handler's error propagates and rolls
# the change back. The FHIR API subscribes to keep Patient versions (interop/fhir/history.py); a merge is
# announced by `patient_merged` above instead.

class PatientChangedHandler(Protocol):
    def __call__(self, patient: Any, *, previous: Any | None) -> None: ...


patient_changed: list[PatientChangedHandler | Callable[..., None]] = []


def fire_patient_changed(patient: Any, *, previous: Any | None = None) -> None:
    for handler in list(patient_changed):
        handler(patient, previous=previous)
