"""Patient alerts (behaviour, fall risk, interpreter needed, latex allergy and the kinds the practice adds).

Who sets them: desk roles (PATIENT_WRITE) and clinical roles (CLINICAL_TRIAGE), each at a chart in their reach.
The desk is who meets an agitated patient or books the interpreter; the nurse and the provider are who find the
fall risk and the latex allergy. Billing and compliance read them only. An alert always carries a reason; it is
ended (with its own reason), never deleted, so the chart keeps its history. Every write is audited.

Alert kinds are the practice's configuration (PRACTICE_ADMIN): created, changed, deactivated, never deleted.
"""

from __future__ import annotations

import re
from typing import Any

from django.db.models import QuerySet
from django.utils.translation import gettext as _

from clinicdesk.audit.services import atomic_service, record
from clinicdesk.core import clock
from clinicdesk.core.changes import diff, snapshot
from clinicdesk.core.exceptions import Conflict, NotFound, ValidationFailed
from clinicdesk.core.permissions import Actor, Perm, has_perm, require, staff_user

from ..models import AlertKind, AlertSeverity, Patient, PatientAlert
from ..validation import Errors
from ..visibility import patient_in_reach

# Either permission sets and ends an alert (see the module's docstring).
ALERT_WRITE = (Perm.PATIENT_WRITE, Perm.CLINICAL_TRIAGE)
KIND_FIELDS = ("code", "label_en", "label_es", "severity", "needs_detail", "active")
_CHANGEABLE = frozenset(KIND_FIELDS) - {"code"}
_CODE = re.compile(r"^[a-z0-9][a-z0-9-]{0,39}$")
MAX_ACTIVE_ALERTS = 20
INTERPRETER = "interpreter"  # the alert kind behind the registration form's "Interpreter needed" box


def _text(errors: Errors, name: str, value: Any, *, required: bool, max_length: int, label: str) -> str:
    text = " ".join(str(value or "").split())
    if "\x00" in text:
        errors.add(name, _("This contains a NUL character, which cannot be stored."))
    elif required and not text:
        errors.add(name, _("%(label)s is required.") % {"label": label})
    elif len(text) > max_length:
        errors.add(name, _("%(label)s may hold at most %(n)s characters.") % {"label": label, "n": max_length})
    return text


def require_alert_writer(actor: Actor, patient_id: Any) -> None:
    """403 (audited) for a role that may never set an alert; the chart's own reach is checked after."""
    if not any(has_perm(actor, perm) for perm in ALERT_WRITE):
        require(actor, Perm.PATIENT_WRITE, resource_type="patient", resource_id=patient_id, patient_id=patient_id)


# --- alerts on a chart -------------------------------------------------------------------------------------

@atomic_service
def patient_alert_add(*, actor: Actor, patient_id: int, kind_id: int, reason: str, detail: str = "") -> PatientAlert:
    """Set an alert on a chart. The kind must be active; a kind that asks for a detail (the interpreter's
    language) needs one; the same kind with the same detail is not set twice while active."""
    require_alert_writer(actor, patient_id)
    patient = patient_in_reach(actor, patient_id, perm=ALERT_WRITE, record=True, current=True)
    errors = Errors()
    kind = AlertKind.objects.filter(pk=kind_id, active=True).first() if str(kind_id).isdigit() else None
    if kind is None:
        errors.add("kind", _("Choose an alert from the list."))
    reason = _text(errors, "reason", reason, required=True, max_length=300, label=_("Reason"))
    detail = _text(errors, "detail", detail, required=bool(kind and kind.needs_detail), max_length=80,
                   label=_("Detail"))
    errors.raise_if_any("invalid-alert")
    assert kind is not None
    Patient.objects.select_for_update(no_key=True).filter(pk=patient.pk).first()  # one writer per chart
    active = PatientAlert.objects.filter(patient=patient, ended_at__isnull=True)
    if active.filter(kind=kind, detail__iexact=detail).exists():
        raise Conflict("alert-exists", _("This alert is already set on the chart."))
    if active.count() >= MAX_ACTIVE_ALERTS:
        raise Conflict("too-many-alerts", _("A chart holds at most %(n)s active alerts: end one first.")
                       % {"n": MAX_ACTIVE_ALERTS})
    alert = PatientAlert.objects.create(patient=patient, kind=kind, detail=detail, reason=reason,
                                        created_at=clock.now(), created_by=staff_user(actor))
    record(actor, "patient_alert.add", alert, patient=patient,
           detail={"kind": kind.code, "detail": detail, "reason": reason})
    if kind.code == INTERPRETER:
        _mirror_interpreter(patient)
    return alert


@atomic_service
def patient_alert_end(*, actor: Actor, alert_id: int, reason: str = "") -> PatientAlert:
    """End an active alert; it stays in the chart's history."""
    alert = PatientAlert.objects.select_for_update().select_related("kind").filter(pk=alert_id).first() \
        if str(alert_id).isdigit() else None
    if alert is None:
        raise NotFound()
    require_alert_writer(actor, alert.patient_id)
    patient = patient_in_reach(actor, alert.patient_id, perm=ALERT_WRITE, record=True, resource_type="patientalert",
                               resource_id=alert.pk)
    errors = Errors()
    reason = _text(errors, "reason", reason, required=False, max_length=300, label=_("Reason"))
    errors.raise_if_any("invalid-alert")
    if alert.ended_at is not None:
        raise Conflict("alert-ended", _("This alert has already been ended."))
    alert.ended_at, alert.ended_by, alert.end_reason = clock.now(), staff_user(actor), reason
    alert.save(update_fields=["ended_at", "ended_by", "end_reason"])
    record(actor, "patient_alert.end", alert, patient=patient, detail={"kind": alert.kind.code, "reason": reason})
    if alert.kind.code == INTERPRETER:
        _mirror_interpreter(patient)
    return alert


# --- the interpreter: one home ---------------------------------------------------------------------------------
# "Interpreter needed" is the interpreter alert (kind code "interpreter"). The registration and edit form's tick
# box, the CSV import's column and the demo builder set or end that alert through interpreter_alert_sync; the
# alert screens set and end it directly. Patient.interpreter_needed is only a mirror of "an interpreter alert is
# active", kept by this module so that lists and exports read it without a query per chart; nothing else writes it.

def _mirror_interpreter(patient: Patient) -> None:
    needed = PatientAlert.objects.filter(patient=patient, kind__code=INTERPRETER, ended_at__isnull=True).exists()
    if patient.interpreter_needed != needed:
        Patient.objects.filter(pk=patient.pk).update(interpreter_needed=needed)
        patient.interpreter_needed = needed


def _language_word(code: str) -> str:
    from ..forms import LANGUAGE_CHOICES  # the words the registration form offers

    return str(dict(LANGUAGE_CHOICES).get(code, code or ""))


def interpreter_alert_sync(*, actor: Actor, patient: Patient, needed: bool, reason: str) -> None:
    """Set (needed) or end (not needed) the chart's interpreter alert, for a writer that already holds the chart:
    patient_register and patient_update call it inside their transaction, after their own permission and reach
    checks (PATIENT_WRITE), with the chart locked or just created. The alert's detail is the preferred language."""
    active = list(PatientAlert.objects.select_related("kind")
                  .filter(patient=patient, kind__code=INTERPRETER, ended_at__isnull=True))
    if needed and not active:
        kind = AlertKind.objects.filter(code=INTERPRETER).first()
        if kind is not None:
            detail = _language_word(patient.preferred_language)[:80]
            alert = PatientAlert.objects.create(patient=patient, kind=kind, detail=detail, reason=reason,
                                                created_at=clock.now(), created_by=staff_user(actor))
            record(actor, "patient_alert.add", alert, patient=patient,
                   detail={"kind": kind.code, "detail": detail, "reason": reason})
    elif not needed:
        for alert in active:
            alert.ended_at, alert.ended_by, alert.end_reason = clock.now(), staff_user(actor), reason
            alert.save(update_fields=["ended_at", "ended_by", "end_reason"])
            record(actor, "patient_alert.end", alert, patient=patient,
                   detail={"kind": alert.kind.code, "reason": reason})
    _mirror_interpreter(patient)


# --- alert kinds (practice configuration) ------------------------------------------------------------------

def _check_kind(errors: Errors, values: dict[str, Any]) -> dict[str, Any]:
    clean: dict[str, Any] = {}
    if "code" in values:
        code = str(values["code"] or "").strip().lower()
        if not _CODE.match(code):
            errors.add("code", _("The code holds up to 40 lower-case letters, digits and hyphens."))
        clean["code"] = code
    for name, label in (("label_en", _("Label (English)")), ("label_es", _("Label (Spanish)"))):
        if name in values:
            clean[name] = _text(errors, name, values[name], required=True, max_length=80, label=label)
    if "severity" in values:
        if values["severity"] not in AlertSeverity.values:
            errors.add("severity", _("Choose a colour from the list."))
        clean["severity"] = values["severity"]
    for name in ("needs_detail", "active"):
        if name in values:
            if not isinstance(values[name], bool):
                errors.add(name, _("Must be true or false."))
            clean[name] = values[name]
    return clean


def _lock_kind(kind_id: Any) -> AlertKind:
    kind = AlertKind.objects.select_for_update().filter(pk=kind_id).first() if str(kind_id).isdigit() else None
    if kind is None:
        raise NotFound()
    return kind


@atomic_service
def alert_kind_create(*, actor: Actor, code: str, label_en: str, label_es: str,
                      severity: str = AlertSeverity.WARNING, needs_detail: bool = False,
                      active: bool = True) -> AlertKind:
    require(actor, Perm.PRACTICE_ADMIN, resource_type="alertkind")
    errors = Errors()
    values = _check_kind(errors, {"code": code, "label_en": label_en, "label_es": label_es, "severity": severity,
                                  "needs_detail": needs_detail, "active": active})
    if "code" not in errors.fields and AlertKind.objects.filter(code=values["code"]).exists():
        errors.add("code", _("An alert kind with that code already exists."))
    errors.raise_if_any("invalid-alert-kind")
    kind = AlertKind.objects.create(**values)
    record(actor, "alert_kind.create", kind, detail={"changes": diff({}, snapshot(kind, KIND_FIELDS))})
    return kind


@atomic_service
def alert_kind_update(*, actor: Actor, kind_id: int, **changes: Any) -> AlertKind:
    """Change the members given (not the code: alerts and the API name a kind by it)."""
    require(actor, Perm.PRACTICE_ADMIN, resource_type="alertkind", resource_id=str(kind_id))
    if unknown := sorted(set(changes) - _CHANGEABLE):
        raise ValidationFailed("unknown-field", _("These cannot be changed here: %(names)s.") % {
            "names": ", ".join(unknown)}, fields={name: [_("Cannot be changed.")] for name in unknown})
    kind = _lock_kind(kind_id)
    errors = Errors()
    values = _check_kind(errors, changes)
    errors.raise_if_any("invalid-alert-kind")
    before = snapshot(kind, KIND_FIELDS)
    for name, value in values.items():
        setattr(kind, name, value)
    kind.save()
    if changed := diff(before, snapshot(kind, KIND_FIELDS)):
        record(actor, "alert_kind.update", kind, detail={"changes": changed})
    return kind


@atomic_service
def alert_kind_deactivate(*, actor: Actor, kind_id: int) -> AlertKind:
    """No longer offered for new alerts; alerts already set keep their kind."""
    require(actor, Perm.PRACTICE_ADMIN, resource_type="alertkind", resource_id=str(kind_id))
    kind = _lock_kind(kind_id)
    if kind.active:
        kind.active = False
        kind.save(update_fields=["active"])
        record(actor, "alert_kind.deactivate", kind, detail={"changes": {"active": [True, False]}})
    return kind


def alert_kinds_list(*, actor: Actor, include_inactive: bool = False) -> QuerySet[AlertKind]:
    require(actor, Perm.PRACTICE_ADMIN, resource_type="alertkind")
    kinds = AlertKind.objects.all()
    return (kinds if include_inactive else kinds.filter(active=True)).order_by("-active", "label_en", "pk")


def alert_kind_detail(*, actor: Actor, kind_id: int) -> AlertKind:
    require(actor, Perm.PRACTICE_ADMIN, resource_type="alertkind", resource_id=str(kind_id))
    kind = AlertKind.objects.filter(pk=kind_id).first() if str(kind_id).isdigit() else None
    if kind is None:
        raise NotFound()
    return kind
