"""Who may see a patient: the one module that decides, for every app.

Three questions, asked in this order, the same way by the desk search, the chart, FHIR, the front desk's
lists, the schedule and billing:

1. **Role and location.** The actor holds the permission the screen needs (`perm`) at the chart's home
   location (practice-wide roles: every location). A chart of another location is also in reach *at a
   location where the patient is seen* (they have an appointment there: a follow-up booked there, the co-pay
   of that visit), for an actor holding the permission at that location. The schedule tells which patients
   are seen where through `hooks.register_seen_at` (the patients app imports no other app). A chart out of reach
   answers exactly like a missing one (404), and the refusal is audited.
2. **Restricted charts.** A restricted chart is *found* like any other (its name in the search, on the day's
   list, on a booking), but its *record* (the chart, its documents and messages, the ledger, a FHIR resource)
   opens only while the actor's break-the-glass is open (`BreakGlassRequired`, 403, until then). Lists that
   hand out the record itself (FHIR searches) leave a restricted chart out until then.
3. **Merged-away charts.** They are left out of every list; opening one by id still works (it says which chart
   it was merged into), but nothing new may be written on it (`require_current`: book, pay, add to the
   waitlist go to the surviving chart).

Services and selectors ask here: `visible_patients` (a queryset for lists), `record_filter` (the restricted
rule as a filter on rows that name a patient), `require_patient_in_reach` / `require_record_open` (one
chart), `patient_in_reach` (load by id and check). tests/patients/test_visibility.py proves every entry point
follows this and that no other module filters on `restricted` or re-implements the location rule.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.db.models import BigIntegerField, ExpressionWrapper, F, Q, QuerySet
from django.utils.translation import gettext as _

from clinicdesk.core import clock
from clinicdesk.core.exceptions import Conflict, DomainError, NotFound
from clinicdesk.core.permissions import Actor, Perm, has_perm, require

from . import hooks
from .models import BreakGlassAccess, Patient

Perms = Perm | tuple[Perm, ...]


class BreakGlassRequired(DomainError):
    """A restricted record: the actor must give a reason before it opens."""

    status = 403
    title = "Restricted record"


def _perms(perm: Perms) -> tuple[Perm, ...]:
    return perm if isinstance(perm, tuple) else (perm,)


def _holds(actor: Actor, perm: Perms, location: Any = None) -> bool:
    return any(has_perm(actor, p, location=location) for p in _perms(perm))


def _practice_wide(actor: Actor) -> bool:
    return bool(getattr(actor, "practice_wide", False))


# --- lists ---------------------------------------------------------------------------------------------------

def location_filter(actor: Actor, *, prefix: str = "") -> Q:
    """The location rule as a filter on Patient (`prefix`: the path to it, e.g. "patient__")."""
    if _practice_wide(actor):
        return Q()
    return Q(**{f"{prefix}home_location_id__in": sorted(actor.location_ids())})


def record_filter(actor: Actor, *, prefix: str = "") -> Q:
    """The restricted rule as a filter: charts that are not restricted, or whose glass the actor broke and is
    still open."""
    open_glass = BreakGlassAccess.objects.filter(actor_id=getattr(actor, "pk", None), expires_at__gt=clock.now())
    return Q(**{f"{prefix}restricted": False}) | Q(**{f"{prefix}pk__in": open_glass.values("patient_id")})


def visible_patients(actor: Actor, *, perm: Perms = Perm.PATIENT_READ, record: bool = False) -> QuerySet[Patient]:
    """Charts the actor may list: unmerged, at a home location where the actor holds `perm`. With `record`
    (a list that hands out the record itself, as FHIR does) a restricted chart only while its glass is open."""
    if not _holds(actor, perm):
        return Patient.objects.none()
    patients = Patient.objects.filter(merged_into__isnull=True)  # no join: the planner starts from the key
    if not _practice_wide(actor):
        # `home_location_id + 0` keeps the planners (SQLite's above all) from walking the location index, which
        # matches half the table, instead of the search key's index, which matches a handful of rows.
        patients = patients.alias(location_key=ExpressionWrapper(F("home_location_id") + 0,
                                                                 output_field=BigIntegerField())) \
            .filter(location_key__in=sorted(actor.location_ids()))
    if record:
        patients = patients.filter(record_filter(actor))
    return patients


def outreach_patients(*, location_ids: list[int]) -> QuerySet[Patient]:
    """Charts a mass contact (an outreach campaign's cohort) may start from: current (unmerged), active, living
    patients whose home is one of these locations, never a restricted chart. Who runs the campaign is checked by
    its service (outreach.admin at those locations)."""
    return Patient.objects.filter(active=True, deceased_date__isnull=True, merged_into__isnull=True,
                                  restricted=False, home_location_id__in=location_ids)


def listed_rows(*, prefix: str = "patient__") -> Q:
    """Rows of a location's list (arrivals, the flow board, calls) that name a patient: never a merged-away
    chart. The list's location is checked by its selector; the patient is in reach there because they are
    seen there."""
    return Q(**{f"{prefix}merged_into__isnull": True})


# --- one chart -----------------------------------------------------------------------------------------------

def has_break_glass(actor: Actor, patient_id: Any) -> bool:
    if getattr(actor, "pk", None) is None:
        return False
    return BreakGlassAccess.objects.filter(actor_id=actor.pk, patient_id=patient_id,
                                           expires_at__gt=clock.now()).exists()


def may_reach(actor: Actor, patient: Any, *, perm: Perms = Perm.PATIENT_READ, location: Any = None) -> bool:
    """The role and location rule for one chart (see the module's docstring)."""
    if _holds(actor, perm, patient.home_location_id):
        return True
    location_id = getattr(location, "pk", location)
    return location_id is not None and _holds(actor, perm, location_id) and hooks.seen_at(patient.pk, location_id)


def require_patient_in_reach(actor: Actor, patient: Any, *, perm: Perms = Perm.PATIENT_READ, location: Any = None,
                             resource_type: str = "patient", resource_id: Any = None) -> None:
    """Raise a refusal that answers like a missing record (and is audited) unless the chart is in reach."""
    if may_reach(actor, patient, perm=perm, location=location):
        return
    require(actor, _perms(perm)[-1], location=patient.home_location_id, hide=True, resource_type=resource_type,
            resource_id=patient.pk if resource_id is None else resource_id, patient_id=patient.pk)


def require_record_open(actor: Actor, patient: Any, *, perm: Perms = Perm.PATIENT_READ, location: Any = None,
                        resource_type: str = "patient", resource_id: Any = None) -> None:
    """The chart is in reach and, when restricted, the actor's glass is open."""
    require_patient_in_reach(actor, patient, perm=perm, location=location, resource_type=resource_type,
                             resource_id=resource_id)
    if patient.restricted and not has_break_glass(actor, patient.pk):
        raise BreakGlassRequired("break-glass-required",
                                 _("This is a restricted record. Give the reason you need to open it."))


def require_current(patient: Any) -> None:
    """Nothing new is written on a merged-away chart: it goes to the chart it was merged into."""
    if patient.merged_into_id is not None:
        survivor = Patient.objects.filter(pk=patient.merged_into_id).values_list("mrn", flat=True).first()
        raise Conflict("patient-merged", _("This chart was merged into MRN %(mrn)s: use that chart.")
                       % {"mrn": survivor or ""})


def patient_in_reach(actor: Actor, patient_id: Any, *, perm: Perms = Perm.PATIENT_READ, location: Any = None,
                     record: bool = False, current: bool = False, resource_type: str = "patient",
                     resource_id: Any = None, related: Iterable[str] = ()) -> Patient:
    """Load a chart by id and apply the rule: missing or out of reach -> NotFound-like; `record`: its record
    opens (break the glass first); `current`: not merged away."""
    patient = Patient.objects.select_related(*related).filter(pk=patient_id).first() \
        if _is_id(patient_id) else None
    if patient is None:
        raise NotFound()
    check = require_record_open if record else require_patient_in_reach
    check(actor, patient, perm=perm, location=location, resource_type=resource_type, resource_id=resource_id)
    if current:
        require_current(patient)
    return patient


def _is_id(value: Any) -> bool:
    try:
        int(value)
    except (TypeError, ValueError):
        return False
    return True
