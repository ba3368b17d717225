"""Reads of the audit trail, for the compliance officer. Reading it is itself audited."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.contrib.auth import get_user_model
from django.db.models import F, QuerySet
from django.utils.translation import gettext

from clinicdesk.core.permissions import Actor, Perm, has_perm, require
from clinicdesk.patients.selectors import patient_search, visible_patients

from .labels import action_words, outcome_words, role_words
from .models import AuditEntry, Outcome
from .services import atomic_service, record

PATIENT_MATCHES = 25  # a search that finds more than this asks for a narrower one (an MRN)
# Newest first: entries not sealed yet (no position, ADR 0007) come first, in the order they were recorded.
NEWEST_FIRST = (F("position").desc(nulls_first=True), "-pk")


@dataclass(frozen=True)
class AuditFilter:
    patient_query: str = ""  # an MRN, a name or a date of birth: the patient search of the desk
    patient_id: int | None = None
    actor_id: int | None = None
    action: str = ""
    start: dt.datetime | None = None
    end: dt.datetime | None = None
    outcome: str = ""


@dataclass(frozen=True)
class AuditRow:
    """One entry as the screen shows it: words for the codes, the patient by name and MRN."""

    entry: AuditEntry
    action: str
    outcome: str
    role: str
    patient: str


@dataclass(frozen=True)
class AuditPage:
    rows: list[AuditRow]
    patients: list[str]  # the charts a patient search matched (their entries are listed), by name and MRN
    patient_searched: bool = False


def audit_staff_choices() -> QuerySet[Any]:
    """Staff users for the filter's "Staff user" list (the audit app reads users through the user model)."""
    return get_user_model().objects.order_by("username")


def _patient_ids(actor: Actor, query: str) -> tuple[list[int], dict[int, str]]:
    """Charts matching `query` through the patients app's own search (audited there), with every chart that was
    merged into one of them: the trail keeps naming the merged-away chart."""
    found = patient_search(actor=actor, query=query, limit=PATIENT_MATCHES)
    labels = {patient.pk: str(patient) for patient in found}
    frontier = list(found)
    while frontier:
        merged = [chart for patient in frontier for chart in patient.merged_from.all() if chart.pk not in labels]
        labels.update({chart.pk: str(chart) for chart in merged})
        frontier = merged
    return [patient.pk for patient in found], labels


def _filtered(criteria: AuditFilter, patient_ids: list[int] | None = None) -> QuerySet[AuditEntry]:
    entries = AuditEntry.objects.select_related("actor")
    if patient_ids is not None:
        entries = entries.filter(patient_id__in=patient_ids)
    if criteria.patient_id is not None:
        entries = entries.filter(patient_id=criteria.patient_id)
    if criteria.actor_id is not None:
        entries = entries.filter(actor_id=criteria.actor_id)
    if criteria.action.endswith("."):  # a family of actions, e.g. "fhir."
        entries = entries.filter(action__startswith=criteria.action)
    elif criteria.action:
        entries = entries.filter(action=criteria.action)
    if criteria.outcome:
        entries = entries.filter(outcome=criteria.outcome)
    if criteria.start is not None:
        entries = entries.filter(at__gte=criteria.start)
    if criteria.end is not None:
        entries = entries.filter(at__lt=criteria.end)
    return entries.order_by(*NEWEST_FIRST)


def _describe(criteria: AuditFilter) -> dict[str, Any]:
    return {k: (v.isoformat() if isinstance(v, dt.datetime) else v)
            for k, v in criteria.__dict__.items() if v not in (None, "")}


@dataclass(frozen=True)
class _Search:
    patient_ids: list[int] | None  # None: no patient search; else every chart it matched, and charts merged in
    labels: dict[int, str]  # "Family, Given (MRN)" of those charts
    found: list[str]  # the charts the search itself matched


def _searched(actor: Actor, criteria: AuditFilter) -> _Search:
    if not criteria.patient_query.strip():
        return _Search(None, {}, [])
    found, labels = _patient_ids(actor, criteria.patient_query)
    return _Search(list(labels), labels, [labels[pk] for pk in found])


@atomic_service
def audit_entries_list(*, actor: Actor, criteria: AuditFilter, limit: int = 200) -> list[AuditEntry]:
    require(actor, Perm.AUDIT_READ)
    entries = list(_filtered(criteria, _searched(actor, criteria).patient_ids)[:limit])
    record(actor, "audit.search", resource_type="audit", detail={"filter": _describe(criteria),
                                                                  "shown": len(entries)})
    return entries


@atomic_service
def audit_trail_page(*, actor: Actor, criteria: AuditFilter, limit: int = 200) -> AuditPage:
    """The audit trail screen: the entries matching `criteria`, newest first, in words.

    A patient search (`patient_query`) goes through the patients app's search, so an MRN, a name or a date of
    birth finds the chart as at the desk; the page lists the entries of every chart it matched."""
    require(actor, Perm.AUDIT_READ)
    search = _searched(actor, criteria)
    entries = list(_filtered(criteria, search.patient_ids)[:limit])
    named = _patient_names(actor, {entry.patient_id for entry in entries if entry.patient_id is not None},
                           known=search.labels)
    record(actor, "audit.search", resource_type="audit", detail={
        "filter": _describe(criteria), "shown": len(entries), "patients": sorted(named)})
    rows = [AuditRow(entry=entry, action=action_words(entry.action), outcome=outcome_words(entry.outcome),
                     role=role_words(entry.actor_role),
                     patient=named.get(entry.patient_id, "") if entry.patient_id is not None else "")
            for entry in entries]
    return AuditPage(rows=rows, patients=search.found, patient_searched=search.patient_ids is not None)


def _patient_names(actor: Actor, ids: set[int], *, known: dict[int, str]) -> dict[int, str]:
    """"Family, Given (MRN)" for the charts the rows name, as far as the actor may list them."""
    names = {pk: label for pk, label in known.items() if pk in ids}
    missing = ids - set(names)
    if missing:
        names.update({patient.pk: str(patient) for patient in visible_patients(actor).filter(pk__in=missing)})
    return names


@atomic_service
def audit_entries_export(*, actor: Actor, criteria: AuditFilter) -> QuerySet[AuditEntry]:
    require(actor, Perm.AUDIT_EXPORT)
    patient_ids = _searched(actor, criteria).patient_ids
    record(actor, "audit.export", resource_type="audit", detail={"filter": _describe(criteria)})
    return _filtered(criteria, patient_ids)


@dataclass(frozen=True)
class HistoryLine:
    """One change of a configuration record, as its screen's History panel shows it."""

    at: Any
    who: str
    action: str  # in the reader's language
    changes: list[tuple[str, Any, Any]]  # (field label, old, new)


def change_history(*, actor: Actor, resource_type: str, resource_id: int | str, limit: int = 50,
                   field_labels: dict[str, Any] | None = None,
                   formatters: dict[str, Callable[[Any], Any]] | None = None) -> list[HistoryLine]:
    """Who changed a configuration record (a room, a provider, a staff account...), when, and what, newest first.
    `field_labels` puts words on the field codes the services recorded (`{"name": _("name")}`; a model's
    verbose names serve: `{f.name: f.verbose_name for f in Room._meta.get_fields() if hasattr(f, "verbose_name")}`).
    `formatters` turns a field's recorded values into words (`{"hours": hours_in_words}`); other values are shown
    as they are, flags as yes/no and lists joined. Configuration holds no patient data: practice and user
    administrators may read it."""
    labels = field_labels or {}
    shown = {name: (lambda value, f=f: f(value)) for name, f in (formatters or {}).items()}
    if not (has_perm(actor, Perm.PRACTICE_ADMIN) or has_perm(actor, Perm.USER_ADMIN)):
        require(actor, Perm.PRACTICE_ADMIN)
    entries = (AuditEntry.objects.filter(resource_type=resource_type, resource_id=str(resource_id),
                                         outcome=Outcome.ALLOWED)
               .order_by(*NEWEST_FIRST)[:limit])
    return [HistoryLine(at=e.at, who=e.actor_username or "—", action=action_words(e.action),
                        changes=[(str(labels.get(name, name)), *map(shown.get(name, _shown), pair))
                                 for name, pair in sorted((e.detail or {}).get("changes", {}).items())
                                 if isinstance(pair, list) and len(pair) == 2])
            for e in entries]


def _shown(value: Any) -> Any:
    """A recorded value as the History panel shows it: yes/no for flags, lists joined, nothing as a dash."""
    if value is None or value == "" or value == []:
        return None
    if isinstance(value, bool):
        return gettext("Yes") if value else gettext("No")
    if isinstance(value, list):
        return ", ".join(str(item) for item in value)
    return value
