"""Blocking: which existing patients are worth comparing with a person. No audit here; the
selectors and services that show or act on the candidates audit what they show."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.db.models import Q, QuerySet

from . import matching_model
from .keys import sound
from .matching import POSSIBLE, MatchResult, Person, person_from, score, transposed
from .models import Patient

CANDIDATE_LIMIT = 300


@dataclass
class Match:
    patient: Patient
    result: MatchResult


def candidate_query(person: Person) -> Q:
    query = Q(pk__in=[])
    if person.birth_date is not None:
        days = [person.birth_date]
        if (swapped := transposed(person.birth_date)) is not None:
            days.append(swapped)
        query |= Q(birth_date__in=days)
    if person.phone:
        query |= Q(phone_digits=person.phone) | Q(alt_phone_digits=person.phone)
    if person.email:
        query |= Q(email=person.email)
    given_sound = sound(person.given)
    for family in {person.family, person.previous_family} - {""}:
        query |= Q(family_sound=sound(family), given_sound=given_sound)
        if given_sound:  # first and last names swapped on one of the charts
            query |= Q(family_sound=given_sound, given_sound=sound(family))
    return query


def find_matches(person: Person, *, exclude_ids: tuple[Any, ...] = (), threshold: float = POSSIBLE,
                 limit: int = 10, among: QuerySet[Patient] | None = None) -> list[Match]:
    """Existing, unmerged patients that score at or above `threshold`, best first. `among`: only these charts
    (e.g. the ones a caller may see), narrowed in the same query as the blocking keys."""
    charts = Patient.objects.all() if among is None else among
    patients = (charts.filter(candidate_query(person), merged_into__isnull=True)
                .exclude(pk__in=exclude_ids).select_related("home_location")[:CANDIDATE_LIMIT])
    model = matching_model.current()
    matches = [Match(p, score(person, person_from(p), model)) for p in patients]
    matches = [m for m in matches if m.result.score >= threshold]
    matches.sort(key=lambda m: (-m.result.score, m.patient.pk))
    return matches[:limit]
